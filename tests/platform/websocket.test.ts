import type { Client } from 'graphql-ws';
import { record, type Recording } from '../support/subscription';
import WebSocket from 'ws';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * GraphQL over WebSocket (graphql-transport-ws on /graphql): authentication in connection_init, access to
 * memberJoined as membership changes, API key scopes, the same query limits as HTTP, the cap on concurrent
 * operations per socket, and the Origin check on the upgrade.
 */

const LIMITS = {
  MAX_QUERY_DEPTH: '5',
  MAX_QUERY_COST: '500',
  MAX_ALIASES: '3',
  MAX_TOKENS: '100',
  MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
  CORS_ORIGINS: 'https://app.example',
} as const;

const MEMBER_JOINED = `subscription($id: ID!) { memberJoined(communityId: $id) { role user { handle } } }`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(LIMITS);
});
afterAll(closeAll);

type Joined = { memberJoined?: { role: string; user: { handle: string } } } & Record<string, unknown>;

/** One operation's stream as the client sees it, with the handles of the members whose joins arrived. */
interface Watch extends Recording<Joined> {
  handles(): string[];
}

function watch(client: Client, query: string, variables: Record<string, unknown> = {}): Watch {
  const w = record<Joined>(client, { query, variables }) as Watch;
  w.handles = () => w.results.map((r) => r.data?.memberJoined?.user.handle).filter((h): h is string => !!h);
  return w;
}

/** Adds a fresh user to a community through the API: joins a PUBLIC one, or joins with the owner's invite a PRIVATE one. */
async function addMember(
  community: { id: string; visibility: 'PUBLIC' | 'PRIVATE'; owner: TestUser },
  prefix = 'joiner',
): Promise<TestUser> {
  const user = await signUp(server, prefix);
  if (community.visibility === 'PRIVATE') {
    const invite = await server.gql(
      'mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }',
      { input: { communityId: community.id, userId: user.user.id } },
      { token: community.owner.token },
    );
    expect(invite.body.errors).toBeUndefined();
  }
  expect((await joinCommunity(server, user, community.id)).outcome).toBe('JOINED');
  return user;
}

/**
 * graphql-ws does not acknowledge a subscribe, so a join made right after subscribing could be published before
 * the server has subscribed. Strangers join until one of their joins comes back over the socket.
 */
async function untilSubscribed(w: Watch, community: Parameters<typeof addMember>[0]): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await addMember(community, 'stranger');
    try {
      await w.until(() => w.results.length > 0, "a stranger's join", 500);
      return;
    } catch {
      if (w.failure !== undefined || w.completed) break;
    }
  }
  throw new Error(
    `the subscription never received an event: ${JSON.stringify({ results: w.results, failure: w.failure, completed: w.completed })}`,
  );
}

async function community(visibility: 'PUBLIC' | 'PRIVATE') {
  const owner = await signUp(server, 'owner');
  const { id } = await createCommunity(server, owner, visibility);
  return { id, visibility, owner };
}

async function createApiKey(user: TestUser, scopes: string[]): Promise<string> {
  const res = await server.gql(
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
    { input: { name: 'bot', scopes } },
    { token: user.token },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.createApiKey.secret;
}

/** A raw WebSocket speaking graphql-transport-ws, closed by closeAll. */
function rawSocket(headers: Record<string, string> = {}): WebSocket {
  const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws', { headers });
  onCleanup(() => socket.terminate());
  return socket;
}

/** How an upgrade ends: opened, or refused with an HTTP status. */
function upgradeOutcome(socket: WebSocket): Promise<{ opened: true } | { opened: false; status: number }> {
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ opened: true }));
    socket.once('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode ?? 0 }));
    socket.once('error', reject);
  });
}

describe('authentication on connection_init', () => {
  it.each([
    ['an unknown token', 'Bearer tsq_not-a-real-token'],
    ['a malformed header', 'Basic dXNlcjpwYXNz'],
  ])('closes the socket with 4403 for %s, before acknowledging or running anything', async (_what, authorization) => {
    const socket = rawSocket();
    await upgradeOutcome(socket);
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } }));
    expect(await closed).toEqual({ code: 4403, reason: 'Forbidden' });
    expect(received).toEqual([]);
  });

  it('fails a subscription made with a bad token with the 4403 close, delivering no event', async () => {
    const { id } = await community('PUBLIC');
    const w = watch(server.ws({ token: 'tsq_not-a-real-token' }), MEMBER_JOINED, { id });
    await w.settled();
    expect(w.failure).toMatchObject({ code: 4403 });
    expect(w.results).toEqual([]);
  });

  it("lets a client without a token subscribe anonymously to a PUBLIC community's joins", async () => {
    const place = await community('PUBLIC');
    const w = watch(server.ws(), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);
    const bob = await signUp(server, 'bob');
    await joinCommunity(server, bob, place.id);
    await w.until(() => w.handles().includes(bob.user.handle), "Bob's join");
    expect(w.results.find((r) => r.data?.memberJoined?.user.handle === bob.user.handle)).toEqual({
      data: { memberJoined: { role: 'MEMBER', user: { handle: bob.user.handle } } },
    });
  });
});

describe('memberJoined', () => {
  it('delivers each Member who joins a PUBLIC community over HTTP, in order', async () => {
    const place = await community('PUBLIC');
    const watcher = await signUp(server, 'watcher');
    const w = watch(server.ws({ token: watcher.token }), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);
    const bob = await signUp(server, 'bob');
    const cleo = await signUp(server, 'cleo');
    await joinCommunity(server, bob, place.id);
    await joinCommunity(server, cleo, place.id);
    const theirs = () =>
      w.results.filter((r) => [bob.user.handle, cleo.user.handle].includes(r.data?.memberJoined?.user.handle ?? ''));
    await w.until(() => theirs().length === 2, "Bob's and Cleo's joins");
    expect(theirs()).toEqual([
      { data: { memberJoined: { role: 'MEMBER', user: { handle: bob.user.handle } } } },
      { data: { memberJoined: { role: 'MEMBER', user: { handle: cleo.user.handle } } } },
    ]);
    expect(w.completed).toBe(false);
  });

  it('refuses a PRIVATE community to a non-member with NOT_FOUND, as if it did not exist', async () => {
    const place = await community('PRIVATE');
    const outsider = await signUp(server, 'outsider');
    const w = watch(server.ws({ token: outsider.token }), MEMBER_JOINED, { id: place.id });
    await w.settled();
    expect(w.errorCodes()).toEqual(['NOT_FOUND']);
    expect(w.handles()).toEqual([]);

    const anonymous = watch(server.ws(), MEMBER_JOINED, { id: place.id });
    await anonymous.settled();
    expect(anonymous.errorCodes()).toEqual(['NOT_FOUND']);
  });

  it("streams a PRIVATE community's joins to its members", async () => {
    const place = await community('PRIVATE');
    const member = await addMember(place, 'member');
    const w = watch(server.ws({ token: member.token }), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);
    const newcomer = await addMember(place, 'newcomer');
    await w.until(() => w.handles().includes(newcomer.user.handle), "the newcomer's join");
    expect(w.errorCodes()).toEqual([]);
  });

  it('stops streaming to a member who leaves a PRIVATE community, and completes the subscription', async () => {
    const place = await community('PRIVATE');
    const member = await addMember(place, 'leaver');
    const w = watch(server.ws({ token: member.token }), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);

    const left = await server.gql(
      'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
      { id: place.id },
      { token: member.token },
    );
    expect(left.body.data).toEqual({ leaveCommunity: true });
    const after = await addMember(place, 'after');
    await w.until(() => w.completed, 'the subscription to complete');
    expect(w.handles()).not.toContain(after.user.handle);
    expect(w.failure).toBeUndefined();
  });

  it('stops streaming to a member the owner bans, and completes the subscription', async () => {
    const place = await community('PRIVATE');
    const member = await addMember(place, 'banned');
    const w = watch(server.ws({ token: member.token }), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);

    const ban = await server.gql(
      'mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }',
      { input: { communityId: place.id, userId: member.user.id, reason: 'spam' } },
      { token: place.owner.token },
    );
    expect(ban.body.data).toEqual({ banMember: { reason: 'spam' } });
    const after = await addMember(place, 'after');
    await w.until(() => w.completed, 'the subscription to complete');
    expect(w.handles()).not.toContain(after.user.handle);
    expect(w.failure).toBeUndefined();
  });
});

describe('API keys', () => {
  it('refuses a subscription to a key without the SUBSCRIBE scope with FORBIDDEN', async () => {
    const place = await community('PUBLIC');
    const secret = await createApiKey(place.owner, ['READ', 'WRITE']);
    const w = watch(server.ws({ token: secret }), MEMBER_JOINED, { id: place.id });
    await w.settled();
    expect(w.errorCodes()).toEqual(['FORBIDDEN']);
    expect(w.results).toEqual([]);
  });

  it('streams to a key with the SUBSCRIBE scope', async () => {
    const place = await community('PUBLIC');
    const secret = await createApiKey(place.owner, ['SUBSCRIBE']);
    const w = watch(server.ws({ token: secret }), MEMBER_JOINED, { id: place.id });
    await untilSubscribed(w, place);
    const bob = await signUp(server, 'bob');
    await joinCommunity(server, bob, place.id);
    await w.until(() => w.handles().includes(bob.user.handle), "Bob's join");
  });

  it('refuses a query over the socket to a key with only SUBSCRIBE, with FORBIDDEN', async () => {
    const owner = await signUp(server, 'owner');
    const secret = await createApiKey(owner, ['SUBSCRIBE']);
    const w = watch(server.ws({ token: secret }), '{ viewer { handle } }');
    await w.settled();
    expect(w.errorCodes()).toEqual(['FORBIDDEN']);
  });
});

describe('query limits over WebSocket', () => {
  it('rejects a subscription nested deeper than MAX_QUERY_DEPTH with QUERY_TOO_COMPLEX', async () => {
    const { id } = await community('PUBLIC');
    const w = watch(
      server.ws(),
      `subscription($id: ID!) {
      memberJoined(communityId: $id) { community { members(first: 1) { edges { node { id } } } } }
    }`,
      { id },
    );
    await w.settled();
    expect(w.errorCodes()).toEqual(['QUERY_TOO_COMPLEX']);
    expect(w.failure).toEqual([expect.objectContaining({ message: expect.stringMatching(/depth limit of 5/) })]);
  });

  it('rejects more than MAX_ALIASES aliases with QUERY_TOO_COMPLEX', async () => {
    const w = watch(server.ws(), '{ a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }');
    await w.settled();
    expect(w.errorCodes()).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('rejects an operation over MAX_QUERY_COST with QUERY_TOO_COMPLEX, and runs a cheaper one', async () => {
    const client = server.ws();
    const query =
      'query($n: Int) { communities(first: $n) { edges { node { id name slug description memberCount } } } }';
    const costly = watch(client, query, { n: 100 });
    await costly.settled();
    expect(costly.errorCodes()).toEqual(['QUERY_TOO_COMPLEX']);
    expect(costly.failure).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/exceeds the maximum of 500/) }),
    ]);

    const cheap = watch(client, query, { n: 5 });
    await cheap.settled();
    expect(cheap.errorCodes()).toEqual([]);
    expect(cheap.completed).toBe(true);
    expect(cheap.results[0].data?.communities).toEqual({ edges: expect.any(Array) });
  });

  it('rejects a document of more than MAX_TOKENS tokens with QUERY_TOO_COMPLEX', async () => {
    const w = watch(server.ws(), `{ ${'viewer { id } '.repeat(30)}}`);
    await w.settled();
    expect(w.errorCodes()).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('rejects an unknown field with GRAPHQL_VALIDATION_FAILED and wrongly typed variables with BAD_USER_INPUT', async () => {
    const unknown = watch(server.ws(), '{ viewer { shoeSize } }');
    await unknown.settled();
    expect(unknown.errorCodes()).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    const badVariables = watch(server.ws(), 'query($n: Int) { communities(first: $n) { edges { node { id } } } }', {
      n: 'many',
    });
    await badVariables.settled();
    expect(badVariables.errorCodes()).toEqual(['BAD_USER_INPUT']);
  });

  it("rejects a subscription to an id that is not a community's with BAD_USER_INPUT naming communityId", async () => {
    const owner = await signUp(server, 'owner');
    const w = watch(server.ws(), MEMBER_JOINED, { id: owner.user.id });
    await w.settled();
    expect(w.errorCodes()).toEqual(['BAD_USER_INPUT']);
    expect(w.results[0]?.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'communityId' });
  });
});

describe('concurrent operations per socket', () => {
  it('runs MAX_SUBSCRIPTIONS_PER_SOCKET subscriptions on one socket, refuses one more, and takes a new one once one ends', async () => {
    const place = await community('PUBLIC');
    const client = server.ws();
    const first = watch(client, MEMBER_JOINED, { id: place.id });
    const second = watch(client, MEMBER_JOINED, { id: place.id });
    await untilSubscribed(first, place);
    await untilSubscribed(second, place);

    const third = watch(client, MEMBER_JOINED, { id: place.id });
    await third.settled();
    expect(third.failure).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/At most 2/), extensions: { code: 'FORBIDDEN' } }),
    ]);

    // Both survivors still stream.
    const bob = await signUp(server, 'bob');
    await joinCommunity(server, bob, place.id);
    await first.until(() => first.handles().includes(bob.user.handle), "Bob's join on the first");
    await second.until(() => second.handles().includes(bob.user.handle), "Bob's join on the second");

    first.stop();
    const fourth = watch(client, MEMBER_JOINED, { id: place.id });
    await untilSubscribed(fourth, place);
    expect(fourth.failure).toBeUndefined();
  });

  it('counts each socket on its own', async () => {
    const place = await community('PUBLIC');
    const sockets = [server.ws(), server.ws()];
    const watches = sockets.flatMap((client) => [
      watch(client, MEMBER_JOINED, { id: place.id }),
      watch(client, MEMBER_JOINED, { id: place.id }),
    ]);
    for (const w of watches) await untilSubscribed(w, place);
    expect(watches.map((w) => w.failure)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('the Origin of the upgrade', () => {
  it('refuses an upgrade from a foreign Origin with HTTP 403', async () => {
    expect(await upgradeOutcome(rawSocket({ origin: 'https://evil.example' }))).toEqual({ opened: false, status: 403 });
  });

  it('accepts an upgrade from the same origin, from an origin in CORS_ORIGINS, and with no Origin', async () => {
    const sameOrigin = new URL(server.baseUrl).origin;
    const cases: Record<string, string>[] = [{ origin: sameOrigin }, { origin: 'https://app.example' }, {}];
    for (const headers of cases) {
      const socket = rawSocket(headers);
      expect(await upgradeOutcome(socket)).toEqual({ opened: true });
      const acked = new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      expect(await acked).toEqual({ type: 'connection_ack' });
      socket.close(1000);
    }
  });
});
