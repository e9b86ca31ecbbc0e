import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { fastSql } from '../../platform/database/sql';
import { nullIfHidden } from '../../platform/errors';
import { decodeCursor, encodeCursor } from '../../platform/pagination';
import { fromGlobalId } from '../../platform/ids';
import type { FeedSource, Row } from '../../platform/live-feed';
import { liveStream } from '../../platform/live-stream';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { Community, JoinRequest } from '../communities/communities.entity';
import { visibleCommunity } from '../communities/communities.service';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import { Appeal, ModerationDecision } from '../moderation/moderation.entity';
import { readableComment } from '../posts/comments.service';
import { Comment, Post } from '../posts/posts.entity';
import { readablePost } from '../posts/posts.service';
import { badgeView } from '../reputation/reputation.service';
import { MemberBadgeView } from '../reputation/reputation.types';
import { Poll } from '../polls/polls.entity';
import { Event } from '../events/events.entity';
import { readableEvent } from '../events/events.service';
import { readablePoll } from '../polls/polls.service';
import { WebhookEndpoint } from '../webhooks/webhooks.entity';
import { managesWebhooks } from '../webhooks/webhooks.service';
import { Notification } from './notifications.entity';
import { notificationTopics } from './notifications.events';
import * as notifications from './notifications.service';
import { replacedBy } from '../../platform/deprecations';

@ObjectType()
export class NotificationConnection extends Connection(Notification, 'Notification', {
  totalCount:
    'How many notifications the list holds (all pages; with `unreadOnly`, `unreadNotificationCount`): counted on an index of your own notifications, whose read ones are kept NOTIFICATION_RETENTION_DAYS (90 by default).',
}) {}

@InputType({ description: "A post's thread to mute or unmute for you." })
class MutePostThreadInput {
  @Field(() => ID, { description: 'Global id of the post.' }) postId!: string;
  @Field({ defaultValue: true, description: 'True to mute (default), false to unmute.' }) muted!: boolean;
}

@InputType({ description: 'How far to mark your notifications read.' })
class MarkNotificationsAsReadInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Global id of the newest notification to mark read; omitted: all of them.',
  })
  upTo?: string | null;
}

@ArgsType()
class NotificationsArgs extends PageArgs {
  @Field({ nullable: true, description: 'Only those not read yet.' })
  unreadOnly?: boolean;
}

/** Rows of a user's notifications after `after` (or in `late`), oldest first. */
function rowsAfter(em: EntityManager, userId: number, after: number, late: number[], limit: number): Promise<Row[]> {
  return fastSql<Row>(
    em,
    `select * from notifications where user_id = $1 and (id > $2 or id = any($3::int[])) order by id limit $4`,
    [userId, after, late, limit],
  );
}

/** The shared feed of one user's notifications (state: always readable by their recipient). */
function notificationSource(userId: number): FeedSource<true> {
  return {
    topic: notificationTopics.added(userId),
    idOf: (event) => (event as { notificationId?: number }).notificationId,
    async newest(em) {
      const [row] = await fastSql<{ id: number }>(
        em,
        'select coalesce(max(id), 0)::int as id from notifications where user_id = $1',
        [userId],
      );
      return row.id;
    },
    async read(em, after, late, limit) {
      return { rows: await rowsAfter(em, userId, after, late, limit), state: true };
    },
  };
}

@Resolver(() => User)
export class UserNotificationsResolver {
  @FieldResolver(() => NotificationConnection, {
    complexity: connectionComplexity,
    description:
      'Your notifications, newest first (`unreadOnly`: those not read yet). Only the user themself may read them.',
  })
  notifications(@Root() user: User, @Args() args: NotificationsArgs, @Ctx() ctx: Context) {
    return notifications.notifications(ctx, user.id, args);
  }

  @FieldResolver(() => Int, { description: 'Your notifications not read yet. Only the user themself may read it.' })
  unreadNotificationCount(@Root() user: User, @Ctx() ctx: Context): Promise<number> {
    return notifications.unreadCount(ctx, user.id);
  }
}

/** Thread mutes: a member's own switch on a post's REPLY and MENTION notifications. */
@Resolver(() => Post)
export class PostThreadMuteResolver {
  @Mutation(() => Post, {
    description:
      "Mutes (or, with `muted: false`, unmutes) a post's thread for you: while muted, no REPLY or MENTION notification of it reaches you. Members of its community.",
  })
  mutePostThread(
    @Arg('input', { description: 'The post and whether its thread is muted.' }) input: MutePostThreadInput,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return notifications.muteThread(ctx, fromGlobalId('Post', input.postId, 'postId'), input.muted);
  }

  @Mutation(() => Post, {
    description:
      "Mutes (or, with `muted: false`, unmutes) a post's thread for you: while muted, no REPLY or MENTION notification of it reaches you. Members of its community.",
    deprecationReason: replacedBy('muteThread'),
  })
  muteThread(
    @Arg('postId', () => ID, { description: 'Global id of the post.' }) postId: string,
    @Arg('muted', () => Boolean, { defaultValue: true, description: 'True to mute (default), false to unmute.' })
    muted: boolean,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return this.mutePostThread({ postId, muted }, ctx);
  }

  @FieldResolver(() => Boolean, { description: 'Whether you muted this thread (false when signed out).' })
  viewerMutedThread(@Root() post: Post, @Ctx() { loaders, viewer }: Context): boolean | Promise<boolean> {
    return viewer.userId === null ? false : loaders.viewerThreadMuted.load(post.id);
  }
}

@Resolver(() => Notification)
export class NotificationResolver {
  @Mutation(() => User, {
    description:
      'Marks your notifications read, up to and including `upTo` (all of them without it); returns you, with your `unreadNotificationCount`.',
  })
  async markNotificationsAsRead(
    @Arg('input', { description: 'How far to mark them read.' }) input: MarkNotificationsAsReadInput,
    @Ctx() ctx: Context,
  ): Promise<User> {
    const userId = requireUser(ctx.viewer);
    await notifications.markRead(ctx, input.upTo ? fromGlobalId('Notification', input.upTo, 'upTo') : null);
    return (await ctx.loaders.user.load(userId))!;
  }

  @Mutation(() => User, {
    description:
      'Marks your notifications read, up to and including `upTo` (all of them without it); returns you, with your `unreadNotificationCount`.',
    deprecationReason: replacedBy('markNotificationsRead'),
  })
  markNotificationsRead(
    @Arg('upTo', () => ID, {
      nullable: true,
      description: 'Global id of the newest notification to mark read; omitted: all of them.',
    })
    upTo: string | null,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return this.markNotificationsAsRead({ upTo }, ctx);
  }

  @Subscription(() => Notification, {
    description:
      'Your notifications as they are written (signed in). With `after` (a notification\u2019s `cursor`), those written since are replayed first: no gap, no duplicate. A grouped notification comes again, with a new ID, each time its count grows.',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const userId = requireUser(ctx.viewer);
      const after = args.after ? (decodeCursor(args.after as string, ['number'])[0] as number) : null;
      return liveStream<true, Notification>({
        ctx,
        source: notificationSource(userId),
        state: true,
        afterId: after,
        replay: (em, afterId, limit) => rowsAfter(em, userId, afterId, [], limit),
        toItem: notifications.notificationFromRow,
        recheck: async () => true,
        recheckTopics: [],
      });
    },
  })
  notificationAdded(
    @Root() notification: Notification,
    @Arg('after', () => String, {
      nullable: true,
      description: "A notification's `cursor`: replay the notifications written after it first.",
    })
    _after: string | null,
  ): Notification {
    return notification;
  }

  @FieldResolver(() => String, {
    description: 'Opaque cursor of this notification, for `notificationAdded(after:)`.',
  })
  cursor(@Root() notification: Notification): string {
    return encodeCursor([notification.id]);
  }

  @FieldResolver(() => Boolean, { description: 'Read (marked with markNotificationsRead).' })
  read(@Root() notification: Notification): boolean {
    return !!notification.readAt;
  }

  @FieldResolver(() => Community, {
    nullable: true,
    description: 'The community it happened in (null once you may no longer see it).',
  })
  community(@Root() notification: Notification, @Ctx() { loaders, viewer }: Context): Promise<Community | null> | null {
    return notification.community ? nullIfHidden(visibleCommunity(loaders, viewer, notification.community.id)) : null;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who caused it (REPLY: the newest replier); null for moderation, whose moderators are not named.',
  })
  actor(@Root() notification: Notification, @Ctx() { loaders }: Context): Promise<User | null> | null {
    return notification.actor ? loaders.user.load(notification.actor.id) : null;
  }

  @FieldResolver(() => Post, {
    nullable: true,
    description: 'REPLY: the post commented on (null once you may no longer read it).',
  })
  post(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Post | null> | null {
    const id = notification.postId;
    return id ? nullIfHidden(readablePost(ctx.loaders, ctx.viewer, id).then((r) => r.post)) : null;
  }

  @FieldResolver(() => Comment, { nullable: true, description: 'REPLY to a comment: your comment.' })
  comment(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Comment | null> | null {
    const id = notification.commentId;
    return id ? nullIfHidden(readableComment(ctx.loaders, ctx.viewer, id).then((r) => r.comment)) : null;
  }

  @FieldResolver(() => Comment, { nullable: true, description: 'REPLY: the newest reply.' })
  latestComment(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Comment | null> | null {
    const id = notification.latestCommentId;
    return id ? nullIfHidden(readableComment(ctx.loaders, ctx.viewer, id).then((r) => r.comment)) : null;
  }

  @FieldResolver(() => ModerationDecision, {
    nullable: true,
    description: 'MODERATION_DECISION and APPEAL_DECIDED: the decision (its rule and statement of reasons).',
  })
  decision(@Root() notification: Notification, @Ctx() { loaders }: Context): Promise<ModerationDecision | null> | null {
    return notification.decisionId ? loaders.moderationDecision.load(notification.decisionId) : null;
  }

  @FieldResolver(() => JoinRequest, {
    nullable: true,
    description: 'JOIN_REQUEST_DECIDED: your request, with its status.',
  })
  joinRequest(@Root() notification: Notification, @Ctx() { loaders }: Context): Promise<JoinRequest | null> | null {
    return notification.joinRequestId ? loaders.joinRequest.load(notification.joinRequestId) : null;
  }

  @FieldResolver(() => Poll, {
    nullable: true,
    description: 'POLL_CLOSED: the poll (null once you may no longer read it).',
  })
  poll(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Poll | null> | null {
    const id = notification.pollId;
    return id ? nullIfHidden(readablePoll(ctx.loaders, ctx.viewer, id).then((r) => r.poll)) : null;
  }

  @FieldResolver(() => MemberBadgeView, { nullable: true, description: 'BADGE_AWARDED: the badge you earned.' })
  async badge(@Root() notification: Notification, @Ctx() { loaders }: Context): Promise<MemberBadgeView | null> {
    if (!notification.memberBadgeId) return null;
    const award = await loaders.memberBadge.load(notification.memberBadgeId);
    return award && badgeView(award);
  }

  @FieldResolver(() => Event, {
    nullable: true,
    description: 'EVENT_REMINDER and WAITLIST_PROMOTED: the event (null once you may no longer read it).',
  })
  event(@Root() notification: Notification, @Ctx() ctx: Context): Promise<Event | null> | null {
    const id = notification.eventId;
    return id ? nullIfHidden(readableEvent(ctx.loaders, ctx.viewer, id).then((r) => r.event)) : null;
  }

  @FieldResolver(() => WebhookEndpoint, {
    nullable: true,
    description: 'WEBHOOK_DISABLED: the endpoint (null once deleted, or once you no longer administer its community).',
  })
  async webhookEndpoint(@Root() notification: Notification, @Ctx() ctx: Context): Promise<WebhookEndpoint | null> {
    if (!notification.webhookEndpointId) return null;
    const endpoint = await ctx.loaders.webhookEndpoint.load(notification.webhookEndpointId);
    return endpoint && (await managesWebhooks(ctx, endpoint.community.id)) ? endpoint : null;
  }

  @FieldResolver(() => Appeal, { nullable: true, description: 'APPEAL_DECIDED: your appeal, with its outcome.' })
  appeal(@Root() notification: Notification, @Ctx() { loaders }: Context): Promise<Appeal | null> | null {
    return notification.appealId ? loaders.appeal.load(notification.appealId) : null;
  }
}
