import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { contentText, maskable } from '../posts/hidden-content';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import { liveStream } from '../../platform/live-stream';
import {
  Connection,
  connectionComplexity,
  decodeCursor,
  encodeCursor,
  pageComplexity,
} from '../../platform/pagination';
import { CollapsingQueue } from '../../platform/collapsing-queue';
import { listenForRechecks } from '../../platform/follow';
import { liveDefaults, liveRowsSource, type LiveRowsSource } from '../../platform/live-feed';
import { closable } from '../../platform/streams';
import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { communityTopics } from '../communities/communities.events';
import { Visibility } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { AUTHOR_COLUMNS } from '../identity/user-views';
import { sql } from '../../platform/database/sql';
import { ChatMessage } from './chat.entity';
import { chatTopics, type ChatMessageAddedEvent, type ChatMessageRemovedEvent } from './chat.events';
import {
  ChatHistoryArgs,
  CloseLiveStreamInput,
  MarkQuestionAsAnsweredInput,
  MuteChatMemberInput,
  MuteLiveChatMemberInput,
  MuteLiveChatMemberPayload,
  OpenLiveStreamInput,
  QuestionsArgs,
  RemoveChatMessageInput,
  RemoveChatMessagePayload,
  SendChatMessageInput,
  SetChatSlowModeInput,
  SetQuestionUpvoteInput,
  UnmuteLiveChatMemberInput,
  UnmuteLiveChatMemberPayload,
} from './chat.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as chat from './chat.service';
import { Event, EventKind } from './events.entity';
import { readableEvent } from './events.service';
import { BadInput } from '../../platform/errors';

/**
 * `chatMessageAdded(eventId)` on a PUBLIC community's stream: one execution per (document,
 * variables); one with a cursor replays on its own, then joins it.
 */
export const chatMessageAddedShareKey = liveFieldShareKey(
  'chatMessageAdded',
  'eventId',
  'Event',
  async (ctx, eventId) => {
    const { community } = await readableEvent(ctx.loaders, ctx.viewer, eventId);
    return community.visibility === Visibility.PUBLIC;
  },
  (message) => (message as ChatMessage).id,
);

@ObjectType()
export class ChatMessageConnection extends Connection(ChatMessage, 'ChatMessage') {}

/**
 * What chat followers check their access against: the community's visibility, and whether the chat
 * has closed (the stream ended or was cancelled: no message comes any more).
 */
type ChatState = Visibility | `${Visibility}:closed`;

const chatState = (visibility: Visibility, closed: boolean): ChatState =>
  closed ? `${visibility}:closed` : visibility;
const chatClosed = (state: ChatState) => state.endsWith(':closed');

/**
 * A stream's chat as a live feed, with the messages' authors (`a__` columns), removed ones left
 * out; its state is the community's visibility and whether the chat closed (null once the event is gone).
 */
function chatSource(eventId: number): LiveRowsSource<ChatState> {
  return liveRowsSource({
    topic: chatTopics.messageAdded(eventId),
    idOf: (event) => (event as Partial<Extract<ChatMessageAddedEvent, { messageId: number }>>).messageId,
    table: 'chat_messages',
    alias: 'm',
    scopeColumn: 'event_id',
    scopeId: eventId,
    filter: 'deleted_at is null',
    columns: AUTHOR_COLUMNS,
    joins: ['join users u on u.id = m.author_id'],
    async state(em) {
      const state = await sql<{ visibility: Visibility; closed: boolean } | undefined>(
        em,
        `select c.visibility, (e.live_ended_at is not null or e.cancelled_at is not null) as closed
           from events e join communities c on c.id = e.community_id where e.id = ?`,
        [eventId],
        'get',
      );
      return state ? chatState(state.visibility, state.closed) : null;
    },
  });
}

/** The community-visibility check of an event, for streams: the event must be a live stream the viewer may read. */
async function readableStream(ctx: Context, eventId: number): Promise<ChatState> {
  const { event, community } = await readableEvent(ctx.loaders, ctx.viewer, eventId);
  if (event.kind !== EventKind.LIVE_STREAM) throw new BadInput('This event has no chat', 'eventId');
  return chatState(community.visibility, !!event.liveEndedAt || !!event.cancelledAt);
}

/**
 * `chatMessageAdded(eventId, after)`: with `after` (the `endCursor` of `Event.chatMessages`) it
 * first replays what was said since, then streams live messages: no gap, no duplicate, nothing
 * lost when Redis reconnects (see {@link liveStream}). Ends when the viewer may no longer read the
 * event, and once the chat closes (the stream ended or was cancelled), after its last messages.
 */
async function chatMessageAddedStream(
  ctx: Context,
  eventId: number,
  afterId: number | null,
): Promise<AsyncIterable<ChatMessage>> {
  const state = await readableStream(ctx, eventId);
  const source = chatSource(eventId);
  return liveStream({
    ctx,
    source,
    afterId,
    state,
    ended: chatClosed,
    replay: (em, after, limit) => source.rowsAfter(em, after, [], limit),
    toItem: (row) => chat.chatMessageFromRow(ctx.loaders, row),
    recheck: () => readableStream(ctx, eventId),
    recheckTopics: ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
  });
}

/** What wakes a `chatMessageRemoved` subscription: a removal announced, a reason to re-check access, or a catch-up from the database. */
type RemovalItem = { messageId: number } | { recheck: true } | { catchUp: true };

/**
 * `chatMessageRemoved(eventId)`: ids of removed messages; access is checked again before each one,
 * and when the viewer's memberships change (so a banned member's subscription ends at once).
 * Removals announced while pub/sub was away (a Redis restart), or more than a slow consumer's queue
 * holds, are read from the database: everything removed since the subscription started that it
 * has not sent yet, a page at a time, so a viewer never keeps showing a message a moderator took down.
 */
async function chatMessageRemovedStream(ctx: Context, eventId: number): Promise<AsyncIterable<string>> {
  await readableStream(ctx, eventId);
  const { pageSize, maxQueuedRows } = liveDefaults;
  const events = ctx.pubsub.subscribe<ChatMessageRemovedEvent>(chatTopics.messageRemoved(eventId));
  const items = new CollapsingQueue<RemovalItem>({
    maxWeight: maxQueuedRows,
    weigh: () => 1,
    collapse: () => ({ catchUp: true }),
  });
  const rechecks = listenForRechecks(
    ctx,
    ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
    items,
  );
  const stopCatchUp = ctx.pubsub.onReconnect(() => items.push({ catchUp: true }));
  const close = async () => {
    stopCatchUp();
    items.end();
    await events.return?.();
    await (await rechecks.catch(() => null))?.close();
  };
  try {
    await Promise.all([events.ready, rechecks]);
  } catch (err) {
    await close();
    throw err;
  }
  // The database's clock, as deleted_at is: removals from here on are this subscription's to send.
  let since = { at: (await sql<{ now: string }>(ctx.em, 'select now()::text as now', [], 'get')).now, id: 0 };
  void (async () => {
    for await (const event of events) items.push({ messageId: event.messageId });
    items.end();
  })();
  const sent = new Set<number>();

  /** Removals after `since`, a page at a time (the next read once the consumer took this one). */
  async function* catchUp(): AsyncGenerator<number> {
    for (;;) {
      const rows = await sql<{ id: number; at: string }[]>(
        ctx.em,
        `select id, deleted_at::text as at from chat_messages
          where event_id = ? and deleted_at is not null and (deleted_at, id) > (?::timestamptz, ?)
          order by deleted_at, id limit ?`,
        [eventId, since.at, since.id, pageSize],
      );
      for (const row of rows) {
        since = { at: row.at, id: row.id };
        yield row.id;
      }
      if (rows.length < pageSize) return;
      ctx.refresh();
    }
  }

  async function* authorized(): AsyncGenerator<string> {
    try {
      for await (const item of items) {
        ctx.refresh();
        if (
          !(await readableStream(ctx, eventId).then(
            () => true,
            () => false,
          ))
        )
          return;
        const ids = 'messageId' in item ? [item.messageId] : 'catchUp' in item ? catchUp() : [];
        for await (const id of ids) {
          if (sent.has(id)) continue;
          sent.add(id);
          if (sent.size > 10_000) sent.delete(sent.values().next().value!);
          yield toGlobalId('ChatMessage', id);
        }
      }
    } finally {
      await close();
    }
  }
  return closable(authorized(), close);
}

@Resolver(() => ChatMessage)
export class ChatResolver {
  @Mutation(() => Event, {
    description: 'Starts a LIVE_STREAM (its organizer, or a MODERATOR or above): the chat opens.',
  })
  openLiveStream(
    @Arg('input', { description: 'The LIVE_STREAM event.' }) input: OpenLiveStreamInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return chat.startLiveStream(ctx, { eventId: fromGlobalId('Event', input.eventId, 'eventId') });
  }

  @Mutation(() => Event, { description: 'Ends a LIVE_STREAM: the chat closes, its history stays.' })
  closeLiveStream(
    @Arg('input', { description: 'The LIVE_STREAM event.' }) input: CloseLiveStreamInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return chat.endLiveStream(ctx, { eventId: fromGlobalId('Event', input.eventId, 'eventId') });
  }

  @Mutation(() => Event, {
    description: 'Sets the seconds each member waits between chat messages (0 turns slow mode off).',
  })
  setChatSlowMode(
    @Arg('input', { description: 'The LIVE_STREAM event and the seconds.' }) input: SetChatSlowModeInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return chat.setSlowMode(ctx, { eventId: fromGlobalId('Event', input.eventId, 'eventId'), seconds: input.seconds });
  }

  @Mutation(() => ChatMessage, {
    description:
      "Says something in a live stream's chat (members, while it is live). Slow mode: RATE_LIMITED with retryAfter.",
  })
  sendChatMessage(
    @Arg('input', { description: 'The stream, the text and whether it is a question.' }) input: SendChatMessageInput,
    @Ctx() ctx: Context,
  ): Promise<ChatMessage> {
    return chat.sendChatMessage(ctx, {
      eventId: fromGlobalId('Event', input.eventId, 'eventId'),
      body: input.body,
      isQuestion: input.isQuestion,
    });
  }

  @Mutation(() => RemoveChatMessagePayload, {
    description: 'Removes a chat message (its author, the organizer or a moderator); viewers get chatMessageRemoved.',
  })
  async removeChatMessage(
    @Arg('input', { description: 'The chat message.' }) input: RemoveChatMessageInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveChatMessagePayload> {
    const id = fromGlobalId('ChatMessage', input.id);
    const event = await chat.deleteChatMessage(ctx, { id });
    return { removedMessageId: toGlobalId('ChatMessage', id), event };
  }

  @Mutation(() => MuteLiveChatMemberPayload, {
    description: "Mutes a member in a stream's chat, for some minutes or until unmuted (the organizer or a moderator).",
  })
  async muteLiveChatMember(
    @Arg('input', { description: 'The stream, the member and for how long.' }) input: MuteLiveChatMemberInput,
    @Ctx() ctx: Context,
  ): Promise<MuteLiveChatMemberPayload> {
    const eventId = fromGlobalId('Event', input.eventId, 'eventId');
    const userId = fromGlobalId('User', input.userId, 'userId');
    await chat.muteChatMember(ctx, { eventId, userId, minutes: input.minutes ?? null });
    return this.streamAndUser(ctx, eventId, userId);
  }

  @Mutation(() => UnmuteLiveChatMemberPayload, { description: 'Lifts a chat mute.' })
  async unmuteLiveChatMember(
    @Arg('input', { description: 'The stream and the muted member.' }) input: UnmuteLiveChatMemberInput,
    @Ctx() ctx: Context,
  ): Promise<UnmuteLiveChatMemberPayload> {
    const eventId = fromGlobalId('Event', input.eventId, 'eventId');
    const userId = fromGlobalId('User', input.userId, 'userId');
    const unmuted = await chat.unmuteChatMember(ctx, { eventId, userId });
    return { ...(await this.streamAndUser(ctx, eventId, userId)), unmuted };
  }

  @Mutation(() => ChatMessage, {
    description: 'Upvotes a question of the live Q&A (or withdraws the upvote with upvoted: false).',
  })
  setQuestionUpvote(
    @Arg('input', { description: 'The question and whether you upvote it.' }) input: SetQuestionUpvoteInput,
    @Ctx() ctx: Context,
  ): Promise<ChatMessage> {
    return chat.upvoteQuestion(ctx, { id: fromGlobalId('ChatMessage', input.id), upvoted: input.upvoted });
  }

  @Mutation(() => ChatMessage, { description: 'Marks a question answered (or not), as the organizer or a moderator.' })
  markQuestionAsAnswered(
    @Arg('input', { description: 'The question and whether it is answered.' }) input: MarkQuestionAsAnsweredInput,
    @Ctx() ctx: Context,
  ): Promise<ChatMessage> {
    return chat.markQuestionAnswered(ctx, { id: fromGlobalId('ChatMessage', input.id), answered: input.answered });
  }

  @Mutation(() => Event, {
    description: 'Starts a LIVE_STREAM (its organizer, or a MODERATOR or above): the chat opens.',
    deprecationReason: replacedBy('startLiveStream'),
  })
  startLiveStream(
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return this.openLiveStream({ eventId }, ctx);
  }

  @Mutation(() => Event, {
    description: 'Ends a LIVE_STREAM: the chat closes, its history stays.',
    deprecationReason: replacedBy('endLiveStream'),
  })
  endLiveStream(
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return this.closeLiveStream({ eventId }, ctx);
  }

  @Mutation(() => Event, {
    description: 'Sets the seconds each member waits between chat messages (0 turns slow mode off).',
    deprecationReason: replacedBy('setSlowMode'),
  })
  setSlowMode(
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId: string,
    @Arg('seconds', () => Int, {
      description: "Seconds between a member's messages, 0 to 3600; 0 turns slow mode off.",
    })
    seconds: number,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return this.setChatSlowMode({ eventId, seconds }, ctx);
  }

  @Mutation(() => Boolean, {
    description: 'Removes a chat message (its author, the organizer or a moderator); viewers get chatMessageRemoved.',
    deprecationReason: replacedBy('deleteChatMessage'),
  })
  async deleteChatMessage(
    @Arg('id', () => ID, { description: 'Global id of the chat message.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.removeChatMessage({ id }, ctx);
    return true;
  }

  @Mutation(() => Boolean, {
    description: "Mutes a member in a stream's chat, for some minutes or until unmuted (the organizer or a moderator).",
    deprecationReason: replacedBy('muteChatMember'),
  })
  async muteChatMember(
    @Arg('input', { description: 'The stream, the member and for how long.' }) input: MuteChatMemberInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.muteLiveChatMember(input, ctx);
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Lifts a chat mute; false when there was none.',
    deprecationReason: replacedBy('unmuteChatMember'),
  })
  async unmuteChatMember(
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId: string,
    @Arg('userId', () => ID, { description: 'Global id of the muted user.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await this.unmuteLiveChatMember({ eventId, userId }, ctx)).unmuted;
  }

  @Mutation(() => ChatMessage, {
    description: 'Upvotes a question of the live Q&A (or withdraws the upvote with upvoted: false).',
    deprecationReason: replacedBy('upvoteQuestion'),
  })
  upvoteQuestion(
    @Arg('id', () => ID, { description: 'Global id of the question (a chat message asked as a question).' }) id: string,
    @Arg('upvoted', { defaultValue: true, description: 'True to upvote (default), false to withdraw your upvote.' })
    upvoted: boolean,
    @Ctx() ctx: Context,
  ): Promise<ChatMessage> {
    return this.setQuestionUpvote({ id, upvoted }, ctx);
  }

  @Mutation(() => ChatMessage, {
    description: 'Marks a question answered (or not), as the organizer or a moderator.',
    deprecationReason: replacedBy('markQuestionAnswered'),
  })
  markQuestionAnswered(
    @Arg('id', () => ID, { description: 'Global id of the question.' }) id: string,
    @Arg('answered', {
      defaultValue: true,
      description: 'True to mark it answered (default), false to mark it unanswered.',
    })
    answered: boolean,
    @Ctx() ctx: Context,
  ): Promise<ChatMessage> {
    return this.markQuestionAsAnswered({ id, answered }, ctx);
  }

  /** A chat payload's stream and member, from the request's loaders. */
  private async streamAndUser(ctx: Context, eventId: number, userId: number): Promise<{ event: Event; user: User }> {
    const [event, user] = await Promise.all([ctx.loaders.event.load(eventId), ctx.loaders.user.load(userId)]);
    return { event: event!, user: user! };
  }

  @Subscription(() => ChatMessage, {
    description:
      "Messages of a live stream's chat as they are sent. With `after` (the endCursor of Event.chatMessages) it first replays what was said since: no gap, no duplicate.",
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const eventId = fromGlobalId('Event', args.eventId as string, 'eventId');
      const afterId = args.after ? (decodeCursor(args.after as string, ['number'])[0] as number) : null;
      return chatMessageAddedStream(ctx, eventId, afterId);
    },
  })
  chatMessageAdded(
    @Root() message: ChatMessage,
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event to follow.' }) _eventId: string,
    @Arg('after', () => String, {
      nullable: true,
      description:
        'A chat message cursor (the endCursor of `Event.chatMessages`): replay the messages sent after it first.',
    })
    _after?: string,
  ): ChatMessage {
    return message;
  }

  @Subscription(() => ID, {
    description: "Ids of messages removed from a live stream's chat.",
    subscribe: ({ args, context }) =>
      chatMessageRemovedStream(context as Context, fromGlobalId('Event', args.eventId as string, 'eventId')),
  })
  chatMessageRemoved(
    @Root() id: string,
    @Arg('eventId', () => ID, { description: 'Global id of the LIVE_STREAM event to follow.' }) _eventId: string,
  ): string {
    return id;
  }

  @FieldResolver(() => String, {
    description: 'Opaque cursor of this message, for `chatMessageAdded(after:)` and `chatMessages(before:)`.',
  })
  cursor(@Root() message: ChatMessage): string {
    return encodeCursor([message.id]);
  }

  @FieldResolver(() => User, { description: 'The member who sent it.' })
  async author(@Root() message: ChatMessage, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(message.author.id))!;
  }

  @FieldResolver(() => Boolean, {
    description:
      "Hidden by moderation (reports past the community's threshold, an AutoMod HOLD, or a HIDE decision): readers other than its author and the community's moderators read `[hidden by moderation]` instead of its body.",
  })
  hidden(@Root() message: ChatMessage): boolean {
    return !!message.hiddenAt;
  }

  @FieldResolver(() => Boolean, {
    description: 'You blocked its author: its body reads `[from a member you blocked]` to you.',
  })
  viewerBlockedAuthor(@Root() message: ChatMessage, @Ctx() ctx: Context): boolean {
    return ctx.viewer.blocked.has(message.author.id);
  }

  // A message hidden by moderation shows its body to its author and the moderators only (hidden-content.ts).
  @FieldResolver()
  body(@Root() message: ChatMessage, @Ctx() ctx: Context): string | Promise<string> {
    const content = { hiddenAt: message.hiddenAt, authorId: message.author.id };
    if (!maskable(ctx, content)) return message.body;
    return contentText(
      ctx,
      { ...content, communityId: async () => (await ctx.loaders.event.load(message.event.id))?.community.id ?? null },
      message.body,
    );
  }

  @FieldResolver(() => Event, { description: 'The live stream the message was sent in.' })
  async event(@Root() message: ChatMessage, @Ctx() { loaders }: Context): Promise<Event> {
    return (await loaders.event.load(message.event.id))!;
  }
}

@Resolver(() => Event)
export class EventChatResolver {
  @FieldResolver(() => Boolean, {
    description: 'LIVE_STREAM: started, and neither ended nor cancelled (the chat is open).',
  })
  live(@Root() event: Event): boolean {
    return !!event.liveStartedAt && !event.liveEndedAt && !event.cancelledAt;
  }

  @FieldResolver(() => ChatMessageConnection, {
    complexity: pageComplexity({ arg: 'last' }),
    description:
      'The latest chat messages, oldest first; `before` loads older ones. Pass the endCursor to chatMessageAdded(after:) to go live without a gap.',
  })
  chatMessages(@Root() event: Event, @Args() args: ChatHistoryArgs, @Ctx() ctx: Context) {
    return chat.chatHistory(ctx, event, args);
  }

  @FieldResolver(() => ChatMessageConnection, {
    complexity: connectionComplexity,
    description: 'Questions of the live Q&A, most upvoted first.',
  })
  questions(@Root() event: Event, @Args() args: QuestionsArgs, @Ctx() ctx: Context) {
    return chat.eventQuestions(ctx, event, args);
  }
}
