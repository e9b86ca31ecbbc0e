import { Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { boundedListComplexity, Connection, ForwardPageArgs, pageComplexity } from '../../platform/pagination';
import { Community, Member } from '../communities/communities.entity';
import { Badge } from './badges';
import { ReputationEvent, ReputationReason } from './reputation.entity';
import { PERMISSIONS } from '../communities/permissions';
import { LeaderboardPeriodName, MAX_LEVELS, REASONS } from './rules';

registerEnumType(LeaderboardPeriodName, {
  name: 'LeaderboardPeriod',
  description: 'The period whose reputation a leaderboard ranks.',
  valuesConfig: {
    ALL_TIME: { description: 'The whole ledger.' },
    MONTH: { description: "The current calendar month, in the community's time zone." },
    WEEK: { description: "The current ISO week (Monday to Sunday), in the community's time zone." },
  },
});

/** Leaderboards list at most this many entries. */
export const LEADERBOARD_MAX = 100;
/** Entries a leaderboard lists when `first` is omitted. */
export const LEADERBOARD_DEFAULT = 10;

/** Cost of `leaderboard` and `leaderboardChanged`: weighted by `first`, like a connection. */
export const leaderboardComplexity = pageComplexity({ defaultSize: LEADERBOARD_DEFAULT, maxSize: LEADERBOARD_MAX });

@ObjectType({ description: 'A place on a leaderboard.' })
export class LeaderboardEntry {
  @Field(() => Int, {
    description:
      'Competition ranking ("1224"): one more than the number of members with a higher score. Equal scores share a rank and are listed by the lower user id (the older account) first.',
  })
  rank!: number;

  @Field(() => Member, { description: 'The member.' })
  member!: Member;

  @Field(() => Int, {
    description: "Reputation earned in the period: the sum of the member's ledger rows created in it.",
  })
  score!: number;
}

@ArgsType()
export class LeaderboardArgs {
  @Field(() => LeaderboardPeriodName, {
    defaultValue: LeaderboardPeriodName.ALL_TIME,
    description: 'The period whose reputation counts; default ALL_TIME.',
  })
  period!: LeaderboardPeriodName;

  @Field(() => Int, { defaultValue: LEADERBOARD_DEFAULT, description: `How many entries, 1 to ${LEADERBOARD_MAX}.` })
  @Min(1)
  @Max(LEADERBOARD_MAX)
  first!: number;
}

@ObjectType()
export class LeaderboardEntryConnection extends Connection(LeaderboardEntry, 'LeaderboardEntry', {
  totalCount:
    "How many members are on the period's board (all pages): the size of the board (a sorted set's cardinality in Redis, or of the in-process board), never a count of rows.",
}) {}

@ArgsType()
export class RankingArgs extends ForwardPageArgs {
  @Field(() => LeaderboardPeriodName, {
    defaultValue: LeaderboardPeriodName.ALL_TIME,
    description: 'The period whose reputation counts; default ALL_TIME.',
  })
  period!: LeaderboardPeriodName;
}

@ArgsType()
export class LeaderboardChangedArgs extends LeaderboardArgs {
  @Field(() => ID, { description: 'Global id of the community.' })
  communityId!: string;
}

@ObjectType({ description: 'A badge a member earned.' })
export class MemberBadgeView {
  @Field(() => Badge, { description: 'The badge.' })
  badge!: Badge;

  @Field({ description: "Its display name (QUEST: the quest's badge title)." })
  name!: string;

  @Field({ description: 'What earns it.' })
  description!: string;

  @Field({ description: 'When the member earned it.' })
  awardedAt!: Date;

  /** QUEST: the quest (resolved by `MemberBadgeView.quest`, quests module). */
  questId!: number | null;
}

@ObjectType({
  description: 'A privilege that needs a reputation level (moderators and above have it whatever their level).',
})
export class LevelPrivilege {
  @Field({ description: 'The permission, as named in the permission table (e.g. "posts.downvote").' })
  permission!: string;

  @Field(() => Int, { description: 'The least level that has it.' })
  level!: number;
}

@ObjectType({
  description: "The reputation rules in force in a community: the defaults and the community's overrides.",
})
export class ReputationRulesView {
  @Field(() => Int, { description: 'Points for the author when a post is upvoted.' }) postUpvoted!: number;
  @Field(() => Int, { description: 'Points for the author when a comment is upvoted.' }) commentUpvoted!: number;
  @Field(() => Int, { description: 'Points (negative) for the author when a post or comment is downvoted.' })
  downvoted!: number;
  @Field(() => Int, {
    description:
      'Points for the author when a moderator features a comment (nothing when the moderator is the author).',
  })
  commentFeatured!: number;
  @Field(() => Int, {
    description:
      'Points for an attendee checked in at an event (nothing for checking oneself in, or at an event one organizes).',
  })
  eventCheckIn!: number;
  @Field(() => Int, {
    description: "Points for a first ballot in a poll (nothing in one's own poll, nor in an anonymous poll).",
  })
  pollVote!: number;
  @Field(() => Int, {
    description:
      "Most points a member earns per day (community time) from the reasons in `cappedReasons`: every reason that earns points (the name is from when only upvotes counted). Points beyond it are not earned and write no ledger row; withdrawing an earlier day's upvote today makes room today.",
  })
  dailyVoteCap!: number;
  @Field(() => [ReputationReason], {
    complexity: boundedListComplexity(Object.keys(REASONS).length),
    description:
      'The reasons whose points count toward `dailyVoteCap`. Downvotes are not capped: a penalty cannot be farmed.',
  })
  cappedReasons!: ReputationReason[];

  /** At most MAX_LEVELS (validateOverrides). */
  @Field(() => [Int], {
    complexity: boundedListComplexity(MAX_LEVELS),
    description: 'Reputation needed for levels 1, 2, 3, …',
  })
  levelThresholds!: number[];

  /** At most one per permission of the table. */
  @Field(() => [LevelPrivilege], {
    complexity: boundedListComplexity(Object.keys(PERMISSIONS).length),
    description: 'Privileges gated on level.',
  })
  privileges!: LevelPrivilege[];
}

@InputType({
  description:
    "Overrides of a community's reputation rules. Omitted fields stay as they are; null resets a field to its default.",
})
export class ReputationRulesInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
  @Field(() => Int, {
    nullable: true,
    description: 'Points for the author when a post is upvoted, 0 to 1000 (default 10).',
  })
  postUpvoted?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Points for the author when a comment is upvoted, 0 to 1000 (default 5).',
  })
  commentUpvoted?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Points for the author when a post or comment is downvoted, -1000 to 0 (default -2).',
  })
  downvoted?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Points for the author when a comment is featured, 0 to 1000 (default 15).',
  })
  commentFeatured?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Points for an attendee checked in at an event, 0 to 1000 (default 5).',
  })
  eventCheckIn?: number | null;
  @Field(() => Int, { nullable: true, description: 'Points for a first ballot in a poll, 0 to 1000 (default 1).' })
  pollVote?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Most points a member earns per day from the capped reasons, 1 to 1000000 (default 200).',
  })
  dailyVoteCap?: number | null;
  @Field(() => [Int], {
    nullable: true,
    description:
      'Reputation needed for levels 1, 2, 3, …: 2 to 20 integers, starting at 0, never decreasing, at most 10000000 (default 0, 15, 50, 125, 500, 1000, 3000).',
  })
  levelThresholds?: number[] | null;
}

@ObjectType()
export class ReputationEventConnection extends Connection(ReputationEvent, 'ReputationEvent') {}

@InputType({
  description:
    "Overrides of a community's reputation rules. Omitted fields stay as they are; null resets a field to its default.",
})
export class SetReputationRulesInput extends ReputationRulesInput {}

@InputType({ description: 'The community whose reputation to rebuild.' })
export class RebuildCommunityReputationInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;
}

@ObjectType({ description: 'The result of `rebuildCommunityReputation`.' })
export class RebuildCommunityReputationPayload {
  @Field(() => Community, { description: 'The community, its members and leaderboards recomputed.' })
  community!: Community;
  @Field(() => Int, { description: "How many members' reputation was corrected." }) correctedMembers!: number;
}
