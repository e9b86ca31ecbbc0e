#!/usr/bin/env node
/**
 * `npm run bench:feed`: the community feed (issue 3, point 9a) under load. Starts the real server
 * as a child process on the large community (seed-large.js), signed in as one of its members, and
 * drives the feed query with autocannon (in this process) for each page size: 10 connections for
 * 10 s after a 3 s warm-up. Prints requests/s, p50 and p99 latency, and the SQL statements of one
 * request (X-SQL-Statements) next to the targets; asserts nothing.
 *
 * Options (flag or environment): --duration=S (DURATION, default 10), --connections=N
 * (CONNECTIONS, default 10), --page-sizes=50,20 (PAGE_SIZES). Database: see harness.js.
 */
const autocannon = require('autocannon');
const {
  progress, sleep, option, openBenchDatabase, createSessions, startServer, gql, newTokenSecret, machineLoad,
  cpuSeconds, databaseBackends,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const DURATION = Number(option('duration', 'DURATION', '10'));
const CONNECTIONS = Number(option('connections', 'CONNECTIONS', '10'));
const PAGE_SIZES = option('page-sizes', 'PAGE_SIZES', '50,20').split(',').map(Number);
const TARGETS = { rps: 400, p99: 50, statements: 4 };

const FEED = `query Feed($slug: String!, $first: Int!) {
  community(slug: $slug) {
    posts(first: $first, orderBy: HOT) {
      edges { node {
        title score viewerVote commentCount tags
        author { handle }
        community { slug }
        comments(first: 3) { edges { node { body author { handle } } } }
      } }
    }
  }
}`;

const sum = (pids, f) => (pids ?? []).reduce((total, pid) => total + f(pid), 0);

function run(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

(async () => {
  const db = await openBenchDatabase();
  let server;
  try {
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let token;
    try {
      seeded = await seedLarge(client);
      // Sessions left by earlier runs were hashed with a secret that is gone: replace them.
      await client.query('delete from sessions where user_id = $1', [seeded.viewerId]);
      [token] = await createSessions(client, [seeded.viewerId], tokenSecret);
    } finally {
      await client.close();
    }
    console.log(describe(seeded));
    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret });
    console.log(`server:   node ${process.version}, ${server.url}, pid ${server.pid}; load generator: autocannon in the bench process, same machine`);
    console.log(`signed in as a MEMBER of "${seeded.slug}"; ${CONNECTIONS} connections for ${DURATION} s per page size, after a 3 s warm-up\n`);

    const rows = [];
    for (const first of PAGE_SIZES) {
      const variables = { slug: seeded.slug, first };
      const body = JSON.stringify({ query: FEED, variables });
      const once = await gql(server.url, FEED, variables, token);
      const edges = once.data.community.posts.edges;
      const statements = once.headers.get('x-sql-statements');
      const voted = edges.filter((e) => e.node.viewerVote !== 'NONE').length;
      const withComments = edges.filter((e) => e.node.comments.edges.length > 0).length;
      progress(`${first} per page: one request returned ${edges.length} posts (${voted} with the viewer's vote, ${withComments} with comments), ${statements} SQL statements`);
      const opts = {
        url: server.url, method: 'POST', connections: CONNECTIONS, body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      };
      progress(`${first} per page: warm-up 3 s…`);
      await run({ ...opts, duration: 3 });
      const load = machineLoad();
      progress(`${first} per page: measuring ${DURATION} s…`);
      const backends = await databaseBackends(db);
      const cpu0 = { server: cpuSeconds(server.pid), db: sum(backends, cpuSeconds), bench: process.cpuUsage() };
      const r = await run({ ...opts, duration: DURATION });
      const perRequest = (seconds) => (seconds * 1000) / r.requests.total;
      const cpu = {
        server: perRequest(cpuSeconds(server.pid) - cpu0.server),
        db: backends && perRequest(sum(backends, cpuSeconds) - cpu0.db),
        bench: perRequest(Object.values(process.cpuUsage(cpu0.bench)).reduce((a, b) => a + b, 0) / 1e6),
      };
      rows.push({ first, r, statements: Number(statements), load, cpu, bytes: Buffer.byteLength(JSON.stringify(once.data)) });
    }
    // autocannon drops its connections at the deadline; the server is still answering some of them.
    await sleep(2000);

    const pad = (s, n) => String(s).padEnd(n);
    console.log(pad('feed (orderBy: HOT)', 22) + pad('requests/s', 12) + pad('p50 ms', 9) + pad('p99 ms', 9) + pad('max ms', 9) + pad('SQL/request', 13) + 'errors');
    for (const { first, r, statements } of rows) {
      const errors = r.errors + r.timeouts + r.non2xx;
      console.log(
        pad(`${first} posts per page`, 22) + pad(r.requests.average.toFixed(0), 12) + pad(r.latency.p50.toFixed(1), 9) +
        pad(r.latency.p99.toFixed(1), 9) + pad(r.latency.max.toFixed(0), 9) + pad(statements, 13) + errors,
      );
    }
    console.log(pad('target', 22) + pad(`≥ ${TARGETS.rps}`, 12) + pad('', 9) + pad(`< ${TARGETS.p99}`, 9) + pad('', 9) + `≤ ${TARGETS.statements} whatever the page size`);
    console.log('');
    for (const { first, r, load, cpu, bytes } of rows) {
      console.log(`${first} per page: ${r.requests.total} requests in ${r.duration.toFixed(1)} s, response ${(bytes / 1024).toFixed(1)} KiB; ${load} before the run`);
      console.log(
        `  CPU per request: server ${cpu.server.toFixed(1)} ms, ` +
        (cpu.db === null ? 'PostgreSQL not measured (not on this machine, or embedded), ' : `PostgreSQL ${cpu.db.toFixed(1)} ms (the server's backends), `) +
        `load generator ${cpu.bench.toFixed(1)} ms`,
      );
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
