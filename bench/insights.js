#!/usr/bin/env node
/**
 * `node bench/insights.js`: a year of insights on the large community (seed-large.js: 10,000
 * members, 10,000 posts, 100,000 comments, ~9,000 votes; its rows fall within about four weeks, so
 * the year's rollups hold those weeks and the rest of the year is empty days).
 *
 * 1. The `insights.rollup` job, enqueued as its schedule does on a server with its workers: first
 *    `{ rebuild: true }` (every day of every community recomputed), then an ordinary run with nothing
 *    new, then one after NEW_COMMENTS comments were added now. Wall time from enqueueing to the
 *    job's removal (the worker learns of it by LISTEN/NOTIFY on PostgreSQL).
 * 2. `Community.insights(from: a year ago, to: tomorrow, interval)` with every field selected, for
 *    DAY, WEEK and MONTH, QUERIES requests each one after the other, signed in as the community's
 *    owner, the response cache off: round trip p50/p99/max and SQL statements per request. Then
 *    `platformInsights` the same way (as a platform admin: the owner is made one for the run).
 *
 * Prints the figures on stdout, asserts nothing; progress on stderr. Options: --queries=N (QUERIES,
 * default 50), --new-comments=N (NEW_COMMENTS, default 1000). Database: see harness.js.
 */
const {
  progress,
  openBenchDatabase,
  createSessions,
  startServer,
  gql,
  quantile,
  newTokenSecret,
  option,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const QUERIES = Number(option('queries', 'QUERIES', '50'));
const NEW_COMMENTS = Number(option('new-comments', 'NEW_COMMENTS', '1000'));

const FIELDS = `from to interval timeZone computedThrough
  series { date activeMembers newMembers departedMembers posts comments interactions interactionRate
           repliedPosts medianSecondsToFirstReply rsvpsGoing checkedIn }
  topContributors { user { handle } posts comments interactions }
  topTags { tag posts }
  events { title startsAt going checkedIn }
  cohorts { week size retention }`;
const COMMUNITY = `query($s: String!, $f: DateTimeISO!, $t: DateTimeISO!, $i: InsightsInterval!) {
  community(slug: $s) { insights(from: $f, to: $t, interval: $i) { ${FIELDS} } } }`;
const PLATFORM = `query($f: DateTimeISO!, $t: DateTimeISO!, $i: InsightsInterval!) {
  platformInsights(from: $f, to: $t, interval: $i) { ${FIELDS} } }`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Enqueues the rollup and waits until its job is gone; returns the wall time in ms. */
async function rollup(client, payload) {
  const started = Date.now();
  const { rows } = await client.query(`select (graphile_worker.add_job('insights.rollup', $1::json)).id`, [
    JSON.stringify(payload),
  ]);
  for (;;) {
    const left = await client.query(
      'select last_error from graphile_worker.jobs where id = $1 union all select null where false',
      [rows[0].id],
    );
    if (!left.rows.length) return Date.now() - started;
    if (left.rows[0].last_error) throw new Error(`the rollup failed: ${left.rows[0].last_error}`);
    await sleep(10);
  }
}

/** QUERIES requests one after the other: round trip p50/p99/max and SQL statements per request. */
async function measure(url, query, variables, token) {
  await gql(url, query, variables, token); // warm: compiled on its second run
  await gql(url, query, variables, token);
  const times = [];
  let statements = 0;
  for (let i = 0; i < QUERIES; i++) {
    const started = process.hrtime.bigint();
    const { headers } = await gql(url, query, variables, token);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    statements = Number(headers.get('x-sql-statements'));
  }
  times.sort((a, b) => a - b);
  const f = (n) => n.toFixed(1).padStart(7);
  return `p50 ${f(quantile(times, 0.5))} ms  p99 ${f(quantile(times, 0.99))} ms  max ${f(times.at(-1))} ms  ${statements} SQL statements`;
}

(async () => {
  const db = await openBenchDatabase();
  let server;
  let ownerId;
  const client = await db.connect();
  try {
    const tokenSecret = newTokenSecret();
    const seeded = await seedLarge(client);
    console.log(describe(seeded));
    ownerId = seeded.userIds[0];
    await client.query('delete from sessions where user_id = $1', [ownerId]);
    const [token] = await createSessions(client, [ownerId], tokenSecret);
    await client.query('update users set is_admin = true where id = $1', [ownerId]);

    server = await startServer(db.env, {
      tokenSecret,
      env: { RESPONSE_CACHE_SECONDS: '0', JOB_CONCURRENCY: '1', JOB_POLL_MS: '100' },
    });
    progress('rollup: rebuilding every day…');
    console.log(
      `rollup, rebuild of everything:        ${String(await rollup(client, { rebuild: true })).padStart(6)} ms`,
    );
    console.log(`rollup, nothing new:                  ${String(await rollup(client, {})).padStart(6)} ms`);
    const { rows: posts } = await client.query(
      'select id from posts where community_id = $1 order by id desc limit 100',
      [seeded.communityId],
    );
    await client.query(
      `insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, created_at)
       select ($1::int[])[1 + g % $2], null, ($3::int[])[1 + (g * 7919) % $4], 'Bench reply', '<p>Bench reply</p>', 0, 0, 0, false, now()
         from generate_series(1, $5::int) g`,
      [posts.map((p) => p.id), posts.length, seeded.userIds, seeded.userIds.length, NEW_COMMENTS],
    );
    console.log(
      `rollup, ${NEW_COMMENTS} new comments (uncounted):  ${String(await rollup(client, {})).padStart(6)} ms`,
    );
    const { rows: sizes } = await client.query(
      `select (select count(*) from member_activity_days where community_id = $1)::int as member_days,
              (select count(*) from community_days where community_id = $1)::int as days`,
      [seeded.communityId],
    );
    console.log(`rollup rows of the community: ${sizes[0].member_days} member-days, ${sizes[0].days} days`);

    const to = new Date(Date.now() + 86_400_000);
    const from = new Date(to.getTime() - 365 * 86_400_000);
    const range = { f: from.toISOString(), t: to.toISOString() };
    console.log(`\nCommunity.insights over 365 days, ${QUERIES} requests each, every field:`);
    for (const i of ['DAY', 'WEEK', 'MONTH']) {
      progress(`Community.insights ${i}…`);
      console.log(`  ${i.padEnd(5)} ${await measure(server.url, COMMUNITY, { s: seeded.slug, ...range, i }, token)}`);
    }
    console.log(`platformInsights over 365 days:`);
    for (const i of ['DAY', 'WEEK', 'MONTH']) {
      progress(`platformInsights ${i}…`);
      console.log(`  ${i.padEnd(5)} ${await measure(server.url, PLATFORM, { ...range, i }, token)}`);
    }
  } finally {
    if (ownerId !== undefined) {
      await client.query('update users set is_admin = false where id = $1', [ownerId]).catch(() => undefined);
      await client.query(`delete from comments where body = 'Bench reply'`).catch(() => undefined);
    }
    await client.close();
    await server?.stop();
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
