/**
 * Issue 18, point 2: channels. Every community has a default channel (`general`) from its creation;
 * admins create, change, reorder and remove channels (`channels.manage`); every post is in one
 * channel; a channel may restrict reading and posting to a least role or reputation level (the
 * permission table's per-channel overrides); members follow or mute channels, and muted channels
 * leave the community's feeds for them.
 */
import { randomBytes } from 'node:crypto';
import type { ChannelSubscriptionChoice } from '../../codegen/graphql';
import { castOf, SetRoleDocument } from '../posts/operations';
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
import {
  ChannelPostsDocument,
  CommunityChannelsDocument,
  CreateChannelDocument,
  RemoveChannelDocument,
  SetChannelSubscriptionDocument,
  UpdateChannelDocument,
  createChannel,
  postIn,
} from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

const channelsOf = async (slug: string, viewer?: TestUser) => {
  const res = await server.gql(CommunityChannelsDocument, { slug, first: 50 }, { token: viewer?.token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.community!.channels.edges.map((e: { node: any }) => e.node);
};

const communityPostIds = async (slug: string, viewer?: TestUser) => {
  const res = await server.gql(
    'query($slug: String!) { community(slug: $slug) { posts(first: 50, orderBy: NEW) { edges { node { id } } } } }',
    { slug },
    { token: viewer?.token },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data.community.posts.edges.map((e: any) => e.node.id);
};

const channelPostIds = async (channelId: string, viewer?: TestUser) => {
  const res = await server.gql(ChannelPostsDocument, { id: channelId, orderBy: 'NEW' }, { token: viewer?.token });
  expect(res.body.errors).toBeUndefined();
  const node = res.body.data!.node as any;
  return node ? node.posts.edges.map((e: any) => e.node.id) : null;
};

const comment = (viewer: TestUser, postId: string) =>
  server.gql(
    'mutation($id: ID!) { addComment(input: { postId: $id, body: "hi" }) { id } }',
    { id: postId },
    {
      token: viewer.token,
    },
  );
const upvote = (viewer: TestUser, id: string) =>
  server.gql(
    'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }',
    { id },
    {
      token: viewer.token,
    },
  );
const react = (viewer: TestUser, id: string) =>
  server.gql(
    'mutation($id: ID!) { react(input: { subjectId: $id, emoji: "👍" }) { __typename } }',
    { id },
    {
      token: viewer.token,
    },
  );

describe('channels of a community', () => {
  it('starts every new community with its default channel, where posts without a channel go', async () => {
    const owner = await signUp(server, 'owner');
    const community = await createCommunity(server, owner);
    const [general, ...rest] = await channelsOf(community.slug, owner);
    expect(rest).toEqual([]);
    expect(general).toMatchObject({ slug: 'general', position: 0, isDefault: true, viewerState: null });
    const post = await postIn(server, owner, community.id, null);
    expect(post.channel).toEqual({ id: general.id, slug: 'general', isDefault: true });
    expect(await channelPostIds(general.id)).toEqual([post.id]);
  });

  it('lets admins create channels (unique slug per community), ordered by position, paged by cursor', async () => {
    const cast = await castOf(server, 1);
    const help = await createChannel(server, cast.owner, cast.community.id, { slug: 'help', position: 5 });
    const news = await createChannel(server, cast.owner, cast.community.id, { slug: 'news', position: 2 });
    expect(help).toMatchObject({ slug: 'help', position: 5, isDefault: false, readRole: null, readLevel: 1 });
    expect((await channelsOf(cast.community.slug)).map((c: any) => c.slug)).toEqual(['general', 'news', 'help']);
    const first = await server.gql(CommunityChannelsDocument, { slug: cast.community.slug, first: 2 });
    expect(first.body.data!.community!.channels.pageInfo.hasNextPage).toBe(true);
    const next = await server.gql(CommunityChannelsDocument, {
      slug: cast.community.slug,
      first: 2,
      after: first.body.data!.community!.channels.pageInfo.endCursor,
    });
    expect(next.body.data!.community!.channels.edges.map((e: any) => e.node.id)).toEqual([help.id]);
    // The same slug again: CONFLICT (a unique index); in another community it is free.
    const again = await server.gql(
      CreateChannelDocument,
      { input: { communityId: cast.community.id, slug: 'help', name: 'Help 2' } },
      { token: cast.owner.token },
    );
    expect(errorCode(again)).toBe('CONFLICT');
    const other = await createCommunity(server, cast.owner);
    expect((await createChannel(server, cast.owner, other.id, { slug: 'help' })).slug).toBe('help');
    // Moderators and members may not manage channels (channels.manage: ADMIN).
    for (const who of [cast.moderator, cast.members[0]]) {
      const res = await server.gql(
        CreateChannelDocument,
        { input: { communityId: cast.community.id, slug: 'mine', name: 'Mine' } },
        { token: who.token },
      );
      expect(errorCode(res)).toBe('FORBIDDEN');
      const renamed = await server.gql(
        UpdateChannelDocument,
        { input: { id: news.id, name: 'x' } },
        { token: who.token },
      );
      expect(errorCode(renamed)).toBe('FORBIDDEN');
    }
    // Reordering: a new position.
    const moved = await server.gql(
      UpdateChannelDocument,
      { input: { id: help.id, position: 1 } },
      { token: cast.owner.token },
    );
    expect(moved.body.data!.updateChannel.position).toBe(1);
    expect((await channelsOf(cast.community.slug)).map((c: any) => c.slug)).toEqual(['general', 'help', 'news']);
  });

  it("puts posts in the channel named, lists them per channel with the feed orderings and tags, and refuses another community's channel", async () => {
    const cast = await castOf(server, 1);
    const help = await createChannel(server, cast.owner, cast.community.id);
    const inHelp = await postIn(server, cast.members[0], cast.community.id, help.id, 'In help');
    const inGeneral = await postIn(server, cast.members[0], cast.community.id, null, 'In general');
    expect(inHelp.channel).toMatchObject({ id: help.id, isDefault: false });
    expect(await channelPostIds(help.id)).toEqual([inHelp.id]);
    expect(await communityPostIds(cast.community.slug)).toEqual([inGeneral.id, inHelp.id]);
    for (const orderBy of ['HOT', 'TOP', 'NEW'] as const) {
      const res = await server.gql(ChannelPostsDocument, { id: help.id, orderBy, tag: 'chan' });
      expect((res.body.data!.node as any).posts.edges.map((e: any) => e.node.id)).toEqual([inHelp.id]);
    }
    const elsewhere = await castOf(server, 0);
    const foreign = await createChannel(server, elsewhere.owner, elsewhere.community.id);
    const res = await server.gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { communityId: cast.community.id, channelId: foreign.id, title: 't', body: 'b', tags: [] } },
      { token: cast.members[0].token },
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  it('removes a channel, moving its posts to the default one; the default cannot be removed nor restricted', async () => {
    const cast = await castOf(server, 1);
    const doomed = await createChannel(server, cast.owner, cast.community.id);
    const a = await postIn(server, cast.members[0], cast.community.id, doomed.id);
    const b = await postIn(server, cast.members[0], cast.community.id, doomed.id);
    const [general] = await channelsOf(cast.community.slug);
    const forbidden = await server.gql(
      RemoveChannelDocument,
      { input: { id: doomed.id } },
      { token: cast.moderator.token },
    );
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const res = await server.gql(RemoveChannelDocument, { input: { id: doomed.id } }, { token: cast.owner.token });
    expect(res.body.data!.removeChannel).toEqual({
      removedChannelId: doomed.id,
      movedPostCount: 2,
      community: { id: cast.community.id },
    });
    expect(new Set(await channelPostIds(general.id))).toEqual(new Set([a.id, b.id]));
    expect(await channelPostIds(doomed.id)).toBeNull();
    const removeDefault = await server.gql(
      RemoveChannelDocument,
      { input: { id: general.id } },
      { token: cast.owner.token },
    );
    expect(errorCode(removeDefault)).toBe('BAD_USER_INPUT');
    const restrictDefault = await server.gql(
      UpdateChannelDocument,
      { input: { id: general.id, readRole: 'MODERATOR' } },
      { token: cast.owner.token },
    );
    expect(errorCode(restrictDefault)).toBe('BAD_USER_INPUT');
  });
});

describe('channel restrictions (per-channel overrides of the permission table)', () => {
  it('hides a channel members may not read: its posts, its comments, the channel itself; writes there are NOT_FOUND', async () => {
    const cast = await castOf(server, 1);
    const member = cast.members[0];
    const staff = await createChannel(server, cast.owner, cast.community.id, { readRole: 'MODERATOR' });
    const post = await postIn(server, cast.moderator, cast.community.id, staff.id, 'Staff only');
    const open = await postIn(server, member, cast.community.id, null, 'Open');
    // The moderator reads everything; the member and anonymous readers see nothing of the channel.
    expect(await communityPostIds(cast.community.slug, cast.moderator)).toEqual([open.id, post.id]);
    expect((await channelsOf(cast.community.slug, cast.moderator)).map((c: any) => c.id)).toContain(staff.id);
    for (const viewer of [member, undefined]) {
      expect(await communityPostIds(cast.community.slug, viewer)).toEqual([open.id]);
      expect((await channelsOf(cast.community.slug, viewer)).map((c: any) => c.id)).not.toContain(staff.id);
      expect(await channelPostIds(staff.id, viewer)).toBeNull();
      const direct = await server.gql(
        'query($id: ID!) { post(id: $id) { id } }',
        { id: post.id },
        { token: viewer?.token },
      );
      expect(direct.body).toEqual({ data: { post: null } });
    }
    for (const write of [comment(member, post.id), upvote(member, post.id), react(member, post.id)])
      expect(errorCode(await write)).toBe('NOT_FOUND');
    const createIn = await server.gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { communityId: cast.community.id, channelId: staff.id, title: 't', body: 'b', tags: [] } },
      { token: member.token },
    );
    expect(errorCode(createIn)).toBe('NOT_FOUND');
    // Lifting the restriction shows it all.
    await server.gql(UpdateChannelDocument, { input: { id: staff.id, readRole: null } }, { token: cast.owner.token });
    expect(await communityPostIds(cast.community.slug, member)).toEqual([open.id, post.id]);
  });

  it('lets members read a channel whose posting is restricted, and refuses their posts, comments, votes and reactions there (FORBIDDEN)', async () => {
    const cast = await castOf(server, 1);
    const member = cast.members[0];
    const news = await createChannel(server, cast.owner, cast.community.id, { postRole: 'MODERATOR' });
    const post = await postIn(server, cast.moderator, cast.community.id, news.id, 'Announcement');
    expect(await channelPostIds(news.id, member)).toEqual([post.id]);
    const createIn = await server.gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { communityId: cast.community.id, channelId: news.id, title: 't', body: 'b', tags: [] } },
      { token: member.token },
    );
    expect(errorCode(createIn)).toBe('FORBIDDEN');
    expect(createIn.body.errors![0].message).toMatch(/MODERATOR/);
    for (const write of [comment(member, post.id), upvote(member, post.id), react(member, post.id)])
      expect(errorCode(await write)).toBe('FORBIDDEN');
    expect(errorCode(await comment(cast.owner, post.id))).toBeUndefined();
  });

  it('gates by reputation level for plain members (moderators need none), as the table does', async () => {
    const cast = await castOf(server, 1, 'PUBLIC', true); // level thresholds as by default: new members are level 1
    const member = cast.members[0];
    const veterans = await createChannel(server, cast.owner, cast.community.id, { readLevel: 2, postLevel: 3 });
    const post = await postIn(server, cast.moderator, cast.community.id, veterans.id, 'Veterans');
    expect(await channelPostIds(veterans.id, member)).toBeNull();
    expect(await channelPostIds(veterans.id, cast.moderator)).toEqual([post.id]);
    // Thresholds at 0: every member is at the top level and reads and posts there.
    const opened = await server.gql(
      'mutation($input: ReputationRulesInput!) { updateReputationRules(input: $input) { id } }',
      { input: { communityId: cast.community.id, levelThresholds: [0, 0, 0] } },
      { token: cast.owner.token },
    );
    expect(opened.body.errors).toBeUndefined();
    expect(await channelPostIds(veterans.id, member)).toEqual([post.id]);
    expect(errorCode(await comment(member, post.id))).toBeUndefined();
  });

  it('leaves restricted channels out of the viewer feed and out of search', async () => {
    const cast = await castOf(server, 1);
    const member = cast.members[0];
    const staff = await createChannel(server, cast.owner, cast.community.id, { readRole: 'ADMIN' });
    // Random letters: a word no other post holds nor looks like (the database outlives test runs).
    const word = Array.from(randomBytes(12), (b) => String.fromCharCode(97 + (b % 26))).join('');
    const hidden = await postIn(server, cast.owner, cast.community.id, staff.id, `Secret ${word}`);
    const shown = await postIn(server, cast.owner, cast.community.id, null, `Public ${word}`);
    const feed = await server.gql(
      'query { feed(first: 50, orderBy: NEW) { edges { node { id } } } }',
      {},
      { token: member.token },
    );
    const ids = feed.body.data.feed.edges.map((e: any) => e.node.id);
    expect(ids).toContain(shown.id);
    expect(ids).not.toContain(hidden.id);
    const search = (token?: string) =>
      server.gql(
        'query($q: String!) { search(query: $q, first: 20) { edges { node { ... on Post { id } } } } }',
        { q: word },
        { token },
      );
    for (const token of [member.token, undefined]) {
      const found = (await search(token)).body.data.search.edges.map((e: any) => e.node.id);
      expect(found).toEqual([shown.id]);
    }
    const asOwner = (await search(cast.owner.token)).body.data.search.edges.map((e: any) => e.node.id);
    expect(new Set(asOwner)).toEqual(new Set([shown.id, hidden.id]));
  });
});

describe('following and muting channels', () => {
  it('sets the viewer state, and leaves muted channels out of the community feed for that member only', async () => {
    const cast = await castOf(server, 2);
    const [muter, other] = cast.members;
    const noisy = await createChannel(server, cast.owner, cast.community.id);
    const loud = await postIn(server, cast.owner, cast.community.id, noisy.id, 'Loud');
    const calm = await postIn(server, cast.owner, cast.community.id, null, 'Calm');
    const set = (state: ChannelSubscriptionChoice) =>
      server.gql(SetChannelSubscriptionDocument, { input: { channelId: noisy.id, state } }, { token: muter.token });
    expect((await set('MUTED')).body.data!.setChannelSubscription).toEqual({ id: noisy.id, viewerState: 'MUTED' });
    expect(await communityPostIds(cast.community.slug, muter)).toEqual([calm.id]);
    expect(await communityPostIds(cast.community.slug, other)).toEqual([calm.id, loud.id]);
    // The channel's own list still shows them (muting is about the community's feeds).
    expect(await channelPostIds(noisy.id, muter)).toEqual([loud.id]);
    expect((await set('FOLLOWING')).body.data!.setChannelSubscription.viewerState).toBe('FOLLOWING');
    expect(await communityPostIds(cast.community.slug, muter)).toEqual([calm.id, loud.id]);
    expect((await channelsOf(cast.community.slug, muter)).find((c: any) => c.id === noisy.id)!.viewerState).toBe(
      'FOLLOWING',
    );
    expect((await set('NONE')).body.data!.setChannelSubscription.viewerState).toBeNull();
    // Non-members may not follow; anonymous visitors must sign in.
    const outsider = await signUp(server, 'out');
    const refused = await server.gql(
      SetChannelSubscriptionDocument,
      { input: { channelId: noisy.id, state: 'FOLLOWING' } },
      { token: outsider.token },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const anonymous = await server.gql(SetChannelSubscriptionDocument, {
      input: { channelId: noisy.id, state: 'MUTED' },
    });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('keeps the role a member had when the channel restricts by role', async () => {
    const owner = await signUp(server, 'owner');
    const community = await createCommunity(server, owner);
    const member = await signUp(server, 'member');
    await joinCommunity(server, member, community.id);
    const staff = await createChannel(server, owner, community.id, { readRole: 'MODERATOR' });
    expect(
      errorCode(
        await server.gql(
          SetChannelSubscriptionDocument,
          { input: { channelId: staff.id, state: 'MUTED' } },
          { token: member.token },
        ),
      ),
    ).toBe('NOT_FOUND');
    const promoted = await server.gql(
      SetRoleDocument,
      { input: { communityId: community.id, userId: member.user.id, role: 'MODERATOR' } },
      { token: owner.token },
    );
    expect(promoted.body.errors).toBeUndefined();
    expect(
      errorCode(
        await server.gql(
          SetChannelSubscriptionDocument,
          { input: { channelId: staff.id, state: 'MUTED' } },
          { token: member.token },
        ),
      ),
    ).toBeUndefined();
  });
});

describe('moving posts between channels', () => {
  it('lets moderators move a post to another channel of its community (moderatePost), and no one else', async () => {
    const cast = await castOf(server, 1);
    const help = await createChannel(server, cast.owner, cast.community.id);
    const staff = await createChannel(server, cast.owner, cast.community.id, { readRole: 'ADMIN' });
    const post = await postIn(server, cast.members[0], cast.community.id, null, 'Misplaced');
    const move = (who: TestUser, channelId: string) =>
      server.gql(
        'mutation($input: ModeratePostInput!) { moderatePost(input: $input) { id channel { id } } }',
        { input: { id: post.id, channelId } },
        { token: who.token },
      );
    expect(errorCode(await move(cast.members[0], help.id))).toBe('FORBIDDEN');
    // A channel the moderator may not read is as missing to them.
    expect(errorCode(await move(cast.moderator, staff.id))).toBe('NOT_FOUND');
    const moved = await move(cast.moderator, help.id);
    expect(moved.body.data.moderatePost.channel).toEqual({ id: help.id });
    expect(await channelPostIds(help.id)).toEqual([post.id]);
    const foreign = await createChannel(server, cast.owner, (await createCommunity(server, cast.owner)).id);
    expect(errorCode(await move(cast.owner, foreign.id))).toBe('NOT_FOUND');
  });
});
