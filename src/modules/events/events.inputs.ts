import { IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';
import { EventKind, RsvpStatus } from './events.entity';

/** Limits of events and RSVPs, in one place. */
export const EVENT_LIMITS = {
  titleLength: 300,
  descriptionLength: 20_000,
  locationLength: 300,
  urlLength: 2000,
  /** Seats per occurrence at most. */
  maxCapacity: 100_000,
  /** Longest single occurrence. */
  maxDurationDays: 31,
  /** Organizers check attendees in from this long before an occurrence starts… */
  checkInOpensBeforeMs: 24 * 60 * 60 * 1000,
  /** …until this long after it ends. */
  checkInClosesAfterMs: 24 * 60 * 60 * 1000,
  /** Widest `calendar` range. */
  maxCalendarDays: 366,
  /** Events a `calendar` page expands at most (its range's candidates). */
  maxCalendarEvents: 1000,
} as const;

@InputType({ description: 'A new event in a community.' })
export class CreateEventInput {
  @Field(() => ID, { description: 'Global id of a community you are a member of.' }) communityId!: string;

  @Field(() => EventKind, { defaultValue: EventKind.MEETUP, description: 'MEETUP (default), LIVE_STREAM or CONTEST.' })
  kind!: EventKind;

  @Field({ description: 'Title, 1 to 300 characters.' })
  @Length(1, EVENT_LIMITS.titleLength, { message: `title must be 1 to ${EVENT_LIMITS.titleLength} characters long` })
  title!: string;

  @Field({ defaultValue: '', description: 'Plain-text description, at most 20000 characters.' })
  @MaxLength(EVENT_LIMITS.descriptionLength, {
    message: `description must be at most ${EVENT_LIMITS.descriptionLength} characters long`,
  })
  description!: string;

  @Field({ description: 'Start of the (first) occurrence.' })
  startsAt!: Date;

  @Field({ description: 'End of the (first) occurrence; after startsAt.' })
  endsAt!: Date;

  @Field({
    defaultValue: 'UTC',
    description: 'IANA time zone, e.g. Europe/Paris. Recurring events keep their local time in it.',
  })
  @MaxLength(64)
  timeZone!: string;

  @Field(() => Int, {
    nullable: true,
    description: `Seats per occurrence (1 to ${EVENT_LIMITS.maxCapacity}); omit for no limit.`,
  })
  @IsOptional()
  @Min(1, { message: 'capacity must be at least 1' })
  @Max(EVENT_LIMITS.maxCapacity, { message: `capacity must be at most ${EVENT_LIMITS.maxCapacity}` })
  capacity?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where it takes place, at most 300 characters; omit for an online-only event.',
  })
  @IsOptional()
  @MaxLength(EVENT_LIMITS.locationLength, {
    message: `location must be at most ${EVENT_LIMITS.locationLength} characters long`,
  })
  location?: string | null;

  @Field(() => String, { nullable: true, description: 'http or https link to join online.' })
  @IsOptional()
  @MaxLength(EVENT_LIMITS.urlLength, { message: `onlineUrl must be at most ${EVENT_LIMITS.urlLength} characters long` })
  onlineUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'iCalendar RRULE (e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10), daily or coarser; omit for a one-off event.',
  })
  @IsOptional()
  @MaxLength(500)
  recurrence?: string | null;
}

@InputType({
  description:
    'Fields to change; omitted fields stay as they are. Null clears capacity, location, onlineUrl or recurrence.',
})
export class UpdateEventInput {
  @Field(() => ID, { description: 'Global id of the event.' }) id!: string;

  @Field(() => String, { nullable: true, description: 'New title, 1 to 300 characters.' })
  @IsOptional()
  @Length(1, EVENT_LIMITS.titleLength, { message: `title must be 1 to ${EVENT_LIMITS.titleLength} characters long` })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'New plain-text description, at most 20000 characters.' })
  @IsOptional()
  @MaxLength(EVENT_LIMITS.descriptionLength, {
    message: `description must be at most ${EVENT_LIMITS.descriptionLength} characters long`,
  })
  description?: string | null;

  @Field({ nullable: true, description: 'New start of the (first) occurrence.' })
  startsAt?: Date;

  @Field({ nullable: true, description: 'New end of the (first) occurrence; after startsAt.' })
  endsAt?: Date;

  @Field({ nullable: true, description: 'New IANA time zone, e.g. Europe/Paris.' })
  @IsOptional()
  @MaxLength(64)
  timeZone?: string;

  @Field(() => Int, { nullable: true, description: 'Seats per occurrence, 1 to 100000; null for no limit.' })
  @IsOptional()
  @Min(1, { message: 'capacity must be at least 1' })
  @Max(EVENT_LIMITS.maxCapacity, { message: `capacity must be at most ${EVENT_LIMITS.maxCapacity}` })
  capacity?: number | null;

  @Field(() => String, { nullable: true, description: 'Where it takes place, at most 300 characters; null clears it.' })
  @IsOptional()
  @MaxLength(EVENT_LIMITS.locationLength, {
    message: `location must be at most ${EVENT_LIMITS.locationLength} characters long`,
  })
  location?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'http or https link to join online, at most 2000 characters; null clears it.',
  })
  @IsOptional()
  @MaxLength(EVENT_LIMITS.urlLength, { message: `onlineUrl must be at most ${EVENT_LIMITS.urlLength} characters long` })
  onlineUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'iCalendar RRULE, daily or coarser, at most 500 characters; null makes it a one-off event.',
  })
  @IsOptional()
  @MaxLength(500)
  recurrence?: string | null;
}

@InputType({ description: 'Your answer to one occurrence of an event.' })
export class RsvpInput {
  @Field(() => ID, { description: 'Global id of the event.' }) eventId!: string;

  @Field(() => RsvpStatus, { description: 'GOING, INTERESTED or NOT_GOING.' })
  status!: RsvpStatus;

  @Field({
    nullable: true,
    description: 'Which occurrence of a recurring event (its start); a one-off event has only one.',
  })
  occurrenceStartsAt?: Date;
}

@InputType({ description: 'An attendee to check in at one occurrence of an event.' })
export class CheckInInput {
  @Field(() => ID, { description: 'Global id of the event.' }) eventId!: string;

  @Field(() => ID, { description: 'The attendee (a User id).' })
  userId!: string;

  @Field({ nullable: true, description: 'Which occurrence of a recurring event (its start).' })
  occurrenceStartsAt?: Date;
}

@InputType({ description: 'Your answer to one occurrence of an event.' })
export class SetRsvpInput extends RsvpInput {}

@InputType({ description: 'An attendee to check in at one occurrence of an event.' })
export class CheckInAttendeeInput extends CheckInInput {}

@InputType({ description: 'The event to cancel.' })
export class CancelCommunityEventInput {
  @Field(() => ID, { description: 'Global id of the event.' }) id!: string;
}

@ArgsType()
export class EventsArgs extends PageArgs {
  @Field({ defaultValue: false, description: 'Only events not cancelled with an occurrence still to end.' })
  upcoming!: boolean;
}

@ArgsType()
export class CalendarArgs extends PageArgs {
  @Field({ description: 'Occurrences that end after this instant…' })
  from!: Date;

  @Field({ description: `…and start before this one (at most ${EVENT_LIMITS.maxCalendarDays} days after \`from\`).` })
  to!: Date;
}

@ArgsType()
export class OccurrenceArgs {
  @Field({
    nullable: true,
    description: 'Which occurrence (its start); by default the one under way or next, else the last.',
  })
  occurrenceStartsAt?: Date;
}

@ArgsType()
export class OccurrencePageArgs extends PageArgs {
  @Field({
    nullable: true,
    description: 'Which occurrence (its start); by default the one under way or next, else the last.',
  })
  occurrenceStartsAt?: Date;
}
