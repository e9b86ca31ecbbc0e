/**
 * Bots (issue 15, point 6) through the public API: a community admin creates a bot (a member
 * account and an API key shown once); the bot posts, reads and talks in the live chat of its
 * community, and everything it tries in another community is FORBIDDEN; it has a rate limit of its
 * own (BOT_RATE_LIMIT); only admins create bots; an admin replaces a leaked key (rotateBotKey), which
 * stops working at once, over HTTP and on open WebSockets.
 */
import { castOf, createPost } from '../posts/operations';
import { record } from '../support/subscription';
import {
  closeAll,
  createCommunity,
  errorCode,
  signUp,
  startTestServer,
  unique,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ BOT_RATE_LIMIT: '40', BOT_RATE_WINDOW_SECONDS: '60' });
});
afterAll(closeAll);

const CREATE_BOT = `mutation($input: CreateBotInput!) { createBot(input: $input) {
  secret user { id handle isBot } apiKey { id scopes } } }`;

async function must(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

async function bot(owner: TestUser, communityId: string) {
  const handle = unique('bot');
  return (await must(owner.token, CREATE_BOT, { input: { communityId, name: 'Helper', handle } })).createBot;
}

describe('bots', () => {
  it('post, read and talk in the live chat of their community, and are FORBIDDEN anywhere else', async () => {
    const cast = await castOf(server, 1);
    const elsewhere = await createCommunity(server, await signUp(server, 'other'));
    const created = await bot(cast.owner, cast.community.id);
    expect(created.secret).toMatch(/^tsk_/);
    expect(created.user.isBot).toBe(true);
    expect(created.apiKey.scopes.sort()).toEqual(['READ', 'SUBSCRIBE', 'WRITE']);
    const key = created.secret as string;
    expect((await must(key, '{ viewer { handle isBot } }')).viewer).toEqual({
      handle: created.user.handle,
      isBot: true,
    });

    // At home: a post, the community's posts, a chat message in a live stream.
    const post = (
      await must(
        key,
        'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Bot news", body: "Beep." }) { id author { isBot } } }',
        { c: cast.community.id },
      )
    ).createPost;
    expect(post.author.isBot).toBe(true);
    await createPost(server, cast.members[0], cast.community.id, { title: 'Human news' });
    const read = await must(
      key,
      'query($s: String!) { community(slug: $s) { posts(first: 10) { edges { node { title } } } } }',
      {
        s: cast.community.slug,
      },
    );
    expect(read.community.posts.edges.map((e: any) => e.node.title).sort()).toEqual(['Bot news', 'Human news']);
    const startsAt = new Date(Date.now() + 60_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const stream = (
      await must(
        cast.owner.token,
        `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!) { createEvent(input: { communityId: $c, kind: LIVE_STREAM,
          title: "Live", description: "D", startsAt: $s, endsAt: $e, timeZone: "UTC" }) { id } }`,
        { c: cast.community.id, s: startsAt, e: endsAt },
      )
    ).createEvent;
    await must(cast.owner.token, 'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }', { id: stream.id });
    const said = await must(
      key,
      'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "Hello, humans" }) { body } }',
      {
        e: stream.id,
      },
    );
    expect(said.sendChatMessage.body).toBe('Hello, humans');

    // Elsewhere: reading, writing, joining, creating a community.
    const attempts: [string, Record<string, unknown>][] = [
      ['query($s: String!) { community(slug: $s) { name } }', { s: elsewhere.slug }],
      [
        'query($s: String!) { community(slug: $s) { posts(first: 5) { edges { node { id } } } } }',
        { s: elsewhere.slug },
      ],
      [
        'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Spam", body: "Spam" }) { id } }',
        { c: elsewhere.id },
      ],
      ['mutation($c: ID!) { joinCommunity(communityId: $c) { outcome } }', { c: elsewhere.id }],
      [
        'mutation { createCommunity(input: { slug: "bot-land", name: "Bots", description: "x", visibility: PUBLIC }) { id } }',
        {},
      ],
    ];
    for (const [query, variables] of attempts) {
      const res = await server.gql(query, variables, { token: key });
      expect([query, errorCode(res)]).toEqual([query, 'FORBIDDEN']);
    }
    // The key is no session: it mints no other key.
    expect(
      errorCode(
        await server.gql(
          'mutation { createApiKey(input: { name: "x", scopes: [READ] }) { secret } }',
          {},
          { token: key },
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('have a rate limit of their own on every operation', async () => {
    const cast = await castOf(server, 1);
    const { secret } = await bot(cast.owner, cast.community.id);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 41; i++) codes.push(errorCode(await server.gql('{ viewer { id } }', {}, { token: secret })));
    expect(codes.slice(0, 40)).toEqual(Array(40).fill(undefined));
    const limited = await server.gql('{ viewer { id } }', {}, { token: secret });
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(limited.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
    // People are not bound by it.
    for (let i = 0; i < 45; i++)
      expect(errorCode(await server.gql('{ viewer { id } }', {}, { token: cast.owner.token }))).toBeUndefined();
  });

  it('are created by the community\u2019s admins only, with a handle of their own', async () => {
    const cast = await castOf(server, 1);
    const input = { communityId: cast.community.id, name: 'Helper', handle: unique('bot') };
    for (const who of [cast.members[0], cast.moderator]) {
      expect(errorCode(await server.gql(CREATE_BOT, { input }, { token: who.token }))).toBe('FORBIDDEN');
    }
    expect(errorCode(await server.gql(CREATE_BOT, { input }))).toBe('UNAUTHENTICATED');
    await must(cast.owner.token, CREATE_BOT, { input });
    expect(errorCode(await server.gql(CREATE_BOT, { input }, { token: cast.owner.token }))).toBe('CONFLICT');
    expect(
      errorCode(
        await server.gql(CREATE_BOT, { input: { ...input, handle: 'no spaces' } }, { token: cast.owner.token }),
      ),
    ).toBe('BAD_USER_INPUT');
    // It is a member of the community, listed with the others.
    const members = await must(
      cast.owner.token,
      'query($s: String!) { community(slug: $s) { memberCount members(first: 20) { edges { node { user { handle isBot } } } } } }',
      { s: cast.community.slug },
    );
    expect(members.community.members.edges.map((e: any) => e.node.user)).toContainEqual({
      handle: input.handle.toLowerCase(),
      isBot: true,
    });
  });

  it('have their key replaced by their community\u2019s admins: the old one stops at once, its sockets close', async () => {
    const cast = await castOf(server, 1);
    const created = await bot(cast.owner, cast.community.id);
    const ROTATE = `mutation($b: ID!) { rotateBotKey(botId: $b) { secret user { id isBot } apiKey { id name scopes } } }`;
    // A socket open on the old key, following the community's new members.
    const closes: number[] = [];
    const client = server.ws({ token: created.secret, onClosed: (code) => closes.push(code) });
    const following = record<any>(client, {
      query: 'subscription($c: ID!) { memberJoined(communityId: $c) { id } }',
      variables: { c: cast.community.id },
    });
    const probe = record<any>(client, { query: '{ viewer { isBot } }' });
    await probe.settled();
    expect(probe.results[0].data).toEqual({ viewer: { isBot: true } });
    await must(created.secret, '{ viewer { id } }');

    // Nobody but its community's admins: members and moderators FORBIDDEN, outsiders and anonymous
    // refused, a person's id is no bot (NOT_FOUND).
    for (const who of [cast.members[0], cast.moderator]) {
      expect(errorCode(await server.gql(ROTATE, { b: created.user.id }, { token: who.token }))).toBe('FORBIDDEN');
    }
    expect(errorCode(await server.gql(ROTATE, { b: created.user.id }))).toBe('UNAUTHENTICATED');
    const stranger = await signUp(server, 'stranger');
    expect(errorCode(await server.gql(ROTATE, { b: created.user.id }, { token: stranger.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(ROTATE, { b: cast.members[0].user.id }, { token: cast.owner.token }))).toBe(
      'NOT_FOUND',
    );
    expect(errorCode(await server.gql(ROTATE, { b: created.user.id }, { token: created.secret }))).toBe('FORBIDDEN');
    await must(created.secret, '{ viewer { id } }'); // still the old key's

    const rotated = (await must(cast.owner.token, ROTATE, { b: created.user.id })).rotateBotKey;
    expect(rotated.secret).toMatch(/^tsk_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.user).toEqual({ id: created.user.id, isBot: true });
    expect(rotated.apiKey).toEqual({ id: expect.any(String), name: 'Helper', scopes: ['READ', 'SUBSCRIBE', 'WRITE'] });
    expect(rotated.apiKey.id).not.toBe(created.apiKey.id);
    // The old key is refused; its socket closes with 4401.
    expect(errorCode(await server.gql('{ viewer { id } }', {}, { token: created.secret }))).toBe('UNAUTHENTICATED');
    await following.settled(5000);
    expect(closes).toEqual([4401]);
    // The new one acts at home, and still only there.
    const post = await must(
      rotated.secret,
      'mutation($c: ID!) { createPost(input: { communityId: $c, title: "New key", body: "Beep." }) { author { id } } }',
      { c: cast.community.id },
    );
    expect(post.createPost.author.id).toBe(created.user.id);
  });
});
