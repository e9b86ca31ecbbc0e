import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import { sql } from '../../platform/database/sql';
import type { Viewer } from '../identity/viewer';
import { ContestEntry } from './contests.entity';

/** Where a page of a contest's entries starts: after this entry's sort key (votes, submittedAt in ms, id). */
export type EntryCursor = [votes: number, submittedAt: number, id: number];

/** One page of one contest's entries. */
export interface EntryPageKey {
  eventId: number;
  /** By votes (most first), then submittedAt, then id; otherwise by submittedAt, then id. */
  ranked: boolean;
  size: number;
  after: EntryCursor | null;
}

const pageGroup = (k: EntryPageKey) => `${k.ranked ? 'ranked' : 'submitted'}:${k.size}:${k.after?.join(',') ?? ''}`;
const pageKey = (k: EntryPageKey) => `${k.eventId}:${pageGroup(k)}`;

/** Managed entries from raw `contest_entries` rows (one statement brings them, no second lookup by id). */
const entriesOf = (em: EntityManager, rows: Record<string, unknown>[]) => rows.map((row) => em.map(ContestEntry, row));

/**
 * Pages of entries of many contests in one statement per kind of page: one index range scan per
 * contest (LATERAL … LIMIT), in the contest's order.
 */
function entryPageLoader(em: EntityManager) {
  return new DataLoader<EntryPageKey, ContestEntry[], string>(
    async (keys) => {
      const groups = new Map<string, EntryPageKey[]>();
      for (const k of keys) groups.set(pageGroup(k), [...(groups.get(pageGroup(k)) ?? []), k]);
      const result = new Map<string, ContestEntry[]>();
      for (const group of groups.values()) {
        const { ranked, size, after } = group[0];
        const order = ranked ? 'e.votes desc, e.submitted_at, e.id' : 'e.submitted_at, e.id';
        let where = '';
        let params: unknown[] = [];
        if (after) {
          const [votes, at, id] = after;
          const later = '(e.submitted_at > ?::timestamptz or (e.submitted_at = ?::timestamptz and e.id > ?))';
          where = ranked ? `and (e.votes < ? or (e.votes = ? and ${later}))` : `and ${later}`;
          params = ranked ? [votes, votes, new Date(at), new Date(at), id] : [new Date(at), new Date(at), id];
        }
        const rows = await sql(
          em,
          `select e.*
             from unnest(array[${group.map(() => '?::int').join(', ')}]) with ordinality as k(event_id, ord)
             cross join lateral (
               select * from contest_entries e where e.event_id = k.event_id ${where} order by ${order} limit ?
             ) e
            order by k.ord, ${order}`,
          [...group.map((k) => k.eventId), ...params, size + 1],
        );
        for (const entry of entriesOf(em, rows)) {
          const key = pageKey({ eventId: entry.event.id, ranked, size, after });
          result.set(key, [...(result.get(key) ?? []), entry]);
        }
      }
      return keys.map((k) => result.get(pageKey(k)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

/** Entries of each contest. */
function entryCountLoader(em: EntityManager) {
  return new DataLoader<number, number>(async (eventIds) => {
    const rows = await sql<{ event_id: number; n: number }[]>(
      em,
      `select event_id, count(*)::int as n from contest_entries where event_id in (${eventIds.map(() => '?').join(', ')}) group by event_id`,
      [...eventIds],
    );
    const map = new Map(rows.map((r) => [r.event_id, r.n]));
    return eventIds.map((id) => map.get(id) ?? 0);
  });
}

/**
 * The viewer's own entry in each contest (`own`), or the entry they voted for; null when none or anonymous.
 */
function viewerEntryLoader(em: EntityManager, viewer: Viewer, which: 'own' | 'voted') {
  return new DataLoader<number, ContestEntry | null>(async (eventIds) => {
    if (viewer.userId === null) return eventIds.map(() => null);
    const list = eventIds.map(() => '?').join(', ');
    const rows = await sql(
      em,
      which === 'own'
        ? `select e.* from contest_entries e where e.user_id = ? and e.event_id in (${list})`
        : `select e.* from contest_votes v join contest_entries e on e.id = v.entry_id where v.user_id = ? and v.event_id in (${list})`,
      [viewer.userId, ...eventIds],
    );
    const map = new Map(entriesOf(em, rows).map((e) => [e.event.id, e]));
    return eventIds.map((id) => map.get(id) ?? null);
  });
}

/** Competition rank of each entry in its contest: 1 + the entries with more votes (ties share a rank: 1, 2, 2, 4). */
function entryRankLoader(em: EntityManager) {
  return new DataLoader<number, number | null>(async (ids) => {
    const rows = await sql<{ id: number; rank: number }[]>(
      em,
      `select e.id, 1 + (select count(*) from contest_entries o where o.event_id = e.event_id and o.votes > e.votes)::int as rank
         from contest_entries e where e.id in (${ids.map(() => '?').join(', ')})`,
      [...ids],
    );
    const map = new Map(rows.map((r) => [r.id, r.rank]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Per-request loaders of contests (entries, their counts and ranks, the viewer's entry and vote). */
export function createContestLoaders(em: EntityManager, viewer: Viewer) {
  return {
    contestEntry: byIdLoader(em, ContestEntry),
    contestEntryPage: entryPageLoader(em),
    contestEntryCount: entryCountLoader(em),
    contestEntryRank: entryRankLoader(em),
    viewerContestEntry: viewerEntryLoader(em, viewer, 'own'),
    viewerContestVote: viewerEntryLoader(em, viewer, 'voted'),
  };
}
