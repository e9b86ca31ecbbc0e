import { getIntrospectionQuery } from 'graphql';
import { Client as PgClient } from 'pg';
import { gqlAt, spawnTownsquare } from '../support/process';
import {
  closeAll,
  grantPlatformAdmin,
  onCleanup,
  signUp,
  startTestServer,
  tempDir,
  unique,
  type TestServer,
  type TestUser,
} from '../support/server';
import { record } from '../support/subscription';

/**
 * What NODE_ENV=production changes (issue 12, point 5): the demo data (whose passwords README publishes)
 * loads only with SEED_DEMO=true; a database that does not exist is never created (in any mode); the schema
 * is for platform admins only (INTROSPECTION, over HTTP and WebSocket alike).
 */

const PRODUCTION_SECRET = 'production-secret-production-secret-0123';
afterAll(closeAll);

describe('a production start (NODE_ENV=production)', () => {
  it('loads no demo data into an empty database unless SEED_DEMO=true, and says so in its log', async () => {
    // A new embedded folder: the only database sure to be empty (the suite's shared one has other files' users).
    const proc = spawnTownsquare({
      NODE_ENV: 'production',
      TOKEN_SECRET: PRODUCTION_SECRET,
      DATA_DIR: tempDir('townsquare-prod-'),
      DATABASE_URL: '',
      REDIS_URL: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    const ready = await proc.waitForLog((line) => line.msg === 'Townsquare ready', 90_000);
    expect(proc.logs).toContainEqual(
      expect.objectContaining({ msg: 'demo data skipped', reason: expect.stringContaining('SEED_DEMO') }),
    );
    expect(proc.logs).not.toContainEqual(expect.objectContaining({ msg: 'demo data loaded' }));

    const url = String(ready.url);
    const demoAdmin = await gqlAt(url, 'mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
      input: { email: 'admin@townsquare.dev', password: 'townsquare-admin' },
    });
    expect(demoAdmin.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gqlAt(url, '{ communities(first: 10) { edges { node { slug } } } }')).data.communities.edges).toEqual(
      [],
    );
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});

// Needs a PostgreSQL server to name a database on. Defined only with DATABASE_URL (CI runs the suite with it), so nothing is skipped without it.
if (process.env.DATABASE_URL) {
  describe('a DATABASE_URL naming a database that does not exist', () => {
    const base = process.env.TOWNSQUARE_TEST_DATABASE_URL!;

    async function databaseExists(name: string): Promise<boolean> {
      const pg = new PgClient({ connectionString: base });
      await pg.connect();
      try {
        return (await pg.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
      } finally {
        await pg.end();
      }
    }

    it.each(['production', 'development'])(
      'stops a %s start with exit code 78 and a message naming DATABASE_URL, creating nothing',
      async (mode) => {
        const name = unique('townsquare_typo_').replace(/[^a-z0-9_]/g, '_');
        const missing = Object.assign(new URL(base), { pathname: `/${name}`, password: 'hunter2-secret' }).toString();
        onCleanup(async () => {
          const pg = new PgClient({ connectionString: base });
          await pg.connect();
          await pg.query(`drop database if exists "${name}"`);
          await pg.end();
        });
        const proc = spawnTownsquare({
          NODE_ENV: mode,
          TOKEN_SECRET: PRODUCTION_SECRET,
          DATABASE_URL: missing,
          DATA_DIR: tempDir('townsquare-typo-'),
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
          SEED_DEMO: 'true',
        });
        const exit = await proc.exited;
        expect(exit.code).toBe(78);
        expect(proc.stderr).toMatch(new RegExp(`^\\s*DATABASE_URL: database "${name}" does not exist on `, 'm'));
        expect(proc.stderr).not.toContain('hunter2');
        expect(proc.logs).not.toContainEqual(expect.objectContaining({ msg: 'Townsquare ready' }));
        expect(await databaseExists(name)).toBe(false);
      },
      60_000,
    );
  });
}

const SCHEMA_QUERIES: [string, string][] = [
  ['the standard introspection query', getIntrospectionQuery()],
  [
    '__type behind an alias in a fragment',
    'query { ...Types } fragment Types on Query { t: __type(name: "User") { name } }',
  ],
  ['__schema in an inline fragment', '{ ... on Query { __schema { queryType { name } } } }'],
];

describe.each([
  { mode: 'all', anonymous: 'allowed', member: 'allowed', admin: 'allowed' },
  { mode: 'admins', anonymous: 'FORBIDDEN', member: 'FORBIDDEN', admin: 'allowed' },
  { mode: 'off', anonymous: 'FORBIDDEN', member: 'FORBIDDEN', admin: 'FORBIDDEN' },
] as const)('INTROSPECTION=$mode', ({ mode, ...expected }) => {
  let server: TestServer;
  let member: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startTestServer({ INTROSPECTION: mode });
    member = await signUp(server, 'member');
    admin = await signUp(server, 'admin');
    await grantPlatformAdmin(server, admin);
  });
  const callers = () => ({ anonymous: undefined, member: member.token, admin: admin.token });
  const outcome = (res: { data?: unknown; errors?: readonly { extensions?: { code?: unknown } }[] }) =>
    res.errors?.length ? res.errors[0].extensions?.code : 'allowed';

  it.each(SCHEMA_QUERIES)(
    `answers %s over HTTP: anonymous ${expected.anonymous}, members ${expected.member}, platform admins ${expected.admin}`,
    async (_what, query) => {
      const got: Record<string, unknown> = {};
      for (const [who, token] of Object.entries(callers())) {
        const res = await server.gql(query, {}, { token });
        got[who] = outcome(res.body);
        if (got[who] === 'FORBIDDEN')
          expect({ who, status: res.status, data: res.body.data }).toEqual({ who, status: 403, data: undefined });
      }
      expect(got).toEqual(expected);
    },
  );

  it(`answers it over WebSocket the same way: anonymous ${expected.anonymous}, platform admins ${expected.admin}`, async () => {
    for (const [who, token] of Object.entries(callers())) {
      const recording = record(server.ws({ token }), { query: getIntrospectionQuery() });
      await recording.settled();
      const codes = recording.errorCodes();
      expect({ who, got: codes.length ? codes[0] : 'allowed' }).toEqual({
        who,
        got: expected[who as keyof typeof expected],
      });
    }
  });

  it('always answers __typename', async () => {
    for (const token of Object.values(callers())) {
      expect((await server.gql('query { __typename viewer { __typename } }', {}, { token })).body).toEqual({
        data: { __typename: 'Query', viewer: token ? { __typename: 'User' } : null },
      });
    }
  });
});
