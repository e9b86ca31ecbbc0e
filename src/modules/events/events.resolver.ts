import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { contentText, maskable, optionalContentText, type MaskableContent } from '../posts/hidden-content';
import { nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import {
  Connection,
  ForwardPageArgs,
  PageArgs,
  connectionComplexity,
  idPage,
  idRange,
  toConnection,
} from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { Event, Rsvp } from './events.entity';
import {
  CalendarArgs,
  CancelCommunityEventInput,
  CheckInAttendeeInput,
  CheckInInput,
  CreateEventInput,
  EventsArgs,
  OccurrenceArgs,
  OccurrencePageArgs,
  RsvpInput,
  SetRsvpInput,
  UpdateEventInput,
} from './events.inputs';
import { replacedBy } from '../../platform/deprecations';
import type { RsvpPageKey } from './events.loaders';
import * as events from './events.service';
import { allowed } from '../communities/policies';
import { checkIn, rsvp } from './rsvps.service';

@ObjectType('EventOccurrence', {
  description: 'One occurrence of an event (a one-off event has exactly one), with its own RSVPs.',
})
export class EventOccurrence {
  event!: Event;

  @Field({ description: 'When this occurrence starts.' }) startsAt!: Date;
  @Field({ description: 'When this occurrence ends.' }) endsAt!: Date;
}

@ObjectType()
export class EventConnection extends Connection(Event, 'Event') {}
@ObjectType()
export class EventOccurrenceConnection extends Connection(EventOccurrence, 'EventOccurrence') {}
@ObjectType()
export class RsvpConnection extends Connection(Rsvp, 'Rsvp', {
  totalCount:
    "How many RSVPs the list holds (all pages): the occurrence's `goingCount` for attendees, `waitlistCount` for the waitlist (one count of the occurrence's RSVPs serves both, and every occurrence of the request in one statement).",
}) {}

const asOccurrence = (o: events.EventOccurrence): EventOccurrence => Object.assign(new EventOccurrence(), o);

/** A page of an occurrence's attendees (seated) or waitlist, in arrival order. */
async function rsvpPage(ctx: Context, occurrence: events.EventOccurrence, list: RsvpPageKey['list'], args: PageArgs) {
  const page = idPage(args);
  const at = { eventId: occurrence.event.id, startsAt: occurrence.startsAt };
  const rows = await ctx.loaders.rsvpPage.load({ ...at, list, ...idRange(page) });
  return toConnection(
    rows,
    page,
    (r) => [r.arrival ?? 0],
    async () => {
      const counts = await ctx.loaders.rsvpCounts.load(at);
      return list === 'attendees' ? counts.going : counts.waitlisted;
    },
  );
}

const key = (o: events.EventOccurrence) => ({ eventId: o.event.id, startsAt: o.startsAt });

/** An event as `contentText` reads it: its organizer is its author. */
const eventContent = (event: Event): MaskableContent => ({
  hiddenAt: event.hiddenAt,
  authorId: event.organizer.id,
  communityId: () => event.community.id,
});

@Resolver(() => Event)
export class EventsResolver {
  @Query(() => Event, {
    nullable: true,
    description: 'An event by id; null when it does not exist or you may not read it.',
  })
  async event(
    @Arg('id', () => ID, { description: 'Global id of the event.' }) id: string,
    @Ctx() { loaders, viewer }: Context,
  ): Promise<Event | null> {
    return nullIfHidden(events.readableEvent(loaders, viewer, fromGlobalId('Event', id)).then((r) => r.event));
  }

  @Mutation(() => Event, { description: 'Creates an event in a community you belong to; you are its organizer.' })
  createEvent(
    @Arg('input', { description: 'The event to create.' }) input: CreateEventInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return events.createEvent(ctx, {
      ...input,
      communityId: fromGlobalId('Community', input.communityId, 'communityId'),
    });
  }

  @Mutation(() => Event, { description: 'Changes an event (its organizer, or a MODERATOR or above).' })
  updateEvent(
    @Arg('input', { description: 'The event and the fields to change.' }) input: UpdateEventInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return events.updateEvent(ctx, { ...input, id: fromGlobalId('Event', input.id) });
  }

  @Mutation(() => Event, {
    description: 'Cancels an event (its organizer, or a MODERATOR or above). RSVPs stay readable.',
  })
  cancelCommunityEvent(
    @Arg('input', { description: 'The event.' }) input: CancelCommunityEventInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return events.cancelEvent(ctx, fromGlobalId('Event', input.id));
  }

  @Mutation(() => Rsvp, {
    description:
      'Answers an occurrence of an event. GOING beyond capacity joins the waitlist, and is promoted in order when a seat frees.',
  })
  setRsvp(
    @Arg('input', { description: 'The event, the occurrence and your answer.' }) input: SetRsvpInput,
    @Ctx() ctx: Context,
  ): Promise<Rsvp> {
    return rsvp(ctx, {
      eventId: fromGlobalId('Event', input.eventId, 'eventId'),
      status: input.status,
      occurrenceStartsAt: input.occurrenceStartsAt,
    });
  }

  @Mutation(() => Rsvp, {
    description: 'Checks in an attendee holding a seat (the organizer, or a MODERATOR or above).',
  })
  checkInAttendee(
    @Arg('input', { description: 'The event, the occurrence and the attendee.' }) input: CheckInAttendeeInput,
    @Ctx() ctx: Context,
  ): Promise<Rsvp> {
    return checkIn(
      ctx,
      fromGlobalId('Event', input.eventId, 'eventId'),
      fromGlobalId('User', input.userId, 'userId'),
      input.occurrenceStartsAt,
    );
  }

  @Mutation(() => Event, {
    description: 'Cancels an event (its organizer, or a MODERATOR or above). RSVPs stay readable.',
    deprecationReason: replacedBy('cancelEvent'),
  })
  cancelEvent(
    @Arg('id', () => ID, { description: 'Global id of the event.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return this.cancelCommunityEvent({ id }, ctx);
  }

  @Mutation(() => Rsvp, {
    description:
      'Answers an occurrence of an event. GOING beyond capacity joins the waitlist, and is promoted in order when a seat frees.',
    deprecationReason: replacedBy('rsvp'),
  })
  rsvp(
    @Arg('input', { description: 'The event, the occurrence and your answer.' }) input: RsvpInput,
    @Ctx() ctx: Context,
  ): Promise<Rsvp> {
    return this.setRsvp(input, ctx);
  }

  @Mutation(() => Rsvp, {
    description: 'Checks in an attendee holding a seat (the organizer, or a MODERATOR or above).',
    deprecationReason: replacedBy('checkIn'),
  })
  checkIn(
    @Arg('input', { description: 'The event, the occurrence and the attendee.' }) input: CheckInInput,
    @Ctx() ctx: Context,
  ): Promise<Rsvp> {
    return this.checkInAttendee(input, ctx);
  }

  @FieldResolver(() => Community, { description: 'The community the event belongs to.' })
  async community(@Root() event: Event, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(event.community.id))!;
  }

  @FieldResolver(() => User, { description: 'The member who created the event.' })
  async organizer(@Root() event: Event, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(event.organizer.id))!;
  }

  @FieldResolver(() => Boolean, {
    description:
      "Hidden by moderation (reports past the community's threshold, or a HIDE decision): readers other than its organizer and the community's moderators read `[hidden by moderation]` as its title and description, and no location or link.",
  })
  hidden(@Root() event: Event): boolean {
    return !!event.hiddenAt;
  }

  // A hidden event shows its texts to its organizer and the moderators only (hidden-content.ts).
  @FieldResolver()
  title(@Root() event: Event, @Ctx() ctx: Context): string | Promise<string> {
    const content = eventContent(event);
    return maskable(ctx, content) ? contentText(ctx, content, event.title) : event.title;
  }

  @FieldResolver()
  description(@Root() event: Event, @Ctx() ctx: Context): string | Promise<string> {
    const content = eventContent(event);
    return maskable(ctx, content) ? contentText(ctx, content, event.description) : event.description;
  }

  @FieldResolver()
  location(@Root() event: Event, @Ctx() ctx: Context): string | null | Promise<string | null> {
    const content = eventContent(event);
    return maskable(ctx, content)
      ? optionalContentText(ctx, content, event.location ?? null)
      : (event.location ?? null);
  }

  @FieldResolver()
  onlineUrl(@Root() event: Event, @Ctx() ctx: Context): string | null | Promise<string | null> {
    const content = eventContent(event);
    return maskable(ctx, content)
      ? optionalContentText(ctx, content, event.onlineUrl ?? null)
      : (event.onlineUrl ?? null);
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether you may manage this event: edit and cancel it, check attendees in, run its live stream (its organizer or a moderator, not banned from the community).',
  })
  viewerCanManage(@Root() event: Event, @Ctx() ctx: Context): Promise<boolean> {
    return allowed(ctx, 'event.update', event);
  }

  @FieldResolver(() => EventOccurrenceConnection, {
    complexity: connectionComplexity,
    description: 'Occurrences still to end, in order.',
  })
  occurrences(@Root() event: Event, @Args() args: ForwardPageArgs) {
    const page = events.upcomingOccurrences(event, args);
    return {
      ...page,
      edges: page.edges.map((e) => ({
        get cursor() {
          return e.cursor;
        },
        node: asOccurrence(e.node),
      })),
    };
  }

  @FieldResolver(() => EventOccurrence, { description: 'The occurrence under way or next, else the last one.' })
  currentOccurrence(@Root() event: Event): EventOccurrence {
    return asOccurrence(events.occurrenceOf(event));
  }

  @FieldResolver(() => RsvpConnection, {
    complexity: connectionComplexity,
    description: 'Members holding a seat, in the order they said GOING.',
  })
  attendees(@Root() event: Event, @Args() args: OccurrencePageArgs, @Ctx() ctx: Context) {
    return rsvpPage(ctx, events.occurrenceOf(event, args.occurrenceStartsAt), 'attendees', args);
  }

  @FieldResolver(() => RsvpConnection, {
    complexity: connectionComplexity,
    description: 'Members waiting for a seat, first to be promoted first.',
  })
  waitlist(@Root() event: Event, @Args() args: OccurrencePageArgs, @Ctx() ctx: Context) {
    return rsvpPage(ctx, events.occurrenceOf(event, args.occurrenceStartsAt), 'waitlist', args);
  }

  @FieldResolver(() => Rsvp, { nullable: true, description: 'Your answer; null when you have none or are anonymous.' })
  viewerRsvp(@Root() event: Event, @Args() args: OccurrenceArgs, @Ctx() { loaders }: Context): Promise<Rsvp | null> {
    return loaders.viewerRsvp.load(key(events.occurrenceOf(event, args.occurrenceStartsAt)));
  }

  @FieldResolver(() => Int, { description: 'Seats taken.' })
  async goingCount(@Root() event: Event, @Args() args: OccurrenceArgs, @Ctx() { loaders }: Context): Promise<number> {
    return (await loaders.rsvpCounts.load(key(events.occurrenceOf(event, args.occurrenceStartsAt)))).going;
  }

  @FieldResolver(() => Int, { description: 'Members waiting for a seat.' })
  async waitlistCount(
    @Root() event: Event,
    @Args() args: OccurrenceArgs,
    @Ctx() { loaders }: Context,
  ): Promise<number> {
    return (await loaders.rsvpCounts.load(key(events.occurrenceOf(event, args.occurrenceStartsAt)))).waitlisted;
  }
}

@Resolver(() => EventOccurrence)
export class EventOccurrenceResolver {
  @FieldResolver(() => Event, { description: 'The event this is an occurrence of.' })
  event(@Root() occurrence: EventOccurrence): Event {
    return occurrence.event;
  }

  @FieldResolver(() => Int, { description: 'Seats taken.' })
  async goingCount(@Root() occurrence: EventOccurrence, @Ctx() { loaders }: Context): Promise<number> {
    return (await loaders.rsvpCounts.load(key(occurrence))).going;
  }

  @FieldResolver(() => Int, { description: 'Members waiting for a seat.' })
  async waitlistCount(@Root() occurrence: EventOccurrence, @Ctx() { loaders }: Context): Promise<number> {
    return (await loaders.rsvpCounts.load(key(occurrence))).waitlisted;
  }

  @FieldResolver(() => Int, { description: 'Members who answered INTERESTED.' })
  async interestedCount(@Root() occurrence: EventOccurrence, @Ctx() { loaders }: Context): Promise<number> {
    return (await loaders.rsvpCounts.load(key(occurrence))).interested;
  }

  @FieldResolver(() => Rsvp, { nullable: true, description: 'Your answer; null when you have none or are anonymous.' })
  viewerRsvp(@Root() occurrence: EventOccurrence, @Ctx() { loaders }: Context): Promise<Rsvp | null> {
    return loaders.viewerRsvp.load(key(occurrence));
  }

  @FieldResolver(() => RsvpConnection, {
    complexity: connectionComplexity,
    description: 'Members holding a seat, in the order they said GOING.',
  })
  attendees(@Root() occurrence: EventOccurrence, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return rsvpPage(ctx, occurrence, 'attendees', args);
  }

  @FieldResolver(() => RsvpConnection, {
    complexity: connectionComplexity,
    description: 'Members waiting for a seat, first to be promoted first.',
  })
  waitlist(@Root() occurrence: EventOccurrence, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return rsvpPage(ctx, occurrence, 'waitlist', args);
  }
}

@Resolver(() => Rsvp)
export class RsvpResolver {
  @FieldResolver(() => Event, { description: 'The event answered.' })
  async event(@Root() rsvp: Rsvp, @Ctx() { loaders }: Context): Promise<Event> {
    return (await loaders.event.load(rsvp.event.id))!;
  }

  @FieldResolver(() => User, { description: 'The member who answered.' })
  async user(@Root() rsvp: Rsvp, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(rsvp.user.id))!;
  }

  @FieldResolver(() => Boolean, { description: 'GOING without a seat yet.' })
  waitlisted(@Root() rsvp: Rsvp): boolean {
    return rsvp.arrival !== null && rsvp.arrival !== undefined && !rsvp.seated;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Place on the waitlist (1 gets the next free seat); null when not waiting.',
  })
  waitlistPosition(@Root() rsvp: Rsvp, @Ctx() { loaders }: Context): Promise<number | null> | null {
    return rsvp.arrival !== null && rsvp.arrival !== undefined && !rsvp.seated
      ? loaders.waitlistPosition.load(rsvp.id)
      : null;
  }
}

@Resolver(() => Community)
export class CommunityEventsResolver {
  @FieldResolver(() => EventConnection, {
    complexity: connectionComplexity,
    description: "The community's events by first start. RESTRICTED and PRIVATE communities: members only.",
  })
  events(@Root() community: Community, @Args() args: EventsArgs, @Ctx() { em, loaders, viewer }: Context) {
    return events.communityEvents(em, loaders, viewer, community, args);
  }

  @FieldResolver(() => EventOccurrenceConnection, {
    complexity: connectionComplexity,
    description:
      "Every occurrence of the community's events (not cancelled) in a range, by start. RESTRICTED and PRIVATE communities: members only.",
  })
  async calendar(@Root() community: Community, @Args() args: CalendarArgs, @Ctx() { em, loaders, viewer }: Context) {
    const page = await events.communityCalendar(em, loaders, viewer, community, args);
    return {
      ...page,
      edges: page.edges.map((e) => ({
        get cursor() {
          return e.cursor;
        },
        node: asOccurrence(e.node),
      })),
    };
  }
}
