/**
 * Issue 18, point 2: a channel that restricts reading hides what it holds from everyone below the
 * restriction exactly as a PRIVATE community hides its content from outsiders, on every path: lists
 * (Community.posts, Community.channels, the viewer's feed and personal feeds), `node(id)` and the direct queries,
 * search, subscriptions, and every write on its objects (answered as on objects that do not exist).
 *
 * The schema walk: every node type of the schema either lives in a channel (it has a record in the
 * restricted channel here, IN_CHANNEL) or is named in OUTSIDE_CHANNELS with why; a node type added
 * later fails the first test until it is placed.
 */
import { randomBytes } from 'node:crypto';
import { isObjectType } from 'graphql';
import { toGlobalId, type NodeType } from '../../src/platform/ids';
import { createPoll } from '../polls/operations';
import { addComment, castOf, type Cast } from '../posts/operations';
import { closeAll, errorCode, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';
import { record } from '../support/subscription';
import { createChannel, postIn } from '../channels/operations';

let server: TestServer;
afterAll(closeAll);

/** Node types that are not in a channel, with why. */
const OUTSIDE_CHANNELS: Record<string, string> = {
  User: 'a person, in no community',
  Community: 'holds the channels',
  Member: "a membership of the community, which the community's readers see",
  JoinRequest: 'a request to join the community',
  Invite: 'an invitation into the community',
  ApiKey: "the caller's own credential",
  Event: 'events belong to the community, not to a channel',
  Rsvp: 'an answer to an event',
  ChatMessage: "a message of an event's live chat",
  ContestEntry: 'an entry of a contest (an event); its post keeps its own channel check',
  PollOption: 'read through its poll, which is checked',
  InviteLink: 'a link into the community',
  CommunityRule: "the community's rules",
  ModerationItem: "the moderators' queue, for moderators (whose role reads any channel below theirs)",
  Report: "a report, its reporter's and the moderators'",
  ModerationDecision: 'a decision of the moderators',
  ModerationLogEntry: "the moderators' log",
  Appeal: 'an appeal of a decision',
  AutoModRule: "the community's AutoMod rules",
  Notification:
    "the recipient's own; its subject fields are checked (`Notification.post` reads the post as `post(id)`)",
  WebhookEndpoint: "admins' webhooks",
  WebhookDelivery: "admins' webhook deliveries",
  WebhookEvent: "admins' webhook events",
  DataExport: "the caller's own data export",
  Quest: "a quest of the community, whose progress counts the member's own actions",
};

/** The restricted channel's records of each node type that lives in a channel. */
const IN_CHANNEL: Record<string, string> = {};
const MISSING: Record<string, string> = {};

let cast: Cast;
let member: TestUser;
let outsider: TestUser;
/** A word that only the hidden records hold. */
const word = Array.from(randomBytes(12), (b) => String.fromCharCode(97 + (b % 26))).join('');
let visiblePost: { id: string };

beforeAll(async () => {
  server = await startTestServer();
  cast = await castOf(server, 1);
  member = cast.members[0];
  outsider = await signUp(server, 'outsider');
  const staff = await createChannel(server, cast.owner, cast.community.id, { readRole: 'MODERATOR' });
  const post = await postIn(server, cast.owner, cast.community.id, staff.id, `Staff ${word}`);
  const comment = await addComment(server, cast.moderator, post.id, `Noted ${word}`);
  const poll = await createPoll(server, cast.owner, cast.community.id, { postId: post.id, question: `Which ${word}?` });
  visiblePost = await postIn(server, cast.owner, cast.community.id, null, 'For everyone');
  Object.assign(IN_CHANNEL, { Channel: staff.id, Post: post.id, Comment: comment.id, Poll: poll.id });
  for (const type of Object.keys(IN_CHANNEL)) MISSING[type] = toGlobalId(type as NodeType, 2 ** 31 - 1);
  MISSING.PollOption = toGlobalId('PollOption', 2 ** 31 - 1);
  IN_CHANNEL.PollOption = poll.options[0].id;
}, 60_000);

/** What a response tells its caller: its data and each error's code and message. */
function told(res: { body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }) {
  return {
    data: res.body.data ?? null,
    errors: (res.body.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message })),
  };
}

/** Writes on the records of the channel, with their variables from a set of ids. */
const WRITES: [string, string, (ids: Record<string, string>) => Record<string, unknown>][] = [
  [
    'addComment',
    'mutation($id: ID!) { addComment(input: { postId: $id, body: "x" }) { id } }',
    (i) => ({ id: i.Post }),
  ],
  [
    'reply',
    'mutation($p: ID!, $c: ID!) { addComment(input: { postId: $p, parentId: $c, body: "x" }) { id } }',
    (i) => ({ p: i.Post, c: i.Comment }),
  ],
  [
    'vote on the post',
    'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }',
    (i) => ({ id: i.Post }),
  ],
  [
    'vote on the comment',
    'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }',
    (i) => ({ id: i.Comment }),
  ],
  [
    'react',
    'mutation($id: ID!) { react(input: { subjectId: $id, emoji: "👍" }) { __typename } }',
    (i) => ({ id: i.Post }),
  ],
  ['muteThread', 'mutation($id: ID!) { muteThread(postId: $id) { id } }', (i) => ({ id: i.Post })],
  [
    'castVote',
    'mutation($p: ID!, $o: ID!) { castVote(input: { pollId: $p, optionIds: [$o] }) { id } }',
    (i) => ({ p: i.Poll, o: i.PollOption }),
  ],
  [
    'setChannelSubscription',
    'mutation($id: ID!) { setChannelSubscription(input: { channelId: $id, state: MUTED }) { id } }',
    (i) => ({ id: i.Channel }),
  ],
  [
    'createPost in the channel',
    'mutation($c: ID!, $ch: ID!) { createPost(input: { communityId: $c, channelId: $ch, title: "t", body: "b" }) { id } }',
    (i) => ({ c: cast.community.id, ch: i.Channel }),
  ],
];

const SUBSCRIPTIONS: [string, string, (ids: Record<string, string>) => Record<string, unknown>][] = [
  ['commentAdded', 'subscription($id: ID!) { commentAdded(postId: $id) { id } }', (i) => ({ id: i.Post })],
  ['pollUpdated', 'subscription($id: ID!) { pollUpdated(pollId: $id) { id } }', (i) => ({ id: i.Poll })],
  [
    'postAdded in the channel',
    'subscription($c: ID!, $ch: ID!) { postAdded(communityId: $c, channelId: $ch) { id } }',
    (i) => ({ c: cast.community.id, ch: i.Channel }),
  ],
];

async function subscriptionOutcome(token: string | undefined, query: string, variables: Record<string, unknown>) {
  const stream = record<unknown>(server.ws({ token }), { query, variables });
  await stream.settled(10_000);
  const errors = [
    ...(Array.isArray(stream.failure) ? stream.failure : []),
    ...stream.results.flatMap((r) => r.errors ?? []),
  ] as { message: string; extensions?: Record<string, unknown> }[];
  return {
    data: stream.results.filter((r) => r.data).length,
    errors: errors.map((e) => ({ code: e.extensions?.code, message: e.message })),
  };
}

it('places every node type of the schema: in a channel (with a record here) or outside channels with a reason', () => {
  const nodeTypes = Object.values(server.app.schema.getTypeMap())
    .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
    .map((t) => t.name);
  expect(nodeTypes.filter((t) => !(t in IN_CHANNEL) && !(t in OUTSIDE_CHANNELS))).toEqual([]);
  expect(Object.keys(OUTSIDE_CHANNELS).filter((t) => !nodeTypes.includes(t))).toEqual([]);
});

describe.each([
  ['an anonymous visitor', () => undefined],
  ['a signed-in non-member', () => outsider],
  ['a member below the restriction', () => member],
] as [string, () => TestUser | undefined][])('to %s, a channel only moderators read', (_who, viewer) => {
  it('answers node(id) and the direct queries with null for every record in it', async () => {
    const token = viewer()?.token;
    for (const type of Object.keys(IN_CHANNEL)) {
      const res = await server.gql('query($id: ID!) { node(id: $id) { id } }', { id: IN_CHANNEL[type] }, { token });
      expect([type, told(res)]).toEqual([type, { data: { node: null }, errors: [] }]);
    }
    const direct = await server.gql(
      'query($p: ID!, $q: ID!) { post(id: $p) { id } poll(id: $q) { id } }',
      { p: IN_CHANNEL.Post, q: IN_CHANNEL.Poll },
      { token },
    );
    expect(told(direct)).toEqual({ data: { post: null, poll: null }, errors: [] });
  });

  it('leaves it out of the community, its channels and feeds, and search', async () => {
    const token = viewer()?.token;
    const res = await server.gql(
      `query($slug: String!) { community(slug: $slug) {
         posts(first: 50) { edges { node { id } } }
         top: posts(first: 50, orderBy: TOP) { edges { node { id } } }
         channels(first: 50) { edges { node { id } } }
         polls(first: 50) { nodes { id } }
       } }`,
      { slug: cast.community.slug },
      { token },
    );
    expect(res.body.errors).toBeUndefined();
    const { posts, top, channels, polls } = res.body.data.community;
    expect(polls.nodes).toEqual([]);
    expect(posts.edges.map((e: any) => e.node.id)).toEqual([visiblePost.id]);
    expect(top.edges.map((e: any) => e.node.id)).toEqual([visiblePost.id]);
    expect(channels.edges.map((e: any) => e.node.id)).not.toContain(IN_CHANNEL.Channel);
    const found = await server.gql(
      'query($q: String!) { search(query: $q, first: 20) { edges { node { __typename } } } }',
      { q: word },
      { token },
    );
    expect(told(found)).toEqual({ data: { search: { edges: [] } }, errors: [] });
    if (token) {
      const feed = await server.gql('query { feed(first: 50) { edges { node { id } } } }', {}, { token });
      expect(feed.body.data.feed.edges.map((e: any) => e.node.id)).not.toContain(IN_CHANNEL.Post);
      for (const mode of ['FOLLOWING', 'FOR_YOU']) {
        const personal = await server.gql(
          'query($m: FeedMode!) { personalFeed(mode: $m, first: 50) { edges { node { post { id } } } } }',
          { m: mode },
          { token },
        );
        expect(personal.body.errors).toBeUndefined();
        expect(personal.body.data.personalFeed.edges.map((e: any) => e.node.post.id)).not.toContain(IN_CHANNEL.Post);
      }
    }
  });

  it('answers every write on its records exactly as on records that do not exist', async () => {
    const who = viewer();
    for (const [name, query, variables] of WRITES) {
      const hidden = await server.gql(query, variables(IN_CHANNEL), { token: who?.token });
      const none = await server.gql(query, variables(MISSING), { token: who?.token });
      expect([name, told(hidden)]).toEqual([name, told(none)]);
      expect([name, errorCode(hidden)]).toEqual([name, expect.stringMatching(/^(NOT_FOUND|UNAUTHENTICATED)$/)]);
    }
  });

  it('refuses every subscription on its records exactly as on records that do not exist', async () => {
    const token = viewer()?.token;
    for (const [name, query, variables] of SUBSCRIPTIONS) {
      const hidden = await subscriptionOutcome(token, query, variables(IN_CHANNEL));
      const none = await subscriptionOutcome(token, query, variables(MISSING));
      expect([name, hidden]).toEqual([name, none]);
      expect([name, hidden.errors.map((e) => e.code)]).toEqual([name, ['NOT_FOUND']]);
    }
  });
});

it('shows everything in it to its moderators, on the same paths', async () => {
  const token = cast.moderator.token;
  for (const type of Object.keys(IN_CHANNEL).filter((t) => t !== 'PollOption')) {
    const res = await server.gql('query($id: ID!) { node(id: $id) { id } }', { id: IN_CHANNEL[type] }, { token });
    expect([type, res.body.data.node]).toEqual([type, { id: IN_CHANNEL[type] }]);
  }
  const polls = await server.gql(
    'query($slug: String!) { community(slug: $slug) { polls(first: 50) { nodes { id } } } }',
    {
      slug: cast.community.slug,
    },
    { token },
  );
  expect(polls.body.data.community.polls.nodes).toEqual([{ id: IN_CHANNEL.Poll }]);
  const found = await server.gql(
    'query($q: String!) { search(query: $q, first: 20) { edges { node { __typename } } } }',
    { q: word },
    { token },
  );
  expect(new Set(found.body.data.search.edges.map((e: any) => e.node.__typename))).toEqual(
    new Set(['Post', 'Comment', 'Poll']),
  );
  // Its live comments too: a moderator's subscription receives the next comment (no shared anonymous execution).
  const stream = record<any>(server.ws({ token }), {
    query: 'subscription($id: ID!) { commentAdded(postId: $id) { id } }',
    variables: { id: IN_CHANNEL.Post },
  });
  await new Promise((r) => setTimeout(r, 300));
  const added = await addComment(server, cast.owner, IN_CHANNEL.Post, 'Live');
  await stream.until(() => stream.results.length > 0, 'the new comment');
  expect(stream.errorCodes()).toEqual([]);
  expect(stream.results[0].data.commentAdded).toEqual({ id: added.id });
});

it('notifies only those who read the channel of a mention there', async () => {
  const staff = IN_CHANNEL.Channel;
  const post = await postIn(
    server,
    cast.owner,
    cast.community.id,
    staff,
    `Ping @${cast.moderator.user.handle} and @${member.user.handle}`,
  );
  const mentions = async (who: TestUser) => {
    const res = await server.gql(
      '{ viewer { notifications(first: 20) { nodes { kind post { id } } } } }',
      {},
      {
        token: who.token,
      },
    );
    return res.body.data.viewer.notifications.nodes.filter((n: any) => n.kind === 'MENTION');
  };
  const started = Date.now();
  while (!(await mentions(cast.moderator)).length) {
    if (Date.now() - started > 15_000) throw new Error('no mention notification for the moderator');
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await mentions(cast.moderator)).toEqual([{ kind: 'MENTION', post: { id: post.id } }]);
  expect(await mentions(member)).toEqual([]);
});
