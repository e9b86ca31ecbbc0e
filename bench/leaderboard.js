#!/usr/bin/env node
/**
 * `npm run bench:leaderboard`: the leaderboards of a community whose ledger holds 1,000,000 rows
 * over 100,000 members. Seeds in SQL (generate_series, progress on stderr) the PUBLIC community
 * `bench-leaderboard`: MEMBERS users and members, a few posts the ledger rows point at, and ROWS
 * `reputation_events` rows (POST_UPVOTED +10, about 15 % POST_DOWNVOTED −2) spread over the last
 * DAYS days: every member has one row, the rest go to members with a long tail (member i gets about
 * 1/√i of them), so the top of the board is far apart and ties are many further down;
 * `members.reputation` is then the sum of each member's rows. Reused when already complete (a
 * marker in the community's description, written last; see BENCH_KEEP in harness.js). Each run
 * then removes the previous run's votes, and adds AUTHORS posts (one by each of the first AUTHORS
 * members of the ALL_TIME board), the voters (members with no ledger rows) and the sessions
 * (bench/leaderboard-seed.js).
 * Starts the real server as a child process with the response cache off (RESPONSE_CACHE_SECONDS=0:
 * every query reaches the leaderboards) and the daily vote cap raised (setReputationRules) so
 * that every vote moves its author. With REDIS_URL the boards are Redis sorted sets: the bench
 * deletes the community's keys (`leaderboard:<database identity>:{c<id>}:*`, as the server names them)
 * first, so the first read loads them again, and after the run.
 *
 * 1. Cold: the first `Community.leaderboard(ALL_TIME, first: 10)` after the server started (loads
 *    the community's boards from the ledger), then the same query again. With Redis, the boards'
 *    sizes there; then the boards are deleted again and CONCURRENCY first queries sent at once.
 * 2. Queries: for each period (ALL_TIME, MONTH, WEEK) and `first` (10, 100), QUERIES requests one
 *    after the other, then QUERIES more from CONCURRENCY at a time: HTTP GraphQL with
 *    `community(slug) { leaderboard { rank score member { user { handle } } } }`, signed out.
 *    Round trip p50/p99/max, requests/s, SQL statements per request.
 * 3. Live: SUBSCRIBERS graphql-ws clients, each over its own WebSocket and signed in as its own
 *    member, spread over CLIENT_PROCS child processes (leaderboard-watchers.js), subscribed to
 *    `leaderboardChanged(ALL_TIME, first: 10)`. Voters upvote the posts of the AUTHORS top members,
 *    RATE votes a second for DURATION seconds (round robin over the authors; a vote on an author
 *    waits for the previous one on that author, so the score each vote makes is known: the author's
 *    score before the run + 10 × the post's score in the vote's response). Latency, per (vote,
 *    subscriber) pair: the vote's send → the first emission in which its author's score is at
 *    least that. Also: pairs never reflected (must be 0), emissions per subscriber, subscribers
 *    whose last emission is not the ledger's top 10 (must be 0), server and PostgreSQL CPU.
 * 4. Rebuild: the `rebuildCommunityReputation` mutation (the server's boards), then `npm run
 *    reputation:rebuild -- --community=bench-leaderboard` (dist/src/cli/reputation-rebuild.js:
 *    `members.reputation` and, with REDIS_URL, the Redis boards) after skewing REBUILD_SKEW
 *    members' reputation in SQL; wall time of each. Checks the live board before the rebuild and
 *    the rebuilt one after it: each period's top 100 from GraphQL against the ledger in SQL (sum
 *    desc, user id asc), and `members.reputation` against the ledger. Then the mutation again while
 *    votes keep coming at RATE a second (from 1 s before it to 1 s after it), and the same check:
 *    a vote that commits while the boards are rebuilt must not be lost.
 *
 * Prints the figures on stdout, asserts nothing; progress on stderr.
 *
 * Options (flag or environment): --members=N (MEMBERS, default 100000), --rows=N (ROWS, default
 * 1000000), --days=N (DAYS, default 90), --queries=N (QUERIES, default 500), --concurrency=N
 * (CONCURRENCY, default 10), --subscribers=N (SUBSCRIBERS, default 200), --rate=N (RATE, votes/s,
 * default 20), --duration=S (DURATION, default 15), --authors=N (AUTHORS, default 10),
 * --rebuild-skew=N (REBUILD_SKEW, default 1000), --client-procs=N (CLIENT_PROCS, default
 * cores − 1, 1 to 4). A quick run: `-- --members=10000 --rows=100000 --queries=100 --duration=5`.
 * The coalescing window is the server's LEADERBOARD_UPDATE_INTERVAL_MS (default 500). Database: see harness.js.
 */
const { spawn } = require('node:child_process');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const {
  ROOT,
  progress,
  startWorker,
  sleep,
  option,
  openBenchDatabase,
  globalIds,
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
} = require('./harness');

const { SLUG, seed, setUpRun } = require('./leaderboard-seed');

const { periodsAt } = require(join(ROOT, 'dist', 'src', 'modules', 'reputation', 'rules.js'));

const MEMBERS = Number(option('members', 'MEMBERS', '100000'));
const ROWS = Number(option('rows', 'ROWS', '1000000'));
const DAYS = Number(option('days', 'DAYS', '90'));
const QUERIES = Number(option('queries', 'QUERIES', '500'));
const CONCURRENCY = Number(option('concurrency', 'CONCURRENCY', '10'));
const SUBSCRIBERS = Number(option('subscribers', 'SUBSCRIBERS', '200'));
const RATE = Number(option('rate', 'RATE', '20'));
const DURATION = Number(option('duration', 'DURATION', '15'));
const AUTHORS = Number(option('authors', 'AUTHORS', '10'));
const REBUILD_SKEW = Number(option('rebuild-skew', 'REBUILD_SKEW', '1000'));
const CLIENT_PROCS = Number(
  option('client-procs', 'CLIENT_PROCS', String(Math.min(4, Math.max(1, availableParallelism() - 1)))),
);
const VOTES = Math.round(RATE * DURATION);
/** Voters of the live phase; then as many again as REBUILD_VOTES_MAX_SECONDS of votes need, for the rebuild under votes. */
const LIVE_VOTERS = Math.ceil(VOTES / AUTHORS);
const REBUILD_VOTES_MAX_SECONDS = 60;
const VOTERS = LIVE_VOTERS + Math.ceil((RATE * REBUILD_VOTES_MAX_SECONDS) / AUTHORS);
const CLI = join(ROOT, 'dist', 'src', 'cli', 'reputation-rebuild.js');
const now = () => performance.timeOrigin + performance.now();

if (MEMBERS > 9_999_999 || MEMBERS < AUTHORS + SUBSCRIBERS || ROWS < MEMBERS) {
  throw new Error(
    `need AUTHORS + SUBSCRIBERS <= MEMBERS <= 9,999,999 and ROWS >= MEMBERS (got ${MEMBERS} members, ${ROWS} rows)`,
  );
}

const ENTRIES = 'rank score member { user { handle } }';
const BOARD = `query LbBoard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) { community(slug: $slug) { leaderboard(period: $period, first: $first) { ${ENTRIES} } } }`;
const WATCH = `subscription LbWatch($id: ID!, $first: Int!) { leaderboardChanged(communityId: $id, period: ALL_TIME, first: $first) { ${ENTRIES} } }`;
const VOTE = 'mutation LbVote($input: SetVoteInput!) { setVote(input: $input) { ... on Post { score } } }';
const RULES = 'mutation LbRules($input: SetReputationRulesInput!) { setReputationRules(input: $input) { id } }';
const REBUILD =
  'mutation LbRebuild($input: RebuildCommunityReputationInput!) { rebuildCommunityReputation(input: $input) { correctedMembers } }';

/** A period's first `n` from the ledger, as the leaderboards order it: 'handle:score,…'. */
async function ledgerTop(client, communityId, period, n) {
  const p = periodsAt('UTC');
  const window = period === 'ALL_TIME' ? '' : 'and e.created_at >= $3 and e.created_at < $4';
  const range = period === 'MONTH' ? [p.month.start, p.month.end] : period === 'WEEK' ? [p.week.start, p.week.end] : [];
  const { rows } = await client.query(
    `select u.handle, sum(e.delta)::int as score
       from reputation_events e
       join members m on m.community_id = e.community_id and m.user_id = e.user_id
       join users u on u.id = e.user_id
      where e.community_id = $1 ${window}
      group by e.user_id, u.handle
      order by sum(e.delta) desc, e.user_id
      limit $2`,
    [communityId, n, ...range],
  );
  return rows.map((r) => `${r.handle}:${r.score}`).join(',');
}

/** A period's first `n` from the server (GraphQL), as 'handle:score,…'. */
async function serverTop(url, period, n) {
  const { data } = await gql(url, BOARD, { slug: SLUG, period, first: n });
  return data.community.leaderboard.map((e) => `${e.member.user.handle}:${e.score}`).join(',');
}

/** How two boards ('handle:score,…') differ, for the report: the first differing entry, and the members whose score differs. */
function difference(server, ledger) {
  const x = server.split(',');
  const y = ledger.split(',');
  const i = x.findIndex((e, k) => e !== y[k]);
  const scores = new Map(x.map((e) => e.split(':')).map(([h, v]) => [h, Number(v)]));
  let members = 0;
  let behind = 0;
  for (const [h, v] of y.map((e) => e.split(':'))) {
    const got = scores.get(h);
    if (got === Number(v)) continue;
    members++;
    if (got !== undefined) behind += Number(v) - got;
  }
  const first =
    i < 0
      ? `lengths ${x.length} vs ${y.length}`
      : `entry ${i + 1}: ${x[i] ?? 'none'} (server) vs ${y[i] ?? 'none'} (ledger)`;
  return `${members} of the ledger's ${y.length} with another score on the server, ${behind} points behind in all; first: ${first}`;
}

/**
 * Compares each period's top 100 on the server with the ledger, and members.reputation with the ledger.
 * @returns `{ same, lines }`: whether all agree, one line each for the report
 */
async function compareBoards(db, url, communityId) {
  const client = await db.connect();
  try {
    const lines = [];
    let same = true;
    for (const period of ['ALL_TIME', 'MONTH', 'WEEK']) {
      const [server, ledger] = await Promise.all([
        serverTop(url, period, 100),
        ledgerTop(client, communityId, period, 100),
      ]);
      if (server !== ledger) same = false;
      lines.push(`${period} top 100 ${server === ledger ? 'yes' : `NO (${difference(server, ledger)})`}`);
    }
    const {
      rows: [r],
    } = await client.query(
      `select count(*)::int as off from members m
         left join (select user_id, sum(delta)::int as total from reputation_events where community_id = $1 group by user_id) l on l.user_id = m.user_id
        where m.community_id = $1 and m.reputation <> coalesce(l.total, 0)`,
      [communityId],
    );
    if (r.off) same = false;
    lines.push(`members.reputation ≠ ledger sum: ${r.off}`);
    return { same, lines };
  } finally {
    await client.close();
  }
}

/**
 * The prefix of the community's keys in Redis, as the server names them (`RedisLeaderboards.key`):
 * `leaderboard:<database identity>:{c<community id>}:` (the community's hash tag), the identity being
 * `databaseIdentity()`'s.
 */
async function redisPrefix(db, communityId) {
  const client = await db.connect();
  try {
    const {
      rows: [r],
    } = await client.query(
      `select (select system_identifier from pg_control_system())::text || '-' || (select oid from pg_database where datname = current_database())::text as id`,
    );
    return `leaderboard:${r.id}:{c${communityId}}:`;
  } finally {
    await client.close();
  }
}

/** The community's keys in Redis (under `prefix`), with a client to act on them. */
async function withRedisKeys(prefix, act) {
  const { createClient } = require('redis');
  const redis = createClient({ url: process.env.REDIS_URL });
  await redis.connect();
  try {
    const keys = [];
    for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) keys.push(...batch);
    return await act(redis, keys.sort());
  } finally {
    redis.destroy();
  }
}

/** Deletes the community's keys in Redis: the next read loads its boards from the ledger. @returns how many */
function flushRedisBoards(prefix) {
  return withRedisKeys(prefix, async (redis, keys) => {
    if (keys.length) await redis.del(keys);
    return keys.length;
  });
}

/** The community's boards in Redis (its sorted sets): members and MEMORY USAGE of each. */
function redisBoardSizes(prefix) {
  return withRedisKeys(prefix, async (redis, keys) => {
    const out = [];
    for (const key of keys) {
      if ((await redis.type(key)) !== 'zset') continue;
      out.push(
        `${key.slice(prefix.length)} ${(await redis.zCard(key)).toLocaleString('en-US')} members, ${((await redis.memoryUsage(key)) / 1048576).toFixed(1)} MiB`,
      );
    }
    // None: the server names its keys otherwise now (see redisPrefix), and the cold figures are not cold.
    return out.length
      ? out
      : [`none under ${prefix}*: has the server's key format changed? (see redisPrefix in this file)`];
  });
}

/** Runs the rebuild CLI on the bench database; resolves with its wall time and output. */
function runRebuildCli(dbEnv, tokenSecret) {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(process.execPath, [CLI, `--community=${SLUG}`], {
      env: {
        ...process.env,
        ...dbEnv,
        REDIS_URL: process.env.REDIS_URL || '',
        LOG_LEVEL: 'warn',
        TOKEN_SECRET: tokenSecret,
      },
      stdio: ['ignore', 'pipe', 2],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, ms: now() - started, out: out.trim().split('\n') }));
  });
}

/**
 * Upvotes on the authors' posts, `RATE` a second on schedule, round robin over the authors, at most
 * `max` of them, until `stop()`: a vote on an author waits for the previous one on that author, so
 * the score each vote makes is the author's score before the run + 10 × the post's score in the
 * vote's response. Voter j of an author is `run.voters[firstVoter + j]` (each votes once per post).
 * @returns `{ votes, ok, failed, firstError, roundTrips, seconds }`, votes: [send time, author index, score it makes] triples
 */
async function streamVotes(url, run, { max, firstVoter, stop = () => false }) {
  const votes = new Float64Array(max * 3);
  const roundTrips = [];
  const v = { ok: 0, failed: 0, firstError: null };
  const start = now() + 50;
  await Promise.all(
    run.authors.map(async (author, a) => {
      for (let k = a, j = firstVoter; k < max && !stop(); k += AUTHORS, j++) {
        const wait = start + (k * 1000) / RATE - now();
        if (wait > 0) await sleep(wait);
        const at = now();
        try {
          const { data } = await gql(url, VOTE, { input: { subjectId: author.post, value: 'UP' } }, run.voters[j]);
          roundTrips.push(now() - at);
          votes.set([at, a, author.base + 10 * data.setVote.score], 3 * v.ok);
          v.ok++;
        } catch (err) {
          v.failed++;
          v.firstError ??= err.message;
        }
      }
    }),
  );
  return {
    ...v,
    votes: votes.slice(0, 3 * v.ok),
    roundTrips: roundTrips.sort((a, b) => a - b),
    seconds: (now() - start) / 1000,
  };
}

/** Round trips of `count` board queries, `concurrency` at a time (1: one after the other). */
async function measureQueries(url, period, first, count, concurrency) {
  const times = [];
  let statements = 0;
  let hits = 0;
  let issued = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count) {
        issued++;
        const sent = now();
        const { headers } = await gql(url, BOARD, { slug: SLUG, period, first });
        times.push(now() - sent);
        statements += Number(headers.get('x-sql-statements') ?? NaN);
        if (headers.get('x-response-cache') === 'hit') hits++;
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { times, seconds, statements: statements / count, hits };
}

(async () => {
  const serverFiles = SUBSCRIBERS + VOTERS + CONCURRENCY + 512;
  const workerFiles = Math.ceil(SUBSCRIBERS / CLIENT_PROCS) + 256;
  assertFileLimit(Math.max(serverFiles, workerFiles));
  const benchStarted = Date.now();
  const loadAtStart = machineLoad();
  const db = await openBenchDatabase();
  let server;
  let communityId = null;
  /** The community's keys in Redis: see redisPrefix. */
  let prefix = null;
  const workers = [];
  try {
    const tokenSecret = newTokenSecret();
    const client = await db.connect();
    let seeded;
    let run;
    let redisKeys = 0;
    let toGlobalId;
    try {
      ({ toGlobalId } = await globalIds(client));
      seeded = await seed(client, { members: MEMBERS, rows: ROWS, days: DAYS });
      progress('setting up the run: target posts, voters, sessions…');
      run = await setUpRun(client, seeded.communityId, tokenSecret, {
        members: MEMBERS,
        authors: AUTHORS,
        voters: VOTERS,
        subscribers: SUBSCRIBERS,
      });
    } finally {
      await client.close();
    }
    communityId = seeded.communityId;
    if (process.env.REDIS_URL) {
      prefix = await redisPrefix(db, communityId);
      redisKeys = await flushRedisBoards(prefix);
    }
    const communityGid = toGlobalId('Community', communityId);
    const f = (x) => x.toLocaleString('en-US');
    const ms = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '–');
    const mib = (k) => `${(k / 1024).toFixed(0)} MiB`;
    const core = (x, secs) => `${x.toFixed(2)} s = ${((x / secs) * 100).toFixed(0)} % of one core`;
    console.log(
      `community: "${SLUG}", ${f(MEMBERS)} members with ${f(ROWS)} ledger rows over ${DAYS} days (${seeded.reused ? 'reused' : `seeded in ${(seeded.ms / 1000).toFixed(1)} s`}${run.stale ? `; ${f(run.stale)} rows of earlier runs removed` : ''})`,
    );
    console.log(
      `leaderboards: ${process.env.REDIS_URL ? `Redis sorted sets (${redisKeys} ${prefix}* keys deleted before the start)` : 'in process (REDIS_URL unset)'}`,
    );

    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret, files: serverFiles, env: { RESPONSE_CACHE_SECONDS: '0' } });
    console.log(
      `server: node ${process.version}, pid ${server.pid}, RESPONSE_CACHE_SECONDS=0, LEADERBOARD_UPDATE_INTERVAL_MS=${process.env.LEADERBOARD_UPDATE_INTERVAL_MS || '500 (default)'}; machine: ${loadAtStart} at the start`,
    );
    // The monthly badges job reads last month's ledger: run it now (as the hourly schedule would) and let it finish first.
    const monthKey = periodsAt('UTC').previousMonth.key;
    {
      const c = await db.connect();
      await c.query("select graphile_worker.add_job('reputation.monthlyBadges', job_key => 'bench:monthlyBadges')");
      await c.close();
    }
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
      const c = await db.connect();
      const {
        rows: [r],
      } = await c.query('select top_month_awarded from communities where id = $1', [communityId]);
      await c.close();
      if (r.top_month_awarded >= monthKey) break;
    }
    const rssBefore = rssKb(server.pid);

    // 1. Cold.
    progress('cold: the first leaderboard query…');
    let sent = now();
    await gql(server.url, BOARD, { slug: SLUG, period: 'ALL_TIME', first: 10 });
    const cold = now() - sent;
    sent = now();
    await gql(server.url, BOARD, { slug: SLUG, period: 'ALL_TIME', first: 10 });
    const warm = now() - sent;
    const rssLoaded = rssKb(server.pid);
    console.log('');
    console.log(
      `cold: first leaderboard(ALL_TIME, first: 10) after the start (loads the boards from the ledger) ${ms(cold)} ms; the same query next ${ms(warm)} ms`,
    );
    if (process.env.REDIS_URL) {
      for (const line of await redisBoardSizes(prefix)) console.log(`  Redis board ${line}`);
      // A Redis that lost the boards (restarted, flushed) while readers keep coming: CONCURRENCY first reads at once.
      progress(`cold: ${CONCURRENCY} concurrent first queries after deleting the Redis boards…`);
      await flushRedisBoards(prefix);
      const herd = await measureQueries(server.url, 'ALL_TIME', 10, CONCURRENCY, CONCURRENCY);
      console.log(
        `  the Redis boards deleted again, then ${CONCURRENCY} queries at once: p50 ${ms(quantile(herd.times, 0.5))} ms, max ${ms(herd.times.at(-1))} ms`,
      );
    } else {
      console.log(`  server memory: VmRSS ${mib(rssBefore)} before, ${mib(rssLoaded)} with the boards loaded`);
    }

    // 2. Queries.
    console.log('');
    console.log(
      `queries: Community.leaderboard with member { user { handle } }, signed out, over HTTP; ${f(QUERIES)} one after the other, then ${f(QUERIES)} ${CONCURRENCY} at a time`,
    );
    for (const period of ['ALL_TIME', 'MONTH', 'WEEK']) {
      for (const first of [10, 100]) {
        progress(`queries: ${period}, first ${first}…`);
        const seq = await measureQueries(server.url, period, first, QUERIES, 1);
        const par = await measureQueries(server.url, period, first, QUERIES, CONCURRENCY);
        const label = `${period}, first ${first}:`.padEnd(18);
        console.log(
          `  ${label} sequential p50 ${ms(quantile(seq.times, 0.5))} ms, p99 ${ms(quantile(seq.times, 0.99))} ms, max ${ms(seq.times.at(-1))} ms; ` +
            `${CONCURRENCY} concurrent p50 ${ms(quantile(par.times, 0.5))} ms, p99 ${ms(quantile(par.times, 0.99))} ms, ${(QUERIES / par.seconds).toFixed(0)} req/s; ` +
            `${seq.statements.toFixed(1)} SQL statements each${seq.hits + par.hits ? `; ${seq.hits + par.hits} cache hits` : ''}`,
        );
      }
    }

    // 3. Live.
    await gql(server.url, RULES, { input: { communityId: communityGid, dailyVoteCap: 1_000_000 } }, run.owner);
    progress(`live: opening ${SUBSCRIBERS} subscribers in ${CLIENT_PROCS} client processes…`);
    const wsUrl = server.url.replace('http', 'ws');
    const openedAt = Date.now();
    await Promise.all(
      Array.from({ length: CLIENT_PROCS }, (_, w) => {
        const share = run.subscribers.filter((_, i) => i % CLIENT_PROCS === w);
        const worker = startWorker(join(__dirname, 'leaderboard-watchers.js'), workerFiles);
        workers.push(worker);
        worker.send({
          type: 'start',
          url: wsUrl,
          tokens: share,
          query: WATCH,
          variables: { id: communityGid, first: 10 },
          handles: run.authors.map((a) => a.handle),
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
        heard: all.reduce((n, s) => n + s.heard, 0),
        errors: all.reduce((n, s) => n + s.errors, 0),
        firstError: all.find((s) => s.firstError)?.firstError,
      };
    };
    let s = await status();
    for (const deadline = Date.now() + 60_000; s.heard < SUBSCRIBERS; s = await status()) {
      if (Date.now() > deadline)
        throw new Error(
          `only ${s.heard} of ${SUBSCRIBERS} subscribers got the board; ${s.errors} errors (first: ${s.firstError})`,
        );
      await sleep(250);
    }
    const connectedMs = Date.now() - openedAt;
    await sleep(1000);
    const rssIdle = rssKb(server.pid);
    const rss = sampleRssPeak(server.pid, rssIdle);
    const pg0 = await databaseBackends(db);
    const pgCpu = () => (pg0 ? pg0.reduce((n, pid) => n + cpuSeconds(pid), 0) : NaN);
    const loadBeforeVotes = machineLoad();

    progress(`live: ${VOTES} votes at ${RATE}/s on the posts of the top ${AUTHORS} members…`);
    const cpu0 = cpuSeconds(server.pid);
    const pgStart = pgCpu();
    const v = await streamVotes(server.url, run, { max: VOTES, firstVoter: 0 });
    const { seconds } = v;
    await sleep(2000);
    const cpuVotes = cpuSeconds(server.pid) - cpu0;
    const pgVotes = pgCpu() - pgStart;
    rss.stop();

    progress('collecting from the subscriber processes…');
    const c2 = await db.connect();
    const final = await ledgerTop(c2, communityId, 'ALL_TIME', 10);
    await c2.close();
    const collected = await Promise.all(
      workers.map((w) => w.ask({ type: 'collect', votes: v.votes, final }, 'collected')),
    );
    const sum = (key) => collected.reduce((n, r) => n + r[key], 0);
    const latencies = new Float32Array(collected.reduce((n, r) => n + r.latencies.length, 0));
    collected.reduce((at, r) => (latencies.set(r.latencies, at), at + r.latencies.length), 0);
    latencies.sort();
    const rt = v.roundTrips;
    console.log('');
    console.log(
      `live: ${SUBSCRIBERS} subscribers to leaderboardChanged(ALL_TIME, first: 10) in ${CLIENT_PROCS} client process${CLIENT_PROCS === 1 ? '' : 'es'}, all with the board after ${(connectedMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `  votes:       ${f(v.ok)} upvotes on the posts of the top ${AUTHORS} members in ${seconds.toFixed(1)} s = ${(v.ok / seconds).toFixed(1)}/s (asked ${RATE}/s); ${f(v.failed)} failed${v.firstError ? ` (first: ${v.firstError})` : ''}`,
    );
    console.log(
      `  round trip:  vote p50 ${ms(quantile(rt, 0.5))} ms, p99 ${ms(quantile(rt, 0.99))} ms, max ${ms(rt.at(-1))} ms`,
    );
    console.log(
      `  vote sent → leaderboardChanged reflecting it, ${f(latencies.length)} (vote, subscriber) pairs: p50 ${ms(quantile(latencies, 0.5))} ms, p99 ${ms(quantile(latencies, 0.99))} ms, max ${ms(latencies.at(-1))} ms`,
    );
    console.log(
      `  never reflected: ${f(sum('missed'))} pairs; reflected before the vote was sent (impossible): ${f(sum('early'))}`,
    );
    console.log(
      `  emissions:   ${(sum('emissions') / SUBSCRIBERS).toFixed(1)} per subscriber (the first board included) = ${((sum('emissions') / SUBSCRIBERS - 1) / (seconds + 2)).toFixed(1)}/s while votes came; last emission ≠ ledger's top 10 at ${f(sum('stale'))} of ${f(SUBSCRIBERS)} subscribers`,
    );
    console.log(
      `  server CPU:  ${core(cpuVotes, seconds + 2)}; PostgreSQL ${Number.isNaN(pgVotes) ? 'not measured' : core(pgVotes, seconds + 2)}; memory VmRSS ${mib(rssIdle)} with the idle subscribers, peak ${mib(rss.peak())}`,
    );
    console.log(
      `  subscriber errors: ${f(sum('errors'))}${collected.find((r) => r.firstError) ? ` (first: ${collected.find((r) => r.firstError).firstError})` : ''}; ${loadBeforeVotes} before the votes`,
    );

    progress('closing the subscribers…');
    await closeWorkers(workers.splice(0));

    // 4. Rebuild.
    console.log('');
    progress('rebuild: checking the live boards against the ledger…');
    const live = await compareBoards(db, server.url, communityId);
    console.log(`rebuild: live boards == ledger before it: ${live.same ? 'yes' : 'no'} (${live.lines.join('; ')})`);
    progress('rebuild: the rebuildCommunityReputation mutation…');
    sent = now();
    const {
      data: {
        rebuildCommunityReputation: { correctedMembers: fixedByMutation },
      },
    } = await gql(server.url, REBUILD, { input: { communityId: communityGid } }, run.owner);
    const mutationMs = now() - sent;
    console.log(
      `  rebuildCommunityReputation mutation (this community, the server's boards): ${(mutationMs / 1000).toFixed(2)} s, ${f(fixedByMutation)} members corrected`,
    );
    const c3 = await db.connect();
    await c3.query(
      `update members set reputation = reputation + 1
        where id in (select id from members where community_id = $1 order by id limit $2)`,
      [communityId, REBUILD_SKEW],
    );
    await c3.close();
    progress('rebuild: npm run reputation:rebuild…');
    const cli = await runRebuildCli(db.env, tokenSecret);
    console.log(
      `  npm run reputation:rebuild -- --community=${SLUG} (${REBUILD_SKEW} members' reputation skewed by +1 in SQL before): ${(cli.ms / 1000).toFixed(2)} s wall, exit ${cli.code}${process.env.REDIS_URL ? '' : ' (no REDIS_URL: fixes members.reputation; the server keeps its boards)'}`,
    );
    for (const line of cli.out) console.log(`    | ${line}`);
    const rebuilt = await compareBoards(db, server.url, communityId);
    console.log(`  rebuilt == ledger: ${rebuilt.same ? 'yes' : 'no'} (${rebuilt.lines.join('; ')})`);

    // 4b. The same mutation while votes keep coming: do changes committed during the rebuild survive it?
    progress(`rebuild: the rebuildCommunityReputation mutation while votes keep coming at ${RATE}/s…`);
    let rebuilding = true;
    const underVotes = streamVotes(server.url, run, {
      max: (VOTERS - LIVE_VOTERS) * AUTHORS,
      firstVoter: LIVE_VOTERS,
      stop: () => !rebuilding,
    });
    await sleep(1000);
    sent = now();
    await gql(server.url, REBUILD, { input: { communityId: communityGid } }, run.owner);
    const busyMs = now() - sent;
    await sleep(1000);
    rebuilding = false;
    const duringRebuild = await underVotes;
    await sleep(1500);
    const afterBusy = await compareBoards(db, server.url, communityId);
    console.log(
      `  rebuildCommunityReputation under ${RATE} votes/s: ${(busyMs / 1000).toFixed(2)} s; ${f(duringRebuild.ok)} votes from 1 s before it to 1 s after it (${f(duringRebuild.failed)} failed${duringRebuild.firstError ? `, first: ${duringRebuild.firstError}` : ''})`,
    );
    console.log(`  rebuilt under votes == ledger: ${afterBusy.same ? 'yes' : 'no'} (${afterBusy.lines.join('; ')})`);
    console.log('');
    console.log(`bench: ${((Date.now() - benchStarted) / 1000).toFixed(0)} s in all; ${machineLoad()} at the end`);
    console.log(
      'targets: the issue asks for the figures; "never reflected" and "last emission ≠ ledger" must be 0, every "== ledger" yes',
    );
  } finally {
    progress('closing subscribers and stopping the server…');
    await closeWorkers(workers);
    if (server) await server.stop();
    // Leaves no boards in Redis (a dropped database would leave them there for good).
    if (prefix) await flushRedisBoards(prefix);
    await db.drop();
  }
})().catch((err) => {
  console.error(err.name === 'FileLimitError' ? err.message : err);
  process.exit(1);
});
