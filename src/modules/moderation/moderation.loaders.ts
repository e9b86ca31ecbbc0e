import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, managedFromRow } from '../../platform/by-id-loader';
import { countLoader } from '../../platform/count-loader';
import { idRange, idRangeKey, type IdRange } from '../../platform/pagination';
import { fastSql } from '../../platform/database/sql';
import { timestamp } from '../../platform/views';
import { Member } from '../communities/communities.entity';
import type { ModerationHistory } from './moderation.inputs';
import {
  Appeal,
  AutoModRule,
  CommunityRule,
  ModerationAction,
  ModerationDecision,
  ModerationItem,
  Report,
} from './moderation.entity';

/** One page of an item's reports (oldest first): `size + 1` rows, so the caller knows whether there is a next page. */
export interface ReportsPageKey extends IdRange {
  itemId: number;
}

/** A member of a community by user id (the subject of a MEMBER item is a user id). */
export interface CommunityUserKey {
  communityId: number;
  userId: number;
}

const userKey = (k: CommunityUserKey) => `${k.communityId}:${k.userId}`;

/** Pages of reports of many items in one statement: one index range scan per item (LATERAL … LIMIT). */
function reportsPageLoader(em: EntityManager) {
  const keyOf = (k: ReportsPageKey) => `${k.itemId}:${idRangeKey(k)}`;
  return new DataLoader<ReportsPageKey, Report[], string>(
    async (keys) => {
      const pages = new Map<string, Report[]>();
      const groups = new Map<string, ReportsPageKey[]>();
      for (const k of keys) groups.set(idRangeKey(k), [...(groups.get(idRangeKey(k)) ?? []), k]);
      for (const group of groups.values()) {
        const range = idRange(group[0]);
        const rows = await fastSql(
          em,
          `select r.* from unnest($1::int[]) as k(id)
             cross join lateral (
               select * from reports r where r.item_id = k.id and r.id > $2 and r.id < $3
                order by r.id ${range.fetch} limit $4
             ) r
            order by r.item_id, r.id ${range.fetch}`,
          [group.map((k) => k.itemId), range.above, range.below, range.size + 1],
        );
        for (const row of rows) {
          const key = keyOf({ itemId: row.item_id as number, ...range });
          pages.set(key, [...(pages.get(key) ?? []), managedFromRow(em, Report, row)]);
        }
      }
      return keys.map((k) => pages.get(keyOf(k)) ?? []);
    },
    { cacheKeyFn: keyOf },
  );
}

/** The decision of each item (null while it is open), in one statement. */
function decisionOfItemLoader(em: EntityManager) {
  return new DataLoader<number, ModerationDecision | null>(async (itemIds) => {
    const rows = await fastSql(em, 'select * from moderation_decisions where item_id = any($1::int[])', [[...itemIds]]);
    const byItem = new Map<number, ModerationDecision>();
    for (const row of rows) byItem.set(row.item_id as number, managedFromRow(em, ModerationDecision, row));
    return itemIds.map((id) => byItem.get(id) ?? null);
  });
}

/** The appeal of each decision (null when none), in one statement. */
function appealOfDecisionLoader(em: EntityManager) {
  return new DataLoader<number, Appeal | null>(async (decisionIds) => {
    const rows = await fastSql(em, 'select * from moderation_appeals where decision_id = any($1::int[])', [
      [...decisionIds],
    ]);
    const byDecision = new Map<number, Appeal>();
    for (const row of rows) byDecision.set(row.decision_id as number, managedFromRow(em, Appeal, row));
    return decisionIds.map((id) => byDecision.get(id) ?? null);
  });
}

/** Memberships by (community, user), in one statement. */
function memberOfUserLoader(em: EntityManager) {
  return new DataLoader<CommunityUserKey, Member | null, string>(
    async (keys) => {
      const rows = await fastSql(
        em,
        `select m.* from unnest($1::int[], $2::int[]) as k(community_id, user_id)
           join members m on m.community_id = k.community_id and m.user_id = k.user_id`,
        [keys.map((k) => k.communityId), keys.map((k) => k.userId)],
      );
      const found = new Map<string, Member>();
      for (const row of rows) {
        const member = managedFromRow(em, Member, row);
        found.set(userKey({ communityId: row.community_id as number, userId: row.user_id as number }), member);
      }
      return keys.map((k) => found.get(userKey(k)) ?? null);
    },
    { cacheKeyFn: userKey },
  );
}

/**
 * A member's moderation history in a community (what a moderator reviewing an item about them
 * sees), for many (community, user) pairs in one statement.
 */
function historyLoader(em: EntityManager) {
  return new DataLoader<CommunityUserKey, ModerationHistory, string>(
    async (keys) => {
      const rows = await fastSql(
        em,
        `select k.community_id, k.user_id,
                (select count(*)::int from posts p where p.community_id = k.community_id and p.author_id = k.user_id) as posts,
                (select count(*)::int from comments c join posts p on p.id = c.post_id
                  where p.community_id = k.community_id and c.author_id = k.user_id) as comments,
                d.restrictions, d.warnings, d.mutes, d.bans,
                (select count(*)::int from reports r join moderation_items i on i.id = r.item_id
                  where i.community_id = k.community_id and i.subject_user_id = k.user_id) as reports_received,
                m.joined_at, m.reputation
           from unnest($1::int[], $2::int[]) as k(community_id, user_id)
           left join members m on m.community_id = k.community_id and m.user_id = k.user_id
           cross join lateral (
             select count(*) filter (where x.action <> $3)::int as restrictions,
                    count(*) filter (where x.action = $4)::int as warnings,
                    count(*) filter (where x.action = $5)::int as mutes,
                    count(*) filter (where x.action = $6)::int as bans
               from moderation_decisions x
              where x.community_id = k.community_id and x.affected_user_id = k.user_id and x.reversed_at is null
           ) d`,
        [
          keys.map((k) => k.communityId),
          keys.map((k) => k.userId),
          ModerationAction.DISMISS,
          ModerationAction.WARN,
          ModerationAction.MUTE,
          ModerationAction.BAN,
        ],
      );
      const found = new Map<string, ModerationHistory>();
      for (const r of rows) {
        found.set(userKey({ communityId: r.community_id as number, userId: r.user_id as number }), {
          posts: r.posts as number,
          comments: r.comments as number,
          restrictions: r.restrictions as number,
          warnings: r.warnings as number,
          mutes: r.mutes as number,
          bans: r.bans as number,
          reportsReceived: r.reports_received as number,
          joinedAt: timestamp(r.joined_at),
          reputation: (r.reputation as number | null) ?? null,
        });
      }
      return keys.map((k) => found.get(userKey(k))!);
    },
    { cacheKeyFn: userKey },
  );
}

/** Per-request loaders of moderation. */
export function createModerationLoaders(em: EntityManager) {
  return {
    communityRule: byIdLoader(em, CommunityRule),
    autoModRule: byIdLoader(em, AutoModRule),
    moderationItem: byIdLoader(em, ModerationItem),
    moderationDecision: byIdLoader(em, ModerationDecision),
    appeal: byIdLoader(em, Appeal),
    reportsPage: reportsPageLoader(em),
    decisionOfItem: decisionOfItemLoader(em),
    appealOfDecision: appealOfDecisionLoader(em),
    memberOfUser: memberOfUserLoader(em),
    moderationHistory: historyLoader(em),
    /** Rules in force per community (at most MODERATION_LIMITS.maxRules), for `rules { totalCount }`. */
    communityRuleCount: countLoader(em, 'community_rules', 'community_id', 'archived_at is null'),
    /** AutoMod rules per community (at most AUTOMOD_RULE_LIMITS.maxRules), for `autoModRules { totalCount }`. */
    autoModRuleCount: countLoader(em, 'automod_rules', 'community_id'),
    /** Users each user blocked (at most BLOCK_LIMITS.maxBlocks), for `viewerBlockedUsers { totalCount }`. */
    blockCount: countLoader(em, 'user_blocks', 'blocker_id'),
  };
}
