import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import { sql } from '../../platform/database/sql';
import { idRange, idRangeKey, type IdRange } from '../../platform/pagination';
import type { Viewer } from '../identity/viewer';
import { Event, Rsvp } from './events.entity';

/** One occurrence of one event: the event's id and the occurrence's start. */
export interface OccurrenceKey {
  eventId: number;
  startsAt: Date;
}

/** Seats taken, members waiting and members interested, for one occurrence. */
export interface RsvpCounts {
  going: number;
  waitlisted: number;
  interested: number;
}

/** Attendees (seated) or the waitlist of one occurrence, a page of it: the range is of arrival numbers (from 1). */
export interface RsvpPageKey extends OccurrenceKey, IdRange {
  list: 'attendees' | 'waitlist';
}

const occurrenceKey = (k: OccurrenceKey) => `${k.eventId}:${k.startsAt.getTime()}`;
const pageKey = (k: RsvpPageKey) => `${occurrenceKey(k)}:${k.list}:${idRangeKey(k)}`;

/** `(event_id, occurrence_starts_at) in (…)` for a batch of occurrences, and its parameters. */
function occurrencesIn(keys: readonly OccurrenceKey[]): { clause: string; params: unknown[] } {
  return {
    clause: `(r.event_id, r.occurrence_starts_at) in (${keys.map(() => '(?::int, ?::timestamptz)').join(', ')})`,
    params: keys.flatMap((k) => [k.eventId, k.startsAt]),
  };
}

function rsvpCountsLoader(em: EntityManager) {
  return new DataLoader<OccurrenceKey, RsvpCounts, string>(
    async (keys) => {
      const { clause, params } = occurrencesIn(keys);
      const rows = await sql<{ event_id: number; at: number; going: number; waitlisted: number; interested: number }[]>(
        em,
        `select r.event_id, (extract(epoch from r.occurrence_starts_at) * 1000)::float8 as at,
                count(*) filter (where r.seated)::int as going,
                count(*) filter (where r.arrival is not null and not r.seated)::int as waitlisted,
                count(*) filter (where r.status = 'INTERESTED')::int as interested
           from rsvps r where ${clause} group by r.event_id, r.occurrence_starts_at`,
        params,
      );
      const map = new Map(rows.map((r) => [occurrenceKey({ eventId: r.event_id, startsAt: new Date(r.at) }), r]));
      return keys.map((k) => {
        const r = map.get(occurrenceKey(k));
        return { going: r?.going ?? 0, waitlisted: r?.waitlisted ?? 0, interested: r?.interested ?? 0 };
      });
    },
    { cacheKeyFn: occurrenceKey },
  );
}

/** The viewer's RSVP to each occurrence (null when none, or anonymous). */
function viewerRsvpLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<OccurrenceKey, Rsvp | null, string>(
    async (keys) => {
      if (viewer.userId === null) return keys.map(() => null);
      const { clause, params } = occurrencesIn(keys);
      const ids = await sql<{ id: number }[]>(em, `select r.id from rsvps r where r.user_id = ? and ${clause}`, [
        viewer.userId,
        ...params,
      ]);
      const rsvps = ids.length ? await em.find(Rsvp, { id: { $in: ids.map((r) => r.id) } }) : [];
      const map = new Map(
        rsvps.map((r) => [occurrenceKey({ eventId: r.event.id, startsAt: r.occurrenceStartsAt }), r]),
      );
      return keys.map((k) => map.get(occurrenceKey(k)) ?? null);
    },
    { cacheKeyFn: occurrenceKey },
  );
}

/** Pages of attendees or waitlists of many occurrences in one statement per list, in arrival order. */
function rsvpPageLoader(em: EntityManager) {
  return new DataLoader<RsvpPageKey, Rsvp[], string>(
    async (keys) => {
      const result = new Map<string, Rsvp[]>();
      const groups = new Map<string, RsvpPageKey[]>();
      for (const k of keys) {
        const g = `${k.list}:${idRangeKey(k)}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      for (const group of groups.values()) {
        const { list } = group[0];
        const range = idRange(group[0]);
        const rows = await sql<{ id: number }[]>(
          em,
          `select r.id
             from unnest(array[${group.map(() => '?::int').join(', ')}], array[${group.map(() => '?::timestamptz').join(', ')}]) as k(event_id, at)
             cross join lateral (
               select id from rsvps r
                where r.event_id = k.event_id and r.occurrence_starts_at = k.at and r.arrival > ? and r.arrival < ?
                  and ${list === 'attendees' ? 'r.seated' : 'not r.seated'}
                order by r.arrival ${range.fetch} limit ?
             ) r`,
          [...group.map((k) => k.eventId), ...group.map((k) => k.startsAt), range.above, range.below, range.size + 1],
        );
        const rsvps = rows.length
          ? await em.find(Rsvp, { id: { $in: rows.map((r) => r.id) } }, { orderBy: { arrival: range.fetch } })
          : [];
        for (const r of rsvps) {
          const key = pageKey({ eventId: r.event.id, startsAt: r.occurrenceStartsAt, list, ...range });
          result.set(key, [...(result.get(key) ?? []), r]);
        }
      }
      return keys.map((k) => result.get(pageKey(k)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

/** Each waiting RSVP's place on its waitlist (1 = next to get a seat); null when not waiting. */
function waitlistPositionLoader(em: EntityManager) {
  return new DataLoader<number, number | null>(async (ids) => {
    const rows = await sql<{ id: number; position: number }[]>(
      em,
      `select r.id, (select count(*) from rsvps w
                      where w.event_id = r.event_id and w.occurrence_starts_at = r.occurrence_starts_at
                        and w.arrival is not null and not w.seated and w.arrival <= r.arrival)::int as position
         from rsvps r where r.id in (${ids.map(() => '?').join(', ')}) and r.arrival is not null and not r.seated`,
      [...ids],
    );
    const map = new Map(rows.map((r) => [r.id, r.position]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Per-request loaders of the events domain. */
export function createEventLoaders(em: EntityManager, viewer: Viewer) {
  return {
    event: byIdLoader(em, Event),
    rsvpCounts: rsvpCountsLoader(em),
    viewerRsvp: viewerRsvpLoader(em, viewer),
    rsvpPage: rsvpPageLoader(em),
    waitlistPosition: waitlistPositionLoader(em),
  };
}
