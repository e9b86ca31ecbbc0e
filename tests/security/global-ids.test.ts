/**
 * Issue 12, point 6: global IDs must not be enumerable. They used to be base64url of `Type:id` (a
 * counter): anyone could decode one, count up and probe `node(id)` for every community. Now each is
 * AES-128 of (type, id, zero tail) under a key drawn once per database: opaque, tamper-evident,
 * and stable across restarts, instances and TOKEN_SECRET rotations.
 */
import { gqlAt, spawnTownsquare } from '../support/process';
import {
  closeAll,
  createCommunity,
  errorCode,
  signUp,
  startTestServer,
  tempDir,
  unique,
  type TestServer,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

const NODE = 'query($id: ID!) { node(id: $id) { id __typename } }';
const BY_SLUG = 'query($slug: String!) { community(slug: $slug) { id } }';

/** The bytes behind a global ID (base64url), as anyone can read them. */
const bytesOf = (id: string) => Buffer.from(id, 'base64url');

describe('global IDs', () => {
  it('reveal neither the type nor a counter: consecutive communities get unrelated 22-character IDs', async () => {
    const owner = await signUp(server, 'owner');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await createCommunity(server, owner, 'PUBLIC')).id);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      // The old format was readable text (`Community:12`). 16 random-looking bytes contain ':' and
      // a digit side by side about once in 440 IDs, so the check is on the whole: not the type's
      // name, and not text (all 16 bytes printable ASCII: about once in 10^9).
      const bytes = bytesOf(id).toString('latin1');
      expect(bytes).not.toMatch(/Community/);
      expect(bytes).not.toMatch(/^[\x20-\x7e]+$/);
    }
    // Neighbours differ in most of their 16 bytes (a counter under base64 differs in one or two).
    for (let i = 1; i < ids.length; i++) {
      const [a, b] = [bytesOf(ids[i - 1]), bytesOf(ids[i])];
      const differing = a.reduce((n, byte, k) => n + (byte !== b[k] ? 1 : 0), 0);
      expect(differing).toBeGreaterThanOrEqual(8);
    }
  });

  it('cannot be forged from a counter: old-style base64url("Community:<n>") IDs resolve to nothing', async () => {
    const owner = await signUp(server, 'owner');
    await createCommunity(server, owner, 'PUBLIC');
    for (let n = 1; n <= 20; n++) {
      const forged = Buffer.from(`Community:${n}`, 'utf8').toString('base64url');
      expect((await server.gql(NODE, { id: forged })).body.data.node).toBeNull();
    }
    const res = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
      { id: Buffer.from('Community:1').toString('base64url') },
      { token: owner.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it('refuses a tampered ID: any single character changed resolves to nothing, and is BAD_USER_INPUT where an ID is required', async () => {
    const owner = await signUp(server, 'owner');
    const { id } = await createCommunity(server, owner, 'PUBLIC');
    expect((await server.gql(NODE, { id })).body.data.node).toEqual({ id, __typename: 'Community' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let k = 0; k < id.length; k++) {
      // The last character carries two bits only: change it to another character that decodes cleanly.
      const choices = k === id.length - 1 ? 'AQgw' : alphabet;
      const replacement = choices[(choices.indexOf(id[k]) + 1) % choices.length];
      const tampered = id.slice(0, k) + replacement + id.slice(k + 1);
      expect([k, (await server.gql(NODE, { id: tampered })).body.data.node]).toEqual([k, null]);
    }
    const flipped = id.slice(0, 5) + (id[5] === 'A' ? 'B' : 'A') + id.slice(6);
    const res = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
      { id: flipped },
      { token: owner.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    // An ID of another type where a community is expected.
    const wrongType = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
      { id: owner.user.id },
      { token: owner.token },
    );
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
  });
});

/** Starts `node dist/src/main.js` with `env` and resolves with its GraphQL URL once it is ready. */
async function startProcess(env: Record<string, string | undefined>) {
  const proc = spawnTownsquare({
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    TOKEN_SECRET: 'process-secret-process-secret-0123456789',
    AUTH_RATE_LIMIT: '1000000',
    ...env,
  });
  const ready = await proc.waitForLog((line) => line.msg === 'Townsquare ready', 60_000);
  return {
    url: String(ready.url),
    async stop() {
      proc.child.kill('SIGTERM');
      return proc.exited;
    },
  };
}

describe('global IDs across processes', () => {
  it('are identical on every instance of one database, whatever its TOKEN_SECRET', async () => {
    const owner = await signUp(server, 'owner');
    const community = await createCommunity(server, owner, 'PUBLIC');
    const url = process.env.TOWNSQUARE_TEST_DATABASE_URL;
    const [one, two] = await Promise.all([
      startProcess({ DATABASE_URL: url, DATA_DIR: tempDir('townsquare-ids-') }),
      startProcess({
        DATABASE_URL: url,
        DATA_DIR: tempDir('townsquare-ids-'),
        TOKEN_SECRET: 'another-secret-another-secret-0123456789',
      }),
    ]);
    for (const instance of [one, two]) {
      expect((await gqlAt(instance.url, BY_SLUG, { slug: community.slug })).data.community).toEqual({
        id: community.id,
      });
      expect((await gqlAt(instance.url, NODE, { id: community.id })).data.node).toEqual({
        id: community.id,
        __typename: 'Community',
      });
    }
    await Promise.all([one.stop(), two.stop()]);
  }, 120_000);

  it('survive a restart, and another database gives the same row another ID', async () => {
    const dataDir = tempDir('townsquare-ids-');
    const handle = unique('ids');
    const signUpQuery = 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }';
    const createQuery = 'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id slug } }';

    const first = await startProcess({ DATABASE_URL: '', DATA_DIR: dataDir });
    const signedUp = (
      await gqlAt(first.url, signUpQuery, {
        input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' },
      })
    ).data.signUp;
    const created = (
      await gqlAt(
        first.url,
        createQuery,
        { input: { slug: handle.replace(/_/g, '-'), name: 'Kept', description: '', visibility: 'PUBLIC' } },
        signedUp.token,
      )
    ).data.createCommunity;
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const again = await startProcess({
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      TOKEN_SECRET: 'rotated-secret-rotated-secret-0123456789',
    });
    expect((await gqlAt(again.url, BY_SLUG, { slug: created.slug })).data.community).toEqual({ id: created.id });
    expect((await gqlAt(again.url, NODE, { id: signedUp.user.id })).data.node).toEqual({
      id: signedUp.user.id,
      __typename: 'User',
    });
    // This embedded database drew its own key: the suite's database does not know its IDs.
    expect((await server.gql(NODE, { id: created.id })).body.data.node).toBeNull();
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
