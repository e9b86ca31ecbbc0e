import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { Event } from '../events/events.entity';
import { User } from '../identity/identity.entity';

/** How often a quest starts over (recurring periods are the community's days, ISO weeks and months). */
export enum QuestPeriod {
  ONE_OFF = 'ONE_OFF',
  DAILY = 'DAILY',
  WEEKLY = 'WEEKLY',
  MONTHLY = 'MONTHLY',
}
registerEnumType(QuestPeriod, {
  name: 'QuestPeriod',
  description: "How often a quest starts over; recurring periods follow the community's time zone.",
  valuesConfig: {
    ONE_OFF: { description: 'Once, from `startsAt` to `endsAt`.' },
    DAILY: { description: 'Every day, from local midnight (community time).' },
    WEEKLY: { description: 'Every ISO week, from Monday local midnight (community time).' },
    MONTHLY: { description: 'Every calendar month, from its first day (community time).' },
  },
});

/** What a goal counts: actions the server already records. */
export enum QuestAction {
  POST = 'POST',
  COMMENT = 'COMMENT',
  UPVOTE_RECEIVED = 'UPVOTE_RECEIVED',
  RSVP_CHECKED_IN = 'RSVP_CHECKED_IN',
  POLL_BALLOT = 'POLL_BALLOT',
  CHAT_MESSAGE = 'CHAT_MESSAGE',
}
registerEnumType(QuestAction, {
  name: 'QuestAction',
  description: 'An action a quest goal counts.',
  valuesConfig: {
    POST: { description: 'Writing a post (filters: `tag`).' },
    COMMENT: { description: 'Writing a comment (filters: `tag` of its post).' },
    UPVOTE_RECEIVED: { description: 'An upvote on your post or comment by someone else (filters: `tag` of the post).' },
    RSVP_CHECKED_IN: { description: 'Being checked in at an event (filters: `event`).' },
    POLL_BALLOT: { description: 'A first ballot in a poll (filters: `event` of the poll).' },
    CHAT_MESSAGE: { description: "A message in an event's live-stream chat (filters: `event`)." },
  },
});

/**
 * A quest defined by a community's admins: goals over actions, per period, rewarded with reputation
 * points (the ledger's QUEST_COMPLETED reason) once per member and period. Archived quests are kept
 * (their completions and ledger rows point at them) but no longer counted.
 */
@Entity({ tableName: 'quests' })
@Index({ name: 'quests_community_index', properties: ['community', 'id'] })
@Check({ name: 'quests_reward_check', expression: 'reward_points >= 0' })
@ObjectType('Quest', {
  implements: Node,
  simpleResolvers: true,
  description: "A community's quest: goals to reach in a period, rewarded with reputation points once per period.",
})
export class Quest extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Quest';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field({ description: 'Its title.' })
  @Property({ length: 120 })
  title!: string;

  @Field({ description: 'What it asks, in plain text.' })
  @Property({ type: 'text' })
  description!: string;

  @Field(() => QuestPeriod, { description: 'How often it starts over.' })
  @Enum({ items: () => QuestPeriod, nativeEnumName: 'quest_period' })
  period!: QuestPeriod;

  @Field({ description: 'From when actions count.' })
  @Property({ type: 'datetime' })
  startsAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'Until when actions count (excluded); null: a recurring quest without end.',
  })
  @Property({ type: 'datetime', nullable: true })
  endsAt?: Date | null;

  @Field(() => Int, { description: 'Reputation points each completion earns (ledger reason QUEST_COMPLETED).' })
  @Property()
  rewardPoints!: number;

  @Field(() => String, {
    nullable: true,
    description: 'The title of the badge each member earns with a first completion (badge QUEST); null: no badge.',
  })
  @Property({ length: 60, nullable: true })
  rewardBadge?: string | null;

  @Field(() => Date, { nullable: true, description: 'When an admin archived it: no longer counted; null while live.' })
  @Property({ type: 'datetime', nullable: true })
  archivedAt?: Date | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  createdBy?: Ref<User> | null;

  @Field({ description: 'When it was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * One goal of a quest: `target` actions of a kind, optionally filtered. A filter is a nullable
 * column (null: any): a new filter (a channel) is one more nullable column here and one more
 * condition in `goalMatches` (quests.record.ts).
 */
@Entity({ tableName: 'quest_goals' })
@Index({ name: 'quest_goals_quest_index', properties: ['quest', 'id'] })
@Check({ name: 'quest_goals_target_check', expression: 'target >= 1' })
export class QuestGoal {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Quest, { ref: true, deleteRule: 'cascade' })
  quest!: Ref<Quest>;

  @Enum({ items: () => QuestAction, nativeEnumName: 'quest_action' })
  action!: QuestAction;

  @Property()
  target!: number;

  /** Only posts (or the post of a comment or upvoted content) with this tag; null: any. */
  @Property({ length: 40, nullable: true })
  tag?: string | null;

  /** Only this event (check-ins, ballots of its polls, its chat); null: any. */
  @ManyToOne(() => Event, { ref: true, nullable: true, deleteRule: 'cascade' })
  event?: Ref<Event> | null;
}

/** A member's count toward a goal in one period (`periodStart`), moved in the transaction of each action. */
@Entity({ tableName: 'quest_progress' })
@Unique({ name: 'quest_progress_unique', properties: ['goal', 'user', 'periodStart'] })
@Index({ name: 'quest_progress_member_index', properties: ['quest', 'user', 'periodStart'] })
@Check({ name: 'quest_progress_count_check', expression: 'count >= 0' })
export class QuestProgress {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Quest, { ref: true, deleteRule: 'cascade' })
  quest!: Ref<Quest>;

  @ManyToOne(() => QuestGoal, { ref: true, deleteRule: 'cascade' })
  goal!: Ref<QuestGoal>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Property({ default: 0 })
  count: number = 0;
}

/**
 * What counted toward a goal: the cause ("comment:<id>", "vote:<id>", …) once per goal (unique), so
 * a retried action counts once and deleting it takes back exactly what it gave.
 */
@Entity({ tableName: 'quest_contributions' })
@Unique({ name: 'quest_contributions_unique', properties: ['cause', 'goal'] })
export class QuestContribution {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => QuestGoal, { ref: true, deleteRule: 'cascade' })
  goal!: Ref<QuestGoal>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Property({ length: 100 })
  cause!: string;
}

/**
 * A member's completion of a quest in a period: once per (quest, member, period start), enforced by
 * the database, so its reward is granted once. A moderator may revoke it (the reward is reversed
 * through the ledger); the row stays, so the period cannot be completed again.
 */
@Entity({ tableName: 'quest_completions' })
@Unique({ name: 'quest_completions_unique', properties: ['quest', 'user', 'periodStart'] })
@ObjectType('QuestCompletion', {
  simpleResolvers: true,
  description: "A member's completion of a quest in one period (at most one per member and period).",
})
export class QuestCompletion {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Quest, { ref: true, deleteRule: 'cascade' })
  quest!: Ref<Quest>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field({ description: "The start of the period completed (the quest's start for a ONE_OFF quest)." })
  @Property({ type: 'datetime' })
  periodStart!: Date;

  @Field({ description: 'When the last goal was reached.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  completedAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'When a moderator revoked it (its points reversed); null: in force.',
  })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  revokedBy?: Ref<User> | null;
}
