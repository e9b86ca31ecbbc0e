/**
 * Email (issue 15, point 4): verification and password reset, driven through the public API against a
 * running server whose SMTP_URL is a real SMTP server in this process (inbox.ts). Tokens are read from
 * the messages as a person would follow their link.
 */
import { record } from '../support/subscription';
import { jobsSettled } from '../support/jobs';
import {
  closeAll,
  errorCode,
  signUp,
  startTestServer,
  unique,
  type GqlResponse,
  type TestServer,
} from '../support/server';
import { startInbox, tokenIn, type Inbox } from './inbox';

const VERIFY = 'mutation($token: String!) { verifyEmail(token: $token) { handle emailVerified isAdmin } }';
const REQUEST_VERIFICATION = 'mutation { requestEmailVerification }';
const REQUEST_RESET = 'mutation($email: String!) { requestPasswordReset(email: $email) }';
const RESET = 'mutation($token: String!, $password: String!) { resetPassword(token: $token, password: $password) }';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { token } }';
const ME = '{ viewer { handle emailVerified emailVerifiedAt isAdmin } }';
const NEW_PASSWORD = 'a brand new password';

let inbox: Inbox;
let server: TestServer;

beforeAll(async () => {
  inbox = await startInbox();
  server = await startTestServer({ SMTP_URL: inbox.url, JOB_POLL_MS: '100', EMAIL_RATE_LIMIT: '1000' });
});
afterAll(closeAll);

/** The field at fault of the first error. */
const field = (res: GqlResponse) => res.body.errors?.[0]?.extensions?.field;

describe('email verification', () => {
  it('sends a verification email at sign-up whose link verifies the address once, even signed out', async () => {
    const ada = await signUp(server, 'ada');
    expect((await server.gql(ME, {}, { token: ada.token })).body.data.viewer).toMatchObject({
      emailVerified: false,
      emailVerifiedAt: null,
    });

    const mail = await inbox.next(ada.user.email, /Confirm your email/);
    expect(mail.from).toContain('no-reply@localhost');
    expect(mail.text).toContain(`Hello @${ada.user.handle}`);
    expect(mail.html).toContain(`Hello @${ada.user.handle}`);
    const token = tokenIn(mail);
    expect(mail.text).toContain(`http://localhost:4000/verify-email?token=${token}`);

    const verified = await server.gql(VERIFY, { token });
    expect(verified.body).toEqual({
      data: { verifyEmail: { handle: ada.user.handle, emailVerified: null, isAdmin: false } },
    });
    const me = (await server.gql(ME, {}, { token: ada.token })).body.data.viewer;
    expect(me.emailVerified).toBe(true);
    expect(new Date(me.emailVerifiedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const again = await server.gql(VERIFY, { token }, { token: ada.token });
    expect(errorCode(again)).toBe('BAD_USER_INPUT');
    expect(field(again)).toBe('token');
    expect(again.body.errors![0].message).toMatch(/already used/);
    // Other users do not see whether an address is verified.
    const bob = await signUp(server, 'bob');
    const seen = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { emailVerified } } }',
      {
        id: ada.user.id,
      },
      { token: bob.token },
    );
    expect(seen.body.data.node).toEqual({ emailVerified: null });
  });

  it('sends a new link on requestEmailVerification, and refuses it once verified (CONFLICT)', async () => {
    const cleo = await signUp(server, 'cleo');
    await inbox.next(cleo.user.email, /Confirm/);
    expect((await server.gql(REQUEST_VERIFICATION, {}, { token: cleo.token })).body).toEqual({
      data: { requestEmailVerification: true },
    });
    const second = tokenIn(await inbox.next(cleo.user.email, /Confirm/));
    expect((await server.gql(VERIFY, { token: second })).body.errors).toBeUndefined();
    const after = await server.gql(REQUEST_VERIFICATION, {}, { token: cleo.token });
    expect(errorCode(after)).toBe('CONFLICT');
  });

  it('refuses an unknown token as BAD_USER_INPUT on token, writing nothing', async () => {
    const res = await server.gql(VERIFY, { token: `tsv_${'x'.repeat(43)}` });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('token');
    expect(res.body.data).toBeNull();
  });
});

describe('password reset', () => {
  it('resets the password with the emailed link, revokes every session and closes an open subscription, and says so by email', async () => {
    const dan = await signUp(server, 'dan');
    const other = await server.gql(SIGN_IN, { input: { email: dan.user.email, password: dan.password } });
    const otherToken: string = other.body.data.signIn.token;

    // An app's open socket, following the account's notifications.
    const closes: number[] = [];
    const client = server.ws({ token: dan.token, onClosed: (code) => closes.push(code) });
    const following = record<any>(client, { query: 'subscription { notificationAdded { id } }' });
    // The socket is up and the subscription running once a query over it answers.
    const probe = record<any>(client, { query: '{ viewer { handle } }' });
    await probe.settled();
    expect(probe.results[0].data).toEqual({ viewer: { handle: dan.user.handle } });

    const asked = await server.gql(REQUEST_RESET, { email: dan.user.email.toUpperCase() });
    expect(asked.body).toEqual({ data: { requestPasswordReset: true } });
    const mail = await inbox.next(dan.user.email, /Reset your password/);
    const token = tokenIn(mail);
    expect(token).toMatch(/^tsr_/);
    expect(mail.html).toContain(`href="http://localhost:4000/reset-password?token=${token}"`);

    expect((await server.gql(RESET, { token, password: NEW_PASSWORD })).body).toEqual({
      data: { resetPassword: true },
    });

    // Every session is gone: HTTP refuses them, the socket closes with 4401 and ends the subscription.
    for (const t of [dan.token, otherToken])
      expect(errorCode(await server.gql(ME, {}, { token: t }))).toBe('UNAUTHENTICATED');
    await following.settled(5000);
    expect(closes).toEqual([4401]);

    const oldPassword = await server.gql(SIGN_IN, { input: { email: dan.user.email, password: dan.password } });
    expect(errorCode(oldPassword)).toBe('UNAUTHENTICATED');
    const newPassword = await server.gql(SIGN_IN, { input: { email: dan.user.email, password: NEW_PASSWORD } });
    expect(newPassword.body.data.signIn.token).toEqual(expect.any(String));

    const notice = await inbox.next(dan.user.email, /Your password was changed/);
    expect(notice.text).toContain('signed out');

    const reused = await server.gql(RESET, { token, password: 'yet another password' });
    expect(errorCode(reused)).toBe('BAD_USER_INPUT');
    expect(field(reused)).toBe('token');
  });

  it('answers the same for an unknown address, and sends nothing there', async () => {
    const eve = await signUp(server, 'eve');
    const nobody = `${unique('nobody')}@example.test`;
    const known = await server.gql(REQUEST_RESET, { email: eve.user.email });
    const unknown = await server.gql(REQUEST_RESET, { email: nobody });
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    await inbox.next(eve.user.email, /Reset your password/);
    await jobsSettled(server);
    expect(inbox.for(nobody)).toEqual([]);
  });

  it('lets exactly one of concurrent resets with one token succeed', async () => {
    const fay = await signUp(server, 'fay');
    await server.gql(REQUEST_RESET, { email: fay.user.email });
    const token = tokenIn(await inbox.next(fay.user.email, /Reset your password/));
    const passwords = Array.from({ length: 6 }, (_, i) => `concurrent password ${i}`);
    const answers = await Promise.all(passwords.map((password) => server.gql(RESET, { token, password })));
    const won = answers.flatMap((a, i) => (a.body.data?.resetPassword === true ? [i] : []));
    expect(won).toHaveLength(1);
    expect(answers.filter((a) => errorCode(a) === 'BAD_USER_INPUT')).toHaveLength(passwords.length - 1);
    // The password that works is the winner's, and only it.
    const signIns = await Promise.all(
      passwords.map((password) => server.gql(SIGN_IN, { input: { email: fay.user.email, password } })),
    );
    expect(signIns.flatMap((s, i) => (s.body.data?.signIn ? [i] : []))).toEqual(won);
    await jobsSettled(server);
    expect(inbox.for(fay.user.email).filter((m) => /password was changed/.test(m.subject))).toHaveLength(1);
  });

  it('refuses a too short new password as BAD_USER_INPUT, leaving the token usable', async () => {
    const gus = await signUp(server, 'gus');
    await server.gql(REQUEST_RESET, { email: gus.user.email });
    const token = tokenIn(await inbox.next(gus.user.email, /Reset your password/));
    const short = await server.gql(RESET, { token, password: 'short' });
    expect(errorCode(short)).toBe('BAD_USER_INPUT');
    expect((await server.gql(RESET, { token, password: NEW_PASSWORD })).body.data).toEqual({ resetPassword: true });
  });
});

describe('with short lifetimes and a strict rate limit', () => {
  let strict: TestServer;
  // Reset requests are also limited per client address (EMAIL_RATE_LIMIT × 10 an hour). With Redis every
  // test server of the run shares that bucket, and 127.0.0.1's can be spent by other files' requests, so
  // this server trusts loopback's X-Forwarded-For and these requests come from an address of their own.
  const from = { headers: { 'x-forwarded-for': `203.0.113.${1 + Math.floor(Math.random() * 254)}` } };
  beforeAll(async () => {
    strict = await startTestServer({
      TRUST_PROXY: 'loopback',
      SMTP_URL: inbox.url,
      JOB_POLL_MS: '100',
      EMAIL_RATE_LIMIT: '2',
      EMAIL_VERIFICATION_TTL_SECONDS: '3',
      PASSWORD_RESET_TTL_SECONDS: '3',
    });
  });

  it('refuses expired verification and reset tokens as BAD_USER_INPUT', async () => {
    const hal = await signUp(strict, 'hal');
    await strict.gql(REQUEST_RESET, { email: hal.user.email }, from);
    const [verification, reset] = await Promise.all([
      inbox.next(hal.user.email, /Confirm/),
      inbox.next(hal.user.email, /Reset/),
    ]);
    expect(verification.text).toContain('for 3 seconds');
    await new Promise((r) => setTimeout(r, 3500));
    const late = await strict.gql(VERIFY, { token: tokenIn(verification) });
    expect(errorCode(late)).toBe('BAD_USER_INPUT');
    expect(late.body.errors![0].message).toMatch(/expired/);
    const lateReset = await strict.gql(RESET, { token: tokenIn(reset), password: NEW_PASSWORD });
    expect(errorCode(lateReset)).toBe('BAD_USER_INPUT');
    expect(field(lateReset)).toBe('token');
    expect((await strict.gql(ME, {}, { token: hal.token })).body.data.viewer.emailVerified).toBe(false);
  });

  it('rate-limits reset requests per address, known or not, alike', async () => {
    const ivy = await signUp(strict, 'ivy');
    const nobody = `${unique('nobody')}@example.test`;
    for (const email of [ivy.user.email, nobody]) {
      for (let i = 0; i < 2; i++)
        expect((await strict.gql(REQUEST_RESET, { email }, from)).body.errors).toBeUndefined();
      const third = await strict.gql(REQUEST_RESET, { email }, from);
      expect(errorCode(third)).toBe('RATE_LIMITED');
      expect(third.body.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    }
  });

  it('rate-limits verification requests per account', async () => {
    const jon = await signUp(strict, 'jon');
    for (let i = 0; i < 2; i++)
      expect((await strict.gql(REQUEST_VERIFICATION, {}, { token: jon.token })).body.errors).toBeUndefined();
    expect(errorCode(await strict.gql(REQUEST_VERIFICATION, {}, { token: jon.token }))).toBe('RATE_LIMITED');
  });
});

describe('ADMIN_EMAILS', () => {
  it('makes the owner of a listed address platform admin when (and only when) they verify it', async () => {
    const handle = unique('boss');
    const email = `${handle}@example.test`;
    const listing = await startTestServer({
      SMTP_URL: inbox.url,
      JOB_POLL_MS: '100',
      ADMIN_EMAILS: `x@example.test, ${email.toUpperCase()}`,
    });
    const up = await listing.gql(
      'mutation($input: SignUpInput!) { signUp(input: $input) { token user { isAdmin } } }',
      { input: { handle, email, password: 'a long enough password' } },
    );
    expect(up.body.data.signUp.user.isAdmin).toBe(false);
    const token = tokenIn(await inbox.next(email, /Confirm/));
    // Not before: an unverified sign-up is no admin, whatever the list says.
    expect((await listing.gql(ME, {}, { token: up.body.data.signUp.token })).body.data.viewer.isAdmin).toBe(false);
    expect((await listing.gql(VERIFY, { token })).body.data.verifyEmail.isAdmin).toBe(true);
    expect((await listing.gql(ME, {}, { token: up.body.data.signUp.token })).body.data.viewer).toMatchObject({
      isAdmin: true,
      emailVerified: true,
    });
  });
});
