import { graphql } from '../../codegen/index';
import { castOf, dbId, dbQuery } from '../posts/operations';
import {
  closeAll,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { CreateEventDocument, createEvent, hoursFromNow, rsvp, seats } from './operations';

const CommunityEvents = graphql(`
  query EventsCommunityEvents($slug: String!, $upcoming: Boolean!, $first: Int, $after: String) {
    community(slug: $slug) {
      events(upcoming: $upcoming, first: $first, after: $after) {
        edges {
          node {
            id
            title
            cancelledAt
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
const Calendar = graphql(`
  query EventsCalendar($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {
    community(slug: $slug) {
      calendar(from: $from, to: $to, first: $first, after: $after) {
        edges {
          node {
            startsAt
            endsAt
            event {
              title
            }
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
const Occurrences = graphql(`
  query EventsOccurrences($id: ID!) {
    event(id: $id) {
      occurrences(first: 5) {
        edges {
          node {
            startsAt
            endsAt
            goingCount
            viewerRsvp {
              status
            }
          }
        }
      }
    }
  }
`);
const UpdateEvent = graphql(`
  mutation EventsUpdateEvent($input: UpdateEventInput!) {
    updateEvent(input: $input) {
      id
      title
      startsAt
      endsAt
      capacity
    }
  }
`);
const CancelEvent = graphql(`
  mutation EventsCancelEvent($id: ID!) {
    cancelEvent(id: $id) {
      id
      cancelledAt
    }
  }
`);
const CheckIn = graphql(`
  mutation EventsCheckIn($input: CheckInInput!) {
    checkIn(input: $input) {
      id
      checkedInAt
      user {
        handle
      }
    }
  }
`);
const EventById = graphql(`
  query EventsEventById($id: ID!) {
    event(id: $id) {
      id
      title
    }
    node(id: $id) {
      id
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** Members who join the cast's community. */
async function membersOf(communityId: string, n: number, prefix = 'rsvp'): Promise<TestUser[]> {
  const users = await Promise.all(Array.from({ length: n }, (_, i) => signUp(server, `${prefix}${i}`)));
  for (const u of users) await joinCommunity(server, u, communityId);
  return users;
}

describe('creating events', () => {
  it('lets a member create an event and refuses bad schedules with the field at fault', async () => {
    const {
      community,
      members: [member],
    } = await castOf(server, 1);
    const event = await createEvent(server, member, community.id, {
      title: 'Book club',
      timeZone: 'Europe/Paris',
      capacity: 12,
      location: 'Library',
    });
    expect(event).toMatchObject({
      title: 'Book club',
      kind: 'MEETUP',
      timeZone: 'Europe/Paris',
      capacity: 12,
      location: 'Library',
      organizer: { handle: member.user.handle },
    });

    const attempt = async (input: Record<string, unknown>) => {
      const startsAt = hoursFromNow(24);
      const res = await server.gql(
        CreateEventDocument,
        {
          input: {
            communityId: community.id,
            title: 'x',
            description: '',
            kind: 'MEETUP',
            timeZone: 'UTC',
            startsAt: startsAt.toISOString(),
            endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
            ...input,
          },
        },
        { token: member.token },
      );
      return { code: errorCode(res), field: res.body.errors?.[0]?.extensions?.field };
    };
    expect(await attempt({ endsAt: hoursFromNow(1).toISOString(), startsAt: hoursFromNow(2).toISOString() })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'endsAt',
    });
    expect(await attempt({ timeZone: 'Mars/Olympus_Mons' })).toEqual({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    expect(await attempt({ recurrence: 'FREQ=HOURLY' })).toEqual({ code: 'BAD_USER_INPUT', field: 'recurrence' });
    expect(await attempt({ recurrence: 'not a rule' })).toEqual({ code: 'BAD_USER_INPUT', field: 'recurrence' });
    // A series must start on one of its own occurrences: the day after startsAt's weekday is not one.
    const offDay = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'][(hoursFromNow(24).getUTCDay() + 1) % 7];
    expect(await attempt({ recurrence: `FREQ=WEEKLY;BYDAY=${offDay}` })).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'recurrence',
    });
    expect(await attempt({ onlineUrl: 'javascript:alert(1)' })).toEqual({ code: 'BAD_USER_INPUT', field: 'onlineUrl' });
    expect(await attempt({ capacity: 0 })).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(
      await dbQuery(server, 'select count(*)::int as n from events where community_id = ?', [dbId(community.id)]),
    ).toEqual([{ n: 1 }]);
  });

  it('refuses events from non-members', async () => {
    const { community } = await castOf(server, 0);
    const outsider = await signUp(server, 'outsider');
    const res = await server.gql(
      CreateEventDocument,
      {
        input: {
          communityId: community.id,
          title: 'x',
          description: '',
          kind: 'MEETUP',
          timeZone: 'UTC',
          startsAt: hoursFromNow(2).toISOString(),
          endsAt: hoursFromNow(3).toISOString(),
        },
      },
      { token: outsider.token },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it('lists upcoming events by start, leaving out cancelled and finished ones, page by page', async () => {
    const { community, owner } = await castOf(server, 0);
    const later = await createEvent(server, owner, community.id, { title: 'later', startsAt: hoursFromNow(48) });
    const sooner = await createEvent(server, owner, community.id, { title: 'sooner', startsAt: hoursFromNow(24) });
    const past = await createEvent(server, owner, community.id, { title: 'past', startsAt: hoursFromNow(-48) });
    const cancelled = await createEvent(server, owner, community.id, {
      title: 'cancelled',
      startsAt: hoursFromNow(30),
    });
    expect(errorCode(await server.gql(CancelEvent, { id: cancelled.id }, { token: owner.token }))).toBeUndefined();

    const titles = async (upcoming: boolean) => {
      const res = await server.gql(CommunityEvents, { slug: community.slug, upcoming }, { token: owner.token });
      return res.body.data!.community!.events.edges.map((e: any) => e.node.title);
    };
    expect(await titles(true)).toEqual(['sooner', 'later']);
    expect(await titles(false)).toEqual(['past', 'sooner', 'cancelled', 'later']);

    const first = await server.gql(CommunityEvents, { slug: community.slug, upcoming: false, first: 2 });
    const page1 = first.body.data!.community!.events;
    expect(page1.edges.map((e: any) => e.node.id)).toEqual([past.id, sooner.id]);
    const second = await server.gql(CommunityEvents, {
      slug: community.slug,
      upcoming: false,
      first: 2,
      after: page1.pageInfo.endCursor,
    });
    expect(second.body.data!.community!.events.edges.map((e: any) => e.node.id)).toEqual([cancelled.id, later.id]);
  });
});

describe('recurring events', () => {
  it('keeps a weekly Paris meetup at 19:00 local time across the daylight-saving change, in the calendar', async () => {
    const { community, owner } = await castOf(server, 0);
    // Tuesdays at 19:00 in Paris from 10 March 2026 (UTC+1), across 29 March (UTC+2).
    await createEvent(server, owner, community.id, {
      title: 'weekly',
      timeZone: 'Europe/Paris',
      recurrence: 'FREQ=WEEKLY;BYDAY=TU;COUNT=4',
      startsAt: new Date('2026-03-10T18:00:00Z'),
      endsAt: new Date('2026-03-10T20:00:00Z'),
    });
    await createEvent(server, owner, community.id, { title: 'one-off', startsAt: new Date('2026-03-20T12:00:00Z') });
    const res = await server.gql(Calendar, {
      slug: community.slug,
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-30T00:00:00Z',
    });
    const occurrences = res.body.data!.community!.calendar.edges.map((e: any) => [
      e.node.event.title,
      e.node.startsAt,
      e.node.endsAt,
    ]);
    expect(occurrences).toEqual([
      ['weekly', '2026-03-10T18:00:00.000Z', '2026-03-10T20:00:00.000Z'],
      ['weekly', '2026-03-17T18:00:00.000Z', '2026-03-17T20:00:00.000Z'],
      ['one-off', '2026-03-20T12:00:00.000Z', '2026-03-20T13:00:00.000Z'],
      ['weekly', '2026-03-24T18:00:00.000Z', '2026-03-24T20:00:00.000Z'],
      ['weekly', '2026-03-31T17:00:00.000Z', '2026-03-31T19:00:00.000Z'],
    ]);

    // Pages of the calendar continue where they stopped.
    const first = await server.gql(Calendar, {
      slug: community.slug,
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-30T00:00:00Z',
      first: 3,
    });
    const page = first.body.data!.community!.calendar;
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await server.gql(Calendar, {
      slug: community.slug,
      from: '2026-03-01T00:00:00Z',
      to: '2026-04-30T00:00:00Z',
      first: 3,
      after: page.pageInfo.endCursor,
    });
    expect(next.body.data!.community!.calendar.edges.map((e: any) => e.node.startsAt)).toEqual([
      '2026-03-24T18:00:00.000Z',
      '2026-03-31T17:00:00.000Z',
    ]);

    const tooWide = await server.gql(Calendar, {
      slug: community.slug,
      from: '2026-01-01T00:00:00Z',
      to: '2027-06-01T00:00:00Z',
    });
    expect(errorCode(tooWide)).toBe('BAD_USER_INPUT');
  });

  it('takes one RSVP per member per occurrence', async () => {
    const {
      community,
      owner,
      members: [member],
    } = await castOf(server, 1);
    const start = hoursFromNow(24);
    const event = await createEvent(server, owner, community.id, { recurrence: 'FREQ=DAILY;COUNT=5', startsAt: start });
    const second = new Date(start.getTime() + 24 * 3600_000).toISOString();

    const missing = await rsvp(server, member, event.id, 'GOING');
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurrenceStartsAt' });
    const wrong = await rsvp(server, member, event.id, 'GOING', new Date(start.getTime() + 60_000).toISOString());
    expect(wrong.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurrenceStartsAt' });

    expect((await rsvp(server, member, event.id, 'GOING', start.toISOString())).body.data!.rsvp.status).toBe('GOING');
    expect((await rsvp(server, member, event.id, 'INTERESTED', second)).body.data!.rsvp.status).toBe('INTERESTED');
    expect((await rsvp(server, member, event.id, 'NOT_GOING', start.toISOString())).body.data!.rsvp.status).toBe(
      'NOT_GOING',
    );
    const rows = await dbQuery(server, 'select status from rsvps where event_id = ? order by occurrence_starts_at', [
      dbId(event.id),
    ]);
    expect(rows.map((r) => r.status)).toEqual(['NOT_GOING', 'INTERESTED']);

    const listed = await server.gql(Occurrences, { id: event.id }, { token: member.token });
    const nodes = listed.body.data!.event!.occurrences.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.viewerRsvp?.status ?? null)).toEqual(['NOT_GOING', 'INTERESTED', null, null, null]);
  });
});

describe('capacity and waitlist', () => {
  it('seats members up to capacity, waitlists the rest in order, and promotes the first when a seat frees', async () => {
    const { community, owner } = await castOf(server, 0);
    const [a, b, c, d] = await membersOf(community.id, 4);
    const event = await createEvent(server, owner, community.id, { capacity: 2 });
    for (const m of [a, b, c, d]) await rsvp(server, m, event.id, 'GOING');
    expect(await seats(server, owner, event.id)).toEqual({
      going: 2,
      waiting: 2,
      attendees: [a.user.handle, b.user.handle],
      waitlist: [c.user.handle, d.user.handle],
      positions: [1, 2],
    });
    // Saying GOING again keeps one's place.
    expect((await rsvp(server, c, event.id, 'GOING')).body.data!.rsvp).toMatchObject({
      waitlisted: true,
      waitlistPosition: 1,
    });

    await rsvp(server, b, event.id, 'NOT_GOING');
    expect(await seats(server, owner, event.id)).toEqual({
      going: 2,
      waiting: 1,
      attendees: [a.user.handle, c.user.handle],
      waitlist: [d.user.handle],
      positions: [1],
    });
    // More seats go to the waitlist at once.
    const grown = await server.gql(UpdateEvent, { input: { id: event.id, capacity: 5 } }, { token: owner.token });
    expect(grown.body.data!.updateEvent.capacity).toBe(5);
    expect(await seats(server, owner, event.id)).toMatchObject({ going: 3, waiting: 0, waitlist: [] });
  });

  it('never seats more than capacity under concurrent RSVPs, and keeps the waitlist in arrival order', async () => {
    const { community, owner } = await castOf(server, 0);
    const crowd = await membersOf(community.id, 16, 'crowd');
    const event = await createEvent(server, owner, community.id, { capacity: 3 });

    const answers = await Promise.all(crowd.map((m) => rsvp(server, m, event.id, 'GOING')));
    expect(answers.map(errorCode)).toEqual(crowd.map(() => undefined));
    const recount = async () =>
      dbQuery(
        server,
        'select user_id, seated, arrival from rsvps where event_id = ? and arrival is not null order by arrival',
        [dbId(event.id)],
      );
    let rows = await recount();
    expect(rows.map((r) => r.arrival)).toEqual(crowd.map((_, i) => i + 1));
    // The first three to arrive hold the seats; everyone else waits, in arrival order.
    expect(rows.map((r) => r.seated)).toEqual(crowd.map((_, i) => i < 3));
    const byUser = new Map(crowd.map((m) => [dbId(m.user.id), m.user.handle]));
    const listed = await seats(server, owner, event.id);
    expect(listed.attendees).toEqual(rows.slice(0, 3).map((r) => byUser.get(r.user_id)));
    expect(listed.waitlist).toEqual(rows.slice(3).map((r) => byUser.get(r.user_id)));
    expect(listed.positions).toEqual(rows.slice(3).map((_, i) => i + 1));

    // Two attendees leave while the rest change their minds at once: still never more than 3 seats,
    // and the seats that free go to the earliest still waiting.
    const seated = rows.slice(0, 2).map((r) => crowd.find((m) => dbId(m.user.id) === r.user_id)!);
    const waiting = rows.slice(3, 7).map((r) => crowd.find((m) => dbId(m.user.id) === r.user_id)!);
    await Promise.all([
      ...seated.map((m) => rsvp(server, m, event.id, 'NOT_GOING')),
      ...waiting.slice(0, 2).map((m) => rsvp(server, m, event.id, 'INTERESTED')),
    ]);
    rows = await recount();
    expect(rows.filter((r) => r.seated)).toHaveLength(3);
    const stillWaiting = rows.filter((r) => !r.seated).map((r) => r.arrival);
    const seatedArrivals = rows.filter((r) => r.seated).map((r) => r.arrival);
    expect(Math.max(...seatedArrivals)).toBeLessThan(Math.min(...stillWaiting));
  });

  it('gives a seat to the waitlist when its holder leaves the community, or is banned', async () => {
    const { community, owner } = await castOf(server, 0);
    const [a, b, c, d] = await membersOf(community.id, 4);
    const event = await createEvent(server, owner, community.id, { capacity: 2 });
    for (const m of [a, b, c, d]) await rsvp(server, m, event.id, 'GOING');
    await server.gql(
      'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
      { id: community.id },
      { token: a.token },
    );
    expect(await seats(server, owner, event.id)).toMatchObject({
      attendees: [b.user.handle, c.user.handle],
      waitlist: [d.user.handle],
    });
    await server.gql(
      'mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }',
      { input: { communityId: community.id, userId: b.user.id, reason: 'no-show' } },
      { token: owner.token },
    );
    expect(await seats(server, owner, event.id)).toMatchObject({
      going: 2,
      waiting: 0,
      attendees: [c.user.handle, d.user.handle],
    });
  });

  it('keeps one RSVP row when a member answers twice at once', async () => {
    const {
      community,
      owner,
      members: [member],
    } = await castOf(server, 1);
    const event = await createEvent(server, owner, community.id, { capacity: 10 });
    const answers = await Promise.all([
      rsvp(server, member, event.id, 'GOING'),
      rsvp(server, member, event.id, 'GOING'),
    ]);
    expect(answers.map(errorCode)).toEqual([undefined, undefined]);
    expect(await dbQuery(server, 'select count(*)::int as n from rsvps where event_id = ?', [dbId(event.id)])).toEqual([
      { n: 1 },
    ]);
  });
});

describe('check-in and cancelling', () => {
  it('lets the organizer check in attendees with a seat, within a day of the event', async () => {
    const {
      community,
      owner,
      moderator,
      members: [seatedMember, waiting, bystander],
    } = await castOf(server, 3);
    const event = await createEvent(server, owner, community.id, { capacity: 1, startsAt: hoursFromNow(1) });
    await rsvp(server, seatedMember, event.id, 'GOING');
    await rsvp(server, waiting, event.id, 'GOING');
    const checkIn = (as: TestUser, user: TestUser, eventId = event.id) =>
      server.gql(CheckIn, { input: { eventId, userId: user.user.id } }, { token: as.token });

    expect(errorCode(await checkIn(bystander, seatedMember))).toBe('FORBIDDEN');
    expect(errorCode(await checkIn(owner, waiting))).toBe('BAD_USER_INPUT');
    const done = await checkIn(owner, seatedMember);
    expect(done.body.data!.checkIn.checkedInAt).not.toBeNull();
    const again = await checkIn(moderator, seatedMember); // moderators may too; the first time stays
    expect(again.body.data!.checkIn.checkedInAt).toBe(done.body.data!.checkIn.checkedInAt);

    const later = await createEvent(server, owner, community.id, { startsAt: hoursFromNow(24 * 7) });
    await rsvp(server, seatedMember, later.id, 'GOING');
    expect(errorCode(await checkIn(owner, seatedMember, later.id))).toBe('BAD_USER_INPUT');
  });

  it('takes no RSVP for a cancelled event and keeps the ones it had readable', async () => {
    const {
      community,
      owner,
      members: [member, late],
    } = await castOf(server, 2);
    const event = await createEvent(server, owner, community.id, { capacity: 5 });
    await rsvp(server, member, event.id, 'GOING');
    const cancelled = await server.gql(CancelEvent, { id: event.id }, { token: member.token });
    expect(errorCode(cancelled)).toBe('FORBIDDEN');
    expect(
      (await server.gql(CancelEvent, { id: event.id }, { token: owner.token })).body.data!.cancelEvent.cancelledAt,
    ).not.toBeNull();
    expect(errorCode(await rsvp(server, late, event.id, 'GOING'))).toBe('BAD_USER_INPUT');
    expect(await seats(server, owner, event.id)).toMatchObject({ going: 1, attendees: [member.user.handle] });
  });
});

describe('privacy', () => {
  it("hides a private community's events from non-members", async () => {
    const {
      community,
      owner,
      members: [member],
    } = await castOf(server, 1, 'PRIVATE');
    const event = await createEvent(server, owner, community.id);
    const outsider = await signUp(server, 'outsider');
    for (const token of [undefined, outsider.token]) {
      const res = await server.gql(EventById, { id: event.id }, { token });
      expect(res.body.data).toEqual({ event: null, node: null });
      expect(errorCode(await rsvp(server, outsider, event.id, 'GOING'))).toBe('NOT_FOUND');
    }
    const seen = await server.gql(EventById, { id: event.id }, { token: member.token });
    expect(seen.body.data!.event!.id).toBe(event.id);
  });
});
