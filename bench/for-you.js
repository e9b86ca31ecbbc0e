#!/usr/bin/env node
/**
 * bench:for-you (issue 18, point 3): `personalFeed(mode: FOR_YOU)` and `FOLLOWING` for a member with
 * a rich history on the large community (seed-large.js: 10,000 members, 10,000 posts), and the cost
 * of keeping the affinities (the `feed.affinity` job).
 *
 * On top of the large community it writes, once: the viewer's history (upvotes on 400 recent posts,
 * 150 comments), 40,000 upvotes by 4,000 other members on recent posts (so that similar members
 * exist), 30 followed members and 3 followed tags. It runs the job over everything (the backfill),
 * then writes 1,000 new actions (votes and comments) and runs it again (the steady state), reporting
 * each run's CPU (server process and its database backends) per 1,000 actions. The write path has no
 * part in it: a vote or a comment writes its row and nothing of this feature (no trigger, no job
 * enqueued), so the upkeep adds 0 statements and 0 ms to the request.
 * Then N sequential requests of each mode (page 1, and page 2 from page 1's cursor): p50, p99, the
 * SQL statements per request (the server's x-sql-statements header), and the CPU per request of the
 * server process and of its database backends.
 *
 * Options: --requests=N (default 200), --first=N (default 20). Database as harness.js says
 * (DATABASE_URL to reuse one, e.g. a copy of the kept bench database).
 */
require('reflect-metadata');
const {
  progress,
  option,
  openBenchDatabase,
  createSessions,
  startServer,
  cpuMeter,
  sleep,
  machineLoad,
} = require('./harness');
const { seedLarge } = require('./seed-large');
const { randomBytes } = require('node:crypto');

const REQUESTS = Number(option('requests', 'BENCH_REQUESTS', '200'));
const FIRST = Number(option('first', 'BENCH_FIRST', '20'));
const MARKER = 'feed-bench-history-v1';

async function writeHistory(client, communityId, userIds, viewerId) {
  const done = await client.query(`select 1 from tag_follows where user_id = $1 and tag = $2`, [viewerId, MARKER]);
  if (done.rows.length) return progress('history: already written');
  progress('history: the viewer upvotes 400 recent posts and writes 150 comments…');
  await client.query(
    `insert into votes (user_id, post_id, value, created_at)
     select $1, p.id, 1, p.created_at + interval '1 hour' from posts p
      where p.community_id = $2 and p.author_id <> $1 order by p.id desc limit 400 on conflict do nothing`,
    [viewerId, communityId],
  );
  await client.query(
    `insert into comments (post_id, author_id, body, body_html, created_at)
     select p.id, $1, 'A rich history', '<p>A rich history</p>', p.created_at + interval '2 hours'
       from posts p where p.community_id = $2 order by p.id desc offset 10 limit 150`,
    [viewerId, communityId],
  );
  progress('history: 40,000 upvotes by 4,000 members on recent posts…');
  await client.query(
    `insert into votes (user_id, post_id, value, created_at)
     select u, p, 1, now() - random() * interval '6 days' from (
       select distinct (($3::int[])[1 + floor(random() * 4000)::int]) as u,
              (select id from posts where community_id = $2 order by id desc offset floor(random() * 2000)::int limit 1) as p
         from generate_series(1, 40000) g) x
      where u <> $1 on conflict do nothing`,
    [viewerId, communityId, userIds.slice(100, 4100)],
  );
  await client.query(
    `update posts p set score = (select coalesce(sum(value), 0) from votes v where v.post_id = p.id)
                       where p.community_id = $1`,
    [communityId],
  );
  progress('history: 30 followed members and 3 tags…');
  await client.query(
    `insert into member_follows (follower_id, followed_id) select $1, unnest($2::int[]) on conflict do nothing`,
    [viewerId, userIds.slice(200, 230)],
  );
  await client.query(
    `insert into tag_follows (user_id, tag) select $1, unnest(array['postgres', 'graphql', $2]) on conflict do nothing`,
    [viewerId, MARKER],
  );
  await client.query('analyze votes; analyze comments; analyze posts; analyze member_follows; analyze tag_follows');
}

/** Enqueues the job as its schedule does, waits for it, and returns the CPU it took (server + database) and its actions. */
async function runJob(client, server, db) {
  const meter = await cpuMeter(db, server.pid, { application: server.application });
  const before = await client.query(`select coalesce(sum(last_id), 0)::bigint as s from feed_watermarks`);
  const started = Date.now();
  const job = await client.query(
    `select (graphile_worker.add_job('feed.affinity', '{"settleSeconds": 0}'::json)).id::text as id`,
  );
  for (;;) {
    await sleep(100);
    const { rows } = await client.query(`select last_error from graphile_worker.jobs where id = $1::bigint`, [
      job.rows[0].id,
    ]);
    if (!rows.length) break;
    if (rows[0].last_error) throw new Error(`the job failed: ${rows[0].last_error}`);
  }
  const ms = Date.now() - started;
  const cpu = meter.total();
  return { ms, cpu, watermarkBefore: Number(before.rows[0].s) };
}

async function measure(server, db, token, mode, n) {
  const url = server.url;
  const query = `query($m: FeedMode!, $n: Int, $a: String) { personalFeed(mode: $m, first: $n, after: $a) {
    edges { node { post { id title score commentCount author { handle } community { slug } } reason { kind text } } }
    pageInfo { hasNextPage endCursor } } }`;
  const times = [];
  const statements = new Set();
  let items = 0;
  const call = async (after) => {
    const t = process.hrtime.bigint();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: { m: mode, n: FIRST, a: after } }),
    });
    const body = await res.json();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    statements.add(Number(res.headers.get('x-sql-statements')));
    items = body.data.personalFeed.edges.length;
    return body.data.personalFeed.pageInfo.endCursor;
  };
  for (let i = 0; i < 10; i++) await call(); // warm-up
  times.length = 0;
  const meter = await cpuMeter(db, server.pid, { application: server.application });
  for (let i = 0; i < n; i++) {
    const cursor = await call();
    if (i % 4 === 0) await call(cursor); // some page 2s
    if (i % 50 === 0) progress(`${mode}: ${i}/${n}`);
  }
  const cpu = meter.perRequest(times.length);
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  return { p50: q(0.5), p99: q(0.99), requests: times.length, statements: [...statements].join(', '), items, cpu };
}

(async () => {
  const db = await openBenchDatabase();
  const client = await db.connect();
  let server;
  try {
    const large = await seedLarge(client);
    const { communityId, userIds } = large;
    const viewerId = large.viewerId;
    await writeHistory(client, communityId, userIds, viewerId);
    const tokenSecret = randomBytes(32).toString('hex');
    const [token] = await createSessions(client, [viewerId], tokenSecret);
    server = await startServer(db.env, {
      tokenSecret,
      env: { RESPONSE_CACHE_SECONDS: '0', JOB_CONCURRENCY: '1', JOB_POLL_MS: '100' },
    });
    // Stopped with the bench, not left running.
    for (const signal of ['SIGINT', 'SIGTERM'])
      process.once(signal, () => server.stop().finally(() => process.exit(130)));
    const actions = async () =>
      Number(
        (
          await client.query(
            `select (select count(*) from votes) + (select count(*) from comments) + (select count(*) from posts) + (select count(*) from reactions) as n`,
          )
        ).rows[0].n,
      );
    progress('job: first run (backfill of every row not yet taken in)…');
    const marks = (await client.query('select count(*)::int as n from feed_watermarks')).rows[0].n;
    const all = await actions();
    const backfill = await runJob(client, server, db);
    progress('job: 1,000 new actions (700 votes, 300 comments), then a run…');
    // 700 members who have not voted yet upvote one recent post each.
    await client.query(
      `insert into votes (user_id, post_id, value)
       select t.u, (select id from posts where community_id = $2 order by id desc offset (t.i * 7) % 2000 limit 1), 1
         from unnest($1::int[]) with ordinality t(u, i) on conflict do nothing`,
      [userIds.slice(5000, 5700), communityId],
    );
    await client.query(
      `insert into comments (post_id, author_id, body, body_html)
       select (select id from posts where community_id = $2 order by id desc offset floor(random() * 3000)::int limit 1),
              ($1::int[])[1 + floor(random() * 3000)::int], 'New', '<p>New</p>' from generate_series(1, 300)`,
      [userIds.slice(5000, 8000), communityId],
    );
    const steady = await runJob(client, server, db);
    const forYou = await measure(server, db, token, 'FOR_YOU', REQUESTS);
    const following = await measure(server, db, token, 'FOLLOWING', REQUESTS);
    const affinities = (
      await client.query('select count(*)::int as n from feed_affinities where user_id = $1', [viewerId])
    ).rows[0].n;
    const fmt = (x) => x.toFixed(1);
    console.log(`machine load: ${machineLoad()}`);
    console.log(`viewer: ${affinities} affinities, 30 followed members, 3 followed tags; page size ${FIRST}`);
    for (const [name, r] of [
      ['FOR_YOU', forYou],
      ['FOLLOWING', following],
    ])
      console.log(
        `${name.padEnd(10)} p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  (${r.requests} requests, pages 1 and 2)  SQL statements per request: ${r.statements}  items per page: ${r.items}  CPU per request: server ${fmt(r.cpu.server)} ms, database ${r.cpu.db === null ? '?' : fmt(r.cpu.db)} ms`,
      );
    const perK = (run, n) =>
      `${fmt(run.cpu.server / (n / 1000))} ms server CPU + ${run.cpu.db === null ? '?' : fmt(run.cpu.db / (n / 1000))} ms database CPU per 1,000 actions (${run.ms} ms wall)`;
    console.log(
      `affinity upkeep on a vote or comment request: 0 statements, 0 ms (the write path has no part of it; the job reads the rows later)`,
    );
    if (marks === 0) console.log(`job backfill (${all} rows): ${perK(backfill, all)}`);
    else console.log(`job first run here: ${backfill.ms} ms wall (rows were taken in by an earlier run)`);
    console.log(`job steady state (1,000 new actions): ${perK(steady, 1000)}`);
  } finally {
    if (server) await server.stop();
    await client.close();
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
