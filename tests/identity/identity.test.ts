import { hashPassword, PASSWORD_HASHING } from '../../src/modules/identity/credentials';
import { dbQuery } from '../posts/operations';
import { closeAll, errorCode, signUp, startTestServer, unique, type TestServer } from '../support/server';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id handle email isAdmin } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { token user { handle } } }`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('signing up and in', () => {
  it('signs a new user up, and the token identifies them as the viewer', async () => {
    const handle = unique('Ada');
    const res = await server.gql(SIGN_UP, {
      input: { handle, email: `${handle}@Example.test`, password: 'a long enough password' },
    });
    expect(res.body.errors).toBeUndefined();
    const { token, user } = res.body.data.signUp;
    expect(user.handle).toBe(handle.toLowerCase());
    expect(token).toMatch(/^tsq_/);
    const me = await server.gql('{ viewer { id handle email } }', {}, { token });
    expect(me.body.data.viewer).toEqual({
      id: user.id,
      handle: handle.toLowerCase(),
      email: `${handle.toLowerCase()}@example.test`,
    });
  });

  it('returns a null viewer to anonymous requests', async () => {
    const res = await server.gql('{ viewer { id } }');
    expect(res.body.data).toEqual({ viewer: null });
  });

  it('signs in with the right password and refuses a wrong one with UNAUTHENTICATED', async () => {
    const ada = await signUp(server, 'ada');
    const ok = await server.gql(SIGN_IN, { input: { email: ada.user.email, password: ada.password } });
    expect(ok.body.data.signIn.user.handle).toBe(ada.user.handle);
    const wrong = await server.gql(SIGN_IN, { input: { email: ada.user.email, password: 'not the password' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.body.data).toBeNull();
    const unknown = await server.gql(SIGN_IN, { input: { email: 'nobody@example.test', password: 'whatever123' } });
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.body.errors![0].message).toBe(wrong.body.errors![0].message);
  });

  it('rejects a taken handle or email with CONFLICT naming the field, whatever the case', async () => {
    const ada = await signUp(server, 'ada');
    const sameHandle = await server.gql(SIGN_UP, {
      input: {
        handle: ada.user.handle.toUpperCase(),
        email: `${unique('x')}@example.test`,
        password: 'a long enough password',
      },
    });
    expect(errorCode(sameHandle)).toBe('CONFLICT');
    expect(sameHandle.body.errors![0].extensions!.field).toBe('handle');
    const sameEmail = await server.gql(SIGN_UP, {
      input: { handle: unique('x'), email: ada.user.email.toUpperCase(), password: 'a long enough password' },
    });
    expect(errorCode(sameEmail)).toBe('CONFLICT');
    expect(sameEmail.body.errors![0].extensions!.field).toBe('email');
  });

  it('keeps exactly one account when the same handle signs up many times at once', async () => {
    const handle = unique('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        server.gql(SIGN_UP, {
          input: { handle, email: `${handle}${i}@example.test`, password: 'a long enough password' },
        }),
      ),
    );
    expect(results.filter((r) => r.body.data?.signUp).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT').length).toBe(5);
  });

  it.each([
    ['handle', { handle: 'no spaces allowed', email: 'ok@example.test', password: 'a long enough password' }],
    ['email', { handle: 'fine_handle', email: 'not-an-email', password: 'a long enough password' }],
    ['password', { handle: 'fine_handle', email: 'ok@example.test', password: 'short' }],
  ])('rejects a bad %s with BAD_USER_INPUT naming the field, and writes nothing', async (field, input) => {
    const res = await server.gql(SIGN_UP, { input });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe(field);
    const signIn = await server.gql(SIGN_IN, { input: { email: input.email, password: input.password } });
    expect(errorCode(signIn)).toBe('UNAUTHENTICATED');
  });

  it('reports every invalid field at once in extensions.fields, the first also as field', async () => {
    const res = await server.gql(SIGN_UP, {
      input: { handle: 'no spaces allowed', email: 'not-an-email', password: 'short' },
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    const [error] = res.body.errors!;
    const fields = error.extensions!.fields as { field: string; message: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(['email', 'handle', 'password']);
    for (const f of fields) expect(f.message).toEqual(expect.any(String));
    expect([error.extensions!.field, error.message]).toEqual([fields[0].field, fields[0].message]);
  });

  it("hides a user's email from everyone but themself", async () => {
    const ada = await signUp(server, 'ada');
    const bob = await signUp(server, 'bob');
    const asBob = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { handle email } } }',
      { id: ada.user.id },
      { token: bob.token },
    );
    expect(asBob.body.data.node).toEqual({ handle: ada.user.handle, email: null });
  });
});

describe('password hashes', () => {
  it('hashes with scrypt at PASSWORD_HASH_COST, and checks each hash at the cost it was made with', async () => {
    // The test servers hash at cost 10 (tests/support/server.ts); the default is 2^15.
    const ada = await signUp(server, 'hash');
    const [row] = await dbQuery(server, 'select password_hash from users where handle = ?', [ada.user.handle]);
    expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    const strong = await hashPassword(ada.password);
    expect(PASSWORD_HASHING.cost).toBe(15);
    expect(strong).toMatch(/^scrypt\$32768\$8\$1\$/);
    // A hash made at the default cost (say before the setting changed) still opens the account.
    await dbQuery(server, 'update users set password_hash = ? where handle = ?', [strong, ada.user.handle]);
    const ok = await server.gql(SIGN_IN, { input: { email: ada.user.email, password: ada.password } });
    expect(ok.body.data?.signIn.user.handle).toBe(ada.user.handle);
    const wrong = await server.gql(SIGN_IN, { input: { email: ada.user.email, password: 'not the password' } });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
  });
});

describe('rate limits', () => {
  it('slows down password guessing with RATE_LIMITED and a retryAfter, even for the right password', async () => {
    // With Redis, counters are shared by every instance: give this one its own Redis database
    // so the sign-ins of other tests' servers do not count against it.
    const redis = process.env.REDIS_URL ? { REDIS_URL: `${process.env.REDIS_URL.replace(/\/\d*$/, '')}/7` } : {};
    const limited = await startTestServer({ AUTH_RATE_LIMIT: '3', AUTH_RATE_WINDOW_SECONDS: '60', ...redis });
    const ada = await signUp(server, 'ada');
    for (let i = 0; i < 3; i++) {
      const wrong = await limited.gql(SIGN_IN, { input: { email: ada.user.email, password: `guess number ${i}` } });
      expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    }
    const blocked = await limited.gql(SIGN_IN, { input: { email: ada.user.email, password: ada.password } });
    expect(blocked.status).toBe(429);
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    const retryAfter = blocked.body.errors![0].extensions!.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(blocked.headers.get('retry-after')).toBe(String(retryAfter));
    expect(blocked.body.errors![0].extensions).not.toHaveProperty('http');
    // Another account is not affected.
    const bob = await signUp(server, 'bob');
    const ok = await limited.gql(SIGN_IN, { input: { email: bob.user.email, password: bob.password } });
    expect(ok.body.data.signIn.user.handle).toBe(bob.user.handle);
  });
});

describe('tokens', () => {
  it('revokes the token on signOut', async () => {
    const ada = await signUp(server, 'ada');
    const out = await server.gql('mutation { signOut }', {}, { token: ada.token });
    expect(out.body.data).toEqual({ signOut: true });
    const after = await server.gql('{ viewer { id } }', {}, { token: ada.token });
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
  });

  it('answers a malformed or unknown token with UNAUTHENTICATED and status 401', async () => {
    for (const header of ['Bearer tsq_nope', 'Basic abc', 'Bearer']) {
      const res = await server.gql('{ viewer { id } }', {}, { headers: { authorization: header } });
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
    }
  });
});

describe('API keys', () => {
  const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix scopes } } }`;

  it('shows the secret once, stores it hashed, and limits the key to its scopes', async () => {
    const ada = await signUp(server, 'ada');
    const created = await server.gql(CREATE, { input: { name: 'my bot', scopes: ['READ'] } }, { token: ada.token });
    const { secret, apiKey } = created.body.data.createApiKey;
    expect(secret).toMatch(/^tsk_/);
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.scopes).toEqual(['READ']);

    const read = await server.gql('{ viewer { handle } }', {}, { token: secret });
    expect(read.body.data.viewer.handle).toBe(ada.user.handle);
    const write = await server.gql(
      `mutation { createCommunity(input: { slug: "${unique('k').replace(/_/g, '-')}", name: "x" }) { id } }`,
      {},
      { token: secret },
    );
    expect(errorCode(write)).toBe('FORBIDDEN');

    const stored = await server.app.db.orm.em
      .fork()
      .getConnection()
      .execute('select secret_hash from api_keys where prefix = ?', [apiKey.prefix]);
    expect(stored[0].secret_hash).not.toContain(secret.slice(4));

    const listed = await server.gql(
      '{ viewer { apiKeys(first: 5) { edges { node { name } } } } }',
      {},
      { token: ada.token },
    );
    expect(JSON.stringify(listed.body.data)).not.toContain(secret);
  });

  it('stops working at once when revoked', async () => {
    const ada = await signUp(server, 'ada');
    const created = await server.gql(
      CREATE,
      { input: { name: 'temp', scopes: ['READ', 'WRITE'] } },
      { token: ada.token },
    );
    const { secret, apiKey } = created.body.data.createApiKey;
    const revoked = await server.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: apiKey.id },
      { token: ada.token },
    );
    expect(revoked.body.data.revokeApiKey.revokedAt).toBeTruthy();
    const res = await server.gql('{ viewer { id } }', {}, { token: secret });
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it('cannot mint further keys from a key', async () => {
    const ada = await signUp(server, 'ada');
    const created = await server.gql(
      CREATE,
      { input: { name: 'bot', scopes: ['READ', 'WRITE'] } },
      { token: ada.token },
    );
    const res = await server.gql(
      CREATE,
      { input: { name: 'child', scopes: ['READ'] } },
      { token: created.body.data.createApiKey.secret },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it("lets nobody else list or revoke a user's keys", async () => {
    const ada = await signUp(server, 'ada');
    const eve = await signUp(server, 'eve');
    const created = await server.gql(CREATE, { input: { name: 'bot', scopes: ['READ'] } }, { token: ada.token });
    const revoke = await server.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { id: created.body.data.createApiKey.apiKey.id },
      { token: eve.token },
    );
    expect(errorCode(revoke)).toBe('NOT_FOUND');
    const list = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { apiKeys(first: 5) { edges { node { name } } } } } }',
      { id: ada.user.id },
      { token: eve.token },
    );
    expect(errorCode(list)).toBe('FORBIDDEN');
  });
});
