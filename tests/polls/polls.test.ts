/**
 * Polls through the public API: creating them (options, kinds, permissions, attachments), ballots
 * (one per member, changeable until the poll closes, CONFLICT after), closing by hand and by time,
 * anonymity (no path reveals who voted for what, admins included), private communities, results
 * hidden until close, and ranked polls' instant-runoff rounds.
 */
import { graphql } from '../../codegen/index';
import { createEvent, hoursFromNow } from '../events/operations';
import { createPost, dbId, dbQuery } from '../posts/operations';
import { SignUpDocument } from '../support/operations';
import {
  closeAll,
  errorCode,
  grantPlatformAdmin,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import {
  ClosePollDocument,
  CreatePollDocument,
  PollDocument,
  castVote,
  createPoll,
  pollCast,
  voted,
} from './operations';

const NodeOption = graphql(`
  query PollsNodeOption($id: ID!) {
    node(id: $id) {
      id
      ... on PollOption {
        text
        votes
        voters(first: 10) {
          edges {
            node {
              handle
            }
          }
        }
        poll {
          anonymous
        }
      }
    }
  }
`);
const NodePoll = graphql(`
  query PollsNodePoll($id: ID!) {
    node(id: $id) {
      id
      ... on Poll {
        question
      }
    }
  }
`);
const CommunityPolls = graphql(`
  query PollsCommunityPolls($slug: String!, $first: Int, $after: String, $open: Boolean) {
    community(slug: $slug) {
      polls(first: $first, after: $after, open: $open) {
        edges {
          node {
            question
            closed
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);
const Attached = graphql(`
  query PollsAttached($id: ID!) {
    poll(id: $id) {
      post {
        id
      }
      event {
        id
      }
    }
  }
`);
const PostPolls = graphql(`
  query PollsOfPost($id: ID!) {
    post(id: $id) {
      polls(first: 5) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`);
const EventPolls = graphql(`
  query PollsOfEvent($id: ID!) {
    event(id: $id) {
      polls(first: 5) {
        edges {
          node {
            id
          }
        }
      }
    }
  }
`);

const adminEmail = `padmin${Date.now().toString(36)}@example.test`;
let server: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await startTestServer();
  const res = await server.gql(SignUpDocument, {
    input: {
      handle: `padmin${Date.now().toString(36)}`.slice(0, 30),
      email: adminEmail,
      password: 'correct horse battery staple',
    },
  });
  admin = { ...res.body.data!.signUp, password: 'correct horse battery staple' };
  await grantPlatformAdmin(server, admin);
});
afterAll(closeAll);

const field = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) =>
  res.body.errors?.[0]?.extensions?.field;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('creating polls', () => {
  it('lets a member ask a question with 2 to 20 options, single choice by default', async () => {
    const {
      members: [m],
      community,
    } = await pollCast(server, 1);
    const poll = await createPoll(server, m, community.id, {
      question: '  Best season?  ',
      options: ['Spring', 'Summer', 'Autumn', 'Winter'],
    });
    expect(poll).toMatchObject({
      question: 'Best season?',
      kind: 'SINGLE',
      allowMultiple: false,
      anonymous: false,
      closed: false,
      resultsVisible: true,
      totalVoters: 0,
      createdBy: { handle: m.user.handle },
    });
    expect(poll.options.map((o: any) => [o.text, o.position, o.votes])).toEqual([
      ['Spring', 0, 0],
      ['Summer', 1, 0],
      ['Autumn', 2, 0],
      ['Winter', 3, 0],
    ]);
  });

  it('refuses bad input naming the field at fault, and writes nothing', async () => {
    const { owner, community } = await pollCast(server, 0);
    const cases: [Record<string, unknown>, string][] = [
      [{ options: ['Only one'] }, 'options'],
      [{ options: Array.from({ length: 21 }, (_, i) => `o${i}`) }, 'options'],
      [{ options: ['Same', ' same '] }, 'options'],
      [{ options: ['A', '   '] }, 'options'],
      [{ question: '   ' }, 'question'],
      [{ allowMultiple: true, ranked: true }, 'ranked'],
      [{ maxChoices: 2 }, 'maxChoices'],
      [{ allowMultiple: true, maxChoices: 5 }, 'maxChoices'],
      [{ closesAt: new Date(Date.now() - 60_000).toISOString() }, 'closesAt'],
    ];
    for (const [input, at] of cases) {
      const res = await server.gql(
        CreatePollDocument,
        { input: { communityId: community.id, question: 'Q?', options: ['A', 'B'], ...input } },
        { token: owner.token },
      );
      expect([JSON.stringify(input), errorCode(res), field(res)]).toEqual([
        JSON.stringify(input),
        'BAD_USER_INPUT',
        at,
      ]);
    }
    expect(await dbQuery(server, 'select id from polls where community_id = ?', [dbId(community.id)])).toEqual([]);
  });

  it('needs a member of the community (the polls.create privilege)', async () => {
    const { community } = await pollCast(server, 0);
    const outsider = await signUp(server, 'out');
    const input = { communityId: community.id, question: 'Q?', options: ['A', 'B'] };
    expect(errorCode(await server.gql(CreatePollDocument, { input }, { token: outsider.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(CreatePollDocument, { input }))).toBe('UNAUTHENTICATED');
  });

  it('attaches a poll to a post or an event of the same community only', async () => {
    const { owner, community } = await pollCast(server, 0);
    const other = await pollCast(server, 0);
    const post = await createPost(server, owner, community.id);
    const event = await createEvent(server, owner, community.id, { startsAt: hoursFromNow(24) });
    const poll = await createPoll(server, owner, community.id, { postId: post.id, eventId: event.id });
    expect((await server.gql(Attached, { id: poll.id })).body.data!.poll).toEqual({
      post: { id: post.id },
      event: { id: event.id },
    });
    const onPost = await createPoll(server, owner, community.id, { postId: post.id });
    expect(
      (await server.gql(PostPolls, { id: post.id })).body.data!.post!.polls.edges.map((e: any) => e.node.id),
    ).toEqual([onPost.id, poll.id]);
    expect(
      (await server.gql(EventPolls, { id: event.id })).body.data!.event!.polls.edges.map((e: any) => e.node.id),
    ).toEqual([poll.id]);
    const foreign = await createPost(server, other.owner, other.community.id);
    const res = await server.gql(
      CreatePollDocument,
      { input: { communityId: community.id, question: 'Q?', options: ['A', 'B'], postId: foreign.id } },
      { token: owner.token },
    );
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'postId']);
  });

  it("lists a community's polls newest first, a page at a time, open or closed", async () => {
    const { owner, community } = await pollCast(server, 0);
    for (const q of ['first', 'second', 'third']) await createPoll(server, owner, community.id, { question: q });
    const closing = await createPoll(server, owner, community.id, { question: 'fourth' });
    await server.gql(ClosePollDocument, { id: closing.id }, { token: owner.token });
    const page1 = (await server.gql(CommunityPolls, { slug: community.slug, first: 2 })).body.data!.community!.polls;
    expect(page1.edges.map((e: any) => e.node.question)).toEqual(['fourth', 'third']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (
      await server.gql(CommunityPolls, { slug: community.slug, first: 2, after: page1.pageInfo.endCursor })
    ).body.data!.community!.polls;
    expect(page2.edges.map((e: any) => e.node.question)).toEqual(['second', 'first']);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const open = (await server.gql(CommunityPolls, { slug: community.slug, first: 10, open: true })).body.data!
      .community!.polls;
    expect(open.edges.map((e: any) => e.node.question)).toEqual(['third', 'second', 'first']);
    const closed = (await server.gql(CommunityPolls, { slug: community.slug, first: 10, open: false })).body.data!
      .community!.polls;
    expect(closed.edges.map((e: any) => [e.node.question, e.node.closed])).toEqual([['fourth', true]]);
  });
});

describe('ballots', () => {
  it('takes one ballot per member and replaces it when the member votes again', async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id);
    const [red, green, blue] = poll.options.map((o: any) => o.id);
    await voted(server, a, poll.id, [red]);
    const after = await voted(server, b, poll.id, [red]);
    expect(after.totalVoters).toBe(2);
    expect(after.options.map((o: any) => o.votes)).toEqual([2, 0, 0]);
    const changed = await voted(server, a, poll.id, [blue]);
    expect(changed.totalVoters).toBe(2);
    expect(changed.options.map((o: any) => o.votes)).toEqual([1, 0, 1]);
    expect(changed.viewerVote).toEqual([{ id: blue }]);
    expect(await dbQuery(server, 'select count(*)::int as n from ballots where poll_id = ?', [dbId(poll.id)])).toEqual([
      { n: 2 },
    ]);
    void green;
  });

  it('keeps a ballot cast twice the same (regression: the repeat deleted its choices and left the counters)', async () => {
    const {
      owner,
      members: [a],
      community,
    } = await pollCast(server, 1);
    const poll = await createPoll(server, owner, community.id, { allowMultiple: true });
    const [red, , blue] = poll.options.map((o: any) => o.id);
    await voted(server, a, poll.id, [red, blue]);
    const again = await voted(server, a, poll.id, [red, blue]);
    expect([again.totalVoters, again.options.map((o: any) => o.votes), again.viewerVote]).toEqual([
      1,
      [1, 0, 1],
      [{ id: red }, { id: blue }],
    ]);
    expect(
      await dbQuery(
        server,
        'select count(*)::int as n from ballot_choices c join ballots b on b.id = c.ballot_id where b.poll_id = ?',
        [dbId(poll.id)],
      ),
    ).toEqual([{ n: 2 }]);
  });

  it('refuses ballots that do not fit the poll, naming optionIds', async () => {
    const {
      owner,
      members: [a],
      community,
    } = await pollCast(server, 1);
    const single = await createPoll(server, owner, community.id);
    const multi = await createPoll(server, owner, community.id, { allowMultiple: true, maxChoices: 2 });
    const [s0, s1] = single.options.map((o: any) => o.id);
    const [m0, m1, m2] = multi.options.map((o: any) => o.id);
    for (const [pollId, ids] of [
      [single.id, [s0, s1]],
      [single.id, [m0]],
      [multi.id, [m0, m1, m2]],
      [multi.id, [m0, m0]],
      [single.id, []],
      [single.id, [single.id]],
    ] as const) {
      const res = await castVote(server, a, pollId, [...ids]);
      expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'optionIds']);
    }
    const ok = await voted(server, a, multi.id, [m2, m0]);
    expect(ok.options.map((o: any) => o.votes)).toEqual([1, 0, 1]);
    expect(ok.totalVoters).toBe(1);
    expect(
      await dbQuery(server, 'select count(*)::int as n from ballots where poll_id = ?', [dbId(single.id)]),
    ).toEqual([{ n: 0 }]);
  });

  it('needs a member to vote; outsiders are FORBIDDEN, anonymous users UNAUTHENTICATED', async () => {
    const { owner, community } = await pollCast(server, 0);
    const poll = await createPoll(server, owner, community.id);
    const outsider = await signUp(server, 'out');
    expect(errorCode(await castVote(server, outsider, poll.id, [poll.options[0].id]))).toBe('FORBIDDEN');
    expect(
      errorCode(
        await server.gql('mutation($input: CastVoteInput!) { castVote(input: $input) { id } }', {
          input: { pollId: poll.id, optionIds: [poll.options[0].id] },
        }),
      ),
    ).toBe('UNAUTHENTICATED');
  });

  it('lets the creator or a moderator close a poll, then refuses ballots with CONFLICT', async () => {
    const {
      owner,
      moderator,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const byA = await createPoll(server, a, community.id);
    const byOwner = await createPoll(server, owner, community.id);
    await voted(server, b, byA.id, [byA.options[1].id]);
    expect(errorCode(await server.gql(ClosePollDocument, { id: byOwner.id }, { token: a.token }))).toBe('FORBIDDEN');
    const closed = await server.gql(ClosePollDocument, { id: byA.id }, { token: a.token });
    expect(closed.body.data!.closePoll).toMatchObject({
      closed: true,
      totalVoters: 1,
      options: [{ votes: 0 }, { votes: 1 }, { votes: 0 }],
    });
    expect(closed.body.data!.closePoll.closedAt).toBeTruthy();
    expect(
      (await server.gql(ClosePollDocument, { id: byOwner.id }, { token: moderator.token })).body.data!.closePoll.closed,
    ).toBe(true);

    const late = await castVote(server, b, byA.id, [byA.options[0].id]);
    expect([errorCode(late), field(late)]).toEqual(['CONFLICT', 'pollId']);
    expect(late.body.errors![0].message).toMatch(/closed/);
    const again = await server.gql(ClosePollDocument, { id: byA.id }, { token: a.token });
    expect(errorCode(again)).toBe('CONFLICT');
    const poll = (await server.gql(PollDocument, { id: byA.id }, { token: b.token })).body.data!.poll!;
    expect(poll.options.map((o: any) => o.votes)).toEqual([0, 1, 0]);
    expect(poll.viewerVote).toEqual([{ id: byA.options[1].id, text: 'Green' }]);
  });

  it('reads as closed as soon as closesAt passes, and refuses ballots from then on', async () => {
    const {
      owner,
      members: [a],
      community,
    } = await pollCast(server, 1);
    const poll = await createPoll(server, owner, community.id, { closesAt: new Date(Date.now() + 1500).toISOString() });
    expect(poll.closed).toBe(false);
    await voted(server, a, poll.id, [poll.options[0].id]);
    await sleep(1600);
    expect((await server.gql(PollDocument, { id: poll.id })).body.data!.poll!.closed).toBe(true);
    expect(errorCode(await castVote(server, a, poll.id, [poll.options[1].id]))).toBe('CONFLICT');
  });
});

describe('anonymity', () => {
  it('lists the voters of each option of a public poll', async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id);
    await voted(server, a, poll.id, [poll.options[0].id]);
    await voted(server, b, poll.id, [poll.options[2].id]);
    const read = (await server.gql(PollDocument, { id: poll.id })).body.data!.poll!;
    expect(read.options.map((o: any) => o.voters.edges.map((e: any) => e.node.handle))).toEqual([
      [a.user.handle],
      [],
      [b.user.handle],
    ]);
  });

  it('never reveals who voted for what in an anonymous poll, to anyone, admins included', async () => {
    const {
      owner,
      moderator,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id, { anonymous: true });
    await voted(server, a, poll.id, [poll.options[0].id]);
    await voted(server, b, poll.id, [poll.options[1].id]);
    for (const who of [undefined, owner, moderator, admin, a]) {
      const read = (await server.gql(PollDocument, { id: poll.id }, { token: who?.token })).body.data!.poll!;
      expect(read.options.map((o: any) => [o.votes, o.voters])).toEqual([
        [1, null],
        [1, null],
        [0, null],
      ]);
      expect(read.totalVoters).toBe(2);
      // The voter sees their own ballot; nobody else sees anyone's.
      expect(read.viewerVote).toEqual(who === a ? [{ id: poll.options[0].id, text: 'Red' }] : null);
      const option = (await server.gql(NodeOption, { id: poll.options[0].id }, { token: who?.token })).body.data!
        .node as any;
      expect([option.poll.anonymous, option.votes, option.voters]).toEqual([true, 1, null]);
    }
  });
});

describe('visibility', () => {
  it("keeps a private community's polls from non-members on every path", async () => {
    const {
      owner,
      members: [a],
      community,
    } = await pollCast(server, 1, 'PRIVATE');
    const poll = await createPoll(server, owner, community.id);
    const outsider = await signUp(server, 'out');
    for (const who of [undefined, outsider]) {
      expect((await server.gql(PollDocument, { id: poll.id }, { token: who?.token })).body.data!.poll).toBeNull();
      expect((await server.gql(NodePoll, { id: poll.id }, { token: who?.token })).body.data!.node).toBeNull();
      expect(
        (await server.gql(NodeOption, { id: poll.options[0].id }, { token: who?.token })).body.data!.node,
      ).toBeNull();
    }
    expect(errorCode(await castVote(server, outsider, poll.id, [poll.options[0].id]))).toBe('NOT_FOUND');
    expect((await server.gql(NodePoll, { id: poll.id }, { token: a.token })).body.data!.node).toEqual({
      id: poll.id,
      question: 'Which one?',
    });
    expect((await server.gql(NodePoll, { id: poll.id }, { token: admin.token })).body.data!.node).toEqual({
      id: poll.id,
      question: 'Which one?',
    });
  });

  it('hides counts, voters and rounds from everyone until the poll closes, but shows turnout and your own ballot', async () => {
    const {
      owner,
      moderator,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id, { hideResultsUntilClosed: true });
    expect(poll.options.map((o: any) => o.votes)).toEqual([null, null, null]);
    const cast = await voted(server, a, poll.id, [poll.options[2].id]);
    expect(cast.options.map((o: any) => o.votes)).toEqual([null, null, null]);
    expect(cast.viewerVote).toEqual([{ id: poll.options[2].id }]);
    await voted(server, b, poll.id, [poll.options[2].id]);
    for (const who of [undefined, owner, moderator, admin, a]) {
      const read = (await server.gql(PollDocument, { id: poll.id }, { token: who?.token })).body.data!.poll!;
      expect([read.resultsVisible, read.totalVoters, read.options.map((o: any) => [o.votes, o.voters])]).toEqual([
        false,
        2,
        [
          [null, null],
          [null, null],
          [null, null],
        ],
      ]);
    }
    await server.gql(ClosePollDocument, { id: poll.id }, { token: owner.token });
    const read = (await server.gql(PollDocument, { id: poll.id })).body.data!.poll!;
    expect(read.resultsVisible).toBe(true);
    expect(read.options.map((o: any) => [o.votes, o.voters.edges.length])).toEqual([
      [0, 0],
      [0, 0],
      [2, 2],
    ]);
  });
});

describe('ranked choice', () => {
  it('counts first choices as votes and shows the instant-runoff rounds and winner', async () => {
    const { owner, members, community } = await pollCast(server, 9);
    const poll = await createPoll(server, owner, community.id, {
      ranked: true,
      options: ['Alpha', 'Bravo', 'Charlie', 'Delta'],
    });
    const [A, B, C, D] = poll.options.map((o: any) => o.id);
    // First choices: A 4, B 3, C 2, D 0 (9 ballots). Round 1: D out (0). Round 2: C out; its ballots go to B. Round 3: B 5 > 4.5.
    const ballots = [[A], [A, B], [A], [A, C], [B], [B, A], [B], [C, B], [C, D, B]];
    for (const [i, ids] of ballots.entries()) await voted(server, members[i], poll.id, ids);
    const read = (await server.gql(PollDocument, { id: poll.id }, { token: members[8].token })).body.data!.poll!;
    expect(read.options.map((o: any) => o.votes)).toEqual([4, 3, 2, 0]);
    expect(read.viewerVote.map((o: any) => o.text)).toEqual(['Charlie', 'Delta', 'Bravo']);
    expect(
      read.rounds.map((r: any) => [
        r.number,
        r.tallies.map((t: any) => `${t.option.text}:${t.votes}`),
        r.eliminated.map((e: any) => e.text),
        r.exhausted,
      ]),
    ).toEqual([
      [1, ['Alpha:4', 'Bravo:3', 'Charlie:2', 'Delta:0'], ['Delta'], 0],
      [2, ['Alpha:4', 'Bravo:3', 'Charlie:2'], ['Charlie'], 0],
      [3, ['Bravo:5', 'Alpha:4'], [], 0],
    ]);
    expect(read.winner).toEqual({ text: 'Bravo' });
  });

  it('moves first-choice counts when a ranked ballot is reordered', async () => {
    const {
      owner,
      members: [a],
      community,
    } = await pollCast(server, 1);
    const poll = await createPoll(server, owner, community.id, { ranked: true });
    const [r, g, b] = poll.options.map((o: any) => o.id);
    expect((await voted(server, a, poll.id, [r, g, b])).options.map((o: any) => o.votes)).toEqual([1, 0, 0]);
    expect((await voted(server, a, poll.id, [g, r])).options.map((o: any) => o.votes)).toEqual([0, 1, 0]);
  });
});
