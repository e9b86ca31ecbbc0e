import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';

export enum NotificationKind {
  REPLY = 'REPLY',
  MENTION = 'MENTION',
  MODERATION_DECISION = 'MODERATION_DECISION',
  APPEAL_DECIDED = 'APPEAL_DECIDED',
  JOIN_REQUEST_DECIDED = 'JOIN_REQUEST_DECIDED',
  BADGE_AWARDED = 'BADGE_AWARDED',
  POLL_CLOSED = 'POLL_CLOSED',
  EVENT_REMINDER = 'EVENT_REMINDER',
  WAITLIST_PROMOTED = 'WAITLIST_PROMOTED',
  LEVEL_REACHED = 'LEVEL_REACHED',
  WEBHOOK_DISABLED = 'WEBHOOK_DISABLED',
  QUEST_COMPLETED = 'QUEST_COMPLETED',
}
registerEnumType(NotificationKind, {
  name: 'NotificationKind',
  description: 'What a notification tells.',
  valuesConfig: {
    REPLY: {
      description:
        'Comments on your post (`post`) or replies to your comment (`comment`); `count` of them since you last read it, `latestComment` the newest.',
    },
    MENTION: {
      description:
        'You were @mentioned in a post (`post`) or a comment (`latestComment`, on `post`) of a community you can read.',
    },
    MODERATION_DECISION: {
      description:
        "A moderator's decision that restricted you (`decision`: the action, the rule and the statement of reasons).",
    },
    APPEAL_DECIDED: { description: 'Your appeal was decided (`appeal`: upheld or reversed, with its statement).' },
    JOIN_REQUEST_DECIDED: {
      description: 'Your request to join a community was approved or rejected (`joinRequest`, `community`).',
    },
    BADGE_AWARDED: { description: 'You earned a badge in a community (`badge`, `community`).' },
    POLL_CLOSED: { description: 'A poll you voted in closed: its results are final (`poll`).' },
    EVENT_REMINDER: {
      description:
        'An occurrence of an event you are GOING to (with a seat) starts soon: `leadMinutes` before it starts (1440: a day; 60: an hour), `event` and `occurrenceStartsAt`.',
    },
    WAITLIST_PROMOTED: {
      description:
        'A seat freed up: you are off the waitlist and going to `event` (its occurrence `occurrenceStartsAt`).',
    },
    LEVEL_REACHED: { description: 'Your reputation reached a new level in a community (`level`, `community`).' },
    WEBHOOK_DISABLED: {
      description:
        'A webhook endpoint of a community you administer failed for the whole failure window and was disabled (`webhookEndpoint`, `community`).',
    },
    QUEST_COMPLETED: {
      description:
        'You completed a quest in a community (`quest`, `community`; its points are in your reputation history).',
    },
  },
});

/**
 * A notification for one user. Grouped ones (replies to one post or one comment) are one unread row
 * per `groupKey` (a partial unique index): a new reply replaces it by a row with the next id and
 * `count + 1`, so the newest notifications are always the highest ids, and `notificationAdded`
 * delivers the grouped row again, with its count. Reading marks rows `readAt`; the next reply starts
 * a new group.
 */
@Entity({ tableName: 'notifications' })
@Index({ name: 'notifications_user_index', properties: ['user', 'id'] })
@Index({
  name: 'notifications_unread_group_unique',
  expression:
    'create unique index "notifications_unread_group_unique" on "notifications" ("user_id", "group_key") where read_at is null and group_key is not null',
})
@Index({
  name: 'notifications_unread_index',
  expression: 'create index "notifications_unread_index" on "notifications" ("user_id", "id") where read_at is null',
})
@Index({
  name: 'notifications_decision_unique',
  expression:
    'create unique index "notifications_decision_unique" on "notifications" ("user_id", "decision_id") where kind = \'MODERATION_DECISION\'',
})
@Index({
  name: 'notifications_appeal_unique',
  expression:
    'create unique index "notifications_appeal_unique" on "notifications" ("user_id", "appeal_id") where kind = \'APPEAL_DECIDED\'',
})
@Index({
  name: 'notifications_mention_unique',
  expression:
    'create unique index "notifications_mention_unique" on "notifications" ("user_id", "post_id", (coalesce(latest_comment_id, 0))) where kind = \'MENTION\'',
})
@Index({
  name: 'notifications_join_request_unique',
  expression:
    'create unique index "notifications_join_request_unique" on "notifications" ("user_id", "join_request_id") where kind = \'JOIN_REQUEST_DECIDED\'',
})
@Index({
  name: 'notifications_badge_unique',
  expression:
    'create unique index "notifications_badge_unique" on "notifications" ("user_id", "member_badge_id") where kind = \'BADGE_AWARDED\'',
})
@Index({
  name: 'notifications_poll_unique',
  expression:
    'create unique index "notifications_poll_unique" on "notifications" ("user_id", "poll_id") where kind = \'POLL_CLOSED\'',
})
@Index({
  name: 'notifications_reminder_unique',
  expression:
    'create unique index "notifications_reminder_unique" on "notifications" ("user_id", "event_id", "occurrence_starts_at", "lead_minutes") where kind = \'EVENT_REMINDER\'',
})
@Index({
  name: 'notifications_promotion_unique',
  expression:
    'create unique index "notifications_promotion_unique" on "notifications" ("user_id", "event_id", "occurrence_starts_at", "arrival") where kind = \'WAITLIST_PROMOTED\'',
})
@Index({
  name: 'notifications_level_unique',
  expression:
    'create unique index "notifications_level_unique" on "notifications" ("user_id", "community_id", "level") where kind = \'LEVEL_REACHED\'',
})
@Index({
  name: 'notifications_webhook_unique',
  expression:
    'create unique index "notifications_webhook_unique" on "notifications" ("user_id", "webhook_endpoint_id") where kind = \'WEBHOOK_DISABLED\' and read_at is null',
})
@Index({
  name: 'notifications_quest_unique',
  expression:
    'create unique index "notifications_quest_unique" on "notifications" ("user_id", "quest_completion_id") where kind = \'QUEST_COMPLETED\'',
})
@ObjectType('Notification', {
  implements: Node,
  simpleResolvers: true,
  description: 'Something that happened that you should hear about. Only its recipient reads it.',
})
export class Notification extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Notification';
  }

  /** Its recipient. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => NotificationKind, { description: 'What it tells; it says which of the other fields are set.' })
  @Enum({ items: () => NotificationKind })
  kind!: NotificationKind;

  @ManyToOne(() => Community, { ref: true, nullable: true, deleteRule: 'cascade' })
  community?: Ref<Community> | null;

  /** Who caused it last (the newest replier); null for moderation, whose moderators are not named. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  actor?: Ref<User> | null;

  /** REPLY: the post commented on (or holding the comment replied to). */
  @Property({ type: 'integer', nullable: true })
  postId?: number | null;

  /** REPLY to a comment: your comment. */
  @Property({ type: 'integer', nullable: true })
  commentId?: number | null;

  /** REPLY: the newest reply. */
  @Property({ type: 'integer', nullable: true })
  latestCommentId?: number | null;

  /** MODERATION_DECISION: the decision; APPEAL_DECIDED: the appeal's decision. */
  @Property({ type: 'integer', nullable: true })
  decisionId?: number | null;

  /** APPEAL_DECIDED: the appeal. */
  @Property({ type: 'integer', nullable: true })
  appealId?: number | null;

  /** JOIN_REQUEST_DECIDED: the request. */
  @Property({ type: 'integer', nullable: true })
  joinRequestId?: number | null;

  /** POLL_CLOSED: the poll. */
  @Property({ type: 'integer', nullable: true })
  pollId?: number | null;

  /** BADGE_AWARDED: the award (a `member_badges` row). */
  @Property({ type: 'integer', nullable: true })
  memberBadgeId?: number | null;

  /** EVENT_REMINDER, WAITLIST_PROMOTED: the event. */
  @Property({ type: 'integer', nullable: true })
  eventId?: number | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "EVENT_REMINDER and WAITLIST_PROMOTED: the start of the occurrence (the event's start for a one-off event).",
  })
  @Property({ type: 'datetime', nullable: true })
  occurrenceStartsAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'EVENT_REMINDER: how long before the occurrence starts it reminds you, in minutes (1440 or 60).',
  })
  @Property({ type: 'integer', nullable: true })
  leadMinutes?: number | null;

  /** WAITLIST_PROMOTED: the arrival number of the RSVP that got the seat (each GOING answer has its own: one notification each). */
  @Property({ type: 'integer', nullable: true })
  arrival?: number | null;

  @Field(() => Int, { nullable: true, description: 'LEVEL_REACHED: the level reached.' })
  @Property({ type: 'integer', nullable: true })
  level?: number | null;
  /** QUEST_COMPLETED: the completion (a `quest_completions` row). */
  @Property({ type: 'integer', nullable: true })
  questCompletionId?: number | null;

  /** WEBHOOK_DISABLED: the endpoint. */
  @Property({ type: 'integer', nullable: true })
  webhookEndpointId?: number | null;

  /** REPLY: the first reply of the group; `count` is recounted from it (so a job run twice counts once). */
  @Property({ type: 'integer', nullable: true })
  sinceCommentId?: number | null;

  /** Grouped notifications' key (`reply:post:<id>`, `reply:comment:<id>`); null for those never grouped. */
  @Property({ length: 100, nullable: true })
  groupKey?: string | null;

  @Field(() => Int, {
    description: 'How many events it stands for (replies since you last read it); 1 if not grouped.',
  })
  @Property({ type: 'integer', default: 1 })
  count: number = 1;

  @Field(() => Date, { nullable: true, description: 'When you marked it read; null while unread.' })
  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;

  @Field({ description: 'When its newest event happened.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A post's thread muted by a member: no REPLY or MENTION notification of that thread reaches them
 * (their own post's comments included) until they unmute it.
 */
@Entity({ tableName: 'thread_mutes' })
export class ThreadMute {
  @ManyToOne(() => User, { ref: true, primary: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Post, { ref: true, primary: true, deleteRule: 'cascade' })
  post!: Ref<Post>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
