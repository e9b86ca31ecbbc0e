#!/usr/bin/env node
/**
 * `npm run bench:notifications`: notifications written by background jobs (issue 15). Starts the
 * real server as a child process on the large community (seed-large.js). A member writes a post and
 * subscribes to `notificationAdded` over graphql-ws; COMMENTERS other members comment on it, RATE
 * comments a second in all for DURATION seconds (HTTP `addComment`, keep-alive, each commenter
 * waiting for its previous comment). Each comment's job groups it into the post's one unread
 * notification, which `notificationAdded` delivers again with its new count and latest comment. Two
 * jobs running at once may both name the later of their comments (each recounts the group), so a
 * comment counts as delivered by the first notification naming it or a later comment: the delay
 * from just before `addComment` is sent to that notification is measured. Then JOBS `notifications.reply` jobs are enqueued at once (re-running the jobs of the
 * community's latest comments, which recount their groups) and the time until the queue is empty
 * gives the jobs a second one instance's JOB_CONCURRENCY workers sustain.
 *
 * Prints: comments sent, notifications received, missing (must be 0); write → notificationAdded
 * p50, p99, max; server and PostgreSQL CPU per comment (its notification job included) and SQL
 * statements of addComment; jobs/s. Asserts nothing. Options (flag or environment):
 * --commenters=N (COMMENTERS, default 10), --rate=N (RATE, default 20), --duration=S (DURATION,
 * default 10), --jobs=N (JOBS, default 3000). Database: see harness.js.
 */
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const {
  progress,
  sleep,
  option,
  openBenchDatabase,
  createSessions,
  startServer,
  gql,
  newTokenSecret,
  globalIds,
  cpuMeter,
  machineLoad,
  quantile,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const COMMENTERS = Number(option('commenters', 'COMMENTERS', '10'));
const RATE = Number(option('rate', 'RATE', '20'));
const DURATION = Number(option('duration', 'DURATION', '10'));
const JOBS = Number(option('jobs', 'JOBS', '3000'));
const TARGETS = { p99: 100 };

const CREATE_POST = `mutation BenchPost($input: CreatePostInput!) { createPost(input: $input) { id } }`;
const ADD_COMMENT = `mutation BenchComment($input: AddCommentInput!) { addComment(input: $input) { id } }`;
const COMMUNITY = `query BenchCommunity($slug: String!) { community(slug: $slug) { id } }`;
const SUBSCRIPTION = `subscription BenchNotifications { notificationAdded { id count latestComment { id } } }`;

(async () => {
  const db = await openBenchDatabase();
  let server;
  let ws;
  try {
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let tokens;
    try {
      seeded = await seedLarge(client);
      await client.query(`delete from sessions where user_id in (select id from users where handle like 'bench-%')`);
      // The recipient and the commenters are plain members (101, 102, …).
      const members = seeded.userIds.slice(100, 101 + COMMENTERS);
      tokens = await createSessions(client, members, tokenSecret);
    } finally {
      await client.close();
    }
    const [recipientToken, ...commenterTokens] = tokens;
    console.log(describe(seeded));
    progress('starting the server…');
    server = await startServer(db.env, { tokenSecret });
    console.log(
      `server:   node ${process.version}, pid ${server.pid}, JOB_CONCURRENCY=${process.env.JOB_CONCURRENCY || '2 (default)'}, JOB_POLL_MS=${process.env.JOB_POLL_MS || '1000 (default)'}; machine: ${machineLoad()} at the start`,
    );
    const community = (await gql(server.url, COMMUNITY, { slug: seeded.slug })).data.community.id;
    const post = (
      await gql(
        server.url,
        CREATE_POST,
        { input: { communityId: community, title: 'Notify me', body: 'Comments welcome.' } },
        recipientToken,
      )
    ).data.createPost.id;

    // The recipient's subscription; a probe comment that arrives proves it listens.
    const idClient = await db.connect();
    const { fromGlobalId } = await globalIds(idClient);
    await idClient.close();
    const arrivals = new Map(); // comment id → ms, of the notifications naming it
    /** Each notification's latest comment (row id) with its arrival, in arrival order. */
    const covering = [];
    let received = 0;
    ws = createClient({
      url: server.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${recipientToken}` },
      lazy: false,
      retryAttempts: 0,
    });
    ws.subscribe(
      { query: SUBSCRIPTION },
      {
        next: ({ data }) => {
          received++;
          const id = data?.notificationAdded?.latestComment?.id;
          if (!id) return;
          const at = performance.now();
          if (!arrivals.has(id)) arrivals.set(id, at);
          covering.push({ latest: fromGlobalId('Comment', id), at });
        },
        error: (err) => console.error('subscription failed', err),
        complete: () => undefined,
      },
    );
    progress('waiting for the subscription (probe comments)…');
    for (let listening = false, i = 0; !listening; i++) {
      if (i === 50) throw new Error('no notification reached the subscriber');
      const probe = (
        await gql(server.url, ADD_COMMENT, { input: { postId: post, body: `probe ${i}` } }, commenterTokens[0])
      ).data.addComment.id;
      for (let w = 0; w < 20 && !arrivals.has(probe); w++) await sleep(100);
      listening = arrivals.has(probe);
    }
    await sleep(1000);

    progress(`${COMMENTERS} commenters, ${RATE} comments/s for ${DURATION} s…`);
    const sent = new Map(); // comment id → ms before sending
    const cpu = await cpuMeter(db, server.pid, { application: server.application });
    const statements = [];
    const interval = (1000 * COMMENTERS) / RATE;
    const started = performance.now();
    let failures = 0;
    await Promise.all(
      commenterTokens.map(async (token, c) => {
        for (let n = 0; ; n++) {
          const at = started + c * (interval / COMMENTERS) + n * interval;
          if (at > started + DURATION * 1000) return;
          const wait = at - performance.now();
          if (wait > 0) await sleep(wait);
          const before = performance.now();
          try {
            const res = await gql(server.url, ADD_COMMENT, { input: { postId: post, body: `c${c}-${n}` } }, token);
            sent.set(res.data.addComment.id, before);
            statements.push(Number(res.headers.get('x-sql-statements')));
          } catch {
            failures++;
          }
        }
      }),
    );
    // When the member was first told of each comment: the first notification naming it or a later one.
    const rowOf = new Map([...sent.keys()].map((id) => [id, fromGlobalId('Comment', id)]));
    const newest = Math.max(...rowOf.values());
    const coveredAt = (row) => {
      let seen = -Infinity;
      for (const c of covering) if ((seen = Math.max(seen, c.latest)) >= row) return c.at;
      return undefined;
    };
    // Every comment's notification, or nothing more for 5 s.
    for (let last = received, quiet = 0; quiet < 5000 && coveredAt(newest) === undefined;) {
      await sleep(100);
      quiet = received === last ? quiet + 100 : 0;
      last = received;
    }
    const perComment = cpu.perRequest(sent.size);
    const delays = [...sent]
      .map(([id, at]) => coveredAt(rowOf.get(id)) - at)
      .filter((ms) => !Number.isNaN(ms))
      .sort((a, b) => a - b);
    const named = [...sent.keys()].filter((id) => arrivals.has(id)).length;
    const missing = sent.size - delays.length;
    const f = (ms) => `${ms.toFixed(1)} ms`;
    console.log(
      `\ncomments sent: ${sent.size} (${failures} failed); notifications received: ${received} (${named} naming their comment, the others a later one); missing: ${missing} (must be 0)`,
    );
    console.log(
      `addComment → notificationAdded: p50 ${f(quantile(delays, 0.5))}, p99 ${f(quantile(delays, 0.99))} (target ≤ ${TARGETS.p99} ms), max ${f(delays[delays.length - 1] ?? NaN)}`,
    );
    console.log(
      `per comment, its notification job included: server CPU ${perComment.server.toFixed(2)} ms, PostgreSQL CPU ${perComment.db === null ? 'n/a' : `${perComment.db.toFixed(2)} ms`}; addComment SQL statements: ${[...new Set(statements)].join(', ')}`,
    );

    progress(`enqueuing ${JOBS} notifications.reply jobs…`);
    const c2 = await db.connect();
    try {
      await c2.query(
        `select graphile_worker.add_job('notifications.reply', json_build_object('commentId', c.id))
           from (select c.id from comments c join posts p on p.id = c.post_id join communities k on k.id = p.community_id
                  where k.slug = $1 order by c.id desc limit $2) c`,
        [seeded.slug, JOBS],
      );
      const t0 = performance.now();
      for (;;) {
        const { rows } = await c2.query(
          `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'notifications.reply'`,
        );
        if (rows[0].n === 0) break;
        await sleep(50);
      }
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `jobs: ${JOBS} notifications.reply in ${seconds.toFixed(2)} s: ${(JOBS / seconds).toFixed(0)} jobs/s by one instance's workers`,
      );
    } finally {
      await c2.close();
    }
  } finally {
    await ws?.dispose();
    if (server) await server.stop();
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
