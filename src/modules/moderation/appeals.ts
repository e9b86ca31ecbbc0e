import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { enqueue } from '../../platform/jobs/jobs';
import { BadInput, Conflict, Forbidden, NotFound, nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import type { Community, Member } from '../communities/communities.entity';
import { visibleCommunity } from '../communities/communities.service';
import { readmitted, liftBanAndReadmit } from '../communities/membership.service';
import { requireUser } from '../identity/identity.service';
import { restoreReversed, settle, type LedgerChange } from '../reputation/ledger';
import { recordModeration } from './moderation-log';
import {
  Appeal,
  AppealOutcome,
  AppealStatus,
  ModerationAction,
  ModerationLogAction,
  type ModerationDecision,
} from './moderation.entity';
import { MODERATION_LIMITS, type AppealInput, type DecideAppealInput } from './moderation.inputs';
import { assertReviewer, contentTable, queueChanged } from './moderation.service';

const DAY_MS = 86_400_000;

/**
 * Appeals a decision that restricted the viewer (any action but DISMISS), once, within
 * MODERATION_LIMITS.appealWindowDays of it. A decision of someone else's is NOT_FOUND; a second
 * appeal is a CONFLICT (a unique key). A ban does not stop its member appealing it: the appeal is
 * the path out of the ban, and it changes nothing until another moderator decides it.
 */
export async function appeal(ctx: Context, input: AppealInput): Promise<Appeal> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const decision = await loaders.moderationDecision.load(
    fromGlobalId('ModerationDecision', input.decisionId, 'decisionId'),
  );
  if (!decision || decision.affectedUser.id !== userId) throw new NotFound('Moderation decision');
  if (decision.action === ModerationAction.DISMISS) {
    throw new BadInput('A dismissal restricts nobody: there is nothing to appeal', 'decisionId');
  }
  if (decision.reversedAt) throw new BadInput('This decision was reversed already', 'decisionId');
  const closes = decision.createdAt.getTime() + MODERATION_LIMITS.appealWindowDays * DAY_MS;
  if (Date.now() > closes) {
    throw new BadInput(`Decisions are appealed within ${MODERATION_LIMITS.appealWindowDays} days`, 'decisionId');
  }
  const text = input.text.trim();
  if (!text) throw new BadInput('text must not be blank', 'text');
  const row = await write(
    ctx,
    async (tx, after) => {
      const [inserted] = await sql<{ id: number }[]>(
        tx,
        `insert into moderation_appeals (decision_id, community_id, appellant_id, decision_moderator_id, text, status, statement, created_at)
     values (?, ?, ?, ?, ?, 'PENDING', '', now())
     on conflict (decision_id) do nothing returning id`,
        [decision.id, decision.community.id, userId, decision.moderator.id, text],
      );
      if (!inserted) throw new Conflict('You have appealed this decision already', 'decisionId');
      queueChanged(after, decision.community.id, decision.item.id);
      return inserted;
    },
    { mode: 'statement' },
  );
  return em.findOneOrFail(Appeal, row.id);
}

/** What undoing a decision changed outside its own rows. */
interface Undone {
  changes: LedgerChange[];
  readmitted: Member | null;
}

/**
 * Undoes a decision's effect inside `tx`: hidden content is shown, removed content restored (a
 * post's or comment's texts from the decision's `before`, its reputation through `restoreReversed`;
 * a chat message back in the history), the mute lifted,
 * the ban lifted and the member readmitted with their role; a warning has nothing to undo.
 */
async function undo(tx: EntityManager, decision: ModerationDecision, actorId: number): Promise<Undone> {
  const table = contentTable(decision.subjectType);
  const before = (decision.before ?? {}) as Record<string, unknown>;
  const communityId = decision.community.id;
  const userId = decision.affectedUser.id;
  switch (decision.action) {
    case ModerationAction.HIDE:
      if (table) await sql(tx, `update ${table} set hidden_at = null where id = ?`, [decision.subjectId], 'run');
      return { changes: [], readmitted: null };
    case ModerationAction.REMOVE: {
      if (table === 'chat_messages') {
        await sql(
          tx,
          'update chat_messages set deleted_at = null, hidden_at = null where id = ?',
          [decision.subjectId],
          'run',
        );
        return { changes: [], readmitted: null };
      }
      if (table !== 'posts' && table !== 'comments') return { changes: [], readmitted: null };
      const flag = table === 'posts' ? 'pinned' : 'featured';
      await sql(
        tx,
        `update ${table} set deleted_at = null, hidden_at = null, body = ?, body_html = ?, ${flag} = ? where id = ?`,
        [before.body, before.body_html, before[flag] ?? false, decision.subjectId],
        'run',
      );
      const changes = await restoreReversed(tx, (before.reversed as number[] | undefined) ?? [], actorId);
      return { changes, readmitted: null };
    }
    case ModerationAction.MUTE:
      await sql(
        tx,
        'delete from community_mutes where community_id = ? and user_id = ? and decision_id = ?',
        [communityId, userId, decision.id],
        'run',
      );
      return { changes: [], readmitted: null };
    case ModerationAction.BAN:
      return { changes: [], readmitted: await liftBanAndReadmit(tx, communityId, userId) };
    default:
      return { changes: [], readmitted: null };
  }
}

/**
 * Decides an appeal (`moderation.review`) by a moderator other than the one who decided (the
 * database refuses it otherwise: see the Appeal entity) and other than the appellant: UPHOLD keeps
 * the decision, REVERSE undoes its effects, in the same transaction, and marks it reversed. The
 * statement of reasons is required; the moderation log records the outcome.
 */
export async function decideAppeal(ctx: Context, input: DecideAppealInput): Promise<Appeal> {
  const { em, loaders, viewer } = ctx;
  const moderatorId = requireUser(viewer);
  const appealId = fromGlobalId('Appeal', input.appealId, 'appealId');
  const found = await em.findOne(Appeal, appealId);
  if (!found || !(await nullIfHidden(visibleCommunity(loaders, viewer, found.community.id)))) {
    throw new NotFound('Appeal');
  }
  await assertReviewer(loaders, viewer, found.community.id);
  if (found.decisionModerator.id === moderatorId) {
    throw new Forbidden('An appeal is decided by a moderator other than the one who decided');
  }
  if (found.appellant.id === moderatorId) throw new Forbidden('You cannot decide your own appeal');
  const statement = input.statement.trim();
  if (!statement) throw new BadInput('The decision on an appeal needs a statement of reasons', 'statement');
  const decision = (await loaders.moderationDecision.load(found.decision.id))!;
  const community = (await loaders.community.load(found.community.id)) as Community;
  const reverse = input.outcome === AppealOutcome.REVERSE;
  await write(ctx, async (tx, after) => {
    const [locked] = await sql<{ id: number }[]>(
      tx,
      `update moderation_appeals set status = ?, decided_by_id = ?, statement = ?, decided_at = now()
        where id = ? and status = 'PENDING' returning id`,
      [reverse ? AppealStatus.REVERSED : AppealStatus.UPHELD, moderatorId, statement, appealId],
    );
    if (!locked) throw new Conflict('This appeal was decided already', 'appealId');
    let result: Undone = { changes: [], readmitted: null };
    if (reverse) {
      const [marked] = await sql<{ id: number }[]>(
        tx,
        'update moderation_decisions set reversed_at = now() where id = ? and reversed_at is null returning id',
        [decision.id],
      );
      if (marked) result = await undo(tx, decision, moderatorId);
    }
    await enqueue(tx, 'notifications.appeal', { appealId }); // the appellant hears of the outcome
    await recordModeration(tx, {
      communityId: community.id,
      actorId: moderatorId,
      action: ModerationLogAction.APPEAL_DECIDED,
      subjectType: decision.subjectType,
      subjectId: decision.subjectId,
      ruleId: decision.rule?.id ?? null,
      statement,
      details: { appealId, decisionId: decision.id, outcome: input.outcome, action: decision.action },
    });
    settle(after, ctx, community, result.changes);
    if (result.readmitted) readmitted(after, ctx, result.readmitted);
    queueChanged(after, community.id, decision.item.id);
  });
  await em.refresh(decision); // reversed now: the payload's `decision` reads its new state
  return em.findOneOrFail(Appeal, appealId, { refresh: true });
}

/** `Community.appeals`: appeals of a status, oldest first, paged both ways (`moderation.review`). */
export async function communityAppeals(
  { em, loaders, viewer }: Context,
  community: Community,
  args: { status: AppealStatus } & PageArgsShape,
) {
  await assertReviewer(loaders, viewer, community.id);
  const page = idPage(args);
  const rows = await em.find(
    Appeal,
    { community: community.id, status: args.status, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (a) => [a.id]);
}
