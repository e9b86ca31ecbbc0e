import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { PageArgs, boundedListComplexity, connectionComplexity } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { Notification, NotificationKind } from '../notifications/notifications.entity';
import { MemberBadgeView } from '../reputation/reputation.types';
import { Quest, QuestCompletion } from './quests.entity';
import {
  CloseQuestInput,
  CreateQuestInput,
  QuestConnection,
  QuestGoalView,
  QuestPeriodCount,
  QuestProgressView,
  QUEST_LIMITS,
  RemoveQuestCompletionInput,
  UpdateQuestInput,
} from './quests.inputs';
import * as quests from './quests.service';

@ArgsType()
class CommunityQuestsArgs extends PageArgs {
  @Field({
    defaultValue: true,
    description: 'Only quests counting actions now (started, not ended, not closed); false: every quest.',
  })
  active!: boolean;
}

@Resolver(() => Community)
export class CommunityQuestsResolver {
  @FieldResolver(() => QuestConnection, {
    complexity: connectionComplexity,
    description: "The community's quests, newest first (whoever reads its content).",
  })
  quests(@Root() community: Community, @Args() args: CommunityQuestsArgs, @Ctx() ctx: Context) {
    return quests.communityQuests(ctx, community, args);
  }
}

@Resolver(() => Quest)
export class QuestResolver {
  @Mutation(() => Quest, {
    description: 'Creates a quest in a community (ADMIN or above): goals over actions, a period, a reward in points.',
  })
  createQuest(@Arg('input', { description: 'The quest.' }) input: CreateQuestInput, @Ctx() ctx: Context) {
    return quests.createQuest(ctx, input);
  }

  @Mutation(() => Quest, { description: "Changes a quest's wording, end or reward (ADMIN or above)." })
  updateQuest(
    @Arg('input', { description: 'The quest and the changes.' }) input: UpdateQuestInput,
    @Ctx() ctx: Context,
  ) {
    return quests.updateQuest(ctx, input);
  }

  @Mutation(() => Quest, {
    description: 'Closes a quest (ADMIN or above): no longer counted; completions and rewards stay.',
  })
  closeQuest(@Arg('input', { description: 'The quest.' }) input: CloseQuestInput, @Ctx() ctx: Context) {
    return quests.closeQuest(ctx, input.id);
  }

  @Mutation(() => QuestCompletion, {
    description:
      "Revokes a member's completion of a quest (MODERATOR or above): its points are reversed through the ledger; the period cannot be completed again.",
  })
  removeQuestCompletion(
    @Arg('input', { description: 'The quest, the member and the period.' }) input: RemoveQuestCompletionInput,
    @Ctx() ctx: Context,
  ) {
    return quests.removeQuestCompletion(ctx, input);
  }

  @FieldResolver(() => Community, { description: 'The community of the quest.' })
  async community(@Root() quest: Quest, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(quest.community.id))!;
  }

  @FieldResolver(() => Boolean, { description: 'Whether it counts actions now (started, not ended, not closed).' })
  active(@Root() quest: Quest): boolean {
    return quests.isActive(quest);
  }

  @FieldResolver(() => [QuestGoalView], {
    complexity: boundedListComplexity(QUEST_LIMITS.maxGoals),
    description: 'Its goals, all to reach in a period.',
  })
  async goals(@Root() quest: Quest, @Ctx() { loaders }: Context): Promise<QuestGoalView[]> {
    return (await loaders.questGoals.load(quest.id)).map(({ id: _id, ...goal }) => goal);
  }

  @FieldResolver(() => QuestProgressView, {
    nullable: true,
    description: "Your progress in the current period (the community's time zone); null when anonymous.",
  })
  viewerProgress(@Root() quest: Quest, @Ctx() ctx: Context): Promise<QuestProgressView | null> {
    return quests.viewerProgress(ctx, quest);
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Completions in force (not revoked), all periods; null unless you are a moderator or above.',
  })
  async completionCount(@Root() quest: Quest, @Ctx() { loaders, viewer }: Context): Promise<number | null> {
    if (!(await quests.readsCompletions(loaders, viewer, quest))) return null;
    return (await loaders.questCompletionCount.load(quest.id)).total;
  }

  @FieldResolver(() => [QuestPeriodCount], {
    nullable: true,
    complexity: boundedListComplexity(12),
    description:
      'Completions in force per period, newest first (at most 12); null unless you are a moderator or above.',
  })
  async periodCompletionCounts(
    @Root() quest: Quest,
    @Ctx() { loaders, viewer }: Context,
  ): Promise<QuestPeriodCount[] | null> {
    if (!(await quests.readsCompletions(loaders, viewer, quest))) return null;
    return (await loaders.questCompletionCount.load(quest.id)).periods;
  }
}

@Resolver(() => QuestCompletion)
export class QuestCompletionResolver {
  @FieldResolver(() => Quest, { description: 'The quest completed.' })
  async quest(@Root() completion: QuestCompletion, @Ctx() { loaders }: Context): Promise<Quest> {
    return (await loaders.quest.load(completion.quest.id))!;
  }
}

@Resolver(() => MemberBadgeView)
export class MemberBadgeQuestResolver {
  @FieldResolver(() => Quest, {
    nullable: true,
    description: 'QUEST: the quest whose completion earned it; null otherwise.',
  })
  async quest(@Root() badge: MemberBadgeView, @Ctx() { loaders }: Context): Promise<Quest | null> {
    return badge.questId == null ? null : loaders.quest.load(badge.questId);
  }
}

@Resolver(() => Notification)
export class NotificationQuestResolver {
  @FieldResolver(() => QuestCompletion, {
    nullable: true,
    description: 'QUEST_COMPLETED: your completion (its quest and period).',
  })
  async questCompletion(@Root() n: Notification, @Ctx() { loaders }: Context): Promise<QuestCompletion | null> {
    if (n.kind !== NotificationKind.QUEST_COMPLETED || !n.questCompletionId) return null;
    return loaders.questCompletion.load(n.questCompletionId);
  }
}
