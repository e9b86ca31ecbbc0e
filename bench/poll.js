#!/usr/bin/env node
/**
 * `npm run bench:poll`: a poll under a rush of ballots with 1,000 watchers (issue 5, point 6).
 * Sets up, in SQL, a PUBLIC community with its owner, VOTERS throughput voters, the latency voters
 * (LAT_RATE × LAT_DURATION of them, each voting once), a probe voter and WATCHERS watchers as
 * members, each with a session; starts the real server as a child process; as the owner, creates
 * two single-choice polls of 4 options: A (throughput) and B (latency). Opens WATCHERS graphql-ws
 * clients, each over its own WebSocket and signed in as its own member, spread over CLIENT_PROCS
 * child processes (poll-watchers.js), each subscribed to `pollUpdated` on A and on B, selecting
 * `totalVoters options { votes }` (nothing viewer-dependent: the watchers of a PUBLIC poll share one
 * execution per instance). The probe voter re-votes on both polls until every watcher has heard both.
 *
 * 1. Throughput: VOTERS voters each cast a ballot on A and keep changing it (a random option each
 *    time), each waiting for its previous castVote, for DURATION seconds: ballots/s sustained is
 *    the accepted castVote calls per second (a repeat of the same option counts: it is a ballot
 *    taken, under the poll's lock, that moves nothing).
 * 2. Latency: LAT_RATE ballots a second on B for LAT_DURATION seconds, each the FIRST ballot of a
 *    new voter, sent on schedule (not waiting for each other). B's totalVoters then only grows, so
 *    the castVote response's totalVoters (read in the same request, after its commit) names the
 *    state that ballot produced, and the first `pollUpdated` at a watcher whose totalVoters is at
 *    least that number is the first emission reflecting the ballot. Latency = its arrival − the
 *    arrival of the castVote response, per (ballot, watcher) pair; an emission that arrives before
 *    the response (possible: the server publishes before it answers) counts as 0 and is reported.
 *    Clocks: performance.timeOrigin + performance.now() in every process of the one machine.
 * 3. Final state: after each phase, the last emission every watcher got must equal the recount
 *    from the ballots table (totalVoters and every option's votes); "lost final state" counts the
 *    (watcher, poll) pairs where it does not.
 *
 * Prints: ballots/s, castVote round trip p50/p99 and SQL statements per ballot, pollUpdated
 * emissions per watcher and per second; latency p50/p99/max; lost final states; server CPU per
 * phase and memory (before the watchers, idle with them, peak). Asserts nothing. Progress on stderr.
 *
 * Options (flag or environment): --watchers=N (WATCHERS, default 1000), --voters=N (VOTERS, default
 * 50), --duration=S (DURATION, default 10), --lat-rate=N (LAT_RATE, ballots/s, default 20),
 * --lat-duration=S (LAT_DURATION, default 10), --client-procs=N (CLIENT_PROCS, default cores − 1,
 * 1 to 4). The coalescing window is the server's POLL_UPDATE_INTERVAL_MS (default 250). Database: see harness.js.
 */
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const {
  progress,
  startWorker,
  sleep,
  option,
  openBenchDatabase,
  globalIds,
  createSessions,
  startServer,
  assertFileLimit,
  gql,
  newTokenSecret,
  rssKb,
  cpuSeconds,
  databaseBackends,
  machineLoad,
  quantile,
  closeWorkers,
  sampleRssPeak,
  addDefaultChannel,
} = require('./harness');

const WATCHERS = Number(option('watchers', 'WATCHERS', '1000'));
const VOTERS = Number(option('voters', 'VOTERS', '50'));
const DURATION = Number(option('duration', 'DURATION', '10'));
const LAT_RATE = Number(option('lat-rate', 'LAT_RATE', '20'));
const LAT_DURATION = Number(option('lat-duration', 'LAT_DURATION', '10'));
const CLIENT_PROCS = Number(
  option('client-procs', 'CLIENT_PROCS', String(Math.min(4, Math.max(1, availableParallelism() - 1)))),
);
const LAT_BALLOTS = Math.round(LAT_RATE * LAT_DURATION);
const SLUG = 'bench-poll';
const now = () => performance.timeOrigin + performance.now();

const WATCH = 'subscription PollWatch($id: ID!) { pollUpdated(pollId: $id) { totalVoters options { votes } } }';
const CAST = 'mutation PollCast($input: CastVoteInput!) { castVote(input: $input) { totalVoters } }';
const CREATE = 'mutation PollCreate($input: CreatePollInput!) { createPoll(input: $input) { id options { id } } }';
const COMMUNITY = 'query PollCommunity($slug: String!) { community(slug: $slug) { id } }';

/** The cast in SQL: users poll-bench-…, the PUBLIC community `bench-poll` (replaced), memberships, one session each. */
async function setUp(client, tokenSecret) {
  const pad = (p, n, w) => Array.from({ length: n }, (_, i) => `poll-bench-${p}${String(i).padStart(w, '0')}`);
  const handles = [
    'poll-bench-owner',
    'poll-bench-probe',
    ...pad('v', VOTERS, 4),
    ...pad('l', LAT_BALLOTS, 5),
    ...pad('w', WATCHERS, 6),
  ];
  await client.query(
    `insert into users (handle, email, password_hash, is_admin, created_at)
     select h, h || '@bench.townsquare.dev', '!no-login', false, now() from unnest($1::text[]) h on conflict do nothing`,
    [handles],
  );
  const byHandle = new Map(
    (await client.query('select id, handle from users where handle = any($1::text[])', [handles])).rows.map((r) => [
      r.handle,
      r.id,
    ]),
  );
  const ids = handles.map((h) => byHandle.get(h));
  await client.query('delete from communities where slug = $1', [SLUG]);
  const { id: communityId } = (
    await client.query(
      `insert into communities (slug, name, description, visibility, member_count, created_at, updated_at)
     values ($1, 'Bench: a poll', 'Ballots under load (bench/poll.js).', 'PUBLIC', 0, now(), now()) returning id`,
      [SLUG],
    )
  ).rows[0];
  await addDefaultChannel(client, communityId);
  await client.query(
    `insert into members (community_id, user_id, role, joined_at)
     select $1, u.id, (case when u.i = 1 then 'OWNER' else 'MEMBER' end)::member_role, now() from unnest($2::int[]) with ordinality as u(id, i)`,
    [communityId, ids],
  );
  await client.query(
    'update communities set member_count = (select count(*) from members where community_id = $1) where id = $1',
    [communityId],
  );
  await client.query('delete from sessions where user_id = any($1::int[])', [ids]);
  for (const table of ['users', 'members', 'sessions']) await client.query(`analyze ${table}`);
  const tokens = await createSessions(client, ids, tokenSecret);
  let at = 2;
  const take = (n) => tokens.slice(at, (at += n));
  return {
    owner: tokens[0],
    probe: tokens[1],
    voters: take(VOTERS),
    latency: take(LAT_BALLOTS),
    watchers: take(WATCHERS),
  };
}

/** The recount of a poll from its ballots, as the watchers format a state: 'totalVoters|v0,v1,…'. */
async function recount(db, pollGlobalId) {
  const client = await db.connect();
  try {
    const id = (await globalIds(client)).fromGlobalId('Poll', pollGlobalId);
    const {
      rows: [r],
    } = await client.query(
      `select (select count(*) from ballots where poll_id = $1)::int as voters,
              (select string_agg(n::text, ',' order by position) from (
                 select o.position, (select count(*) from ballot_choices c where c.option_id = o.id) as n from poll_options o where o.poll_id = $1
              ) x) as votes,
              (select total_voters from polls where id = $1) as counter`,
      [id],
    );
    return { state: `${r.voters}|${r.votes}`, counter: r.counter };
  } finally {
    await client.close();
  }
}

(async () => {
  const serverFiles = WATCHERS + VOTERS + LAT_BALLOTS + 512;
  const workerFiles = Math.ceil(WATCHERS / CLIENT_PROCS) + 256;
  assertFileLimit(Math.max(serverFiles, workerFiles));
  const db = await openBenchDatabase();
  let server;
  const workers = [];
  try {
    const tokenSecret = newTokenSecret();
    const client = await db.connect();
    let tokens;
    try {
      progress(`setting up the community: ${2 + VOTERS + LAT_BALLOTS + WATCHERS} members with a session each…`);
      tokens = await setUp(client, tokenSecret);
    } finally {
      await client.close();
    }
    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret, files: serverFiles });
    const wsUrl = server.url.replace('http', 'ws');
    const {
      data: { community },
    } = await gql(server.url, COMMUNITY, { slug: SLUG });
    const create = async (question) =>
      (
        await gql(
          server.url,
          CREATE,
          {
            input: { communityId: community.id, question, options: ['North', 'East', 'South', 'West'] },
          },
          tokens.owner,
        )
      ).data.createPoll;
    const pollA = await create('Throughput: which way?');
    const pollB = await create('Latency: which way?');
    const cast = (token, poll, i) =>
      gql(server.url, CAST, { input: { pollId: poll.id, optionIds: [poll.options[i % 4].id] } }, token);
    console.log(
      `poll:     two SINGLE polls of 4 options in the PUBLIC community "${SLUG}"; ${WATCHERS} watchers subscribed to both`,
    );
    console.log(
      `server:   node ${process.version}, pid ${server.pid}, POLL_UPDATE_INTERVAL_MS=${process.env.POLL_UPDATE_INTERVAL_MS || '250 (default)'}; watchers: graphql-ws clients, one WebSocket and one member each, in ${CLIENT_PROCS} client process${CLIENT_PROCS === 1 ? '' : 'es'} on the same machine`,
    );
    await cast(tokens.probe, pollA, 0);
    await sleep(1000);
    const rssBefore = rssKb(server.pid);

    progress(`opening ${WATCHERS} watchers in ${CLIENT_PROCS} client processes…`);
    const openedAt = Date.now();
    await Promise.all(
      Array.from({ length: CLIENT_PROCS }, (_, w) => {
        const share = tokens.watchers.filter((_, i) => i % CLIENT_PROCS === w);
        const worker = startWorker(join(__dirname, 'poll-watchers.js'), workerFiles);
        workers.push(worker);
        worker.send({
          type: 'start',
          url: wsUrl,
          tokens: share,
          query: WATCH,
          pollA: pollA.id,
          pollB: pollB.id,
          concurrency: 50,
        });
        return new Promise((resolve) =>
          worker.listen((msg) => msg.type === 'opened' && msg.count === share.length && resolve()),
        );
      }),
    );
    const status = async () => {
      const all = await Promise.all(workers.map((w) => w.ask({ type: 'status' }, 'status')));
      return {
        heardA: all.reduce((n, s) => n + s.heardA, 0),
        heardB: all.reduce((n, s) => n + s.heardB, 0),
        errors: all.reduce((n, s) => n + s.errors, 0),
        firstError: all.find((s) => s.firstError)?.firstError,
      };
    };
    let s = await status();
    for (let probe = 1; s.heardA < WATCHERS || s.heardB < WATCHERS; probe++) {
      if (probe > 100)
        throw new Error(
          `only ${s.heardA}/${s.heardB} of ${WATCHERS} watchers heard the probes; ${s.errors} errors (first: ${s.firstError})`,
        );
      await cast(tokens.probe, pollA, probe);
      await cast(tokens.probe, pollB, probe);
      await sleep(500);
      s = await status();
      progress(`  probe ${probe}: ${s.heardA} (A) and ${s.heardB} (B) of ${WATCHERS} watchers heard it`);
    }
    const connectedMs = Date.now() - openedAt;
    await sleep(2000);
    const rssIdle = rssKb(server.pid);
    const loadBefore = machineLoad();
    const rss = sampleRssPeak(server.pid, rssIdle);
    const pg0 = await databaseBackends(db);
    const pgCpu = () => (pg0 ? pg0.reduce((n, pid) => n + cpuSeconds(pid), 0) : NaN);

    // 1. Throughput.
    progress(`throughput: ${VOTERS} voters casting and changing ballots on A for ${DURATION} s…`);
    const t = { ok: 0, failed: 0, firstError: null, roundTrips: [], statements: 0 };
    const cpu1 = cpuSeconds(server.pid);
    const pg1 = pgCpu();
    const start1 = now();
    const end1 = start1 + DURATION * 1000;
    await Promise.all(
      tokens.voters.map(async (token, v) => {
        for (let i = v; now() < end1; i += 1 + Math.floor(Math.random() * 3)) {
          const sent = now();
          try {
            const { headers } = await cast(token, pollA, i);
            t.roundTrips.push(now() - sent);
            t.statements += Number(headers.get('x-sql-statements') ?? NaN);
            t.ok++;
          } catch (err) {
            t.failed++;
            t.firstError ??= err.message;
          }
        }
      }),
    );
    const seconds1 = (now() - start1) / 1000;
    const cpuThroughput = cpuSeconds(server.pid) - cpu1;
    const pgThroughput = pgCpu() - pg1;
    await sleep(1500);
    const finalA = await recount(db, pollA.id);

    // 2. Latency.
    progress(`latency: ${LAT_BALLOTS} first ballots on B at ${LAT_RATE}/s…`);
    const ballots = new Float64Array(LAT_BALLOTS * 2);
    const l = { ok: 0, failed: 0, firstError: null };
    const cpu2 = cpuSeconds(server.pid);
    const start2 = now() + 50;
    await Promise.all(
      tokens.latency.map(async (token, k) => {
        const wait = start2 + (k * 1000) / LAT_RATE - now();
        if (wait > 0) await sleep(wait);
        try {
          const { data } = await cast(token, pollB, k);
          ballots[2 * l.ok] = now();
          ballots[2 * l.ok + 1] = data.castVote.totalVoters;
          l.ok++;
        } catch (err) {
          l.failed++;
          l.firstError ??= err.message;
        }
      }),
    );
    const seconds2 = (now() - start2) / 1000;
    await sleep(2000);
    const cpuLatency = cpuSeconds(server.pid) - cpu2;
    rss.stop();
    const finalB = await recount(db, pollB.id);

    progress('collecting from the watcher processes…');
    const collected = await Promise.all(
      workers.map((w) =>
        w.ask(
          { type: 'collect', ballots: ballots.slice(0, 2 * l.ok), finalA: finalA.state, finalB: finalB.state },
          'collected',
        ),
      ),
    );
    const sum = (key) => collected.reduce((n, r) => n + r[key], 0);
    const latencies = new Float32Array(collected.reduce((n, r) => n + r.latencies.length, 0));
    collected.reduce((at, r) => (latencies.set(r.latencies, at), at + r.latencies.length), 0);
    latencies.sort();

    const f = (x) => x.toLocaleString('en-US');
    const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '–');
    const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;
    const core = (x, secs) => `${x.toFixed(2)} s = ${((x / secs) * 100).toFixed(0)} % of one core`;
    const rt = t.roundTrips.sort((a, b) => a - b);
    console.log(
      `${f(WATCHERS)} watchers connected and hearing both polls after ${(connectedMs / 1000).toFixed(1)} s; ${machineLoad()}`,
    );
    console.log('');
    console.log(
      `throughput: ${VOTERS} voters casting and changing ballots on A, each waiting for its previous castVote, ${DURATION} s`,
    );
    console.log(
      `  ballots:     ${f(t.ok)} in ${seconds1.toFixed(1)} s = ${(t.ok / seconds1).toFixed(0)} ballots/s sustained; ${f(t.failed)} failed${t.firstError ? ` (first: ${t.firstError})` : ''}`,
    );
    console.log(
      `  round trip:  castVote p50 ${ms(quantile(rt, 0.5))} ms, p99 ${ms(quantile(rt, 0.99))} ms, max ${ms(rt.at(-1))} ms; ${(t.statements / t.ok).toFixed(1)} SQL statements each`,
    );
    console.log(
      `  emissions:   ${f(sum('emissionsA'))} pollUpdated on A in all = ${(sum('emissionsA') / WATCHERS).toFixed(1)} per watcher (${(sum('emissionsA') / WATCHERS / (seconds1 + 1.5)).toFixed(1)}/s while ${f(t.ok)} ballots came)`,
    );
    console.log(
      `  final state: recount ${finalA.state} (counter totalVoters ${finalA.counter}); lost final state at ${f(sum('staleA'))} of ${f(WATCHERS)} watchers`,
    );
    console.log(
      `  server CPU:  ${core(cpuThroughput, seconds1)}; PostgreSQL ${Number.isNaN(pgThroughput) ? 'not measured' : core(pgThroughput, seconds1)}`,
    );
    console.log('');
    console.log(
      `latency: ${f(l.ok)} first ballots on B at ${LAT_RATE}/s over ${seconds2.toFixed(1)} s (${f(l.failed)} failed${l.firstError ? `, first: ${l.firstError}` : ''})`,
    );
    console.log(
      `  castVote response → first pollUpdated reflecting it, ${f(latencies.length)} (ballot, watcher) pairs: p50 ${ms(quantile(latencies, 0.5))} ms, p99 ${ms(quantile(latencies, 0.99))} ms, max ${ms(latencies.at(-1))} ms`,
    );
    console.log(
      `  ${f(sum('early'))} pairs where the emission arrived before the response (counted as 0); ${f(sum('missed'))} pairs never reflected`,
    );
    console.log(
      `  emissions:   ${(sum('emissionsB') / WATCHERS).toFixed(1)} per watcher on B; final state: recount ${finalB.state}; lost final state at ${f(sum('staleB'))} of ${f(WATCHERS)} watchers`,
    );
    console.log(`  server CPU:  ${core(cpuLatency, seconds2 + 2)}`);
    console.log(
      `watcher errors: ${f(sum('errors'))}${collected.find((r) => r.firstError) ? ` (first: ${collected.find((r) => r.firstError).firstError})` : ''}`,
    );
    console.log(
      `server memory: VmRSS ${mib(rssBefore)} before the watchers, ${mib(rssIdle)} with ${f(WATCHERS)} idle watchers (2 subscriptions each), peak ${mib(rss.peak())} under load; ${loadBefore} before the load`,
    );
    console.log('');
    console.log('targets: issue 5 asks for the figures; lost final state must be 0');
  } finally {
    progress('closing watchers and stopping the server…');
    await closeWorkers(workers);
    if (server) await server.stop();
    await db.drop();
  }
})().catch((err) => {
  console.error(err.name === 'FileLimitError' ? err.message : err);
  process.exit(1);
});
