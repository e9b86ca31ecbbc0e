import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { Quest } from '../quests/quests.entity';

/** Why a member's reputation changed; each reason has a rule (see rules.ts). */
export enum ReputationReason {
  POST_UPVOTED = 'POST_UPVOTED',
  POST_DOWNVOTED = 'POST_DOWNVOTED',
  COMMENT_UPVOTED = 'COMMENT_UPVOTED',
  COMMENT_DOWNVOTED = 'COMMENT_DOWNVOTED',
  COMMENT_FEATURED = 'COMMENT_FEATURED',
  EVENT_CHECK_IN = 'EVENT_CHECK_IN',
  POLL_VOTE = 'POLL_VOTE',
  QUEST_COMPLETED = 'QUEST_COMPLETED',
}
registerEnumType(ReputationReason, {
  name: 'ReputationReason',
  description:
    "Why a member's reputation changed. A reversal row (a withdrawn vote, an unfeatured comment, deleted content) carries the reason of the row it reverses.",
  valuesConfig: {
    POST_UPVOTED: { description: "The member's post was upvoted." },
    POST_DOWNVOTED: { description: "The member's post was downvoted." },
    COMMENT_UPVOTED: { description: "The member's comment was upvoted." },
    COMMENT_DOWNVOTED: { description: "The member's comment was downvoted." },
    COMMENT_FEATURED: { description: "A moderator featured the member's comment." },
    EVENT_CHECK_IN: { description: 'The member was checked in at an event.' },
    POLL_VOTE: { description: 'The member cast a first ballot in a poll.' },
    QUEST_COMPLETED: { description: "The member completed a quest's goals in a period (the quest's own points)." },
  },
});

/** What a ledger row is about. */
export enum ReputationSubjectType {
  POST = 'POST',
  COMMENT = 'COMMENT',
  EVENT = 'EVENT',
  POLL = 'POLL',
  QUEST = 'QUEST',
}

/**
 * One row of the reputation ledger: a member's reputation in a community is the sum of their rows.
 * Rows are never updated: undoing a cause (a withdrawn vote) inserts a reversal row pointing at the
 * row it cancels. `cause` names what earned the row ("vote:42", "checkin:7"): at most one award
 * row per cause and one reversal per row, so the same cause is never counted twice, whatever the
 * retries or races (both unique in the database).
 */
@Entity({ tableName: 'reputation_events' })
@Index({ name: 'reputation_events_member_index', properties: ['community', 'user', 'createdAt'] })
@Index({ name: 'reputation_events_community_index', properties: ['community', 'createdAt'] })
@Index({ name: 'reputation_events_subject_index', properties: ['subjectType', 'subjectId'] })
@Index({
  name: 'reputation_events_cause_unique',
  expression:
    'create unique index "reputation_events_cause_unique" on "reputation_events" ("cause") where "reverses_id" is null',
})
@Unique({ name: 'reputation_events_reverses_unique', properties: ['reverses'] })
@ObjectType('ReputationEvent', {
  simpleResolvers: true,
  description: "A row of a member's reputation ledger: their reputation is the sum of their rows.",
})
export class ReputationEvent {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  /** Whose reputation changed. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => Int, { description: 'Points gained (positive) or lost (negative).' })
  @Property()
  delta!: number;

  @Field(() => ReputationReason, {
    description: 'Why the reputation changed (a reversal carries the reason of the row it reverses).',
  })
  @Enum({ items: () => ReputationReason, nativeEnumName: 'reputation_reason' })
  reason!: ReputationReason;

  /**
   * What earned the row, unique among award rows: "vote:<vote id>", "featured:<comment id>:<n>",
   * "checkin:<event id>:<occurrence start, ms>:<user id>" (before issue 12: "checkin:<rsvp id>"), "ballot:<poll id>:<user id>".
   */
  @Property({ length: 100 })
  cause!: string;

  @Enum({ items: () => ReputationSubjectType, nativeEnumName: 'reputation_subject_type' })
  subjectType!: ReputationSubjectType;

  @Property()
  subjectId!: number;

  /** Who caused it (the voter, the moderator); shown only for moderators' acts: votes stay anonymous. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  actor?: Ref<User> | null;

  /** The row this one cancels (a reversal); null for an award. */
  @ManyToOne(() => ReputationEvent, { ref: true, nullable: true, deleteRule: 'cascade' })
  reverses?: Ref<ReputationEvent> | null;

  @Field({ description: 'When the row was written.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * A badge a member earned in a community: each badge at most once per member, a QUEST badge once per
 * member and quest (unique, nulls not distinct: the other badges have no quest).
 */
@Entity({ tableName: 'member_badges' })
@Unique({
  name: 'member_badges_award_unique',
  expression:
    'create unique index "member_badges_award_unique" on "member_badges" ("community_id", "user_id", "badge", "quest_id") nulls not distinct',
})
export class MemberBadge {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** A key of BADGES (badges.ts). */
  @Property({ length: 40 })
  badge!: string;

  /** QUEST: the quest whose completion awarded it (removed with the completion revoked); null otherwise. */
  @ManyToOne(() => Quest, { ref: true, nullable: true, deleteRule: 'cascade' })
  quest?: Ref<Quest> | null;

  /** QUEST: the badge's title, as the quest named it when it was earned; null otherwise. */
  @Property({ length: 60, nullable: true })
  title?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  awardedAt: Date = new Date();
}
