import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection, boundedListComplexity } from '../../platform/pagination';
import { Quest, QuestAction, QuestPeriod } from './quests.entity';

/** Limits of a quest's definition. */
export const QUEST_LIMITS = { maxGoals: 5, maxTarget: 10_000, maxRewardPoints: 1000 } as const;

@InputType({ description: 'A goal: `target` actions of a kind, optionally filtered.' })
export class QuestGoalInput {
  @Field(() => QuestAction, { description: 'The action counted.' })
  action!: QuestAction;

  @Field(() => Int, { description: `How many (1 to ${QUEST_LIMITS.maxTarget}).` })
  @Min(1)
  @Max(QUEST_LIMITS.maxTarget)
  target!: number;

  @Field(() => String, {
    nullable: true,
    description: 'POST, COMMENT, UPVOTE_RECEIVED: only posts with this tag (normalized as post tags are).',
  })
  @IsOptional()
  @Length(1, 40)
  tag?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'RSVP_CHECKED_IN, POLL_BALLOT, CHAT_MESSAGE: only this event of the community.',
  })
  @IsOptional()
  eventId?: string | null;
}

@InputType({ description: 'A new quest of a community (ADMIN or above).' })
export class CreateQuestInput {
  @Field(() => ID, { description: 'The community.' })
  communityId!: string;

  @Field({ description: 'Its title (1 to 120 characters).' })
  @Length(1, 120)
  title!: string;

  @Field({ description: 'What it asks (up to 2000 characters).' })
  @Length(0, 2000)
  description!: string;

  @Field(() => QuestPeriod, { description: 'How often it starts over.' })
  period!: QuestPeriod;

  @Field(() => Date, { nullable: true, description: 'From when actions count; default now. Required for ONE_OFF.' })
  @IsOptional()
  startsAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Until when actions count; required for ONE_OFF, optional otherwise.',
  })
  @IsOptional()
  endsAt?: Date | null;

  @Field(() => [QuestGoalInput], { description: `Its goals, all to reach (1 to ${QUEST_LIMITS.maxGoals}).` })
  @ArrayMinSize(1)
  @ArrayMaxSize(QUEST_LIMITS.maxGoals)
  goals!: QuestGoalInput[];

  @Field(() => Int, { description: `Reputation points each completion earns (0 to ${QUEST_LIMITS.maxRewardPoints}).` })
  @Min(0)
  @Max(QUEST_LIMITS.maxRewardPoints)
  rewardPoints!: number;

  @Field(() => String, {
    nullable: true,
    description:
      "Optionally a badge: its title (1 to 60 characters). A member's first completion earns it (badge QUEST), once per quest.",
  })
  @IsOptional()
  @Length(1, 60)
  rewardBadge?: string | null;
}

@InputType({
  description: "Changes to a quest's wording, end or reward, and its goals until it starts (its period stays).",
})
export class UpdateQuestInput {
  @Field(() => ID, { description: 'The quest.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'A new title.' })
  @IsOptional()
  @Length(1, 120)
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'A new description.' })
  @IsOptional()
  @Length(0, 2000)
  description?: string | null;

  @Field(() => Date, { nullable: true, description: 'A new end (after its start).' })
  @IsOptional()
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'New points for completions from now on.' })
  @IsOptional()
  @Min(0)
  @Max(QUEST_LIMITS.maxRewardPoints)
  rewardPoints?: number | null;

  @Field(() => [QuestGoalInput], {
    nullable: true,
    description: `New goals, replacing them all (1 to ${QUEST_LIMITS.maxGoals}); only before the quest starts.`,
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(QUEST_LIMITS.maxGoals)
  goals?: QuestGoalInput[] | null;
}

@InputType({ description: 'The quest to close: no longer counted (completions and rewards stay).' })
export class CloseQuestInput {
  @Field(() => ID, { description: 'The quest.' })
  id!: string;
}

@InputType({ description: "A member's completion of a quest to revoke (MODERATOR or above)." })
export class RemoveQuestCompletionInput {
  @Field(() => ID, { description: 'The quest.' })
  questId!: string;

  @Field(() => ID, { description: 'The member (their user ID).' })
  userId!: string;

  @Field({ description: 'The start of the completed period (`QuestCompletion.periodStart`).' })
  periodStart!: Date;
}

@ObjectType('QuestGoal', { description: 'A goal of a quest: `target` actions of a kind, optionally filtered.' })
export class QuestGoalView {
  @Field(() => QuestAction, { description: 'The action counted.' })
  action!: QuestAction;

  @Field(() => Int, { description: 'How many.' })
  target!: number;

  @Field(() => String, { nullable: true, description: 'Only posts with this tag; null: any.' })
  tag!: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this event (global ID); null: any.' })
  eventId!: string | null;
}

@ObjectType('QuestGoalProgress', { description: "Your count toward one goal in the quest's current period." })
export class QuestGoalProgress {
  @Field(() => QuestGoalView, { description: 'The goal.' })
  goal!: QuestGoalView;

  @Field(() => Int, { description: 'Actions counted so far in the period.' })
  count!: number;

  @Field({ description: 'Whether `count` reached the target.' })
  reached!: boolean;
}

@ObjectType('QuestProgress', { description: "Your progress in a quest's current period." })
export class QuestProgressView {
  @Field({ description: "The start of the current period (the quest's start for ONE_OFF)." })
  periodStart!: Date;

  @Field(() => Date, { nullable: true, description: 'When the period ends (null: a ONE_OFF quest without end).' })
  periodEnd!: Date | null;

  @Field(() => [QuestGoalProgress], {
    complexity: boundedListComplexity(QUEST_LIMITS.maxGoals),
    description: 'Per goal, in the order they were defined.',
  })
  goals!: QuestGoalProgress[];

  @Field(() => Date, { nullable: true, description: 'When you completed the period; null until then.' })
  completedAt!: Date | null;

  @Field({ description: 'Whether a moderator revoked your completion of the period (its points reversed).' })
  revoked!: boolean;
}

@ObjectType('QuestPeriodCount', { description: 'Completions of a quest in one period.' })
export class QuestPeriodCount {
  @Field({ description: 'The start of the period.' })
  periodStart!: Date;

  @Field(() => Int, { description: 'Completions in force (not revoked).' })
  count!: number;
}

@ObjectType()
export class QuestConnection extends Connection(Quest, 'Quest', {
  totalCount: 'How many quests the list holds (all pages).',
}) {}
