import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/server';
import { parseMail, tokenIn } from '../email/inbox';
import { gqlAt, runCli } from '../support/process';
import {
  capturingLogger,
  closeAll,
  errorCode,
  onCleanup,
  signUp,
  startTestServer,
  tempDir,
  testEnv,
  unique,
  type TestServer,
} from '../support/server';

/**
 * Platform admins (issue 12, point 3; issue 15, point 4): nobody becomes one by signing up with an
 * address ADMIN_EMAILS lists until they verify it (nothing proves the address is theirs before); an
 * operator grants and revokes the right with `npm run admin`, run here as the built command against
 * the suite's database.
 */

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { isAdmin } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { token user { isAdmin } } }`;
const IS_ADMIN = '{ viewer { isAdmin } }';
const PASSWORD = 'a long enough password';

afterAll(closeAll);

/** `npm run admin -- <args>` against the suite's database (and Redis), as an operator would run it. */
function admin(...args: string[]) {
  const env = testEnv();
  return runCli('admin', args, {
    DATABASE_URL: env.DATABASE_URL,
    REDIS_URL: env.REDIS_URL,
    DATA_DIR: env.DATA_DIR,
    TOKEN_SECRET: env.TOKEN_SECRET,
    NODE_ENV: 'test',
  });
}

describe('ADMIN_EMAILS', () => {
  it('makes nobody admin who signs up or in with a listed address unverified, even across a restart, and logs the rule at start', async () => {
    const handle = unique('boss');
    const email = `${handle}@example.test`;
    const { log, lines } = capturingLogger();
    // No job workers here: the next test reads the verification emails of its own server's workers.
    const config = loadConfig(testEnv({ ADMIN_EMAILS: `someone@example.test, ${email}`, JOB_CONCURRENCY: '0' }));
    const listing = await startServer(config, { log });
    onCleanup(() => listing.stop());
    const url = listing.url.replace('localhost', '127.0.0.1');
    const post = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
      gqlAt(url, query, variables, token);

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        ADMIN_EMAILS: 2,
        msg: expect.stringMatching(/^ADMIN_EMAILS: a listed address makes its owner platform admin once verified/),
      }),
    );
    const signedUp = await post(SIGN_UP, { input: { handle, email: email.toUpperCase(), password: PASSWORD } });
    expect(signedUp.data.signUp.user.isAdmin).toBe(false);
    const signedIn = await post(SIGN_IN, { input: { email, password: PASSWORD } });
    expect(signedIn.data.signIn.user.isAdmin).toBe(false);

    // A restart promotes only verified addresses.
    const again = await startTestServer({ ADMIN_EMAILS: email, JOB_CONCURRENCY: '0' });
    expect((await again.gql(IS_ADMIN, {}, { token: signedUp.data.signUp.token })).body.data.viewer.isAdmin).toBe(false);
  });

  it('promotes at start the owner of an address verified before it was listed', async () => {
    // No SMTP_URL: the verification email is an .eml file in DATA_DIR/outbox (tests/email covers SMTP).
    const dataDir = tempDir();
    const unlisted = await startTestServer({ DATA_DIR: dataDir, JOB_POLL_MS: '100' });
    const ada = await signUp(unlisted, 'ada');
    const token = await outboxToken(join(dataDir, 'outbox'), ada.user.email);
    const verified = await unlisted.gql('mutation($t: String!) { verifyEmail(token: $t) { isAdmin } }', { t: token });
    expect(verified.body.data).toEqual({ verifyEmail: { isAdmin: false } });

    const listing = await startTestServer({ ADMIN_EMAILS: ada.user.email });
    expect((await listing.gql(IS_ADMIN, {}, { token: ada.token })).body.data.viewer.isAdmin).toBe(true);
  });
});

/** The token of the email to `to` written to an outbox folder, waiting for it up to 10 s. */
async function outboxToken(folder: string, to: string): Promise<string> {
  const started = Date.now();
  for (;;) {
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.eml')) : [];
    const mail = files
      .map((f) => parseMail(readFileSync(join(folder, f), 'utf8')))
      .find((m) => new RegExp(`^To: ${to}$`, 'mi').test(m.raw));
    if (mail) return tokenIn(mail);
    if (Date.now() - started > 10_000) throw new Error(`no verification email in ${folder}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm run admin', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Introspection for admins only: what a platform admin may do, and a revoked one may not.
    server = await startTestServer({ INTROSPECTION: 'admins' });
  });

  it('grants platform admin to an existing user, who acts as one on their next request', async () => {
    const ada = await signUp(server, 'ada');
    expect(errorCode(await server.gql(getIntrospectionQuery(), {}, { token: ada.token }))).toBe('FORBIDDEN');

    const granted = await admin('grant', ada.user.email.toUpperCase());
    expect(granted).toMatchObject({ code: 0, stderr: '' });
    expect(granted.stdout).toContain(`@${ada.user.handle} (${ada.user.email}) is now a platform admin.`);

    expect((await server.gql(IS_ADMIN, {}, { token: ada.token })).body.data.viewer.isAdmin).toBe(true);
    const introspected = await server.gql(getIntrospectionQuery(), {}, { token: ada.token });
    expect(introspected.body.errors).toBeUndefined();
    expect(introspected.body.data.__schema.queryType).toMatchObject({ name: 'Query' });

    const listed = await admin('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${ada.user.email}\\t@${ada.user.handle}\\t`, 'm'));

    const twice = await admin('grant', ada.user.email);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain('is already a platform admin: nothing changed.');
  });

  it('revokes it, taking effect on the very next request with the same token', async () => {
    const bob = await signUp(server, 'bob');
    expect((await admin('grant', bob.user.email)).code).toBe(0);
    expect((await server.gql(IS_ADMIN, {}, { token: bob.token })).body.data.viewer.isAdmin).toBe(true);

    const revoked = await admin('revoke', bob.user.email);
    expect(revoked).toMatchObject({ code: 0, stderr: '' });
    expect(revoked.stdout).toContain(`@${bob.user.handle} (${bob.user.email}) is no longer a platform admin.`);

    expect((await server.gql(IS_ADMIN, {}, { token: bob.token })).body.data.viewer.isAdmin).toBe(false);
    expect(errorCode(await server.gql(getIntrospectionQuery(), {}, { token: bob.token }))).toBe('FORBIDDEN');
    expect((await admin('list')).stdout).not.toContain(bob.user.email);
  });

  it('exits non-zero, changing nothing, for an email no user has, and prints its usage for anything else', async () => {
    const unknown = await admin('grant', `${unique('nobody')}@example.test`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^No user has the email nobody\S+@example\.test: nothing changed\./);

    for (const args of [['grant'], ['promote', 'x@example.test']]) {
      const usage = await admin(...args);
      expect({ args, code: usage.code }).toEqual({ args, code: 64 });
      expect(usage.stderr).toContain('Usage: npm run admin -- <command>');
    }
  });
});
