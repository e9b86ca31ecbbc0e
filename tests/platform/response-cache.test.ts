/**
 * The response cache (src/platform/response-cache.ts) through the public API: repeated queries are
 * answered without executing, a mutation (HTTP or WebSocket) invalidates what read the communities
 * it touched (and everything when it names none), each credential only ever gets its own answers,
 * concurrent identical misses execute once, and what no write announces lives at most
 * RESPONSE_CACHE_SECONDS. With REDIS_URL: a write on one instance invalidates the other instances'
 * entries that read what it touched.
 *
 * No assertion depends on the clock: the servers keep entries an hour (a stalled machine cannot
 * expire them mid-test), and the one test about expiry asserts a hit only when it provably came
 * before the entry's end.
 */
import { Client } from 'pg';
import { graphql } from '../../codegen/index';
import { createEvent, rsvp } from '../events/operations';
import { createPoll, voted } from '../polls/operations';
import { addComment, castOf, createPost, dbId, dbQuery, vote, type Cast } from '../posts/operations';
import { createResponseCache } from '../../src/platform/response-cache';
import { redisTarget } from '../../src/platform/redis';
import { runCli } from '../support/process';
import { startPrivateRedis } from '../support/redis-server';
import {
  closeAll,
  errorCode,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  testEnv,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';

const CachedPost = graphql(`
  query CachedPost($id: ID!) {
    node(id: $id) {
      ... on Post {
        id
        title
        score
        viewerVote
        commentCount
      }
    }
  }
`);
const CachedPosts = graphql(`
  query CachedPosts($slug: String!) {
    community(slug: $slug) {
      posts(first: 10, orderBy: NEW) {
        edges {
          node {
            id
            title
            score
            viewerVote
            author {
              handle
            }
            comments(first: 3) {
              edges {
                node {
                  body
                }
              }
            }
          }
        }
      }
    }
  }
`);
const CachedSignIn = graphql(`
  mutation CachedSignIn($input: SignInInput!) {
    signIn(input: $input) {
      token
    }
  }
`);
const CachedLeave = graphql(`
  mutation CachedLeave($id: ID!) {
    leaveCommunity(communityId: $id)
  }
`);

/**
 * Much of a community's page: content of every kind, its members and leaderboard, the viewer's
 * membership, and its authors' user-level fields.
 */
const CommunityPage = `
  query CachedCommunityPage($slug: String!) {
    community(slug: $slug) {
      name description memberCount
      viewerMember { role }
      posts(first: 10, orderBy: NEW) {
        edges { node { id title score viewerVote author { handle isAdmin } comments(first: 3) { edges { node { body author { handle } } } } } }
      }
      events(first: 5) { edges { node { id title goingCount } } }
      polls(first: 5) { edges { node { id question totalVoters } } }
      members(first: 20) { edges { node { role reputation user { handle } } } }
      leaderboard(first: 5) { rank score member { user { handle } } }
    }
  }
`;
const ViewerFeed =
  'query CachedViewerFeed { feed(first: 20, orderBy: NEW) { edges { node { id title score community { slug } author { handle } } } } }';

const cacheState = (res: GqlResponse<unknown>) => res.headers.get('x-response-cache');
const page = (target: TestServer, slug: string, token?: string) => target.gql(CommunityPage, { slug }, { token });
const postsOf = (
  res: GqlResponse<any>,
): { id: string; title: string; score: number; author: { handle: string; isAdmin: boolean } }[] =>
  res.body.data.community.posts.edges.map((e: any) => e.node);

/** The response of a request that must succeed; throws with its errors otherwise. */
async function ok<T extends GqlResponse<any>>(request: Promise<T>): Promise<T> {
  const res = await request;
  if (res.body.errors) throw new Error(`request failed: ${JSON.stringify(res.body.errors)}`);
  return res;
}

/**
 * Entries outlive any test: hits never depend on how fast the machine is. No job worker: a job
 * other test files left in the shared database (a poll closing, a notification) would otherwise run
 * here mid-test, and its write moves G, so requests around it rightly read at different epochs.
 */
const LONG = { RESPONSE_CACHE_SECONDS: '3600', JOB_CONCURRENCY: '0' };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(LONG);
});
afterAll(closeAll);

/** A community with a post by its owner, and two members who may vote on it. */
async function stage(visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<Cast & { post: { id: string } }> {
  const cast = await castOf(server, 2, visibility);
  const post = await createPost(server, cast.owner, cast.community.id, { title: 'Cached' });
  return { ...cast, post };
}

describe('writes that touch no community', () => {
  // The feed.affinity job's: personalFeed answers (unscoped) read what it changed, the communities' do not.
  it('drop the answers that depend on every write and keep the scoped ones', async () => {
    const cache = await createResponseCache({
      seconds: 3600,
      megabytes: 1,
      redis: redisTarget({ REDIS_URL: process.env.REDIS_URL }),
      log: server.app.log,
    });
    onCleanup(() => cache.close());
    const run = `${Date.now()}-${Math.random()}`;
    const keep = async (key: string, all: boolean) => {
      const looked = (await cache.lookup(key))!;
      cache.settle(key, looked.epoch, { data: { key } }, { all, communities: all ? [] : [-1], members: [] });
    };
    const kept = async (key: string) => (await cache.lookup(key))?.kept !== undefined;
    await keep(`scoped ${run}`, false);
    await keep(`everything ${run}`, true);
    expect([await kept(`scoped ${run}`), await kept(`everything ${run}`)]).toEqual([true, true]);
    await cache.invalidate({ communities: [] });
    expect([await kept(`scoped ${run}`), await kept(`everything ${run}`)]).toEqual([true, false]);
    await cache.invalidate();
    expect(await kept(`scoped ${run}`)).toBe(false);
  });
});

describe('answers from the cache', () => {
  it('answers a repeated query without executing it: only the credential lookup runs', async () => {
    const {
      members: [reader],
      post,
      community,
    } = await stage();
    const first = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(cacheState(first)).toBe('miss');
    expect(first.sqlStatements).toBeGreaterThan(1); // the query ran (besides the session token)
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
    const {
      members: [reader, voter],
      post,
    } = await stage();
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
    const {
      members: [reader, voter],
      post,
    } = await stage();
    await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    const ws = server.ws({ token: voter.token });
    const result = await new Promise<any>((resolve, reject) => {
      let value: unknown;
      ws.subscribe(
        {
          query: 'mutation($input: VoteInput!) { vote(input: $input) { ... on Post { score } } }',
          variables: { input: { subjectId: post.id, value: 'UP' } },
        },
        { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
      );
    });
    expect(result.data.vote.score).toBe(1);
    const after = await server.gql(CachedPost, { id: post.id }, { token: reader.token });
    expect([cacheState(after), (after.body.data!.node as any).score]).toEqual(['miss', 1]);
  });

  it('stops serving a private community to a member who left', async () => {
    const {
      members: [reader],
      community,
    } = await stage('PRIVATE');
    const member = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(member.body.data!.community!.posts.edges).toHaveLength(1);
    expect(cacheState(await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token }))).toBe('hit');

    const left = await server.gql(CachedLeave, { id: community.id }, { token: reader.token });
    expect(left.body.data!.leaveCommunity).toBe(true);
    const after = await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    expect(after.body.data?.community ?? null).toBeNull();
  });
});

/** Runs a mutation over WebSocket as `user`; resolves with its result. */
function overWebSocket(user: TestUser, query: string, variables: Record<string, unknown>): Promise<any> {
  const ws = server.ws({ token: user.token });
  return new Promise((resolve, reject) => {
    let value: any;
    ws.subscribe(
      { query, variables },
      {
        next: (v) => (value = v),
        error: reject,
        complete: () => (value?.errors ? reject(new Error(JSON.stringify(value.errors))) : resolve(value)),
      },
    );
  });
}

describe('invalidation scoped to what a write touched', () => {
  it("keeps a community's answers while another community takes writes of every kind, each of which that community's answers see", async () => {
    const a = await stage();
    const b = await stage();
    const joiner = await signUp(server, 'joiner'); // signing up touches everything: done before anything is kept
    const poll = await createPoll(server, b.owner, b.community.id);
    const event = await createEvent(server, b.owner, b.community.id);
    const [reader] = a.members;
    const [writer, other] = b.members;
    for (const token of [undefined, reader.token])
      expect(cacheState(await page(server, a.community.slug, token))).toBe('miss');
    const kept = [await page(server, a.community.slug), await page(server, a.community.slug, reader.token)];
    expect(kept.map(cacheState)).toEqual(['hit', 'hit']);

    const writes: [string, () => Promise<unknown>][] = [
      ['createPost', () => createPost(server, writer, b.community.id, { title: 'Fresh in B' })],
      ['addComment', () => addComment(server, other, b.post.id, 'A word in B')],
      ['vote', () => vote(server, writer, b.post.id, 'UP')],
      [
        'react',
        () =>
          ok(
            server.gql(
              'mutation($input: ReactInput!) { react(input: $input) { __typename } }',
              { input: { subjectId: b.post.id, emoji: '👍' } },
              { token: other.token },
            ),
          ),
      ],
      [
        'pinPost',
        () =>
          ok(
            server.gql(
              'mutation($id: ID!) { pinPost(id: $id, pinned: true) { id } }',
              { id: b.post.id },
              { token: b.moderator.token },
            ),
          ),
      ],
      ['castVote', () => voted(server, writer, poll.id, [poll.options[0].id])],
      ['rsvp', () => ok(rsvp(server, other, event.id, 'GOING'))],
      ['joinCommunity', () => joinCommunity(server, joiner, b.community.id)],
      ['leaveCommunity', () => ok(server.gql(CachedLeave, { id: b.community.id }, { token: joiner.token }))],
      [
        'updateCommunity',
        () =>
          ok(
            server.gql(
              'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { id } }',
              { input: { id: b.community.id, description: 'Changed' } },
              { token: b.owner.token },
            ),
          ),
      ],
      [
        'vote over WebSocket',
        () =>
          overWebSocket(other, 'mutation($input: VoteInput!) { vote(input: $input) { __typename } }', {
            input: { subjectId: b.post.id, value: 'UP' },
          }),
      ],
    ];
    for (const [name, write] of writes) {
      const before = await page(server, b.community.slug, writer.token); // B's page, kept (or read afresh) before the write
      expect(before.body.errors).toBeUndefined();
      await write();
      const afterB = await page(server, b.community.slug, writer.token);
      const afterA = [await page(server, a.community.slug), await page(server, a.community.slug, reader.token)];
      expect([name, cacheState(afterB), ...afterA.map(cacheState)]).toEqual([name, 'miss', 'hit', 'hit']);
      expect(afterA.map((r) => r.body)).toEqual(kept.map((r) => r.body));
    }
  });

  it('shows a write at once to its writer and to everyone else who reads that community', async () => {
    const b = await stage();
    const [writer, reader] = b.members;
    const readers = [writer.token, reader.token, undefined];
    for (const token of readers) await page(server, b.community.slug, token);
    for (const token of readers) expect(cacheState(await page(server, b.community.slug, token))).toBe('hit');

    await createPost(server, writer, b.community.id, { title: 'Fresh in B' });
    await vote(server, writer, b.post.id, 'UP');
    for (const token of readers) {
      const res = await page(server, b.community.slug, token);
      expect(cacheState(res)).toBe('miss');
      expect(postsOf(res).map((p) => [p.title, p.score])).toEqual([
        ['Fresh in B', 0],
        ['Cached', 1],
      ]);
    }
  });

  it('invalidates the answers of every community on a write that names none (sign-in, API keys)', async () => {
    const a = await stage();
    const b = await stage();
    const [member] = a.members;
    const keep = async () => {
      for (const slug of [a.community.slug, b.community.slug]) await page(server, slug);
      return Promise.all(
        [a.community.slug, b.community.slug].map(async (slug) => cacheState(await page(server, slug))),
      );
    };
    expect(await keep()).toEqual(['hit', 'hit']);
    await ok(server.gql(CachedSignIn, { input: { email: member.user.email, password: member.password } }));
    expect(await Promise.all([a, b].map(async (c) => cacheState(await page(server, c.community.slug))))).toEqual([
      'miss',
      'miss',
    ]);

    expect(await keep()).toEqual(['hit', 'hit']);
    await ok(
      server.gql(
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input: { name: 'bot', scopes: ['READ'] } },
        { token: member.token },
      ),
    );
    expect(await Promise.all([a, b].map(async (c) => cacheState(await page(server, c.community.slug))))).toEqual([
      'miss',
      'miss',
    ]);
  });

  it('makes answers that read no community depend on every write: viewer, communities, an object not there for the asker', async () => {
    const hidden = await stage('PRIVATE');
    const b = await stage();
    const [reader] = b.members;
    const outsider = await signUp(server, 'outside');
    const asks: [string, Record<string, unknown>, string | undefined][] = [
      ['query CachedViewer { viewer { handle } }', {}, reader.token],
      [
        'query CachedCommunities($s: String) { communities(first: 5, search: $s) { edges { node { slug memberCount } } } }',
        { s: b.community.slug },
        undefined,
      ],
      ['query CachedHidden($id: ID!) { node(id: $id) { id } }', { id: hidden.post.id }, outsider.token], // null for them
    ];
    const states = () =>
      Promise.all(
        asks.map(async ([query, variables, token]) => cacheState(await server.gql(query, variables, { token }))),
      );
    await states();
    expect(await states()).toEqual(['hit', 'hit', 'hit']);
    await vote(server, reader, b.post.id, 'UP'); // a write in one community, whichever
    expect(await states()).toEqual(['miss', 'miss', 'miss']);
  });

  it("keeps a member's feed while communities they are not in take writes, and not once they join one", async () => {
    const a = await stage();
    const b = await stage();
    const [reader] = a.members;
    const feed = async () => {
      const res = await ok(server.gql(ViewerFeed, {}, { token: reader.token }));
      return { state: cacheState(res), posts: res.body.data.feed.edges.map((e: any) => [e.node.id, e.node.score]) };
    };
    expect(await feed()).toEqual({ state: 'miss', posts: [[a.post.id, 0]] });
    await vote(server, b.members[0], b.post.id, 'UP'); // in B, which the reader is not in
    expect(await feed()).toEqual({ state: 'hit', posts: [[a.post.id, 0]] });
    await joinCommunity(server, reader, b.community.id); // their set of communities changes
    expect(await feed()).toEqual({
      state: 'miss',
      posts: [
        [b.post.id, 1],
        [a.post.id, 0],
      ],
    });
    await vote(server, b.members[1], b.post.id, 'UP'); // in B, now one of theirs
    expect(await feed()).toEqual({
      state: 'miss',
      posts: [
        [b.post.id, 2],
        [a.post.id, 0],
      ],
    });
    expect((await feed()).state).toBe('hit');
  });
});

const databaseUrl = process.env.DATABASE_URL;
// A query held mid-way needs PostgreSQL's locks (the embedded database serves one statement at a time).
if (databaseUrl) {
  describe('a query racing a write (PostgreSQL)', () => {
    // The posts in one statement, then their reactions in another: the write commits between the two.
    const RacingPage = `query RacingPage($slug: String!) {
      community(slug: $slug) { posts(first: 10, orderBy: NEW) { edges { node { title reactions { emoji count } } } } }
    }`;

    it('never serves an answer that was read before a write committed while it ran', async () => {
      const {
        members: [writer],
        community,
      } = await stage();
      const locker = new Client({ connectionString: databaseUrl });
      await locker.connect();
      onCleanup(() => locker.end());
      await locker.query('begin');
      await locker.query('lock table reactions in access exclusive mode');
      let raced: GqlResponse<any>;
      try {
        // Started before the write: it reads the posts, then waits for their reactions.
        const racing = server.gql(RacingPage, { slug: community.slug });
        const waiting = async () =>
          (
            await locker.query(
              "select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'reactions' and not l.granted",
            )
          ).rows[0].n > 0;
        for (let i = 0; !(await waiting()); i++) {
          if (i > 1000) throw new Error('the query never reached the locked table');
          await new Promise((r) => setTimeout(r, 10));
        }
        await createPost(server, writer, community.id, { title: 'Racing' }); // commits while the query runs
        await locker.query('rollback');
        raced = await racing; // finished after the write, with what it read before
      } finally {
        await locker.query('rollback');
      }
      const titles = (res: GqlResponse<any>) => res.body.data!.community!.posts.edges.map((e: any) => e.node.title);
      expect([cacheState(raced), titles(raced)]).toEqual(['miss', ['Cached']]);
      const after = await server.gql(RacingPage, { slug: community.slug });
      expect([cacheState(after), titles(after)]).toEqual(['miss', ['Racing', 'Cached']]);
      expect(cacheState(await server.gql(RacingPage, { slug: community.slug }))).toBe('hit');
    });
  });
}

describe('credentials', () => {
  it("never gives one credential another's answer", async () => {
    const {
      members: [reader],
      community,
    } = await stage('PRIVATE');
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
    const otherSession = await server.gql(
      CachedPosts,
      { slug: community.slug },
      { token: signedIn.body.data!.signIn.token },
    );
    expect(cacheState(otherSession)).toBe('miss');
    expect(otherSession.body.data!.community!.posts.edges).toHaveLength(1);
  });
});

describe('concurrent misses', () => {
  it('executes identical queries that miss together once, and gives every one the answer', async () => {
    const {
      members: [reader, voter],
      post,
      community,
    } = await stage();
    await server.gql(CachedPosts, { slug: community.slug }, { token: reader.token });
    await vote(server, voter, post.id, 'UP');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => server.gql(CachedPosts, { slug: community.slug }, { token: reader.token })),
    );
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
    const asked = Date.now(); // the entry is kept after this
    const first = await short.gql(CachedPost, { id: post.id });
    const keptAt = Date.now(); // and before this
    expect((first.body.data!.node as any).title).toBe('Cached');
    // A change made outside the API (as the clock makes, when a ban ends): no mutation announces it.
    await dbQuery(short, 'update posts set title = ? where id = ?', ['Changed', dbId(post.id)]);
    const soon = await short.gql(CachedPost, { id: post.id });
    const soonState = [cacheState(soon), (soon.body.data!.node as any).title];
    // Answered within 2 s of the request that kept it: the entry was alive. A stalled machine may
    // take longer; then the entry may have ended, and the answer is either one, whole.
    if (Date.now() - asked < 2000) expect(soonState).toEqual(['hit', 'Cached']);
    else
      expect([
        ['hit', 'Cached'],
        ['miss', 'Changed'],
      ]).toContainEqual(soonState);
    await new Promise((r) => setTimeout(r, Math.max(0, keptAt + 2100 - Date.now())));
    const later = await short.gql(CachedPost, { id: post.id });
    expect([cacheState(later), (later.body.data!.node as any).title]).toEqual(['miss', 'Changed']);
  });

  it('is off with RESPONSE_CACHE_SECONDS=0', async () => {
    const off = await startTestServer({ RESPONSE_CACHE_SECONDS: '0' });
    const {
      members: [reader],
      community,
    } = await stage();
    const answers = [];
    for (let i = 0; i < 2; i++)
      answers.push(await off.gql(CachedPosts, { slug: community.slug }, { token: reader.token }));
    expect(answers.map(cacheState)).toEqual([null, null]);
    expect(answers[1].sqlStatements).toBe(answers[0].sqlStatements);
  });
});

const redisUrl = process.env.REDIS_URL;
// Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (redisUrl) {
  describe('across instances (REDIS_URL)', () => {
    it('invalidates every instance when one of them runs a mutation', async () => {
      const other = await startTestServer(LONG);
      const {
        members: [reader, voter],
        post,
      } = await stage();
      await other.gql(CachedPost, { id: post.id }, { token: reader.token });
      expect(cacheState(await other.gql(CachedPost, { id: post.id }, { token: reader.token }))).toBe('hit');
      await vote(server, voter, post.id, 'UP'); // on the first instance
      const after = await other.gql(CachedPost, { id: post.id }, { token: reader.token });
      expect([cacheState(after), (after.body.data!.node as any).score]).toEqual(['miss', 1]);
    });

    it('invalidates on another instance only the answers that read the community a write touched', async () => {
      const other = await startTestServer(LONG);
      const a = await stage();
      const b = await stage();
      const [reader] = a.members;
      const [voter] = b.members;
      const asks: [string, string | undefined][] = [
        [a.community.slug, undefined],
        [a.community.slug, reader.token],
        [b.community.slug, undefined],
        [b.community.slug, voter.token],
      ];
      for (const [slug, token] of asks) await page(other, slug, token);
      const kept = await Promise.all(asks.map(([slug, token]) => page(other, slug, token)));
      expect(kept.map(cacheState)).toEqual(['hit', 'hit', 'hit', 'hit']);

      await vote(server, voter, b.post.id, 'UP'); // on the first instance, in B
      const after = await Promise.all(asks.map(([slug, token]) => page(other, slug, token)));
      expect(after.map(cacheState)).toEqual(['hit', 'hit', 'miss', 'miss']);
      expect(after.slice(0, 2).map((r) => r.body)).toEqual(kept.slice(0, 2).map((r) => r.body));
      for (const res of after.slice(2)) expect(postsOf(res)[0].score).toBe(1);
    });

    it('shows a platform admin grant made by `npm run admin` at once in every community that shows the user', async () => {
      const a = await stage();
      const b = await stage();
      const author = await signUp(server, 'both');
      for (const c of [a, b]) {
        await joinCommunity(server, author, c.community.id);
        await createPost(server, author, c.community.id, { title: 'By both' });
      }
      const slugs = [a.community.slug, b.community.slug];
      for (const slug of slugs)
        expect(postsOf(await page(server, slug))[0].author).toEqual({ handle: author.user.handle, isAdmin: false });
      expect(await Promise.all(slugs.map(async (slug) => cacheState(await page(server, slug))))).toEqual([
        'hit',
        'hit',
      ]);

      const env = testEnv();
      const granted = await runCli('admin', ['grant', author.user.email], {
        DATABASE_URL: env.DATABASE_URL,
        REDIS_URL: env.REDIS_URL,
        DATA_DIR: env.DATA_DIR,
        TOKEN_SECRET: env.TOKEN_SECRET,
        NODE_ENV: 'test',
      });
      expect(granted.code).toBe(0);
      for (const slug of slugs) {
        const res = await page(server, slug);
        expect([cacheState(res), postsOf(res)[0].author.isAdmin]).toEqual(['miss', true]);
      }
    });

    it('answers while Redis is down, and serves nothing kept from before the outage after it', async () => {
      const redis = await startPrivateRedis();
      const [a, b] = await Promise.all([
        startTestServer({ ...LONG, REDIS_URL: redis.url }),
        startTestServer({ ...LONG, REDIS_URL: redis.url }),
      ]);
      const {
        members: [reader, voter],
        post,
      } = await stage();
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
