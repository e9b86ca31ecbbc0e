import { Arg, Ctx, Field, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { requirePlatformAdmin } from '../identity/identity.service';
import { boundedListComplexity } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { actorIn } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { User } from '../identity/identity.entity';
import {
  cohorts,
  computedThrough,
  eventAttendance,
  insightsScope,
  insightsSeries,
  topContributors,
  topTags,
  type InsightsScope,
} from './insights.service';
import {
  INSIGHTS_LIMITS,
  InsightsBucket,
  InsightsCohort,
  InsightsContributor,
  InsightsEventAttendance,
  InsightsInterval,
  InsightsTag,
} from './insights.types';

@ObjectType({
  description: `Figures of a community's (or the platform's) activity over a range of calendar days, computed from rollups that the hourly \`insights.rollup\` job keeps: they lag the activity by at most an hour (see \`computedThrough\`). Each part is computed only when selected.`,
})
export class Insights {
  scope!: InsightsScope;

  @Field({ description: 'The first day of the range (YYYY-MM-DD).' })
  from!: string;

  @Field({ description: 'The day after the range (YYYY-MM-DD, excluded).' })
  to!: string;

  @Field(() => InsightsInterval, { description: "The series' buckets." })
  interval!: InsightsInterval;

  @Field({ description: "The time zone of the days: the community's (UTC for the platform's insights)." })
  timeZone!: string;
}

function insights(scope: InsightsScope): Insights {
  return Object.assign(new Insights(), {
    scope,
    from: scope.fromDay,
    to: scope.toDay,
    interval: scope.interval,
    timeZone: scope.timeZone,
  });
}

const RANGE = {
  from: { description: "The range's first day: this instant's date in the time zone of the days." },
  to: { description: "The day after the range: this instant's date in the time zone of the days (excluded)." },
  interval: { description: "The series' buckets." },
};

@Resolver(() => Community)
export class CommunityInsightsResolver {
  @FieldResolver(() => Insights, {
    description: `The community's insights over a range of its calendar days (ADMIN or above, and platform admins): at most ${INSIGHTS_LIMITS.maxBuckets} buckets of the interval and ${INSIGHTS_LIMITS.maxDays} days.`,
  })
  async insights(
    @Root() community: Community,
    @Arg('from', () => Date, RANGE.from) from: Date,
    @Arg('to', () => Date, RANGE.to) to: Date,
    @Arg('interval', () => InsightsInterval, RANGE.interval) interval: InsightsInterval,
    @Ctx() { loaders, viewer }: Context,
  ): Promise<Insights> {
    assertCan(await actorIn(loaders, viewer, community.id), 'insights.read');
    return insights(insightsScope(community.id, community.timeZone, { from, to, interval }));
  }
}

@Resolver(() => Insights)
export class InsightsResolver {
  @Query(() => Insights, {
    description: `Insights over every community (platform admins only), by UTC calendar days: at most ${INSIGHTS_LIMITS.maxBuckets} buckets of the interval and ${INSIGHTS_LIMITS.maxDays} days. A member active in several communities counts once; each community's activity falls on its own calendar days.`,
  })
  platformInsights(
    @Arg('from', () => Date, RANGE.from) from: Date,
    @Arg('to', () => Date, RANGE.to) to: Date,
    @Arg('interval', () => InsightsInterval, RANGE.interval) interval: InsightsInterval,
    @Ctx() { viewer }: Context,
  ): Insights {
    requirePlatformAdmin(viewer, 'read the platform insights');
    return insights(insightsScope(null, 'UTC', { from, to, interval }));
  }

  @FieldResolver(() => [InsightsBucket], {
    complexity: boundedListComplexity(INSIGHTS_LIMITS.maxBuckets),
    description: 'One bucket per day, week or month of the range, oldest first (empty ones included).',
  })
  series(@Root() root: Insights, @Ctx() { em }: Context): Promise<InsightsBucket[]> {
    return insightsSeries(em, root.scope);
  }

  @FieldResolver(() => [InsightsContributor], {
    complexity: boundedListComplexity(INSIGHTS_LIMITS.top),
    description: `The ${INSIGHTS_LIMITS.top} members with the most interactions in the range, most first.`,
  })
  topContributors(@Root() root: Insights, @Ctx() { em }: Context): Promise<InsightsContributor[]> {
    return topContributors(em, root.scope);
  }

  @FieldResolver(() => [InsightsTag], {
    complexity: boundedListComplexity(INSIGHTS_LIMITS.top),
    description: `The ${INSIGHTS_LIMITS.top} tags on the most posts written in the range, most first.`,
  })
  topTags(@Root() root: Insights, @Ctx() { em }: Context): Promise<InsightsTag[]> {
    return topTags(em, root.scope);
  }

  @FieldResolver(() => [InsightsEventAttendance], {
    complexity: boundedListComplexity(INSIGHTS_LIMITS.events),
    description: `Event occurrences starting in the range with RSVPs, the latest ${INSIGHTS_LIMITS.events} first: GOING RSVPs against check-ins (read live, not from the rollups).`,
  })
  events(@Root() root: Insights, @Ctx() { em }: Context): Promise<InsightsEventAttendance[]> {
    return eventAttendance(em, root.scope);
  }

  @FieldResolver(() => [InsightsCohort], {
    complexity: boundedListComplexity(INSIGHTS_LIMITS.cohorts),
    description: `Weekly retention cohorts of the members who joined in the range (for the platform: accounts created), the latest ${INSIGHTS_LIMITS.cohorts} weeks, oldest first.`,
  })
  cohorts(@Root() root: Insights, @Ctx() { em }: Context): Promise<InsightsCohort[]> {
    return cohorts(em, root.scope);
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description: 'When the rollup last ran (null: never): activity after then is not counted yet.',
  })
  computedThrough(@Ctx() { em }: Context): Promise<Date | null> {
    return computedThrough(em);
  }
}

@Resolver(() => InsightsContributor)
export class InsightsContributorResolver {
  @FieldResolver(() => User, { description: 'The member.' })
  async user(@Root() root: InsightsContributor, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(root.userId))!;
  }
}
