import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { idRange, idRangeKey, type IdRange } from '../../platform/pagination';
import { Member } from '../communities/communities.entity';
import { MemberBadge, ReputationEvent } from './reputation.entity';

/** A member named by community and user (ledger rows and leaderboards know users, not member rows). */
export interface MemberKey {
  communityId: number;
  userId: number;
}
const memberKey = (k: MemberKey) => `${k.communityId}:${k.userId}`;

function pairs(keys: readonly MemberKey[]): { clause: string; params: number[] } {
  return {
    clause: keys.map(() => '(?::int, ?::int)').join(', '),
    params: keys.flatMap((k) => [k.communityId, k.userId]),
  };
}

/** Members by (community, user), null for a non-member: one statement per batch. */
function memberOfLoader(em: EntityManager) {
  return new DataLoader<MemberKey, Member | null, string>(
    async (keys) => {
      const { clause, params } = pairs(keys);
      const rows = await sql(em, `select * from members where (community_id, user_id) in (${clause})`, params);
      const map = new Map(rows.map((r) => [`${r.community_id}:${r.user_id}`, em.map(Member, r)]));
      return keys.map((k) => map.get(memberKey(k)) ?? null);
    },
    { cacheKeyFn: memberKey },
  );
}

/** Each member's badges, oldest first: one statement per batch. */
function badgesLoader(em: EntityManager) {
  return new DataLoader<MemberKey, MemberBadge[], string>(
    async (keys) => {
      const { clause, params } = pairs(keys);
      const rows = await sql(
        em,
        `select * from member_badges where (community_id, user_id) in (${clause}) order by awarded_at, id`,
        params,
      );
      const map = new Map<string, MemberBadge[]>();
      for (const r of rows) {
        const k = `${r.community_id}:${r.user_id}`;
        map.set(k, [...(map.get(k) ?? []), em.map(MemberBadge, r)]);
      }
      return keys.map((k) => map.get(memberKey(k)) ?? []);
    },
    { cacheKeyFn: memberKey },
  );
}

/** One page of a member's ledger (newest first; read backwards, oldest first): `size + 1` rows of ids in the range. */
export interface HistoryPageKey extends MemberKey, IdRange {}
const historyKey = (k: HistoryPageKey) => `${k.communityId}:${k.userId}:${idRangeKey(k)}`;

/** Pages of many members' ledgers in one statement: one index range scan per member (LATERAL … LIMIT). */
function historyPageLoader(em: EntityManager) {
  return new DataLoader<HistoryPageKey, ReputationEvent[], string>(
    async (keys) => {
      const groups = new Map<string, HistoryPageKey[]>();
      for (const k of keys) groups.set(idRangeKey(k), [...(groups.get(idRangeKey(k)) ?? []), k]);
      const pages = new Map<string, ReputationEvent[]>();
      for (const group of groups.values()) {
        const range = idRange(group[0]);
        const { clause, params } = pairs(group);
        const rows = await sql(
          em,
          `select e.* from (values ${clause}) as k(community_id, user_id)
           cross join lateral (
             select * from reputation_events e
              where e.community_id = k.community_id and e.user_id = k.user_id and e.id > ? and e.id < ?
              order by e.id ${range.fetch} limit ?
           ) e
          order by e.community_id, e.user_id, e.id ${range.fetch}`,
          [...params, range.above, range.below, range.size + 1],
        );
        for (const r of rows) {
          const k = historyKey({ communityId: r.community_id as number, userId: r.user_id as number, ...range });
          pages.set(k, [...(pages.get(k) ?? []), em.map(ReputationEvent, r)]);
        }
      }
      return keys.map((k) => pages.get(historyKey(k)) ?? []);
    },
    { cacheKeyFn: historyKey },
  );
}

/** Per-request loaders of the reputation domain. */
export function createReputationLoaders(em: EntityManager) {
  return {
    memberOf: memberOfLoader(em),
    memberBadges: badgesLoader(em),
    reputationHistoryPage: historyPageLoader(em),
  };
}
