import { graphql } from '../../codegen/index';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { DeletePostDocument, PinPostDocument, castOf, createPost, dbId, dbQuery, vote } from './operations';

type Order = 'NEW' | 'TOP' | 'HOT';

const CommunityPosts = graphql(`
  query PostsCommunityPosts($slug: String!, $first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {
    community(slug: $slug) {
      posts(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {
        edges {
          cursor
          node {
            id
            title
            score
            pinned
            tags
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
    }
  }
`);
const ViewerFeed = graphql(`
  query PostsViewerFeed($first: Int, $after: String, $orderBy: PostOrder!, $tag: String) {
    feed(first: $first, after: $after, orderBy: $orderBy, tag: $tag) {
      edges {
        node {
          id
          title
          community {
            slug
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
const LeaveCommunity = graphql(`
  mutation PostsLeaveCommunity($id: ID!) {
    leaveCommunity(communityId: $id)
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** One page of a community's posts as titles (or the whole response). */
async function page(
  slug: string,
  orderBy: Order,
  opts: { first?: number; after?: string | null; tag?: string; token?: string } = {},
) {
  const res = await server.gql(
    CommunityPosts,
    { slug, orderBy, first: opts.first ?? 50, after: opts.after, tag: opts.tag },
    { token: opts.token },
  );
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.community!.posts;
}
async function titles(slug: string, orderBy: Order, opts: { tag?: string; token?: string } = {}) {
  return (await page(slug, orderBy, opts)).edges.map((e: any) => e.node.title);
}

/** `score` votes (UP when positive, DOWN when negative) from distinct voters. */
async function giveScore(voters: TestUser[], postId: string, score: number) {
  await Promise.all(voters.slice(0, Math.abs(score)).map((v) => vote(server, v, postId, score > 0 ? 'UP' : 'DOWN')));
}

describe('orderings', () => {
  it('lists NEW newest first and TOP by score, newest first among equals', async () => {
    const {
      members: [author, ...voters],
      community,
    } = await castOf(server, 4);
    const scores: Record<string, number> = { a: 1, b: 3, c: 0, d: 1, e: -2 };
    for (const [title, score] of Object.entries(scores)) {
      const post = await createPost(server, author, community.id, { title });
      await giveScore(voters, post.id, score);
    }
    expect(await titles(community.slug, 'NEW')).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(await titles(community.slug, 'TOP')).toEqual(['b', 'd', 'a', 'c', 'e']);
    const top = await page(community.slug, 'TOP');
    expect(top.edges.map((e: any) => e.node.score)).toEqual([3, 1, 1, 0, -2]);
  });

  it('ranks HOT by sign(score)·log10(|score|) + age in units of 12.5 hours, as README documents', async () => {
    const {
      members: [author, ...voters],
      community,
    } = await castOf(server, 11);
    const hoursAgo = async (postId: string, hours: number) =>
      dbQuery(server, `update posts set created_at = now() - make_interval(hours => ?) where id = ?`, [
        hours,
        dbId(postId),
      ]);

    const sixHours = await createPost(server, author, community.id, { title: '6 h old, +10' });
    await hoursAgo(sixHours.id, 6);
    const twoDays = await createPost(server, author, community.id, { title: '48 h old, +10' });
    await hoursAgo(twoDays.id, 48);
    const fresh = await createPost(server, author, community.id, { title: 'new, +1' });
    const disliked = await createPost(server, author, community.id, { title: 'new, -2' });
    // Votes recompute the stored rank from the (back-dated) creation time.
    await giveScore(voters, sixHours.id, 10);
    await giveScore(voters, twoDays.id, 10);
    await giveScore(voters, fresh.id, 1);
    await giveScore(voters, disliked.id, -2);

    // 10 votes (+1) outweigh 6 hours (-0.48) but not 48 hours (-3.84); -2 costs log10(2) ≈ 0.3.
    expect(await titles(community.slug, 'HOT')).toEqual(['6 h old, +10', 'new, +1', 'new, -2', '48 h old, +10']);
    expect(await titles(community.slug, 'TOP')).toEqual(['48 h old, +10', '6 h old, +10', 'new, +1', 'new, -2']);

    // The stored rank is exactly the documented formula.
    const rows = await dbQuery(
      server,
      'select score, hot, extract(epoch from created_at)::float8 as epoch from posts where community_id = ?',
      [dbId(community.id)],
    );
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const documented =
        Math.sign(row.score) * Math.log10(Math.max(Math.abs(row.score), 1)) + (row.epoch - 1704067200) / 45000;
      expect(Number(row.hot)).toBeCloseTo(documented, 6);
    }
  });

  it('puts pinned posts first in every ordering, until they are unpinned', async () => {
    const {
      moderator,
      members: [author, voter],
      community,
    } = await castOf(server, 2);
    const old = await createPost(server, author, community.id, { title: 'old announcement' });
    const popular = await createPost(server, author, community.id, { title: 'popular' });
    await createPost(server, author, community.id, { title: 'newest' });
    await vote(server, voter, popular.id, 'UP');
    await vote(server, voter, old.id, 'DOWN');
    expect(errorCode(await server.gql(PinPostDocument, { id: old.id, pinned: true }, { token: author.token }))).toBe(
      'FORBIDDEN',
    );
    const pinned = await server.gql(PinPostDocument, { id: old.id, pinned: true }, { token: moderator.token });
    expect(pinned.body.data!.pinPost.pinned).toBe(true);
    for (const order of ['NEW', 'TOP', 'HOT'] as const) {
      const list = await page(community.slug, order);
      expect(list.edges[0].node).toMatchObject({ title: 'old announcement', pinned: true });
      expect(list.edges.slice(1).every((e: any) => !e.node.pinned)).toBe(true);
    }
    await server.gql(PinPostDocument, { id: old.id, pinned: false }, { token: moderator.token });
    expect(await titles(community.slug, 'NEW')).toEqual(['newest', 'popular', 'old announcement']);
    expect(await titles(community.slug, 'TOP')).toEqual(['popular', 'newest', 'old announcement']);
  });
});

describe('tag filter', () => {
  it('lists only posts with the tag, matching it the way tags are normalized', async () => {
    const {
      members: [author],
      community,
    } = await castOf(server, 1);
    await createPost(server, author, community.id, { title: 'ts news', tags: ['Type Script', 'news'] });
    await createPost(server, author, community.id, { title: 'ts', tags: ['typescript'] });
    await createPost(server, author, community.id, { title: 'just news', tags: ['news'] });
    await createPost(server, author, community.id, { title: 'untagged' });
    expect(await titles(community.slug, 'NEW', { tag: 'news' })).toEqual(['just news', 'ts news']);
    expect(await titles(community.slug, 'TOP', { tag: 'type-script' })).toEqual(['ts news']);
    expect(await titles(community.slug, 'HOT', { tag: ' Type Script ' })).toEqual(['ts news']);
    expect(await titles(community.slug, 'NEW', { tag: 'cooking' })).toEqual([]);
  });
});

describe('cursor pagination', () => {
  it.each(['NEW', 'TOP', 'HOT'] as const)(
    'walks %s pages while new posts arrive, repeating and skipping nothing',
    async (order) => {
      const {
        moderator,
        members: [author, ...voters],
        community,
      } = await castOf(server, 4);
      const scores = [3, 1, 0, -1, 2, 0, 1, 3, -2, 0];
      const originals: string[] = [];
      for (const [i, score] of scores.entries()) {
        const post = await createPost(server, author, community.id, { title: `original ${i}` });
        await giveScore(voters, post.id, score);
        originals.push(post.id);
      }
      await server.gql(PinPostDocument, { id: originals[4], pinned: true }, { token: moderator.token });
      const expected = (await page(community.slug, order)).edges.map((e: any) => e.node.id);
      expect([...expected].sort()).toEqual([...originals].sort());

      const seen: string[] = [];
      let after: string | null = null;
      for (let n = 0; n < 20; n++) {
        const current = await page(community.slug, order, { first: 3, after });
        seen.push(...current.edges.map((e: any) => e.node.id));
        expect(current.pageInfo.hasPreviousPage).toBe(n > 0);
        if (!current.pageInfo.hasNextPage) break;
        after = current.pageInfo.endCursor;
        await createPost(server, author, community.id, { title: `arrived after page ${n}` });
      }
      expect(new Set(seen).size).toBe(seen.length); // nothing repeated
      expect(seen.filter((id) => originals.includes(id))).toEqual(expected); // nothing skipped, order kept
    },
  );

  it('rejects a cursor that is not one of ours with BAD_USER_INPUT on after', async () => {
    const { community } = await castOf(server, 0);
    const res = await server.gql(CommunityPosts, { slug: community.slug, orderBy: 'NEW', after: 'bm90LWEtY3Vyc29y' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('after');
  });

  it('rejects a cursor of another ordering (a TOP cursor would silently mis-page HOT)', async () => {
    const {
      members: [author],
      community,
    } = await castOf(server, 1);
    for (let i = 0; i < 3; i++) await createPost(server, author, community.id, { title: `p${i}` });
    const top = await page(community.slug, 'TOP', { first: 1 });
    for (const order of ['HOT', 'NEW'] as const) {
      const res = await server.gql(CommunityPosts, {
        slug: community.slug,
        orderBy: order,
        first: 1,
        after: top.pageInfo.endCursor,
      });
      expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});

describe('deleted posts', () => {
  it("leave the community's listing and the members' feed", async () => {
    const {
      members: [author, reader],
      community,
    } = await castOf(server, 2);
    const gone = await createPost(server, author, community.id, { title: 'soon gone' });
    await createPost(server, author, community.id, { title: 'stays' });
    await server.gql(DeletePostDocument, { id: gone.id }, { token: author.token });
    for (const order of ['NEW', 'TOP', 'HOT'] as const) expect(await titles(community.slug, order)).toEqual(['stays']);
    const feed = await server.gql(ViewerFeed, { orderBy: 'NEW', first: 50 }, { token: reader.token });
    expect(feed.body.data!.feed.edges.map((e: any) => e.node.title)).toEqual(['stays']);
  });
});

describe("the viewer's feed", () => {
  it('requires sign-in', async () => {
    expect(errorCode(await server.gql(ViewerFeed, { orderBy: 'HOT' }))).toBe('UNAUTHENTICATED');
  });

  it('covers exactly the communities the viewer belongs to, public or private, newest first', async () => {
    const reader = await signUp(server, 'reader');
    const publicOne = await castOf(server, 1);
    const privateOne = await castOf(server, 1, 'PRIVATE');
    const notJoined = await castOf(server, 1);
    await joinCommunity(server, reader, publicOne.community.id);
    // Joining a private community takes an invite.
    await server.gql(
      'mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }',
      { input: { communityId: privateOne.community.id, userId: reader.user.id } },
      { token: privateOne.owner.token },
    );
    expect((await joinCommunity(server, reader, privateOne.community.id)).outcome).toBe('JOINED');
    await createPost(server, publicOne.members[0], publicOne.community.id, { title: 'public 1', tags: ['news'] });
    await createPost(server, privateOne.members[0], privateOne.community.id, { title: 'private 1' });
    await createPost(server, notJoined.members[0], notJoined.community.id, { title: 'elsewhere' });
    await createPost(server, publicOne.members[0], publicOne.community.id, { title: 'public 2' });

    const feed = await server.gql(ViewerFeed, { orderBy: 'NEW', first: 50 }, { token: reader.token });
    expect(feed.body.data!.feed.edges.map((e: any) => [e.node.title, e.node.community.slug])).toEqual([
      ['public 2', publicOne.community.slug],
      ['private 1', privateOne.community.slug],
      ['public 1', publicOne.community.slug],
    ]);
    const tagged = await server.gql(ViewerFeed, { orderBy: 'TOP', tag: 'news' }, { token: reader.token });
    expect(tagged.body.data!.feed.edges.map((e: any) => e.node.title)).toEqual(['public 1']);

    // Walking it page by page gives the same posts.
    const first = await server.gql(ViewerFeed, { orderBy: 'HOT', first: 2 }, { token: reader.token });
    const rest = await server.gql(
      ViewerFeed,
      { orderBy: 'HOT', first: 2, after: first.body.data!.feed.pageInfo.endCursor },
      { token: reader.token },
    );
    const walked = [...first.body.data!.feed.edges, ...rest.body.data!.feed.edges].map((e: any) => e.node.title);
    expect(walked.sort()).toEqual(['private 1', 'public 1', 'public 2']);
    expect(rest.body.data!.feed.pageInfo.hasNextPage).toBe(false);

    // After leaving a community its posts leave the feed.
    await server.gql(LeaveCommunity, { id: publicOne.community.id }, { token: reader.token });
    const after = await server.gql(ViewerFeed, { orderBy: 'NEW' }, { token: reader.token });
    expect(after.body.data!.feed.edges.map((e: any) => e.node.title)).toEqual(['private 1']);
  });

  it("keeps a private community's posts from an invitee until they join (FORBIDDEN)", async () => {
    const {
      owner,
      members: [author],
      community,
    } = await castOf(server, 1, 'PRIVATE');
    await createPost(server, author, community.id, { title: 'inside' });
    const invitee = await signUp(server, 'guest');
    await server.gql(
      'mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }',
      { input: { communityId: community.id, userId: invitee.user.id } },
      { token: owner.token },
    );
    const res = await server.gql(CommunityPosts, { slug: community.slug, orderBy: 'NEW' }, { token: invitee.token });
    expect(errorCode(res)).toBe('FORBIDDEN');
    await joinCommunity(server, invitee, community.id);
    expect(await titles(community.slug, 'NEW', { token: invitee.token })).toEqual(['inside']);
  });

  it('is empty for someone who belongs nowhere', async () => {
    const loner = await signUp(server, 'loner');
    const owner = await signUp(server, 'own');
    const c = await createCommunity(server, owner);
    await createPost(server, owner, c.id, { title: 'not for the loner' });
    const feed = await server.gql(ViewerFeed, { orderBy: 'NEW' }, { token: loner.token });
    expect(feed.body.data!.feed).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
