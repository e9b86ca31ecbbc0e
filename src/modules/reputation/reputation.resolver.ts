import { Args, Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { boundedListComplexity, connectionComplexity, PageArgs } from '../../platform/pagination';
import { Node } from '../../platform/node';
import { Community, Member } from '../communities/communities.entity';
import { actorIn, visibleCommunity } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { User } from '../identity/identity.entity';
import { BADGES } from './badges';
import { requireUser } from '../identity/identity.service';
import { leaderboardChangedStream } from './leaderboard.live';
import { ReputationEvent, ReputationReason, ReputationSubjectType } from './reputation.entity';
import * as reputation from './reputation.service';
import {
  LeaderboardArgs,
  LeaderboardChangedArgs,
  LeaderboardEntry,
  LeaderboardEntryConnection,
  leaderboardComplexity,
  MemberBadgeView,
  ReputationEventConnection,
  RebuildCommunityReputationInput,
  RebuildCommunityReputationPayload,
  ReputationRulesInput,
  RankingArgs,
  ReputationRulesView,
  SetReputationRulesInput,
} from './reputation.types';
import { replacedBy } from '../../platform/deprecations';

@Resolver(() => Member)
export class MemberReputationResolver {
  @FieldResolver(() => Int, {
    description: 'Reputation level in this community, from `Community.reputationRules.levelThresholds`.',
  })
  level(@Root() member: Member, @Ctx() { loaders }: Context): Promise<number> {
    return reputation.memberLevel(loaders, member);
  }

  // At most one badge of each kind.
  @FieldResolver(() => [MemberBadgeView], {
    complexity: boundedListComplexity(Object.keys(BADGES).length),
    description: 'Badges earned in this community, oldest first (at most one of each kind).',
  })
  badges(@Root() member: Member, @Ctx() { loaders }: Context): Promise<MemberBadgeView[]> {
    return reputation.memberBadges(loaders, member);
  }

  @FieldResolver(() => ReputationEventConnection, {
    complexity: connectionComplexity,
    description: "The member's reputation ledger in this community, newest first: `reputation` is its sum.",
  })
  reputationHistory(@Root() member: Member, @Args() args: PageArgs, @Ctx() { loaders }: Context) {
    return reputation.history(loaders, member, args);
  }
}

/** Reasons whose actor is a moderator or organizer acting in the open; voters stay anonymous. */
const PUBLIC_ACTOR: ReadonlySet<ReputationReason> = new Set([
  ReputationReason.COMMENT_FEATURED,
  ReputationReason.EVENT_CHECK_IN,
]);

@Resolver(() => ReputationEvent)
export class ReputationEventResolver {
  @FieldResolver(() => Member, {
    nullable: true,
    description: 'Whose reputation changed (null once they have left the community).',
  })
  member(@Root() row: ReputationEvent, @Ctx() { loaders }: Context): Promise<Member | null> {
    return loaders.memberOf.load({ communityId: row.community.id, userId: row.user.id });
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether this row cancels an earlier one (a withdrawn or changed vote, an unfeatured comment, deleted content, or, with a positive delta, a removal reversed on appeal).',
  })
  reversal(@Root() row: ReputationEvent): boolean {
    return row.reverses != null;
  }

  @FieldResolver(() => Node, {
    nullable: true,
    description:
      'What caused the change: a Post, Comment, Event, Poll or Quest. Null when gone, and for a ballot in an anonymous poll unless you are the member.',
  })
  async subject(@Root() row: ReputationEvent, @Ctx() { loaders, viewer }: Context): Promise<Node | null> {
    switch (row.subjectType) {
      case ReputationSubjectType.POST:
        return loaders.post.load(row.subjectId);
      case ReputationSubjectType.COMMENT:
        return loaders.comment.load(row.subjectId);
      case ReputationSubjectType.EVENT:
        return loaders.event.load(row.subjectId);
      case ReputationSubjectType.POLL: {
        const poll = await loaders.poll.load(row.subjectId);
        return poll && (!poll.anonymous || viewer.userId === row.user.id) ? poll : null;
      }
      case ReputationSubjectType.QUEST:
        return loaders.quest.load(row.subjectId);
    }
  }

  @FieldResolver(() => User, {
    nullable: true,
    description:
      "Who acted, for a moderator's or organizer's act (featuring, check-in); null for votes, which stay anonymous.",
  })
  async actor(@Root() row: ReputationEvent, @Ctx() { loaders }: Context): Promise<User | null> {
    return row.actor && PUBLIC_ACTOR.has(row.reason) ? loaders.user.load(row.actor.id) : null;
  }
}

@Resolver(() => Community)
export class CommunityReputationResolver {
  @FieldResolver(() => [LeaderboardEntry], {
    complexity: leaderboardComplexity,
    deprecationReason:
      'Use `ranking`: the same entries as a connection, which pages past the first 100 (`first`, `after`) and counts the board (`totalCount`).',
    description:
      'The members with the most reputation in the period, best first (the first 100 at most). RESTRICTED and PRIVATE communities: members only.',
  })
  leaderboard(
    @Root() community: Community,
    @Args() { period, first }: LeaderboardArgs,
    @Ctx() ctx: Context,
  ): Promise<LeaderboardEntry[]> {
    return reputation.leaderboard(ctx, community, period, first);
  }

  @FieldResolver(() => LeaderboardEntryConnection, {
    complexity: connectionComplexity,
    description:
      "The members ranked by reputation in the period, best first (equal scores: the older account first), with their rank: the period's whole leaderboard, paged forwards (a ranking reads from the top; a cursor is a place on the board, so members moving meanwhile never make a page repeat or skip one who kept theirs). RESTRICTED and PRIVATE communities: members only.",
  })
  ranking(@Root() community: Community, @Args() args: RankingArgs, @Ctx() ctx: Context) {
    return reputation.ranking(ctx, community, args);
  }

  @FieldResolver(() => ReputationRulesView, {
    description:
      'The reputation rules in force here: points per cause, the daily cap, levels and level-gated privileges.',
  })
  reputationRules(@Root() community: Community): ReputationRulesView {
    return reputation.rulesView(community);
  }

  @Mutation(() => Community, {
    description: 'Overrides reputation rules for a community (ADMIN and above); applies to what happens from then on.',
  })
  setReputationRules(
    @Arg('input', { description: 'The community and the rules to override or reset.' }) input: SetReputationRulesInput,
    @Ctx() ctx: Context,
  ): Promise<Community> {
    return reputation.updateRules(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Mutation(() => RebuildCommunityReputationPayload, {
    description:
      "Recomputes members' reputation and the leaderboards of a community from its ledger (ADMIN and above).",
  })
  async rebuildCommunityReputation(
    @Arg('input', { description: 'The community.' }) input: RebuildCommunityReputationInput,
    @Ctx() ctx: Context,
  ): Promise<RebuildCommunityReputationPayload> {
    requireUser(ctx.viewer);
    const id = fromGlobalId('Community', input.communityId, 'communityId');
    const community = await visibleCommunity(ctx.loaders, ctx.viewer, id);
    assertCan(await actorIn(ctx.loaders, ctx.viewer, id), 'reputation.configure');
    return { community, correctedMembers: await reputation.rebuildCommunity(ctx, community) };
  }

  @Mutation(() => Community, {
    description: 'Overrides reputation rules for a community (ADMIN and above); applies to what happens from then on.',
    deprecationReason: replacedBy('updateReputationRules'),
  })
  updateReputationRules(
    @Arg('input', { description: 'The community and the rules to override or reset.' }) input: ReputationRulesInput,
    @Ctx() ctx: Context,
  ): Promise<Community> {
    return this.setReputationRules(input, ctx);
  }

  @Mutation(() => Int, {
    description:
      "Recomputes members' reputation and the leaderboards of a community from its ledger (ADMIN and above). Returns how many members' reputation was corrected.",
    deprecationReason: replacedBy('rebuildReputation'),
  })
  async rebuildReputation(
    @Arg('communityId', () => ID, { description: 'Global id of the community.' }) communityId: string,
    @Ctx() ctx: Context,
  ): Promise<number> {
    return (await this.rebuildCommunityReputation({ communityId }, ctx)).correctedMembers;
  }

  @Subscription(() => [LeaderboardEntry], {
    complexity: leaderboardComplexity,
    description:
      "A leaderboard's first entries: at once, then whenever they change (coalesced: at most one emission per LEADERBOARD_UPDATE_INTERVAL_MS, the last state always delivered).",
    subscribe: ({ args, context }) => {
      const a = args as LeaderboardChangedArgs;
      return leaderboardChangedStream(
        context as Context,
        fromGlobalId('Community', a.communityId, 'communityId'),
        a.period,
        a.first,
      );
    },
  })
  leaderboardChanged(@Root() entries: LeaderboardEntry[], @Args() _args: LeaderboardChangedArgs): LeaderboardEntry[] {
    return entries;
  }
}
