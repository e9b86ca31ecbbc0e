import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { boundedListComplexity } from '../../platform/pagination';

export enum InsightsInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(InsightsInterval, {
  name: 'InsightsInterval',
  description: 'The buckets of an insights series: calendar days, weeks (from Monday) or months.',
  valuesConfig: {
    DAY: { description: 'A bucket per calendar day.' },
    WEEK: { description: 'A bucket per calendar week, Monday to Sunday.' },
    MONTH: { description: 'A bucket per calendar month.' },
  },
});

/** Bounds of `Community.insights` and `platformInsights`. */
export const INSIGHTS_LIMITS = {
  /** Buckets of a series at most (DAY: 366 days, WEEK: 366 weeks, MONTH: 366 months). */
  maxBuckets: 366,
  /** Widest range in days, whatever the interval (10 years). */
  maxDays: 3660,
  /** Top contributors and top tags listed. */
  top: 10,
  /** Event occurrences listed (the latest first). */
  events: 50,
  /** Weekly cohorts listed (those of the latest weeks of the range). */
  cohorts: 53,
  /** Weeks after its own that a cohort's retention follows. */
  cohortWeeks: 8,
} as const;

@ObjectType({
  description: "One bucket (a day, week or month) of an insights series. Days are the community's calendar days.",
})
export class InsightsBucket {
  @Field({ description: "The bucket's first day (YYYY-MM-DD; the range's first day for a bucket it cuts)." })
  date!: string;

  @Field(() => Int, {
    description:
      'Members active in the bucket: who wrote a post or comment, voted, reacted, answered an RSVP, chatted or cast a poll ballot (each counted once).',
  })
  activeMembers!: number;

  @Field(() => Int, { description: 'Memberships that began in the bucket (joins).' })
  newMembers!: number;

  @Field(() => Int, {
    description: 'Memberships that ended in the bucket (left, removed by a ban, or the account deleted).',
  })
  departedMembers!: number;

  @Field(() => Int, { description: 'Posts written in the bucket (deleted or hidden since included).' })
  posts!: number;

  @Field(() => Int, { description: 'Comments written in the bucket (deleted or hidden since included).' })
  comments!: number;

  @Field(() => Int, {
    description: 'Interactions: posts, comments, votes, reactions, RSVPs, chat messages and poll ballots.',
  })
  interactions!: number;

  @Field(() => Float, {
    nullable: true,
    description: '`interactions` / `activeMembers` (null: no active member).',
  })
  interactionRate!: number | null;

  @Field(() => Int, { description: 'Posts written in the bucket that someone other than their author replied to.' })
  repliedPosts!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "The median time, in seconds, from a post to its first comment by someone other than its author, over the bucket's replied posts (null: none).",
  })
  medianSecondsToFirstReply!: number | null;

  @Field(() => Int, { description: 'GOING RSVPs (seated) of the event occurrences starting in the bucket.' })
  rsvpsGoing!: number;

  @Field(() => Int, { description: 'Attendees checked in at the event occurrences starting in the bucket.' })
  checkedIn!: number;
}

@ObjectType({ description: 'A member among the most active of an insights range.' })
export class InsightsContributor {
  userId!: number;

  @Field(() => Int, { description: 'Posts written in the range.' })
  posts!: number;

  @Field(() => Int, { description: 'Comments written in the range.' })
  comments!: number;

  @Field(() => Int, { description: 'Interactions of every kind in the range (see `InsightsBucket.interactions`).' })
  interactions!: number;
}

@ObjectType({ description: 'A tag among the most used on posts of an insights range.' })
export class InsightsTag {
  @Field({ description: 'The tag.' })
  tag!: string;

  @Field(() => Int, { description: 'Posts written in the range with it.' })
  posts!: number;
}

@ObjectType({ description: 'An event occurrence of an insights range: its GOING RSVPs against who was checked in.' })
export class InsightsEventAttendance {
  @Field(() => ID, { description: 'The event.' })
  eventId!: string;

  @Field({ description: "The event's title." })
  title!: string;

  @Field({ description: 'When the occurrence starts (a recurring event has one per date).' })
  startsAt!: Date;

  @Field(() => Int, { description: 'GOING RSVPs with a seat (the waitlist not included).' })
  going!: number;

  @Field(() => Int, { description: 'Attendees checked in.' })
  checkedIn!: number;
}

@ObjectType({
  description: 'The members who joined in one week, and the share of them active in each of the following weeks.',
})
export class InsightsCohort {
  @Field({ description: "The cohort's week, by its Monday (YYYY-MM-DD)." })
  week!: string;

  @Field(() => Int, { description: 'Members who joined that week.' })
  size!: number;

  @Field(() => [Float], {
    nullable: 'items',
    complexity: boundedListComplexity(INSIGHTS_LIMITS.cohortWeeks),
    description: `For each of the ${INSIGHTS_LIMITS.cohortWeeks} following weeks (N+1 first), the share of the cohort active in it, from 0 to 1 (null: that week has not begun).`,
  })
  retention!: (number | null)[];
}
