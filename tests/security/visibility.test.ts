/**
 * Issue 12, point 6: "private means invisible". A PRIVATE community must be indistinguishable from a
 * community that does not exist to everyone outside it (anonymous visitors, signed-in non-members, a
 * banned ex-member), on every path: queries, `node` for each of its node types, `joinCommunity` (which
 * used to answer its name, description and member count to anyone signed in), every mutation on its
 * objects and every subscription. A RESTRICTED community shows its profile to anyone, its content to
 * members only.
 */
import { toGlobalId, type NodeType } from '../../src/platform/ids';
import { createContest, submitEntry } from '../events/contest-operations';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll } from '../polls/operations';
import { addComment, createPost, dbQuery, vote } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  openPrivileges,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { record } from '../support/subscription';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** The data of a response, or a thrown error naming the operation. */
async function must(what: string, request: Promise<{ body: { data?: any; errors?: unknown } }>): Promise<any> {
  const res = await request;
  if (res.body.errors || !res.body.data) throw new Error(`${what} failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const setVisibility = (owner: TestUser, id: string, visibility: string) =>
  must(
    'updateCommunity',
    server.gql(
      'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { visibility } }',
      { input: { id, visibility } },
      { token: owner.token },
    ),
  );

/** A community with something of every node type in it, then made `visibility`. */
async function populated(visibility: 'PRIVATE' | 'RESTRICTED') {
  const owner = await signUp(server, 'owner');
  const member = await signUp(server, 'member');
  const exMember = await signUp(server, 'banned');
  const requester = await signUp(server, 'asker');
  const invitee = await signUp(server, 'invitee');
  const community = await createCommunity(server, owner, 'PUBLIC', `Garden ${visibility}`);
  await openPrivileges(server, owner, community.id);
  const membership = await joinCommunity(server, member, community.id);
  await joinCommunity(server, exMember, community.id);

  const post = await createPost(server, member, community.id, { title: 'Members only' });
  const comment = await addComment(server, owner, post.id, 'A reply');
  await vote(server, owner, post.id, 'UP');
  const meetup = await createEvent(server, owner, community.id);
  const going = await rsvp(server, member, meetup.id, 'GOING');
  const stream = await createEvent(server, owner, community.id, {
    kind: 'LIVE_STREAM',
    title: 'Live',
    startsAt: hoursFromNow(0),
  });
  await must(
    'startLiveStream',
    server.gql(
      'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }',
      { id: stream.id },
      { token: owner.token },
    ),
  );
  const message = await must(
    'sendChatMessage',
    server.gql(
      'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }',
      { input: { eventId: stream.id, body: 'hi', isQuestion: true } },
      { token: member.token },
    ),
  );
  const contest = await createContest(server, owner, community.id);
  const entry = await must('submitContestEntry', submitEntry(server, member, contest.id, post.id));
  const poll = await createPoll(server, owner, community.id);

  await setVisibility(owner, community.id, 'RESTRICTED');
  const request = await joinCommunity(server, requester, community.id);
  const invite = await must(
    'inviteMember',
    server.gql(
      'mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }',
      { input: { communityId: community.id, userId: invitee.user.id } },
      { token: owner.token },
    ),
  );
  const link = await must(
    'createInviteLink',
    server.gql(
      'mutation($id: ID!) { createInviteLink(communityId: $id) { inviteLink { id } } }',
      { id: community.id },
      { token: owner.token },
    ),
  );
  await must(
    'banMember',
    server.gql(
      'mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }',
      { input: { communityId: community.id, userId: exMember.user.id, reason: 'spam' } },
      { token: owner.token },
    ),
  );
  if (visibility === 'PRIVATE') await setVisibility(owner, community.id, 'PRIVATE');

  const ids: Record<string, string> = {
    Community: community.id,
    Member: membership.member!.id,
    Post: post.id,
    Comment: comment.id,
    Event: meetup.id,
    Rsvp: going.body.data!.rsvp.id,
    ChatMessage: message.sendChatMessage.id,
    ContestEntry: entry.submitContestEntry.id,
    Poll: poll.id,
    PollOption: poll.options[0].id,
    JoinRequest: request.joinRequest!.id,
    Invite: invite.inviteMember.id,
    InviteLink: link.createInviteLink.inviteLink.id,
    Stream: stream.id,
    Contest: contest.id,
  };
  return { owner, member, exMember, requester, invitee, community, ids };
}

/**
 * IDs of objects that do not exist, of each type: what an outsider must not be able to tell apart.
 * Made with the server's own function (its key is installed once the test server has started).
 */
const MISSING_IDS: Record<string, string> = {};
beforeAll(() => {
  const missing = (type: NodeType) => toGlobalId(type, 2 ** 31 - 1);
  Object.assign(MISSING_IDS, {
    Community: missing('Community'),
    Member: missing('Member'),
    Post: missing('Post'),
    Comment: missing('Comment'),
    Event: missing('Event'),
    Rsvp: missing('Rsvp'),
    ChatMessage: missing('ChatMessage'),
    ContestEntry: missing('ContestEntry'),
    Poll: missing('Poll'),
    PollOption: missing('PollOption'),
    JoinRequest: missing('JoinRequest'),
    Invite: missing('Invite'),
    InviteLink: missing('InviteLink'),
    Stream: missing('Event'),
    Contest: missing('Event'),
  });
});
const NODE_TYPES = [
  'Community',
  'Member',
  'Post',
  'Comment',
  'Event',
  'Rsvp',
  'ChatMessage',
  'ContestEntry',
  'Poll',
  'PollOption',
  'JoinRequest',
  'Invite',
  'InviteLink',
];

/** Every mutation that takes a community-scoped subject, with its variables from a set of IDs. */
const MUTATIONS: [string, string, (ids: Record<string, string>, userId: string) => Record<string, unknown>][] = [
  [
    'updateCommunity',
    'mutation($id: ID!) { updateCommunity(input: { id: $id, name: "Mine now" }) { name } }',
    (i) => ({ id: i.Community }),
  ],
  [
    'joinCommunity',
    'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome community { name description memberCount } } }',
    (i) => ({ id: i.Community }),
  ],
  ['leaveCommunity', 'mutation($id: ID!) { leaveCommunity(communityId: $id) }', (i) => ({ id: i.Community })],
  [
    'setMemberRole',
    'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MEMBER }) { role } }',
    (i, u) => ({ c: i.Community, u }),
  ],
  [
    'banMember',
    'mutation($c: ID!, $u: ID!) { banMember(input: { communityId: $c, userId: $u, reason: "x" }) { reason } }',
    (i, u) => ({ c: i.Community, u }),
  ],
  [
    'unbanMember',
    'mutation($c: ID!, $u: ID!) { unbanMember(input: { communityId: $c, userId: $u }) }',
    (i, u) => ({ c: i.Community, u }),
  ],
  [
    'inviteMember',
    'mutation($c: ID!, $u: ID!) { inviteMember(input: { communityId: $c, userId: $u }) { id } }',
    (i, u) => ({ c: i.Community, u }),
  ],
  [
    'createPost',
    'mutation($id: ID!) { createPost(input: { communityId: $id, title: "t", body: "b", tags: [] }) { id } }',
    (i) => ({ id: i.Community }),
  ],
  [
    'createEvent',
    `mutation($id: ID!) { createEvent(input: { communityId: $id, title: "t", startsAt: "${hoursFromNow(48).toISOString()}", endsAt: "${hoursFromNow(49).toISOString()}" }) { id } }`,
    (i) => ({ id: i.Community }),
  ],
  [
    'createPoll',
    'mutation($id: ID!) { createPoll(input: { communityId: $id, question: "q", options: ["a", "b"] }) { id } }',
    (i) => ({ id: i.Community }),
  ],
  [
    'updateReputationRules',
    'mutation($id: ID!) { updateReputationRules(input: { communityId: $id, dailyVoteCap: 5 }) { id } }',
    (i) => ({ id: i.Community }),
  ],
  ['rebuildReputation', 'mutation($id: ID!) { rebuildReputation(communityId: $id) }', (i) => ({ id: i.Community })],
  [
    'createInviteLink',
    'mutation($id: ID!) { createInviteLink(communityId: $id) { token } }',
    (i) => ({ id: i.Community }),
  ],
  ['updatePost', 'mutation($id: ID!) { updatePost(input: { id: $id, title: "x" }) { id } }', (i) => ({ id: i.Post })],
  ['deletePost', 'mutation($id: ID!) { deletePost(id: $id) { id } }', (i) => ({ id: i.Post })],
  ['pinPost', 'mutation($id: ID!) { pinPost(id: $id, pinned: true) { id } }', (i) => ({ id: i.Post })],
  ['lockPost', 'mutation($id: ID!) { lockPost(id: $id, locked: true) { id } }', (i) => ({ id: i.Post })],
  ['muteThread', 'mutation($id: ID!) { muteThread(postId: $id) { id } }', (i) => ({ id: i.Post })],
  [
    'addComment',
    'mutation($id: ID!) { addComment(input: { postId: $id, body: "x" }) { id } }',
    (i) => ({ id: i.Post }),
  ],
  [
    'vote on a post',
    'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }',
    (i) => ({ id: i.Post }),
  ],
  [
    'react to a post',
    'mutation($id: ID!) { react(input: { subjectId: $id, emoji: "👍" }) { __typename } }',
    (i) => ({ id: i.Post }),
  ],
  [
    'updateComment',
    'mutation($id: ID!) { updateComment(input: { id: $id, body: "x" }) { id } }',
    (i) => ({ id: i.Comment }),
  ],
  ['deleteComment', 'mutation($id: ID!) { deleteComment(id: $id) { id } }', (i) => ({ id: i.Comment })],
  [
    'featureComment',
    'mutation($id: ID!) { featureComment(id: $id, featured: true) { id } }',
    (i) => ({ id: i.Comment }),
  ],
  [
    'vote on a comment',
    'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }',
    (i) => ({ id: i.Comment }),
  ],
  [
    'updateEvent',
    'mutation($id: ID!) { updateEvent(input: { id: $id, title: "x" }) { id } }',
    (i) => ({ id: i.Event }),
  ],
  ['cancelEvent', 'mutation($id: ID!) { cancelEvent(id: $id) { id } }', (i) => ({ id: i.Event })],
  ['rsvp', 'mutation($id: ID!) { rsvp(input: { eventId: $id, status: GOING }) { id } }', (i) => ({ id: i.Event })],
  [
    'checkIn',
    'mutation($id: ID!, $u: ID!) { checkIn(input: { eventId: $id, userId: $u }) { id } }',
    (i, u) => ({ id: i.Event, u }),
  ],
  ['startLiveStream', 'mutation($id: ID!) { startLiveStream(eventId: $id) { id } }', (i) => ({ id: i.Stream })],
  ['endLiveStream', 'mutation($id: ID!) { endLiveStream(eventId: $id) { id } }', (i) => ({ id: i.Stream })],
  [
    'sendChatMessage',
    'mutation($id: ID!) { sendChatMessage(input: { eventId: $id, body: "x" }) { id } }',
    (i) => ({ id: i.Stream }),
  ],
  ['setSlowMode', 'mutation($id: ID!) { setSlowMode(eventId: $id, seconds: 5) { id } }', (i) => ({ id: i.Stream })],
  [
    'muteChatMember',
    'mutation($id: ID!, $u: ID!) { muteChatMember(input: { eventId: $id, userId: $u }) }',
    (i, u) => ({ id: i.Stream, u }),
  ],
  [
    'unmuteChatMember',
    'mutation($id: ID!, $u: ID!) { unmuteChatMember(eventId: $id, userId: $u) }',
    (i, u) => ({ id: i.Stream, u }),
  ],
  ['deleteChatMessage', 'mutation($id: ID!) { deleteChatMessage(id: $id) }', (i) => ({ id: i.ChatMessage })],
  [
    'markQuestionAnswered',
    'mutation($id: ID!) { markQuestionAnswered(id: $id) { id } }',
    (i) => ({ id: i.ChatMessage }),
  ],
  ['upvoteQuestion', 'mutation($id: ID!) { upvoteQuestion(id: $id) { id } }', (i) => ({ id: i.ChatMessage })],
  [
    'submitContestEntry',
    'mutation($e: ID!, $p: ID!) { submitContestEntry(input: { eventId: $e, postId: $p }) { id } }',
    (i) => ({ e: i.Contest, p: i.Post }),
  ],
  ['voteContestEntry', 'mutation($id: ID!) { voteContestEntry(entryId: $id) { id } }', (i) => ({ id: i.ContestEntry })],
  [
    'withdrawContestEntry',
    'mutation($id: ID!) { withdrawContestEntry(entryId: $id) }',
    (i) => ({ id: i.ContestEntry }),
  ],
  ['withdrawContestVote', 'mutation($id: ID!) { withdrawContestVote(eventId: $id) }', (i) => ({ id: i.Contest })],
  [
    'castVote',
    'mutation($p: ID!, $o: ID!) { castVote(input: { pollId: $p, optionIds: [$o] }) { id } }',
    (i) => ({ p: i.Poll, o: i.PollOption }),
  ],
  ['closePoll', 'mutation($id: ID!) { closePoll(id: $id) { id } }', (i) => ({ id: i.Poll })],
  ['approveJoinRequest', 'mutation($id: ID!) { approveJoinRequest(id: $id) { id } }', (i) => ({ id: i.JoinRequest })],
  ['rejectJoinRequest', 'mutation($id: ID!) { rejectJoinRequest(id: $id) { id } }', (i) => ({ id: i.JoinRequest })],
  ['revokeInviteLink', 'mutation($id: ID!) { revokeInviteLink(id: $id) { id } }', (i) => ({ id: i.InviteLink })],
];

/** Every subscription on a community-scoped subject. */
const SUBSCRIPTIONS: [string, string, (ids: Record<string, string>) => Record<string, unknown>][] = [
  ['memberJoined', 'subscription($id: ID!) { memberJoined(communityId: $id) { id } }', (i) => ({ id: i.Community })],
  ['postAdded', 'subscription($id: ID!) { postAdded(communityId: $id) { id } }', (i) => ({ id: i.Community })],
  [
    'leaderboardChanged',
    'subscription($id: ID!) { leaderboardChanged(communityId: $id, period: ALL_TIME) { score } }',
    (i) => ({ id: i.Community }),
  ],
  ['commentAdded', 'subscription($id: ID!) { commentAdded(postId: $id) { id } }', (i) => ({ id: i.Post })],
  ['chatMessageAdded', 'subscription($id: ID!) { chatMessageAdded(eventId: $id) { id } }', (i) => ({ id: i.Stream })],
  ['chatMessageRemoved', 'subscription($id: ID!) { chatMessageRemoved(eventId: $id) }', (i) => ({ id: i.Stream })],
  ['pollUpdated', 'subscription($id: ID!) { pollUpdated(pollId: $id) { id } }', (i) => ({ id: i.Poll })],
];

/** What a response tells its caller: its data and each error's code and message (paths and locations aside). */
function told(res: { body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }) {
  return {
    data: res.body.data ?? null,
    errors: (res.body.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message })),
  };
}

/** How a subscription ended for its subscriber: its errors' codes and messages, and whether anything came. */
async function subscriptionOutcome(token: string | undefined, query: string, variables: Record<string, unknown>) {
  const stream = record<unknown>(server.ws({ token }), { query, variables });
  await stream.settled(10_000);
  // graphql-ws sends an error thrown while subscribing as a result with errors, then completes.
  const errors = [
    ...(Array.isArray(stream.failure) ? stream.failure : []),
    ...stream.results.flatMap((r) => r.errors ?? []),
  ] as { message: string; extensions?: Record<string, unknown> }[];
  return {
    data: stream.results.filter((r) => r.data).length,
    errors: errors.map((e) => ({ code: e.extensions?.code, message: e.message })),
  };
}

describe('a PRIVATE community', () => {
  let place: Awaited<ReturnType<typeof populated>>;
  let outsider: TestUser;
  const viewers: [string, () => TestUser | undefined][] = [
    ['an anonymous visitor', () => undefined],
    ['a signed-in non-member', () => outsider],
    ['a banned ex-member', () => place.exMember],
  ];

  beforeAll(async () => {
    place = await populated('PRIVATE');
    outsider = await signUp(server, 'outsider');
  });

  describe.each(viewers)('to %s', (_who, viewer) => {
    it('is absent from community(slug) and from communities, searched or not', async () => {
      const token = viewer()?.token;
      const bySlug = await server.gql(
        'query($slug: String!) { community(slug: $slug) { id name } }',
        { slug: place.community.slug },
        { token },
      );
      expect(told(bySlug)).toEqual({ data: { community: null }, errors: [] });
      const searched = await server.gql(
        'query($s: String) { communities(search: $s, first: 100) { edges { node { id } } } }',
        { s: place.community.slug },
        { token },
      );
      expect(searched.body.data.communities.edges).toEqual([]);
      const all = await server.gql('query { communities(first: 100) { edges { node { id } } } }', {}, { token });
      expect(all.body.data.communities.edges.map((e: any) => e.node.id)).not.toContain(place.ids.Community);
    });

    it('answers node(id) with null for every node type in it, and post, event and poll with null', async () => {
      const token = viewer()?.token;
      for (const type of NODE_TYPES) {
        const res = await server.gql('query($id: ID!) { node(id: $id) { id } }', { id: place.ids[type] }, { token });
        expect([type, told(res)]).toEqual([type, { data: { node: null }, errors: [] }]);
      }
      const direct = await server.gql(
        'query($p: ID!, $e: ID!, $q: ID!) { post(id: $p) { id } event(id: $e) { id } poll(id: $q) { id } }',
        { p: place.ids.Post, e: place.ids.Event, q: place.ids.Poll },
        { token },
      );
      expect(told(direct)).toEqual({ data: { post: null, event: null, poll: null }, errors: [] });
    });

    it('answers joinCommunity exactly as for a community that does not exist, naming nothing of it', async () => {
      const token = viewer()?.token;
      const query =
        'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome community { name description memberCount } } }';
      const hidden = await server.gql(query, { id: place.ids.Community }, { token });
      const none = await server.gql(query, { id: MISSING_IDS.Community }, { token });
      expect(told(hidden)).toEqual(told(none));
      expect(errorCode(hidden)).toBe(viewer() ? 'NOT_FOUND' : 'UNAUTHENTICATED');
      expect(JSON.stringify(hidden.body)).not.toContain('Garden');
    });

    it('answers every mutation on its objects exactly as on objects that do not exist', async () => {
      const who = viewer();
      const userId = place.member.user.id;
      for (const [name, query, variables] of MUTATIONS) {
        const hidden = await server.gql(query, variables(place.ids, userId), { token: who?.token });
        const none = await server.gql(query, variables(MISSING_IDS, userId), { token: who?.token });
        expect([name, told(hidden)]).toEqual([name, told(none)]);
        expect([name, errorCode(hidden)]).toEqual([name, expect.stringMatching(/^(NOT_FOUND|UNAUTHENTICATED)$/)]);
      }
    });

    it('refuses every subscription on its objects exactly as on objects that do not exist', async () => {
      const token = viewer()?.token;
      for (const [name, query, variables] of SUBSCRIPTIONS) {
        const hidden = await subscriptionOutcome(token, query, variables(place.ids));
        const none = await subscriptionOutcome(token, query, variables(MISSING_IDS));
        expect([name, hidden]).toEqual([name, none]);
        expect([name, hidden.errors.map((e) => e.code)]).toEqual([name, ['NOT_FOUND']]);
      }
    });
  });

  it('shows its profile, members and content to its members and to platform admins', async () => {
    const admin = await signUp(server, 'admin');
    await dbQuery(server, 'update users set is_admin = true where handle = ?', [admin.user.handle]);
    for (const viewer of [place.member, admin]) {
      const res = await server.gql(
        'query($slug: String!) { community(slug: $slug) { name visibility members(first: 10) { edges { node { id } } } posts(first: 10) { edges { node { id } } } } }',
        { slug: place.community.slug },
        { token: viewer.token },
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.community).toMatchObject({ name: 'Garden PRIVATE', visibility: 'PRIVATE' });
      expect(res.body.data.community.posts.edges.map((e: any) => e.node.id)).toEqual([place.ids.Post]);
      const listed = await server.gql(
        'query($s: String) { communities(search: $s, first: 10) { edges { node { id } } } }',
        { s: place.community.slug },
        { token: viewer.token },
      );
      expect(listed.body.data.communities.edges.map((e: any) => e.node.id)).toEqual([place.ids.Community]);
      for (const type of ['Community', 'Post', 'ChatMessage', 'PollOption']) {
        expect(
          (
            await server.gql(
              'query($id: ID!) { node(id: $id) { id } }',
              { id: place.ids[type] },
              { token: viewer.token },
            )
          ).body.data.node,
        ).toEqual({ id: place.ids[type] });
      }
    }
  });

  it('shows its profile but not its content to an invitee, who joins with the invite', async () => {
    const token = place.invitee.token;
    const profile = await server.gql(
      'query($slug: String!) { community(slug: $slug) { name memberCount } }',
      { slug: place.community.slug },
      { token },
    );
    expect(profile.body.data.community).toEqual({ name: 'Garden PRIVATE', memberCount: 2 });
    const posts = await server.gql(
      'query($slug: String!) { community(slug: $slug) { posts(first: 5) { edges { node { id } } } } }',
      { slug: place.community.slug },
      { token },
    );
    expect(errorCode(posts)).toBe('FORBIDDEN');
    expect(
      (await server.gql('query($id: ID!) { node(id: $id) { id } }', { id: place.ids.Post }, { token })).body.data.node,
    ).toBeNull();
    expect((await joinCommunity(server, place.invitee, place.ids.Community)).outcome).toBe('JOINED');
  });

  it('keeps a join request filed while it was RESTRICTED for its admins to decide, hidden from its requester', async () => {
    const mine = await server.gql(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: place.ids.JoinRequest },
      { token: place.requester.token },
    );
    expect(mine.body.data.node).toBeNull();
    const pending = await server.gql(
      'query($slug: String!) { community(slug: $slug) { joinRequests(first: 10) { edges { node { id user { handle } } } } } }',
      { slug: place.community.slug },
      { token: place.owner.token },
    );
    expect(pending.body.data.community.joinRequests.edges.map((e: any) => e.node.id)).toEqual([place.ids.JoinRequest]);
    // Asking again is NOT_FOUND, as for any PRIVATE community; the admins' approval still lets them in.
    expect(
      errorCode(
        await server.gql(
          'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
          { id: place.ids.Community },
          { token: place.requester.token },
        ),
      ),
    ).toBe('NOT_FOUND');
    await must(
      'approveJoinRequest',
      server.gql(
        'mutation($id: ID!) { approveJoinRequest(id: $id) { role } }',
        { id: place.ids.JoinRequest },
        { token: place.owner.token },
      ),
    );
    const now = await server.gql(
      'query($slug: String!) { community(slug: $slug) { viewerMember { role } } }',
      { slug: place.community.slug },
      { token: place.requester.token },
    );
    expect(now.body.data.community.viewerMember).toEqual({ role: 'MEMBER' });
  });
});

describe('a RESTRICTED community', () => {
  let place: Awaited<ReturnType<typeof populated>>;
  let outsider: TestUser;

  beforeAll(async () => {
    place = await populated('RESTRICTED');
    outsider = await signUp(server, 'outsider');
  });

  it.each([
    ['an anonymous visitor', false],
    ['a signed-in non-member', true],
  ])('shows its profile to %s: by slug, in lists and through node', async (_who, signedIn) => {
    const token = signedIn ? outsider.token : undefined;
    const profile = 'id slug name description memberCount visibility timeZone viewerMember { role }';
    const expected = {
      id: place.ids.Community,
      slug: place.community.slug,
      name: 'Garden RESTRICTED',
      description: 'for tests',
      memberCount: 2,
      visibility: 'RESTRICTED',
      timeZone: 'UTC',
      viewerMember: null,
    };
    const bySlug = await server.gql(
      `query($slug: String!) { community(slug: $slug) { ${profile} } }`,
      { slug: place.community.slug },
      { token },
    );
    expect(bySlug.body.data.community).toEqual(expected);
    const listed = await server.gql(
      `query($s: String) { communities(search: $s, first: 10) { edges { node { ${profile} } } } }`,
      { s: place.community.slug },
      { token },
    );
    expect(listed.body.data.communities.edges.map((e: any) => e.node)).toEqual([expected]);
    const node = await server.gql(
      `query($id: ID!) { node(id: $id) { ... on Community { ${profile} } } }`,
      { id: place.ids.Community },
      { token },
    );
    expect(node.body.data.node).toEqual(expected);
  });

  it.each([
    ['an anonymous visitor', false],
    ['a signed-in non-member', true],
  ])('keeps its content from %s', async (_who, signedIn) => {
    const token = signedIn ? outsider.token : undefined;
    for (const field of [
      'members(first: 5) { edges { node { id } } }',
      'posts(first: 5) { edges { node { id } } }',
      'events(first: 5) { edges { node { id } } }',
      'polls(first: 5) { edges { node { id } } }',
      'leaderboard { score }',
    ]) {
      const res = await server.gql(
        `query($slug: String!) { community(slug: $slug) { name content: ${field} } }`,
        { slug: place.community.slug },
        { token },
      );
      expect([field, errorCode(res)]).toEqual([field, 'FORBIDDEN']);
    }
    for (const type of NODE_TYPES.filter((t) => t !== 'Community')) {
      const res = await server.gql('query($id: ID!) { node(id: $id) { id } }', { id: place.ids[type] }, { token });
      expect([type, res.body.data.node]).toEqual([type, null]);
    }
    for (const [name, query, variables] of SUBSCRIPTIONS) {
      const outcome = await subscriptionOutcome(token, query, variables(place.ids));
      expect([name, outcome.data, outcome.errors.map((e) => e.code)]).toEqual([
        name,
        0,
        [expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/)],
      ]);
    }
  });

  it("turns a non-member's join into a join request, and refuses a banned ex-member", async () => {
    const hopeful = await signUp(server, 'hopeful');
    const joined = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome member { id } joinRequest { id } community { name } } }',
      { id: place.ids.Community },
      { token: hopeful.token },
    );
    expect(joined.body.data.joinCommunity).toMatchObject({
      outcome: 'REQUESTED',
      member: null,
      community: { name: 'Garden RESTRICTED' },
    });
    const banned = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
      { id: place.ids.Community },
      { token: place.exMember.token },
    );
    expect(errorCode(banned)).toBe('FORBIDDEN');
  });
});
