import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { fromGlobalId } from '../../src/platform/ids';
import { identityTopics } from '../../src/modules/identity/identity.events';
import { createEvent, hoursFromNow } from '../events/operations';
import { createPoll, pollCast, voted, type PollCast } from '../polls/operations';
import { startPrivateRedis } from '../support/redis-server';
import { record, type Recording } from '../support/subscription';
import {
  closeAll,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * Issue 12, point 1: a WebSocket authenticates once, in connection_init, but its credential may stop
 * being valid while it stays open. Signing out, revoking an API key, a session that expires and a
 * user deleted close the credential's sockets within 5 s with 4401 Unauthorized (which graphql-ws
 * clients do not retry, unlike 4403), also on other instances and when the revocation message is
 * lost; each operation acts with the viewer's current rights (admin granted or taken away). A ban is
 * not a revocation: the banned member's socket stays open but loses the community's private content
 * at once, its running subscriptions there included.
 */

const POST_TITLE = 'query($id: ID!) { post(id: $id) { title } }';
const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { id cursor } }';
const COMMENT_ADDED =
  'subscription($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { body } }';
const MEMBER_JOINED = 'subscription($id: ID!) { memberJoined(communityId: $id) { user { handle } } }';
const POST_ADDED = 'subscription($id: ID!) { postAdded(communityId: $id) { title } }';
const CHAT_ADDED = 'subscription($id: ID!, $after: String) { chatMessageAdded(eventId: $id, after: $after) { body } }';
const CHAT_REMOVED = 'subscription($id: ID!) { chatMessageRemoved(eventId: $id) }';
const POLL_UPDATED = 'subscription($id: ID!) { pollUpdated(pollId: $id) { totalVoters } }';
const LEADERBOARD =
  'subscription($id: ID!) { leaderboardChanged(communityId: $id, period: ALL_TIME, first: 5) { rank } }';
const SEND_CHAT = 'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id cursor } }';
const BAN = 'mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }';

/** graphql-ws's code for a credential that is no longer valid: final for its clients. */
const UNAUTHORIZED = 4401;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A graphql-ws client as an app would configure it (it retries lost connections), with what happened to its sockets. */
interface AppClient {
  client: Client;
  /** Sockets it opened (each retry opens one). */
  connections: number;
  /** Close codes of its sockets, in order. */
  closeCodes: number[];
  /** Resolves with the first socket's close code once it closes; rejects after `ms`. */
  closed(ms?: number): Promise<number>;
}

/** Opens a client that retries up to 5 times, and waits until its socket is acknowledged. */
async function appClient(on: TestServer, token?: string): Promise<AppClient> {
  let connected!: () => void;
  const acknowledged = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const closes: ((code: number) => void)[] = [];
  const app: AppClient = {
    client: undefined as unknown as Client,
    connections: 0,
    closeCodes: [],
    closed: (ms = 5000) =>
      new Promise<number>((resolve, reject) => {
        if (app.closeCodes.length) return resolve(app.closeCodes[0]);
        const timer = setTimeout(() => reject(new Error(`the socket was still open after ${ms} ms`)), ms);
        closes.push((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      }),
  };
  app.client = createClient({
    url: on.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 5,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    onNonLazyError: () => undefined,
    on: {
      connecting: () => {
        app.connections += 1;
      },
      connected: () => connected(),
      closed: (event) => {
        const code = (event as { code: number }).code;
        app.closeCodes.push(code);
        closes.splice(0).forEach((notify) => notify(code));
      },
    },
  });
  onCleanup(() => app.client.dispose());
  await acknowledged;
  return app;
}

/** Runs a query or mutation over a client's socket and returns its one result (or the error it got). */
async function over(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const r = record<any>(client, { query, variables });
  await r.settled();
  return { data: r.results[0]?.data, codes: r.errorCodes(), failure: r.failure };
}

/** A PRIVATE community with owner, moderator and three members, and a post with one comment. */
async function privateThread(on: TestServer = server) {
  const cast = await pollCast(on, 3, 'PRIVATE');
  const post = await on.gql(
    'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
    { input: { communityId: cast.community.id, title: 'Members only', body: 'Secret plans' } },
    { token: cast.owner.token },
  );
  expect(post.body.errors).toBeUndefined();
  const postId: string = post.body.data.createPost.id;
  const first = await on.gql(ADD_COMMENT, { input: { postId, body: 'first' } }, { token: cast.owner.token });
  const second = await on.gql(ADD_COMMENT, { input: { postId, body: 'second' } }, { token: cast.owner.token });
  expect([first.body.errors, second.body.errors]).toEqual([undefined, undefined]);
  return { ...cast, postId, firstCursor: first.body.data.addComment.cursor as string };
}

/** Subscribes to the post's comments from its first one: the replayed "second" shows the stream is running. */
async function followComments(
  client: Client,
  thread: { postId: string; firstCursor: string },
): Promise<Recording<any>> {
  const r = record<any>(client, {
    query: COMMENT_ADDED,
    variables: { postId: thread.postId, after: thread.firstCursor },
  });
  await r.until(() => r.results.some((x) => x.data?.commentAdded?.body === 'second'), 'the replayed comment');
  return r;
}

async function signOut(on: TestServer, user: TestUser) {
  const res = await on.gql('mutation { signOut }', {}, { token: user.token });
  expect(res.body).toEqual({ data: { signOut: true } });
}

/** Runs SQL on the server's database (what no API does: time passing, a user removed by an operator). */
function execute(on: TestServer, query: string, params: unknown[]) {
  return on.app.db.orm.em.fork().getConnection().execute(query, params);
}

describe('revoking a credential closes its open sockets (issue 12, point 1)', () => {
  it("closes a session's socket within 5 s of signOut with 4401, ending its subscriptions, and the client does not reconnect", async () => {
    const thread = await privateThread();
    const [ada] = thread.members;
    const app = await appClient(server, ada.token);
    expect((await over(app.client, POST_TITLE, { id: thread.postId })).data).toEqual({
      post: { title: 'Members only' },
    });
    const comments = await followComments(app.client, thread);

    await signOut(server, ada);
    expect(await app.closed()).toBe(UNAUTHORIZED);
    // The client gave up at once: with retries left, it hands the close to its subscriptions only when it will not retry.
    await comments.settled();
    expect(comments.failure).toMatchObject({ code: UNAUTHORIZED });
    expect(comments.completed).toBe(false);
    expect(app.connections).toBe(1);
    await server.gql(
      ADD_COMMENT,
      { input: { postId: thread.postId, body: 'after the sign-out' } },
      { token: thread.owner.token },
    );
    expect(comments.results.map((r) => r.data?.commentAdded?.body)).toEqual(['second']);
  });

  it('closes the socket of an API key within 5 s of revokeApiKey with 4401', async () => {
    const thread = await privateThread();
    const [bot] = thread.members;
    const created = await server.gql(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
      { input: { name: 'bot', scopes: ['READ', 'SUBSCRIBE'] } },
      { token: bot.token },
    );
    const { secret, apiKey } = created.body.data.createApiKey;
    const app = await appClient(server, secret);
    const comments = await followComments(app.client, thread);

    const revoked = await server.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: apiKey.id },
      { token: bot.token },
    );
    expect(revoked.body.errors).toBeUndefined();
    expect(await app.closed()).toBe(UNAUTHORIZED);
    await comments.settled();
    expect(comments.failure).toMatchObject({ code: UNAUTHORIZED });
    expect(app.connections).toBe(1);
    // The member's session is another credential: its sockets stay open.
    const session = await appClient(server, bot.token);
    expect((await over(session.client, POST_TITLE, { id: thread.postId })).data).toEqual({
      post: { title: 'Members only' },
    });
  });

  it('closes a socket within 5 s once its session expires, though nobody revokes it', async () => {
    const thread = await privateThread();
    const [ada] = thread.members;
    const app = await appClient(server, ada.token);
    const comments = await followComments(app.client, thread);

    await execute(server, 'update sessions set expires_at = now() where user_id = ?', [
      fromGlobalId('User', ada.user.id),
    ]);
    expect(await app.closed()).toBe(UNAUTHORIZED);
    await comments.settled();
    expect(comments.failure).toMatchObject({ code: UNAUTHORIZED });
  });

  it('closes the sockets of a user deleted from the database within 5 s', async () => {
    const loner = await signUp(server, 'loner');
    const app = await appClient(server, loner.token);
    expect((await over(app.client, '{ viewer { handle } }')).data).toEqual({ viewer: { handle: loner.user.handle } });

    await execute(server, 'delete from users where id = ?', [fromGlobalId('User', loner.user.id)]);
    expect(await app.closed()).toBe(UNAUTHORIZED);
  });

  it('closes the socket within 5 s even when the revocation message is lost (the periodic re-check)', async () => {
    const lossy = await startTestServer();
    // The publish of the revocation fails, as it does when pub/sub is unreachable past its timeout.
    const publish = lossy.app.pubsub.publish.bind(lossy.app.pubsub);
    lossy.app.pubsub.publish = async (topic, payload) => {
      if (topic === identityTopics.credentialsRevoked) throw new Error('pub/sub unreachable');
      return publish(topic, payload);
    };
    const ada = await signUp(lossy, 'ada');
    const app = await appClient(lossy, ada.token);

    await signOut(lossy, ada);
    expect(await app.closed()).toBe(UNAUTHORIZED);
    expect(app.connections).toBe(1);
  });

  it('keeps refusing a revoked token at connection_init with 4403, as before', async () => {
    const ada = await signUp(server, 'ada');
    await signOut(server, ada);
    const r = record<any>(server.ws({ token: ada.token }), { query: '{ viewer { handle } }' });
    await r.settled();
    expect(r.failure).toMatchObject({ code: 4403 });
  });
});

describe("each operation on an open socket acts with the viewer's current rights", () => {
  it('sees a platform admin right granted, then taken away, within 5 s, and ends the subscriptions it allowed', async () => {
    const thread = await privateThread();
    const outsider = await signUp(server, 'outsider');
    const userId = fromGlobalId('User', outsider.user.id);
    const app = await appClient(server, outsider.token);
    expect((await over(app.client, POST_TITLE, { id: thread.postId })).data).toEqual({ post: null });

    // Platform admins read every community: granted by an operator while the socket is open.
    await execute(server, 'update users set is_admin = true where id = ?', [userId]);
    await eventually(
      async () => (await over(app.client, POST_TITLE, { id: thread.postId })).data?.post?.title === 'Members only',
      'the admin right',
    );
    const comments = await followComments(app.client, thread);

    await execute(server, 'update users set is_admin = false where id = ?', [userId]);
    await comments.until(() => comments.completed, 'the subscription to end');
    expect(comments.failure).toBeUndefined();
    expect((await over(app.client, POST_TITLE, { id: thread.postId })).data).toEqual({ post: null });
    expect(app.closeCodes).toEqual([]);
  });
});

/** Resolves once `check` holds, trying every 100 ms; rejects after `ms`. */
async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function ban(on: TestServer, cast: PollCast, user: TestUser) {
  const res = await on.gql(
    BAN,
    { input: { communityId: cast.community.id, userId: user.user.id, reason: 'spam' } },
    { token: cast.owner.token },
  );
  expect(res.body.data).toEqual({ banMember: { reason: 'spam' } });
}

describe("a banned member's open socket (issue 12, point 1)", () => {
  it("no longer reads the community's private posts, comments there or subscribes there, and stays open", async () => {
    const thread = await privateThread();
    const [troll] = thread.members;
    const app = await appClient(server, troll.token);
    expect((await over(app.client, POST_TITLE, { id: thread.postId })).data).toEqual({
      post: { title: 'Members only' },
    });

    await ban(server, thread, troll);
    // A post one may not read is null, as if it did not exist.
    expect((await over(app.client, POST_TITLE, { id: thread.postId })).data).toEqual({ post: null });
    const comment = await over(app.client, ADD_COMMENT, { input: { postId: thread.postId, body: 'one last word' } });
    expect(comment.data ?? null).toBeNull();
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(comment.codes[0]);
    const subscription = record<any>(app.client, {
      query: COMMENT_ADDED,
      variables: { postId: thread.postId, after: thread.firstCursor },
    });
    await subscription.settled();
    expect(subscription.errorCodes()).toEqual(['NOT_FOUND']);
    expect(subscription.results.filter((r) => r.data)).toEqual([]);

    const bodies = await server.gql(
      'query($id: ID!) { post(id: $id) { comments(first: 10) { edges { node { body } } } } }',
      { id: thread.postId },
      { token: thread.owner.token },
    );
    expect(bodies.body.data.post.comments.edges.map((e: any) => e.node.body).sort()).toEqual(['first', 'second']);
    expect((await over(app.client, '{ viewer { handle } }')).data).toEqual({ viewer: { handle: troll.user.handle } });
    expect(app.closeCodes).toEqual([]);
  });

  /**
   * Each subscription to the community's private content, running before the ban, completes after
   * it though nothing new happens in the community. `start` opens it and waits until it runs.
   */
  const subscriptions: [
    string,
    (c: Client, t: Awaited<ReturnType<typeof privateThread>>) => Promise<Recording<any>>,
  ][] = [
    ['commentAdded', (c, t) => followComments(c, t)],
    [
      'memberJoined',
      async (c, t) => {
        const r = record<any>(c, { query: MEMBER_JOINED, variables: { id: t.community.id } });
        await probe(r, async (n) => {
          const stranger = await signUp(server, `s${n}`);
          await server.gql(
            'mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }',
            { input: { communityId: t.community.id, userId: stranger.user.id } },
            { token: t.owner.token },
          );
          await joinCommunity(server, stranger, t.community.id);
        });
        return r;
      },
    ],
    [
      'postAdded',
      async (c, t) => {
        const r = record<any>(c, { query: POST_ADDED, variables: { id: t.community.id } });
        await probe(r, (n) =>
          server.gql(
            'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
            { input: { communityId: t.community.id, title: `probe ${n}`, body: 'b' } },
            { token: t.owner.token },
          ),
        );
        return r;
      },
    ],
    [
      'chatMessageAdded',
      async (c, t) => {
        const eventId = await liveStream(t);
        const said = await server.gql(SEND_CHAT, { input: { eventId, body: 'hello' } }, { token: t.owner.token });
        await server.gql(SEND_CHAT, { input: { eventId, body: 'again' } }, { token: t.owner.token });
        const r = record<any>(c, {
          query: CHAT_ADDED,
          variables: { id: eventId, after: said.body.data.sendChatMessage.cursor },
        });
        await r.until(() => r.results.length > 0, 'the replayed message');
        return r;
      },
    ],
    [
      'chatMessageRemoved',
      async (c, t) => {
        const eventId = await liveStream(t);
        const r = record<any>(c, { query: CHAT_REMOVED, variables: { id: eventId } });
        await probe(r, async (n) => {
          const said = await server.gql(
            SEND_CHAT,
            { input: { eventId, body: `probe ${n}` } },
            { token: t.owner.token },
          );
          await server.gql(
            'mutation($id: ID!) { deleteChatMessage(id: $id) }',
            { id: said.body.data.sendChatMessage.id },
            { token: t.owner.token },
          );
        });
        return r;
      },
    ],
    [
      'pollUpdated',
      async (c, t) => {
        const poll = await createPoll(server, t.owner, t.community.id);
        const r = record<any>(c, { query: POLL_UPDATED, variables: { id: poll.id } });
        const voters = [t.owner, t.moderator, ...t.members.slice(1)];
        await probe(r, (n) =>
          voted(server, voters[n % voters.length], poll.id, [poll.options[n % 3].id]).then(() => undefined),
        );
        return r;
      },
    ],
    [
      'leaderboardChanged',
      async (c, t) => {
        const r = record<any>(c, { query: LEADERBOARD, variables: { id: t.community.id } });
        await r.until(() => r.results.length > 0, 'the board now');
        return r;
      },
    ],
  ];

  it.each(subscriptions)(
    'ends its %s subscription to the community, though nothing new happens there',
    async (_name, start) => {
      const thread = await privateThread();
      const [troll] = thread.members;
      const app = await appClient(server, troll.token);
      const subscription = await start(app.client, thread);
      expect(subscription.completed).toBe(false);

      await ban(server, thread, troll);
      await subscription.until(
        () => subscription.completed || subscription.failure !== undefined,
        'the subscription to end',
      );
      expect(subscription.failure).toBeUndefined();
      expect(app.closeCodes).toEqual([]);
    },
  );
});

/** Starts a live stream in the thread's community, as its owner. */
async function liveStream(t: { owner: TestUser; community: { id: string } }): Promise<string> {
  const event = await createEvent(server, t.owner, t.community.id, { kind: 'LIVE_STREAM', startsAt: hoursFromNow(0) });
  const started = await server.gql(
    'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }',
    { id: event.id },
    { token: t.owner.token },
  );
  expect(started.body.errors).toBeUndefined();
  return event.id;
}

/**
 * graphql-ws does not acknowledge a subscribe: makes something happen (`act(n)`) until the
 * subscription reports it, so it is known to be running.
 */
async function probe(r: Recording<any>, act: (n: number) => Promise<unknown>): Promise<void> {
  for (let n = 1; n <= 20; n++) {
    await act(n);
    if (
      await r
        .until(() => r.results.length > 0, 'a probe', 500)
        .then(
          () => true,
          () => false,
        )
    )
      return;
    if (r.failure !== undefined || r.completed) break;
  }
  throw new Error(
    `the subscription never reported a probe: ${JSON.stringify({ results: r.results, failure: r.failure })}`,
  );
}

const redisUrl = process.env.REDIS_URL;

// Stories that need a broker between instances. Defined only with REDIS_URL, so nothing is skipped without it.
if (redisUrl) {
  describe('revocation across instances (Redis)', () => {
    it('closes the socket on one instance within 5 s of a sign-out on another', async () => {
      const [east, west] = await Promise.all([startTestServer(), startTestServer()]);
      const ada = await signUp(east, 'ada');
      const app = await appClient(west, ada.token);

      await signOut(east, ada);
      expect(await app.closed()).toBe(UNAUTHORIZED);
      expect(app.connections).toBe(1);
    });

    it('closes it within 5 s through the periodic re-check when Redis is down and the message never leaves', async () => {
      const redis = await startPrivateRedis();
      const [east, west] = await Promise.all([
        startTestServer({ REDIS_URL: redis.url }),
        startTestServer({ REDIS_URL: redis.url }),
      ]);
      const ada = await signUp(east, 'ada');
      const app = await appClient(west, ada.token);

      await redis.kill();
      const closed = app.closed();
      // The sign-out commits at once; its publish waits for Redis up to its timeout (3 s), then gives up.
      const out = signOut(east, ada);
      expect(await closed).toBe(UNAUTHORIZED);
      await out;
      await redis.start();
    }, 30_000);
  });
}
