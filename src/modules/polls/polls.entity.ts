import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { Event } from '../events/events.entity';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';
import { boundedListComplexity } from '../../platform/pagination';
import { POLL_LIMITS } from './polls.inputs';

export enum PollKind {
  SINGLE = 'SINGLE',
  MULTIPLE = 'MULTIPLE',
  RANKED = 'RANKED',
}
registerEnumType(PollKind, {
  name: 'PollKind',
  description: 'How a ballot answers a poll.',
  valuesConfig: {
    SINGLE: { description: 'A ballot names one option.' },
    MULTIPLE: { description: 'A ballot names one or more options (up to `maxChoices`).' },
    RANKED: {
      description: 'A ballot orders some or all options, most preferred first; the result is an instant-runoff tally.',
    },
  },
});

/**
 * A poll of a community, optionally attached to one of its posts or events. Closed once `closedAt`
 * is set (by hand) or `closesAt` has passed: `isClosed` decides from both, so a poll reads as closed
 * the moment its time passes, before any sweep notices. `totalVoters` and each option's `votes`
 * move in SQL in the transaction that writes a ballot, under the poll's row lock.
 */
@Entity({ tableName: 'polls' })
@Index({ name: 'polls_community_index', properties: ['community', 'id'] })
@Index({ name: 'polls_post_index', properties: ['post', 'id'] })
@Index({ name: 'polls_event_index', properties: ['event', 'id'] })
@Index({
  name: 'polls_closing_index',
  expression:
    'create index "polls_closing_index" on "polls" ("closes_at") where "close_announced_at" is null and "closes_at" is not null',
})
@Check({ name: 'polls_total_voters_check', expression: 'total_voters >= 0' })
@Check({
  name: 'polls_max_choices_check',
  expression: "max_choices is null or (kind = 'MULTIPLE' and max_choices >= 1)",
})
@ObjectType('Poll', {
  implements: Node,
  simpleResolvers: true,
  description: 'A question put to the members of a community.',
})
export class Poll extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Poll';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @ManyToOne(() => Post, { ref: true, nullable: true, deleteRule: 'set null' })
  post?: Ref<Post> | null;

  @ManyToOne(() => Event, { ref: true, nullable: true, deleteRule: 'set null' })
  event?: Ref<Event> | null;

  @Field({ description: 'The question, 1 to 300 characters.' })
  @Property({ length: 300 })
  question!: string;

  @Field(() => PollKind, { description: 'How a ballot answers: SINGLE, MULTIPLE or RANKED.' })
  @Enum({ items: () => PollKind })
  kind!: PollKind;

  @Field(() => Int, {
    nullable: true,
    description: 'MULTIPLE: the most options one ballot may name; null for as many as there are options.',
  })
  @Property({ type: 'integer', nullable: true })
  maxChoices?: number | null;

  @Field({
    description:
      'Ballots are secret: nobody (admins included) can learn who voted for what; only totals are shown. A ballot here earns no reputation (a ledger row would tell when it was cast).',
  })
  @Property({ default: false })
  anonymous: boolean = false;

  @Field({
    description:
      'Counts, voters and rounds stay hidden from everyone (creator, moderators and admins included) until the poll closes.',
  })
  @Property({ default: false })
  hideResultsUntilClosed: boolean = false;

  @Field(() => Date, {
    nullable: true,
    description: 'When the poll closes by itself; null: it stays open until closePoll.',
  })
  @Property({ type: 'datetime', nullable: true })
  closesAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When closePoll closed it; null when it was not closed by hand.' })
  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null;

  /** Set by the one instance that announced the poll's close on `pollUpdated` (claimed in SQL). */
  @Property({ type: 'datetime', nullable: true })
  closeAnnouncedAt?: Date | null;

  /** Hidden by moderation (reports past the threshold, AutoMod HOLD, a HIDE decision): see hidden-content.ts. */
  @Property({ type: 'datetime', nullable: true })
  hiddenAt?: Date | null;

  /** Members who hold a ballot; moved in SQL with the ballots. */
  @Property({ type: 'integer', default: 0 })
  totalVoters: number = 0;

  @Field({ description: 'When the poll was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** One option of a poll, at its `position` (0, 1, …). `votes` moves in SQL with the ballots. */
@Entity({ tableName: 'poll_options' })
@Unique({ name: 'poll_options_position_unique', properties: ['poll', 'position'] })
@Check({ name: 'poll_options_votes_check', expression: 'votes >= 0' })
@ObjectType('PollOption', { implements: Node, simpleResolvers: true, description: 'One of the answers a poll offers.' })
export class PollOption extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'PollOption';
  }

  @ManyToOne(() => Poll, { ref: true, deleteRule: 'cascade' })
  poll!: Ref<Poll>;

  @Field(() => Int, { description: 'Place in the poll, from 0.' })
  @Property({ type: 'integer' })
  position!: number;

  @Field({ description: "The option's text, 1 to 200 characters." })
  @Property({ length: 200 })
  text!: string;

  /** Ballots naming it (RANKED: ranking it first). */
  @Property({ type: 'integer', default: 0 })
  votes: number = 0;
}

/**
 * A member's ballot in a poll: ONE per member and poll (unique in the database). Changing it
 * replaces its choices in one transaction. The link to the user exists only for that rule and for
 * `viewerVote`; for an anonymous poll no API path reads it for anyone but the voter.
 */
@Entity({ tableName: 'ballots' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'ballots_updated_at_index', properties: ['updatedAt'] })
@Unique({ name: 'ballots_member_unique', properties: ['poll', 'user'] })
export class Ballot {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Poll, { ref: true, deleteRule: 'cascade' })
  poll!: Ref<Poll>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  castAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** One option named on a ballot, at its `rank` (0 = first choice; the order given for SINGLE and MULTIPLE too). */
@Entity({ tableName: 'ballot_choices' })
@Unique({ name: 'ballot_choices_option_unique', properties: ['ballot', 'option'] })
@Unique({ name: 'ballot_choices_rank_unique', properties: ['ballot', 'rank'] })
@Index({ name: 'ballot_choices_voters_index', properties: ['option', 'ballot'] })
@Check({ name: 'ballot_choices_rank_check', expression: 'rank >= 0' })
export class BallotChoice {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Ballot, { ref: true, deleteRule: 'cascade' })
  ballot!: Ref<Ballot>;

  @ManyToOne(() => PollOption, { ref: true, deleteRule: 'cascade' })
  option!: Ref<PollOption>;

  @Property({ type: 'integer' })
  rank!: number;
}

/** One option's votes in a round of an instant-runoff tally. */
@ObjectType('PollTally', { description: "One option's votes in a round of an instant-runoff count." })
export class PollTally {
  @Field(() => PollOption, { description: 'The option.' })
  option!: PollOption;

  @Field(() => Int, { description: 'Ballots that rank it highest among the options still in the count.' })
  votes!: number;
}

/** One round of an instant-runoff tally (RANKED polls). */
@ObjectType('PollRound', { description: 'One round of an instant-runoff count.' })
export class PollRound {
  @Field(() => Int, { description: 'From 1.' })
  number!: number;

  // At most one per option.
  @Field(() => [PollTally], {
    complexity: boundedListComplexity(POLL_LIMITS.maxOptions),
    description: 'Each option still in the count, with the ballots that rank it highest among those, most first.',
  })
  tallies!: PollTally[];

  @Field(() => [PollOption], {
    complexity: boundedListComplexity(POLL_LIMITS.maxOptions),
    description: 'Options eliminated after this round (none in the last round).',
  })
  eliminated!: PollOption[];

  @Field(() => Int, { description: 'Ballots that rank none of the options still in the count.' })
  exhausted!: number;
}
