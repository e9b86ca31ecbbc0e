/**
 * The response cache (src/platform/response-cache.ts) through the public API: repeated queries are
 * answered without executing, every mutation (HTTP or WebSocket) invalidates what was kept, each
 * credential only ever gets its own answers, concurrent identical misses execute once, and what no
 * write announces lives at most RESPONSE_CACHE_SECONDS. With REDIS_URL: a write on one instance
 * invalidates every other instance's entries.
 */
import { graphql } from '../../codegen/index';
import { castOf, createPost, dbId, dbQuery, vote, type Cast } from '../posts/operations';
import { startPrivateRedis } from '../support/redis-server';
import { closeAll, errorCode, signUp, startTestServer, type GqlResponse, type TestServer } from '../support/server';

const CachedPost = graphql(`
  query CachedPost($id: ID!) {
    node(id: $id) { ... on Post { id title score viewerVote commentCount } }
  }
`);
const CachedPosts = graphql(`
  query CachedPosts($slug: String!) {
    community(slug: $slug) {
      posts(first: 10, orderBy: NEW) {
        edges { node { id title score viewerVote author { handle } comments(first: 3) { edges { node { body } } } } }
      }
    }
  }
`);
const CachedVote = graphql(`
  mutation CachedVote($input: VoteInput!) { vote(input: $input) { ... on Post { id score } } }
`);
const CachedSignIn = graphql(`
  mutation CachedSignIn($input: SignInInput!) { signIn(input: $input) { token } }
`);
const CachedLeave = graphql(`
  mutation CachedLeave($id: ID!) { leaveCommunity(communityId: $id) }
`);

const cacheState = (res: GqlResponse<unknown>) => res.headers.get('x-response-cache');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A community with a post by its owner, and two members who may vote on it. */
async function stage(visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<Cast & { post: { id: string } }> {
  const cast = await castOf(server, 2, visibility);
  const post = await createPost(server, cast.owner, cast.community.id, { title: 'Cached' });
  return { ...cast, post };
}

describe('answers from the cache', () => {
  it('answers a repeated query without executing it: only the credential lookup runs', async () => {
    const { members: [reader], post, community } = await stage();
    const first = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(cacheState(first)).toBe('miss');
    expect(first.sqlStatements).toBeGreaterThan(2);
    const second = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(cacheState(second)).toBe('hit');
    expect(second.sqlStatements).toBe(1); // the session token
    expect(second.body).toEqual(first.body);
    expect(second.body.data!.community!.posts.edges[0].node.id).toBe(post.id);

    // Anonymous readers share entries, and need no statement at all.
    await server.gql(CachedPosts, { slug: community.slug });
    const anonymous = await server.gql(CachedPosts, { slug: community.slug });
    expect([cacheState(anonymous), anonymous.sqlStatements]).toEqual(['hit', 0]);
  });

  it('keeps apart queries that differ only in their variables', async () => {
    const a = await stage();
    const b = await stage();
    const first = await server.gql(CachedPost, { id: a.post.id });
    const other = await server.gql(CachedPost, { id: b.post.id });
    expect(cacheState(other)).toBe('miss');
    expect((other.body.data!.node as { id: string }).id).toBe(b.post.id);
    expect((first.body.data!.node as { id: string }).id).toBe(a.post.id);
  });

  it('does not keep answers with errors', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await server.gql('query CachedFeed { feed(first: 5) { edges { node { id } } } }', {});
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      expect(cacheState(res)).toBe('miss');
    }
  });
});

describe('invalidation', () => {
  it('serves nothing kept before a mutation: a client reads its own writes', async () => {
    const { members: [reader, voter], post } = await stage();
    await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    expect(cacheState(await server.gql(CachedPost, { id: post.id }, { token: reader.token }))).toBe('hit');

    await vote(server, voter, post.id, 'UP'); // someone else's write
    const afterOther = await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    expect([cacheState(afterOther), (afterOther.body.data!.node as any).score]).toEqual(['miss', 1]);

    await vote(server, reader, post.id, 'DOWN'); // the reader's own write
    const afterOwn = await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    expect(cacheState(afterOwn)).toBe('miss');
    expect(afterOwn.body.data!.node).toMatchObject({ score: 0, viewerVote: 'DOWN' });
  });

  it('invalidates on a mutation sent over WebSocket too', async () => {
    const { members: [reader, voter], post } = await stage();
    await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    const ws = server.ws({ token: voter.token });
    const result = await new Promise<any>((resolve, reject) => {
      let value: unknown;
      ws.subscribe(
        { query: 'mutation($input: VoteInput!) { vote(input: $input) { ... on Post { score } } }', variables: { input: { subjectId: post.id, value: 'UP' } } },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result.data.vote.score).toBe(1);
    const after = await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    expect([cacheState(after), (after.body.data!.node as any).score]).toEqual(['miss', 1]);
  });

  it('stops serving a private community to a member who left', async () => {
    const { members: [reader], community } = await stage('PRIVATE');
    const member = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(member.body.data!.community!.posts.edges).toHaveLength(1);
    expect(cacheState(await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token }))).toBe('hit');

    const left = await server.gql(CachedLeave, { id: community.id }, { token: reader.token });
    expect(left.body.data!.leaveCommunity).toBe(true);
    const after = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(after.body.data?.community ?? null).toBeNull();
  });
});

describe('credentials', () => {
  it("never gives one credential another's answer", async () => {
    const { members: [reader], community } = await stage('PRIVATE');
    const outsider = await signUp(server, 'outside');
    const member = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(member.body.data!.community!.posts.edges).toHaveLength(1);
    expect(cacheState(await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token }))).toBe('hit');

    // The same query text and variables, asked by others: none of them gets the member's answer.
    for (const token of [undefined, outsider.token]) {
      const res = await server.gql(CachedPosts, { slug: community.slug }, { token });
      expect(res.body.data?.community ?? null).toBeNull();
      expect(cacheState(res)).toBe('miss');
    }
    // The member's other session executes for itself.
    const signedIn = await server.gql(CachedSignIn, { input: { email: reader.user.email, password: reader.password } });
    const otherSession = await server.gql(CachedPosts, { slug: community.slug }, { token: signedIn.body.data!.signIn.token });
    expect(cacheState(otherSession)).toBe('miss');
    expect(otherSession.body.data!.community!.posts.edges).toHaveLength(1);
  });
});

describe('concurrent misses', () => {
  it('executes identical queries that miss together once, and gives every one the answer', async () => {
    const { members: [reader, voter], post, community } = await stage();
    await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    await vote(server, voter, post.id, 'UP');
    const answers = await Promise.all(Array.from({ length: 8 }, () => server.gql(CachedPosts, { slug: community.slug }, { token: reader.token })));
    const states = answers.map(cacheState);
    expect(states.filter((s) => s === 'miss')).toHaveLength(1);
    expect(states.filter((s) => s === 'shared' || s === 'hit')).toHaveLength(7);
    for (const res of answers) {
      expect(res.body).toEqual(answers[0].body);
      expect(res.body.data!.community!.posts.edges[0].node.score).toBe(1);
    }
  });
});

describe('settings', () => {
  it('bounds what no write announces by RESPONSE_CACHE_SECONDS', async () => {
    const short = await startTestServer({ RESPONSE_CACHE_SECONDS: '2' });
    const { post } = await stage();
    const first = await short.gql(CachedPost, { id: post.id });
    const keptAt = Date.now();
    expect((first.body.data!.node as any).title).toBe('Cached');
    // A change made outside the API (as the clock makes, when a ban ends): no mutation announces it.
    await dbQuery(short, 'update posts set title = ? where id = ?', ['Changed', dbId(post.id)]);
    const soon = await short.gql(CachedPost, { id: post.id });
    expect([cacheState(soon), (soon.body.data!.node as any).title]).toEqual(['hit', 'Cached']);
    await new Promise((r) => setTimeout(r, Math.max(0, keptAt + 2100 - Date.now())));
    const later = await short.gql(CachedPost, { id: post.id });
    expect([cacheState(later), (later.body.data!.node as any).title]).toEqual(['miss', 'Changed']);
  });

  it('is off with RESPONSE_CACHE_SECONDS=0', async () => {
    const off = await startTestServer({ RESPONSE_CACHE_SECONDS: '0' });
    const { members: [reader], community } = await stage();
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push(await off.gql(CachedPosts, { slug: community.slug }, { token: reader.token }));
    expect(answers.map(cacheState)).toEqual([null, null]);
    expect(answers[1].sqlStatements).toBe(answers[0].sqlStatements);
  });
});

const redisUrl = process.env.REDIS_URL;
// Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (redisUrl) {
  describe('across instances (REDIS_URL)', () => {
    it('invalidates every instance when one of them runs a mutation', async () => {
      const other = await startTestServer();
      const { members: [reader, voter], post } = await stage();
      await other.gql(CachedPost, { id: post.id }, { token: reader.token });
      expect(cacheState(await other.gql(CachedPost, { id: post.id }, { token: reader.token }))).toBe('hit');
      await vote(server, voter, post.id, 'UP'); // on the first instance
      const after = await other.gql(CachedPost, { id: post.id }, { token: reader.token });
      expect([cacheState(after), (after.body.data!.node as any).score]).toEqual(['miss', 1]);
    });

    it('answers while Redis is down, and serves nothing kept from before the outage after it', async () => {
      const redis = await startPrivateRedis();
      const [a, b] = await Promise.all([startTestServer({ REDIS_URL: redis.url }), startTestServer({ REDIS_URL: redis.url })]);
      const { members: [reader, voter], post } = await stage();
      const score = async (target: TestServer) => {
        const res = await target.gql(CachedPost, { id: post.id }, { token: reader.token });
        return { state: cacheState(res), score: (res.body.data!.node as any).score };
      };
      await score(b);
      expect(await score(b)).toEqual({ state: 'hit', score: 0 });

      await redis.kill();
      // The epoch cannot be read: b executes every query and keeps nothing; a's mutation still answers.
      expect(await score(b)).toEqual({ state: null, score: 0 });
      await vote(a, voter, post.id, 'UP');
      expect(await score(b)).toEqual({ state: null, score: 1 });

      await redis.start();
      const deadline = Date.now() + 10_000;
      const back = async (target: TestServer) => {
        let answer = await score(target);
        while (answer.state === null && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          answer = await score(target);
        }
        return answer;
      };
      // a answers from the cache again once it has moved the epoch it owes for its vote: b's entries
      // must not be judged before that (each instance reconnects on its own schedule).
      await back(a);
      const answer = await back(b);
      // Back on the cache, b never serves the score it kept before the outage.
      expect(answer).toEqual({ state: 'miss', score: 1 });
      expect(await score(b)).toEqual({ state: 'hit', score: 1 });
    }, 30_000);
  });
}
