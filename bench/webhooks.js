#!/usr/bin/env node
/**
 * `npm run bench:webhooks`: webhook deliveries (issue 15, point 5). Starts the real server as a child
 * process (WEBHOOK_ALLOWED_HOSTS=127.0.0.1) with an HTTP receiver on 127.0.0.1 in this process that
 * verifies every signature (standardwebhooks) and answers 200. An owner registers an endpoint for
 * POST_CREATED in a new community, then writes posts at RATE a second for DURATION seconds: the
 * delay from just before `createPost` is sent to the receiver's arrival of its signed delivery is
 * measured (a trigger records the event in the write's transaction, a job fans it out, another
 * signs and posts it). Then BURST posts are written at once (CONCURRENCY at a time) and the time from
 * the first write to the last delivery gives the deliveries a second one instance sustains.
 *
 * Prints: posts written, deliveries received, missing (must be 0), bad signatures (must be 0); write
 * → delivery p50, p99, max; deliveries/s. Asserts nothing. Options (flag or environment):
 * --rate=N (RATE, default 10), --duration=S (DURATION, default 10), --burst=N (BURST, default 500),
 * --concurrency=N (CONCURRENCY, default 10). JOB_POLL_MS and JOB_CONCURRENCY are passed to the
 * server as set (defaults: 1000 and 2). Database: see harness.js.
 */
const { createServer } = require('node:http');
const { Webhook } = require('standardwebhooks');
const {
  progress,
  sleep,
  option,
  openBenchDatabase,
  startServer,
  gql,
  newTokenSecret,
  machineLoad,
  quantile,
} = require('./harness');

const RATE = Number(option('rate', 'RATE', '10'));
const DURATION = Number(option('duration', 'DURATION', '10'));
const BURST = Number(option('burst', 'BURST', '500'));
const CONCURRENCY = Number(option('concurrency', 'CONCURRENCY', '10'));

const SIGN_UP = `mutation BenchSignUp($input: SignUpInput!) { signUp(input: $input) { token } }`;
const CREATE_COMMUNITY = `mutation BenchCommunity($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`;
const CREATE_ENDPOINT = `mutation BenchEndpoint($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret } }`;
const CREATE_POST = `mutation BenchPost($input: CreatePostInput!) { createPost(input: $input) { id } }`;

(async () => {
  const db = await openBenchDatabase();
  let server;
  let receiver;
  try {
    // The receiver: each delivery verified, its post's arrival time kept.
    const arrivals = new Map(); // post id → ms
    let received = 0;
    let badSignatures = 0;
    let verifier = null;
    receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const at = performance.now();
        received++;
        try {
          const payload = verifier.verify(body, req.headers);
          const id = payload.data.post.id;
          if (!arrivals.has(id)) arrivals.set(id, at);
        } catch {
          badSignatures++;
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

    progress('starting the server…');
    server = await startServer(db.env, {
      tokenSecret: newTokenSecret(),
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', AUTH_RATE_LIMIT: '1000' },
    });
    console.log(
      `server:   node ${process.version}, pid ${server.pid}, JOB_CONCURRENCY=${process.env.JOB_CONCURRENCY || '2 (default)'}, JOB_POLL_MS=${process.env.JOB_POLL_MS || '1000 (default)'}; machine: ${machineLoad()} at the start`,
    );
    const handle = `bench${Date.now().toString(36)}`;
    const token = (
      await gql(server.url, SIGN_UP, {
        input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' },
      })
    ).data.signUp.token;
    const communityId = (
      await gql(
        server.url,
        CREATE_COMMUNITY,
        { input: { slug: handle, name: 'Webhook bench', description: 'bench', visibility: 'PUBLIC' } },
        token,
      )
    ).data.createCommunity.id;
    const secret = (
      await gql(
        server.url,
        CREATE_ENDPOINT,
        { input: { communityId, url: hookUrl, eventTypes: ['POST_CREATED'] } },
        token,
      )
    ).data.createWebhookEndpoint.secret;
    verifier = new Webhook(secret);
    const post = async (title) =>
      (await gql(server.url, CREATE_POST, { input: { communityId, title, body: 'Delivered.', tags: [] } }, token)).data
        .createPost.id;
    const waitFor = async (ids) => {
      for (let last = received, quiet = 0; quiet < 10_000 && ids.some((id) => !arrivals.has(id));) {
        await sleep(50);
        quiet = received === last ? quiet + 50 : 0;
        last = received;
      }
    };

    progress(`${RATE} posts/s for ${DURATION} s…`);
    const sent = new Map(); // post id → ms before sending
    const started = performance.now();
    for (let n = 0; ; n++) {
      const at = started + (n * 1000) / RATE;
      if (at > started + DURATION * 1000) break;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      const before = performance.now();
      sent.set(await post(`p${n}`), before);
    }
    await waitFor([...sent.keys()]);
    const delays = [...sent]
      .filter(([id]) => arrivals.has(id))
      .map(([id, at]) => arrivals.get(id) - at)
      .sort((a, b) => a - b);
    const f = (ms) => `${ms.toFixed(1)} ms`;
    console.log(
      `\nposts written: ${sent.size}; deliveries received: ${received}; missing: ${sent.size - delays.length} (must be 0); bad signatures: ${badSignatures} (must be 0)`,
    );
    console.log(
      `createPost → signed delivery at the receiver: p50 ${f(quantile(delays, 0.5))}, p99 ${f(quantile(delays, 0.99))}, max ${f(delays[delays.length - 1] ?? NaN)}`,
    );

    progress(`${BURST} posts at once (${CONCURRENCY} at a time)…`);
    const burst = [];
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < BURST) burst.push(await post(`b${next++}`));
      }),
    );
    const written = (performance.now() - t0) / 1000;
    await waitFor(burst);
    const seconds = (Math.max(...burst.map((id) => arrivals.get(id) ?? 0)) - t0) / 1000;
    const delivered = burst.filter((id) => arrivals.has(id)).length;
    console.log(
      `burst: ${BURST} posts written in ${written.toFixed(2)} s, ${delivered} delivered in ${seconds.toFixed(2)} s: ${(delivered / seconds).toFixed(0)} deliveries/s by one instance's workers`,
    );
  } finally {
    if (server) await server.stop();
    receiver?.close();
    await db.drop();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
