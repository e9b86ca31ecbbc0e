/**
 * Insights (issue 17, point 2) through the public API: a community built through the API with a known
 * pattern over four weeks of August 2026 (times set in SQL afterwards, since the API writes now),
 * the `insights.rollup` job run as its schedule does, and every figure compared with numbers
 * computed by hand below: active members (posts, comments, votes, reactions, RSVPs, chat, ballots),
 * joins and departures (a member who left), posts, comments, interactions and their rate, the
 * median time to a first reply (the author's own comment is no reply), top contributors and tags,
 * an event's GOING RSVPs against check-ins, weekly retention cohorts; by DAY, WEEK and MONTH. The
 * rollup run again (and rebuilt from scratch) gives the same rows. Admins only (FORBIDDEN for a
 * member), platform insights for platform admins only, bounded ranges.
 */
import { dbId, dbQuery } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import {
  closeAll,
  createCommunity,
  errorCode,
  grantPlatformAdmin,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JOB_POLL_MS: '100' });
});
afterAll(closeAll);

/** Runs an operation as `who` and fails loudly on errors (set-up steps). */
async function must(who: TestUser | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who?.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

/** Enqueues the rollup as its schedule does and waits for it. */
async function rollup(payload: Record<string, unknown> = {}): Promise<void> {
  await dbQuery(server, 'select graphile_worker.add_job(?, ?::json)', ['insights.rollup', JSON.stringify(payload)]);
  await jobsSettled(server, 30_000);
}

const post = async (who: TestUser, c: string, title: string, tags: string[]) =>
  (
    await must(
      who,
      'mutation($c: ID!, $t: String!, $g: [String!]!) { createPost(input: { communityId: $c, title: $t, body: "Hello", tags: $g }) { id } }',
      { c, t: title, g: tags },
    )
  ).createPost.id as string;
const comment = async (who: TestUser, postId: string) =>
  (await must(who, 'mutation($p: ID!) { addComment(input: { postId: $p, body: "Reply" }) { id } }', { p: postId }))
    .addComment.id as string;

/** Sets a row's time (the API wrote it now). */
const at = (table: string, column: string, id: number | string, time: string) =>
  dbQuery(server, `update ${table} set ${column} = ?::timestamptz where id = ?`, [time, id]);

const INSIGHTS = `query($s: String!, $f: DateTimeISO!, $t: DateTimeISO!, $i: InsightsInterval!) {
  community(slug: $s) { insights(from: $f, to: $t, interval: $i) {
    from to interval timeZone computedThrough
    series { date activeMembers newMembers departedMembers posts comments interactions interactionRate
             repliedPosts medianSecondsToFirstReply rsvpsGoing checkedIn }
    topContributors { user { handle } posts comments interactions }
    topTags { tag posts }
    events { title startsAt going checkedIn }
    cohorts { week size retention }
  } } }`;

interface World {
  id: string;
  slug: string;
  communityId: number;
  owner: TestUser;
  a: TestUser;
  b: TestUser;
  c: TestUser;
  d: TestUser;
}

/**
 * The fixture, in UTC (the community's time zone). Weeks W1 = Aug 3, W2 = Aug 10, W3 = Aug 17,
 * W4 = Aug 24 (Mondays).
 *   Joins: O (owner) and A on Aug 3, B Aug 4 (W1); C and E Aug 11, D Aug 12 (W2); E leaves Aug 18.
 *   Aug 3:  A posts P1 [news, help] at 10:00, comments on it at 10:30; B comments on P1 at 11:00.
 *   Aug 4:  B posts P2 [help] at 09:00; O comments on P2 at 09:30; B upvotes P1.
 *   Aug 11: C posts P3 [help, events] (never replied to); A reacts to P3; D upvotes P3.
 *   Aug 12: A and B answer GOING, C INTERESTED, to the meetup of Aug 13 18:00; A checked in there.
 *   Aug 18: C chats in a live stream.  Aug 19: D casts a poll ballot.
 *   Aug 25: A posts P4 [news]; D comments on it two hours later.
 */
async function world(): Promise<World> {
  const owner = await signUp(server, 'owner');
  const [a, b, c, d, e] = [
    await signUp(server, 'a'),
    await signUp(server, 'b'),
    await signUp(server, 'c'),
    await signUp(server, 'd'),
    await signUp(server, 'e'),
  ];
  const community = await createCommunity(server, owner, 'PUBLIC');
  for (const u of [a, b, c, d, e]) await joinCommunity(server, u, community.id);
  const cid = dbId(community.id);
  const joined = async (u: TestUser, time: string) =>
    dbQuery(server, 'update members set joined_at = ?::timestamptz where community_id = ? and user_id = ?', [
      time,
      cid,
      dbId(u.user.id),
    ]);
  await joined(owner, '2026-08-03T08:00:00Z');
  await joined(a, '2026-08-03T09:00:00Z');
  await joined(b, '2026-08-04T09:00:00Z');
  await joined(c, '2026-08-11T09:00:00Z');
  await joined(e, '2026-08-11T10:00:00Z');
  await joined(d, '2026-08-12T09:00:00Z');
  await must(e, 'mutation($c: ID!) { endMembership(input: { communityId: $c }) { community { id } } }', {
    c: community.id,
  });
  await dbQuery(
    server,
    `update member_departures set left_at = '2026-08-18T10:00:00Z' where community_id = ? and user_id = ?`,
    [cid, dbId(e.user.id)],
  );

  const p1 = await post(a, community.id, 'P1', ['news', 'help']);
  await at('posts', 'created_at', dbId(p1), '2026-08-03T10:00:00Z');
  await at('comments', 'created_at', dbId(await comment(a, p1)), '2026-08-03T10:30:00Z');
  await at('comments', 'created_at', dbId(await comment(b, p1)), '2026-08-03T11:00:00Z');

  const p2 = await post(b, community.id, 'P2', ['help']);
  await at('posts', 'created_at', dbId(p2), '2026-08-04T09:00:00Z');
  await at('comments', 'created_at', dbId(await comment(owner, p2)), '2026-08-04T09:30:00Z');
  const VOTE = 'mutation($s: ID!) { setVote(input: { subjectId: $s, value: UP }) { __typename } }';
  await must(b, VOTE, { s: p1 });
  await dbQuery(server, `update votes set created_at = '2026-08-04T12:00:00Z' where user_id = ? and post_id = ?`, [
    dbId(b.user.id),
    dbId(p1),
  ]);

  const p3 = await post(c, community.id, 'P3', ['help', 'events']);
  await at('posts', 'created_at', dbId(p3), '2026-08-11T08:00:00Z');
  await must(a, 'mutation($s: ID!) { setReaction(input: { subjectId: $s, emoji: "🎉" }) { __typename } }', { s: p3 });
  await dbQuery(server, `update reactions set created_at = '2026-08-11T09:00:00Z' where user_id = ? and post_id = ?`, [
    dbId(a.user.id),
    dbId(p3),
  ]);
  await must(d, VOTE, { s: p3 });
  await dbQuery(server, `update votes set created_at = '2026-08-11T10:00:00Z' where user_id = ? and post_id = ?`, [
    dbId(d.user.id),
    dbId(p3),
  ]);

  // The meetup is created for the next hour (check-in opens a day before), then moved to August.
  const soon = new Date(Date.now() + 3_600_000);
  const meetup = (
    await must(
      owner,
      `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!) {
         createEvent(input: { communityId: $c, title: "Meetup", startsAt: $s, endsAt: $e }) { id } }`,
      { c: community.id, s: soon.toISOString(), e: new Date(soon.getTime() + 7_200_000).toISOString() },
    )
  ).createEvent.id as string;
  const RSVP = 'mutation($e: ID!, $s: RsvpStatus!) { setRsvp(input: { eventId: $e, status: $s }) { id } }';
  await must(a, RSVP, { e: meetup, s: 'GOING' });
  await must(b, RSVP, { e: meetup, s: 'GOING' });
  await must(c, RSVP, { e: meetup, s: 'INTERESTED' });
  await must(owner, 'mutation($e: ID!, $u: ID!) { checkInAttendee(input: { eventId: $e, userId: $u }) { id } }', {
    e: meetup,
    u: a.user.id,
  });
  await dbQuery(
    server,
    `update events set starts_at = '2026-08-13T18:00:00Z', ends_at = '2026-08-13T20:00:00Z' where id = ?`,
    [dbId(meetup)],
  );
  await dbQuery(
    server,
    `update rsvps set occurrence_starts_at = '2026-08-13T18:00:00Z', responded_at = '2026-08-12T12:00:00Z',
            checked_in_at = case when checked_in_at is null then null else '2026-08-13T18:05:00Z'::timestamptz end
      where event_id = ?`,
    [dbId(meetup)],
  );

  const stream = (
    await must(
      owner,
      `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!) {
         createEvent(input: { communityId: $c, title: "Stream", kind: LIVE_STREAM, startsAt: $s, endsAt: $e }) { id } }`,
      { c: community.id, s: soon.toISOString(), e: new Date(soon.getTime() + 7_200_000).toISOString() },
    )
  ).createEvent.id as string;
  await must(owner, 'mutation($e: ID!) { openLiveStream(input: { eventId: $e }) { id } }', { e: stream });
  const chat = await must(c, 'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "Hi" }) { id } }', {
    e: stream,
  });
  await at('chat_messages', 'created_at', dbId(chat.sendChatMessage.id), '2026-08-18T19:00:00Z');

  const poll = (
    await must(
      owner,
      'mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Tea?", options: ["Yes", "No"] }) { id options { id } } }',
      { c: community.id },
    )
  ).createPoll;
  await must(d, 'mutation($p: ID!, $o: [ID!]!) { castVote(input: { pollId: $p, optionIds: $o }) { id } }', {
    p: poll.id,
    o: [poll.options[0].id],
  });
  await dbQuery(
    server,
    `update ballots set cast_at = '2026-08-19T10:00:00Z', updated_at = '2026-08-19T10:00:00Z' where poll_id = ?`,
    [dbId(poll.id)],
  );

  const p4 = await post(a, community.id, 'P4', ['news']);
  await at('posts', 'created_at', dbId(p4), '2026-08-25T10:00:00Z');
  await at('comments', 'created_at', dbId(await comment(d, p4)), '2026-08-25T12:00:00Z');

  return { id: community.id, slug: community.slug, communityId: cid, owner, a, b, c, d };
}

const zero = {
  activeMembers: 0,
  newMembers: 0,
  departedMembers: 0,
  posts: 0,
  comments: 0,
  interactions: 0,
  interactionRate: null,
  repliedPosts: 0,
  medianSecondsToFirstReply: null,
  rsvpsGoing: 0,
  checkedIn: 0,
};

async function insights(
  w: World,
  interval: string,
  who: TestUser = w.owner,
  f = '2026-08-03T00:00:00Z',
  t = '2026-09-02T00:00:00Z',
) {
  const data = await must(who, INSIGHTS, { s: w.slug, f, t, i: interval });
  return data.community.insights;
}

/** The community's rollup rows, to compare runs. */
async function rollupRows(communityId: number) {
  return {
    members: await dbQuery(server, 'select * from member_activity_days where community_id = ? order by day, user_id', [
      communityId,
    ]),
    days: await dbQuery(server, 'select * from community_days where community_id = ? order by day', [communityId]),
    tags: await dbQuery(server, 'select * from community_tag_days where community_id = ? order by day, tag', [
      communityId,
    ]),
    replies: await dbQuery(server, 'select * from post_first_replies where community_id = ? order by post_id', [
      communityId,
    ]),
    weeks: await dbQuery(server, 'select * from member_activity_weeks where community_id = ? order by week, user_id', [
      communityId,
    ]),
    months: await dbQuery(
      server,
      'select * from member_activity_months where community_id = ? order by month, user_id',
      [communityId],
    ),
    actives: await dbQuery(server, 'select * from active_member_counts where community_id = ? order by unit, start', [
      communityId,
    ]),
  };
}

/** The whole of the fixture's August, as a MONTH bucket gives it (from Aug 3, the range's start, or Aug 1). */
const AUGUST = {
  activeMembers: 5,
  newMembers: 6,
  departedMembers: 1,
  posts: 4,
  comments: 4,
  interactions: 16,
  interactionRate: 3.2,
  repliedPosts: 3,
  medianSecondsToFirstReply: 3600,
  rsvpsGoing: 2,
  checkedIn: 1,
};

describe('Community.insights', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
    await rollup();
  }, 120_000);

  it('gives every weekly figure as counted by hand', async () => {
    const got = await insights(w, 'WEEK');
    expect(got).toMatchObject({ from: '2026-08-03', to: '2026-09-02', interval: 'WEEK', timeZone: 'UTC' });
    expect(new Date(got.computedThrough).getTime()).toBeGreaterThan(Date.now() - 600_000);
    expect(got.series).toEqual([
      // A, B, O active; O, A, B joined; P1, P2; A's and B's comments on P1, O's on P2; B's vote.
      // First replies: P1 after 3600 s (B; A's own comment is no reply), P2 after 1800 s.
      {
        ...zero,
        date: '2026-08-03',
        activeMembers: 3,
        newMembers: 3,
        posts: 2,
        comments: 3,
        interactions: 6,
        interactionRate: 2,
        repliedPosts: 2,
        medianSecondsToFirstReply: 2700,
      },
      // C's post (never replied to), A's reaction, D's vote; A, B, C's RSVPs; C, E, D joined.
      // The meetup of Aug 13: A and B GOING, A checked in.
      {
        ...zero,
        date: '2026-08-10',
        activeMembers: 4,
        newMembers: 3,
        posts: 1,
        interactions: 6,
        interactionRate: 1.5,
        rsvpsGoing: 2,
        checkedIn: 1,
      },
      // C's chat message, D's ballot; E left.
      { ...zero, date: '2026-08-17', activeMembers: 2, departedMembers: 1, interactions: 2, interactionRate: 1 },
      // P4 and D's reply two hours later.
      {
        ...zero,
        date: '2026-08-24',
        activeMembers: 2,
        posts: 1,
        comments: 1,
        interactions: 2,
        interactionRate: 1,
        repliedPosts: 1,
        medianSecondsToFirstReply: 7200,
      },
      { ...zero, date: '2026-08-31' },
    ]);
    expect(got.topContributors).toEqual([
      { user: { handle: w.a.user.handle }, posts: 2, comments: 1, interactions: 5 },
      { user: { handle: w.b.user.handle }, posts: 1, comments: 1, interactions: 4 },
      { user: { handle: w.c.user.handle }, posts: 1, comments: 0, interactions: 3 },
      { user: { handle: w.d.user.handle }, posts: 0, comments: 1, interactions: 3 },
      { user: { handle: w.owner.user.handle }, posts: 0, comments: 1, interactions: 1 },
    ]);
    expect(got.topTags).toEqual([
      { tag: 'help', posts: 3 },
      { tag: 'news', posts: 2 },
      { tag: 'events', posts: 1 },
    ]);
    expect(got.events).toEqual([{ title: 'Meetup', startsAt: '2026-08-13T18:00:00.000Z', going: 2, checkedIn: 1 }]);
    // W1 (O, A, B): A and B active in W2, none in W3, A in W4, none after.
    // W2 (C, E, D): C and D active in W3, D in W4, none after (E left).
    expect(got.cohorts).toEqual([
      { week: '2026-08-03', size: 3, retention: [2 / 3, 0, 1 / 3, 0, 0, 0, 0, 0] },
      { week: '2026-08-10', size: 3, retention: [2 / 3, 1 / 3, 0, 0, 0, 0, 0, 0] },
    ]);
  });

  it('gives the daily and monthly series from the same days', async () => {
    const daily = await insights(w, 'DAY');
    expect(daily.series).toHaveLength(30);
    const day = (date: string) => daily.series.find((b: { date: string }) => b.date === date);
    expect(day('2026-08-03')).toEqual({
      ...zero,
      date: '2026-08-03',
      activeMembers: 2,
      newMembers: 2,
      posts: 1,
      comments: 2,
      interactions: 3,
      interactionRate: 1.5,
      repliedPosts: 1,
      medianSecondsToFirstReply: 3600,
    });
    expect(day('2026-08-04')).toEqual({
      ...zero,
      date: '2026-08-04',
      activeMembers: 2,
      newMembers: 1,
      posts: 1,
      comments: 1,
      interactions: 3,
      interactionRate: 1.5,
      repliedPosts: 1,
      medianSecondsToFirstReply: 1800,
    });
    expect(day('2026-08-12')).toEqual({
      ...zero,
      date: '2026-08-12',
      activeMembers: 3,
      newMembers: 1,
      interactions: 3,
      interactionRate: 1,
    });
    expect(day('2026-08-13')).toEqual({ ...zero, date: '2026-08-13', rsvpsGoing: 2, checkedIn: 1 });
    expect(day('2026-08-18')).toEqual({
      ...zero,
      date: '2026-08-18',
      activeMembers: 1,
      departedMembers: 1,
      interactions: 1,
      interactionRate: 1,
    });
    const busy = [
      '2026-08-03',
      '2026-08-04',
      '2026-08-11',
      '2026-08-12',
      '2026-08-13',
      '2026-08-18',
      '2026-08-19',
      '2026-08-25',
    ];
    for (const b of daily.series) if (!busy.includes(b.date)) expect(b).toEqual({ ...zero, date: b.date });

    const monthly = await insights(w, 'MONTH');
    expect(monthly.series).toEqual([
      { ...AUGUST, date: '2026-08-03' },
      { ...zero, date: '2026-09-01' },
    ]);
  });

  it('reads whole months and weeks from their own rollups, as the days give them', async () => {
    const weekly = await insights(w, 'WEEK');
    const august = await insights(w, 'MONTH', w.owner, '2026-08-01T00:00:00Z', '2026-09-01T00:00:00Z');
    expect(august.series).toEqual([{ ...AUGUST, date: '2026-08-01' }]);
    expect(august.topContributors).toEqual(weekly.topContributors);
    // Mid-week to mid-week: the cut weeks are counted from their days (B and O on Aug 4; C, A, D on Aug 11, B on Aug 12).
    const cut = await insights(w, 'WEEK', w.owner, '2026-08-04T00:00:00Z', '2026-08-13T00:00:00Z');
    expect(cut.series.map((b: { date: string; activeMembers: number }) => [b.date, b.activeMembers])).toEqual([
      ['2026-08-04', 2],
      ['2026-08-10', 4],
    ]);
  });

  it('gives the same rows when the rollup runs again, and when it rebuilds everything', async () => {
    const first = await rollupRows(w.communityId);
    expect(first.days).toHaveLength(7);
    // A row per member and week active: as many as the weekly series counts (3, 4, 2 and 2 by hand).
    const weekly = await insights(w, 'WEEK');
    expect(first.weeks).toHaveLength(
      weekly.series.reduce((n: number, b: { activeMembers: number }) => n + b.activeMembers, 0),
    );
    expect(first.weeks).toHaveLength(11);
    await rollup();
    expect(await rollupRows(w.communityId)).toEqual(first);
    await rollup({ rebuild: true });
    expect(await rollupRows(w.communityId)).toEqual(first);
  }, 60_000);

  it('counts what happens after a run at the next run', async () => {
    const before = await insights(w, 'MONTH');
    const p5 = await post(w.b, w.id, 'P5', ['news']);
    await at('posts', 'created_at', dbId(p5), '2026-08-26T10:00:00Z');
    await rollup();
    const after = await insights(w, 'MONTH');
    expect(after.series[0].posts).toBe(before.series[0].posts + 1);
    expect(after.topTags[1]).toEqual({ tag: 'news', posts: 3 });
  }, 60_000);

  it('reads the week and month the range ends in whole from their rollups when it ends after today, as the day rows give them', async () => {
    // Activity now, in a community of its own (UTC): the owner posts, A comments twice, B once.
    const [owner, a, b] = [await signUp(server, 'now-o'), await signUp(server, 'now-a'), await signUp(server, 'now-b')];
    const community = await createCommunity(server, owner, 'PUBLIC');
    for (const u of [a, b]) await joinCommunity(server, u, community.id);
    const p = await post(owner, community.id, 'Today', ['today']);
    await comment(a, p);
    await comment(a, p);
    await comment(b, p);
    await rollup();
    const day = 86_400_000;
    const tomorrow = new Date(Date.now() + day).toISOString().slice(0, 10) + 'T00:00:00Z';
    const today = new Date().toISOString().slice(0, 10) + 'T00:00:00Z';
    const read = async (f: string, interval: string) =>
      (await must(owner, INSIGHTS, { s: community.slug, f, t: tomorrow, i: interval })).community.insights;
    // Today alone: one whole day, counted from its day rows.
    const justToday = await read(today, 'DAY');
    expect(justToday.series).toEqual([expect.objectContaining({ activeMembers: 3, posts: 1, comments: 3 })]);
    expect(justToday.topContributors.map((c: any) => [c.user.handle, c.interactions])).toEqual([
      [a.user.handle, 2],
      [owner.user.handle, 1],
      [b.user.handle, 1],
    ]);
    // Forty days to tomorrow: the current week and month are cut by the range's end, and read whole.
    const since = new Date(Date.now() - 40 * day).toISOString();
    for (const interval of ['WEEK', 'MONTH']) {
      const long = await read(since, interval);
      expect(long.series.at(-1)).toEqual({ ...justToday.series[0], date: long.series.at(-1).date });
      expect(long.series.slice(0, -1).every((bucket: any) => bucket.activeMembers === 0)).toBe(true);
      expect(long.topContributors).toEqual(justToday.topContributors);
    }
  }, 60_000);

  it('is for admins only', async () => {
    const res = await server.gql(
      INSIGHTS,
      { s: w.slug, f: '2026-08-03T00:00:00Z', t: '2026-09-02T00:00:00Z', i: 'WEEK' },
      { token: w.a.token },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    const anonymous = await server.gql(INSIGHTS, {
      s: w.slug,
      f: '2026-08-03T00:00:00Z',
      t: '2026-09-02T00:00:00Z',
      i: 'WEEK',
    });
    expect(['FORBIDDEN', 'UNAUTHENTICATED']).toContain(errorCode(anonymous));
  });

  it('bounds the range', async () => {
    const ask = (f: string, t: string, i: string) =>
      server.gql(INSIGHTS, { s: w.slug, f, t, i }, { token: w.owner.token });
    expect(errorCode(await ask('2026-08-03T00:00:00Z', '2026-08-03T12:00:00Z', 'DAY'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ask('2026-09-03T00:00:00Z', '2026-08-03T00:00:00Z', 'DAY'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ask('2025-01-01T00:00:00Z', '2026-01-03T00:00:00Z', 'DAY'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await ask('2025-01-01T00:00:00Z', '2026-01-03T00:00:00Z', 'WEEK'))).toBeUndefined();
    expect(errorCode(await ask('2010-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'MONTH'))).toBe('BAD_USER_INPUT');
  });
});

describe('platformInsights', () => {
  const PLATFORM = `query($f: DateTimeISO!, $t: DateTimeISO!) { platformInsights(from: $f, to: $t, interval: MONTH) {
    timeZone series { date activeMembers posts } topTags { tag posts } } }`;
  const vars = { f: '2026-08-03T00:00:00Z', t: '2026-09-02T00:00:00Z' };

  it('is for platform admins, and counts every community', async () => {
    const member = await signUp(server, 'plain');
    expect(errorCode(await server.gql(PLATFORM, vars, { token: member.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(PLATFORM, vars))).toBe('UNAUTHENTICATED');
    const admin = await signUp(server, 'admin');
    await grantPlatformAdmin(server, admin);
    const w = await world();
    await rollup();
    const got = (await must(admin, PLATFORM, vars)).platformInsights;
    expect(got.timeZone).toBe('UTC');
    const community = await insights(w, 'MONTH');
    expect(got.series[0].activeMembers).toBeGreaterThanOrEqual(community.series[0].activeMembers);
    expect(got.series[0].posts).toBeGreaterThanOrEqual(community.series[0].posts);
  }, 120_000);
});
