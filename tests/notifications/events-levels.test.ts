/**
 * Notifications of events and reputation (issue 15, point 3) through the public API: reminders 24 h
 * and 1 h before each occurrence a member holds a seat for (scheduled with the answer, moved with the
 * occurrence, at the right instant for a recurring event across DST, checked again at their hour),
 * the waitlist promotion, the level reached, and a member muting a post's thread.
 */
import { DEFAULT_RULES, levelOf } from '../../src/modules/reputation/rules';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { addComment, castOf, createPost, dbId, dbQuery, vote } from '../posts/operations';
import { closeAll, errorCode, startTestServer, type TestServer, type TestUser } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  // Jobs looked for every 100 ms (the embedded PGlite's notifications do not reach the workers).
  server = await startTestServer({ JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const NOTIFICATIONS = `{ viewer { notifications(first: 30) { edges { node {
  kind count leadMinutes occurrenceStartsAt level community { slug } event { id title } post { title } latestComment { body }
} } } } }`;

/** `who`'s notifications of `kinds`, newest first. */
async function inbox(who: TestUser, kinds: string[]): Promise<any[]> {
  const data = await must(who, NOTIFICATIONS);
  return data.viewer.notifications.edges.map((e: any) => e.node).filter((n: any) => kinds.includes(n.kind));
}

async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, ms = 10_000): Promise<T> {
  for (const started = Date.now(); ;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The reminder jobs waiting for an RSVP: lead (minutes) → when it runs. */
async function reminderJobs(rsvpId: number): Promise<Record<number, string>> {
  const rows = await dbQuery<{ key: string; run_at: Date | string }>(
    server,
    `select key, run_at from graphile_worker.jobs where task_identifier = 'notifications.eventReminder' and key like ?`,
    [`reminder:${rsvpId}:%`],
  );
  return Object.fromEntries(rows.map((r) => [Number(r.key.split(':')[2]), new Date(r.run_at).toISOString()]));
}

const rsvpIdOf = async (member: TestUser, eventId: string) => {
  const [row] = await dbQuery<{ id: number }>(server, 'select id from rsvps where event_id = ? and user_id = ?', [
    dbId(eventId),
    dbId(member.user.id),
  ]);
  return row.id;
};

async function going(member: TestUser, eventId: string, at?: string) {
  const res = await rsvp(server, member, eventId, 'GOING', at);
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.rsvp;
}

describe('event reminders', () => {
  it('remind a seated member an hour before, once, and schedule no reminder whose hour has passed', async () => {
    const cast = await castOf(server, 2);
    const [organizer, member] = cast.members;
    const startsAt = new Date(Date.now() + 60 * 60_000 + 2_000); // the 1 h reminder is due in 2 s
    const event = await createEvent(server, organizer, cast.community.id, { title: 'Soon', startsAt });
    await going(member, event.id);
    const rsvpId = await rsvpIdOf(member, event.id);
    expect(Object.keys(await reminderJobs(rsvpId))).toEqual(['60']); // a day before has passed: not scheduled
    const [reminder] = await until(
      () => inbox(member, ['EVENT_REMINDER']),
      (x) => x.length > 0,
      'the hour-before reminder',
    );
    expect(reminder).toMatchObject({
      kind: 'EVENT_REMINDER',
      leadMinutes: 60,
      occurrenceStartsAt: startsAt.toISOString(),
      event: { id: event.id, title: 'Soon' },
      community: { slug: cast.community.slug },
    });
    // Run again (a worker killed after its write): still one.
    await dbQuery(
      server,
      `select graphile_worker.add_job('notifications.eventReminder', json_build_object('rsvpId', ?::int, 'lead', 60, 'startsAt', ?::float8))`,
      [rsvpId, startsAt.getTime()],
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inbox(member, ['EVENT_REMINDER'])).toHaveLength(1);
    expect(await inbox(organizer, ['EVENT_REMINDER'])).toEqual([]); // the organizer did not answer
  });

  it('follow the answer and the occurrence: a day before, moved with the event, and nothing for who stopped going', async () => {
    const cast = await castOf(server, 3);
    const [organizer, stays, leaves] = cast.members;
    const startsAt = new Date(Date.now() + 24 * 3600_000 + 2_000); // the day-before reminder is due in 2 s
    const event = await createEvent(server, organizer, cast.community.id, { title: 'Tomorrow', startsAt });
    await going(stays, event.id);
    await going(leaves, event.id);
    const stayId = await rsvpIdOf(stays, event.id);
    expect(await reminderJobs(stayId)).toEqual({
      1440: new Date(startsAt.getTime() - 1440 * 60_000).toISOString(),
      60: new Date(startsAt.getTime() - 60 * 60_000).toISOString(),
    });
    const leaveRes = await rsvp(server, leaves, event.id, 'NOT_GOING');
    expect(leaveRes.body.errors).toBeUndefined();
    const [dayBefore] = await until(
      () => inbox(stays, ['EVENT_REMINDER']),
      (x) => x.length > 0,
      'the day-before one',
    );
    expect(dayBefore).toMatchObject({ leadMinutes: 1440, occurrenceStartsAt: startsAt.toISOString() });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await inbox(leaves, ['EVENT_REMINDER'])).toEqual([]); // its job ran and found them not going

    // The event moves a day later: the waiting hour-before reminder moves with it (replaced, not doubled).
    const moved = new Date(startsAt.getTime() + 24 * 3600_000);
    await must(organizer, 'mutation($input: UpdateEventInput!) { updateEvent(input: $input) { id } }', {
      input: {
        id: event.id,
        startsAt: moved.toISOString(),
        endsAt: new Date(moved.getTime() + 3600_000).toISOString(),
      },
    });
    expect(await reminderJobs(stayId)).toEqual({
      1440: new Date(moved.getTime() - 1440 * 60_000).toISOString(),
      60: new Date(moved.getTime() - 60 * 60_000).toISOString(),
    });
  });

  it('are due at the occurrence instant less 24 h and 1 h for a recurring event across a DST change', async () => {
    const cast = await castOf(server, 2);
    const [organizer, member] = cast.members;
    // Weekly at 10:00 in New York: 15:00Z in winter, 14:00Z once DST starts (14 March 2027).
    const first = new Date('2027-03-08T15:00:00.000Z');
    const event = await createEvent(server, organizer, cast.community.id, {
      title: 'Weekly',
      startsAt: first,
      timeZone: 'America/New_York',
      recurrence: 'FREQ=WEEKLY;COUNT=4',
    });
    const afterDst = '2027-03-15T14:00:00.000Z';
    const answer = await going(member, event.id, afterDst);
    expect(answer.occurrenceStartsAt).toBe(afterDst);
    const [row] = await dbQuery<{ id: number }>(
      server,
      'select id from rsvps where event_id = ? and user_id = ? and occurrence_starts_at = ?',
      [dbId(event.id), dbId(member.user.id), afterDst],
    );
    expect(await reminderJobs(row.id)).toEqual({
      1440: '2027-03-14T14:00:00.000Z', // 24 h before: 10:00 EDT on the 14th, DST having begun that night
      60: '2027-03-15T13:00:00.000Z', // 09:00 in New York that morning
    });
  });

  it('tell a waiting member they got a seat, and schedule their reminders then', async () => {
    const cast = await castOf(server, 3);
    const [organizer, first, second] = cast.members;
    const event = await createEvent(server, organizer, cast.community.id, {
      title: 'One seat',
      capacity: 1,
      startsAt: hoursFromNow(48),
    });
    await going(first, event.id);
    const waiting = await going(second, event.id);
    expect(waiting.waitlisted).toBe(true);
    const secondId = await rsvpIdOf(second, event.id);
    expect(await reminderJobs(secondId)).toEqual({}); // no seat, no reminder
    const freed = await rsvp(server, first, event.id, 'NOT_GOING');
    expect(freed.body.errors).toBeUndefined();
    const [promoted] = await until(
      () => inbox(second, ['WAITLIST_PROMOTED']),
      (x) => x.length > 0,
      'the promotion',
    );
    expect(promoted).toMatchObject({ kind: 'WAITLIST_PROMOTED', event: { id: event.id, title: 'One seat' } });
    expect(Object.keys(await reminderJobs(secondId)).sort()).toEqual(['1440', '60']);
    expect(await inbox(first, ['WAITLIST_PROMOTED'])).toEqual([]);
  });
});

describe('level reached', () => {
  it('tells a member once per level their reputation reaches, as levelOf counts it', async () => {
    const cast = await castOf(server, 3, 'PUBLIC', true); // the default thresholds
    const [author, a, b] = cast.members;
    const post = await createPost(server, author, cast.community.id, { title: 'Worth it' });
    await vote(server, a, post.id, 'UP'); // 10: level 1
    await vote(server, b, post.id, 'UP'); // 20: level 2 (15)
    const [reached] = await until(
      () => inbox(author, ['LEVEL_REACHED']),
      (x) => x.length > 0,
      'level 2',
    );
    expect(reached).toMatchObject({ kind: 'LEVEL_REACHED', level: 2, community: { slug: cast.community.slug } });
    // Falling back under the threshold and climbing again tells nothing new.
    await vote(server, b, post.id, 'NONE');
    await vote(server, b, post.id, 'UP');
    await new Promise((r) => setTimeout(r, 1000));
    expect((await inbox(author, ['LEVEL_REACHED'])).map((n) => n.level)).toEqual([2]);
  });

  it('computes levels in SQL as the server does, with the default thresholds and with a community’s own', async () => {
    const custom = [0, 3, 7, 7, 20];
    for (const thresholds of [null, custom]) {
      const samples = [0, 1, 14, 15, 16, 49, 50, 124, 125, 499, 500, 999, 1000, 2999, 3000, 10_000, 2, 3, 6, 7, 19, 20];
      const rows = await dbQuery<{ r: number; level: number }>(
        server,
        `select r, reputation_level(r, ?::jsonb) as level from unnest(?::int[]) r`,
        [thresholds && JSON.stringify(thresholds), `{${samples.join(',')}}`],
      );
      for (const { r, level } of rows)
        expect([r, level]).toEqual([r, levelOf(r, thresholds ?? DEFAULT_RULES.levelThresholds)]);
    }
  });
});

describe('thread mutes', () => {
  const MUTE =
    'mutation($postId: ID!, $muted: Boolean!) { muteThread(postId: $postId, muted: $muted) { id viewerMutedThread } }';

  it('keep replies and mentions of a muted thread from its member, until unmuted', async () => {
    const cast = await castOf(server, 3);
    const [author, replier, mentioned] = cast.members;
    const post = await createPost(server, author, cast.community.id, { title: 'Busy thread' });
    const muted = await must(author, MUTE, { postId: post.id, muted: true });
    expect(muted.muteThread).toEqual({ id: post.id, viewerMutedThread: true });
    await must(mentioned, MUTE, { postId: post.id, muted: true });
    await addComment(server, replier, post.id, `Muted reply for @${mentioned.user.handle}`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await inbox(author, ['REPLY'])).toEqual([]);
    expect(await inbox(mentioned, ['MENTION'])).toEqual([]);

    const unmuted = await must(author, MUTE, { postId: post.id, muted: false });
    expect(unmuted.muteThread.viewerMutedThread).toBe(false);
    await addComment(server, replier, post.id, 'Heard reply');
    const [reply] = await until(
      () => inbox(author, ['REPLY']),
      (x) => x.length > 0,
      'the reply once unmuted',
    );
    expect(reply).toMatchObject({ count: 1, latestComment: { body: 'Heard reply' } });
    const read = await server.gql(`{ node(id: "${post.id}") { ... on Post { viewerMutedThread } } }`, {}, {});
    expect(read.body.data.node.viewerMutedThread).toBe(false); // signed out
  });

  it('are for members of the post’s community', async () => {
    const cast = await castOf(server, 1);
    const outsider = (await castOf(server, 1)).members[0];
    const post = await createPost(server, cast.members[0], cast.community.id, { title: 'Members only mute' });
    const res = await server.gql(MUTE, { postId: post.id, muted: true }, { token: outsider.token });
    expect(errorCode(res)).toBe('FORBIDDEN');
    const anonymous = await server.gql(MUTE, { postId: post.id, muted: true });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});
