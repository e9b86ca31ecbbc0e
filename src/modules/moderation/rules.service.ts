import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import { sql } from '../../platform/database/sql';
import { BadInput, NotFound, nullIfHidden } from '../../platform/errors';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { actorIn, visibleCommunity } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import { lockCommunity } from '../communities/membership.service';
import { fromGlobalId } from '../../platform/ids';
import type { Loaders } from '../../platform/loaders';
import { recordModeration } from './moderation-log';
import { CommunityRule, ModerationLogAction } from './moderation.entity';
import { MODERATION_LIMITS, type CreateCommunityRuleInput, type UpdateCommunityRuleInput } from './moderation.inputs';

/**
 * The id of the rule in force of `communityId` that `ruleId` (a global id) names: null when none is
 * given, BAD_USER_INPUT on `ruleId` when it names no such rule (another community's, or a deleted one).
 */
export async function communityRuleOf(
  loaders: Loaders,
  communityId: number,
  ruleId: string | null | undefined,
): Promise<number | null> {
  if (!ruleId) return null;
  const id = fromGlobalId('CommunityRule', ruleId, 'ruleId');
  const rule = await loaders.communityRule.load(id);
  if (!rule || rule.community.id !== communityId || rule.archivedAt) {
    throw new BadInput('ruleId must name a rule of this community', 'ruleId');
  }
  return id;
}

/** The community's rules in force, in order. */
function rulesOf(tx: EntityManager, communityId: number): Promise<CommunityRule[]> {
  return tx.find(
    CommunityRule,
    { community: communityId, archivedAt: null },
    { orderBy: { position: 'asc', id: 'asc' }, refresh: true },
  );
}

/** Numbers the rules 1…n in the given order, writing only those whose position changed. */
async function renumber(tx: EntityManager, rules: CommunityRule[]): Promise<void> {
  for (const [index, rule] of rules.entries()) {
    if (rule.position !== index + 1) {
      await sql(tx, 'update community_rules set position = ? where id = ?', [index + 1, rule.id], 'run');
      rule.position = index + 1;
    }
  }
}

function cleanTitle(title: string): string {
  const clean = title.trim();
  if (!clean) throw new BadInput('title must not be blank', 'title');
  return clean;
}

/** `Community.rules`: its rules in force, in order, paged both ways (as readable as the community's profile). */
export async function communityRules({ em, loaders }: Context, community: Community, args: PageArgsShape) {
  // Keyed on position (1…n): a cursor holds a rule's position.
  const page = idPage(args);
  const rows = await em.find(
    CommunityRule,
    { community: community.id, archivedAt: null, position: { $gt: page.above, $lt: page.below } },
    { orderBy: { position: page.fetch, id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(
    rows,
    page,
    (r) => [r.position],
    () => loaders.communityRuleCount.load(community.id),
  );
}

/** Adds a rule at the end of the community's list (`rules.edit`, at most MODERATION_LIMITS.maxRules). */
export async function createCommunityRule(
  ctx: Context,
  communityId: number,
  input: Omit<CreateCommunityRuleInput, 'communityId'>,
): Promise<CommunityRule> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  assertCan(await actorIn(loaders, viewer, communityId), 'rules.edit');
  const title = cleanTitle(input.title);
  const description = input.description.trim();
  const id = await write(ctx, async (tx) => {
    await lockCommunity(tx, communityId); // concurrent edits keep positions 1…n
    const rules = await rulesOf(tx, communityId);
    if (rules.length >= MODERATION_LIMITS.maxRules) {
      throw new BadInput(`A community has at most ${MODERATION_LIMITS.maxRules} rules`, 'communityId');
    }
    const [row] = await sql<{ id: number }[]>(
      tx,
      `insert into community_rules (community_id, position, title, description, created_at, updated_at)
       values (?, ?, ?, ?, now(), now()) returning id`,
      [communityId, rules.length + 1, title, description],
    );
    await recordModeration(tx, {
      communityId,
      actorId: userId,
      action: ModerationLogAction.RULE_CREATED,
      ruleId: row.id,
      details: { after: { title, description, position: rules.length + 1 } },
    });
    return row.id;
  });
  return em.findOneOrFail(CommunityRule, id);
}

/** A rule in force that the viewer may edit (`rules.edit`), or NOT_FOUND / FORBIDDEN. */
async function editableRule(ctx: Context, id: number): Promise<CommunityRule> {
  const { em, loaders, viewer } = ctx;
  requireUser(viewer);
  const rule = await em.findOne(CommunityRule, { id, archivedAt: null });
  if (!rule || !(await nullIfHidden(visibleCommunity(loaders, viewer, rule.community.id))))
    throw new NotFound('Community rule');
  assertCan(await actorIn(loaders, viewer, rule.community.id), 'rules.edit');
  return rule;
}

/** Edits a rule's title or description, or moves it (`rules.edit`). Decisions that named it name it still. */
export async function updateCommunityRule(
  ctx: Context,
  id: number,
  input: Omit<UpdateCommunityRuleInput, 'id'>,
): Promise<CommunityRule> {
  const { em, viewer } = ctx;
  const rule = await editableRule(ctx, id);
  const communityId = rule.community.id;
  const title = input.title != null ? cleanTitle(input.title) : undefined;
  await write(ctx, async (tx) => {
    await lockCommunity(tx, communityId); // concurrent edits keep positions 1…n
    const rules = await rulesOf(tx, communityId);
    const current = rules.find((r) => r.id === id);
    if (!current) throw new NotFound('Community rule');
    const before = { title: current.title, description: current.description, position: current.position };
    if (input.position != null) {
      const others = rules.filter((r) => r.id !== id);
      const at = Math.min(input.position, rules.length) - 1;
      await renumber(tx, [...others.slice(0, at), current, ...others.slice(at)]);
    }
    const description = input.description != null ? input.description.trim() : current.description;
    await sql(
      tx,
      'update community_rules set title = ?, description = ?, updated_at = now() where id = ?',
      [title ?? current.title, description, id],
      'run',
    );
    await recordModeration(tx, {
      communityId,
      actorId: viewer.userId,
      action: ModerationLogAction.RULE_UPDATED,
      ruleId: id,
      details: { before, after: { title: title ?? current.title, description, position: current.position } },
    });
  });
  return em.findOneOrFail(CommunityRule, id, { refresh: true });
}

/**
 * Deletes a rule (`rules.edit`): it is no longer listed nor named by new decisions; decisions that
 * named it keep it (it is archived, not erased). The others close ranks. Returns its community's id.
 */
export async function deleteCommunityRule(ctx: Context, id: number): Promise<number> {
  const { viewer } = ctx;
  const rule = await editableRule(ctx, id);
  const communityId = rule.community.id;
  await write(ctx, async (tx) => {
    await lockCommunity(tx, communityId); // concurrent edits keep positions 1…n
    const archived = await sql<unknown[]>(
      tx,
      'update community_rules set archived_at = now() where id = ? and archived_at is null returning id',
      [id],
    );
    if (!archived.length) throw new NotFound('Community rule');
    await renumber(tx, await rulesOf(tx, communityId));
    await recordModeration(tx, {
      communityId,
      actorId: viewer.userId,
      action: ModerationLogAction.RULE_DELETED,
      ruleId: id,
      details: { before: { title: rule.title, description: rule.description, position: rule.position } },
    });
  });
  return communityId;
}
