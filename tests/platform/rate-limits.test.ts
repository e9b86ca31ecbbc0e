import { getNamedType, parse, type OperationDefinitionNode } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { clientAddress, parseTrustProxy } from '../../src/platform/client-address';
import { MUTATION_BUCKETS, writesByBucket } from '../../src/platform/guards/write-limits';
import { startPrivateRedis } from '../support/redis-server';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  onCleanup,
  openPrivileges,
  signUp,
  startTestServer,
  unique,
  type GqlResponse,
  type TestServer,
} from '../support/server';
import { record } from '../support/subscription';

/**
 * Rate limits (issue 12, points 8 and 13): writes are limited per member and per kind of write, on
 * HTTP and WebSocket alike; limits hold per instance while Redis is unreachable, without a request
 * waiting on it; behind trusted proxies (TRUST_PROXY) each forwarded client has its own counters.
 */

afterAll(closeAll);

const CREATE_POST = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { token } }';
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { token } }';
const POSTS =
  'query($slug: String!) { community(slug: $slug) { posts(first: 100) { edges { node { id commentCount score reactions { count } } } } polls(first: 100) { edges { node { id } } } } }';

/** The RATE_LIMITED error of a response, checked for its status, header and retryAfter (at most `window` seconds). */
function expectRateLimited(res: GqlResponse<unknown>, window: number) {
  expect(errorCode(res)).toBe('RATE_LIMITED');
  expect(res.status).toBe(429);
  const retryAfter = res.body.errors![0].extensions!.retryAfter;
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(window);
  expect(res.headers.get('retry-after')).toBe(String(retryAfter));
}

describe('write limits per member', () => {
  /** Sets things up with the default test limits (none to speak of). */
  let open: TestServer;
  /** Two writes of each limited kind per member per 10 minutes. */
  let limited: TestServer;
  beforeAll(async () => {
    open = await startTestServer();
    limited = await startTestServer({
      WRITE_RATE_LIMITS: '*=1000000/60,posts=2/600,comments=2/600,votes=2/600,reactions=2/600,polls=2/600',
    });
  });

  /** A public community with an owner (who wrote three posts) and two members, levels open. */
  async function stage() {
    const owner = await signUp(open, 'owner');
    const member = await signUp(open, 'member');
    const other = await signUp(open, 'other');
    const community = await createCommunity(open, owner);
    await openPrivileges(open, owner, community.id);
    await joinCommunity(open, member, community.id);
    await joinCommunity(open, other, community.id);
    const posts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await open.gql(
        CREATE_POST,
        { input: { communityId: community.id, title: `Post ${i}`, body: 'body' } },
        { token: owner.token },
      );
      posts.push(res.body.data.createPost.id);
    }
    // Read where the writes under test go: each instance's response cache sees its own writes at once.
    const state = async () => {
      const c = (await limited.gql(POSTS, { slug: community.slug })).body.data.community;
      const nodes: { commentCount: number; score: number; reactions: { count: number }[] }[] = c.posts.edges.map(
        (e: any) => e.node,
      );
      return {
        posts: nodes.length,
        comments: nodes.reduce((n, p) => n + p.commentCount, 0),
        votes: nodes.reduce((n, p) => n + p.score, 0),
        reactions: nodes.reduce((n, p) => n + p.reactions.reduce((m, r) => m + r.count, 0), 0),
        polls: c.polls.edges.length,
      };
    };
    return { owner, member, other, community, posts, state };
  }

  type Stage = Awaited<ReturnType<typeof stage>>;
  const WRITES: [string, (s: Stage, i: number) => [string, Record<string, unknown>]][] = [
    ['posts', (s, i) => [CREATE_POST, { input: { communityId: s.community.id, title: `Mine ${i}`, body: 'body' } }]],
    [
      'comments',
      (s, i) => [
        'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
        { input: { postId: s.posts[0], body: `comment ${i}` } },
      ],
    ],
    [
      'votes',
      (s, i) => [
        'mutation($input: VoteInput!) { vote(input: $input) { __typename } }',
        { input: { subjectId: s.posts[i], value: 'UP' } },
      ],
    ],
    [
      'reactions',
      (s, i) => [
        'mutation($input: ReactInput!) { react(input: $input) { __typename } }',
        { input: { subjectId: s.posts[0], emoji: ['👍', '🎉', '🚀'][i] } },
      ],
    ],
    [
      'polls',
      (s, i) => [
        'mutation($input: CreatePollInput!) { createPoll(input: $input) { id } }',
        { input: { communityId: s.community.id, question: `Poll ${i}?`, options: ['Yes', 'No'] } },
      ],
    ],
  ];

  it.each(WRITES)(
    'lets a member write %s twice in the window, then answers RATE_LIMITED with retryAfter and writes nothing, while others still write',
    async (kind, write) => {
      const s = await stage();
      const before = await s.state();
      for (let i = 0; i < 2; i++) {
        const [query, variables] = write(s, i);
        const res = await limited.gql(query, variables, { token: s.member.token });
        expect({ i, errors: res.body.errors }).toEqual({ i, errors: undefined });
      }
      const [query, variables] = write(s, 2);
      expectRateLimited(await limited.gql(query, variables, { token: s.member.token }), 600);
      expect((await s.state())[kind as keyof typeof before]).toBe(before[kind as keyof typeof before] + 2);

      // Another member's counter is their own.
      const others = await limited.gql(query, variables, { token: s.other.token });
      expect(others.body.errors).toBeUndefined();
    },
  );

  it('counts every aliased field of one mutation: three createPost against a limit of two write no post', async () => {
    const s = await stage();
    const three = `mutation($c: ID!) {
      a: createPost(input: { communityId: $c, title: "a", body: "b" }) { id }
      ...More
    }
    fragment More on Mutation {
      b: createPost(input: { communityId: $c, title: "b", body: "b" }) { id }
      ... on Mutation { c: createPost(input: { communityId: $c, title: "c", body: "b" }) { id } }
    }`;
    expectRateLimited(await limited.gql(three, { c: s.community.id }, { token: s.member.token }), 600);
    expect((await s.state()).posts).toBe(3);
  });

  it('counts writes over WebSocket in the same bucket as over HTTP', async () => {
    const s = await stage();
    for (const i of [0, 1]) {
      const [query, variables] = WRITES[0][1](s, i);
      expect((await limited.gql(query, variables, { token: s.member.token })).body.errors).toBeUndefined();
    }
    const [query, variables] = WRITES[0][1](s, 2);
    const overWs = record(limited.ws({ token: s.member.token }), { query, variables });
    await overWs.settled();
    expect(overWs.errorCodes()).toEqual(['RATE_LIMITED']);
    expect((overWs.failure as { extensions: { retryAfter: number } }[])[0].extensions.retryAfter).toBeGreaterThan(0);
    expect((await s.state()).posts).toBe(5);
  });

  it('limits every mutation of the schema but those with limits of their own, and names no mutation the schema lacks', () => {
    const mutationType = limited.app.schema.getMutationType()!;
    const fields = Object.values(mutationType.getFields());
    const unlimited: string[] = [];
    for (const field of fields) {
      const args = field.args
        .map((a) => `${a.name}: ${getNamedType(a.type).name === 'Boolean' ? 'true' : '"x"'}`)
        .join(', ');
      const document = parse(`mutation { ${field.name}${args ? `(${args})` : ''} }`);
      if (writesByBucket(document, document.definitions[0] as OperationDefinitionNode).size === 0)
        unlimited.push(field.name);
    }
    expect(unlimited.sort()).toEqual(['endSession', 'sendChatMessage', 'signIn', 'signOut', 'signUp']);
    expect(Object.keys(MUTATION_BUCKETS).filter((name) => !fields.some((f) => f.name === name))).toEqual([]);
  });
});

// A Redis of the test's own, which it stops and freezes. Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (process.env.REDIS_URL) {
  describe('while Redis is unreachable', () => {
    /** Each attempt from its own address (through a trusted proxy), so only the per-account counter counts. */
    const fromAnywhere = () => ({
      'x-forwarded-for': `10.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}.${(Math.random() * 255) | 0}`,
    });
    const attempt = (server: TestServer, email: string) =>
      server.gql(SIGN_IN, { input: { email, password: 'not the password' } }, { headers: fromAnywhere() });
    const limitedOn = (url: string) =>
      startTestServer({ REDIS_URL: url, AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'loopback' });

    it('still refuses the fourth password guess for one account, counting on each instance, and shares the counts again once Redis is back', async () => {
      const redis = await startPrivateRedis();
      const [a, b] = await Promise.all([limitedOn(redis.url), limitedOn(redis.url)]);
      await redis.kill();

      const email = `${unique('guess')}@example.test`;
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(errorCode(await attempt(a, email)));
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);

      // Back: two guesses on each instance make four on one counter.
      await redis.start();
      const deadline = Date.now() + 15_000;
      for (;;) {
        const again = `${unique('guess')}@example.test`;
        const got = [];
        for (const server of [a, a, b, b]) got.push(errorCode(await attempt(server, again)));
        if (got[3] === 'RATE_LIMITED') {
          expect(got).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
          break;
        }
        if (Date.now() > deadline)
          throw new Error(`the instances did not share their counters again within 15 s: ${got}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }, 60_000);

    it('answers every sign-in while Redis hangs (a frozen server holds commands forever), still counting the guesses', async () => {
      const redis = await startPrivateRedis();
      const server = await limitedOn(redis.url);
      redis.pause();
      onCleanup(() => redis.resume()); // before the server closes its clients (newest first)

      const email = `${unique('frozen')}@example.test`;
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push(errorCode(await attempt(server, email)));
      expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    }, 60_000);
  });
}

describe('the client address (TRUST_PROXY)', () => {
  /** A graphql-ws client whose WebSocket upgrade carries `X-Forwarded-For`, as a load balancer would add. */
  function wsForwardedFor(server: TestServer, forwardedFor: string) {
    class Forwarded extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-forwarded-for': forwardedFor } });
      }
    }
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: Forwarded,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
    });
    onCleanup(() => client.dispose());
    return client;
  }
  const signUpInput = () => {
    const handle = unique('fwd');
    return { input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' } };
  };
  const overHttp = async (server: TestServer, forwardedFor: string) =>
    errorCode(await server.gql(SIGN_UP, signUpInput(), { headers: { 'x-forwarded-for': forwardedFor } })) ?? 'ok';
  const overWs = async (server: TestServer, forwardedFor: string) => {
    const r = record(wsForwardedFor(server, forwardedFor), { query: SIGN_UP, variables: signUpInput() });
    await r.settled();
    return r.errorCodes()[0] ?? 'ok';
  };
  /** A random address of the TEST-NET-3 range, new for each run. */
  const address = () => `203.0.113.${1 + ((Math.random() * 250) | 0)}`;
  // Sign-ups are limited per client address (AUTH_RATE_LIMIT). In-process counters: with a shared Redis,
  // 127.0.0.1 has already signed up every other test file's users.
  const limits = { AUTH_RATE_LIMIT: '2', REDIS_URL: '' };

  it('ignores X-Forwarded-For by default: a client that writes a new address in it still spends its own sign-ups', async () => {
    const server = await startTestServer(limits);
    expect([
      await overHttp(server, address()),
      await overWs(server, address()),
      await overHttp(server, address()),
      await overWs(server, address()),
    ]).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('behind a trusted proxy, counts each forwarded client apart, on HTTP and WebSocket alike, and never by what the client itself wrote', async () => {
    const server = await startTestServer({ ...limits, TRUST_PROXY: 'loopback' });
    const [ada, bob] = [address(), `198.51.100.${1 + ((Math.random() * 250) | 0)}`];
    expect([
      await overHttp(server, ada),
      await overWs(server, ada),
      await overHttp(server, ada),
      await overWs(server, ada),
    ]).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    // Ada writes Bob's address first; the proxy appends hers, which is what counts.
    expect(await overHttp(server, `${bob}, ${ada}`)).toBe('RATE_LIMITED');
    expect([await overWs(server, bob), await overHttp(server, bob)]).toEqual(['ok', 'ok']);
  });

  describe('clientAddress', () => {
    const req = (peer: string, forwardedFor?: string) =>
      ({
        socket: { remoteAddress: peer },
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      }) as never;

    it.each([
      ['false', '10.0.0.2', '1.1.1.1', '10.0.0.2'],
      ['1', '10.0.0.2', '6.6.6.6, 1.1.1.1', '1.1.1.1'],
      ['2', '10.0.0.2', '6.6.6.6, 1.1.1.1, 10.0.0.3', '1.1.1.1'],
      ['2', '10.0.0.2', undefined, '10.0.0.2'],
      ['10.0.0.0/8', '::ffff:10.0.0.2', '6.6.6.6, 1.1.1.1, 10.0.0.3', '1.1.1.1'],
      ['10.0.0.0/8', '192.0.2.9', '1.1.1.1', '192.0.2.9'],
      ['uniquelocal', '10.1.2.3', '10.9.9.9, 172.16.0.1', '10.9.9.9'],
      ['loopback', '::1', '2001:db8::7', '2001:db8::7'],
    ])(
      'with TRUST_PROXY=%s, a request from %s forwarded for %j comes from %s',
      (trust, peer, forwardedFor, expected) => {
        expect(clientAddress(req(peer, forwardedFor), parseTrustProxy(trust))).toBe(expected);
      },
    );
  });
});
