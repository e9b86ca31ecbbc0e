import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { BadInput, Conflict, NotFound, nullIfHidden } from '../../platform/errors';
import { parseGlobalId } from '../../platform/ids';
import type { Loaders } from '../../platform/loaders';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { write, type After } from '../../platform/database/write';
import type { Community } from '../communities/communities.entity';
import { actorIn, canReadContent, visibleCommunity } from '../communities/communities.service';
import { ROLE_RANK, assertCan, can, type Actor } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { readableComment } from '../posts/comments.service';
import { readablePost } from '../posts/posts.service';
import { readableChatMessage } from '../events/chat.service';
import { readableEvent } from '../events/events.service';
import { readablePoll } from '../polls/polls.service';
import { recordModeration } from './moderation-log';
import {
  ModerationDecision,
  ModerationItem,
  ModerationItemStatus,
  ModerationLogAction,
  ModerationLogEntry,
  ModerationSubjectType,
  Report,
  ReportReason,
  type ContentSnapshot,
} from './moderation.entity';
import { moderationTopics, type QueueChangedEvent } from './moderation.events';
import { MODERATION_LIMITS, type ReportInput } from './moderation.inputs';

/** A subject of moderation, resolved from its global ID under the viewer's visibility. */
export interface ModerationSubject {
  type: ModerationSubjectType;
  /** Its row id; for MEMBER the member's user id (a membership row goes when they leave or are banned). */
  id: number;
  community: Community;
  /** The content's author, or the member. */
  userId: number;
  /** Its content now, for the report's snapshot. */
  snapshot: ContentSnapshot;
  /** Whether it is deleted (a deleted post or comment cannot be reported). */
  deleted: boolean;
}

/** The table of each kind of content, whose `hidden_at` hides it; MEMBER items hide nothing. */
const CONTENT_TABLE = {
  [ModerationSubjectType.POST]: 'posts',
  [ModerationSubjectType.COMMENT]: 'comments',
  [ModerationSubjectType.CHAT_MESSAGE]: 'chat_messages',
  [ModerationSubjectType.EVENT]: 'events',
  [ModerationSubjectType.POLL]: 'polls',
} as const satisfies Partial<Record<ModerationSubjectType, string>>;

export type ContentTable = (typeof CONTENT_TABLE)[keyof typeof CONTENT_TABLE];

export const contentTable = (type: ModerationSubjectType): ContentTable | undefined =>
  (CONTENT_TABLE as Partial<Record<ModerationSubjectType, ContentTable>>)[type];

/**
 * The subject a global ID names, if the viewer may read it (NOT_FOUND otherwise, as on every path):
 * a post, a comment, a chat message, an event, a poll (a `PollOption` ID names its poll), or a
 * member (a `Member` ID).
 */
export async function subjectOf(ctx: Context, globalId: string, field = 'subjectId'): Promise<ModerationSubject> {
  const { loaders, viewer } = ctx;
  const ref = parseGlobalId(globalId);
  const capturedAt = new Date().toISOString();
  const handle = async (userId: number) => (await loaders.user.load(userId))?.handle ?? null;
  switch (ref?.type) {
    case 'Post': {
      const { post, community } = await readablePost(loaders, viewer, ref.id);
      return {
        type: ModerationSubjectType.POST,
        id: post.id,
        community,
        userId: post.author.id,
        deleted: !!post.deletedAt,
        snapshot: { title: post.title, body: post.body, authorHandle: await handle(post.author.id), capturedAt },
      };
    }
    case 'Comment': {
      const { comment, community } = await readableComment(loaders, viewer, ref.id);
      return {
        type: ModerationSubjectType.COMMENT,
        id: comment.id,
        community,
        userId: comment.author.id,
        deleted: !!comment.deletedAt,
        snapshot: { title: null, body: comment.body, authorHandle: await handle(comment.author.id), capturedAt },
      };
    }
    case 'ChatMessage': {
      const { message, community } = await readableChatMessage(loaders, viewer, ref.id);
      return {
        type: ModerationSubjectType.CHAT_MESSAGE,
        id: message.id,
        community,
        userId: message.author.id,
        deleted: !!message.deletedAt,
        snapshot: { title: null, body: message.body, authorHandle: await handle(message.author.id), capturedAt },
      };
    }
    case 'Event': {
      const { event, community } = await readableEvent(loaders, viewer, ref.id);
      const body = [event.description, event.location, event.onlineUrl].filter(Boolean).join('\n');
      return {
        type: ModerationSubjectType.EVENT,
        id: event.id,
        community,
        userId: event.organizer.id,
        deleted: false,
        snapshot: { title: event.title, body, authorHandle: await handle(event.organizer.id), capturedAt },
      };
    }
    case 'Poll':
    case 'PollOption': {
      const pollId = ref.type === 'Poll' ? ref.id : (await loaders.pollOption.load(ref.id))?.poll.id;
      if (pollId === undefined) throw new NotFound('PollOption');
      const { poll, community } = await readablePoll(loaders, viewer, pollId);
      const options = await loaders.pollOptions.load(poll.id);
      return {
        type: ModerationSubjectType.POLL,
        id: poll.id,
        community,
        userId: poll.createdBy.id,
        deleted: false,
        snapshot: {
          title: poll.question,
          body: pollOptionsText(options),
          authorHandle: await handle(poll.createdBy.id),
          capturedAt,
        },
      };
    }
    case 'Member': {
      const member = await loaders.member.load(ref.id);
      const community = member && (await loaders.community.load(member.community.id));
      if (!member || !community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Member');
      return {
        type: ModerationSubjectType.MEMBER,
        id: member.user.id,
        community,
        userId: member.user.id,
        deleted: false,
        snapshot: { title: null, body: null, authorHandle: await handle(member.user.id), capturedAt },
      };
    }
    default:
      throw new BadInput(`${field} must be the ID of a post, comment, chat message, event, poll or member`, field);
  }
}

/** A poll's options as one text, one per line (its snapshot's body, and what AutoMod reads). */
export const pollOptionsText = (options: readonly { text: string }[]) => options.map((o) => o.text).join('\n');

/**
 * How much a report counts toward hiding its subject: the reporter's reputation level, at most
 * MODERATION_LIMITS.maxReportWeight; moderators' and admins' reports weigh the most.
 */
export function reportWeight(actor: Actor): number {
  const max = MODERATION_LIMITS.maxReportWeight;
  if (actor.isPlatformAdmin || (actor.role !== null && ROLE_RANK[actor.role] >= ROLE_RANK.MODERATOR)) return max;
  return Math.max(1, Math.min(actor.level, max));
}

/** Tells `moderationQueueChanged` subscribers (on every instance) that an item changed, after the write's commit. */
export function queueChanged(after: After, communityId: number, itemId: number): void {
  after.publish<QueueChangedEvent>(moderationTopics.queueChanged(communityId), { itemId });
}

/**
 * Hides a post or comment (`hidden_at`), unless it is hidden already; true when this call hid it.
 * Concurrent calls hide it once: the row lock makes the second see the first's `hidden_at`.
 */
export async function hideContent(tx: EntityManager, type: ModerationSubjectType, id: number): Promise<boolean> {
  const table = contentTable(type);
  if (!table) return false;
  const rows = await sql<unknown[]>(
    tx,
    `update ${table} set hidden_at = now() where id = ? and hidden_at is null returning id`,
    [id],
  );
  return rows.length > 0;
}

/** Shows a post or comment again (clears `hidden_at`). */
export async function unhideContent(tx: EntityManager, type: ModerationSubjectType, id: number): Promise<void> {
  const table = contentTable(type);
  if (table) await sql(tx, `update ${table} set hidden_at = null where id = ?`, [id], 'run');
}

/**
 * Files the viewer's report on a subject (`reports.create`; not on oneself or one's own content,
 * not on deleted content). One transaction: the subject's OPEN item is created with the first
 * report or locked by the later ones (so concurrent reports add their weights one after the
 * other), the report is inserted (a second OPEN report of the same reporter on the same subject
 * is refused by a partial unique index: CONFLICT), and when the item's open weight reaches the
 * community's `reportThreshold` the content is hidden, once, and the moderation log says so.
 */
export async function report(ctx: Context, input: ReportInput): Promise<Report> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const subject = await subjectOf(ctx, input.subjectId);
  const actor = await actorIn(loaders, viewer, subject.community.id);
  assertCan(actor, 'reports.create');
  if (subject.userId === userId) throw new BadInput('You cannot report yourself or your own content', 'subjectId');
  if (subject.deleted) throw new BadInput('This was deleted already', 'subjectId');
  const note = (input.note ?? '').trim();
  if (input.reason === ReportReason.OTHER && !note) throw new BadInput('A report for OTHER needs a note', 'note');
  const weight = reportWeight(actor);
  const community = subject.community;
  const reportId = await write(ctx, async (tx, after) => {
    const [item] = await sql<{ id: number }[]>(
      tx,
      `insert into moderation_items (community_id, subject_type, subject_id, subject_user_id, status, open_weight,
                                     report_count, hidden_by_reports, snapshot, created_at, updated_at)
       values (?, ?, ?, ?, 'OPEN', 0, 0, false, ?::jsonb, now(), now())
       on conflict (community_id, subject_type, subject_id) where status = 'OPEN' do update set updated_at = now()
       returning id`,
      [community.id, subject.type, subject.id, subject.userId, JSON.stringify(subject.snapshot)],
    );
    const [filed] = await sql<{ id: number }[]>(
      tx,
      `insert into reports (item_id, community_id, reporter_id, subject_type, subject_id, reason, note, weight, status, snapshot, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'OPEN', ?::jsonb, now())
       on conflict (reporter_id, community_id, subject_type, subject_id) where status = 'OPEN' do nothing
       returning id`,
      [
        item.id,
        community.id,
        userId,
        subject.type,
        subject.id,
        input.reason,
        note,
        weight,
        JSON.stringify(subject.snapshot),
      ],
    );
    if (!filed) throw new Conflict('You have already reported this: moderators will review it', 'subjectId');
    const [{ open_weight: openWeight }] = await sql<{ open_weight: number }[]>(
      tx,
      'update moderation_items set open_weight = open_weight + ?, report_count = report_count + 1 where id = ? returning open_weight',
      [weight, item.id],
    );
    if (openWeight >= community.reportThreshold && (await hideContent(tx, subject.type, subject.id))) {
      await sql(tx, 'update moderation_items set hidden_by_reports = true where id = ?', [item.id], 'run');
      await recordModeration(tx, {
        communityId: community.id,
        actorId: null,
        action: ModerationLogAction.SUBJECT_AUTO_HIDDEN,
        subjectType: subject.type,
        subjectId: subject.id,
        details: { itemId: item.id, openWeight, threshold: community.reportThreshold },
      });
    }
    queueChanged(after, community.id, item.id);
    return filed.id;
  });
  return em.findOneOrFail(Report, reportId);
}

/** FORBIDDEN unless the viewer reviews the community's queue (`moderation.review`); returns their standing. */
export async function assertReviewer(loaders: Loaders, viewer: Viewer, communityId: number): Promise<Actor> {
  const actor = await actorIn(loaders, viewer, communityId);
  assertCan(actor, 'moderation.review');
  return actor;
}

/** Whether the viewer reviews the community's queue (for fields shown to moderators only). */
export async function isReviewer(loaders: Loaders, viewer: Viewer, communityId: number): Promise<boolean> {
  if (viewer.userId === null) return false;
  return can(await actorIn(loaders, viewer, communityId), 'moderation.review');
}

/** `Community.moderationQueue`: its items of a status, oldest first, paged both ways (needs `moderation.review`). */
export async function moderationQueue(
  { em, loaders, viewer }: Context,
  community: Community,
  args: { status: ModerationItemStatus; reason?: ReportReason | null } & PageArgsShape,
) {
  await assertReviewer(loaders, viewer, community.id);
  const page = idPage(args);
  const rows = await sql(
    em,
    `select i.* from moderation_items i
      where i.community_id = ? and i.status = ? and i.id > ? and i.id < ?
        ${args.reason ? 'and exists (select 1 from reports r where r.item_id = i.id and r.reason = ?)' : ''}
      order by i.id ${page.fetch} limit ?`,
    [community.id, args.status, page.above, page.below, ...(args.reason ? [args.reason] : []), page.size + 1],
  );
  const items = rows.map((row) => {
    const item = em.map(ModerationItem, row);
    loaders.moderationItem.prime(item.id, item);
    return item;
  });
  return toConnection(items, page, (i) => [i.id]);
}

/** `viewerReports`: the viewer's own reports, newest first (paged both ways), with their outcomes. */
export async function viewerReports({ em, viewer }: Context, args: PageArgsShape) {
  const userId = requireUser(viewer);
  const page = idPage(args, 'desc');
  const rows = await em.find(
    Report,
    { reporter: userId, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (r) => [r.id]);
}

/** `viewerModerationActions`: decisions that restricted the viewer (DISMISS aside), newest first (paged both ways). */
export async function viewerModerationActions({ em, viewer }: Context, args: PageArgsShape) {
  const userId = requireUser(viewer);
  const page = idPage(args, 'desc');
  const rows = await em.find(
    ModerationDecision,
    { affectedUser: userId, action: { $ne: 'DISMISS' as never }, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (d) => [d.id]);
}

/** `Community.moderationLog`: its acts, newest first (paged both ways), optionally of one actor or one kind (needs `moderation.review`). */
export async function moderationLog(
  { em, loaders, viewer }: Context,
  community: Community,
  args: { actorId?: number | null; action?: ModerationLogAction | null } & PageArgsShape,
) {
  await assertReviewer(loaders, viewer, community.id);
  const page = idPage(args, 'desc');
  const rows = await em.find(
    ModerationLogEntry,
    {
      communityId: community.id,
      id: { $gt: page.above, $lt: page.below },
      ...(args.actorId ? { actorId: args.actorId } : {}),
      ...(args.action ? { action: args.action } : {}),
    },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (e) => [e.id]);
}

/** An item the viewer reviews, by id, or NOT_FOUND (an item of a community they cannot see) / FORBIDDEN. */
export async function reviewableItem(ctx: Context, itemId: number): Promise<{ item: ModerationItem; actor: Actor }> {
  const { loaders, viewer } = ctx;
  requireUser(viewer);
  const item = await loaders.moderationItem.load(itemId);
  if (!item || !(await nullIfHidden(visibleCommunity(loaders, viewer, item.community.id))))
    throw new NotFound('Moderation item');
  return { item, actor: await assertReviewer(loaders, viewer, item.community.id) };
}

/** Whether the viewer may read a decision: the member it affects, and the community's reviewers. */
export async function canReadDecision(ctx: Context, decision: ModerationDecision): Promise<boolean> {
  if (ctx.viewer.userId === null) return false;
  if (decision.affectedUser.id === ctx.viewer.userId) return true;
  return isReviewer(ctx.loaders, ctx.viewer, decision.community.id);
}
