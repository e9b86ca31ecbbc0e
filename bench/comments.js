#!/usr/bin/env node
/**
 * `npm run bench:comments`: live comment fan-out (issue 3, point 9b). Starts the real server as a
 * child process on the large community (seed-large.js); opens SUBSCRIBERS graphql-ws clients, each
 * over its own WebSocket and signed in as its own member, spread over CLIENT_PROCS child processes
 * (comment-subscribers.js), all subscribed to `commentAdded` on one post. Probe comments are added
 * until every subscriber has received one (so all are subscribed); then, with the subscriptions
 * idle, the server's memory is read; then a comment is added ROUNDS times and the time until each
 * subscriber has it is measured (from just before the mutation is sent). Prints p50, p99 and max
 * delivery, server memory per idle subscription and server CPU per fan-out; asserts nothing.
 *
 * Scale-out (issue 16, point 3): with --instances=N (INSTANCES, default 1) it starts N servers on the
 * same PostgreSQL and Redis (REDIS_URL required), spreads the subscribers evenly over them (client
 * process w talks to instance w mod N, as a round-robin balancer would place them) and adds every
 * comment through the first instance, so that most deliveries cross instances through Redis.
 * Memory per subscription and CPU are summed over the instances. `npm run bench:scale-out` is
 * `--instances=3 --subscribers=30000`.
 *
 * Options (flag or environment): --subscribers=N (SUBSCRIBERS, default 1000), --client-procs=N
 * (CLIENT_PROCS, default: cores − 1, from 1 to 4, raised to a multiple of the instances), --rounds=N
 * (ROUNDS, default 3),
 * --count-sql (COUNT_SQL=1; PostgreSQL only, adds about 40 s): SQL statements the server runs per
 * subscriber for one comment, from the database's transaction counter (pg_stat_database.xact_commit;
 * the server's reads are single-statement transactions, and PostgreSQL publishes the counter only
 * after its backends have been idle for up to 10 s, hence the waits). Database: see harness.js.
 */
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { join } = require('node:path');
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');
const {
  progress,
  startWorker,
  sleep,
  option,
  openBenchDatabase,
  createSessions,
  startServer,
  assertFileLimit,
  openFileLimits,
  gql,
  newTokenSecret,
  rssKb,
  cpuSeconds,
  machineLoad,
  quantile,
  closeWorkers,
} = require('./harness');
const { seedLarge, describe } = require('./seed-large');

const SUBSCRIBERS = Number(option('subscribers', 'SUBSCRIBERS', '1000'));
const INSTANCES = Number(option('instances', 'INSTANCES', '1'));
// One core for the server, the rest (up to 4) for the clients. Measured on 2 cores at 10,000
// subscribers: 1 client process received everything as fast as 2 or 4 did (the clients spend about
// 300 ms of CPU per fan-out in all), while extra processes only competed with the server for CPU.
// With several instances, each client process talks to one of them: at least one process each.
const CLIENT_PROCS = (() => {
  const asked = Number(
    option('client-procs', 'CLIENT_PROCS', String(Math.min(4, Math.max(1, availableParallelism() - 1)))),
  );
  return Math.ceil(asked / INSTANCES) * INSTANCES;
})();
const ROUNDS = Number(option('rounds', 'ROUNDS', '3'));
let COUNT_SQL = process.argv.includes('--count-sql') || process.env.COUNT_SQL === '1';
const TARGETS = { p99: 800, kbPerSubscription: 60 };

const SUBSCRIPTION = `subscription CommentAdded($postId: ID!) {
  commentAdded(postId: $postId) { id body createdAt author { handle } }
}`;
const ADD_COMMENT = `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { id } }`;
const NEWEST_POSTS = `query Newest($slug: String!) { community(slug: $slug) { posts(first: 5, orderBy: NEW) { edges { node { id title pinned } } } } }`;

/**
 * Transactions committed in the bench database so far, once every backend has published its
 * counters (they do within 10 s of going idle). Each call costs one transaction itself.
 */
async function committedTransactions(db) {
  await sleep(11_000);
  const client = await db.connect();
  try {
    const { rows } = await client.query(
      'select xact_commit::int as n from pg_stat_database where datname = current_database()',
    );
    return rows[0].n;
  } finally {
    await client.close();
  }
}

(async () => {
  const range = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const perInstance = Math.ceil(SUBSCRIBERS / INSTANCES);
  if (perInstance > range[1] - range[0]) {
    console.error(
      `${perInstance} sockets to one server port need more local ports than ip_local_port_range offers (${range.join('–')}): add instances`,
    );
    process.exit(1);
  }
  if (INSTANCES > 1 && !process.env.REDIS_URL) {
    console.error('--instances above 1 needs REDIS_URL: instances share live events through Redis');
    process.exit(1);
  }
  const serverFiles = perInstance + 512;
  const workerFiles = Math.ceil(SUBSCRIBERS / CLIENT_PROCS) + 256;
  const { soft } = openFileLimits();
  assertFileLimit(Math.max(serverFiles, workerFiles)); // before anything is created that would need cleaning up
  if (Math.max(serverFiles, workerFiles) > soft) {
    progress(
      `open-file limit: ${soft} here; starting the server with ulimit -n ${serverFiles} and each client process with ${workerFiles}`,
    );
  }

  const db = await openBenchDatabase();
  if (INSTANCES > 1 && db.embedded) {
    await db.drop();
    console.error('--instances above 1 needs PostgreSQL: the embedded database belongs to one server');
    process.exit(1);
  }
  if (COUNT_SQL && db.embedded) {
    progress('--count-sql needs PostgreSQL (the embedded database belongs to the server while it runs): skipped');
    COUNT_SQL = false;
  }
  const servers = [];
  const workers = [];
  try {
    const client = await db.connect();
    const tokenSecret = newTokenSecret();
    let seeded;
    let tokens;
    try {
      seeded = await seedLarge(client);
      await client.query(`delete from sessions where user_id in (select id from users where handle like 'bench-%')`);
      // Subscribers are members 101, 102, … (wrapping around); the poster is a moderator (member 2).
      const members = seeded.userIds;
      const subscriberIds = Array.from({ length: SUBSCRIBERS }, (_, i) => members[100 + (i % (members.length - 100))]);
      progress(`creating ${SUBSCRIBERS + 1} sessions…`);
      tokens = await createSessions(client, [members[1], ...subscriberIds], tokenSecret);
    } finally {
      await client.close();
    }
    const [posterToken, ...subscriberTokens] = tokens;
    console.log(describe(seeded));
    progress(INSTANCES === 1 ? 'starting the server…' : `starting ${INSTANCES} instances…`);
    for (let i = 0; i < INSTANCES; i++) servers.push(await startServer(db.env, { tokenSecret, files: serverFiles }));
    const server = servers[0];
    const wsUrls = servers.map((s) => s.url.replace('http', 'ws'));
    const wsUrl = wsUrls[0];
    const { data } = await gql(server.url, NEWEST_POSTS, { slug: seeded.slug });
    const post = data.community.posts.edges.map((e) => e.node).find((p) => !p.pinned);
    const variables = { postId: post.id };
    let comments = 0;
    const addComment = (body) =>
      gql(server.url, ADD_COMMENT, { input: { postId: post.id, body } }, posterToken).then(() => comments++);
    console.log(
      `server:   node ${process.version}, ${INSTANCES === 1 ? `pid ${server.pid}` : `${INSTANCES} instances (pids ${servers.map((s) => s.pid).join(', ')}; comments added through the first)`}; subscribers: ${SUBSCRIBERS} graphql-ws clients, one WebSocket and one member each, in ${CLIENT_PROCS} client process${CLIENT_PROCS === 1 ? '' : 'es'} on the same machine`,
    );
    console.log(`post:     "${post.title}" (the newest of the community, not pinned)\n`);

    // Warm the subscription path once, so the baseline holds the code every subscription uses.
    progress('warming up the subscription path…');
    await new Promise((resolve, reject) => {
      const warm = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${subscriberTokens[0]}` },
        lazy: false,
        retryAttempts: 0,
      });
      let timer;
      const unsubscribe = warm.subscribe(
        { query: SUBSCRIPTION, variables },
        {
          next: () => {
            clearInterval(timer);
            unsubscribe();
            warm.dispose().then(resolve, reject);
          },
          error: reject,
          complete: () => undefined,
        },
      );
      timer = setInterval(() => addComment('warm-up comment').catch(reject), 300);
    });
    let mutationTransactions = 0;
    if (COUNT_SQL) {
      progress('counting the transactions of one addComment with no subscriber (about 25 s)…');
      const before = await committedTransactions(db);
      await addComment('counted comment, no subscribers');
      mutationTransactions = (await committedTransactions(db)) - before - 1;
    }
    await sleep(2000);
    const rssOf = () => servers.reduce((sum, s) => sum + rssKb(s.pid), 0);
    const cpuOf = () => servers.reduce((sum, s) => sum + cpuSeconds(s.pid), 0);
    const rssBefore = rssOf();

    progress(`opening ${SUBSCRIBERS} subscribers in ${CLIENT_PROCS} client processes…`);
    const openedAt = Date.now();
    const opened = new Array(CLIENT_PROCS).fill(0);
    let lastShown = 0;
    await Promise.all(
      Array.from({ length: CLIENT_PROCS }, (_, w) => {
        const share = subscriberTokens.filter((_, i) => i % CLIENT_PROCS === w);
        const worker = startWorker(join(__dirname, 'comment-subscribers.js'), workerFiles);
        workers.push(worker);
        worker.listen((msg) => {
          if (msg.type !== 'opened') return;
          opened[w] = msg.count;
          const total = opened.reduce((a, b) => a + b, 0);
          if (total - lastShown >= 1000 || total === SUBSCRIBERS) {
            lastShown = total;
            progress(`  ${total}/${SUBSCRIBERS} connected (${((Date.now() - openedAt) / 1000).toFixed(1)} s)`);
          }
        });
        const url = wsUrls[w % INSTANCES];
        worker.send({ type: 'start', url, tokens: share, query: SUBSCRIPTION, variables, concurrency: 50 });
        return new Promise((resolve) =>
          worker.listen((msg) => msg.type === 'opened' && msg.count === share.length && resolve()),
        );
      }),
    );
    const connectedMs = Date.now() - openedAt;

    // Subscriptions have no acknowledgement in the protocol: a probe comment that all receive proves them.
    const status = async () => {
      const all = await Promise.all(
        workers.map((w) => {
          const reply = w.next('status');
          w.send({ type: 'status' });
          return reply;
        }),
      );
      return {
        probed: all.reduce((n, s) => n + s.probed, 0),
        errors: all.reduce((n, s) => n + s.errors, 0),
        firstError: all.find((s) => s.firstError)?.firstError,
      };
    };
    let s = await status();
    for (let probe = 1; s.probed < SUBSCRIBERS; probe++) {
      if (Date.now() - openedAt > 120_000 + SUBSCRIBERS * 20) {
        throw new Error(
          `only ${s.probed} of ${SUBSCRIBERS} subscribers received a probe comment; ${s.errors} errors (first: ${s.firstError})`,
        );
      }
      await addComment(`probe ${probe}`);
      for (let i = 0; i < 10 && s.probed < SUBSCRIBERS; i++) {
        await sleep(200);
        s = await status();
      }
      progress(
        `  probe ${probe}: ${s.probed}/${SUBSCRIBERS} subscribers received it${s.errors ? `, ${s.errors} errors (first: ${s.firstError})` : ''}`,
      );
    }
    const subscribedMs = Date.now() - openedAt;

    progress('subscriptions idle for 3 s…');
    await sleep(3000);
    const rssAfter = rssOf();
    const load = machineLoad();

    const results = [];
    let sqlPerSubscriber;
    if (COUNT_SQL) progress('counting SQL for the first round: waiting for the database counters (about 25 s)…');
    const committedBefore = COUNT_SQL ? await committedTransactions(db) : 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const body = `timed comment ${round} ${randomBytes(4).toString('hex')}`;
      workers.forEach((w) => w.send({ type: 'watch', body }));
      await sleep(200); // the watch reaches every client process first
      const cpu0 = cpuOf();
      const t0 = performance.timeOrigin + performance.now();
      const replies = Promise.all(workers.map((w) => w.next('received')));
      await addComment(body);
      const mutationMs = performance.timeOrigin + performance.now() - t0;
      // Whoever has not received it within 60 s never will: collect what arrived.
      const timer = setTimeout(() => workers.forEach((w) => w.send({ type: 'collect' })), 60_000);
      const received = await replies;
      clearTimeout(timer);
      const times = received
        .flatMap((r) => r.times)
        .map((t) => t - t0)
        .sort((a, b) => a - b);
      const cpu = cpuOf() - cpu0;
      const clientCpuMs = received.reduce((sum, r) => sum + r.cpuMs, 0);
      results.push({ round, times, mutationMs, cpu, clientCpuMs });
      progress(`  round ${round}: ${times.length}/${SUBSCRIBERS} received, max ${times.at(-1)?.toFixed(0)} ms`);
      if (COUNT_SQL && round === 1) {
        sqlPerSubscriber =
          ((await committedTransactions(db)) - committedBefore - 1 - mutationTransactions) / SUBSCRIBERS;
      }
      await sleep(1000);
    }
    s = await status();

    const kb = (rssAfter - rssBefore) / SUBSCRIBERS;
    console.log(
      `${SUBSCRIBERS} subscribers connected in ${(connectedMs / 1000).toFixed(1)} s, all subscribed (probe received) after ${(subscribedMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `server memory${INSTANCES === 1 ? '' : ` (${INSTANCES} instances together)`}: VmRSS ${(rssBefore / 1024).toFixed(0)} MiB before the sockets, ${(rssAfter / 1024).toFixed(0)} MiB with ${SUBSCRIBERS} idle subscriptions`,
    );
    console.log(
      `  = ${kb.toFixed(1)} KiB (${(kb * 1.024).toFixed(1)} kB) per idle subscription, its WebSocket included (user-space memory only: kernel socket buffers are not in RSS)   target < ${TARGETS.kbPerSubscription} KB`,
    );
    console.log('');
    const pad = (v, n) => String(v).padEnd(n);
    console.log(
      pad('one comment → all', 20) +
        pad('received', 13) +
        pad('p50 ms', 9) +
        pad('p99 ms', 9) +
        pad('max ms', 9) +
        pad('mutation ms', 13) +
        pad('server CPU', 32) +
        'client processes CPU',
    );
    for (const { round, times, mutationMs, cpu, clientCpuMs } of results) {
      console.log(
        pad(`round ${round}`, 20) +
          pad(`${times.length}/${SUBSCRIBERS}`, 13) +
          pad(quantile(times, 0.5).toFixed(0), 9) +
          pad(quantile(times, 0.99).toFixed(0), 9) +
          pad(times.at(-1)?.toFixed(0), 9) +
          pad(mutationMs.toFixed(0), 13) +
          pad(`${(cpu * 1000).toFixed(0)} ms (${((cpu * 1e6) / SUBSCRIBERS).toFixed(0)} µs per subscriber)`, 32) +
          `${clientCpuMs.toFixed(0)} ms`,
      );
    }
    console.log(pad('target', 20) + pad('', 13) + pad('', 9) + pad(`< ${TARGETS.p99}`, 9) + '(at 10,000 subscribers)');
    if (sqlPerSubscriber !== undefined) {
      console.log(
        `SQL: ${sqlPerSubscriber.toFixed(2)} statements per subscriber for one comment (${mutationTransactions} transactions for the addComment itself, not included)`,
      );
    }
    console.log(
      `\n${load} before the timed rounds; subscriber errors: ${s.errors}${s.firstError ? ` (first: ${s.firstError})` : ''}; ${comments} comments added to the post`,
    );
  } finally {
    progress('closing subscribers and stopping the server…');
    await closeWorkers(workers);
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
})().catch((err) => {
  console.error(err.name === 'FileLimitError' ? err.message : err);
  process.exit(1);
});
