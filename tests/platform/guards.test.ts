import { Writable } from 'node:stream';
import { getIntrospectionQuery } from 'graphql';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/server';
import {
  capturingLogger,
  closeAll,
  grantPlatformAdmin,
  onCleanup,
  signUp,
  startTestServer,
  testEnv,
  type GqlResponse,
  type TestServer,
} from '../support/server';

/**
 * The guards every HTTP request passes: query depth, cost, aliases and tokens, batch size, body size, CSRF
 * prevention, validation, and the masking of unexpected errors.
 */

/** Small limits, so that each test's query shows the limit it hits. */
const LIMITS = {
  MAX_QUERY_DEPTH: '5',
  MAX_QUERY_COST: '500',
  MAX_ALIASES: '3',
  MAX_BATCH_SIZE: '2',
  MAX_BODY_BYTES: '2048',
  MAX_TOKENS: '60',
} as const;

let limited: TestServer;
/** Default limits, as in production. */
let standard: TestServer;
beforeAll(async () => {
  limited = await startTestServer(LIMITS);
  standard = await startTestServer();
});
afterAll(closeAll);

/** A POST whose body the test writes itself (an array for a batch, padding for size); JSON back. */
async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

function codes(res: { body: { errors?: { extensions?: Record<string, unknown> }[] } }): unknown[] {
  return (res.body.errors ?? []).map((e) => e.extensions?.code);
}

/** Expects a refusal before execution: HTTP 400, no data, one error with `code`. */
function expectRefused(res: GqlResponse<unknown>, code: string): void {
  expect({ status: res.status, codes: codes(res), data: res.body.data }).toEqual({
    status: 400,
    codes: [code],
    data: undefined,
  });
}

describe('query limits', () => {
  it('rejects a query nested deeper than MAX_QUERY_DEPTH with QUERY_TOO_COMPLEX, and runs one at the limit', async () => {
    const atLimit = await limited.gql('{ communities(first: 1) { edges { node { viewerMember { role } } } } }');
    expect(atLimit.body.errors).toBeUndefined();
    expect(atLimit.status).toBe(200);

    const deeper = await limited.gql(
      '{ communities(first: 1) { edges { node { members(first: 1) { edges { node { id } } } } } } }',
    );
    expectRefused(deeper, 'QUERY_TOO_COMPLEX');
    expect(deeper.body.errors![0].message).toMatch(/depth limit of 5/);
  });

  it('rejects a query whose page sizes multiply past MAX_QUERY_COST with QUERY_TOO_COMPLEX, and runs a modest one', async () => {
    // 100 communities × 100 members each: about 30,000 against the default limit of 10,000.
    const greedy = await standard.gql(
      '{ communities(first: 100) { edges { node { members(first: 100) { edges { node { role user { handle } } } } } } } }',
    );
    expectRefused(greedy, 'QUERY_TOO_COMPLEX');
    expect(greedy.body.errors![0].message).toMatch(/Query cost \d+ exceeds the maximum of 10000/);

    // A platform admin reads every community's members (other suites leave RESTRICTED ones behind).
    const admin = await signUp(standard, 'cost');
    await grantPlatformAdmin(standard, admin);
    const modest = await standard.gql(
      '{ communities(first: 5) { edges { node { members(first: 5) { edges { node { role user { handle } } } } } } } }',
      {},
      { token: admin.token },
    );
    expect(modest.body.errors).toBeUndefined();
    expect(modest.body.data.communities.edges).toEqual(expect.any(Array));

    // The same flat list costs under 500 at 20 a page and over it at 100.
    const fields = '{ edges { node { id name slug description memberCount } } }';
    expect((await limited.gql(`{ communities(first: 20) ${fields} }`)).body.errors).toBeUndefined();
    expectRefused(await limited.gql(`{ communities(first: 100) ${fields} }`), 'QUERY_TOO_COMPLEX');
  });

  it('counts the page size given in a variable toward the cost', async () => {
    const query =
      'query($n: Int) { communities(first: $n) { edges { node { id name slug description memberCount } } } }';
    expect((await limited.gql(query, { n: 20 })).body.errors).toBeUndefined();
    expectRefused(await limited.gql(query, { n: 100 }), 'QUERY_TOO_COMPLEX');
  });

  it('rejects variables of the wrong type with BAD_USER_INPUT and HTTP 400, not an internal error', async () => {
    const res = await limited.gql('query($n: Int) { communities(first: $n) { edges { node { id } } } }', { n: 'many' });
    expectRefused(res, 'BAD_USER_INPUT');
    expect(res.body.errors![0].message).toMatch(/\$n/);
  });

  it('rejects more than MAX_ALIASES aliases with QUERY_TOO_COMPLEX', async () => {
    const three = await limited.gql('{ a: viewer { id } b: viewer { id } c: viewer { id } }');
    expect(three.body).toEqual({ data: { a: null, b: null, c: null } });
    const four = await limited.gql('{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }');
    expectRefused(four, 'QUERY_TOO_COMPLEX');
    expect(four.body.errors![0].message).toMatch(/Aliases limit of 3/);
  });

  it('rejects a document of more than MAX_TOKENS tokens with QUERY_TOO_COMPLEX', async () => {
    const fits = await limited.gql(`{ ${'viewer { id } '.repeat(10)}}`); // 2 + 10 × 4 tokens
    expect(fits.body).toEqual({ data: { viewer: null } });
    const tooLong = await limited.gql(`{ ${'viewer { id } '.repeat(20)}}`); // 82 tokens
    expectRefused(tooLong, 'QUERY_TOO_COMPLEX');
    expect(tooLong.body.errors![0].message).toMatch(/more tha[nt] 60 tokens/);
  });
});

describe('batched requests', () => {
  it('runs a batch of up to MAX_BATCH_SIZE operations, answering each in order', async () => {
    const res = await post(limited, [{ query: '{ viewer { id } }' }, { query: 'query Name { __typename }' }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ data: { viewer: null } }, { data: { __typename: 'Query' } }]);
  });

  it('refuses a batch larger than MAX_BATCH_SIZE with QUERY_TOO_COMPLEX, running none of it', async () => {
    const res = await post(limited, [
      { query: '{ __typename }' },
      { query: '{ __typename }' },
      { query: '{ __typename }' },
    ]);
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(res.body.data).toBeUndefined();
  });

  it('applies the query limits to each operation of a batch', async () => {
    const res = await post(limited, [
      { query: '{ __typename }' },
      { query: '{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }' },
    ]);
    expect(res.body[0]).toEqual({ data: { __typename: 'Query' } });
    expect(codes({ body: res.body[1] })).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('request bodies', () => {
  it('answers a body over MAX_BODY_BYTES with 413 and a GraphQL-shaped BAD_USER_INPUT error', async () => {
    const res = await post(limited, {
      query: 'query($pad: String) { __typename }',
      variables: { pad: 'x'.repeat(3000) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      errors: [{ message: 'Request body is larger than 2048 bytes', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('answers malformed JSON with 400 and BAD_USER_INPUT', async () => {
    const res = await post(limited, '{"query": ');
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('the two POST paths', () => {
  // A JSON POST goes straight to Apollo; one from a browser origin, with CORS_ORIGINS set, goes
  // through Express and its CORS middleware. Both must answer alike.
  const ORIGIN = 'https://app.example';
  let cors: TestServer;
  beforeAll(async () => {
    cors = await startTestServer({ ...LIMITS, CORS_ORIGINS: ORIGIN });
  });
  const paths = [
    ['without an Origin', {}],
    ['from an origin in CORS_ORIGINS', { origin: ORIGIN }],
  ] as const;

  it.each(paths)('answer a query %s, and only the cross-origin one with CORS headers', async (_name, headers) => {
    const res = await post(cors, { query: '{ __typename }' }, headers);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(res.headers.get('access-control-allow-origin')).toBe('origin' in headers ? ORIGIN : null);
  });

  it.each(paths)('refuse the same bodies the same way %s', async (_name, headers) => {
    const tooLarge = await post(cors, { query: '{ __typename }', variables: { pad: 'x'.repeat(3000) } }, headers);
    expect({ status: tooLarge.status, body: tooLarge.body }).toEqual({
      status: 413,
      body: { errors: [{ message: 'Request body is larger than 2048 bytes', extensions: { code: 'BAD_USER_INPUT' } }] },
    });
    const malformed = await post(cors, '{"query": ', headers);
    expect({ status: malformed.status, codes: codes(malformed) }).toEqual({ status: 400, codes: ['BAD_USER_INPUT'] });
    const batch = await post(
      cors,
      [{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }],
      headers,
    );
    expect({ status: batch.status, body: batch.body }).toEqual({
      status: 400,
      body: { errors: [{ message: 'A batch must hold 1 to 2 operations', extensions: { code: 'QUERY_TOO_COMPLEX' } }] },
    });
  });
});

describe('CSRF prevention', () => {
  const getUrl = (server: TestServer) => `${server.httpUrl}?query=${encodeURIComponent('{ __typename }')}`;
  const blocked = {
    status: 400,
    body: {
      errors: [
        { message: expect.stringMatching(/Cross-Site Request Forgery/), extensions: { code: 'BAD_USER_INPUT' } },
      ],
    },
  };

  it('refuses a simple GET query without a preflight header, and runs it with apollo-require-preflight', async () => {
    const plain = await fetch(getUrl(limited), { headers: { accept: 'application/json' } });
    expect({ status: plain.status, body: await plain.json() }).toEqual(blocked);

    const preflighted = await fetch(getUrl(limited), {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect({ status: preflighted.status, body: await preflighted.json() }).toEqual({
      status: 200,
      body: { data: { __typename: 'Query' } },
    });
  });

  it('refuses a POST sent as text/plain (a form a foreign page could submit)', async () => {
    const res = await post(limited, { query: '{ __typename }' }, { 'content-type': 'text/plain' });
    expect({ status: res.status, body: res.body }).toEqual(blocked);
  });
});

describe('invalid operations', () => {
  it('rejects an unknown field with GRAPHQL_VALIDATION_FAILED, naming it', async () => {
    const res = await limited.gql('{ viewer { id shoeSize } }');
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0].message).toMatch(/shoeSize/);
  });

  it('rejects a syntax error with GRAPHQL_VALIDATION_FAILED and where it is', async () => {
    const res = await limited.gql('{ viewer { id }');
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0].message).toMatch(/^Syntax Error/);
    expect(res.body.errors![0]).toHaveProperty('locations', [{ line: 1, column: 16 }]);
  });

  it('rejects a document of several operations without an operation name with GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await limited.gql('query A { __typename } query B { __typename }');
    expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('keeps HTTP details out of error extensions', async () => {
    const res = await limited.gql('{ viewer { id }');
    expect(Object.keys(res.body.errors![0].extensions!)).toEqual(['code']);
  });

  it('answers a subscription sent over HTTP with BAD_USER_INPUT and HTTP 400, logging nothing (issue 12, point 13)', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const server = await startServer(loadConfig(testEnv()), { log });
    onCleanup(() => server.stop());
    const res = await fetch(server.url.replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { memberJoined(communityId: "x") { id } }' }),
    });
    const body = await res.json();
    expect({ status: res.status, codes: codes({ body }), data: body.data }).toEqual({
      status: 400,
      codes: ['BAD_USER_INPUT'],
      data: undefined,
    });
    expect(body.errors[0].message).toMatch(/WebSocket/);
    expect(lines.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
  });
});

describe('API key scopes', () => {
  it("refuses an operation outside a key's scopes with FORBIDDEN and HTTP 403, before running it", async () => {
    const owner = await signUp(limited, 'keyowner');
    const created = await limited.gql(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: 'reader', scopes: ['READ'] } },
      { token: owner.token },
    );
    const secret: string = created.body.data.createApiKey.secret;
    const read = await limited.gql('{ viewer { handle } }', {}, { token: secret });
    expect(read.body).toEqual({ data: { viewer: { handle: owner.user.handle } } });

    const write = await limited.gql('mutation { signOut }', {}, { token: secret });
    expect({ status: write.status, codes: codes(write), data: write.body.data }).toEqual({
      status: 403,
      codes: ['FORBIDDEN'],
      data: undefined,
    });
  });
});

describe('introspection', () => {
  it('answers the standard introspection query under the default limits (GraphiQL needs it)', async () => {
    const res = await standard.gql(getIntrospectionQuery());
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const types: { name: string }[] = res.body.data.__schema.types;
    expect(types.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Query', 'Mutation', 'Subscription', 'Community', 'Member']),
    );
  });
});

describe('unexpected errors', () => {
  /** A logger whose JSON lines the test can read. */
  it('masks a database failure as INTERNAL_SERVER_ERROR and logs it once, with the request id and stack', async () => {
    const { log, lines } = capturingLogger();
    const app = await startServer(loadConfig(testEnv()), { log });
    onCleanup(() => app.stop());
    // The database goes away underneath the running server.
    await app.db.orm.close(true);

    const res = await fetch(app.url.replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'masked-failure-1' },
      body: JSON.stringify({ query: '{ communities(first: 1) { edges { node { slug } } } }' }),
    });
    const text = await res.text();
    const body = JSON.parse(text);
    expect(res.headers.get('x-request-id')).toBe('masked-failure-1');
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      {
        message: 'Internal server error',
        locations: expect.any(Array),
        path: ['communities'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(text).not.toMatch(/select|from "|knex|pool|mikro|destroy|connection|stack|\bat \S+ \(/i);

    // Background work (the poll close sweep) may log the database going away too; the request's own
    // failure is logged exactly once.
    const ofRequest = (line: any) => line.req?.id === 'masked-failure-1' || line.requestId === 'masked-failure-1';
    const logged = lines.filter((line) => line.err && line.level >= 50 && ofRequest(line));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      msg: 'unexpected error',
      req: { id: 'masked-failure-1' },
      path: ['communities'],
    });
    expect(logged[0].err.stack).toMatch(/\n\s+at /);
    expect(logged[0].err.message).not.toBe('Internal server error');
  });
});
