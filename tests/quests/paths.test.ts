/**
 * Quests on the paths beside posts, comments and upvotes: chat messages in a live stream (sent and
 * removed), check-ins, poll ballots (a changed ballot counts once), the event and tag filters of a
 * goal, and the QUEST_COMPLETED email.
 */
import { startInbox, tokenIn, type Inbox } from '../email/inbox';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll, voted } from '../polls/operations';
import { addComment, castOf, createPost, type Cast } from '../posts/operations';
import { closeAll, startTestServer, type TestServer, type TestUser } from '../support/server';

jest.setTimeout(120_000);

let server: TestServer;
let mail: Inbox;
beforeAll(async () => {
  mail = await startInbox();
  server = await startTestServer({ SMTP_URL: mail.url, JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

const CREATE = `mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }`;

async function createQuest(cast: Cast, goals: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const data = await must(cast.owner, CREATE, {
    input: {
      communityId: cast.community.id,
      title: 'Busy day',
      description: 'Take part.',
      period: 'DAILY',
      goals,
      rewardPoints: 20,
      ...extra,
    },
  });
  return data.createQuest as { id: string };
}

const PROGRESS = `query($id: ID!) { node(id: $id) { ... on Quest { viewerProgress { completedAt goals { count } } } } }`;

/** The member's counts per goal in the current period, and whether they completed it. */
async function progress(who: TestUser, questId: string): Promise<{ counts: number[]; done: boolean }> {
  const p = (await must(who, PROGRESS, { id: questId })).node.viewerProgress;
  return { counts: p.goals.map((g: any) => g.count), done: p.completedAt !== null };
}

/** A LIVE_STREAM of the community, opened by its owner. */
async function liveStream(cast: Cast) {
  const event = await createEvent(server, cast.owner, cast.community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(0),
  });
  await must(cast.owner, 'mutation($input: OpenLiveStreamInput!) { openLiveStream(input: $input) { live } }', {
    input: { eventId: event.id },
  });
  return event;
}

async function say(who: TestUser, eventId: string, body: string): Promise<string> {
  const data = await must(who, 'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }', {
    input: { eventId, body },
  });
  return data.sendChatMessage.id;
}

describe('quests beside posts and comments', () => {
  it("count chat messages of the goal's event only, and take back a removed one", async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const [counted, other] = [await liveStream(cast), await liveStream(cast)];
    const quest = await createQuest(cast, [{ action: 'CHAT_MESSAGE', target: 3, eventId: counted.id }]);
    const first = await say(a, counted.id, 'one');
    await say(a, counted.id, 'two');
    await say(a, other.id, 'elsewhere');
    expect(await progress(a, quest.id)).toEqual({ counts: [2], done: false });
    // The author removes a message: what it counted is taken back.
    await must(a, 'mutation($input: RemoveChatMessageInput!) { removeChatMessage(input: $input) { __typename } }', {
      input: { id: first },
    });
    expect(await progress(a, quest.id)).toEqual({ counts: [1], done: false });
    await say(a, counted.id, 'three');
    await say(a, counted.id, 'four');
    expect(await progress(a, quest.id)).toEqual({ counts: [3], done: true });
  });

  it("count a first check-in at the goal's event once", async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const [counted, other] = [
      await createEvent(server, cast.owner, cast.community.id, { startsAt: hoursFromNow(1) }),
      await createEvent(server, cast.owner, cast.community.id, { startsAt: hoursFromNow(1) }),
    ];
    for (const e of [counted, other]) expect((await rsvp(server, a, e.id, 'GOING')).body.errors).toBeUndefined();
    const quest = await createQuest(cast, [
      { action: 'RSVP_CHECKED_IN', target: 1, eventId: counted.id },
      { action: 'RSVP_CHECKED_IN', target: 2 },
    ]);
    const CHECK_IN = 'mutation($input: CheckInInput!) { checkIn(input: $input) { checkedInAt } }';
    const checkIn = (by: TestUser, eventId: string) => must(by, CHECK_IN, { input: { eventId, userId: a.user.id } });
    await checkIn(cast.owner, other.id);
    expect(await progress(a, quest.id)).toEqual({ counts: [0, 1], done: false });
    // A second check-in at the same event (by a moderator) counts nothing more.
    await checkIn(cast.moderator, other.id);
    expect(await progress(a, quest.id)).toEqual({ counts: [0, 1], done: false });
    await checkIn(cast.owner, counted.id);
    expect(await progress(a, quest.id)).toEqual({ counts: [1, 2], done: true });
  });

  it('count a ballot once, however often it changes, and ballots of the goal event polls only', async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const event = await createEvent(server, cast.owner, cast.community.id);
    const quest = await createQuest(cast, [
      { action: 'POLL_BALLOT', target: 2 },
      { action: 'POLL_BALLOT', target: 1, eventId: event.id },
    ]);
    const poll = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, a, poll.id, [poll.options[0].id]);
    await voted(server, a, poll.id, [poll.options[1].id]);
    await voted(server, a, poll.id, [poll.options[2].id]);
    expect(await progress(a, quest.id)).toEqual({ counts: [1, 0], done: false });
    const eventPoll = await createPoll(server, cast.owner, cast.community.id, { eventId: event.id });
    await voted(server, a, eventPoll.id, [eventPoll.options[0].id]);
    expect(await progress(a, quest.id)).toEqual({ counts: [2, 1], done: true });
  });

  it("count posts and comments on posts with the goal's tag only", async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const quest = await createQuest(cast, [
      { action: 'POST', target: 1, tag: 'Rust' },
      { action: 'COMMENT', target: 2, tag: 'rust' },
    ]);
    const plain = await createPost(server, a, cast.community.id, { tags: ['go'] });
    await addComment(server, a, plain.id, 'not counted');
    expect(await progress(a, quest.id)).toEqual({ counts: [0, 0], done: false });
    const tagged = await createPost(server, cast.owner, cast.community.id, { tags: ['rust', 'go'] });
    await addComment(server, a, tagged.id, 'counted');
    expect(await progress(a, quest.id)).toEqual({ counts: [0, 1], done: false });
    await createPost(server, a, cast.community.id, { tags: ['rust'] });
    await addComment(server, a, tagged.id, 'counted too');
    expect(await progress(a, quest.id)).toEqual({ counts: [1, 2], done: true });
  });

  it('email the completion, naming the quest, to a member who chose EMAIL for QUEST_COMPLETED', async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const token = tokenIn(await mail.next(a.user.email, /Confirm your email/));
    await must(a, 'mutation($token: String!) { verifyEmail(token: $token) { id } }', { token });
    await must(
      a,
      'mutation($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { kind } }',
      { input: { preferences: [{ kind: 'QUEST_COMPLETED', channel: 'EMAIL' }] } },
    );
    const post = await createPost(server, cast.owner, cast.community.id);
    await createQuest(cast, [{ action: 'COMMENT', target: 1 }], { title: 'Say <hi> & more' });
    await addComment(server, a, post.id, 'hi');
    const message = await mail.next(a.user.email, /quest/);
    expect(message.subject).toBe('You completed the quest "Say <hi> & more" in Test community');
    expect(message.text).toContain('You completed the quest "Say <hi> & more" in Test community.');
    expect(message.html).toContain('&quot;Say &lt;hi&gt; &amp; more&quot;');
  });
});

describe('quest badges', () => {
  const BADGES = `query($slug: String!) { community(slug: $slug) { members(first: 20) { nodes { user { id }
    badges { badge name quest { id } } } } } }`;

  async function badges(cast: Cast, who: TestUser) {
    const data = await must(who, BADGES, { slug: cast.community.slug });
    const member = data.community.members.nodes.find((m: any) => m.user.id === who.user.id);
    return member.badges.filter((b: any) => b.badge === 'QUEST');
  }

  it('award the badge a quest names once per member and quest, with a notification; a revoked completion takes it away', async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const post = await createPost(server, cast.owner, cast.community.id);
    const helper = await createQuest(cast, [{ action: 'COMMENT', target: 1 }], { rewardBadge: ' Helper ' });
    const talker = await createQuest(cast, [{ action: 'COMMENT', target: 2 }], { rewardBadge: 'Talker' });
    await createQuest(cast, [{ action: 'COMMENT', target: 1 }], { title: 'No badge' });
    await addComment(server, a, post.id, 'one');
    expect(await badges(cast, a)).toEqual([{ badge: 'QUEST', name: 'Helper', quest: { id: helper.id } }]);
    await addComment(server, a, post.id, 'two');
    expect(await badges(cast, a)).toEqual([
      { badge: 'QUEST', name: 'Helper', quest: { id: helper.id } },
      { badge: 'QUEST', name: 'Talker', quest: { id: talker.id } },
    ]);
    // The BADGE_AWARDED notification names it.
    for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 100))) {
      const data = await must(a, '{ viewer { notifications(first: 20) { nodes { kind badge { name } } } } }');
      const names = data.viewer.notifications.nodes.filter((n: any) => n.kind === 'BADGE_AWARDED');
      if (names.length === 2) {
        expect(names.map((n: any) => n.badge.name).sort()).toEqual(['Helper', 'Talker']);
        break;
      }
      if (Date.now() - started > 10_000) throw new Error('no BADGE_AWARDED notifications');
    }
    // A moderator revokes the completion: its badge goes, the other stays.
    const { periodStart } = (
      await must(a, `query($id: ID!) { node(id: $id) { ... on Quest { viewerProgress { periodStart } } } }`, {
        id: helper.id,
      })
    ).node.viewerProgress;
    await must(
      cast.moderator,
      'mutation($input: RemoveQuestCompletionInput!) { removeQuestCompletion(input: $input) { revokedAt } }',
      { input: { questId: helper.id, userId: a.user.id, periodStart } },
    );
    expect(await badges(cast, a)).toEqual([{ badge: 'QUEST', name: 'Talker', quest: { id: talker.id } }]);
  });
});

describe('editing goals', () => {
  const UPDATE = `mutation($input: UpdateQuestInput!) { updateQuest(input: $input) { goals { action target tag } } }`;

  it('replaces the goals of a quest not started yet, and refuses once it has started', async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    const post = await createPost(server, cast.owner, cast.community.id, { tags: ['rust'] });
    const later = await createQuest(cast, [{ action: 'POST', target: 3 }], {
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const goals = [
      { action: 'COMMENT', target: 2, tag: 'Rust' },
      { action: 'UPVOTE_RECEIVED', target: 1 },
    ];
    expect((await must(cast.owner, UPDATE, { input: { id: later.id, goals } })).updateQuest.goals).toEqual([
      { action: 'COMMENT', target: 2, tag: 'rust' },
      { action: 'UPVOTE_RECEIVED', target: 1, tag: null },
    ]);
    const started = await createQuest(cast, [{ action: 'COMMENT', target: 3 }]);
    await addComment(server, a, post.id, 'counted');
    const refused = await server.gql(
      UPDATE,
      { input: { id: started.id, goals: [{ action: 'COMMENT', target: 1 }] } },
      { token: cast.owner.token },
    );
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'goals' });
    expect(await progress(a, started.id)).toEqual({ counts: [1], done: false });
    // A member may not change them.
    const member = await server.gql(UPDATE, { input: { id: later.id, goals } }, { token: a.token });
    expect(member.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
