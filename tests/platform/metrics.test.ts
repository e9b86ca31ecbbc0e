/**
 * Metrics and request logs (issue 16, point 5): GET /metrics in Prometheus' text format counts HTTP
 * operations by name, type and outcome with their latency, SQL statements and SQL time, response
 * cache outcomes, WebSocket connections and subscriptions, pub/sub and database health, the job
 * queue and Node's defaults; operation names are capped (a client picks them); METRICS_TOKEN guards
 * it, and production serves it only with one. Each GraphQL access log line names the operation, its
 * type, the user and the API key.
 */
import { loadConfig } from '../../src/config';
import { MAX_OPERATION_NAMES } from '../../src/platform/metrics';
import { startServer } from '../../src/server';
import { record } from '../support/subscription';
import {
  capturingLogger,
  closeAll,
  createCommunity,
  onCleanup,
  signUp,
  startTestServer,
  testEnv,
  type TestServer,
} from '../support/server';

afterAll(closeAll);

async function scrape(server: { baseUrl: string }, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, text: await res.text() };
}

/** The value of one sample (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });

  it('counts operations by name, type and outcome, with latency and SQL, and the live and backend gauges', async () => {
    const owner = await signUp(server, 'metrics');
    const community = await createCommunity(server, owner);
    for (let i = 0; i < 3; i++) {
      const ok = await server.gql('query MetricsProbe { communities(first: 5) { edges { node { id } } } }');
      expect(ok.body.errors).toBeUndefined();
    }
    const failed = await server.gql('query MetricsBroken { community(slug: "x") { nope } }');
    expect(failed.body.errors).toBeDefined();
    const mutation = await server.gql(
      'mutation MetricsJoin($c: ID!) { joinCommunity(communityId: $c) { outcome } }',
      { c: community.id },
      { token: (await signUp(server, 'joiner')).token },
    );
    expect(mutation.body.errors).toBeUndefined();
    // A live subscription over WebSocket.
    const rec = record<any>(server.ws({ token: owner.token }), {
      query: 'subscription MetricsWatch($c: ID!) { memberJoined(communityId: $c) { id } }',
      variables: { c: community.id },
    });
    for (let i = 0; rec.results.length === 0; i++) {
      if (i === 50) throw new Error('the subscription never heard a join');
      await server.gql(
        'mutation($c: ID!) { joinCommunity(communityId: $c) { outcome } }',
        { c: community.id },
        {
          token: (await signUp(server, 'probe')).token,
        },
      );
      await new Promise((r) => setTimeout(r, 100));
    }

    const { status, text } = await scrape(server);
    expect(status).toBe(200);
    expect(
      sample(text, 'townsquare_graphql_operations_total{operation="MetricsProbe",type="query",outcome="ok"}'),
    ).toBe(3);
    // A document that fails validation never resolves an operation: counted as invalid, not by its name.
    expect(text).not.toContain('operation="MetricsBroken"');
    expect(
      sample(text, 'townsquare_graphql_operations_total{operation="invalid",type="invalid",outcome="error"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'townsquare_graphql_operations_total{operation="MetricsJoin",type="mutation",outcome="ok"}'),
    ).toBe(1);
    expect(
      sample(text, 'townsquare_graphql_operation_duration_seconds_count{operation="MetricsProbe",type="query"}'),
    ).toBe(3);
    expect(sample(text, 'townsquare_graphql_sql_statements_count{operation="MetricsJoin",type="mutation"}')).toBe(1);
    expect(
      sample(text, 'townsquare_graphql_sql_statements_sum{operation="MetricsJoin",type="mutation"}'),
    ).toBeGreaterThan(0);
    expect(sample(text, 'townsquare_graphql_sql_seconds_sum{operation="MetricsJoin",type="mutation"}')).toBeGreaterThan(
      0,
    );
    expect(sample(text, 'townsquare_websocket_connections')).toBe(1);
    expect(sample(text, 'townsquare_subscriptions_active')).toBe(1);
    expect(sample(text, 'townsquare_subscriptions_started_total{operation="MetricsWatch",outcome="started"}')).toBe(1);
    expect(sample(text, 'townsquare_pubsub_up')).toBe(1);
    expect(sample(text, 'townsquare_database_up')).toBe(1);
    for (const state of ['due', 'scheduled', 'running', 'failed'])
      expect(sample(text, `townsquare_jobs{state="${state}"}`)).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('counts response-cache outcomes of cacheable queries', async () => {
    const query = 'query MetricsCached { communities(first: 3) { edges { node { slug } } } }';
    const first = await server.gql(query);
    const second = await server.gql(query);
    const outcomes = [first.headers.get('x-response-cache'), second.headers.get('x-response-cache')];
    const { text } = await scrape(server);
    for (const outcome of ['hit', 'miss', 'shared']) {
      const expected = outcomes.filter((o) => o === outcome).length;
      if (expected)
        expect(sample(text, `townsquare_response_cache_total{outcome="${outcome}"}`)).toBeGreaterThanOrEqual(expected);
    }
    expect(outcomes).toContain('hit');
  });

  it(`keeps at most ${MAX_OPERATION_NAMES} operation names, counting the rest as "other"`, async () => {
    for (let i = 0; i < MAX_OPERATION_NAMES + 10; i++) {
      const res = await server.gql(`query Named${i} { __typename }`);
      expect(res.status).toBe(200);
    }
    const { text } = await scrape(server);
    const names = new Set(
      [...text.matchAll(/^townsquare_graphql_operations_total\{operation="([^"]+)"/gm)].map((m) => m[1]),
    );
    expect(names.size).toBeLessThanOrEqual(MAX_OPERATION_NAMES + 1);
    expect(names.has('other')).toBe(true);
  });
});

describe('who may read /metrics', () => {
  it('asks for METRICS_TOKEN when it is set', async () => {
    const server = await startTestServer({ METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await scrape(server)).status).toBe(401);
    expect((await scrape(server, 'metrics-token-wrong-0123')).status).toBe(401);
    const ok = await scrape(server, 'metrics-token-0123456789');
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('townsquare_database_up 1');
  });

  it('serves nothing in production without METRICS_TOKEN', async () => {
    const server = await startTestServer({ NODE_ENV: 'production' });
    expect((await scrape(server)).status).toBe(404);
  });
});

describe('access log', () => {
  it('names the operation, its type, the user and the API key of each GraphQL request', async () => {
    const { log, lines } = capturingLogger();
    const app = await startServer(loadConfig(testEnv({ LOG_LEVEL: 'info' })), { log });
    onCleanup(() => app.stop());
    const gql = async (query: string, token?: string) =>
      (
        await fetch(app.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        })
      ).json();
    const signedUp = await gql(
      'mutation LogSignUp { signUp(input: { handle: "logline", email: "logline@example.test", password: "correct horse battery staple" }) { token user { id } } }',
    );
    const token = signedUp.data.signUp.token as string;
    const key = await gql(
      'mutation LogKey { createApiKey(input: { name: "log", scopes: [READ] }) { secret apiKey { id } } }',
      token,
    );
    await gql('query LogViewer { viewer { handle } }', key.data.createApiKey.secret);
    const access = lines.filter((l) => l.msg === 'request completed' && l.graphql);
    const byName = new Map(access.map((l) => [l.graphql.operation, l.graphql]));
    expect(byName.get('LogSignUp')).toMatchObject({
      type: 'mutation',
      userId: null,
      sqlStatements: expect.any(Number),
    });
    expect(byName.get('LogKey')).toMatchObject({ type: 'mutation', userId: expect.any(Number) });
    expect(byName.get('LogKey').apiKeyId).toBeUndefined();
    expect(byName.get('LogViewer')).toMatchObject({
      type: 'query',
      userId: byName.get('LogKey').userId,
      apiKeyId: expect.any(Number),
    });
  });
});
