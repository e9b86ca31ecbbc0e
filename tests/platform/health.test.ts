/**
 * Health that tells the truth (issue 16, point 4): `/readyz` fails only when this instance cannot
 * serve. A Redis outage leaves it ready but `degraded` (in the body, and `townsquare_pubsub_up` 0;
 * queries and sign-ups still answered), and it is `ready` again once Redis is back. On stop (SIGTERM), readiness answers 503 at once while
 * requests are still served for SHUTDOWN_DELAY_MS; only then does the listener close.
 */
import { startPrivateRedis } from '../support/redis-server';
import { closeAll, signUp, startTestServer } from '../support/server';

afterAll(closeAll);

async function readiness(baseUrl: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}/readyz`);
  return { status: res.status, body: await res.json() };
}

/** `townsquare_pubsub_up` as GET /metrics reports it. */
async function pubsubUp(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^townsquare_pubsub_up (\S+)$/m.exec(text)?.[1]);
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 15_000): Promise<T> {
  let last: T | undefined;
  for (const started = Date.now(); Date.now() - started < ms;) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: last ${JSON.stringify(last)}`);
}

describe('/readyz', () => {
  it('stays 200, degraded, while Redis is down, the instance still answering; ready again once it is back', async () => {
    const redis = await startPrivateRedis();
    const server = await startTestServer({ REDIS_URL: redis.url });
    expect(await readiness(server.baseUrl)).toEqual({
      status: 200,
      body: { status: 'ready', database: { state: 'ok', embedded: false }, pubsub: { state: 'ok', kind: 'redis' } },
    });

    await redis.kill();
    const degraded = await until(
      () => readiness(server.baseUrl),
      (r) => r.body.status !== 'ready',
      'readiness to see the outage',
    );
    expect(degraded.status).toBe(200);
    expect(degraded.body).toEqual({
      status: 'degraded',
      database: { state: 'ok', embedded: false },
      pubsub: { state: expect.stringMatching(/^error: /), kind: 'redis' },
    });
    // The metric says so too.
    expect(await pubsubUp(server.baseUrl)).toBe(0);
    // Still serving: a query, and a sign-up (a write).
    const listed = await server.gql('{ communities(first: 1) { edges { node { id } } } }');
    expect(listed.status).toBe(200);
    expect(listed.body.errors).toBeUndefined();
    const user = await signUp(server, 'outage');
    expect(user.token).toMatch(/^tsq_/);

    await redis.start();
    await until(
      () => readiness(server.baseUrl),
      (r) => r.status === 200 && r.body.status === 'ready',
      'readiness to recover',
    );
    expect(await pubsubUp(server.baseUrl)).toBe(1);
  });
});

describe('stop (SIGTERM) with SHUTDOWN_DELAY_MS', () => {
  it('fails readiness at once but keeps serving until the delay ends, then closes the listener', async () => {
    const server = await startTestServer({ SHUTDOWN_DELAY_MS: '1500' });
    const started = Date.now();
    const stopping = server.app.stop();
    expect(await readiness(server.baseUrl)).toEqual({ status: 503, body: { status: 'draining' } });
    const answered = await server.gql('{ __typename }');
    expect([answered.status, answered.body]).toEqual([200, { data: { __typename: 'Query' } }]);
    const user = await signUp(server, 'late');
    expect(user.token).toMatch(/^tsq_/);
    await stopping;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await expect(fetch(`${server.baseUrl}/healthz`)).rejects.toThrow();
  });
});
