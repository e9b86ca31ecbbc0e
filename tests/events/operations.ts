import { graphql } from '../../codegen/index';
import type { TestServer, TestUser } from '../support/server';

/**
 * Typed documents and set-up steps shared by the events tests (tests/events/*.test.ts).
 * Operation names start with `Events` so they never clash with other files' documents in codegen.
 */

export const CreateEventDocument = graphql(`
  mutation EventsCreateEvent($input: CreateEventInput!) {
    createEvent(input: $input) {
      id
      kind
      title
      startsAt
      endsAt
      timeZone
      capacity
      recurrence
      location
      onlineUrl
      cancelledAt
      organizer {
        handle
      }
    }
  }
`);

export const RsvpDocument = graphql(`
  mutation EventsRsvp($input: RsvpInput!) {
    rsvp(input: $input) {
      id
      status
      waitlisted
      waitlistPosition
      occurrenceStartsAt
      checkedInAt
      user {
        id
        handle
      }
    }
  }
`);

export const EventSeatsDocument = graphql(`
  query EventsEventSeats($id: ID!, $at: DateTimeISO) {
    event(id: $id) {
      id
      goingCount(occurrenceStartsAt: $at)
      waitlistCount(occurrenceStartsAt: $at)
      attendees(occurrenceStartsAt: $at, first: 100) {
        edges {
          node {
            user {
              id
              handle
            }
            checkedInAt
          }
        }
      }
      waitlist(occurrenceStartsAt: $at, first: 100) {
        edges {
          node {
            user {
              id
              handle
            }
            waitlistPosition
          }
        }
      }
    }
  }
`);

/** A start `hours` from now, on a whole minute. */
export function hoursFromNow(hours: number): Date {
  const d = new Date(Date.now() + hours * 3600_000);
  d.setUTCSeconds(0, 0);
  return d;
}

/** Creates an event as `organizer` (a one-hour MEETUP starting in a day unless told); throws with the errors when it fails. */
export async function createEvent(
  server: TestServer,
  organizer: TestUser,
  communityId: string,
  input: Partial<{
    title: string;
    kind: string;
    startsAt: Date;
    endsAt: Date;
    timeZone: string;
    capacity: number;
    recurrence: string;
    location: string;
    onlineUrl: string;
  }> = {},
) {
  const startsAt = input.startsAt ?? hoursFromNow(24);
  const response = await server.gql(
    CreateEventDocument,
    {
      input: {
        communityId,
        title: input.title ?? 'Meetup',
        kind: (input.kind ?? 'MEETUP') as 'MEETUP',
        description: 'Come along.',
        startsAt: startsAt.toISOString(),
        endsAt: (input.endsAt ?? new Date(startsAt.getTime() + 3600_000)).toISOString(),
        timeZone: input.timeZone ?? 'UTC',
        capacity: input.capacity,
        recurrence: input.recurrence,
        location: input.location,
        onlineUrl: input.onlineUrl,
      },
    },
    { token: organizer.token },
  );
  if (response.body.errors) throw new Error(`createEvent failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data!.createEvent;
}

/** Answers an event as `member`; returns the whole response (errors included). */
export function rsvp(
  server: TestServer,
  member: TestUser,
  eventId: string,
  status: 'GOING' | 'INTERESTED' | 'NOT_GOING',
  occurrenceStartsAt?: string,
) {
  return server.gql(RsvpDocument, { input: { eventId, status, occurrenceStartsAt } }, { token: member.token });
}

/** Attendees and waitlist of an occurrence, as handles in order. */
export async function seats(server: TestServer, viewer: TestUser, eventId: string, at?: string) {
  const res = await server.gql(EventSeatsDocument, { id: eventId, at }, { token: viewer.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  const event = res.body.data!.event!;
  return {
    going: event.goingCount,
    waiting: event.waitlistCount,
    attendees: event.attendees.edges.map((e: any) => e.node.user.handle),
    waitlist: event.waitlist.edges.map((e: any) => e.node.user.handle),
    positions: event.waitlist.edges.map((e: any) => e.node.waitlistPosition),
  };
}
