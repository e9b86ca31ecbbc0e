/**
 * OpenTelemetry tracing (issue 16, point 5): off by default; with OTEL_EXPORTER_OTLP_ENDPOINT the
 * server (a real process: the exporter loads its HTTP agent with a dynamic import, which jest's
 * module sandbox refuses) posts its spans over OTLP/HTTP (JSON) to a receiver in this test process: one span per HTTP
 * GraphQL operation, named after it and continuing the caller's `traceparent`, with a child per SQL
 * statement and per resolver over TRACE_RESOLVER_MS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestAt, spawnTownsquare } from '../support/process';
import { closeAll, onCleanup, tempDir } from '../support/server';

afterAll(closeAll);

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}

/** An OTLP/HTTP trace receiver: every span posted to /v1/traces. */
async function receiver(): Promise<{ url: string; spans: OtlpSpan[]; requests: number }> {
  const state = { url: '', spans: [] as OtlpSpan[], requests: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        state.requests++;
        const payload = JSON.parse(body);
        for (const rs of payload.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) state.spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** `node dist/src/main.js` on the suite's database with `env`: its GraphQL URL, and a stop that drains (SIGTERM). */
async function serve(env: Record<string, string>) {
  const proc = spawnTownsquare({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.TOWNSQUARE_TEST_DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    DATA_DIR: tempDir('townsquare-tracing-'),
    TOKEN_SECRET: 'tracing-secret-tracing-secret-0123456789',
    AUTH_RATE_LIMIT: '1000000',
    ...env,
  });
  const ready = await proc.waitForLog((line) => line.msg === 'Townsquare ready', 60_000);
  return {
    url: String(ready.url),
    async stop() {
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
      expect(proc.logs.filter((l) => (l.level ?? 0) >= 40)).toEqual([]);
    },
  };
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value && Object.values(value)[0];
};

describe('tracing', () => {
  it('is off without OTEL_* settings: nothing is posted', async () => {
    const otlp = await receiver();
    const server = await serve({});
    await requestAt(server.url, 'query Untraced { __typename }');
    await server.stop();
    expect(otlp.requests).toBe(0);
  });

  it('sends a span per operation with its SQL statements and slow resolvers as children, under the caller\u2019s traceparent', async () => {
    const otlp = await receiver();
    const server = await serve({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TRACE_RESOLVER_MS: '0' });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const signedUp = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({
        query: 'mutation TraceSignUp($input: SignUpInput!) { signUp(input: $input) { token } }',
        variables: {
          input: { handle: 'tracer', email: 'tracer@example.test', password: 'correct horse battery staple' },
        },
      }),
    });
    expect((await signedUp.json()).errors).toBeUndefined();
    const failed = await requestAt(server.url, 'query TraceFails { post(id: "nope") { id } }');
    expect(failed.body.errors).toBeDefined();
    await server.stop(); // flushes the batch

    const operation = otlp.spans.find((s) => s.name === 'mutation TraceSignUp');
    expect(operation).toBeDefined();
    expect([operation!.traceId, operation!.parentSpanId]).toEqual([traceId, callerSpan]);
    expect(attribute(operation!, 'graphql.operation.name')).toBe('TraceSignUp');
    expect(attribute(operation!, 'graphql.operation.type')).toBe('mutation');
    const children = otlp.spans.filter((s) => s.parentSpanId === operation!.spanId);
    const statements = children.filter((s) => attribute(s, 'db.system.name') === 'postgresql');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.length).toBe(Number(attribute(operation!, 'townsquare.sql_statements')));
    expect(statements.map((s) => s.name)).toContain('INSERT');
    for (const s of statements) expect(String(attribute(s, 'db.query.text'))).not.toContain('correct horse');
    expect(children.map((s) => s.name)).toContain('Mutation.signUp');

    const failing = otlp.spans.find((s) => s.name === 'query TraceFails');
    expect(failing?.status?.code).toBe(2); // ERROR
  });
});
