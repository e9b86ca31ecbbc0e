import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';
import { Event } from './events.entity';

/** Where a CONTEST event stands, from its own times (see `contestPhase`). */
export enum ContestPhase {
  SUBMISSIONS = 'SUBMISSIONS',
  VOTING = 'VOTING',
  CLOSED = 'CLOSED',
}
registerEnumType(ContestPhase, {
  name: 'ContestPhase',
  description: "Where a contest stands, from its event's times.",
  valuesConfig: {
    SUBMISSIONS: { description: 'Until the event starts: members enter a post.' },
    VOTING: { description: 'While the event lasts: members vote.' },
    CLOSED: { description: 'Once it ends: results are ranked and nothing changes.' },
  },
});

/**
 * A member's entry in a contest: one of their posts in the contest's community. One entry per
 * member and one per post in each contest (unique in the database). `votes` is moved in SQL by
 * the transaction that writes or removes a vote, so it always equals the count of its vote rows.
 */
@Entity({ tableName: 'contest_entries' })
@Unique({ name: 'contest_entries_member_unique', properties: ['event', 'user'] })
// (post, event) rather than (event, post): the same constraint, and its index then also serves deleting a post.
@Unique({ name: 'contest_entries_post_unique', properties: ['post', 'event'] })
@Index({
  name: 'contest_entries_ranking_index',
  expression:
    'create index "contest_entries_ranking_index" on "contest_entries" ("event_id", "votes" desc, "submitted_at", "id")',
})
@Index({ name: 'contest_entries_submitted_index', properties: ['event', 'submittedAt', 'id'] })
@Check({ name: 'contest_entries_votes_check', expression: 'votes >= 0' })
@ObjectType('ContestEntry', {
  implements: Node,
  simpleResolvers: true,
  description: "A member's post entered in a contest.",
})
export class ContestEntry extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ContestEntry';
  }

  @ManyToOne(() => Event, { ref: true, deleteRule: 'cascade' })
  event!: Ref<Event>;

  @ManyToOne(() => Post, { ref: true, deleteRule: 'cascade' })
  post!: Ref<Post>;

  /** The author of the post, who entered it. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => Int, { description: 'Votes received so far.' })
  @Property({ type: 'integer', default: 0 })
  votes: number = 0;

  /** Millisecond precision (set by the application), so it round-trips through page cursors exactly. */
  @Field({ description: 'When the post was entered.' })
  @Property({ type: 'datetime' })
  submittedAt!: Date;
}

/**
 * A member's vote in a contest: ONE per member and contest (unique in the database), for an entry
 * of that contest. Changing it replaces the row, in the transaction that moves both entries' counters.
 */
@Entity({ tableName: 'contest_votes' })
@Unique({ name: 'contest_votes_member_unique', properties: ['event', 'user'] })
@Index({ name: 'contest_votes_entry_index', properties: ['entry'] })
export class ContestVote {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Event, { ref: true, deleteRule: 'cascade' })
  event!: Ref<Event>;

  @ManyToOne(() => ContestEntry, { ref: true, deleteRule: 'cascade' })
  entry!: Ref<ContestEntry>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
