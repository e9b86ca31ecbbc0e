import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { Community } from '../communities/communities.entity';
import { MODERATION_STATS_LIMITS, ModerationStats, moderationStats } from './stats';

@Resolver(() => Community)
export class CommunityModerationStatsResolver {
  @FieldResolver(() => ModerationStats, {
    description: `The community's moderation figures over [from, to), at most ${MODERATION_STATS_LIMITS.maxDays} days (MODERATOR or above): reports by reason, decisions by action and the median time to decide, appeals, AutoMod matches by rule.`,
  })
  moderationStats(
    @Root() community: Community,
    @Arg('from', () => Date, { description: 'Start of the range (included).' }) from: Date,
    @Arg('to', () => Date, { description: 'End of the range (excluded), after `from`.' }) to: Date,
    @Ctx() ctx: Context,
  ): Promise<ModerationStats> {
    return moderationStats(ctx, community, { from, to });
  }
}
