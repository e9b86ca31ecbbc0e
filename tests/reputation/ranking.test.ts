/**
 * `Community.ranking(period, first, after)`: the leaderboard as a Relay connection (issue 16, point
 * 6). It pages the whole board from the top with the ranks `leaderboard` gives its first 100 (ties
 * share a rank), counts the board (`totalCount`), keeps a page's place when members move meanwhile
 * (a cursor is a place on the board, not an offset), and is as private as the leaderboard. Run on the
 * boards in Redis with REDIS_URL set, in process otherwise.
 */
import { castOf, createPost, dbId, dbQuery, vote, type Cast } from '../posts/operations';
import { closeAll, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';
import { RebuildDocument, leaderboard, ok } from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

interface Entry {
  rank: number;
  score: number;
  member: { user: { handle: string } };
}
interface RankingPage {
  totalCount: number;
  edges: { cursor: string; node: Entry }[];
  nodes: Entry[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const RANKING = `query($slug: String!, $period: LeaderboardPeriod!, $first: Int, $after: String) {
  community(slug: $slug) {
    ranking(period: $period, first: $first, after: $after) {
      totalCount
      edges { cursor node { rank score member { user { handle } } } }
      nodes { rank score member { user { handle } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}`;

async function ranking(
  cast: Cast,
  args: { first?: number; after?: string | null; period?: string },
  viewer?: TestUser,
): Promise<RankingPage> {
  const data = ok(
    await server.gql(
      RANKING,
      { slug: cast.community.slug, period: args.period ?? 'ALL_TIME', first: args.first, after: args.after },
      { token: viewer?.token },
    ),
  );
  const page = data.community.ranking as RankingPage;
  expect(page.nodes).toEqual(page.edges.map((e) => e.node));
  return page;
}

/** The whole ranking, `first` a page: its pages. */
async function walk(cast: Cast, first: number): Promise<RankingPage[]> {
  const pages: RankingPage[] = [];
  for (let after: string | null = null; ;) {
    const page = await ranking(cast, { first, after });
    pages.push(page);
    if (!page.pageInfo.hasNextPage) return pages;
    after = page.pageInfo.endCursor;
    if (pages.length > 50) throw new Error('no end to the ranking');
  }
}

const row = (e: Entry) => [e.member.user.handle, e.score, e.rank];

/**
 * Gives members these all-time scores, as ledger rows written straight to the database, then has the
 * owner rebuild reputation and boards from the ledger (as `rebuildReputation` does after any repair).
 */
async function setScores(cast: Cast, scores: [TestUser, number][]): Promise<void> {
  const cid = dbId(cast.community.id);
  for (const [user, delta] of scores) {
    await dbQuery(
      server,
      `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, created_at)
       values (?, ?, ?, 'EVENT_CHECK_IN', ?, 'EVENT', 0, now())`,
      [cid, dbId(user.user.id), delta, `ranking:${cid}:${user.user.id}:${Math.random()}`],
    );
  }
  ok(await server.gql(RebuildDocument, { communityId: cast.community.id }, { token: cast.owner.token }));
}

describe('Community.ranking', () => {
  let cast: Cast;
  /** Members by the order of their accounts (older first), as the board breaks ties. */
  let m: TestUser[];
  beforeAll(async () => {
    cast = await castOf(server, 9);
    m = [...cast.members].sort((a, b) => dbId(a.user.id) - dbId(b.user.id));
    await setScores(
      cast,
      [50, 40, 40, 40, 30, 20, 20, 10, 5].map((score, i) => [m[i], score]),
    );
  });

  it('pages the whole board from the top, with the ranks and order of the leaderboard, and counts it', async () => {
    const expected = [
      [m[0], 50, 1],
      [m[1], 40, 2],
      [m[2], 40, 2],
      [m[3], 40, 2],
      [m[4], 30, 5],
      [m[5], 20, 6],
      [m[6], 20, 6],
      [m[7], 10, 8],
      [m[8], 5, 9],
    ].map(([u, score, rank]) => [(u as TestUser).user.handle, score, rank]);
    for (const first of [1, 2, 4, 9, 20]) {
      const pages = await walk(cast, first);
      expect(pages.flatMap((p) => p.nodes.map(row))).toEqual(expected);
      expect(pages.map((p) => p.nodes.length)).toEqual(
        Array.from({ length: Math.ceil(9 / first) }, (_, i) => Math.min(first, 9 - i * first)),
      );
      expect(pages.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual(
        pages.map((_, i) => [i > 0, i < pages.length - 1]),
      );
      for (const page of pages) expect(page.totalCount).toBe(9);
    }
    // The deprecated field lists the same entries.
    expect((await leaderboard(server, cast.community.slug, 'ALL_TIME')).map(row)).toEqual(expected);
    // Other periods have boards of their own, and cursors of their own.
    const week = await ranking(cast, { period: 'WEEK', first: 3 });
    expect(week.nodes.map(row)).toEqual(expected.slice(0, 3));
    const mixed = await server.gql(RANKING, {
      slug: cast.community.slug,
      period: 'MONTH',
      first: 3,
      after: week.pageInfo.endCursor,
    });
    expect(mixed.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('continues from its place when members move meanwhile: none who kept theirs is repeated or skipped', async () => {
    const moving = await castOf(server, 8);
    const u = [...moving.members].sort((a, b) => dbId(a.user.id) - dbId(b.user.id));
    await setScores(
      moving,
      [60, 50, 40, 40, 40, 30, 20, 10].map((score, i) => [u[i], score]),
    );
    const walkOf = async (after: string | null) =>
      (await ranking(moving, { first: 20, after })).nodes.map((e) => e.member.user.handle);
    const first = await ranking(moving, { first: 3 });
    expect(first.nodes.map((e) => e.member.user.handle)).toEqual([u[0], u[1], u[2]].map((x) => x.user.handle));
    // The page's last member (the cursor's own place) and one far below both climb above it.
    await setScores(moving, [
      [u[2], 5],
      [u[7], 100],
    ]);
    const next = await walkOf(first.pageInfo.endCursor);
    expect(next).toEqual([u[3], u[4], u[5], u[6]].map((x) => x.user.handle));
    // From the top, the board as it now is.
    expect(await walkOf(null)).toEqual([u[7], u[0], u[1], u[2], u[3], u[4], u[5], u[6]].map((x) => x.user.handle));
  });

  it('counts members who earn their first points and takes off those who leave', async () => {
    const counting = await castOf(server, 3);
    const [author, voter, leaver] = counting.members;
    const total = async () => (await ranking(counting, { first: 1 })).totalCount;
    expect(await total()).toBe(0);
    const post = await createPost(server, author, counting.community.id);
    await vote(server, voter, post.id, 'UP');
    expect(await total()).toBe(1);
    const other = await createPost(server, leaver, counting.community.id);
    await vote(server, voter, other.id, 'UP');
    expect(await total()).toBe(2);
    ok(
      await server.gql(
        'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
        { id: counting.community.id },
        { token: leaver.token },
      ),
    );
    expect(await total()).toBe(1);
    expect((await ranking(counting, { first: 5 })).nodes.map((e) => e.member.user.handle)).toEqual([
      author.user.handle,
    ]);
  });

  it("keeps a private community's ranking from non-members, as its leaderboard", async () => {
    const hidden = await castOf(server, 1, 'PRIVATE');
    const outsider = await signUp(server, 'out');
    const query =
      'query($slug: String!) { community(slug: $slug) { ranking(first: 5) { totalCount nodes { score } } } }';
    const res = await server.gql(query, { slug: hidden.community.slug }, { token: outsider.token });
    expect(res.body.data?.community ?? null).toBeNull();
    const member = await server.gql(query, { slug: hidden.community.slug }, { token: hidden.members[0].token });
    expect(member.body.errors).toBeUndefined();
    expect(member.body.data.community.ranking.totalCount).toBe(0);
  });
});
