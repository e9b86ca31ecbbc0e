#!/usr/bin/env node
/**
 * `npm run bench:ops`: the cost of single operations (issue 13, target 2), each driven alone with
 * autocannon against the real server (response cache off) on the large community (seed-large.js):
 *
 * - `{ __typename }`, anonymous: what a request costs before it does anything;
 * - `addComment` on the first page's posts;
 * - `vote` (UP, then NONE, on each post in turn) and `react` (add, then remove 👍), so the database
 *   ends where it began for those two.
 *
 * Each connection acts as its own member (a session per connection, none voting on their own posts).
 * Prints requests/s, p50, p99, the server's CPU per operation (from /proc, profiler or not) and the
 * SQL statements one operation runs (X-SQL-Statements), next to the targets; asserts nothing.
 * The comments it writes stay in the bench database (dropped after the run unless BENCH_KEEP=1 or
 * DATABASE_URL).
 *
 * Options (flag or environment): --duration=S (DURATION, default 10), --connections=N (CONNECTIONS,
 * default 10), --ops=typename,addComment,vote,react (OPS). Database: see harness.js.
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (one profile for all ops).
 */
const {
  progress, sleep, option, openBenchDatabase, createSessions, startServer, gql, newTokenSecret, machineLoad,
  cpuMeter, autocannonRun: run,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const DURATION = Number(option('duration', 'DURATION', '10'));
const CONNECTIONS = Number(option('connections', 'CONNECTIONS', '10'));
const OPS = option('ops', 'OPS', 'typename,addComment,vote,react').split(',');
/** Issue 13's targets: server CPU per operation, in ms. */
const TARGET_CPU_MS = { typename: 0.2, addComment: 2.5, vote: 2.5, react: 2.5 };

const PAGE_POSTS = `query OpsPagePosts($slug: String!) {
  community(slug: $slug) { posts(first: 50, orderBy: HOT) { edges { node { id author { id } } } } }
}`;

/**
 * Each operation: its document, and the variables of a connection's n-th request. `who` is the
 * connection's member: { token, posts } with the posts they may vote on.
 */
const OPERATIONS = {
  typename: {
    anonymous: true,
    query: '{ __typename }',
    variables: () => ({}),
  },
  addComment: {
    query: 'mutation OpsAddComment($input: AddCommentInput!) { addComment(input: $input) { id } }',
    variables: (who, n) => ({ input: { postId: who.posts[n % who.posts.length], body: `Bench comment ${n}: a few words, as people write them.` } }),
  },
  vote: {
    query: 'mutation OpsVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }',
    variables: (who, n) => ({
      input: { subjectId: who.posts[n % who.posts.length], value: Math.floor(n / who.posts.length) % 2 === 0 ? 'UP' : 'NONE' },
    }),
  },
  react: {
    query: 'mutation OpsReact($input: ReactInput!) { react(input: $input) { ... on Post { id } } }',
    variables: (who, n) => ({
      input: { subjectId: who.posts[n % who.posts.length], emoji: '👍', remove: Math.floor(n / who.posts.length) % 2 === 1 },
    }),
  },
};

(async () => {
  const unknown = OPS.filter((op) => !(op in OPERATIONS));
  if (unknown.length) throw new Error(`unknown --ops ${unknown.join(', ')} (known: ${Object.keys(OPERATIONS).join(', ')})`);
  const db = await openBenchDatabase();
  let server;
  try {
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let tokens;
    try {
      seeded = await seedLarge(client);
      // One member per connection, not the feed bench's viewer; sessions of earlier runs are stale.
      const members = seeded.userIds.filter((id) => id !== seeded.viewerId).slice(-CONNECTIONS);
      await client.query('delete from sessions where user_id = any($1::int[])', [members]);
      tokens = await createSessions(client, members, tokenSecret);
    } finally {
      await client.close();
    }
    console.log(describe(seeded));
    console.log(`load generator: autocannon in the bench process, same machine; ${CONNECTIONS} connections, each a member of "${seeded.slug}"`);
    console.log(`${DURATION} s per operation after a 3 s warm-up; response cache off\n`);

    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret, env: { RESPONSE_CACHE_SECONDS: '0' } });
    progress(`server node ${process.version}, ${server.url}, pid ${server.pid}`);
    const page = (await gql(server.url, PAGE_POSTS, { slug: seeded.slug })).data.community.posts.edges.map((e) => e.node);
    const people = [];
    for (const token of tokens) {
      const id = (await gql(server.url, '{ viewer { id } }', {}, token)).data.viewer.id;
      people.push({ token, posts: page.filter((p) => p.author.id !== id).map((p) => p.id) });
    }

    const rows = [];
    for (const name of OPS) {
      const op = OPERATIONS[name];
      // One request first, alone: its SQL statements (and any error, which would void the figures).
      const probe = await gql(server.url, op.query, op.variables(people[0], 0), op.anonymous ? undefined : people[0].token).catch((err) => {
        throw new Error(`${name}: ${err.message}`);
      });
      const statements = Number(probe.headers.get('x-sql-statements'));
      let connections = 0;
      const failed = { count: 0, first: null };
      const opts = {
        url: server.url, connections: CONNECTIONS,
        requests: [{
          method: 'POST',
          setupRequest: (req, context) => {
            context.who ??= people[connections++ % people.length];
            context.n = (context.n ?? 0) + 1;
            const headers = { 'content-type': 'application/json' };
            if (!op.anonymous) headers.authorization = `Bearer ${context.who.token}`;
            return { ...req, headers, body: JSON.stringify({ query: op.query, variables: op.variables(context.who, context.n) }) };
          },
          // A GraphQL error comes with HTTP 200: count those too.
          onResponse: (_status, body) => {
            if (!body.includes('"errors"')) return;
            failed.count++;
            failed.first ??= body.slice(0, 300);
          },
        }],
      };
      progress(`${name}: ${statements} SQL statements; warm-up 3 s…`);
      await run({ ...opts, duration: 3 });
      failed.count = 0;
      const load = machineLoad();
      progress(`${name}: measuring ${DURATION} s…`);
      const meter = await cpuMeter(db, server.pid);
      const r = await run({ ...opts, duration: DURATION });
      const cpu = meter.perRequest(r.requests.total);
      rows.push({ name, r, statements, cpu, load, failed: { ...failed } });
      await sleep(1000); // the server finishes what autocannon dropped at its deadline
    }

    const pad = (s, n) => String(s).padEnd(n);
    console.log(pad('operation', 14) + pad('requests/s', 12) + pad('p50 ms', 9) + pad('p99 ms', 9) + pad('server CPU ms/op', 18) + pad('target', 10) + pad('PostgreSQL CPU ms/op', 22) + pad('SQL/op', 8) + 'errors (HTTP or GraphQL)');
    for (const { name, r, statements, cpu, failed } of rows) {
      const errors = r.errors + r.timeouts + r.non2xx + failed.count;
      console.log(
        pad(name, 14) + pad(r.requests.average.toFixed(0), 12) + pad(r.latency.p50.toFixed(1), 9) + pad(r.latency.p99.toFixed(1), 9) +
        pad(cpu.server.toFixed(2), 18) + pad(`≤ ${TARGET_CPU_MS[name]}`, 10) + pad(cpu.db === null ? 'not measured' : cpu.db.toFixed(2), 22) +
        pad(statements, 8) + errors,
      );
    }
    console.log('');
    for (const { name, r, load, failed } of rows) {
      console.log(`${name}: ${r.requests.total} requests in ${r.duration.toFixed(1)} s; ${load} before the run` + (failed.first ? `; first GraphQL error: ${failed.first}` : ''));
    }
  } finally {
    if (server) {
      progress('stopping the server…');
      await server.stop();
    }
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
