import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from '../identity/identity.entity';

/**
 * Follows (members following members and tags) and the data behind `personalFeed` (issue 18,
 * point 3): each member's affinities and similar members, kept by the `feed.affinity` job
 * (affinity.ts) from the member's own posts, comments, votes and reactions.
 */

/** A member following another member: their posts join the follower's FOLLOWING feed. */
@Entity({ tableName: 'member_follows' })
@Unique({ name: 'member_follows_pair_unique', properties: ['follower', 'followed'] })
// Who follows a member (their follower count, and the follow's removal with the account).
@Index({ name: 'member_follows_followed_index', properties: ['followed'] })
export class MemberFollow {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  follower!: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  followed!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A member following a tag (normalized as posts' tags are): posts with it join their FOLLOWING feed. */
@Entity({ tableName: 'tag_follows' })
@Unique({ name: 'tag_follows_user_tag_unique', properties: ['user', 'tag'] })
export class TagFollow {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'text' })
  tag!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** What a member's affinity is to: a community, a channel, a tag, an author. */
export enum AffinityKind {
  COMMUNITY = 'COMMUNITY',
  CHANNEL = 'CHANNEL',
  TAG = 'TAG',
  AUTHOR = 'AUTHOR',
}

/**
 * A member's affinity to one community, tag or author: the weights of their own actions on it
 * (FEED_AFFINITY.weights), each decayed by half every FEED_AFFINITY.halfLifeDays. `score` is the
 * value at `updated_at`; read at time t it is `score * 0.5 ^ ((t - updated_at) / half-life)`.
 */
@Entity({ tableName: 'feed_affinities' })
// The members with an affinity to a target (similar members, see affinity.ts).
@Index({ name: 'feed_affinities_target_index', properties: ['kind', 'target', 'score'] })
export class FeedAffinity {
  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Enum({ items: () => AffinityKind, primary: true })
  kind!: AffinityKind;

  /** The community's or author's id (as text), or the tag. */
  @PrimaryKey({ type: 'text' })
  target!: string;

  @Property({ type: 'double' })
  score!: number;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}

/**
 * A member's most similar members (at most FEED_AFFINITY.similarMembers), by the affinities to
 * authors they share: what they engaged with lately is a FOR_YOU candidate. Recomputed by
 * the job for the members who acted since its last run.
 */
@Entity({ tableName: 'feed_similar_members' })
export class FeedSimilarMember {
  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => User, { primary: true, ref: true, deleteRule: 'cascade' })
  similar!: Ref<User>;

  @Property({ type: 'double' })
  score!: number;
}

/** How far the `feed.affinity` job has read each source table: the highest id it took in. */
@Entity({ tableName: 'feed_watermarks' })
export class FeedWatermark {
  @PrimaryKey({ type: 'text' })
  source!: string;

  @Property({ type: 'integer', default: 0 })
  lastId: number = 0;

  @Property({ type: 'datetime', nullable: true })
  lastRunAt?: Date | null;
}
