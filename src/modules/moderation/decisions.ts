import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { enqueue } from '../../platform/jobs/jobs';
import { BadInput, Conflict, Forbidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { assertCan, outranks } from '../communities/permissions';
import { banned, placeBan } from '../communities/membership.service';
import { chatMessageRemoved } from '../events/chat.service';
import { requireUser } from '../identity/identity.service';
import { DELETED_TEXT } from '../posts/posts.service';
import { EARNED_BY_CONTENT, reverseSubject, settle, type LedgerChange } from '../reputation/ledger';
import { ReputationSubjectType } from '../reputation/reputation.entity';
import { recordModeration } from './moderation-log';
import {
  ModerationAction,
  ModerationDecision,
  ModerationItemStatus,
  ModerationLogAction,
  ModerationSubjectType,
  ReportStatus,
  type ModerationItem,
} from './moderation.entity';
import { MODERATION_LIMITS, type DecideInput } from './moderation.inputs';
import { communityRuleOf } from './rules.service';
import { contentTable, hideContent, queueChanged, reviewableItem, unhideContent } from './moderation.service';

/** Actions that restrict the member behind an item (its content's author, or the reported member). */
const RESTRICTS_MEMBER: ReadonlySet<ModerationAction> = new Set([
  ModerationAction.WARN,
  ModerationAction.MUTE,
  ModerationAction.BAN,
]);

/** What REMOVE deletes; events and polls have no deletion: HIDE them. */
const REMOVABLE: ReadonlySet<ModerationSubjectType> = new Set([
  ModerationSubjectType.POST,
  ModerationSubjectType.COMMENT,
  ModerationSubjectType.CHAT_MESSAGE,
]);

const REPUTATION_SUBJECT: Partial<Record<ModerationSubjectType, ReputationSubjectType>> = {
  [ModerationSubjectType.POST]: ReputationSubjectType.POST,
  [ModerationSubjectType.COMMENT]: ReputationSubjectType.COMMENT,
};

/** The duration a decision takes, checked: MUTE needs one, BAN may have one (none: permanent), the others none. */
function durationOf(action: ModerationAction, seconds: number | null | undefined): number | null {
  const { minDurationSeconds: min, maxDurationSeconds: max } = MODERATION_LIMITS;
  if (seconds === null || seconds === undefined) {
    if (action === ModerationAction.MUTE) throw new BadInput('A MUTE needs durationSeconds', 'durationSeconds');
    return null;
  }
  if (action !== ModerationAction.MUTE && action !== ModerationAction.BAN) {
    throw new BadInput('durationSeconds applies to MUTE and BAN only', 'durationSeconds');
  }
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new BadInput(`durationSeconds must be between ${min} and ${max}`, 'durationSeconds');
  }
  return seconds;
}

const DELETED_ALREADY = 'This was deleted already: decide another action (DISMISS, WARN, MUTE or BAN)';

/**
 * Removes a post or comment as a moderator's deletion does (its text replaced, its upvotes'
 * reputation reversed), or a chat message as `removeChatMessage` does (left out of the chat's
 * history), keeping what it held in `before`, so that a reversal can restore it.
 */
async function removeContent(
  tx: EntityManager,
  item: ModerationItem,
  moderatorId: number,
): Promise<{ before: Record<string, unknown>; changes: LedgerChange[] }> {
  const table = contentTable(item.subjectType);
  if (table === 'chat_messages') {
    const removed = await sql<unknown[]>(
      tx,
      'update chat_messages set deleted_at = now() where id = ? and deleted_at is null returning id',
      [item.subjectId],
    );
    if (!removed.length) throw new BadInput(DELETED_ALREADY, 'action');
    return { before: { deleted_at: null }, changes: [] };
  }
  const extra = table === 'posts' ? 'title, pinned' : 'featured';
  const [row] = await sql<Record<string, unknown>[]>(
    tx,
    `select body, body_html, hidden_at, deleted_at, ${extra} from ${table} where id = ? for update`,
    [item.subjectId],
  );
  if (!row || row.deleted_at) throw new BadInput(DELETED_ALREADY, 'action');
  await sql(
    tx,
    `update ${table} set deleted_at = now(), body = ?, body_html = ?, ${table === 'posts' ? 'pinned' : 'featured'} = false where id = ?`,
    [DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, item.subjectId],
    'run',
  );
  const changes = await reverseSubject(
    tx,
    REPUTATION_SUBJECT[item.subjectType]!,
    item.subjectId,
    EARNED_BY_CONTENT,
    moderatorId,
  );
  return { before: { ...row, deleted_at: null, reversed: changes.map((c) => c.id) }, changes };
}

/** Mutes the member until `until`, replacing a mute in force; `before` says what it replaced. */
async function placeMute(
  tx: EntityManager,
  communityId: number,
  userId: number,
  moderatorId: number,
  decisionId: number,
  until: Date,
): Promise<Record<string, unknown>> {
  const [previous] = await sql<{ until: string }[]>(
    tx,
    'select until from community_mutes where community_id = ? and user_id = ? and until > now() for update',
    [communityId, userId],
  );
  await sql(
    tx,
    `insert into community_mutes (community_id, user_id, muted_by_id, decision_id, until, created_at) values (?, ?, ?, ?, ?, now())
     on conflict (community_id, user_id) do update
       set muted_by_id = excluded.muted_by_id, decision_id = excluded.decision_id, until = excluded.until, created_at = now()`,
    [communityId, userId, moderatorId, decisionId, until],
    'run',
  );
  return { mutedUntil: previous ? new Date(previous.until).toISOString() : null };
}

/**
 * Decides a review-queue item (`moderation.review`), in one transaction with its effects:
 * DISMISS shows the subject again if its reports hid it; HIDE keeps it hidden; REMOVE deletes it
 * as a moderator's deletion does (its upvotes' reputation reversed); WARN records the decision;
 * MUTE and BAN restrict the member behind it (`durationSeconds`; a BAN without one is permanent,
 * and needs `members.ban`). Every action but DISMISS names a rule of the community and a statement
 * of reasons, which the affected member reads. The item's OPEN reports take the outcome (UPHELD or
 * DISMISSED), and the moderation log records the decision. A moderator cannot decide an item about
 * themselves or their content, nor restrict a member of their rank or above; an item decided
 * meanwhile is a CONFLICT.
 */
export async function decide(ctx: Context, input: DecideInput): Promise<ModerationDecision> {
  const { em, loaders, viewer } = ctx;
  const moderatorId = requireUser(viewer);
  const { item, actor } = await reviewableItem(ctx, fromGlobalId('ModerationItem', input.itemId, 'itemId'));
  const { action } = input;
  const communityId = item.community.id;
  const affectedUserId = item.subjectUser.id;
  if (!contentTable(item.subjectType) && (action === ModerationAction.HIDE || action === ModerationAction.REMOVE)) {
    throw new BadInput(`${action} applies to content: a member is warned, muted or banned`, 'action');
  }
  if (action === ModerationAction.REMOVE && !REMOVABLE.has(item.subjectType)) {
    throw new BadInput(
      'REMOVE applies to posts, comments and chat messages: HIDE an event or a poll (its organizer can cancel or close it)',
      'action',
    );
  }
  if (affectedUserId === moderatorId) {
    throw new Forbidden('You cannot decide an item about you or your content: another moderator will');
  }
  const statement = (input.statement ?? '').trim();
  const ruleId = await communityRuleOf(loaders, communityId, input.ruleId);
  if (action !== ModerationAction.DISMISS) {
    if (ruleId === null) throw new BadInput('The decision must name the community rule it enforces', 'ruleId');
    if (!statement) throw new BadInput('The decision needs a statement of reasons for the member', 'statement');
  }
  const duration = durationOf(action, input.durationSeconds);
  if (RESTRICTS_MEMBER.has(action)) {
    if (action === ModerationAction.BAN) assertCan(actor, 'members.ban');
    const target = await loaders.memberOfUser.load({ communityId, userId: affectedUserId });
    if (target && !outranks(actor, target.role)) throw new Forbidden('You can only restrict members below you');
  }
  const endsAt = duration !== null ? new Date(Date.now() + duration * 1000) : null;
  const community = (await loaders.community.load(communityId))!;

  // Read before the transaction: a read on another connection inside it would wait on it (PGlite).
  const removedMessage =
    action === ModerationAction.REMOVE && item.subjectType === ModerationSubjectType.CHAT_MESSAGE
      ? await ctx.loaders.chatMessage.load(item.subjectId)
      : null;
  const decisionId = await write(ctx, async (tx, after) => {
    const [locked] = await sql<{ status: string }[]>(
      tx,
      'select status from moderation_items where id = ? for update',
      [item.id],
    );
    if (locked.status !== ModerationItemStatus.OPEN) throw new Conflict('This item was decided meanwhile', 'itemId');
    const [{ id }] = await sql<{ id: number }[]>(
      tx,
      `insert into moderation_decisions (item_id, community_id, moderator_id, action, rule_id, statement, duration_seconds,
                                         ends_at, subject_type, subject_id, affected_user_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()) returning id`,
      [
        item.id,
        communityId,
        moderatorId,
        action,
        ruleId,
        statement,
        duration,
        endsAt,
        item.subjectType,
        item.subjectId,
        affectedUserId,
      ],
    );
    let before: Record<string, unknown> | null = null;
    let changes: LedgerChange[] = [];
    switch (action) {
      case ModerationAction.DISMISS:
        if (item.hiddenByReports) await unhideContent(tx, item.subjectType, item.subjectId);
        break;
      case ModerationAction.HIDE: {
        const hid = await hideContent(tx, item.subjectType, item.subjectId);
        before = { hidden: !hid && !item.hiddenByReports ? 'before the reports' : item.hiddenByReports };
        break;
      }
      case ModerationAction.REMOVE:
        ({ before, changes } = await removeContent(tx, item, moderatorId));
        break;
      case ModerationAction.WARN:
        break;
      case ModerationAction.MUTE:
        before = await placeMute(tx, communityId, affectedUserId, moderatorId, id, endsAt!);
        break;
      case ModerationAction.BAN:
        await placeBan(tx, {
          communityId,
          userId: affectedUserId,
          actor,
          reason: statement,
          until: endsAt,
          decisionId: id,
        });
        break;
    }
    if (before)
      await sql(
        tx,
        'update moderation_decisions set before = ?::jsonb where id = ?',
        [JSON.stringify(before), id],
        'run',
      );
    await sql(
      tx,
      `update reports set status = ?, closed_at = now() where item_id = ? and status = 'OPEN'`,
      [action === ModerationAction.DISMISS ? ReportStatus.DISMISSED : ReportStatus.UPHELD, item.id],
      'run',
    );
    await sql(
      tx,
      `update moderation_items set status = 'DECIDED', decided_at = now(), updated_at = now() where id = ?`,
      [item.id],
      'run',
    );
    // The affected member hears of a restriction (notifications.decision), if and only if it commits.
    if (action !== ModerationAction.DISMISS) await enqueue(tx, 'notifications.decision', { decisionId: id });
    await recordModeration(tx, {
      communityId,
      actorId: moderatorId,
      action: ModerationLogAction.DECISION,
      subjectType: item.subjectType,
      subjectId: item.subjectId,
      ruleId,
      statement,
      details: { decisionId: id, itemId: item.id, action, durationSeconds: duration, affectedUserId },
    });
    settle(after, ctx, community, changes);
    if (action === ModerationAction.BAN) banned(after, ctx, communityId, affectedUserId);
    if (removedMessage) chatMessageRemoved(after, removedMessage.event.id, removedMessage.id);
    queueChanged(after, communityId, item.id);
    return id;
  });
  await em.refresh(item); // decided now: the payload's `item` reads its new state
  return em.findOneOrFail(ModerationDecision, decisionId);
}
