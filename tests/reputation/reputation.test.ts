/**
 * Reputation through the public API: the ledger (every change a row, reversals never updates, the
 * same cause never counted twice), the rules and a community's overrides, the daily cap, levels
 * gating privileges in the permission table, badges, and leaderboards (order, ties, periods in the
 * community's time zone).
 */
import { DateTime } from 'luxon';
import { periodsAt } from '../../src/modules/reputation/rules';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll, voted } from '../polls/operations';
import {
  DeletePostDocument,
  addComment,
  castOf,
  createPost,
  dbId,
  dbQuery,
  vote,
  type Cast,
} from '../posts/operations';
import {
  closeAll,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import {
  CheckInDocument,
  DeleteCommentDocument,
  FeatureDocument,
  RebuildDocument,
  history,
  leaderboard,
  ok,
  reputations,
  setRules,
  UpdateRulesDocument,
} from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A cast whose community keeps the default level gates. */
const gatedCast = (members: number) => castOf(server, members, 'PUBLIC', true);

/** Members' reputation by handle, and each one's ledger sum. */
async function ledgerOf(cast: Cast, handle: string) {
  const member = (await reputations(server, cast.community.slug)).get(handle)!;
  const { rows } = await history(server, member.id);
  return { member, rows, sum: rows.reduce((s, r) => s + r.delta, 0) };
}

describe('the ledger', () => {
  it('writes a row per vote, a reversal (never an update) when it is changed or withdrawn, and sums to the reputation', async () => {
    const cast = await castOf(server, 2);
    const [author, voter] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    await vote(server, voter, post.id, 'UP');
    expect((await ledgerOf(cast, author.user.handle)).member.reputation).toBe(10);
    await vote(server, voter, post.id, 'UP'); // the same vote again changes nothing
    await vote(server, voter, post.id, 'DOWN');
    await vote(server, voter, post.id, 'NONE');
    const { member, rows, sum } = await ledgerOf(cast, author.user.handle);
    // Newest first: +2 (reversal of −2), −2 (downvote), −10 (reversal of +10), +10 (upvote).
    expect(rows.map((r) => [r.delta, r.reason, r.reversal])).toEqual([
      [2, 'POST_DOWNVOTED', true],
      [-2, 'POST_DOWNVOTED', false],
      [-10, 'POST_UPVOTED', true],
      [10, 'POST_UPVOTED', false],
    ]);
    expect(rows.every((r) => r.subject?.id === post.id && r.actor === null)).toBe(true); // voters stay anonymous
    expect(member.reputation).toBe(0);
    expect(sum).toBe(0);
    const rowsInDb = await dbQuery(server, 'select count(*)::int as n from reputation_events where user_id = ?', [
      dbId(author.user.id),
    ]);
    expect(rowsInDb[0].n).toBe(4);
  });

  it('refuses in the database a second award of the same cause or a second reversal of the same row', async () => {
    const cast = await castOf(server, 2);
    const [author, voter] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    await vote(server, voter, post.id, 'UP');
    await vote(server, voter, post.id, 'NONE');
    const [award] = await dbQuery(
      server,
      "select * from reputation_events where subject_id = ? and subject_type = 'POST' and reverses_id is null",
      [dbId(post.id)],
    );
    const copy = (reverses: number | null) =>
      dbQuery(
        server,
        `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, reverses_id)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          award.community_id,
          award.user_id,
          award.delta,
          award.reason,
          award.cause,
          award.subject_type,
          award.subject_id,
          reverses,
        ],
      );
    await expect(copy(null)).rejects.toThrow(/reputation_events_cause_unique/);
    await expect(copy(award.id)).rejects.toThrow(/reputation_events_reverses_unique/);
  });

  it('credits featuring (with the moderator as actor), check-ins and a first ballot once, and takes back what deleted content earned (not its penalties)', async () => {
    const cast = await castOf(server, 3);
    const [author, voter, other] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    const comment = await addComment(server, author, post.id);
    await vote(server, voter, post.id, 'UP');
    await vote(server, other, comment.id, 'UP');
    const feature = (featured: boolean) =>
      server.gql(FeatureDocument, { id: comment.id, featured }, { token: cast.moderator.token });
    ok(await feature(true));
    ok(await feature(true)); // already featured: no second award
    ok(await feature(false));
    ok(await feature(true)); // featured again: a new cause, earned again
    let { member, rows } = await ledgerOf(cast, author.user.handle);
    expect(member.reputation).toBe(10 + 5 + 15 - 15 + 15);
    const featuring = rows.filter((r) => r.reason === 'COMMENT_FEATURED');
    expect(featuring.map((r) => r.delta)).toEqual([15, -15, 15]);
    expect(featuring.every((r) => r.actor?.handle === cast.moderator.user.handle)).toBe(true);

    // Deleting the comment takes back its vote and its featuring; deleting the post, its vote.
    ok(await server.gql(DeleteCommentDocument, { id: comment.id }, { token: author.token }));
    expect((await ledgerOf(cast, author.user.handle)).member.reputation).toBe(10);
    // A downvote's penalty stays when the post goes: deleting is not a way to shed downvotes.
    await vote(server, cast.moderator, post.id, 'DOWN');
    ok(await server.gql(DeletePostDocument, { id: post.id }, { token: author.token }));
    ({ member, rows } = await ledgerOf(cast, author.user.handle));
    expect(member.reputation).toBe(-2);
    expect(rows.filter((r) => r.reversal).map((r) => [r.reason, r.delta])).toEqual([
      // Newest first: the post's upvote; the comment's featuring and upvote (reversed in the order earned); the unfeaturing.
      ['POST_UPVOTED', -10],
      ['COMMENT_FEATURED', -15],
      ['COMMENT_UPVOTED', -5],
      ['COMMENT_FEATURED', -15],
    ]);

    // A check-in earns 5 once; a first ballot earns 1, a changed ballot nothing more.
    const event = await createEvent(server, cast.owner, cast.community.id, { startsAt: hoursFromNow(1) });
    expect((await rsvp(server, voter, event.id, 'GOING')).body.errors).toBeUndefined();
    for (let i = 0; i < 2; i++)
      ok(
        await server.gql(
          CheckInDocument,
          { input: { eventId: event.id, userId: voter.user.id } },
          { token: cast.owner.token },
        ),
      );
    const poll = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, voter, poll.id, [poll.options[0].id]);
    await voted(server, voter, poll.id, [poll.options[1].id]);
    const v = await ledgerOf(cast, voter.user.handle);
    expect(v.rows.map((r) => [r.reason, r.delta, r.subject?.__typename])).toEqual([
      ['POLL_VOTE', 1, 'Poll'],
      ['EVENT_CHECK_IN', 5, 'Event'],
    ]);
    expect(v.rows[1].actor?.handle).toBe(cast.owner.user.handle);
    expect(v.member.reputation).toBe(6);
  });

  it('caps points from upvotes per day, counting reversals, and leaves downvotes uncapped', async () => {
    const cast = await castOf(server, 6);
    const [author, ...voters] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 25 });
    const post = await createPost(server, author, cast.community.id);
    for (const v of voters.slice(0, 4)) await vote(server, v, post.id, 'UP');
    let { member, rows } = await ledgerOf(cast, author.user.handle);
    expect(member.reputation).toBe(25); // 10 + 10 + 5, then nothing: no row for the capped votes
    expect(rows.map((r) => r.delta)).toEqual([5, 10, 10]);
    await vote(server, voters[0], post.id, 'NONE'); // −10: 15 earned today, room for 10 more
    await vote(server, voters[4], post.id, 'UP');
    await vote(server, voters[3], post.id, 'DOWN'); // its upvote earned nothing, so nothing to reverse; −2 uncapped
    ({ member, rows } = await ledgerOf(cast, author.user.handle));
    expect(member.reputation).toBe(25 - 10 + 10 - 2);
    expect(rows.reduce((s, r) => s + r.delta, 0)).toBe(member.reputation);
  });
});

describe('rules and levels', () => {
  it('gates downvoting, polls and events on level in the permission table, except for moderators', async () => {
    const cast = await gatedCast(4);
    const [newcomer, author, ...voters] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    const attempt = await server.gql(
      'mutation($input: VoteInput!) { vote(input: $input) { __typename } }',
      { input: { subjectId: post.id, value: 'DOWN' } },
      { token: newcomer.token },
    );
    expect(errorCode(attempt)).toBe('FORBIDDEN');
    expect(attempt.body.errors![0].message).toMatch(/posts\.downvote needs level 2/);
    await expect(createPoll(server, newcomer, cast.community.id)).rejects.toThrow(/FORBIDDEN|level/);
    await vote(server, newcomer, post.id, 'UP'); // upvoting needs no level
    await createPoll(server, cast.moderator, cast.community.id); // moderators have every privilege of their role

    // Two upvotes on a post of the newcomer: 20 reputation, level 2 (15), not 3 (50).
    const own = await createPost(server, newcomer, cast.community.id);
    for (const v of voters) await vote(server, v, own.id, 'UP');
    const me = (await reputations(server, cast.community.slug)).get(newcomer.user.handle)!;
    expect(me).toMatchObject({ reputation: 20, level: 2 });
    await vote(server, newcomer, post.id, 'DOWN');
    await createPoll(server, newcomer, cast.community.id);
    await expect(createEvent(server, newcomer, cast.community.id)).rejects.toThrow(/events\.create needs level 3/);

    // An admin lowers the thresholds: the same reputation is now level 3, and events open.
    await setRules(server, cast.owner, cast.community.id, { levelThresholds: [0, 10, 20, 1000] });
    expect((await reputations(server, cast.community.slug)).get(newcomer.user.handle)).toMatchObject({ level: 3 });
    await createEvent(server, newcomer, cast.community.id);
  });

  it('lets admins override rules within bounds, shows defaults and gates, and refuses others', async () => {
    const cast = await gatedCast(1);
    const update = (as: TestUser, rules: Record<string, unknown>) =>
      server.gql(UpdateRulesDocument, { input: { communityId: cast.community.id, ...rules } }, { token: as.token });
    const rules = ok(await update(cast.owner, { postUpvoted: 7 })).updateReputationRules.reputationRules;
    expect(rules).toMatchObject({
      postUpvoted: 7,
      commentUpvoted: 5,
      downvoted: -2,
      commentFeatured: 15,
      eventCheckIn: 5,
      pollVote: 1,
      dailyVoteCap: 200,
      levelThresholds: [0, 15, 50, 125, 500, 1000, 3000],
    });
    expect(rules.privileges).toEqual(
      expect.arrayContaining([
        { permission: 'posts.downvote', level: 2 },
        { permission: 'polls.create', level: 2 },
        { permission: 'events.create', level: 3 },
      ]),
    );
    expect(ok(await update(cast.owner, { postUpvoted: null })).updateReputationRules.reputationRules.postUpvoted).toBe(
      10,
    );
    expect(errorCode(await update(cast.moderator, { postUpvoted: 1 }))).toBe('FORBIDDEN');
    for (const [field, value] of [
      ['downvoted', 3],
      ['dailyVoteCap', 0],
      ['levelThresholds', [5, 10]],
      ['levelThresholds', [0, 10, 5]],
    ] as const) {
      const res = await update(cast.owner, { [field]: value });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0].extensions!.field).toBe(field);
    }
  });
});

describe('badges', () => {
  it('awards FIRST_POST and GOOD_COMMENT once, automatically, with the time they were earned', async () => {
    const cast = await castOf(server, 11);
    const [author, ...voters] = cast.members;
    const before = Date.now();
    const post = await createPost(server, author, cast.community.id);
    await createPost(server, author, cast.community.id);
    const comment = await addComment(server, author, post.id);
    for (const v of voters.slice(0, 9)) await vote(server, v, comment.id, 'UP');
    let badges = (await reputations(server, cast.community.slug)).get(author.user.handle)!.badges;
    expect(badges.map((b) => b.badge)).toEqual(['FIRST_POST']);
    expect(Date.parse(badges[0].awardedAt)).toBeGreaterThanOrEqual(before - 1000);
    await vote(server, voters[9], comment.id, 'UP'); // the 10th upvote
    await vote(server, voters[9], comment.id, 'NONE');
    await vote(server, voters[9], comment.id, 'UP');
    badges = (await reputations(server, cast.community.slug)).get(author.user.handle)!.badges;
    expect(badges.map((b) => b.badge)).toEqual(['FIRST_POST', 'GOOD_COMMENT']);
    expect(badges[1].name).toBe('Good comment');
  });

  it('awards COMMENTATOR at the 100th comment that is not deleted, and names the member on their ledger rows', async () => {
    const cast = await castOf(server, 2);
    const [writer, voter] = cast.members;
    const post = await createPost(server, voter, cast.community.id);
    const first = await addComment(server, writer, post.id);
    ok(await server.gql(DeleteCommentDocument, { id: first.id }, { token: writer.token }));
    for (let i = 0; i < 99; i++) await addComment(server, writer, post.id, `comment ${i}`);
    const badges = async () =>
      (await reputations(server, cast.community.slug, writer)).get(writer.user.handle)!.badges.map((b) => b.badge);
    expect(await badges()).toEqual([]); // 100 written, one deleted
    const last = await addComment(server, writer, post.id, 'the hundredth');
    expect(await badges()).toEqual(['COMMENTATOR']);

    await vote(server, voter, last.id, 'UP');
    const member = (await reputations(server, cast.community.slug)).get(writer.user.handle)!;
    const rows = ok(
      await server.gql(
        'query($id: ID!) { node(id: $id) { ... on Member { reputationHistory(first: 5) { edges { node { delta member { id user { handle } } } } } } } }',
        { id: member.id },
      ),
    ).node.reputationHistory.edges.map((e: any) => e.node);
    expect(rows).toEqual([{ delta: 5, member: { id: member.id, user: { handle: writer.user.handle } } }]);
  });

  it('awards REGULAR at the fifth check-in, and MONTHLY_TOP_10 when a month has ended (by the hourly job, once)', async () => {
    const cast = await castOf(server, 12);
    const [regular] = cast.members;
    for (let i = 0; i < 5; i++) {
      const event = await createEvent(server, cast.owner, cast.community.id, { startsAt: hoursFromNow(1 + i) });
      expect((await rsvp(server, regular, event.id, 'GOING')).body.errors).toBeUndefined();
      ok(
        await server.gql(
          CheckInDocument,
          { input: { eventId: event.id, userId: regular.user.id } },
          { token: cast.owner.token },
        ),
      );
    }
    expect(
      (await reputations(server, cast.community.slug)).get(regular.user.handle)!.badges.map((b) => b.badge),
    ).toEqual(['REGULAR']);

    // Last month's ledger (written directly, dated in the past): the 10 best with points get the badge.
    const last = periodsAt('UTC').previousMonth.start;
    const cid = dbId(cast.community.id);
    for (const [i, m] of cast.members.entries()) {
      await dbQuery(
        server,
        `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, created_at)
         values (?, ?, ?, 'EVENT_CHECK_IN', ?, 'EVENT', 0, ?)`,
        [cid, dbId(m.user.id), i === 11 ? -1 : 100 - i, `test:${cid}:${i}`, new Date(last.getTime() + 86_400_000)],
      );
    }
    // An hourly run may have swept this month already: open it again for the rows just written.
    await dbQuery(server, 'update communities set top_month_awarded = null where id = ?', [cid]);
    // The hourly job, run twice at once (as by two instances): the month is awarded once.
    const jobs = 'select count(*)::int as n from graphile_worker.jobs where task_identifier = ?';
    for (let i = 0; i < 2; i++) await dbQuery(server, "select graphile_worker.add_job('reputation.monthlyBadges')");
    for (const started = Date.now(); (await dbQuery(server, jobs, ['reputation.monthlyBadges']))[0].n > 0;) {
      if (Date.now() - started > 15_000) throw new Error('the monthly badges jobs did not run');
      await new Promise((r) => setTimeout(r, 100));
    }
    const members = await reputations(server, cast.community.slug, cast.owner); // not this server's cached anonymous answer
    const topped = cast.members.filter((m) =>
      members.get(m.user.handle)!.badges.some((b) => b.badge === 'MONTHLY_TOP_10'),
    );
    expect(topped.map((m) => m.user.handle)).toEqual(cast.members.slice(0, 10).map((m) => m.user.handle));
    const [{ n }] = await dbQuery(
      server,
      "select count(*)::int as n from member_badges where community_id = ? and badge = 'MONTHLY_TOP_10'",
      [cid],
    );
    expect(n).toBe(10);
  });
});

describe('leaderboards', () => {
  it('ranks by score, ties by the older account first with a shared rank, members only', async () => {
    const cast = await castOf(server, 5);
    const [a, b, c, d, e] = cast.members;
    const posts = await Promise.all([a, b, c].map((u) => createPost(server, u, cast.community.id)));
    await vote(server, d, posts[0].id, 'UP');
    await vote(server, e, posts[0].id, 'UP');
    await vote(server, d, posts[2].id, 'UP');
    await vote(server, d, posts[1].id, 'UP');
    const board = await leaderboard(server, cast.community.slug, 'ALL_TIME');
    // On equal scores the older account (lower user id) comes first, and they share rank 2.
    const [older, newer] = dbId(b.user.id) < dbId(c.user.id) ? [b, c] : [c, b];
    expect(board.map((s) => [s.member.user.handle, s.score, s.rank])).toEqual([
      [a.user.handle, 20, 1],
      [older.user.handle, 10, 2],
      [newer.user.handle, 10, 2],
    ]);
    expect(board.every((s) => s.member.reputation === s.score)).toBe(true);
    expect((await leaderboard(server, cast.community.slug, 'ALL_TIME', 1)).map((s) => s.rank)).toEqual([1]);

    // Leaving takes a member off the boards; coming back restores their ledger's score.
    ok(
      await server.gql(
        'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
        { id: cast.community.id },
        { token: a.token },
      ),
    );
    expect((await leaderboard(server, cast.community.slug, 'WEEK')).map((s) => s.member.user.handle)).toEqual([
      older.user.handle,
      newer.user.handle,
    ]);
    await joinCommunity(server, a, cast.community.id);
    expect((await leaderboard(server, cast.community.slug, 'MONTH'))[0]).toMatchObject({
      score: 20,
      rank: 1,
      member: { reputation: 20 },
    });
  });

  it("counts weeks and months in the community's time zone", async () => {
    const zone = 'Pacific/Kiritimati'; // UTC+14: its week starts 14 hours before UTC's
    const cast = await castOf(server, 2);
    ok(
      await server.gql(
        'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { timeZone } }',
        { input: { id: cast.community.id, timeZone: zone } },
        { token: cast.owner.token },
      ),
    );
    const [early, late] = cast.members;
    const weekStart = DateTime.now().setZone(zone).startOf('week').toJSDate();
    const monthStart = DateTime.now().setZone(zone).startOf('month').toJSDate();
    const cid = dbId(cast.community.id);
    const row = (user: TestUser, delta: number, at: Date, n: string) =>
      dbQuery(
        server,
        `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, created_at)
       values (?, ?, ?, 'EVENT_CHECK_IN', ?, 'EVENT', 0, ?)`,
        [cid, dbId(user.user.id), delta, `tz:${cid}:${n}`, at],
      );
    const rows: [TestUser, number, Date][] = [
      [early, 7, new Date(weekStart.getTime() - 60_000)], // the minute before this week began, there
      [late, 3, new Date(Math.min(weekStart.getTime() + 60_000, Date.now() - 1000))],
      [early, 1, new Date(monthStart.getTime() - 60_000)], // the minute before this month began, there
    ];
    for (const [i, [user, delta, at]] of rows.entries()) await row(user, delta, at, String(i));
    await dbQuery(
      server,
      'update members m set reputation = (select coalesce(sum(delta), 0) from reputation_events e where e.community_id = m.community_id and e.user_id = m.user_id) where community_id = ?',
      [cid],
    );
    expect(
      ok(await server.gql(RebuildDocument, { communityId: cast.community.id }, { token: cast.owner.token }))
        .rebuildReputation,
    ).toBe(0);
    const scores = async (period: 'ALL_TIME' | 'MONTH' | 'WEEK') =>
      (await leaderboard(server, cast.community.slug, period)).map((s) => [s.member.user.handle, s.score]);
    /** What a board over [from, now] holds, computed here from the rows: best first. */
    const expected = (from: Date) => {
      const sums = new Map<string, number>();
      for (const [user, delta, at] of rows)
        if (at >= from) sums.set(user.user.handle, (sums.get(user.user.handle) ?? 0) + delta);
      return [...sums].sort((x, y) => y[1] - x[1]);
    };
    expect(await scores('ALL_TIME')).toEqual([
      [early.user.handle, 8],
      [late.user.handle, 3],
    ]);
    expect(await scores('WEEK')).toEqual(expected(weekStart));
    expect(await scores('MONTH')).toEqual(expected(monthStart));
    // The same instants in UTC fall in other windows: the boards are not UTC's.
    expect(expected(weekStart)).not.toEqual(expected(DateTime.now().setZone('UTC').startOf('week').toJSDate()));
  });

  it("keeps a private community's leaderboard from non-members", async () => {
    const cast = await castOf(server, 1, 'PRIVATE');
    const outsider = await signUp(server, 'out');
    const res = await server.gql(
      'query($slug: String!) { community(slug: $slug) { leaderboard(period: ALL_TIME) { score } } }',
      { slug: cast.community.slug },
      { token: outsider.token },
    );
    expect(res.body.data?.community ?? null).toBeNull();
    const member = await server.gql(
      'query($slug: String!) { community(slug: $slug) { leaderboard(period: ALL_TIME) { score } } }',
      { slug: cast.community.slug },
      { token: cast.members[0].token },
    );
    expect(member.body.errors).toBeUndefined();
  });
});
