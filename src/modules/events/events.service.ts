import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { BadInput, NotFound } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import { decodeCursor, forwardPage, pageRequest, toConnection } from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { readForWrite } from '../communities/communities.loaders';
import { managedFromRow } from '../../platform/by-id-loader';
import { actorIn, assertCanReadContent, canReadContent } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { authorize } from '../communities/policies';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { Event, EventKind } from './events.entity';
import {
  EVENT_LIMITS,
  type CalendarArgs,
  type CreateEventInput,
  type EventsArgs,
  type UpdateEventInput,
} from './events.inputs';
import {
  isOccurrence,
  isValidTimeZone,
  normalizeRecurrence,
  occurrencesAfter,
  occurrencesBetween,
  seriesEnd,
  type Occurrence,
} from './recurrence';
import { fillSeats } from './rsvps.service';
import { chatClosed } from './chat.events';
import { write } from '../../platform/database/write';
import type { Context } from '../../platform/context';

const DAY_MS = 24 * 60 * 60 * 1000;

/** One occurrence of an event: the event, and the occurrence's start and end. */
export interface EventOccurrence extends Occurrence {
  event: Event;
}

export const durationOf = (event: Pick<Event, 'startsAt' | 'endsAt'>) =>
  event.endsAt.getTime() - event.startsAt.getTime();

/**
 * Primes the loaders for a write by the signed-in viewer on an event: the event, its community and
 * the viewer's standing there in one statement (`readForWrite`), for `readableEvent` and `actorIn`
 * to check without a statement each. Checks nothing itself.
 */
export async function primeEventForWrite(em: EntityManager, loaders: Loaders, userId: number, eventId: number) {
  const row = await readForWrite(em, loaders, userId, 'events', eventId);
  if (row) loaders.event.prime(eventId, managedFromRow(em, Event, row));
}

/** An event the viewer may read (its community's content), or NOT_FOUND. */
export async function readableEvent(
  loaders: Loaders,
  viewer: Viewer,
  eventId: number,
): Promise<{ event: Event; community: Community }> {
  const event = await loaders.event.load(eventId);
  const community = event && (await loaders.community.load(event.community.id));
  if (!event || !community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Event');
  return { event, community };
}

/**
 * Expanding a long series costs milliseconds (rrule walks from its first occurrence), and an event's
 * fields ask for the same occurrences many times in a request: remember the answers per event
 * object (entities live for one request).
 */
const remembered = new WeakMap<Event, Map<string, EventOccurrence | null>>();

function remember(event: Event, key: string, compute: () => EventOccurrence | null): EventOccurrence | null {
  let byKey = remembered.get(event);
  if (!byKey) remembered.set(event, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key)!;
}

/**
 * The occurrence a field or an RSVP names: `startsAt` when given (BAD_USER_INPUT on `field` when
 * no occurrence starts then); by default the one under way or the next, else the last one.
 */
export function occurrenceOf(event: Event, startsAt?: Date | null, field = 'occurrenceStartsAt'): EventOccurrence {
  const duration = durationOf(event);
  if (startsAt) {
    const found = remember(event, String(startsAt.getTime()), () =>
      isOccurrence(event, startsAt) ? { event, startsAt, endsAt: new Date(startsAt.getTime() + duration) } : null,
    );
    if (!found) throw new BadInput('No occurrence of this event starts then', field);
    return found;
  }
  if (!event.recurrence) return { event, startsAt: event.startsAt, endsAt: event.endsAt };
  return remember(event, 'current', () => {
    const [current] = occurrencesAfter(event, new Date(Date.now() - duration), 1);
    if (current) return { event, ...current };
    const end = seriesEnd(event) ?? event.endsAt;
    return { event, startsAt: new Date(end.getTime() - duration), endsAt: end };
  })!;
}

/** Checks and normalizes an event's schedule; BAD_USER_INPUT naming the field at fault. */
function schedule(input: { startsAt: Date; endsAt: Date; timeZone: string; recurrence: string | null }) {
  const { startsAt, endsAt } = input;
  if (Number.isNaN(startsAt.getTime())) throw new BadInput('startsAt is not a valid date', 'startsAt');
  if (Number.isNaN(endsAt.getTime()) || endsAt <= startsAt)
    throw new BadInput('endsAt must come after startsAt', 'endsAt');
  if (endsAt.getTime() - startsAt.getTime() > EVENT_LIMITS.maxDurationDays * DAY_MS) {
    throw new BadInput(`An occurrence lasts at most ${EVENT_LIMITS.maxDurationDays} days`, 'endsAt');
  }
  if (!isValidTimeZone(input.timeZone)) throw new BadInput(`"${input.timeZone}" is not an IANA time zone`, 'timeZone');
  const recurrence = input.recurrence?.trim() ? normalizeRecurrence(input.recurrence.trim()) : null;
  const timing = { startsAt, endsAt, timeZone: input.timeZone, recurrence };
  // rrule would silently start the series at the first match after startsAt (RFC 5545 leaves it undefined).
  if (recurrence && !isOccurrence(timing, startsAt))
    throw new BadInput('startsAt must itself match the recurrence rule', 'recurrence');
  return { ...timing, seriesEndsAt: recurrence ? seriesEnd(timing) : endsAt };
}

function onlineUrl(url: string | null | undefined): string | null {
  if (!url?.trim()) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new BadInput('onlineUrl must be an http or https URL', 'onlineUrl');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new BadInput('onlineUrl must be an http or https URL', 'onlineUrl');
  // Normalizing percent-encodes spaces and non-ASCII characters and turns a Unicode host into punycode: a link
  // within the input limit can outgrow its column (an internal error before), so the limit holds for what is stored.
  const normalized = parsed.toString();
  if (normalized.length > EVENT_LIMITS.urlLength) {
    throw new BadInput(
      `onlineUrl must be at most ${EVENT_LIMITS.urlLength} characters once normalized (non-ASCII characters are percent-encoded)`,
      'onlineUrl',
    );
  }
  return normalized;
}

const text = (value: string | null | undefined) => value?.trim() || null;

/** Creates an event in a community (`events.create`); the viewer is its organizer. */
export async function createEvent(
  { em, loaders, viewer }: Context,
  input: Omit<CreateEventInput, 'communityId'> & { communityId: number },
): Promise<Event> {
  const { communityId } = input;
  const userId = requireUser(viewer);
  const community = await loaders.community.load(communityId);
  if (!community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Community');
  assertCan(await actorIn(loaders, viewer, communityId), 'events.create');
  const title = input.title.trim();
  if (!title) throw new BadInput('title must not be blank', 'title');
  if (input.kind === EventKind.CONTEST && input.recurrence?.trim())
    throw new BadInput('A contest cannot recur', 'recurrence');
  const timing = schedule({
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    timeZone: input.timeZone,
    recurrence: input.recurrence ?? null,
  });
  const now = new Date();
  const event = em.create(Event, {
    community: communityId,
    organizer: userId,
    kind: input.kind,
    title,
    description: input.description.trim(),
    ...timing,
    location: text(input.location),
    onlineUrl: onlineUrl(input.onlineUrl),
    capacity: input.capacity ?? null,
    slowModeSeconds: 0,
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  return event;
}

/** The event, if the viewer organizes it or may manage the community's events; FORBIDDEN otherwise. */
async function manageableEvent(em: EntityManager, loaders: Loaders, viewer: Viewer, eventId: number): Promise<Event> {
  requireUser(viewer);
  const { event } = await readableEvent(loaders, viewer, eventId);
  await authorize({ loaders, viewer }, 'event.update', event);
  return event;
}

/**
 * Changes an event (organizer, or `events.manage`). A one-off event's RSVPs move with its start; a
 * recurring event that has RSVPs keeps its schedule (cancel it and create another). More seats go
 * to the waitlist at once, in order; fewer seats take nobody's seat away.
 */
export async function updateEvent(ctx: Context, input: Omit<UpdateEventInput, 'id'> & { id: number }): Promise<Event> {
  const { em, loaders, viewer } = ctx;
  const eventId = input.id;
  const event = await manageableEvent(em, loaders, viewer, eventId);
  if (event.cancelledAt) throw new BadInput('A cancelled event cannot change', 'id');
  if (event.kind === EventKind.CONTEST) {
    // A contest's results are final once it closes; and it is one contest, never a series.
    if (event.endsAt.getTime() <= Date.now()) throw new BadInput('A closed contest cannot change', 'id');
    if (input.recurrence?.trim()) throw new BadInput('A contest cannot recur', 'recurrence');
  }
  await write(ctx, async (tx) => {
    const locked = await tx.findOneOrFail(Event, event.id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    // Null leaves a title or description as it is (as updatePost and updateCommunity do); it used to be an internal error.
    if (input.title !== undefined && input.title !== null) {
      if (!input.title.trim()) throw new BadInput('title must not be blank', 'title');
      locked.title = input.title.trim();
    }
    if (input.description !== undefined && input.description !== null) locked.description = input.description.trim();
    if (input.location !== undefined) locked.location = text(input.location);
    if (input.onlineUrl !== undefined) locked.onlineUrl = onlineUrl(input.onlineUrl);
    const timing = schedule({
      startsAt: input.startsAt ?? locked.startsAt,
      endsAt:
        input.endsAt ?? (input.startsAt ? new Date(input.startsAt.getTime() + durationOf(locked)) : locked.endsAt),
      timeZone: input.timeZone ?? locked.timeZone,
      recurrence: input.recurrence === undefined ? (locked.recurrence ?? null) : input.recurrence,
    });
    const moved =
      timing.startsAt.getTime() !== locked.startsAt.getTime() ||
      timing.timeZone !== locked.timeZone ||
      timing.recurrence !== (locked.recurrence ?? null);
    if (moved) {
      const answered = await sql<{ n: number }>(
        tx,
        'select count(*)::int as n from rsvps where event_id = ?',
        [locked.id],
        'get',
      );
      if (answered.n > 0 && (locked.recurrence || timing.recurrence)) {
        throw new BadInput('A recurring event with RSVPs keeps its schedule: cancel it and create another', 'startsAt');
      }
      if (answered.n > 0) {
        await sql(
          tx,
          'update rsvps set occurrence_starts_at = ? where event_id = ?',
          [timing.startsAt, locked.id],
          'run',
        );
      }
    }
    Object.assign(locked, timing);
    const grew =
      input.capacity !== undefined &&
      (input.capacity === null ||
        (locked.capacity !== null && locked.capacity !== undefined && input.capacity > locked.capacity));
    if (input.capacity !== undefined) locked.capacity = input.capacity;
    locked.updatedAt = new Date();
    await tx.flush();
    if (grew) await fillSeats(tx, locked.id, locked.capacity ?? null);
  });
  await em.refresh(event);
  remembered.delete(event);
  return event;
}

/**
 * Cancels an event (organizer, or `events.manage`): no more RSVPs; those given stay readable. A live
 * stream under way ends with it: its chat closes and `chatMessageAdded` subscriptions complete, as
 * `closeLiveStream` does.
 */
export async function cancelEvent(ctx: Context, eventId: number): Promise<Event> {
  const { em, loaders, viewer } = ctx;
  const event = await manageableEvent(em, loaders, viewer, eventId);
  if (!event.cancelledAt) {
    await write(
      ctx,
      async (tx, after) => {
        const [cancelled] = await sql<{ kind: EventKind }[]>(
          tx,
          `update events set cancelled_at = now(), updated_at = now(),
                  live_ended_at = case when live_started_at is not null then coalesce(live_ended_at, now()) end
            where id = ? and cancelled_at is null returning kind`,
          [event.id],
        );
        if (cancelled?.kind === EventKind.LIVE_STREAM) chatClosed(after, event.id);
      },
      { mode: 'statement' },
    );
    await em.refresh(event);
  }
  return event;
}

/**
 * `Community.events`: by start of the first occurrence, then id, paged both ways (a keyset on both);
 * `upcoming` leaves out cancelled and finished ones.
 */
export async function communityEvents(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  args: EventsArgs,
) {
  await assertCanReadContent(loaders, viewer, community);
  const page = pageRequest(args);
  const where: Record<string, unknown>[] = [{ community: community.id }];
  if (args.upcoming)
    where.push({ cancelledAt: null }, { $or: [{ seriesEndsAt: null }, { seriesEndsAt: { $gt: new Date() } }] });
  if (page.after) {
    const [at, id] = decodeCursor(page.after, ['timestamp', 'number'], 'after') as number[];
    where.push({ $or: [{ startsAt: { $gt: new Date(at) } }, { startsAt: new Date(at), id: { $gt: id } }] });
  }
  if (page.before) {
    const [at, id] = decodeCursor(page.before, ['timestamp', 'number'], 'before') as number[];
    where.push({ $or: [{ startsAt: { $lt: new Date(at) } }, { startsAt: new Date(at), id: { $lt: id } }] });
  }
  const fetch = page.backward ? 'desc' : 'asc';
  const events = await em.find(
    Event,
    { $and: where },
    { orderBy: { startsAt: fetch, id: fetch }, limit: page.size + 1 },
  );
  for (const e of events) loaders.event.prime(e.id, e);
  return toConnection(events, page, (e) => [e.startsAt.getTime(), e.id]);
}

/**
 * `Community.calendar`: every occurrence of the community's events (cancelled ones left out) that
 * overlaps [from, to), by start then event, expanded from the recurrence rules. The range is expanded
 * whole (bounded: EVENT_LIMITS), so a page read backwards is the tail of the same list.
 */
export async function communityCalendar(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  args: CalendarArgs,
) {
  await assertCanReadContent(loaders, viewer, community);
  const { from, to } = args;
  if (!(to > from)) throw new BadInput('to must come after from', 'to');
  if (to.getTime() - from.getTime() > EVENT_LIMITS.maxCalendarDays * DAY_MS) {
    throw new BadInput(`A calendar covers at most ${EVENT_LIMITS.maxCalendarDays} days`, 'to');
  }
  const page = pageRequest(args);
  const [afterAt, afterId] = page.after
    ? (decodeCursor(page.after, ['timestamp', 'number'], 'after') as number[])
    : [-Infinity, 0];
  const [beforeAt, beforeId] = page.before
    ? (decodeCursor(page.before, ['timestamp', 'number'], 'before') as number[])
    : [Infinity, 0];
  const events = await em.find(
    Event,
    {
      community: community.id,
      cancelledAt: null,
      startsAt: { $lt: to },
      $or: [{ seriesEndsAt: null }, { seriesEndsAt: { $gt: from } }],
    },
    { orderBy: { startsAt: 'asc', id: 'asc' }, limit: EVENT_LIMITS.maxCalendarEvents },
  );
  const occurrences: EventOccurrence[] = [];
  for (const event of events) {
    loaders.event.prime(event.id, event);
    for (const o of occurrencesBetween(event, from, to)) {
      const at = o.startsAt.getTime();
      const afterCursor = at > afterAt || (at === afterAt && event.id > afterId);
      const beforeCursor = at < beforeAt || (at === beforeAt && event.id < beforeId);
      if (afterCursor && beforeCursor) occurrences.push({ event, ...o });
    }
  }
  occurrences.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.event.id - b.event.id);
  // Rows as `toConnection` takes them: read backwards, from the end.
  const rows = page.backward ? occurrences.reverse() : occurrences;
  return toConnection(rows.slice(0, page.size + 1), page, (o) => [o.startsAt.getTime(), o.event.id]);
}

/** `Event.occurrences`: the occurrences still to end, in order (a one-off event's only one while it lasts). */
export function upcomingOccurrences(event: Event, args: { first?: number; after?: string }, now = new Date()) {
  const page = forwardPage(args);
  const after = page.after
    ? new Date(decodeCursor(page.after, ['timestamp'])[0] as number)
    : new Date(now.getTime() - durationOf(event));
  const list = occurrencesAfter(event, after, page.size + 1).map((o) => ({ event, ...o }));
  return toConnection(list, page, (o) => [o.startsAt.getTime()]);
}
