import type { Client as SseClient } from 'graphql-sse';
import { record, type Recording } from '../support/subscription';
import { follow as followComments, untilStreaming, type Follow, type StreamedComment } from '../posts/follow';
import { castOf, createPost, dbId, type Cast } from '../posts/operations';
import { closeAll, createCommunity, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';

/**
 * Issue 16, point 8: subscriptions over Server-Sent Events on /graphql (the graphql-sse protocol,
 * distinct connections), through graphql-sse's own client, with what WebSocket enforces: the
 * credential (`Authorization: Bearer`, an API key needing SUBSCRIBE), the visibility of private
 * content, the query limits, replay by cursor with no gap or duplicate, the end of the stream when
 * the credential is revoked, and on shutdown. Plain HTTP requests are still Apollo's.
 */

const COMMENT_ADDED = `subscription($postId: ID!, $after: String) {
  commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }
}`;
const ADD_COMMENT =
  'mutation($input: AddCommentInput!) { addComment(input: $input) { id body cursor author { handle } } }';

const follow = (client: SseClient, variables: { postId: string; after?: string }): Follow =>
  followComments(client, COMMENT_ADDED, variables);

async function addComment(on: TestServer, as: TestUser, postId: string, body: string): Promise<StreamedComment> {
  const res = await on.gql(ADD_COMMENT, { input: { postId, body } }, { token: as.token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.addComment;
}

const real = (f: Follow) => f.bodies().filter((b) => !b.startsWith('probe '));

/** A community (PUBLIC or PRIVATE) with an owner, a moderator and two members, and a post by the owner. */
async function thread(on: TestServer, visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<Cast & { postId: string }> {
  const cast = await castOf(on, 2, visibility);
  const post = await createPost(on, cast.owner, cast.community.id, { title: 'Live thread', body: 'Talk here' });
  return { ...cast, postId: post.id };
}

/** Resolves when `check` holds, polling every 50 ms; rejects after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ MAX_QUERY_COST: '500' });
});
afterAll(closeAll);

describe('commentAdded over Server-Sent Events', () => {
  it("streams a PRIVATE community's comments to a member, in order, with their authors", async () => {
    const place = await thread(server, 'PRIVATE');
    const [ada, bob] = place.members;
    const f = follow(server.sse({ token: ada.token }), { postId: place.postId });
    await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));

    const added = [
      await addComment(server, bob, place.postId, 'First, from Bob'),
      await addComment(server, place.owner, place.postId, 'Then the owner'),
    ];
    await f.received('Then the owner');
    expect(real(f)).toEqual(['First, from Bob', 'Then the owner']);
    expect(f.comments().slice(-2)).toEqual(added);
    expect(f.errorCodes()).toEqual([]);
    expect(f.completed).toBe(false);
  });

  it('refuses a PRIVATE post to a non-member and to an anonymous client with NOT_FOUND, as WebSocket does, with or without a cursor', async () => {
    const place = await thread(server, 'PRIVATE');
    const secret = await addComment(server, place.owner, place.postId, 'members only');
    const outsider = await signUp(server, 'outsider');
    const attempts = [
      follow(server.sse({ token: outsider.token }), { postId: place.postId }),
      follow(server.sse({ token: outsider.token }), { postId: place.postId, after: secret.cursor }),
      follow(server.sse(), { postId: place.postId }),
      follow(server.ws({ token: outsider.token }) as never, { postId: place.postId }),
    ];
    for (const f of attempts) {
      await f.settled();
      expect(f.errorCodes()).toEqual(['NOT_FOUND']);
      expect(f.comments()).toEqual([]);
    }
    // Refused in the stream (a `next` with the error, then `complete`): the client does not retry it.
    expect(attempts[0].completed).toBe(true);
    expect(attempts[0].failure).toBeUndefined();
  });

  it('replays what came after the cursor, then streams live, with no gap and no duplicate while comments keep coming', async () => {
    const place = await thread(server);
    const total = 30;
    const startAt = [1, 6, 13, 21];
    const written: StreamedComment[] = [];
    const followers: { k: number; f: Follow }[] = [];
    for (let i = 1; i <= total; i++) {
      written.push(await addComment(server, place.owner, place.postId, `comment ${i}`));
      if (startAt.includes(i)) {
        // Anonymous readers of a PUBLIC post (shared execution once caught up) and a member (its own).
        const client = i % 2 ? server.sse() : server.sse({ token: place.members[0].token });
        followers.push({ k: i, f: follow(client, { postId: place.postId, after: written[i - 1].cursor }) });
      }
    }
    followers.push({ k: 26, f: follow(server.sse(), { postId: place.postId, after: written[25].cursor }) });
    await Promise.all(followers.map(({ f }) => f.received(`comment ${total}`, 10_000)));
    await addComment(server, place.owner, place.postId, 'the end');
    for (const { k, f } of followers) {
      await f.received('the end');
      expect({ k, bodies: f.bodies() }).toEqual({
        k,
        bodies: [...range(k + 1, total).map((n) => `comment ${n}`), 'the end'],
      });
      expect(f.comments().slice(0, total - k)).toEqual(written.slice(k));
      expect(f.errorCodes()).toEqual([]);
    }
  });
});

describe('credentials', () => {
  it('refuses a bad token in the stream with UNAUTHENTICATED, delivering nothing', async () => {
    const place = await thread(server);
    const f = follow(server.sse({ token: 'tsq_not-a-real-token' }), { postId: place.postId });
    await f.settled();
    expect(f.errorCodes()).toEqual(['UNAUTHENTICATED']);
    expect(f.completed).toBe(true);
  });

  it('refuses an API key without the SUBSCRIBE scope with FORBIDDEN, and streams to one with it', async () => {
    const place = await thread(server);
    const key = async (scopes: string[]) => {
      const res = await server.gql(
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
        { input: { name: 'app', scopes } },
        { token: place.members[0].token },
      );
      expect(res.body.errors).toBeUndefined();
      return res.body.data.createApiKey as { secret: string; apiKey: { id: string } };
    };
    const readOnly = follow(server.sse({ token: (await key(['READ'])).secret }), { postId: place.postId });
    await readOnly.settled();
    expect(readOnly.errorCodes()).toEqual(['FORBIDDEN']);

    const subscriber = await key(['SUBSCRIBE']);
    const f = follow(server.sse({ token: subscriber.secret }), { postId: place.postId });
    await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));

    // Revoked: the stream ends within 5 s with UNAUTHENTICATED, and nothing after it arrives.
    const revoked = await server.gql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: subscriber.apiKey.id },
      { token: place.members[0].token },
    );
    expect(revoked.body.errors).toBeUndefined();
    await f.settled(5000);
    expect(f.errorCodes()).toEqual(['UNAUTHENTICATED']);
    expect(f.completed).toBe(true);
    await addComment(server, place.owner, place.postId, 'after the revocation');
    expect(f.bodies()).not.toContain('after the revocation');
  });

  it("ends a session's stream within 5 s of signOut with UNAUTHENTICATED, and the client does not reconnect", async () => {
    const place = await thread(server, 'PRIVATE');
    const [ada] = place.members;
    let connects = 0;
    // As an app would configure it: it retries lost connections.
    const client = server.sse({ token: ada.token, retryAttempts: 5, on: { connecting: () => void (connects += 1) } });
    const f = follow(client, { postId: place.postId });
    await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));
    const before = f.results.length;

    const signedOut = await server.gql('mutation { signOut }', {}, { token: ada.token });
    expect(signedOut.body).toEqual({ data: { signOut: true } });
    await f.settled(5000);
    expect(f.results.length).toBe(before + 1);
    expect(f.errorCodes()).toEqual(['UNAUTHENTICATED']);
    expect(f.completed).toBe(true);
    await addComment(server, place.owner, place.postId, 'after the sign-out');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(real(f)).toEqual([]);
    expect(connects).toBe(1);
  });

  it('ends the stream within 5 s once its session expires, though nobody revokes it (the periodic re-check)', async () => {
    const place = await thread(server, 'PRIVATE');
    const [ada] = place.members;
    const f = follow(server.sse({ token: ada.token }), { postId: place.postId });
    await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));
    await server.app.db.orm.em
      .fork()
      .getConnection()
      .execute('update sessions set expires_at = now() where user_id = ?', [dbId(ada.user.id)]);
    await f.settled(5000);
    expect(f.errorCodes()).toEqual(['UNAUTHENTICATED']);
    expect(f.completed).toBe(true);
  });

  it('refuses, anonymously, what WebSocket refuses anonymously (notifications are for a signed-in user)', async () => {
    const query = { query: 'subscription { notificationAdded { kind } }' };
    const overSse = record<any>(server.sse(), query);
    const overWs = record<any>(server.ws(), query);
    await Promise.all([overSse.settled(), overWs.settled()]);
    expect(overSse.errorCodes()).toEqual(['UNAUTHENTICATED']);
    expect(overSse.errorCodes()).toEqual(overWs.errorCodes());
  });
});

describe('limits and transports', () => {
  it('refuses a subscription over MAX_QUERY_COST with QUERY_TOO_COMPLEX and the message WebSocket gives', async () => {
    const owner = await signUp(server, 'owner');
    const { id } = await createCommunity(server, owner);
    const query = {
      query:
        'subscription($id: ID!) { memberJoined(communityId: $id) { community { members(first: 100) { edges { node { id role user { handle } } } } } } }',
      variables: { id },
    };
    const overSse = record<any>(server.sse(), query);
    const overWs = record<any>(server.ws(), query);
    await Promise.all([overSse.settled(), overWs.settled()]);
    expect(overSse.errorCodes()).toEqual(['QUERY_TOO_COMPLEX']);
    const message = (r: Recording<any>) =>
      [...(Array.isArray(r.failure) ? r.failure : []), ...r.results.flatMap((x) => x.errors ?? [])][0]?.message;
    expect(message(overSse)).toMatch(/exceeds the maximum of 500/);
    expect(message(overSse)).toBe(message(overWs));
  });

  it('refuses queries and mutations over an event stream with BAD_USER_INPUT; they run over plain HTTP, as before', async () => {
    const user = await signUp(server, 'plain');
    const query = record<any>(server.sse({ token: user.token }), { query: '{ viewer { handle } }' });
    await query.settled();
    expect(query.errorCodes()).toEqual(['BAD_USER_INPUT']);
    const mutation = record<any>(server.sse({ token: user.token }), { query: 'mutation { signOut }' });
    await mutation.settled();
    expect(mutation.errorCodes()).toEqual(['BAD_USER_INPUT']);

    // The same URL without Accept: text/event-stream is Apollo's, and the session was not signed out.
    const viaHttp = await server.gql('{ viewer { handle } }', {}, { token: user.token });
    expect(viaHttp.body).toEqual({ data: { viewer: { handle: user.user.handle } } });
    const viaGet = await fetch(`${server.httpUrl}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await viaGet.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a raw POST that accepts text/event-stream with an event stream (next, then complete)', async () => {
    const res = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { notificationAdded { kind } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/event: next\ndata: \{"errors":\[\{"message":"[^"]+","locations".*"UNAUTHENTICATED"/);
    expect(text).toMatch(/event: complete\ndata:\n\n$/);
  });
});

describe('GET and browsers', () => {
  /** Reads a raw event stream until `until` holds for the text so far (or `ms` pass), then cancels it. */
  async function readStream(res: Response, until: (text: string) => boolean, ms = 5000): Promise<string> {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + ms;
    try {
      while (!until(text) && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.max(1, deadline - Date.now())))),
        ]).finally(() => clearTimeout(timer));
        if (chunk === null || chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return text;
  }

  it('streams a subscription sent as a GET query string (what EventSource sends), with the same authorization', async () => {
    const place = await thread(server, 'PRIVATE');
    const url = `${server.httpUrl}?${new URLSearchParams({
      query: COMMENT_ADDED,
      variables: JSON.stringify({ postId: place.postId }),
    })}`;
    // Anonymous: the private post is NOT_FOUND, answered in the stream.
    const refused = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toMatch(/"code":"NOT_FOUND"[\s\S]*event: complete/);

    const [ada] = place.members;
    const res = await fetch(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${ada.token}` } });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
    // The stream is open once the server has answered its headers; a comment from then on is delivered.
    const seen = readStream(res, (text) => text.includes('over GET'));
    await addComment(server, place.owner, place.postId, 'first over GET');
    const text = await seen;
    expect(text).toMatch(/event: next\ndata: \{"data":\{"commentAdded":\{[^\n]*"body":"first over GET"/);
  });

  it('answers a CORS preflight and an event stream from an origin in CORS_ORIGINS, and no other origin', async () => {
    const allowed = 'https://app.example.test';
    const own = await startTestServer({ CORS_ORIGINS: allowed });
    const preflight = (origin: string) =>
      fetch(own.httpUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect((await preflight('https://evil.example.test')).headers.get('access-control-allow-origin')).toBeNull();

    const stream = (origin: string) =>
      fetch(own.httpUrl, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { notificationAdded { kind } }' }),
      });
    const fromApp = await stream(allowed);
    expect([fromApp.status, fromApp.headers.get('access-control-allow-origin')]).toEqual([200, allowed]);
    expect(fromApp.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await fromApp.text()).toMatch(/"UNAUTHENTICATED"[\s\S]*event: complete/);
    // A browser on another origin is not allowed to read the answer: no CORS header is given.
    const fromElsewhere = await stream('https://evil.example.test');
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    await fromElsewhere.text();
  });
});

// Revocation between instances needs a broker; defined only with REDIS_URL, so nothing is skipped without it.
if (process.env.REDIS_URL) {
  describe('revocation across instances (Redis)', () => {
    it('ends a stream on one instance within 5 s of its sign-out on another, with UNAUTHENTICATED', async () => {
      const [east, west] = await Promise.all([startTestServer(), startTestServer()]);
      const place = await thread(east, 'PRIVATE');
      const [ada] = place.members;
      const f = follow(west.sse({ token: ada.token }), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(east, place.owner, place.postId, body));

      const signedOut = await east.gql('mutation { signOut }', {}, { token: ada.token });
      expect(signedOut.body).toEqual({ data: { signOut: true } });
      await f.settled(5000);
      expect(f.errorCodes()).toEqual(['UNAUTHENTICATED']);
      expect(f.completed).toBe(true);
    });
  });
}

describe('shutdown', () => {
  it('ends an open stream without `complete` on stop(), so that graphql-sse clients take it for a lost connection', async () => {
    const own = await startTestServer();
    const owner = await signUp(own, 'owner');
    const community = await createCommunity(own, owner);
    const post = await createPost(own, owner, community.id);
    const f = follow(own.sse({ token: owner.token }), { postId: post.id });
    await untilStreaming(f, (body) => addComment(own, owner, post.id, body));
    await eventually(() => f.comments().length > 0, 'the stream');

    await own.app.stop();
    await f.settled(5000);
    expect(f.completed).toBe(false);
    expect(f.failure).toBeDefined();
    expect(f.errorCodes()).toEqual([]);
  });
});
