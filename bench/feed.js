#!/usr/bin/env node
/**
 * `npm run bench:feed`: the community feed (issue 3, point 9a) under load. Starts the real server
 * as a child process on the large community (seed-large.js), signed in as one of its members, and
 * drives the feed query with autocannon (in this process) for each page size: 10 connections for
 * 10 s after a 3 s warm-up. Prints requests/s, p50 and p99 latency, response-cache hits and the
 * SQL statements of one request (X-SQL-Statements) next to the targets, and the CPU per request of
 * the server (its process and its children) and of its PostgreSQL backends; asserts nothing.
 *
 * Each page size runs in these modes, each on a fresh server:
 * - cached: the server as shipped (response cache on), nothing written meanwhile;
 * - writes: the same while another member votes WRITES times a second on the page's posts (each
 *   vote invalidates the cached answers that read this community, so this shows the cache under a
 *   steady trickle of writes where it is read);
 * - elsewhere: the same votes, WRITES a second, on posts of another community (a small one the bench
 *   creates): the scoped cache should keep the feed's answers (issue 13's target: ≥ 90 % hits);
 * - uncached: RESPONSE_CACHE_SECONDS=0, every request executed (3 SQL statements signed in, GraphQL over
 *   ~1,000 fields for 50 posts).
 * With --workers=1,2 every mode runs once per worker count, the server started with WEB_CONCURRENCY=N
 * (N worker processes on one port via node:cluster; for N > 1 REDIS_URL, default
 * redis://127.0.0.1:6379, which that mode requires); the server's CPU is then that of the whole process
 * tree. A build without WEB_CONCURRENCY runs one process whatever N: the report says how many ran.
 *
 * --peer: Townsquare against PostGraphile 4 on the same database instead of the modes above.
 * PostGraphile 4 (bench/peer/, installed there on demand with npm: never a dependency of Townsquare)
 * runs as a child (bench/peer/server.js: anonymous, no GraphiQL, no query log, no watch) beside
 * Townsquare with the response cache off (RESPONSE_CACHE_SECONDS=0). Three sides load the same feed,
 * PAGE_SIZES posts (default 50) of the community, pinned first, then by the HOT rank, then newest,
 * each with title, score, commentCount, tags, author handle, community slug and its first 3
 * top-level comments (body, author handle), deleted posts left out:
 * - Townsquare, anonymous (no token): `community(slug) { posts(first, orderBy: HOT) … }`;
 * - PostGraphile, anonymous: `communityBySlug(slug) { postsByCommunityId(first, orderBy:
 *   [PINNED_DESC, HOT_DESC, ID_DESC], condition: { deletedAt: null }) … commentsByPostId(first: 3,
 *   orderBy: ID_ASC, condition: { parentId: null }) }`. The HOT rank is the `hot` column Townsquare
 *   keeps (HOT_RANK_SQL of posts.service.ts, recomputed whenever a score moves), so PostGraphile's
 *   generated ordering on it is the same rank, on the same index, with nothing added to the database;
 * - Townsquare, signed in as a member, also selecting `viewerVote` (the feed as members see it).
 * One response of each is compared first (same titles in the same order; every selected field),
 * and the result printed. Each side is warmed up for 3 s, then the sides alternate (Townsquare
 * anonymous, PostGraphile, Townsquare signed in) for ROUNDS rounds of DURATION seconds, each run
 * after a 1 s warm-up of its side (the other side's idle pool may have shrunk meanwhile). Per side,
 * over its rounds: requests/s, p50 and p99 (all its requests together), server CPU ms/request (the
 * process tree), its PostgreSQL backends' CPU ms/request (told apart by application_name), SQL
 * statements of one request (PostGraphile's counted in its pg pool, begin/commit included) and the
 * ratio of Townsquare's requests/s to PostGraphile's, next to the targets: anonymous ≥ 1.0× with
 * p99 ≤ PostGraphile's, signed in ≥ 0.9×. --workers applies to Townsquare (PostGraphile stays one process).
 *
 * Options (flag or environment): --duration=S (DURATION, default 10), --connections=N
 * (CONNECTIONS, default 10), --page-sizes=50,20 (PAGE_SIZES; with --peer default 50),
 * --modes=cached,writes,elsewhere,uncached (MODES), --writes=N votes a second in the writes and elsewhere modes (WRITES,
 * default 10), --workers=1,2 (WORKERS, default 1), --peer (PEER=1), --rounds=N (ROUNDS, with --peer,
 * default 2). Database: see harness.js (--peer needs PostgreSQL, not BENCH_EMBEDDED).
 */
const {
  progress,
  sleep,
  option,
  openBenchDatabase,
  createSessions,
  startServer,
  gql,
  newTokenSecret,
  machineLoad,
  cpuMeter,
  autocannonRun: run,
  autocannonRaw,
  mergeRuns,
  ensurePeer,
  startPeer,
  processTree,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const PEER = process.argv.includes('--peer') || process.env.PEER === '1';
const DURATION = Number(option('duration', 'DURATION', '10'));
const CONNECTIONS = Number(option('connections', 'CONNECTIONS', '10'));
const PAGE_SIZES = option('page-sizes', 'PAGE_SIZES', PEER ? '50' : '50,20')
  .split(',')
  .map(Number);
const MODES = option('modes', 'MODES', 'cached,writes,elsewhere,uncached').split(',');
const WRITES = Number(option('writes', 'WRITES', '10'));
const WORKERS = option('workers', 'WORKERS', '1').split(',').map(Number);
const ROUNDS = Number(option('rounds', 'ROUNDS', '2'));
const TARGETS = { rps: 400, p99: 50, statements: 4 };
/** Townsquare's requests/s over PostGraphile's, at least. */
const PEER_TARGETS = { anonymous: 1.0, signedIn: 0.9 };
const REDIS_DEFAULT = 'redis://127.0.0.1:6379';

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

/** The feed without the viewer's vote, for anonymous requests. */
const FEED_ANONYMOUS = FEED.replace('query Feed(', 'query FeedAnonymous(').replace(' viewerVote', '');

/** The same feed from PostGraphile 4's generated schema (see the head of this file). */
const PEER_FEED = `query PeerFeed($slug: String!, $first: Int!) {
  communityBySlug(slug: $slug) {
    postsByCommunityId(first: $first, orderBy: [PINNED_DESC, HOT_DESC, ID_DESC], condition: { deletedAt: null }) {
      edges { node {
        title score commentCount tags
        userByAuthorId { handle }
        communityByCommunityId { slug }
        commentsByPostId(first: 3, orderBy: ID_ASC, condition: { parentId: null }) { edges { node { body userByAuthorId { handle } } } }
      } }
    }
  }
}`;

const PAGE_POSTS = `query PagePosts($slug: String!) {
  community(slug: $slug) { posts(first: 50, orderBy: HOT) { edges { node { id author { id } } } } }
}`;
const VOTE = `mutation Vote($input: SetVoteInput!) { setVote(input: $input) { ... on Post { id score } } }`;

const MODE_ENV = { cached: {}, writes: {}, elsewhere: {}, uncached: { RESPONSE_CACHE_SECONDS: '0' } };

/**
 * The elsewhere mode's community: a small PUBLIC one the bench member creates with a few posts, which
 * the voter joins, so its votes are writes in *another* community than the feed's.
 */
async function otherCommunityPosts(url, token, voterToken) {
  const slug = `bench-elsewhere-${Date.now().toString(36)}`;
  const created = await gql(
    url,
    'mutation ($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }',
    { input: { name: 'Bench elsewhere', slug } },
    token,
  );
  const communityId = created.data.createCommunity.id;
  await gql(
    url,
    'mutation ($input: RequestMembershipInput!) { requestMembership(input: $input) { outcome } }',
    { input: { communityId } },
    voterToken,
  );
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const post = await gql(
      url,
      'mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { communityId, title: `Elsewhere ${i}`, body: 'Votes on this post are writes outside the feed.' } },
      token,
    );
    ids.push(post.data.createPost.id);
  }
  return ids;
}

/** The server's environment for N worker processes (WEB_CONCURRENCY; N > 1 needs Redis). */
function workersEnv(n) {
  return { WEB_CONCURRENCY: String(n), ...(n > 1 && !process.env.REDIS_URL ? { REDIS_URL: REDIS_DEFAULT } : {}) };
}

/** How many processes a server runs (the process and its descendants), once its workers are up. */
async function serverProcesses(server, expected) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(100)) {
    if (processTree(server.pid).length >= expected) break;
  }
  return processTree(server.pid).length;
}

/** "N processes", and a warning when WEB_CONCURRENCY=workers did not fork its workers. */
function processesNote(processes, workers) {
  const note = `${processes} process${processes === 1 ? '' : 'es'}`;
  return workers > 1 && processes === 1 ? `${note}: WEB_CONCURRENCY not honoured by this build` : note;
}

/** Votes `perSecond` times a second (UP, then NONE, on the posts in turn) until stopped. */
function startVoting(url, token, postIds, perSecond) {
  let n = 0;
  let failed = 0;
  let inFlight = Promise.resolve();
  const timer = setInterval(() => {
    const postId = postIds[n % postIds.length];
    const value = Math.floor(n / postIds.length) % 2 === 0 ? 'UP' : 'NONE';
    n++;
    inFlight = gql(url, VOTE, { input: { subjectId: postId, value } }, token).catch(() => {
      failed++;
    });
  }, 1000 / perSecond);
  return async () => {
    clearInterval(timer);
    await inFlight;
    return { votes: n, failed };
  };
}

/** The bench's modes (cached, writes, uncached), for each worker count. */
async function benchModes(db, seeded, tokenSecret, token, voterToken) {
  const modes = MODES.filter((m) => m in MODE_ENV);
  const byWorkers = WORKERS.length > 1 || WORKERS[0] !== 1;
  console.log(
    `load generator: autocannon in the bench process, same machine; signed in as a MEMBER of "${seeded.slug}"`,
  );
  console.log(
    `${CONNECTIONS} connections for ${DURATION} s per run, after a 3 s warm-up; modes: ${modes.join(', ')}` +
      (byWorkers ? `; server worker processes (WEB_CONCURRENCY): ${WORKERS.join(', ')}` : '') +
      '\n',
  );

  const rows = [];
  let server;
  try {
    for (const workers of WORKERS) {
      for (const mode of modes) {
        const name = byWorkers ? `${mode}, WEB_CONCURRENCY=${workers}` : mode;
        progress(`${name}: starting the server…`);
        server = await startServer(db.env, { tokenSecret, env: { ...MODE_ENV[mode], ...workersEnv(workers) } });
        const processes = await serverProcesses(server, workers > 1 ? workers + 1 : 1);
        progress(
          `${name}: server node ${process.version}, ${server.url}, pid ${server.pid}, ${processesNote(processes, workers)}`,
        );
        // The writes mode: another member votes on the first page's posts (not their own).
        const page = (await gql(server.url, PAGE_POSTS, { slug: seeded.slug }, token)).data.community.posts.edges.map(
          (e) => e.node,
        );
        const voterId = (await gql(server.url, 'query { viewer { id } }', {}, voterToken)).data.viewer.id;
        const votable = page.filter((p) => p.author.id !== voterId).map((p) => p.id);
        for (const first of PAGE_SIZES) {
          const label = byWorkers
            ? `${first} per page, ${mode}, WEB_CONCURRENCY=${workers}`
            : `${first} per page, ${mode}`;
          const variables = { slug: seeded.slug, first };
          const body = JSON.stringify({ query: FEED, variables });
          const cold = await gql(server.url, FEED, variables, token);
          const warm = await gql(server.url, FEED, variables, token);
          const edges = cold.data.community.posts.edges;
          const statements = {
            cold: Number(cold.headers.get('x-sql-statements')),
            warm: Number(warm.headers.get('x-sql-statements')),
          };
          progress(
            `${label}: ${edges.length} posts, ${statements.cold} SQL statements executed, ${statements.warm} on a cache hit (${warm.headers.get('x-response-cache') ?? 'no cache'})`,
          );
          const counts = { hit: 0, shared: 0, miss: 0 };
          const opts = {
            url: server.url,
            connections: CONNECTIONS,
            requests: [
              {
                method: 'POST',
                body,
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                onResponse: (_status, _body, _context, headers) => {
                  const state = headers['x-response-cache'];
                  if (state in counts) counts[state]++;
                },
              },
            ],
          };
          progress(`${label}: warm-up 3 s…`);
          await run({ ...opts, duration: 3 });
          counts.hit = counts.shared = counts.miss = 0;
          const load = machineLoad();
          progress(`${label}: measuring ${DURATION} s…`);
          const targets =
            mode === 'writes'
              ? votable
              : mode === 'elsewhere'
                ? await otherCommunityPosts(server.url, token, voterToken)
                : null;
          const stopVoting = targets ? startVoting(server.url, voterToken, targets, WRITES) : null;
          const meter = await cpuMeter(db, server.pid, { application: server.application });
          const bench0 = process.cpuUsage();
          const r = await run({ ...opts, duration: DURATION });
          const cpu = {
            ...meter.perRequest(r.requests.total),
            bench: Object.values(process.cpuUsage(bench0)).reduce((a, b) => a + b, 0) / 1e3 / r.requests.total,
          };
          const voted = stopVoting ? await stopVoting() : null;
          rows.push({
            label,
            first,
            mode,
            r,
            statements,
            counts,
            voted,
            load,
            cpu,
            processes,
            workers,
            bytes: Buffer.byteLength(JSON.stringify(cold.data)),
          });
        }
        // autocannon drops its connections at the deadline; the server is still answering some of them.
        await sleep(2000);
        progress(`${name}: stopping the server…`);
        await server.stop();
        server = undefined;
      }
    }
  } finally {
    if (server) {
      progress('stopping the server…');
      await server.stop();
    }
  }

  const width = Math.max(26, ...rows.map((r) => r.label.length + 2));
  const pad = (s, n) => String(s).padEnd(n);
  console.log(
    pad('feed (orderBy: HOT)', width) +
      pad('requests/s', 12) +
      pad('p50 ms', 9) +
      pad('p99 ms', 9) +
      pad('max ms', 9) +
      pad('cache hits', 12) +
      pad('SQL/request', 19) +
      'errors',
  );
  for (const { label, r, statements, counts } of rows) {
    const errors = r.errors + r.timeouts + r.non2xx;
    const answered = counts.hit + counts.shared + counts.miss;
    console.log(
      pad(label, width) +
        pad(r.requests.average.toFixed(0), 12) +
        pad(r.latency.p50.toFixed(1), 9) +
        pad(r.latency.p99.toFixed(1), 9) +
        pad(r.latency.max.toFixed(0), 9) +
        pad(answered ? `${((100 * (counts.hit + counts.shared)) / answered).toFixed(1)}%` : 'off', 12) +
        pad(answered ? `${statements.cold} (hit: ${statements.warm})` : statements.cold, 19) +
        errors,
    );
  }
  console.log(
    pad('target', width) +
      pad(`≥ ${TARGETS.rps}`, 12) +
      pad('', 9) +
      pad(`< ${TARGETS.p99}`, 9) +
      pad('', 9) +
      pad('', 12) +
      `≤ ${TARGETS.statements} whatever the page size`,
  );
  console.log(
    'cache hits: answers not executed (kept, or shared with a concurrent identical request); SQL/request: executed (on a hit)\n',
  );
  for (const { label, r, load, cpu, bytes, voted, counts, processes, workers } of rows) {
    console.log(
      `${label}: ${r.requests.total} requests in ${r.duration.toFixed(1)} s, response ${(bytes / 1024).toFixed(1)} KiB; ${load} before the run` +
        (byWorkers ? `; server: ${processesNote(processes, workers)}` : '') +
        (voted ? `; ${voted.votes} votes meanwhile (${voted.failed} failed)` : '') +
        (counts.hit + counts.miss + counts.shared
          ? `; cache ${counts.hit} hit, ${counts.shared} shared, ${counts.miss} executed`
          : ''),
    );
    console.log(
      `  CPU per request: server ${cpu.server.toFixed(2)} ms${processes > 1 ? ` (its ${processes} processes)` : ''}, ` +
        (cpu.db === null
          ? 'PostgreSQL not measured (not on this machine, or embedded), '
          : `PostgreSQL ${cpu.db.toFixed(2)} ms (the server's backends), `) +
        `load generator ${cpu.bench.toFixed(2)} ms`,
    );
  }
}

/** One feed response as comparable rows: Townsquare's and PostGraphile's shapes to one. */
function feedRows(data) {
  if (data.community) {
    return data.community.posts.edges.map(({ node: p }) => ({
      title: p.title,
      score: p.score,
      commentCount: p.commentCount,
      tags: p.tags,
      author: p.author?.handle ?? null,
      community: p.community.slug,
      comments: p.comments.edges.map(({ node: c }) => ({ body: c.body, author: c.author?.handle ?? null })),
    }));
  }
  return data.communityBySlug.postsByCommunityId.edges.map(({ node: p }) => ({
    title: p.title,
    score: p.score,
    commentCount: p.commentCount,
    tags: p.tags,
    author: p.userByAuthorId?.handle ?? null,
    community: p.communityByCommunityId.slug,
    comments: p.commentsByPostId.edges.map(({ node: c }) => ({
      body: c.body,
      author: c.userByAuthorId?.handle ?? null,
    })),
  }));
}

/** Compares Townsquare's feed rows with PostGraphile's: a line for the report. */
function compareFeeds(ours, theirs) {
  const titles = (rows) => rows.map((r) => r.title);
  const a = titles(ours);
  const b = titles(theirs);
  if (a.length !== b.length || a.some((t, i) => t !== b[i])) {
    const i = a.findIndex((t, k) => t !== b[k]);
    return {
      same: false,
      line: `NO: Townsquare ${a.length} posts, PostGraphile ${b.length}; first difference at position ${i + 1}: "${a[i]}" / "${b[i]}"`,
    };
  }
  const differs = ours.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(theirs[i]));
  return {
    same: true,
    line:
      `yes (${a.length} titles, "${a[0]}" … "${a[a.length - 1]}"); every other selected field ` +
      (differs < 0
        ? 'equal too'
        : `NOT equal, first at position ${differs + 1}: ${JSON.stringify(ours[differs])} / ${JSON.stringify(theirs[differs])}`),
  };
}

/** --peer: Townsquare (anonymous, signed in) against PostGraphile 4, alternating, for each worker count and page size. */
async function benchPeer(db, seeded, tokenSecret, token) {
  const versions = ensurePeer();
  progress('peer: starting PostGraphile…');
  const peer = await startPeer(db.env);
  let server;
  const results = [];
  try {
    console.log(
      `peer:           PostGraphile ${versions.postgraphile} (graphql ${versions.graphql}), node ${process.version}, pid ${peer.pid}: anonymous, schema public, pg pool 10 (Townsquare's default DATABASE_POOL_SIZE is 10), one process`,
    );
    console.log(
      `Townsquare:     response cache off (RESPONSE_CACHE_SECONDS=0); anonymous, and signed in as a MEMBER of "${seeded.slug}" with viewerVote; WEB_CONCURRENCY ${WORKERS.join(', ')}`,
    );
    console.log(
      `load generator: autocannon in the bench process, same machine; ${CONNECTIONS} connections; each side warmed up 3 s, then ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${DURATION} s per side, alternating (each after a 1 s warm-up of its side)\n`,
    );

    for (const workers of WORKERS) {
      progress(`WEB_CONCURRENCY=${workers}: starting Townsquare…`);
      server = await startServer(db.env, { tokenSecret, env: { RESPONSE_CACHE_SECONDS: '0', ...workersEnv(workers) } });
      const processes = await serverProcesses(server, workers > 1 ? workers + 1 : 1);
      progress(
        `Townsquare: ${server.url}, pid ${server.pid}, ${processesNote(processes, workers)}; PostGraphile: ${peer.url}, pid ${peer.pid}`,
      );
      const ts = `Townsquare${WORKERS.length > 1 || workers !== 1 ? ` (WEB_CONCURRENCY=${workers})` : ''}`;
      for (const first of PAGE_SIZES) {
        const variables = { slug: seeded.slug, first };
        const townsquareSide = (key, label, query, auth) => ({
          key,
          label,
          url: server.url,
          pid: server.pid,
          application: server.application,
          query,
          auth,
          body: JSON.stringify({ query, variables }),
          statements: async () =>
            Number((await gql(server.url, query, variables, auth)).headers.get('x-sql-statements')),
        });
        const sides = [
          townsquareSide('anonymous', `${ts}, anonymous`, FEED_ANONYMOUS, undefined),
          {
            key: 'peer',
            label: 'PostGraphile 4, anonymous',
            url: peer.url,
            pid: peer.pid,
            application: peer.application,
            query: PEER_FEED,
            body: JSON.stringify({ query: PEER_FEED, variables }),
            statements: async () => {
              const before = await peer.statements();
              await gql(peer.url, PEER_FEED, variables);
              return (await peer.statements()) - before;
            },
          },
          townsquareSide('signedIn', `${ts}, signed in (viewerVote)`, FEED, token),
        ];
        // One response each: the same posts, in the same order?
        const responses = {};
        for (const side of sides) {
          const { data } = await gql(side.url, side.query, variables, side.auth);
          responses[side.key] = { rows: feedRows(data), bytes: Buffer.byteLength(JSON.stringify(data)) };
          side.sql = await side.statements();
        }
        const compared = compareFeeds(responses.anonymous.rows, responses.peer.rows);
        const optsOf = (side) => ({
          url: side.url,
          connections: CONNECTIONS,
          requests: [
            {
              method: 'POST',
              body: side.body,
              headers: {
                'content-type': 'application/json',
                ...(side.auth ? { authorization: `Bearer ${side.auth}` } : {}),
              },
            },
          ],
        });
        for (const side of sides) {
          progress(`${first} posts, ${side.label}: warm-up 3 s…`);
          await run({ ...optsOf(side), duration: 3 });
          side.runs = [];
          side.cpu = { server: 0, db: 0 };
        }
        const load = machineLoad();
        for (let round = 1; round <= ROUNDS; round++) {
          for (const side of sides) {
            await run({ ...optsOf(side), duration: 1 });
            progress(`${first} posts, round ${round}/${ROUNDS}, ${side.label}: measuring ${DURATION} s…`);
            const meter = await cpuMeter(db, side.pid, { application: side.application });
            const raw = await autocannonRaw({ ...optsOf(side), duration: DURATION });
            const cpu = meter.total();
            side.runs.push({ raw, round, single: mergeRuns([raw], side.url) });
            side.cpu.server += cpu.server;
            side.cpu.db = side.cpu.db === null || cpu.db === null ? null : side.cpu.db + cpu.db;
            await sleep(500); // autocannon drops its connections at the deadline: let the server finish those
          }
        }
        for (const side of sides)
          side.merged = mergeRuns(
            side.runs.map((r) => r.raw),
            side.url,
          );
        results.push({ workers, processes, first, sides, compared, responses, load });
      }
      progress(`WEB_CONCURRENCY=${workers}: stopping Townsquare…`);
      await server.stop();
      server = undefined;
    }
  } finally {
    if (server) await server.stop();
    progress('stopping PostGraphile…');
    await peer.stop();
  }

  const pad = (s, n) => String(s).padEnd(n);
  const width = Math.max(30, ...results.flatMap((r) => r.sides.map((s) => s.label.length + 2)));
  for (const { workers, processes, first, sides, compared, responses, load } of results) {
    const peerSide = sides.find((s) => s.key === 'peer');
    console.log(
      `feed, ${first} posts (HOT), Townsquare WEB_CONCURRENCY=${workers} (${processesNote(processes, workers)}); ${load} before the rounds`,
    );
    console.log(`same posts in the same order (Townsquare anonymous vs PostGraphile): ${compared.line}`);
    console.log(
      pad('', width) +
        pad('requests/s', 12) +
        pad('p50 ms', 9) +
        pad('p99 ms', 9) +
        pad('server CPU ms/req', 19) +
        pad('PostgreSQL CPU ms/req', 23) +
        pad('SQL/req', 9) +
        pad('errors', 8) +
        pad('× PostGraphile', 16) +
        'target',
    );
    for (const side of sides) {
      const m = side.merged;
      let ratio = '';
      let target = '';
      if (side.key !== 'peer') {
        const x = m.rps / peerSide.merged.rps;
        ratio = `${x.toFixed(2)}×`;
        const goal = PEER_TARGETS[side.key];
        if (side.key === 'anonymous') {
          const met = x >= goal && m.p99 <= peerSide.merged.p99;
          target = `≥ ${goal.toFixed(1)}× and p99 ≤ ${peerSide.merged.p99.toFixed(1)} ms: ${met ? 'met' : 'MISSED'}`;
        } else {
          target = `≥ ${goal.toFixed(1)}×: ${x >= goal ? 'met' : 'MISSED'}`;
        }
      }
      console.log(
        pad(side.label, width) +
          pad(m.rps.toFixed(0), 12) +
          pad(m.p50.toFixed(1), 9) +
          pad(m.p99.toFixed(1), 9) +
          pad((side.cpu.server / m.requests).toFixed(2), 19) +
          pad(side.cpu.db === null ? 'not measured' : (side.cpu.db / m.requests).toFixed(2), 23) +
          pad(side.sql, 9) +
          pad(m.errors, 8) +
          pad(ratio, 16) +
          target,
      );
    }
    console.log(
      `response: Townsquare ${(responses.anonymous.bytes / 1024).toFixed(1)} KiB anonymous, ${(responses.signedIn.bytes / 1024).toFixed(1)} KiB signed in; PostGraphile ${(responses.peer.bytes / 1024).toFixed(1)} KiB (its field names are longer)`,
    );
    console.log(
      'rounds (requests/s, p99 ms): ' +
        sides
          .map(
            (s) =>
              `${s.label} ${s.runs.map((r) => `${r.single.rps.toFixed(0)}/${r.single.p99.toFixed(0)}`).join(', ')}`,
          )
          .join('; '),
    );
    console.log(
      `SQL/req: statements sent for one request (Townsquare: X-SQL-Statements; PostGraphile: counted in its pg pool). server CPU: the server's process tree; PostgreSQL CPU: its own backends\n`,
    );
  }
}

(async () => {
  const db = await openBenchDatabase();
  try {
    if (PEER && db.embedded)
      throw new Error('--peer needs PostgreSQL (PostGraphile cannot serve the embedded PGlite): unset BENCH_EMBEDDED');
    if (PEER) ensurePeer(); // before seeding: a failed install stops the bench early
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
    if (PEER) await benchPeer(db, seeded, tokenSecret, token);
    else await benchModes(db, seeded, tokenSecret, token, voterToken);
  } finally {
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
