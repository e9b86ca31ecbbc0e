#!/usr/bin/env node
/**
 * `npm run bench:feed`: the community feed (issue 3, point 9a) under load. Starts the real server
 * as a child process on the large community (seed-large.js), signed in as one of its members, and
 * drives the feed query with autocannon (in this process) for each page size: 10 connections for
 * 10 s after a 3 s warm-up. Prints requests/s, p50 and p99 latency, response-cache hits and the
 * SQL statements of one request (X-SQL-Statements) next to the targets; asserts nothing.
 *
 * Each page size runs in three modes, each on a fresh server:
 * - cached: the server as shipped (response cache on), nothing written meanwhile;
 * - writes: the same while another member votes WRITES times a second on the page's posts (each
 *   vote invalidates every cached response, so this shows the cache under a steady trickle of writes);
 * - uncached: RESPONSE_CACHE_SECONDS=0, every request executed (4 SQL statements, GraphQL over
 *   ~1,000 fields for 50 posts).
 *
 * Options (flag or environment): --duration=S (DURATION, default 10), --connections=N
 * (CONNECTIONS, default 10), --page-sizes=50,20 (PAGE_SIZES), --modes=cached,writes,uncached
 * (MODES), --writes=N votes a second in the writes mode (WRITES, default 10). Database: see harness.js.
 */
const {
  progress, sleep, option, openBenchDatabase, createSessions, startServer, gql, newTokenSecret, machineLoad,
  cpuMeter, autocannonRun: run,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const DURATION = Number(option('duration', 'DURATION', '10'));
const CONNECTIONS = Number(option('connections', 'CONNECTIONS', '10'));
const PAGE_SIZES = option('page-sizes', 'PAGE_SIZES', '50,20').split(',').map(Number);
const MODES = option('modes', 'MODES', 'cached,writes,uncached').split(',');
const WRITES = Number(option('writes', 'WRITES', '10'));
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

const PAGE_POSTS = `query PagePosts($slug: String!) {
  community(slug: $slug) { posts(first: 50, orderBy: HOT) { edges { node { id author { id } } } } }
}`;
const VOTE = `mutation Vote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }`;

const MODE_ENV = { cached: {}, writes: {}, uncached: { RESPONSE_CACHE_SECONDS: '0' } };

/** Votes `perSecond` times a second (UP, then NONE, on the posts in turn) until stopped. */
function startVoting(url, token, postIds, perSecond) {
  let n = 0;
  let failed = 0;
  let inFlight = Promise.resolve();
  const timer = setInterval(() => {
    const postId = postIds[n % postIds.length];
    const value = Math.floor(n / postIds.length) % 2 === 0 ? 'UP' : 'NONE';
    n++;
    inFlight = gql(url, VOTE, { input: { subjectId: postId, value } }, token).catch(() => { failed++; });
  }, 1000 / perSecond);
  return async () => {
    clearInterval(timer);
    await inFlight;
    return { votes: n, failed };
  };
}

(async () => {
  const db = await openBenchDatabase();
  let server;
  try {
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let token;
    let voterToken;
    try {
      seeded = await seedLarge(client);
      // Sessions left by earlier runs were hashed with a secret that is gone: replace them.
      await client.query('delete from sessions where user_id = $1', [seeded.viewerId]);
      // The viewer, and a second member who votes in the writes mode.
      const voterId = seeded.userIds.find((id) => id !== seeded.viewerId);
      await client.query('delete from sessions where user_id = $1', [voterId]);
      [token, voterToken] = await createSessions(client, [seeded.viewerId, voterId], tokenSecret);
    } finally {
      await client.close();
    }
    console.log(describe(seeded));
    const modes = MODES.filter((m) => m in MODE_ENV);
    console.log(`load generator: autocannon in the bench process, same machine; signed in as a MEMBER of "${seeded.slug}"`);
    console.log(`${CONNECTIONS} connections for ${DURATION} s per run, after a 3 s warm-up; modes: ${modes.join(', ')}\n`);

    const rows = [];
    for (const mode of modes) {
      progress(`${mode}: starting the server…`);
      server = await startServer(db.env, { tokenSecret, env: MODE_ENV[mode] });
      progress(`${mode}: server node ${process.version}, ${server.url}, pid ${server.pid}`);
      // The writes mode: another member votes on the first page's posts (not their own).
      const page = (await gql(server.url, PAGE_POSTS, { slug: seeded.slug }, token)).data.community.posts.edges.map((e) => e.node);
      const voterId = (await gql(server.url, 'query { viewer { id } }', {}, voterToken)).data.viewer.id;
      const votable = page.filter((p) => p.author.id !== voterId).map((p) => p.id);
      for (const first of PAGE_SIZES) {
        const label = `${first} per page, ${mode}`;
        const variables = { slug: seeded.slug, first };
        const body = JSON.stringify({ query: FEED, variables });
        const cold = await gql(server.url, FEED, variables, token);
        const warm = await gql(server.url, FEED, variables, token);
        const edges = cold.data.community.posts.edges;
        const statements = { cold: Number(cold.headers.get('x-sql-statements')), warm: Number(warm.headers.get('x-sql-statements')) };
        progress(`${label}: ${edges.length} posts, ${statements.cold} SQL statements executed, ${statements.warm} on a cache hit (${warm.headers.get('x-response-cache') ?? 'no cache'})`);
        const counts = { hit: 0, shared: 0, miss: 0 };
        const opts = {
          url: server.url, connections: CONNECTIONS,
          requests: [{
            method: 'POST', body,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            onResponse: (_status, _body, _context, headers) => {
              const state = headers['x-response-cache'];
              if (state in counts) counts[state]++;
            },
          }],
        };
        progress(`${label}: warm-up 3 s…`);
        await run({ ...opts, duration: 3 });
        counts.hit = counts.shared = counts.miss = 0;
        const load = machineLoad();
        progress(`${label}: measuring ${DURATION} s…`);
        const stopVoting = mode === 'writes' ? startVoting(server.url, voterToken, votable, WRITES) : null;
        const meter = await cpuMeter(db, server.pid);
        const bench0 = process.cpuUsage();
        const r = await run({ ...opts, duration: DURATION });
        const cpu = {
          ...meter.perRequest(r.requests.total),
          bench: (Object.values(process.cpuUsage(bench0)).reduce((a, b) => a + b, 0) / 1e3) / r.requests.total,
        };
        const voted = stopVoting ? await stopVoting() : null;
        rows.push({ label, first, mode, r, statements, counts, voted, load, cpu, bytes: Buffer.byteLength(JSON.stringify(cold.data)) });
      }
      // autocannon drops its connections at the deadline; the server is still answering some of them.
      await sleep(2000);
      progress(`${mode}: stopping the server…`);
      await server.stop();
      server = undefined;
    }

    const pad = (s, n) => String(s).padEnd(n);
    console.log(pad('feed (orderBy: HOT)', 26) + pad('requests/s', 12) + pad('p50 ms', 9) + pad('p99 ms', 9) + pad('max ms', 9) + pad('cache hits', 12) + pad('SQL/request', 19) + 'errors');
    for (const { label, r, statements, counts } of rows) {
      const errors = r.errors + r.timeouts + r.non2xx;
      const answered = counts.hit + counts.shared + counts.miss;
      console.log(
        pad(label, 26) + pad(r.requests.average.toFixed(0), 12) + pad(r.latency.p50.toFixed(1), 9) +
        pad(r.latency.p99.toFixed(1), 9) + pad(r.latency.max.toFixed(0), 9) +
        pad(answered ? `${((100 * (counts.hit + counts.shared)) / answered).toFixed(1)}%` : 'off', 12) +
        pad(answered ? `${statements.cold} (hit: ${statements.warm})` : statements.cold, 19) + errors,
      );
    }
    console.log(pad('target', 26) + pad(`≥ ${TARGETS.rps}`, 12) + pad('', 9) + pad(`< ${TARGETS.p99}`, 9) + pad('', 9) + pad('', 12) + `≤ ${TARGETS.statements} whatever the page size`);
    console.log('cache hits: answers not executed (kept, or shared with a concurrent identical request); SQL/request: executed (on a hit)\n');
    for (const { label, r, load, cpu, bytes, voted, counts } of rows) {
      console.log(`${label}: ${r.requests.total} requests in ${r.duration.toFixed(1)} s, response ${(bytes / 1024).toFixed(1)} KiB; ${load} before the run` +
        (voted ? `; ${voted.votes} votes meanwhile (${voted.failed} failed)` : '') +
        (counts.hit + counts.miss + counts.shared ? `; cache ${counts.hit} hit, ${counts.shared} shared, ${counts.miss} executed` : ''));
      console.log(
        `  CPU per request: server ${cpu.server.toFixed(2)} ms, ` +
        (cpu.db === null ? 'PostgreSQL not measured (not on this machine, or embedded), ' : `PostgreSQL ${cpu.db.toFixed(2)} ms (the server's backends), `) +
        `load generator ${cpu.bench.toFixed(2)} ms`,
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
