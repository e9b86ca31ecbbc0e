/**
 * Issue 12, point 9: no reputation from oneself. Nothing one account does alone earns reputation
 * (a ballot in one's own poll, checking oneself in or being checked in at one's own event, a
 * moderator featuring their own comment, a check-in renewed by leaving and rejoining) nor the
 * REGULAR badge (check-ins at one's own events), and every
 * reason that earns points counts toward the one daily cap, so a member with a second account
 * mints at most the cap a day.
 */
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll, voted } from '../polls/operations';
import { addComment, castOf, createPost, vote, type Cast } from '../posts/operations';
import { closeAll, joinCommunity, startTestServer, type TestServer, type TestUser } from '../support/server';
import { CheckInDocument, FeatureDocument, history, ok, reputations, setRules } from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A member's reputation, level and ledger rows ([reason, delta], newest first), as another member reads them. */
async function standing(cast: Cast, who: TestUser) {
  const member = (await reputations(server, cast.community.slug, cast.owner)).get(who.user.handle)!;
  const { rows } = await history(server, member.id, cast.owner);
  return { reputation: member.reputation, level: member.level, rows: rows.map((r) => [r.reason, r.delta]) };
}

/** Checks `attendee` in at an event as `by`; returns when they were checked in. */
async function checkIn(by: TestUser, eventId: string, attendee: TestUser): Promise<string> {
  return ok(await server.gql(CheckInDocument, { input: { eventId, userId: attendee.user.id } }, { token: by.token }))
    .checkIn.checkedInAt;
}

/** An event of `organizer` starting in an hour, with `attendees` holding seats. */
async function eventWith(organizer: TestUser, cast: Cast, attendees: TestUser[]) {
  const event = await createEvent(server, organizer, cast.community.id, { startsAt: hoursFromNow(1) });
  for (const a of attendees) expect((await rsvp(server, a, event.id, 'GOING')).body.errors).toBeUndefined();
  return event;
}

const feature = (cast: Cast, commentId: string) =>
  server.gql(FeatureDocument, { id: commentId, featured: true }, { token: cast.moderator.token });

describe('reputation earned alone', () => {
  it('earns nothing from 35 rounds of creating a poll and voting in it: a member at level 2 stays there', async () => {
    const cast = await castOf(server, 3, 'PUBLIC', true); // the default level gates: polls need level 2 (15)
    const [farmer, v1, v2] = cast.members;
    const post = await createPost(server, farmer, cast.community.id);
    const comment = await addComment(server, farmer, post.id);
    await vote(server, v1, post.id, 'UP');
    await vote(server, v2, comment.id, 'UP');
    expect(await standing(cast, farmer)).toMatchObject({ reputation: 15, level: 2 });

    let poll;
    for (let round = 0; round < 35; round++) {
      poll = await createPoll(server, farmer, cast.community.id);
      expect((await voted(server, farmer, poll.id, [poll.options[round % 3].id])).totalVoters).toBe(1); // the ballot counts
    }
    // Before issue 12: 15 + 35 = 50, level 3.
    expect(await standing(cast, farmer)).toEqual({
      reputation: 15,
      level: 2,
      rows: [
        ['COMMENT_UPVOTED', 5],
        ['POST_UPVOTED', 10],
      ],
    });
    // Someone else's ballot in the same poll still earns its point.
    await voted(server, v1, poll!.id, [poll!.options[0].id]);
    expect((await standing(cast, v1)).rows).toEqual([['POLL_VOTE', 1]]);
  });

  it('earns nothing for checking oneself in, or for being checked in at an event one organizes', async () => {
    const cast = await castOf(server, 2);
    const [organizer, attendee] = cast.members;
    const own = await eventWith(organizer, cast, [organizer, cast.moderator, attendee]);
    expect(await checkIn(organizer, own.id, organizer)).toBeTruthy(); // the organizer checks themself in: recorded, not rewarded
    expect(await checkIn(cast.moderator, own.id, cast.moderator)).toBeTruthy(); // a moderator checks themself in
    const second = await eventWith(organizer, cast, [organizer]);
    expect(await checkIn(cast.moderator, second.id, organizer)).toBeTruthy(); // someone else checks the organizer in at their own event
    await checkIn(organizer, own.id, attendee); // an attendee checked in by the organizer earns as before

    expect((await standing(cast, organizer)).rows).toEqual([]);
    expect((await standing(cast, cast.moderator)).rows).toEqual([]);
    expect(await standing(cast, attendee)).toMatchObject({ reputation: 5, rows: [['EVENT_CHECK_IN', 5]] });
  });

  it('does not make an organizer REGULAR for being checked in at five events of their own', async () => {
    const cast = await castOf(server, 1);
    const [organizer] = cast.members;
    for (let i = 0; i < 5; i++) {
      const event = await createEvent(server, organizer, cast.community.id, { startsAt: hoursFromNow(1 + i) });
      expect((await rsvp(server, organizer, event.id, 'GOING')).body.errors).toBeUndefined();
      await checkIn(i % 2 ? cast.moderator : organizer, event.id, organizer);
    }
    const member = (await reputations(server, cast.community.slug, cast.owner)).get(organizer.user.handle)!;
    expect(member.badges).toEqual([]);
    expect(member.reputation).toBe(0);
  });

  it('earns nothing when a moderator features their own comment (it is featured all the same)', async () => {
    const cast = await castOf(server, 1);
    const [author] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    const mine = await addComment(server, cast.moderator, post.id);
    const theirs = await addComment(server, author, post.id);
    expect(ok(await feature(cast, mine.id)).featureComment.featured).toBe(true);
    expect(ok(await feature(cast, theirs.id)).featureComment.featured).toBe(true);
    expect((await standing(cast, cast.moderator)).rows).toEqual([]);
    expect((await standing(cast, author)).rows).toEqual([['COMMENT_FEATURED', 15]]);
  });

  it('earns a check-in once per occurrence, even after leaving the community, rejoining and answering again', async () => {
    const cast = await castOf(server, 1);
    const [attendee] = cast.members;
    const event = await eventWith(cast.owner, cast, [attendee]);
    await checkIn(cast.owner, event.id, attendee);
    ok(
      await server.gql(
        'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
        { id: cast.community.id },
        { token: attendee.token },
      ),
    );
    await joinCommunity(server, attendee, cast.community.id);
    expect((await rsvp(server, attendee, event.id, 'GOING')).body.errors).toBeUndefined(); // a new RSVP: leaving removed the old one
    await checkIn(cast.owner, event.id, attendee);
    expect(await standing(cast, attendee)).toMatchObject({ reputation: 5, rows: [['EVENT_CHECK_IN', 5]] });
  });
});

describe('the daily cap', () => {
  it('names every reason that earns points as capped, and downvotes as not', async () => {
    const cast = await castOf(server, 0);
    const { community } = ok(
      await server.gql(
        'query($slug: String!) { community(slug: $slug) { reputationRules { cappedReasons } } }',
        { slug: cast.community.slug },
        { token: cast.owner.token },
      ),
    );
    expect([...community.reputationRules.cappedReasons].sort()).toEqual([
      'COMMENT_FEATURED',
      'COMMENT_UPVOTED',
      'EVENT_CHECK_IN',
      'POLL_VOTE',
      'POST_UPVOTED',
    ]);
  });

  it('counts check-ins, ballots and featuring toward the same cap as upvotes', async () => {
    const cast = await castOf(server, 2);
    const [earner, voter] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 10 });
    const event = await eventWith(cast.owner, cast, [earner]);
    await checkIn(cast.owner, event.id, earner); // 5
    const poll = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, earner, poll.id, [poll.options[0].id]); // 1
    const post = await createPost(server, earner, cast.community.id);
    const comment = await addComment(server, earner, post.id);
    ok(await feature(cast, comment.id)); // 15, of which 4 fit
    await vote(server, voter, post.id, 'UP'); // 10, none fit
    // Before issue 12 only upvotes were capped: 5 + 1 + 15 + 10 = 31.
    expect(await standing(cast, earner)).toMatchObject({
      reputation: 10,
      rows: [
        ['COMMENT_FEATURED', 4],
        ['POLL_VOTE', 1],
        ['EVENT_CHECK_IN', 5],
      ],
    });
  });

  it('gives nothing more for check-ins, ballots or featuring once upvotes filled the day, and still takes downvotes', async () => {
    const cast = await castOf(server, 2);
    const [earner, voter] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 10 });
    const post = await createPost(server, earner, cast.community.id);
    const comment = await addComment(server, earner, post.id);
    await vote(server, voter, post.id, 'UP'); // 10: the cap
    ok(await feature(cast, comment.id));
    await checkIn(cast.owner, (await eventWith(cast.owner, cast, [earner])).id, earner);
    const poll = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, earner, poll.id, [poll.options[0].id]);
    await vote(server, cast.moderator, comment.id, 'DOWN'); // −2: penalties are not capped, and make no room
    const later = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, earner, later.id, [later.options[0].id]); // after the penalty: still nothing
    expect(await standing(cast, earner)).toMatchObject({
      reputation: 8,
      rows: [
        ['COMMENT_DOWNVOTED', -2],
        ['POST_UPVOTED', 10],
      ],
    });
  });
});
