import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { GraphQLResolveInfo } from 'graphql';
import { fastSql, sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound } from '../../platform/errors';
import { idPage, toConnection } from '../../platform/pagination';
import type { Loaders } from '../../platform/loaders';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { Community, DEFAULT_REPORT_THRESHOLD, Member, Role, Visibility } from './communities.entity';
import type { CommunitiesArgs, CreateCommunityInput, UpdateCommunityInput } from './communities.inputs';
import { assertCan, type Actor } from './permissions';
import { planRiders } from './community-riders';
import { recordModeration } from '../moderation/moderation-log';
import { ModerationLogAction } from '../moderation/moderation.entity';
import { isTimeZone, levelOf, rulesOf } from '../reputation/rules';
import { addDefaultChannel } from '../channels/channels.service';

/**
 * FORBIDDEN when the viewer is a bot's API key and the community is not its own: a bot reads and
 * acts in its community only. Every community read and permission check passes here (`actorIn`,
 * `canSeeCommunity`, `canReadContent`).
 */
export function assertInBotScope(viewer: Viewer, communityId: number): void {
  if (viewer.communityScope !== undefined && viewer.communityScope !== communityId) {
    throw new Forbidden('This bot acts only in its own community');
  }
}

/** The viewer's standing in a community, from the request's loaders. */
export async function actorIn(loaders: Loaders, viewer: Viewer, communityId: number): Promise<Actor> {
  assertInBotScope(viewer, communityId);
  loaders.cacheScope.community(communityId);
  const { member: membership, banned, mutedUntil } = await loaders.viewerStanding.load(communityId);
  const who = { userId: viewer.userId, isPlatformAdmin: viewer.isAdmin, banned, mutedUntil };
  if (!membership) return { ...who, role: null, level: 1 };
  // Level gates need the community's thresholds; its row is nearly always loaded already.
  const community = await loaders.community.load(communityId);
  const level = community ? levelOf(membership.reputation, rulesOf(community).levelThresholds) : 1;
  return { ...who, role: membership.role, level };
}

/** Visibilities whose profile anyone may read (the `communities` list filters on them in SQL). */
export const LISTED_VISIBILITIES: readonly Visibility[] = [Visibility.PUBLIC, Visibility.RESTRICTED];

/**
 * Whether the viewer may see the community at all (its profile): PUBLIC and RESTRICTED ones, and
 * PRIVATE ones they belong to or are invited to (an invitee sees the profile, not the content).
 * Platform admins see everything. Whoever may not is told exactly what a missing community tells.
 */
export async function canSeeCommunity(loaders: Loaders, viewer: Viewer, community: Community): Promise<boolean> {
  assertInBotScope(viewer, community.id);
  loaders.cacheScope.community(community.id);
  if (community.visibility !== Visibility.PRIVATE || viewer.isAdmin) return true;
  if (viewer.userId === null) return false;
  if (await loaders.viewerMembership.load(community.id)) return true;
  return loaders.viewerInvited.load(community.id);
}

/**
 * Throws unless the viewer may read the community's members and content (see `canReadContent`):
 * NOT_FOUND when they may not even see it (a PRIVATE community must not be told apart from none),
 * FORBIDDEN when they see its profile only (RESTRICTED, or an invitee of a PRIVATE one).
 */
export async function assertCanReadContent(loaders: Loaders, viewer: Viewer, community: Community): Promise<void> {
  if (await canReadContent(loaders, viewer, community)) return;
  if (!(await canSeeCommunity(loaders, viewer, community))) throw new NotFound('Community');
  throw new Forbidden('Only members can read the content of this community');
}

/** Whether the viewer may read the community's members and content: PUBLIC, or a member (RESTRICTED, PRIVATE), or a platform admin. */
export async function canReadContent(loaders: Loaders, viewer: Viewer, community: Community): Promise<boolean> {
  assertInBotScope(viewer, community.id);
  loaders.cacheScope.community(community.id);
  if (community.visibility === Visibility.PUBLIC || viewer.isAdmin) return true;
  return (await loaders.viewerMembership.load(community.id)) !== null;
}

/** A community the viewer can see, or NOT_FOUND (a PRIVATE community is indistinguishable from none). */
export async function visibleCommunity(loaders: Loaders, viewer: Viewer, id: number): Promise<Community> {
  const community = await loaders.community.load(id);
  if (!community || !(await canSeeCommunity(loaders, viewer, community))) throw new NotFound('Community');
  return community;
}

/** Creates a community with the viewer as its OWNER, in one transaction. Taken slug: CONFLICT. */
export async function createCommunity(ctx: Context, input: CreateCommunityInput): Promise<Community> {
  const { viewer } = ctx;
  const userId = requireUser(viewer);
  if (viewer.communityScope !== undefined) throw new Forbidden('This bot acts only in its own community');
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone))
    throw new BadInput('timeZone must be an IANA time zone such as "Europe/Paris"', 'timeZone');
  return write(ctx, async (tx) => {
    const now = new Date();
    const community = tx.create(Community, {
      slug: input.slug,
      name,
      description: input.description.trim(),
      visibility: input.visibility,
      timeZone,
      reportThreshold: DEFAULT_REPORT_THRESHOLD,
      autoModVersion: 0,
      questVersion: 0,
      memberCount: 1,
      restrictedChannels: false,
      createdAt: now,
      updatedAt: now,
    });
    tx.create(Member, { community, user: userId, role: Role.OWNER, reputation: 0, joinedAt: now });
    await tx.flush();
    // Its default channel, in the same transaction (every post belongs to a channel).
    await addDefaultChannel(tx, community);
    return community;
  });
}

/** Updates name, description or visibility (needs `community.update`). */
export async function updateCommunity(
  ctx: Context,
  input: Omit<UpdateCommunityInput, 'id'> & { id: number },
): Promise<Community> {
  const { em, loaders, viewer } = ctx;
  const { id } = input;
  requireUser(viewer);
  const community = await visibleCommunity(loaders, viewer, id);
  assertCan(await actorIn(loaders, viewer, id), 'community.update');
  if (input.name !== undefined && input.name !== null) {
    const name = input.name.trim();
    if (!name) throw new BadInput('name must not be blank', 'name');
    community.name = name;
  }
  if (input.description !== undefined && input.description !== null) community.description = input.description.trim();
  if (input.visibility) community.visibility = input.visibility;
  if (input.timeZone !== undefined && input.timeZone !== null) {
    if (!isTimeZone(input.timeZone))
      throw new BadInput('timeZone must be an IANA time zone such as "Europe/Paris"', 'timeZone');
    community.timeZone = input.timeZone;
  }
  if (
    input.reportThreshold === undefined ||
    input.reportThreshold === null ||
    input.reportThreshold === community.reportThreshold
  ) {
    await em.flush();
    return community;
  }
  await em.flush();
  // The threshold is a moderation setting: its change is logged with the community's other acts.
  const before = community.reportThreshold;
  const after = input.reportThreshold;
  await write(ctx, async (tx) => {
    await sql(tx, 'update communities set report_threshold = ? where id = ?', [after, id], 'run');
    await recordModeration(tx, {
      communityId: id,
      actorId: viewer.userId,
      action: ModerationLogAction.THRESHOLD_CHANGED,
      details: { before, after },
    });
  });
  await em.refresh(community);
  return community;
}

/**
 * Looks a community up by slug; null when it does not exist or the viewer may not see it. With the
 * field's `info`, other modules' riders (community-riders.ts) read what it selects of the
 * community in the same statement.
 */
export async function communityBySlug(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  slug: string,
  info?: GraphQLResolveInfo,
): Promise<Community | null> {
  const params: unknown[] = [slug.toLowerCase()];
  const plans = planRiders(info, loaders, viewer, params);
  const riderColumns = plans.map((plan, i) => `, ${plan.column} as rider_${i}`).join('');
  // The row mapped to a managed entity (as findOne would), without building the query each time.
  const [row] = await fastSql(em, `select c.*${riderColumns} from communities c where c.slug = $1`, params);
  if (!row) return null;
  const values = plans.map((_, i) => {
    const value = row[`rider_${i}`];
    delete row[`rider_${i}`];
    return value;
  });
  const community = em.map(Community, row as never, { refresh: false } as never);
  loaders.community.prime(community.id, community);
  if (!(await canSeeCommunity(loaders, viewer, community))) return null;
  plans.forEach((plan, i) => plan.take(community, values[i]));
  return community;
}

/**
 * How many members `Community.members(role)` lists: `memberCount` (maintained) for all of them; for
 * a staff role, its count from `staffCounts` (one statement for every community of the request);
 * for MEMBER, the rest.
 */
export async function memberCountOf(loaders: Loaders, community: Community, role: Role | null): Promise<number> {
  if (role === null) return community.memberCount;
  const staff = await loaders.staffCounts.load(community.id);
  if (role !== Role.MEMBER) return staff.get(role) ?? 0;
  let count = community.memberCount;
  for (const n of staff.values()) count -= n;
  return Math.max(count, 0);
}

/**
 * Communities the viewer can see, oldest first (paged both ways), filtered by `search`: PUBLIC and RESTRICTED ones,
 * and the PRIVATE ones they belong to. The visibility rule runs in SQL so that pages are full and
 * counts never leak private communities.
 */
export async function listCommunities(em: EntityManager, loaders: Loaders, viewer: Viewer, args: CommunitiesArgs) {
  const page = idPage(args);
  const where: Record<string, unknown>[] = [{ id: { $gt: page.above, $lt: page.below } }];
  if (!viewer.isAdmin) {
    where.push({
      $or: [
        { visibility: { $in: [...LISTED_VISIBILITIES] } },
        ...(viewer.userId !== null
          ? [
              {
                id: {
                  $in: em
                    .createQueryBuilder(Member, 'm')
                    .select('m.community_id')
                    .where({ user: viewer.userId })
                    .getKnexQuery(),
                },
              },
            ]
          : []),
      ],
    });
  }
  const search = args.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push({ $or: [{ name: { $ilike: like } }, { slug: { $ilike: like } }] });
  }
  const rows = await em.find(Community, { $and: where } as never, {
    orderBy: { id: page.fetch },
    limit: page.size + 1,
  });
  for (const c of rows) loaders.community.prime(c.id, c);
  return toConnection(rows, page, (c) => [c.id]);
}
