import DataLoader from 'dataloader';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { BadInput } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import {
  decodeCursor,
  forwardPage,
  idPage,
  idRange,
  toConnection,
  type CursorPart,
  type ForwardPageArgs,
  type PageArgsShape,
} from '../../platform/pagination';
import { Member, type Community } from '../communities/communities.entity';
import { actorIn, assertCanReadContent, visibleCommunity } from '../communities/communities.service';
import { assertCan, levelGates } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import { BADGES, type Badge } from './badges';
import type { Standing } from './leaderboards';
import { ReputationEvent, type MemberBadge } from './reputation.entity';
import {
  LEADERBOARD_MAX,
  type LeaderboardEntry,
  type MemberBadgeView,
  type ReputationRulesInput,
  type ReputationRulesView,
} from './reputation.types';
import {
  boardKey,
  CAPPED_REASONS,
  levelOf,
  rulesOf,
  validateOverrides,
  type LeaderboardPeriodName,
  type ReputationRules,
} from './rules';

/**
 * Standings with their members, ranked: entries whose user is no longer a member are dropped
 * (the boards drop leavers after the commit; this covers the moment between). Ranks are
 * competition ranks over the listed entries.
 */
export function rankEntries(standings: Standing[], members: (Member | null)[], first: number): LeaderboardEntry[] {
  const entries: LeaderboardEntry[] = [];
  standings.forEach((s, i) => {
    const member = members[i];
    if (!member || entries.length >= first) return;
    const previous = entries[entries.length - 1];
    entries.push({
      member,
      score: s.score,
      rank: previous && previous.score === s.score ? previous.rank : entries.length + 1,
    });
  });
  return entries;
}

/** `Community.leaderboard`: from the boards (Redis or in process), members through the per-request loader. */
export async function leaderboard(
  ctx: Context,
  community: Community,
  period: LeaderboardPeriodName,
  first: number,
): Promise<LeaderboardEntry[]> {
  await assertCanReadContent(ctx.loaders, ctx.viewer, community);
  const n = Math.min(Math.max(first, 1), LEADERBOARD_MAX);
  // A few more than asked, in case some just left (see rankEntries).
  const standings = await ctx.leaderboards.top(community, boardKey(period, community.timeZone), n + 5);
  const members = await Promise.all(
    standings.map((s) => ctx.loaders.memberOf.load({ communityId: community.id, userId: s.userId })),
  );
  return rankEntries(standings, members, n);
}

/** The sizes of boards (`Community.ranking { totalCount }`), per request: every board asked for in one round trip. */
const boardSizes = new WeakMap<Loaders, DataLoader<{ community: Community; key: string }, number, string>>();

function boardSizeLoader(ctx: Context) {
  let loader = boardSizes.get(ctx.loaders);
  if (!loader) {
    loader = new DataLoader(
      async (boards) =>
        ctx.leaderboards.sizes(
          boards.map((b) => ({ community: { id: b.community.id, timeZone: b.community.timeZone }, key: b.key })),
        ),
      { cacheKeyFn: (b) => `${b.community.id}:${b.key}` },
    );
    boardSizes.set(ctx.loaders, loader);
  }
  return loader;
}

/** A ranking's cursor: its period, then the entry's place on the board (score, user id). */
const RANKING_CURSOR: CursorPart[] = ['string', 'number', 'number'];

/**
 * `Community.ranking`: a page of the period's board after the cursor, from the boards (Redis or in
 * process), members through the per-request loader. A cursor is a place on the board (score, user),
 * so members moving meanwhile never make a page repeat or skip one who kept theirs. Ranks are the
 * board's; a standing whose user is no longer a member is left out (the boards drop leavers after
 * the commit: this covers the moment between).
 */
export async function ranking(
  ctx: Context,
  community: Community,
  args: { period: LeaderboardPeriodName } & ForwardPageArgs,
) {
  await assertCanReadContent(ctx.loaders, ctx.viewer, community);
  const page = forwardPage(args);
  let after: Standing | null = null;
  if (page.after) {
    const [period, score, userId] = decodeCursor(page.after, RANKING_CURSOR, 'after') as [string, number, number];
    if (period !== args.period)
      throw new BadInput(`This cursor belongs to the ${period} ranking, not ${args.period}`, 'after');
    after = { score, userId };
  }
  const key = boardKey(args.period, community.timeZone);
  // A few more than the page and the row that tells whether more follow, in case some just left.
  const standings = await ctx.leaderboards.page(community, key, after, page.size + 6);
  const members = await Promise.all(
    standings.map((s) => ctx.loaders.memberOf.load({ communityId: community.id, userId: s.userId })),
  );
  const entries: LeaderboardEntry[] = [];
  standings.forEach((s, i) => {
    const member = members[i];
    if (member && entries.length <= page.size) entries.push({ member, score: s.score, rank: s.rank });
  });
  return toConnection(
    entries,
    page,
    (e) => [args.period, e.score, e.member.user.id],
    () => boardSizeLoader(ctx).load({ community, key }),
  );
}

export function rulesView(community: Community): ReputationRulesView {
  const rules = rulesOf(community);
  return { ...rules, cappedReasons: [...CAPPED_REASONS], privileges: levelGates() };
}

/** Overrides the community's rules (`reputation.configure`, ADMIN and above). */
export async function updateRules(ctx: Context, communityId: number, input: ReputationRulesInput): Promise<Community> {
  requireUser(ctx.viewer);
  const community = await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, communityId), 'reputation.configure');
  const { communityId: _id, ...overrides } = input;
  const next = validateOverrides({}, overrides);
  const reset = Object.entries(overrides)
    .filter(([, v]) => v === null)
    .map(([k]) => k);
  // Merged in SQL: admins overriding different rules at once both land.
  const [row] = await sql<{ reputation_rules: Partial<ReputationRules> | null }[]>(
    ctx.em,
    `update communities set reputation_rules = (coalesce(reputation_rules, '{}'::jsonb) || ?::jsonb) - ?::text[] where id = ? returning reputation_rules`,
    [JSON.stringify(next), `{${reset.join(',')}}`, communityId],
  );
  community.reputationRules =
    typeof row.reputation_rules === 'string' ? JSON.parse(row.reputation_rules) : row.reputation_rules;
  return community;
}

/**
 * Recomputes the community's `members.reputation` from the ledger and rebuilds its leaderboards
 * (`reputation.configure`; `npm run reputation:rebuild` does every community). Returns how many
 * members' reputation differed from their ledger.
 */
export async function rebuildCommunity(
  ctx: Pick<Context, 'em' | 'leaderboards'>,
  community: Community,
): Promise<number> {
  const fixed = await sql<unknown[]>(
    ctx.em,
    `update members m set reputation = coalesce(l.total, 0)
       from members m2 left join (select user_id, sum(delta)::int as total from reputation_events where community_id = ? group by user_id) l
         on l.user_id = m2.user_id
      where m.id = m2.id and m2.community_id = ? and m.reputation is distinct from coalesce(l.total, 0)
      returning m.id`,
    [community.id, community.id],
  );
  await ctx.leaderboards.rebuild(community);
  return fixed.length;
}

export async function memberLevel(loaders: Loaders, member: Member): Promise<number> {
  const community = (await loaders.community.load(member.community.id))!;
  return levelOf(member.reputation, rulesOf(community).levelThresholds);
}

export async function memberBadges(loaders: Loaders, member: Member): Promise<MemberBadgeView[]> {
  const rows = await loaders.memberBadges.load({ communityId: member.community.id, userId: member.user.id });
  return rows.map(badgeView).filter((v): v is MemberBadgeView => v !== null);
}

/** An award as the API shows it: the badge with its name (a QUEST badge's: its title) and description; null for a badge no longer defined. */
export function badgeView(award: MemberBadge): MemberBadgeView | null {
  if (!(award.badge in BADGES)) return null;
  const { name, description } = BADGES[award.badge as Badge];
  return {
    badge: award.badge as Badge,
    name: award.title ?? name,
    description,
    awardedAt: award.awardedAt,
    questId: award.quest?.id ?? null,
  };
}

/** A member's ledger, newest first, paged both ways (readable by whoever can read the community's members). */
export async function history(loaders: Loaders, member: Member, args: PageArgsShape) {
  const page = idPage(args, 'desc');
  const rows = await loaders.reputationHistoryPage.load({
    communityId: member.community.id,
    userId: member.user.id,
    ...idRange(page),
  });
  return toConnection(rows, page, (r: ReputationEvent) => [r.id]);
}
