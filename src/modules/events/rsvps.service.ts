import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import type { Context } from '../../platform/context';
import { award, settle } from '../reputation/ledger';
import { QuestAction } from '../quests/quests.entity';
import { recordQuests } from '../quests/quests.record';
import { ReputationReason, ReputationSubjectType } from '../reputation/reputation.entity';
import { awardIf, Badge } from '../reputation/badges';
import { BadInput } from '../../platform/errors';
import { actorIn } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { authorize } from '../communities/policies';
import { requireUser } from '../identity/identity.service';
import { Rsvp, RsvpStatus } from './events.entity';
import { EVENT_LIMITS } from './events.inputs';
import { occurrenceOf, primeEventForWrite, readableEvent } from './events.service';

/**
 * Gives free seats of an event's occurrences (one, or every one with a waitlist) to the waitlist,
 * first arrived first (the SQL function `rsvp_fill_seats`, see Migration20261205021500). Runs in the
 * caller's transaction, which holds the event's row lock.
 * @param capacity seats per occurrence; null for no limit (everyone waiting gets a seat)
 */
export async function fillSeats(
  tx: EntityManager,
  eventId: number,
  capacity: number | null,
  occurrenceStartsAt?: Date,
): Promise<void> {
  const occurrences: Date[] = occurrenceStartsAt
    ? [occurrenceStartsAt]
    : (
        await sql<{ at: number }[]>(
          tx,
          `select distinct (extract(epoch from occurrence_starts_at) * 1000)::float8 as at
           from rsvps where event_id = ? and arrival is not null and not seated`,
          [eventId],
        )
      ).map((r) => new Date(r.at));
  for (const at of occurrences) await sql(tx, 'select rsvp_fill_seats(?, ?, ?)', [eventId, capacity, at], 'run');
}

/**
 * A member leaving (or banned from) a community gives up their places in its occurrences still to
 * end: those RSVPs are removed and freed seats go to the waitlists, in the caller's transaction.
 * The events' rows are locked first (in id order), as `setRsvp` does, so seats are never double-counted.
 */
export async function releaseMemberRsvps(tx: EntityManager, communityId: number, userId: number): Promise<void> {
  const events = await sql<{ id: number; capacity: number | null }[]>(
    tx,
    `select e.id, e.capacity from events e
      where e.community_id = ? and exists (select 1 from rsvps r where r.event_id = e.id and r.user_id = ?)
      order by e.id for update`,
    [communityId, userId],
  );
  for (const event of events) {
    const released = await sql<{ at: number; seated: boolean }[]>(
      tx,
      `delete from rsvps r using events e
        where e.id = r.event_id and r.event_id = ? and r.user_id = ? and r.occurrence_starts_at + (e.ends_at - e.starts_at) > now()
        returning (extract(epoch from r.occurrence_starts_at) * 1000)::float8 as at, r.seated`,
      [event.id, userId],
    );
    for (const r of released) if (r.seated) await fillSeats(tx, event.id, event.capacity, new Date(r.at));
  }
}

/**
 * Records the viewer's answer to an occurrence (a member's, `events.rsvp`): one row per member and
 * occurrence (unique in the database), changed in place. GOING takes a free seat or joins the end
 * of the waitlist; giving up a seat hands it to the first on the waitlist in the same transaction.
 * Everything happens under the event's row lock, so concurrent answers never exceed the capacity
 * and arrivals are numbered in the order they are served. Repeating one's answer changes nothing
 * (a waiting member keeps their place).
 */
export async function rsvp(
  { em, loaders, viewer }: Context,
  input: { eventId: number; status: RsvpStatus; occurrenceStartsAt?: Date | null },
): Promise<Rsvp> {
  const { eventId, status, occurrenceStartsAt } = input;
  const userId = requireUser(viewer);
  await primeEventForWrite(em, loaders, userId, eventId);
  const { event } = await readableEvent(loaders, viewer, eventId);
  assertCan(await actorIn(loaders, viewer, event.community.id), 'events.rsvp');
  if (event.recurrence && !occurrenceStartsAt)
    throw new BadInput('Name the occurrence of a recurring event', 'occurrenceStartsAt');
  const occurrence = occurrenceOf(event, occurrenceStartsAt);
  if (occurrence.endsAt.getTime() <= Date.now()) throw new BadInput('This occurrence is over', 'occurrenceStartsAt');
  // One statement: the SQL function `rsvp_answer` (Migration20261205021500) is the whole transaction.
  const row = await sql<Record<string, unknown> | undefined>(
    em,
    'select * from rsvp_answer(?, ?, ?, ?)',
    [event.id, occurrence.startsAt, userId, status],
    'get',
  );
  if (!row) throw new BadInput('This event is cancelled', 'eventId');
  return em.map(Rsvp, row);
}

/**
 * Checks an attendee in (the organizer, or `events.manage`): only a member holding a seat, from
 * a day before the occurrence starts until a day after it ends. Checking in twice keeps the first time.
 */
export async function checkIn(
  ctx: Context,
  eventId: number,
  attendeeId: number,
  occurrenceStartsAt?: Date | null,
): Promise<Rsvp> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const { event } = await readableEvent(loaders, viewer, eventId);
  await authorize(ctx, 'event.checkIn', event);
  if (event.cancelledAt) throw new BadInput('This event is cancelled', 'eventId');
  if (event.recurrence && !occurrenceStartsAt)
    throw new BadInput('Name the occurrence of a recurring event', 'occurrenceStartsAt');
  const occurrence = occurrenceOf(event, occurrenceStartsAt);
  const now = Date.now();
  if (
    now < occurrence.startsAt.getTime() - EVENT_LIMITS.checkInOpensBeforeMs ||
    now > occurrence.endsAt.getTime() + EVENT_LIMITS.checkInClosesAfterMs
  ) {
    throw new BadInput(
      'Check-in opens a day before the occurrence starts and closes a day after it ends',
      'occurrenceStartsAt',
    );
  }
  const community = (await loaders.community.load(event.community.id))!;
  // The first check-in earns the attendee its points in the same transaction, once per occurrence
  // and member (cause "checkin:<event>:<occurrence>:<user>": not the RSVP's id, which leaving the
  // community and answering again renews). Nothing for a check-in one does or one's own event's.
  const id = await write(ctx, async (tx, after) => {
    const row = await sql<{ id: number; first: boolean } | undefined>(
      tx,
      `with before as (
         select id, checked_in_at from rsvps
          where event_id = ? and occurrence_starts_at = ? and user_id = ? and seated for update)
       update rsvps r set checked_in_at = coalesce(r.checked_in_at, now()) from before b where r.id = b.id
       returning r.id, b.checked_in_at is null as first`,
      [event.id, occurrence.startsAt, attendeeId],
      'get',
    );
    if (!row) throw new BadInput('Only an attendee holding a seat can be checked in', 'userId');
    if (!row.first) return row.id;
    const change = await award(tx, {
      community,
      userId: attendeeId,
      reason: ReputationReason.EVENT_CHECK_IN,
      cause: `checkin:${event.id}:${occurrence.startsAt.getTime()}:${attendeeId}`,
      subjectType: ReputationSubjectType.EVENT,
      subjectId: event.id,
      actorId: userId,
      counterparts: [userId, event.organizer.id],
    });
    await awardIf(tx, Badge.REGULAR, { communityId: community.id, userId: attendeeId });
    // The first check-in counts toward the attendee's quests: one statement when a live goal matches.
    const quests = await recordQuests(tx, community, {
      action: QuestAction.RSVP_CHECKED_IN,
      userId: attendeeId,
      cause: `checkin:${event.id}:${occurrence.startsAt.getTime()}:${attendeeId}`,
      eventId: event.id,
    });
    settle(after, ctx, community, [change, ...quests]);
    return row.id;
  });
  return em.findOneOrFail(Rsvp, id, { refresh: true });
}
