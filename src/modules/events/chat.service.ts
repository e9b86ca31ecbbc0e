import { QuestAction } from '../quests/quests.entity';
import { countsAction, liveGoals, matching, recordQuests, unrecordQuests } from '../quests/quests.record';
import { settle } from '../reputation/ledger';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound, nullIfHidden } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Row } from '../../platform/live-feed';
import { decodeCursor, encodeCursor, PAGE_LIMITS } from '../../platform/pagination';
import { Role, type Community } from '../communities/communities.entity';
import { actorIn } from '../communities/communities.service';
import { assertCan, outranks } from '../communities/permissions';
import { allowed, authorize } from '../communities/policies';
import { write, type After } from '../../platform/database/write';
import { requireUser } from '../identity/identity.service';
import { AutoModSubject } from '../moderation/automod-engine';
import { applyVerdict, screenWrite } from '../moderation/automod';
import { queueChanged } from '../moderation/moderation.service';
import type { Viewer } from '../identity/viewer';
import { ref, timestamp, view } from '../../platform/views';
import { takeAuthor } from '../identity/user-views';
import { ChatMessage } from './chat.entity';
import { chatTopics, chatClosed, type ChatMessageAddedEvent, type ChatMessageRemovedEvent } from './chat.events';
import { CHAT_LIMITS, type ChatHistoryArgs, type QuestionsArgs } from './chat.inputs';
import { Event, EventKind } from './events.entity';
import { primeEventForWrite, readableEvent } from './events.service';

/** A chat message view from a row with joined author columns; its author is primed in `loaders`. */
export function chatMessageFromRow(loaders: Loaders, row: Record<string, unknown>): ChatMessage {
  return chatMessageView(takeAuthor(loaders, row));
}

/** A chat message view from its row. */
function chatMessageView(r: Record<string, unknown>): ChatMessage {
  return view(ChatMessage, {
    id: r.id,
    event: ref(r.event_id),
    author: ref(r.author_id),
    body: r.body,
    isQuestion: r.is_question,
    upvotes: r.upvotes,
    answeredAt: timestamp(r.answered_at),
    hiddenAt: timestamp(r.hidden_at),
    deletedAt: timestamp(r.deleted_at),
    createdAt: timestamp(r.created_at),
  });
}

/** A LIVE_STREAM event the viewer runs; FORBIDDEN or BAD_USER_INPUT otherwise. */
async function runStream(ctx: Context, eventId: number): Promise<Event> {
  requireUser(ctx.viewer);
  const { event } = await readableEvent(ctx.loaders, ctx.viewer, eventId);
  await authorize(ctx, 'event.runStream', event);
  if (event.kind !== EventKind.LIVE_STREAM) throw new BadInput('This event is not a live stream', 'eventId');
  if (event.cancelledAt) throw new BadInput('This event is cancelled', 'eventId');
  return event;
}

async function reloaded(em: EntityManager, id: number): Promise<Event> {
  return em.findOneOrFail(Event, id, { refresh: true });
}

/** Starts the stream: its chat opens. Starting a live stream again changes nothing; an ended one stays ended. */
export async function startLiveStream(ctx: Context, { eventId }: { eventId: number }): Promise<Event> {
  const event = await runStream(ctx, eventId);
  if (event.liveEndedAt) throw new BadInput('This stream has ended', 'eventId');
  // Not on a stream cancelled meanwhile: a cancelled stream's chat stays closed.
  await ctx.em.nativeUpdate(
    Event,
    { id: event.id, liveStartedAt: null, cancelledAt: null },
    { liveStartedAt: new Date() },
  );
  return reloaded(ctx.em, event.id);
}

/** Ends the stream: its chat closes (`chatMessageAdded` subscriptions complete); history stays readable. */
export async function endLiveStream(ctx: Context, { eventId }: { eventId: number }): Promise<Event> {
  const event = await runStream(ctx, eventId);
  if (!event.liveStartedAt) throw new BadInput('This stream has not started', 'eventId');
  await write(
    ctx,
    async (tx, after) => {
      const ended = await tx.nativeUpdate(Event, { id: event.id, liveEndedAt: null }, { liveEndedAt: new Date() });
      if (ended) chatClosed(after, event.id);
    },
    { mode: 'statement' },
  );
  return reloaded(ctx.em, event.id);
}

/** Sets slow mode: seconds a member waits between messages (0 turns it off). */
export async function setSlowMode(
  ctx: Context,
  { eventId, seconds }: { eventId: number; seconds: number },
): Promise<Event> {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > CHAT_LIMITS.maxSlowModeSeconds) {
    throw new BadInput(`seconds must be 0 to ${CHAT_LIMITS.maxSlowModeSeconds}`, 'seconds');
  }
  const event = await runStream(ctx, eventId);
  await ctx.em.nativeUpdate(Event, { id: event.id }, { slowModeSeconds: seconds });
  return reloaded(ctx.em, event.id);
}

/**
 * Sends a message to a live stream's chat (a member's, `chat.send`, while the stream is live).
 * Muted members: FORBIDDEN. Over CHAT_RATE_LIMIT, or inside the stream's slow mode (which spares
 * the organizer and moderators): RATE_LIMITED with `retryAfter`. Published after it commits.
 */
export async function sendChatMessage(
  ctx: Context,
  { eventId, body, isQuestion }: { eventId: number; body: string; isQuestion: boolean },
): Promise<ChatMessage> {
  const { em, loaders, viewer, rateLimiter, config } = ctx;
  const userId = requireUser(viewer);
  await primeEventForWrite(em, loaders, userId, eventId);
  const { event } = await readableEvent(loaders, viewer, eventId);
  assertCan(await actorIn(loaders, viewer, event.community.id), 'chat.send');
  if (event.kind !== EventKind.LIVE_STREAM) throw new BadInput('This event has no chat', 'eventId');
  if (!event.liveStartedAt) throw new BadInput('The chat opens when the stream starts', 'eventId');
  if (event.liveEndedAt) throw new BadInput('The stream has ended', 'eventId');
  const text = body.trim();
  if (!text) throw new BadInput('body must not be blank', 'body');
  // A flood limit for everyone (CHAT_RATE_LIMIT), then the stream's slow mode for members.
  await rateLimiter.consume(
    `chat-burst:${event.id}:${userId}`,
    config.CHAT_RATE_LIMIT,
    config.CHAT_RATE_WINDOW_SECONDS * 1000,
  );
  if (event.slowModeSeconds > 0 && !(await allowed(ctx, 'event.runStream', event))) {
    await rateLimiter.consume(`chat-slow:${event.id}:${userId}`, 1, event.slowModeSeconds * 1000);
  }
  // AutoMod screens the message first: a BLOCK refuses it here; a community without rules reads nothing.
  const communityId = event.community.id;
  const verdict = await screenWrite(
    { em, loaders, viewer },
    { communityId, subject: AutoModSubject.CHAT_MESSAGE, text },
  );
  // A live quest counting chat messages (of this event) costs one more statement: none otherwise.
  const community = (await loaders.community.load(communityId))!;
  const quest = { action: QuestAction.CHAT_MESSAGE, userId, eventId: event.id };
  const quested = matching(await liveGoals(em, community), community.timeZone, { ...quest, cause: '' }).length > 0;
  // The mute check and the insert in one statement (chat is the busiest write path): no row back means muted.
  const insert = (db: EntityManager) =>
    sql<Row | undefined>(
      db,
      `insert into chat_messages (event_id, author_id, body, is_question, upvotes, created_at)
       select ?, ?, ?, ?, 0, now()
        where not exists (select 1 from chat_mutes where event_id = ? and user_id = ? and (until is null or until > now()))
       returning *`,
      [event.id, userId, text, isQuestion, event.id, userId],
      'get',
    );
  const row = await write(
    ctx,
    async (tx, after) => {
      const inserted = await insert(tx);
      if (!inserted) return inserted;
      after.publish<ChatMessageAddedEvent>(chatTopics.messageAdded(event.id), { messageId: inserted.id as number });
      if (quested) {
        const changes = await recordQuests(tx, community, { ...quest, cause: `chat:${inserted.id as number}` });
        settle(after, ctx, community, changes);
      }
      if (!verdict) return inserted;
      // A matching rule queues the message (HOLD: hidden) in the insert's transaction.
      const applied = await applyVerdict(tx, verdict, {
        communityId,
        subject: AutoModSubject.CHAT_MESSAGE,
        id: inserted.id as number,
        authorId: userId,
        title: null,
        body: text,
      });
      queueChanged(after, communityId, applied.itemId);
      return applied.hidden ? { ...inserted, hidden_at: new Date() } : inserted;
    },
    // Without AutoMod's verdict to apply or a quest to count, the one statement is the whole write.
    { mode: verdict ? 'orm' : quested ? 'sql' : 'statement' },
  );
  if (!row) {
    const mute = await sql<{ until: string | null } | undefined>(
      em,
      'select until from chat_mutes where event_id = ? and user_id = ? and (until is null or until > now())',
      [event.id, userId],
      'get',
    );
    const until = timestamp(mute?.until);
    throw new Forbidden(
      until ? `You are muted in this chat until ${until.toISOString()}` : 'You are muted in this chat',
    );
  }
  return chatMessageView(row);
}

/**
 * A message of a stream the viewer may read, with its event and community; NOT_FOUND otherwise
 * (or when removed: a removed message answers exactly like a missing one, not "Event not found").
 */
export async function readableChatMessage(
  loaders: Loaders,
  viewer: Viewer,
  id: number,
): Promise<{ message: ChatMessage; event: Event; community: Community }> {
  const message = await loaders.chatMessage.load(id);
  const readable =
    message && !message.deletedAt && (await nullIfHidden(readableEvent(loaders, viewer, message.event.id)));
  if (!message || !readable) throw new NotFound('ChatMessage');
  return { message, ...readable };
}

/**
 * Removes a message (its author, the organizer or a moderator): everyone watching gets
 * `chatMessageRemoved`. Returns the stream's event.
 */
export async function deleteChatMessage(ctx: Context, { id }: { id: number }): Promise<Event> {
  requireUser(ctx.viewer);
  const { message, event } = await readableChatMessage(ctx.loaders, ctx.viewer, id);
  await authorize(ctx, 'chatMessage.delete', { message, event });
  const community = (await ctx.loaders.community.load(event.community.id))!;
  const quested = await countsAction(ctx.em, community, QuestAction.CHAT_MESSAGE);
  await write(
    ctx,
    async (tx, after) => {
      // An sql() statement, not the ORM's: in mode 'sql' only sql() statements run in the transaction.
      const removed = (
        await sql<{ id: number }[]>(
          tx,
          'update chat_messages set deleted_at = now() where id = ? and deleted_at is null returning id',
          [id],
        )
      ).length;
      if (removed) chatMessageRemoved(after, event.id, id);
      // What the message counted toward its author's quests (periods not completed) is taken back.
      if (removed && quested)
        await unrecordQuests(tx, community, QuestAction.CHAT_MESSAGE, message.author.id, `chat:${id}`);
    },
    { mode: quested ? 'sql' : 'statement' },
  );
  return event;
}

/** Tells the stream's watchers that a message was removed, after the write's commit. */
export function chatMessageRemoved(after: After, eventId: number, messageId: number): void {
  after.publish<ChatMessageRemovedEvent>(chatTopics.messageRemoved(eventId), { messageId });
}

/**
 * Mutes a member in a stream's chat (the organizer or a moderator), for `minutes` or until unmuted.
 * Moderators and above can only be muted by someone who outranks them.
 */
export async function muteChatMember(
  ctx: Context,
  { eventId, userId, minutes }: { eventId: number; userId: number; minutes: number | null },
): Promise<boolean> {
  const actorId = requireUser(ctx.viewer);
  const event = await runStream(ctx, eventId);
  if (userId === actorId) throw new BadInput('You cannot mute yourself', 'userId');
  const target = await sql<{ role: Role } | undefined>(
    ctx.em,
    'select role from members where community_id = ? and user_id = ?',
    [event.community.id, userId],
    'get',
  );
  if (!target) throw new NotFound('Member');
  const actor = await actorIn(ctx.loaders, ctx.viewer, event.community.id);
  if (target.role !== Role.MEMBER && !outranks(actor, target.role))
    throw new Forbidden('You can only mute members you outrank');
  const until = minutes ? new Date(Date.now() + minutes * 60_000) : null;
  await sql(
    ctx.em,
    `insert into chat_mutes (event_id, user_id, muted_by_id, until, created_at) values (?, ?, ?, ?, now())
     on conflict (event_id, user_id) do update set muted_by_id = excluded.muted_by_id, until = excluded.until, created_at = now()`,
    [event.id, userId, actorId, until],
    'run',
  );
  return true;
}

/** Lifts a mute; false when there was none. */
export async function unmuteChatMember(
  ctx: Context,
  { eventId, userId }: { eventId: number; userId: number },
): Promise<boolean> {
  const event = await runStream(ctx, eventId);
  const rows = await sql<unknown[]>(ctx.em, 'delete from chat_mutes where event_id = ? and user_id = ? returning id', [
    event.id,
    userId,
  ]);
  return rows.length > 0;
}

/**
 * Upvotes (or withdraws the upvote of) a question: members, once each, not their own. The
 * question's row is locked, so the count stays exact under concurrent upvotes.
 */
export async function upvoteQuestion(
  ctx: Context,
  { id, upvoted }: { id: number; upvoted: boolean },
): Promise<ChatMessage> {
  const userId = requireUser(ctx.viewer);
  const { message, event } = await readableChatMessage(ctx.loaders, ctx.viewer, id);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, event.community.id), 'chat.send');
  if (!message.isQuestion) throw new BadInput('Only questions take upvotes', 'id');
  if (message.author.id === userId) throw new Forbidden('You cannot upvote your own question');
  await write(ctx, async (tx) => {
    await sql(tx, 'select id from chat_messages where id = ? for no key update', [id]);
    const changed = await sql<unknown[]>(
      tx,
      upvoted
        ? 'insert into question_upvotes (message_id, user_id, created_at) values (?, ?, now()) on conflict do nothing returning id'
        : 'delete from question_upvotes where message_id = ? and user_id = ? returning id',
      [id, userId],
    );
    if (changed.length)
      await sql(tx, 'update chat_messages set upvotes = upvotes + ? where id = ?', [upvoted ? 1 : -1, id], 'run');
  });
  await ctx.em.refresh(message);
  return message;
}

/** Marks a question answered, or not (the organizer or a moderator). */
export async function markQuestionAnswered(
  ctx: Context,
  { id, answered }: { id: number; answered: boolean },
): Promise<ChatMessage> {
  requireUser(ctx.viewer);
  const { message, event } = await readableChatMessage(ctx.loaders, ctx.viewer, id);
  await authorize(ctx, 'chatMessage.answer', { message, event });
  if (!message.isQuestion) throw new BadInput('Only questions can be answered', 'id');
  message.answeredAt = answered ? (message.answeredAt ?? new Date()) : null;
  await ctx.em.flush();
  return message;
}

/**
 * `Event.chatMessages(last, before)`: the latest `last` messages (before the cursor), oldest
 * first, removed ones left out. Its `endCursor` is the cursor to pass to `chatMessageAdded(after:)`
 * so the live stream continues exactly where the history stops.
 */
export async function chatHistory(ctx: Context, event: Event, args: ChatHistoryArgs) {
  const size = Math.min(args.last ?? PAGE_LIMITS.defaultSize, PAGE_LIMITS.maxSize);
  const beforeId = args.before ? (decodeCursor(args.before, ['number'], 'before')[0] as number) : null;
  const rows = await ctx.loaders.chatPage.load({ eventId: event.id, size, beforeId });
  const page = rows
    .slice(0, size)
    .reverse()
    .map((row) => chatMessageFromRow(ctx.loaders, row));
  const edges = page.map((node) => ({ node, cursor: encodeCursor([node.id]) }));
  // With no message yet, the end cursor still marks "now", so a live stream started from it misses nothing.
  const newest = beforeId === null && !edges.length ? await ctx.loaders.newestChatId.load(event.id) : null;
  return {
    edges,
    pageInfo: {
      hasPreviousPage: rows.length > size,
      hasNextPage: beforeId !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? (newest !== null ? encodeCursor([newest]) : null),
    },
  };
}

/** `Event.questions`: the stream's questions, most upvoted first, then oldest. */
export async function eventQuestions(ctx: Context, event: Event, args: QuestionsArgs) {
  const size = Math.min(args.first ?? PAGE_LIMITS.defaultSize, PAGE_LIMITS.maxSize);
  const after = args.after ? (decodeCursor(args.after, ['number', 'number']) as [number, number]) : null;
  const rows = await ctx.loaders.questionsPage.load({
    eventId: event.id,
    size,
    answered: args.answered ?? null,
    after,
  });
  const page = rows.slice(0, size).map((row) => chatMessageFromRow(ctx.loaders, row));
  const edges = page.map((node) => ({ node, cursor: encodeCursor([node.upvotes, node.id]) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: !!args.after,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
