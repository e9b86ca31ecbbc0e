import { Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';

/**
 * The rollups behind `Community.insights` and `platformInsights`, kept by the `insights.rollup` job
 * (rollup.ts) from the rows that record each activity. Days are calendar days in the community's
 * time zone (`communities.time_zone`, UTC by default). The tables hold counts only: rebuilding them
 * from the source rows gives the same rows (the job recomputes whole days).
 */

/** What one user did in one community on one day (a row only for a day with some activity). */
@Entity({ tableName: 'member_activity_days' })
@Index({ name: 'member_activity_days_user_index', properties: ['user'] })
// Every community's days (platform insights, the platform's active counts).
@Index({ name: 'member_activity_days_day_index', properties: ['day'] })
export class MemberActivityDay {
  @ManyToOne(() => Community, { primary: true, ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @PrimaryKey({ type: 'date' })
  day!: string;

  /** Goes with the account: no counts of a deleted user are kept under their id. */
  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'integer', default: 0 })
  posts: number = 0;

  @Property({ type: 'integer', default: 0 })
  comments: number = 0;

  /** Votes on posts and comments. */
  @Property({ type: 'integer', default: 0 })
  votes: number = 0;

  @Property({ type: 'integer', default: 0 })
  reactions: number = 0;

  /** RSVPs answered (or changed) that day. */
  @Property({ type: 'integer', default: 0 })
  rsvps: number = 0;

  @Property({ type: 'integer', default: 0 })
  chatMessages: number = 0;

  /** Poll ballots cast (or changed) that day. */
  @Property({ type: 'integer', default: 0 })
  ballots: number = 0;
}

/** One community's day: its totals, the day's active members, joins and departures. */
@Entity({ tableName: 'community_days' })
export class CommunityDay {
  @ManyToOne(() => Community, { primary: true, ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'integer', default: 0 })
  activeMembers: number = 0;

  @Property({ type: 'integer', default: 0 })
  posts: number = 0;

  @Property({ type: 'integer', default: 0 })
  comments: number = 0;

  /** Posts, comments, votes, reactions, RSVPs, chat messages and ballots: every kind of activity. */
  @Property({ type: 'integer', default: 0 })
  interactions: number = 0;

  @Property({ type: 'integer', default: 0 })
  newMembers: number = 0;

  @Property({ type: 'integer', default: 0 })
  departedMembers: number = 0;
}

/** Posts of a community's day by tag. */
@Entity({ tableName: 'community_tag_days' })
export class CommunityTagDay {
  @ManyToOne(() => Community, { primary: true, ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'text' })
  tag!: string;

  @Property({ type: 'integer' })
  posts!: number;
}

/** A post's first reply: how long after the post someone other than its author first commented. */
@Entity({ tableName: 'post_first_replies' })
@Index({ name: 'post_first_replies_community_day_index', properties: ['community', 'day'] })
export class PostFirstReply {
  @ManyToOne(() => Post, { primary: true, ref: true, deleteRule: 'cascade' })
  post!: Ref<Post>;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  /** The day the post was written. */
  @Property({ type: 'date' })
  day!: string;

  /** Seconds from the post to its first reply; null: none yet. */
  @Property({ type: 'integer', nullable: true })
  seconds?: number | null;
}

/**
 * A membership that ended (left, removed by a ban, or the account deleted): written by a trigger on
 * `members` (see the migration), since the membership row itself is deleted. Departures before the
 * migration that added it were not recorded.
 */
@Entity({ tableName: 'member_departures' })
// The rollup reads them by time (rollup.ts); cohorts by join time.
@Index({ name: 'member_departures_left_at_index', properties: ['leftAt'] })
@Index({ name: 'member_departures_joined_at_index', properties: ['joinedAt'] })
export class MemberDeparture {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @Property({ type: 'integer' })
  communityId!: number;

  @Property({ type: 'integer' })
  userId!: number;

  @Property({ type: 'datetime' })
  joinedAt!: Date;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  leftAt: Date = new Date();
}

/** How far the rollup has read each source table: the highest id seen, and when it last ran. */
@Entity({ tableName: 'insights_watermarks' })
export class InsightsWatermark {
  @PrimaryKey({ type: 'text' })
  source!: string;

  @Property({ type: 'integer', default: 0 })
  lastId: number = 0;

  @Property({ type: 'datetime', nullable: true })
  lastRunAt?: Date | null;
}

/**
 * What one user did in one community in one calendar month: `member_activity_days` summed, so that a
 * range's top contributors read a row per active member and month rather than per day.
 */
@Entity({ tableName: 'member_activity_months' })
export class MemberActivityMonth {
  @ManyToOne(() => Community, { primary: true, ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  /** The month's first day. */
  @PrimaryKey({ type: 'date' })
  month!: string;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'integer' })
  posts!: number;

  @Property({ type: 'integer' })
  comments!: number;

  @Property({ type: 'integer' })
  interactions!: number;
}

/**
 * That one user was active in one community in one week (Monday to Sunday of the community's
 * calendar days): `member_activity_days` made distinct by week, so that retention cohorts read a row
 * per member and week rather than per day.
 */
@Entity({ tableName: 'member_activity_weeks' })
@Index({ name: 'member_activity_weeks_user_index', properties: ['user'] })
@Index({ name: 'member_activity_weeks_week_index', properties: ['week'] })
export class MemberActivityWeek {
  @ManyToOne(() => Community, { primary: true, ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  /** The week's Monday. */
  @PrimaryKey({ type: 'date' })
  week!: string;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;
}

/**
 * Distinct active members of each day, week and month of a community (0: of every community, each
 * on its own calendar days), counted once by the rollup, since distinct counts do not add up.
 */
@Entity({ tableName: 'active_member_counts' })
export class ActiveMemberCount {
  /** 0: every community. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  communityId!: number;

  /** 'day', 'week' or 'month'. */
  @PrimaryKey({ type: 'text' })
  unit!: string;

  /** The period's first day. */
  @PrimaryKey({ type: 'date' })
  start!: string;

  @Property({ type: 'integer' })
  members!: number;
}
