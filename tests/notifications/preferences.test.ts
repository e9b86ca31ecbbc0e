/**
 * Notification preferences and emails (issue 15, point 4): per kind, everywhere or per community,
 * IN_APP, EMAIL, DIGEST or OFF; honoured by the notification jobs; the daily digest. Mail goes to a
 * real SMTP server in the test process (tests/email/inbox.ts).
 */
import { startInbox, tokenIn, type Inbox } from '../email/inbox';
import { addComment, castOf, createPost, dbQuery } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import {
  closeAll,
  createCommunity,
  errorCode,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
let mail: Inbox;
beforeAll(async () => {
  mail = await startInbox();
  server = await startTestServer({ SMTP_URL: mail.url, JOB_POLL_MS: '100' });
});
afterAll(closeAll);

const UPDATE = `mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { kind channel community { id } }
}`;

/** Sets one kind's channel (null: removes the preference), everywhere or in a community; returns the scope's preferences. */
async function set(who: TestUser, kind: string, channel: string | null, communityId?: string): Promise<any[]> {
  const data = await must(who, UPDATE, { input: { communityId, preferences: [{ kind, channel }] } });
  return data.updateNotificationPreferences;
}
const KINDS = '{ viewer { notifications(first: 20) { edges { node { kind } } } } }';

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

/** Verifies `who`'s address with the link of their sign-up email. */
async function verify(who: TestUser): Promise<void> {
  const token = tokenIn(await mail.next(who.user.email, /Confirm your email/));
  await must(who, 'mutation($token: String!) { verifyEmail(token: $token) { id } }', { token });
}

async function kinds(who: TestUser): Promise<string[]> {
  return (await must(who, KINDS)).viewer.notifications.edges.map((e: any) => e.node.kind);
}

describe('notification preferences', () => {
  it('writes no notification of a kind set OFF, and a community override wins over the preference for every community', async () => {
    const cast = await castOf(server, 2);
    const [author, replier] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    expect(await set(author, 'REPLY', 'OFF')).toEqual([{ kind: 'REPLY', channel: 'OFF', community: null }]);

    await addComment(server, replier, post.id, 'Nobody hears this.');
    await jobsSettled(server);
    expect(await kinds(author)).not.toContain('REPLY');

    const override = await set(author, 'REPLY', 'IN_APP', cast.community.id);
    expect(override).toEqual([{ kind: 'REPLY', channel: 'IN_APP', community: { id: cast.community.id } }]);
    await addComment(server, replier, post.id, 'This one is heard.');
    await jobsSettled(server);
    expect(await kinds(author)).toContain('REPLY');

    const listed = await must(
      author,
      `query($c: ID) { viewer { everywhere: notificationPreferences { kind channel }
                                 here: notificationPreferences(communityId: $c) { kind channel } } }`,
      { c: cast.community.id },
    );
    expect(listed.viewer).toEqual({
      everywhere: [{ kind: 'REPLY', channel: 'OFF' }],
      here: [{ kind: 'REPLY', channel: 'IN_APP' }],
    });

    // Several kinds at once; a null channel removes a preference (the community override here).
    const both = await set(author, 'REPLY', null, cast.community.id);
    expect(both).toEqual([]);
    const many = await must(author, UPDATE, {
      input: {
        preferences: [
          { kind: 'MENTION', channel: 'DIGEST' },
          { kind: 'REPLY', channel: null },
        ],
      },
    });
    expect(many.updateNotificationPreferences).toEqual([{ kind: 'MENTION', channel: 'DIGEST', community: null }]);
    const twice = await server.gql(
      UPDATE,
      {
        input: {
          preferences: [
            { kind: 'REPLY', channel: 'OFF' },
            { kind: 'REPLY', channel: 'EMAIL' },
          ],
        },
      },
      { token: author.token },
    );
    expect(twice.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'preferences' });
  });

  it('emails a notification whose kind is set to EMAIL, escaping what members wrote, and keeps it in the app', async () => {
    const cast = await castOf(server, 2);
    const [mentioned, writer] = cast.members;
    await verify(mentioned);
    await set(mentioned, 'MENTION', 'EMAIL');
    await createPost(server, writer, cast.community.id, {
      title: '<b>Tom & Jerry</b>',
      body: `Hello @${mentioned.user.handle}!`,
    });
    const message = await mail.next(mentioned.user.email, /mentioned you/);
    expect(message.subject).toBe(`@${writer.user.handle} mentioned you in "<b>Tom & Jerry</b>" in Test community`);
    expect(message.text).toContain('"<b>Tom & Jerry</b>"');
    expect(message.html).toContain('&quot;&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;&quot;');
    expect(message.html).not.toContain('<b>Tom');
    expect(await kinds(mentioned)).toContain('MENTION');
  });

  it('sends no email to an unverified address', async () => {
    const cast = await castOf(server, 2);
    const [mentioned, writer] = cast.members;
    await set(mentioned, 'MENTION', 'EMAIL');
    await createPost(server, writer, cast.community.id, { body: `Hi @${mentioned.user.handle}` });
    await jobsSettled(server);
    expect(mail.for(mentioned.user.email).filter((m) => /mentioned you/.test(m.subject))).toEqual([]);
    expect(await kinds(mentioned)).toContain('MENTION');
  });

  it('mails the daily digest of unread DIGEST notifications to those who chose it, and nobody else', async () => {
    const cast = await castOf(server, 3);
    const [author, replier, other] = cast.members;
    await Promise.all([verify(author), verify(other)]);
    await set(author, 'REPLY', 'DIGEST');
    const post = await createPost(server, author, cast.community.id, { title: 'Digest me' });
    const otherPost = await createPost(server, other, cast.community.id);
    await addComment(server, replier, post.id, 'One.');
    await addComment(server, replier, otherPost.id, 'Two.');
    await jobsSettled(server);
    expect(await kinds(author)).toContain('REPLY');

    // The daily schedule's task, run now.
    await dbQuery(server, "select graphile_worker.add_job('notifications.digest', '{}'::json)");
    const digest = await mail.next(author.user.email, /digest/);
    expect(digest.subject).toBe('Your Townsquare digest: 1 unread notification');
    expect(digest.text).toContain(`- @${replier.user.handle} replied to you on "Digest me" in Test community`);
    expect(digest.html).toContain('<li>');
    await jobsSettled(server);
    expect(mail.for(other.user.email).filter((m) => /digest/.test(m.subject))).toEqual([]);
  });

  it('lets only the user read their preferences, and refuses a community they cannot see', async () => {
    const [ada, bob] = [await signUp(server, 'ada'), await signUp(server, 'bob')];
    const read = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { notificationPreferences { kind } } } }',
      {
        id: ada.user.id,
      },
      { token: bob.token },
    );
    expect(errorCode(read)).toBe('FORBIDDEN');
    const hidden = await createCommunity(server, ada, 'PRIVATE');
    const refused = await server.gql(
      UPDATE,
      { input: { communityId: hidden.id, preferences: [{ kind: 'REPLY', channel: 'OFF' }] } },
      { token: bob.token },
    );
    expect(errorCode(refused)).toBe('NOT_FOUND');
    const setting = await dbQuery(
      server,
      'select count(*)::int as n from notification_preferences p join users u on u.id = p.user_id where u.handle = ?',
      [bob.user.handle],
    );
    expect(setting[0].n).toBe(0);
  });
});
