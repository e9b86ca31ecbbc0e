import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';

export enum EventKind {
  MEETUP = 'MEETUP',
  LIVE_STREAM = 'LIVE_STREAM',
  CONTEST = 'CONTEST',
}
registerEnumType(EventKind, {
  name: 'EventKind',
  description: 'What kind of event it is.',
  valuesConfig: {
    MEETUP: { description: 'People gather, in a place or online.' },
    LIVE_STREAM: { description: 'A stream with a live chat and Q&A, open while the organizer runs it.' },
    CONTEST: { description: 'Members enter posts before it starts and vote while it lasts.' },
  },
});

export enum RsvpStatus {
  GOING = 'GOING',
  INTERESTED = 'INTERESTED',
  NOT_GOING = 'NOT_GOING',
}
registerEnumType(RsvpStatus, {
  name: 'RsvpStatus',
  description: "A member's answer to an occurrence of an event.",
  valuesConfig: {
    GOING: { description: 'Takes a seat, or joins the waitlist when the occurrence is full.' },
    INTERESTED: { description: 'Interested; takes no seat.' },
    NOT_GOING: { description: 'Not coming; takes no seat (and frees one held).' },
  },
});

/**
 * An event of a community. A recurring event is one row with an iCalendar recurrence rule: its
 * occurrences are expanded on read, in the event's time zone (see recurrence.ts), and each
 * occurrence has its own RSVPs, named by the occurrence's start.
 */
@Entity({ tableName: 'events' })
@Index({ name: 'events_community_starts_index', properties: ['community', 'startsAt', 'id'] })
@Check({ name: 'events_times_check', expression: 'ends_at > starts_at' })
@Check({ name: 'events_capacity_check', expression: 'capacity > 0' })
@ObjectType('Event', {
  implements: Node,
  simpleResolvers: true,
  description: 'A meetup, live stream or contest of a community; possibly recurring.',
})
export class Event extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Event';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  organizer!: Ref<User>;

  @Field(() => EventKind, { description: 'What kind of event it is: MEETUP, LIVE_STREAM or CONTEST.' })
  @Enum({ items: () => EventKind })
  kind!: EventKind;

  @Field({ description: 'Title, 1 to 300 characters.' })
  @Property({ length: 300 })
  title!: string;

  @Field({ description: 'Plain text.' })
  @Property({ type: 'text' })
  description!: string;

  @Field({ description: 'Start of the first occurrence.' })
  @Property({ type: 'datetime' })
  startsAt!: Date;

  @Field({ description: 'End of the first occurrence; every occurrence lasts as long.' })
  @Property({ type: 'datetime' })
  endsAt!: Date;

  @Field({
    description:
      'IANA time zone the event is held in (e.g. Europe/Paris): occurrences keep their local time across daylight-saving changes.',
  })
  @Property({ length: 64 })
  timeZone!: string;

  @Field(() => String, { nullable: true, description: 'Where it takes place, for people who come in person.' })
  @Property({ length: 300, nullable: true })
  location?: string | null;

  @Field(() => String, { nullable: true, description: 'Link to join online (http or https).' })
  @Property({ length: 2000, nullable: true })
  onlineUrl?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seats per occurrence; null for no limit. Beyond it, GOING joins the waitlist.',
  })
  @Property({ type: 'integer', nullable: true })
  capacity?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'iCalendar recurrence rule (RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10); null for a one-off event.',
  })
  @Property({ type: 'text', nullable: true })
  recurrence?: string | null;

  /** End of the last occurrence; null when the recurrence never ends. Lets listings filter in SQL. */
  @Property({ type: 'datetime', nullable: true })
  seriesEndsAt?: Date | null;

  /** Hidden by moderation (reports past the threshold, a HIDE decision): see hidden-content.ts. */
  @Property({ type: 'datetime', nullable: true })
  hiddenAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Set once the event is cancelled; its RSVPs stay readable.' })
  @Property({ type: 'datetime', nullable: true })
  cancelledAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'LIVE_STREAM: when the organizer started the stream (chat opens).',
  })
  @Property({ type: 'datetime', nullable: true })
  liveStartedAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'LIVE_STREAM: when the stream ended (chat closes; history stays).',
  })
  @Property({ type: 'datetime', nullable: true })
  liveEndedAt?: Date | null;

  @Field(() => Int, {
    description:
      'LIVE_STREAM: seconds a member waits between chat messages (0: off). Moderators and the organizer are exempt.',
  })
  @Property({ type: 'integer', default: 0 })
  slowModeSeconds: number = 0;

  @Field({ description: 'When the event was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: 'When the event last changed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/**
 * A member's answer to one occurrence of an event. GOING either holds a seat (`seated`) or waits
 * for one, in `arrival` order. Seats are counted and handed out, and arrivals numbered, while the
 * event's row is locked, so concurrent RSVPs never overfill an occurrence and the waitlist keeps
 * the order in which members said GOING (one arrival number per occurrence, unique in the database).
 */
@Entity({ tableName: 'rsvps' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'rsvps_responded_at_index', properties: ['respondedAt'] })
@Unique({ name: 'rsvps_member_unique', properties: ['event', 'occurrenceStartsAt', 'user'] })
@Unique({ name: 'rsvps_arrival_unique', properties: ['event', 'occurrenceStartsAt', 'arrival'] })
@Index({ name: 'rsvps_seats_index', properties: ['event', 'occurrenceStartsAt', 'seated', 'arrival'] })
@Check({
  name: 'rsvps_going_check',
  expression: "(arrival is not null) = (status = 'GOING') and (seated = false or arrival is not null)",
})
@ObjectType('Rsvp', {
  implements: Node,
  simpleResolvers: true,
  description: "A member's answer to one occurrence of an event.",
})
export class Rsvp extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Rsvp';
  }

  @ManyToOne(() => Event, { ref: true, deleteRule: 'cascade' })
  event!: Ref<Event>;

  @Field({ description: "Start of the occurrence this answers (the event's start for a one-off event)." })
  @Property({ type: 'datetime' })
  occurrenceStartsAt!: Date;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => RsvpStatus, { description: "The member's answer." })
  @Enum({ items: () => RsvpStatus })
  status!: RsvpStatus;

  /** GOING with a seat; GOING without one is on the waitlist. */
  @Property({ default: false })
  seated: boolean = false;

  /** The order in which members said GOING to this occurrence (1, 2, …); null unless GOING. */
  @Property({ type: 'integer', nullable: true })
  arrival?: number | null;

  @Field({ description: 'When the member last changed their answer.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  respondedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'Set when an organizer checked the attendee in.' })
  @Property({ type: 'datetime', nullable: true })
  checkedInAt?: Date | null;
}
