import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql, sql } from '../../platform/database/sql';
import { byIdLoader, managedFromRow } from '../../platform/by-id-loader';
import type { CacheScope } from '../../platform/cache-scope';
import type { Loaders } from '../../platform/loaders';
import { idRangeKey, type IdRange } from '../../platform/pagination';
import { ref, timestamp, view } from '../../platform/views';
import type { Viewer } from '../identity/viewer';
import { Community, Invite, JoinRequest, Member, type Role } from './communities.entity';

/** One page of a community's members: `size + 1` rows so the caller knows whether a page lies beyond it. */
export interface MembersPageKey extends IdRange {
  communityId: number;
  role: Role | null;
}

/** What pages read in one statement share: all but the community. */
const membersGroup = (k: MembersPageKey) => `${idRangeKey(k)}:${k.role ?? ''}`;
const pageKey = (k: MembersPageKey) => `${k.communityId}:${membersGroup(k)}`;

/**
 * Pages of members for many communities in one statement, in join order (its reverse for a page
 * read backwards): one index range scan per community (LATERAL … LIMIT, as the comment pages do),
 * so the cost grows with neither the number of communities on the page nor their size.
 */
function membersPageLoader(em: EntityManager) {
  return new DataLoader<MembersPageKey, Member[], string>(
    async (keys) => {
      const groups = new Map<string, MembersPageKey[]>();
      for (const k of keys) groups.set(membersGroup(k), [...(groups.get(membersGroup(k)) ?? []), k]);
      const pages = new Map<string, Member[]>();
      for (const group of groups.values()) {
        const { size, above, below, fetch, role } = group[0];
        const rows = await sql(
          em,
          `select m.* from unnest(array[${group.map(() => '?::int').join(', ')}]) as k(id)
             cross join lateral (
               select * from members m
                where m.community_id = k.id and m.id > ? and m.id < ? ${role ? 'and m.role = ?' : ''}
                order by m.id ${fetch} limit ?
             ) m
            order by m.community_id, m.id ${fetch}`,
          [...group.map((k) => k.communityId), above, below, ...(role ? [role] : []), size + 1],
        );
        for (const row of rows) {
          const key = pageKey({ communityId: row.community_id as number, size, above, below, fetch, role });
          pages.set(key, [...(pages.get(key) ?? []), em.map(Member, row)]);
        }
      }
      return keys.map((k) => pages.get(pageKey(k)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

/**
 * How many members of each community hold each staff role (OWNER, ADMIN, MODERATOR), in one
 * statement: an index-only count over the partial index of staff rows (`members_staff_index`),
 * which a community's plain members are not in. With `memberCount` (maintained), it answers
 * `members(role:) { totalCount }` for every role, MEMBER included (the rest).
 */
function staffCountsLoader(em: EntityManager) {
  return new DataLoader<number, Map<Role, number>>(async (communityIds) => {
    const rows = await fastSql<{ community_id: number; role: Role; n: number }>(
      em,
      `select community_id, role, count(*)::int as n from members
        where community_id = any($1::int[]) and role <> 'MEMBER' group by community_id, role`,
      [[...communityIds]],
    );
    const counts = new Map<number, Map<Role, number>>();
    for (const r of rows) {
      if (!counts.has(r.community_id)) counts.set(r.community_id, new Map());
      counts.get(r.community_id)!.set(r.role, r.n);
    }
    return communityIds.map((id) => counts.get(id) ?? new Map());
  });
}

/**
 * A read-only view of a members row (see views.ts), as the viewer's standing holds it: it is read on
 * most requests and changed by none (a service that changes a membership loads it itself).
 */
function memberView(r: Record<string, unknown>): Member {
  return view(Member, {
    id: r.id,
    community: ref(r.community_id),
    user: ref(r.user_id),
    role: r.role,
    reputation: r.reputation,
    joinedAt: timestamp(r.joined_at),
  });
}

/** The viewer's standing in a community: their membership, and whether a ban is in force for them there. */
export interface Standing {
  member: Member | null;
  banned: boolean;
  /** Until when a mute from the community is in force for them (null: none). */
  mutedUntil: Date | null;
}

/**
 * The viewer's standing in many communities in one statement: membership and ban together, so the
 * ban rule (permissions.ts) costs no statement beyond the membership lookup it always needed.
 */
function viewerStandingLoader(em: EntityManager, userId: number | null) {
  return new DataLoader<number, Standing>(async (communityIds) => {
    if (userId === null) return communityIds.map(() => ({ member: null, banned: false, mutedUntil: null }));
    const rows = await sql(
      em,
      `select m.*, k.id as standing_community_id, ${banInForce('k.id', '?')} as standing_banned,
              ${muteInForce('k.id', '?')} as standing_muted_until
         from unnest(array[${communityIds.map(() => '?::int').join(', ')}]) as k(id)
         left join members m on m.community_id = k.id and m.user_id = ?`,
      [userId, userId, ...communityIds, userId],
    );
    const byCommunity = new Map<number, Standing>();
    for (const {
      standing_community_id: communityId,
      standing_banned: banned,
      standing_muted_until: mutedUntil,
      ...member
    } of rows) {
      byCommunity.set(communityId as number, {
        member: member.id === null ? null : memberView(member),
        banned: banned as boolean,
        mutedUntil: timestamp(mutedUntil) ?? null,
      });
    }
    return communityIds.map((id) => byCommunity.get(id) ?? { member: null, banned: false, mutedUntil: null });
  });
}

/** SQL: whether a ban is in force for user `user` in community `community` (both SQL expressions). */
function banInForce(community: string, user: string): string {
  return `exists (select 1 from bans b where b.community_id = ${community} and b.user_id = ${user} and (b.until is null or b.until > now()))`;
}

/** SQL: until when a mute is in force for user `user` in community `community` (null: none). */
function muteInForce(community: string, user: string): string {
  return `(select u.until from community_mutes u where u.community_id = ${community} and u.user_id = ${user} and u.until > now())`;
}

/**
 * Columns and joins that read, beside a row naming a community (`communityId`, an SQL expression),
 * that community and the standing in it of the user `userParam` (a parameter): the three reads a
 * write's checks make (community, membership, ban), in the write's first statement rather than in
 * two more. `primeCommunityContext` primes the loaders with what they return.
 */
export function communityContextSql(communityId: string, userParam: string) {
  return {
    columns: `to_jsonb(context_c) as context_community, to_jsonb(context_m) as context_member,
              ${banInForce('context_c.id', userParam)} as context_banned,
              ${muteInForce('context_c.id', userParam)} as context_muted_until`,
    joins: `join communities context_c on context_c.id = ${communityId}
            left join members context_m on context_m.community_id = context_c.id and context_m.user_id = ${userParam}`,
  };
}

/**
 * Primes `loaders.community` and `loaders.viewerStanding` with a row read with `communityContextSql`
 * for the request's viewer (the community managed, as its loader makes it; what the request
 * already loaded stays as it is), and takes the context's columns out of the row.
 */
export function primeCommunityContext(em: EntityManager, loaders: Loaders, row: Record<string, unknown>): void {
  const {
    context_community: communityRow,
    context_member: memberRow,
    context_banned: banned,
    context_muted_until: mutedUntil,
  } = row;
  delete row.context_community;
  delete row.context_member;
  delete row.context_banned;
  delete row.context_muted_until;
  const community = managedFromRow(em, Community, communityRow as object);
  const member = memberRow ? memberView(memberRow as Record<string, unknown>) : null;
  loaders.community.prime(community.id, community);
  loaders.viewerStanding.prime(community.id, {
    member,
    banned: banned as boolean,
    mutedUntil: timestamp(mutedUntil) ?? null,
  });
}

/**
 * For a write by the signed-in viewer on a row of `table` (a table with a `community_id`): the row
 * (every column, plus `extra`, columns of the row `s`), read in one statement with its community
 * and the viewer's standing there, which it primes (`primeCommunityContext`). The caller primes
 * its own loader with the row; undefined when there is none.
 */
export async function readForWrite(
  em: EntityManager,
  loaders: Loaders,
  userId: number,
  table: 'posts' | 'events' | 'polls',
  id: number,
  extra = '',
): Promise<Record<string, unknown> | undefined> {
  const context = communityContextSql('s.community_id', '$2');
  const [row] = await fastSql(
    em,
    `select s.*${extra}, ${context.columns} from ${table} s ${context.joins} where s.id = $1`,
    [id, userId],
  );
  if (row) primeCommunityContext(em, loaders, row);
  return row;
}

/** Communities by id; each one asked for is noted in the request's cache scope (whatever reads a community's content loads it). */
function communityLoader(em: EntityManager, scope: CacheScope) {
  const loader = byIdLoader(em, Community);
  const load = loader.load.bind(loader);
  const value = loader.value.bind(loader);
  loader.load = (id: number) => {
    scope.community(id);
    return load(id);
  };
  loader.value = (id: number) => {
    scope.community(id);
    return value(id);
  };
  return loader;
}

/** Per-request loaders of the communities domain; the viewer-specific ones answer for `viewer`. */
export function createCommunityLoaders(em: EntityManager, viewer: Viewer, scope: CacheScope) {
  const userId = viewer.userId;
  const standing = viewerStandingLoader(em, userId);
  return {
    community: communityLoader(em, scope),
    member: byIdLoader(em, Member),
    joinRequest: byIdLoader(em, JoinRequest),
    invite: byIdLoader(em, Invite),
    membersPage: membersPageLoader(em),
    staffCounts: staffCountsLoader(em),
    viewerStanding: standing,
    /**
     * The viewer's membership in each community: null when not a member, anonymous, or banned there
     * (a membership under a ban in force counts for nothing: the banned read what anonymous visitors read).
     */
    viewerMembership: {
      load: async (communityId: number): Promise<Member | null> => {
        const { member, banned } = await standing.load(communityId);
        return banned ? null : member;
      },
    },
    /** Whether the viewer holds an invite to each community. */
    viewerInvited: new DataLoader<number, boolean>(async (communityIds) => {
      if (userId === null) return communityIds.map(() => false);
      const rows = await em.find(
        Invite,
        { user: userId, community: { $in: [...communityIds] } },
        { fields: ['community'] },
      );
      const set = new Set(rows.map((i) => i.community.id));
      return communityIds.map((id) => set.has(id));
    }),
  };
}
