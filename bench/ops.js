#!/usr/bin/env node
/**
 * `npm run bench:ops`: the cost of single operations (issue 13, target 2), each driven alone with
 * autocannon against the real server (response cache off) on the large community (seed-large.js):
 *
 * - `typename`: `{ __typename }`, anonymous: what a request costs before it does anything;
 * - `addComment` on the first page's posts (the connection's member comments on each in turn): each
 *   comment enqueues its `notifications.reply` job in its statement;
 * - `addOwnComment`: `addComment` on a post of the member's own, created for the run: nobody to
 *   notify, no job enqueued; `addPeerComment`: on the next member's post, so one `notifications.reply`
 *   job is enqueued in the statement, each post still written by one member. Run together with
 *   --job-concurrency=0 (the jobs wait in the table rather than run in the server), their difference
 *   is what enqueueing costs a comment, printed on a line of its own (issue 15's target: < 0.5 ms
 *   server CPU);
 * - `setVote` (UP, then NONE, on each post in turn) and `setReaction` (add, then take back 👍), so the database
 *   ends where it began for those two;
 * - `sendChatMessage`: a message in the chat of a LIVE_STREAM event of the community, created and
 *   started by its owner for the run (CHAT_RATE_LIMIT=1000000, so the per-member flood limit stays
 *   out of the way; no slow mode; nobody subscribed);
 * - `castVote`: the member's ballot on a SINGLE poll of 4 options created for the run, a different
 *   option each time: the first call casts the ballot, every later one replaces it (the poll's row
 *   lock, choices replaced, counts moved by the difference, pollUpdated published);
 * - `setRsvp`: the member's answer to a one-off MEETUP created for the run, a week ahead, with
 *   ⌊connections / 2⌋ seats, toggled GOING / NOT_GOING (repeating an answer changes nothing, so each
 *   call changes it): under the event's row lock, GOING takes a seat or joins the waitlist, and
 *   NOT_GOING from a seated member hands the seat to the first on the waitlist.
 *
 * Each connection acts as its own member (a session per connection, none voting on their own posts),
 * and keeps its place in each operation's sequence across the warm-up and the measurement.
 * Prints requests/s, p50, p99, the server's CPU per operation (from /proc: its process and children,
 * profiler or not), its PostgreSQL backends' CPU per operation and the SQL statements one operation
 * runs (X-SQL-Statements), next to the issue's targets; asserts nothing. The comments, chat messages,
 * events and polls it writes stay in the bench database (dropped after the run unless BENCH_KEEP=1 or
 * DATABASE_URL).
 *
 * --peer: Townsquare against PostGraphile 4 on the same database (bench/peer/, installed there on
 * demand with npm, never a dependency of Townsquare; bench/peer/server.js: anonymous, no GraphiQL,
 * no query log, no watch): `{ __typename }` on both, and Townsquare's `addComment` against
 * PostGraphile's generated `createComment`, a plain insert of the columns the comments table
 * requires (postId, authorId, body, bodyHtml; no counters, no Markdown rendering, no checks) by the
 * same members on the same posts. Each side is warmed up for 3 s, then the two alternate for ROUNDS
 * rounds of DURATION seconds (each run after a 1 s warm-up of its side); per side, over its rounds:
 * requests/s, p50, p99, server and PostgreSQL CPU per operation (each server's own backends, told
 * apart by application_name), SQL statements of one operation (PostGraphile's counted in its pg
 * pool, begin and commit included) and the ratio Townsquare/PostGraphile of requests/s next to
 * the targets (`{ __typename }` ≥ 0.3×, addComment ≥ 0.5×). PostGraphile's comments are deleted
 * after the run (they bypassed posts.comment_count); Townsquare's stay.
 *
 * Options (flag or environment): --duration=S (DURATION, default 10), --connections=N (CONNECTIONS,
 * default 10), --ops=typename,addComment,setVote,setReaction,sendChatMessage,castVote,setRsvp (OPS, default these;
 * also addOwnComment, addPeerComment; with --peer typename,addComment, the ops it has a peer for), --peer (PEER=1),
 * --rounds=N (ROUNDS, with --peer, default 2), --job-concurrency=N (JOB_CONCURRENCY, the server's job
 * workers, default its own: 2). Database: see harness.js (--peer needs PostgreSQL, not BENCH_EMBEDDED).
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server (one profile for all ops).
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
  globalIds,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const PEER = process.argv.includes('--peer') || process.env.PEER === '1';
const DURATION = Number(option('duration', 'DURATION', '10'));
const CONNECTIONS = Number(option('connections', 'CONNECTIONS', '10'));
const OPS = option(
  'ops',
  'OPS',
  PEER ? 'typename,addComment' : 'typename,addComment,setVote,setReaction,sendChatMessage,castVote,setRsvp',
).split(',');
const ROUNDS = Number(option('rounds', 'ROUNDS', '2'));
const JOB_CONCURRENCY = option('job-concurrency', 'JOB_CONCURRENCY', '');
/** Issue 13's targets: server CPU per operation, in ms. */
const TARGET_CPU_MS = {
  typename: 0.2,
  addComment: 2.5,
  addOwnComment: 2.5,
  addPeerComment: 2.5,
  setVote: 2.5,
  setReaction: 2.5,
  sendChatMessage: 2.5,
  castVote: 2.5,
  setRsvp: 2.5,
};
/** Seats of the setRsvp bench's event: fewer than the members answering, so the waitlist path runs too. */
const RSVP_SEATS = Math.max(1, Math.floor(CONNECTIONS / 2));

const PAGE_POSTS = `query OpsPagePosts($slug: String!) {
  community(slug: $slug) { id posts(first: 50, orderBy: HOT) { edges { node { id author { id } } } } }
}`;
const CREATE_EVENT = 'mutation OpsCreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }';
const START_LIVE = 'mutation OpsStartLive($input: OpenLiveStreamInput!) { openLiveStream(input: $input) { id live } }';
const CREATE_POST = 'mutation OpsCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }';
const CREATE_POLL =
  'mutation OpsCreatePoll($input: CreatePollInput!) { createPoll(input: $input) { id options { id } } }';

/** The body of the n-th comment: the same words on both sides of --peer. */
const commentBody = (n) => `Bench comment ${n}: a few words, as people write them.`;

/**
 * Each operation: its document, and the variables of a member's n-th request (n from 1, per member
 * and operation). `who` is the connection's member: { token, index, posts } with the posts they may
 * vote on; `subjects` what the run created for it (see createSubjects).
 */
const OPERATIONS = {
  typename: {
    anonymous: true,
    query: '{ __typename }',
    variables: () => ({}),
  },
  addComment: {
    query: 'mutation OpsAddComment($input: AddCommentInput!) { addComment(input: $input) { id } }',
    variables: (who, n) => ({ input: { postId: who.posts[n % who.posts.length], body: commentBody(n) } }),
  },
  addOwnComment: {
    needs: 'ownPosts',
    query: 'mutation OpsAddOwnComment($input: AddCommentInput!) { addComment(input: $input) { id } }',
    variables: (who, n) => ({ input: { postId: who.ownPost, body: commentBody(n) } }),
  },
  addPeerComment: {
    needs: 'ownPosts',
    query: 'mutation OpsAddPeerComment($input: AddCommentInput!) { addComment(input: $input) { id } }',
    variables: (who, n) => ({ input: { postId: who.peerPost, body: commentBody(n) } }),
  },
  setVote: {
    query: 'mutation OpsSetVote($input: SetVoteInput!) { setVote(input: $input) { ... on Post { id score } } }',
    variables: (who, n) => ({
      input: {
        subjectId: who.posts[n % who.posts.length],
        value: Math.floor(n / who.posts.length) % 2 === 0 ? 'UP' : 'NONE',
      },
    }),
  },
  setReaction: {
    query: 'mutation OpsSetReaction($input: SetReactionInput!) { setReaction(input: $input) { ... on Post { id } } }',
    variables: (who, n) => ({
      input: {
        subjectId: who.posts[n % who.posts.length],
        emoji: '👍',
        reacted: Math.floor(n / who.posts.length) % 2 === 0,
      },
    }),
  },
  sendChatMessage: {
    needs: 'stream',
    query: 'mutation OpsSendChatMessage($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }',
    variables: (who, n, subjects) => ({
      input: { eventId: subjects.stream, body: `Bench chat message ${n}: hello from the load test.` },
    }),
  },
  castVote: {
    needs: 'poll',
    query: 'mutation OpsCastVote($input: CastVoteInput!) { castVote(input: $input) { id totalVoters } }',
    variables: (who, n, subjects) => ({
      input: {
        pollId: subjects.poll.id,
        optionIds: [subjects.poll.options[(who.index + n) % subjects.poll.options.length].id],
      },
    }),
  },
  setRsvp: {
    needs: 'meetup',
    query: 'mutation OpsSetRsvp($input: SetRsvpInput!) { setRsvp(input: $input) { id status waitlisted } }',
    variables: (who, n, subjects) => ({
      input: { eventId: subjects.meetup, status: n % 2 === 1 ? 'GOING' : 'NOT_GOING' },
    }),
  },
};

/**
 * PostGraphile's side of --peer for the operations that have one: its document and the variables of a
 * member's n-th request (`who.userId` and `who.rawPosts`: database ids, PostGraphile's own).
 */
const PEER_OPERATIONS = {
  typename: { label: '{ __typename }', target: 0.3, query: '{ __typename }', variables: () => ({}) },
  addComment: {
    label: 'createComment',
    target: 0.5,
    query:
      'mutation PeerCreateComment($input: CreateCommentInput!) { createComment(input: $input) { comment { id } } }',
    variables: (who, n) => {
      const body = `${commentBody(n)} (PostGraphile createComment)`;
      return {
        input: {
          comment: {
            postId: who.rawPosts[n % who.rawPosts.length],
            authorId: who.userId,
            body,
            bodyHtml: `<p>${body}</p>\n`,
          },
        },
      };
    },
  },
};
const PEER_BODY_LIKE = '% (PostGraphile createComment)';

/**
 * What the chosen operations need, created through the API by the community's owner: a started
 * LIVE_STREAM (`stream`), a SINGLE poll of 4 options (`poll`), a MEETUP a week ahead with RSVP_SEATS
 * seats (`meetup`).
 */
async function createSubjects(url, ownerToken, communityId, needs) {
  const subjects = {};
  const hours = (h) => new Date(Date.now() + h * 3600_000).toISOString();
  const event = async (input) =>
    (
      await gql(
        url,
        CREATE_EVENT,
        { input: { communityId, timeZone: 'UTC', description: 'bench/ops.js', ...input } },
        ownerToken,
      )
    ).data.createEvent.id;
  if (needs.has('stream')) {
    subjects.stream = await event({
      kind: 'LIVE_STREAM',
      title: 'Bench: ops live stream',
      startsAt: hours(0),
      endsAt: hours(2),
    });
    await gql(url, START_LIVE, { input: { eventId: subjects.stream } }, ownerToken);
  }
  if (needs.has('poll')) {
    subjects.poll = (
      await gql(
        url,
        CREATE_POLL,
        { input: { communityId, question: 'Bench: which way?', options: ['North', 'East', 'South', 'West'] } },
        ownerToken,
      )
    ).data.createPoll;
  }
  if (needs.has('meetup')) {
    subjects.meetup = await event({
      kind: 'MEETUP',
      title: 'Bench: ops meetup',
      startsAt: hours(7 * 24),
      endsAt: hours(7 * 24 + 2),
      capacity: RSVP_SEATS,
    });
  }
  return subjects;
}

/**
 * autocannon options for one operation: each connection its own member (round robin over `people`),
 * each member's requests numbered by `counter` (kept on the member, so runs continue its sequence),
 * GraphQL errors (HTTP 200) counted into `failed`.
 */
function loadOptions(url, people, { query, variables, anonymous, counter }, subjects, failed) {
  let connections = 0;
  return {
    url,
    connections: CONNECTIONS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          context.who ??= people[connections++ % people.length];
          const n = (context.who[counter] = (context.who[counter] ?? 0) + 1);
          const headers = { 'content-type': 'application/json' };
          if (!anonymous) headers.authorization = `Bearer ${context.who.token}`;
          return { ...req, headers, body: JSON.stringify({ query, variables: variables(context.who, n, subjects) }) };
        },
        onResponse: (_status, body) => {
          if (!body.includes('"errors"')) return;
          failed.count++;
          failed.first ??= body.slice(0, 300);
        },
      },
    ],
  };
}

/** One request alone, as the next of people[0]'s sequence; throws on a GraphQL error. */
async function probe(url, people, { query, variables, anonymous, counter }, subjects, name) {
  const who = people[0];
  const n = (who[counter] = (who[counter] ?? 0) + 1);
  return gql(url, query, variables(who, n, subjects), anonymous ? undefined : who.token).catch((err) => {
    throw new Error(`${name}: ${err.message}`);
  });
}

/** The operations alone on Townsquare (no --peer). */
async function benchOps(db, server, people, subjects) {
  const rows = [];
  for (const name of OPS) {
    const op = { ...OPERATIONS[name], counter: name };
    // One request first, alone: its SQL statements (and any error, which would void the figures).
    const statements = Number((await probe(server.url, people, op, subjects, name)).headers.get('x-sql-statements'));
    const failed = { count: 0, first: null };
    const opts = loadOptions(server.url, people, op, subjects, failed);
    progress(`${name}: ${statements} SQL statements; warm-up 3 s…`);
    await run({ ...opts, duration: 3 });
    failed.count = 0;
    const load = machineLoad();
    progress(`${name}: measuring ${DURATION} s…`);
    const meter = await cpuMeter(db, server.pid, { application: server.application });
    const r = await run({ ...opts, duration: DURATION });
    const cpu = meter.perRequest(r.requests.total);
    rows.push({ name, r, statements, cpu, load, failed: { ...failed } });
    await sleep(1000); // the server finishes what autocannon dropped at its deadline
  }

  const width = Math.max(14, ...OPS.map((n) => n.length + 2));
  const pad = (s, n) => String(s).padEnd(n);
  console.log(
    pad('operation', width) +
      pad('requests/s', 12) +
      pad('p50 ms', 9) +
      pad('p99 ms', 9) +
      pad('server CPU ms/op', 18) +
      pad('target', 10) +
      pad('PostgreSQL CPU ms/op', 22) +
      pad('SQL/op', 8) +
      'errors (HTTP or GraphQL)',
  );
  for (const { name, r, statements, cpu, failed } of rows) {
    const errors = r.errors + r.timeouts + r.non2xx + failed.count;
    console.log(
      pad(name, width) +
        pad(r.requests.average.toFixed(0), 12) +
        pad(r.latency.p50.toFixed(1), 9) +
        pad(r.latency.p99.toFixed(1), 9) +
        pad(cpu.server.toFixed(2), 18) +
        pad(`≤ ${TARGET_CPU_MS[name]}`, 10) +
        pad(cpu.db === null ? 'not measured' : cpu.db.toFixed(2), 22) +
        pad(statements, 8) +
        errors,
    );
  }
  const byName = new Map(rows.map((row) => [row.name, row]));
  if (byName.has('addPeerComment') && byName.has('addOwnComment')) {
    const [a, b] = [byName.get('addPeerComment').cpu, byName.get('addOwnComment').cpu];
    const diff = (x, y) => (x === null || y === null ? 'not measured' : `${(x - y).toFixed(2)} ms`);
    console.log(
      `\nenqueue cost (addPeerComment − addOwnComment, JOB_CONCURRENCY=${JOB_CONCURRENCY || '2 (default)'}): ` +
        `server CPU ${diff(a.server, b.server)} (target < 0.5 ms), PostgreSQL CPU ${diff(a.db, b.db)}` +
        (JOB_CONCURRENCY === '0' ? '' : ' — the server also ran the jobs: use --job-concurrency=0'),
    );
  }
  console.log('');
  for (const { name, r, load, failed } of rows) {
    console.log(
      `${name}: ${r.requests.total} requests in ${r.duration.toFixed(1)} s; ${load} before the run` +
        (failed.first ? `; first GraphQL error: ${failed.first}` : ''),
    );
  }
}

/** --peer: each operation on Townsquare and its counterpart on PostGraphile, alternating. */
async function benchPeer(db, server, people, versions) {
  progress('peer: starting PostGraphile…');
  const peer = await startPeer(db.env);
  const results = [];
  try {
    console.log(
      `peer: PostGraphile ${versions.postgraphile} (graphql ${versions.graphql}), pid ${peer.pid}: anonymous, schema public, pg pool 10, one process`,
    );
    console.log(
      `each side warmed up 3 s, then ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${DURATION} s per side, alternating (each after a 1 s warm-up of its side)\n`,
    );
    for (const name of OPS) {
      const ours = { ...OPERATIONS[name], counter: name };
      const theirs = { ...PEER_OPERATIONS[name], anonymous: true, counter: `peer:${name}` };
      const sides = [
        {
          key: 'townsquare',
          label: name === 'typename' ? 'Townsquare' : `Townsquare ${name}`,
          url: server.url,
          pid: server.pid,
          application: server.application,
          op: ours,
          statements: async () =>
            Number((await probe(server.url, people, ours, {}, name)).headers.get('x-sql-statements')),
        },
        {
          key: 'peer',
          label: name === 'typename' ? 'PostGraphile' : `PostGraphile ${theirs.label}`,
          url: peer.url,
          pid: peer.pid,
          application: peer.application,
          op: theirs,
          statements: async () => {
            const before = await peer.statements();
            await probe(peer.url, people, theirs, {}, `PostGraphile ${theirs.label}`);
            return (await peer.statements()) - before;
          },
        },
      ];
      for (const side of sides) {
        side.sql = await side.statements();
        side.failed = { count: 0, first: null };
        side.opts = loadOptions(side.url, people, side.op, {}, side.failed);
        progress(`${side.label}: ${side.sql} SQL statements; warm-up 3 s…`);
        await run({ ...side.opts, duration: 3 });
        side.failed.count = 0;
        side.failed.first = null;
        side.runs = [];
        side.cpu = { server: 0, db: 0 };
      }
      const load = machineLoad();
      for (let round = 1; round <= ROUNDS; round++) {
        for (const side of sides) {
          await run({ ...side.opts, duration: 1 });
          const before = side.failed.count;
          progress(`round ${round}/${ROUNDS}, ${side.label}: measuring ${DURATION} s…`);
          const meter = await cpuMeter(db, side.pid, { application: side.application });
          const raw = await autocannonRaw({ ...side.opts, duration: DURATION });
          const cpu = meter.total();
          side.runs.push({ raw, single: mergeRuns([raw], side.url), failed: side.failed.count - before });
          side.cpu.server += cpu.server;
          side.cpu.db = side.cpu.db === null || cpu.db === null ? null : side.cpu.db + cpu.db;
          await sleep(500); // the server finishes what autocannon dropped at its deadline
        }
      }
      for (const side of sides) {
        side.merged = mergeRuns(
          side.runs.map((r) => r.raw),
          side.url,
        );
        side.errors = side.merged.errors + side.runs.reduce((total, r) => total + r.failed, 0);
      }
      results.push({ name, sides, load, target: theirs.target });
    }
  } finally {
    progress('stopping PostGraphile…');
    await peer.stop();
  }
  if (OPS.includes('addComment')) {
    const client = await db.connect();
    try {
      const { rowCount } = await client.query('delete from comments where body like $1 and post_id = any($2::int[])', [
        PEER_BODY_LIKE,
        [...new Set(people.flatMap((p) => p.rawPosts))],
      ]);
      progress(`deleted PostGraphile's ${rowCount} comments`);
    } finally {
      await client.close();
    }
  }

  const width = Math.max(30, ...results.flatMap((r) => r.sides.map((s) => s.label.length + 2)));
  const pad = (s, n) => String(s).padEnd(n);
  console.log(
    pad('operation', width) +
      pad('requests/s', 12) +
      pad('p50 ms', 9) +
      pad('p99 ms', 9) +
      pad('server CPU ms/op', 18) +
      pad('PostgreSQL CPU ms/op', 22) +
      pad('SQL/op', 8) +
      pad('errors', 8) +
      pad('× PostGraphile', 16) +
      'target',
  );
  for (const { name, sides, target } of results) {
    const peerSide = sides.find((s) => s.key === 'peer');
    for (const side of sides) {
      const m = side.merged;
      const x = m.rps / peerSide.merged.rps;
      const vs =
        side.key === 'peer'
          ? ['', '']
          : [
              `${x.toFixed(2)}×`,
              `≥ ${target}×: ${x >= target ? 'met' : 'MISSED'}; server CPU ≤ ${TARGET_CPU_MS[name]} ms`,
            ];
      console.log(
        pad(side.label, width) +
          pad(m.rps.toFixed(0), 12) +
          pad(m.p50.toFixed(1), 9) +
          pad(m.p99.toFixed(1), 9) +
          pad((side.cpu.server / m.requests).toFixed(2), 18) +
          pad(side.cpu.db === null ? 'not measured' : (side.cpu.db / m.requests).toFixed(2), 22) +
          pad(side.sql, 8) +
          pad(side.errors, 8) +
          pad(vs[0], 16) +
          vs[1],
      );
    }
  }
  console.log(
    'SQL/op: statements sent for one operation (Townsquare: X-SQL-Statements; PostGraphile: counted in its pg pool, begin/commit included)',
  );
  for (const { name, sides, load } of results) {
    console.log(
      `${name}: ${load} before the rounds; rounds (requests/s, p99 ms): ` +
        sides
          .map(
            (s) =>
              `${s.label} ${s.runs.map((r) => `${r.single.rps.toFixed(0)}/${r.single.p99.toFixed(0)}`).join(', ')}`,
          )
          .join('; ') +
        sides
          .filter((s) => s.failed.first)
          .map((s) => `; first GraphQL error of ${s.label}: ${s.failed.first}`)
          .join(''),
    );
  }
}

(async () => {
  const unknown = OPS.filter((op) => !(op in OPERATIONS));
  if (unknown.length)
    throw new Error(`unknown --ops ${unknown.join(', ')} (known: ${Object.keys(OPERATIONS).join(', ')})`);
  const unpaired = PEER ? OPS.filter((op) => !(op in PEER_OPERATIONS)) : [];
  if (unpaired.length)
    throw new Error(
      `--peer has no PostGraphile counterpart for ${unpaired.join(', ')} (it has: ${Object.keys(PEER_OPERATIONS).join(', ')})`,
    );
  const versions = PEER ? ensurePeer() : null;
  const db = await openBenchDatabase();
  let server;
  try {
    if (PEER && db.embedded)
      throw new Error('--peer needs PostgreSQL (PostGraphile cannot serve the embedded PGlite): unset BENCH_EMBEDDED');
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let members;
    let tokens;
    let ownerToken;
    let ids;
    try {
      seeded = await seedLarge(client);
      // One member per connection, not the feed bench's viewer, nor the owner who sets up events and
      // polls; sessions of earlier runs are stale.
      const ownerId = seeded.userIds[0];
      members = seeded.userIds.filter((id) => id !== seeded.viewerId && id !== ownerId).slice(-CONNECTIONS);
      await client.query('delete from sessions where user_id = any($1::int[])', [[ownerId, ...members]]);
      [ownerToken, ...tokens] = await createSessions(client, [ownerId, ...members], tokenSecret);
      ids = await globalIds(client);
    } finally {
      await client.close();
    }
    console.log(describe(seeded));
    console.log(
      `load generator: autocannon in the bench process, same machine; ${CONNECTIONS} connections, each a member of "${seeded.slug}"`,
    );
    console.log(
      `${PEER ? 'Townsquare against PostGraphile 4' : `${DURATION} s per operation after a 3 s warm-up`}; response cache off\n`,
    );

    progress('starting the server…');
    server = await startServer(db.env, {
      tokenSecret,
      env: {
        RESPONSE_CACHE_SECONDS: '0',
        CHAT_RATE_LIMIT: '1000000',
        ...(JOB_CONCURRENCY ? { JOB_CONCURRENCY } : {}),
      },
    });
    progress(`server node ${process.version}, ${server.url}, pid ${server.pid}`);
    const { community } = (await gql(server.url, PAGE_POSTS, { slug: seeded.slug })).data;
    const page = community.posts.edges.map((e) => e.node);
    const people = [];
    for (const [index, token] of tokens.entries()) {
      const id = (await gql(server.url, '{ viewer { id } }', {}, token)).data.viewer.id;
      const posts = page.filter((p) => p.author.id !== id).map((p) => p.id);
      people.push({
        token,
        index,
        userId: members[index],
        posts,
        rawPosts: posts.map((p) => ids.fromGlobalId('Post', p)),
      });
    }
    if (PEER) {
      await benchPeer(db, server, people, versions);
    } else {
      const needs = new Set(OPS.map((op) => OPERATIONS[op].needs).filter(Boolean));
      const subjects = await createSubjects(server.url, ownerToken, community.id, needs);
      if (needs.has('ownPosts')) {
        for (const who of people) {
          const created = await gql(
            server.url,
            CREATE_POST,
            { input: { communityId: community.id, title: `Bench: member ${who.index}'s post`, body: 'bench/ops.js' } },
            who.token,
          );
          who.ownPost = created.data.createPost.id;
        }
        for (const who of people) who.peerPost = people[(who.index + 1) % people.length].ownPost;
      }
      await benchOps(db, server, people, subjects);
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
