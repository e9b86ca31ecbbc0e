import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import { replacedBy } from '../../platform/deprecations';
import { PageArgs, connectionComplexity } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import * as automod from './automod';
import {
  AddAutoModRuleInput,
  AutoModConditions,
  AutoModDryRun,
  AutoModFlag,
  AutoModRuleConnection,
  AutoModRuleInput,
  RemoveAutoModRuleInput,
  RemoveAutoModRulePayload,
  UpdateAutoModRuleInput,
} from './automod.types';
import { AutoModRule, CommunityRule, ModerationItem } from './moderation.entity';

@Resolver(() => AutoModRule)
export class AutoModRuleResolver {
  @FieldResolver(() => AutoModConditions, { description: 'What a write must match, every condition set together.' })
  conditions(@Root() rule: AutoModRule): AutoModConditions {
    return rule.conditions as AutoModConditions;
  }

  @FieldResolver(() => CommunityRule, { nullable: true, description: 'The community rule it enforces.' })
  rule(@Root() rule: AutoModRule, @Ctx() { loaders }: Context): Promise<CommunityRule | null> | null {
    return rule.rule ? loaders.communityRule.load(rule.rule.id) : null;
  }

  @Mutation(() => AutoModRule, {
    description:
      "Adds an AutoMod rule at the end of the community's (ADMIN or above; at most 50). Disabled unless `enabled`: try it with `dryRunAutoModRule` first.",
  })
  addAutoModRule(
    @Arg('input', { description: 'The rule to add.' }) input: AddAutoModRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AutoModRule> {
    return automod.createAutoModRule(ctx, input);
  }

  @Mutation(() => AutoModRule, {
    description:
      "Adds an AutoMod rule at the end of the community's (ADMIN or above; at most 50). Disabled unless `enabled`: try it with `dryRunAutoModRule` first.",
    deprecationReason: replacedBy('createAutoModRule'),
  })
  createAutoModRule(
    @Arg('input', { description: 'The rule to create.' }) input: AutoModRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AutoModRule> {
    return this.addAutoModRule(input, ctx);
  }

  @Mutation(() => AutoModRule, { description: 'Changes an AutoMod rule, or switches it on or off (ADMIN or above).' })
  updateAutoModRule(
    @Arg('input', { description: 'The rule and the changes.' }) input: UpdateAutoModRuleInput,
    @Ctx() ctx: Context,
  ): Promise<AutoModRule> {
    return automod.updateAutoModRule(ctx, input);
  }

  @Mutation(() => RemoveAutoModRulePayload, {
    description: 'Deletes an AutoMod rule (ADMIN or above); the queue items and log entries it made stay.',
  })
  async removeAutoModRule(
    @Arg('input', { description: 'The AutoMod rule.' }) input: RemoveAutoModRuleInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveAutoModRulePayload> {
    const communityId = await automod.deleteAutoModRule(ctx, input.id);
    return {
      removedRuleId: toGlobalId('AutoModRule', fromGlobalId('AutoModRule', input.id)),
      community: (await ctx.loaders.community.load(communityId))!,
    };
  }

  @Mutation(() => Boolean, {
    description: 'Deletes an AutoMod rule (ADMIN or above); the queue items and log entries it made stay.',
    deprecationReason: replacedBy('deleteAutoModRule'),
  })
  async deleteAutoModRule(
    @Arg('id', () => ID, { description: 'Global id of the AutoMod rule.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.removeAutoModRule({ id }, ctx);
    return true;
  }

  @Query(() => AutoModDryRun, {
    description: `What an AutoMod rule (enabled or not) would have done to the community's latest posts and comments (MODERATOR or above): each judged as it would have been when written. Changes nothing. \`last\`: 1 to ${automod.AUTOMOD_RULE_LIMITS.maxDryRun}, default ${automod.AUTOMOD_RULE_LIMITS.defaultDryRun}.`,
  })
  dryRunAutoModRule(
    @Arg('ruleId', () => ID, { description: 'Global id of the AutoMod rule.' }) ruleId: string,
    @Arg('last', () => Int, {
      nullable: true,
      description: 'How many of the latest writes to try it on, 1 to 500; default 100.',
    })
    last: number | null,
    @Ctx() ctx: Context,
  ): Promise<AutoModDryRun> {
    return automod.dryRunAutoModRule(ctx, fromGlobalId('AutoModRule', ruleId, 'ruleId'), last);
  }
}

@Resolver(() => Community)
export class CommunityAutoModResolver {
  @FieldResolver(() => AutoModRuleConnection, {
    complexity: connectionComplexity,
    description: "The community's AutoMod rules, enabled or not, in the order they were made (MODERATOR or above).",
  })
  autoModRules(@Root() community: Community, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return automod.communityAutoModRules(ctx, community, args);
  }
}

@Resolver(() => ModerationItem)
export class ModerationItemAutoModResolver {
  @FieldResolver(() => AutoModFlag, {
    nullable: true,
    description: 'The AutoMod rule that put this write in the queue, and what it matched (null: reports did).',
  })
  async autoMod(@Root() item: ModerationItem, @Ctx() { loaders }: Context): Promise<AutoModFlag | null> {
    if (!item.autoModReasons) return null;
    const rule = item.autoModRule ? await loaders.autoModRule.load(item.autoModRule.id) : null;
    return { rule, reasons: item.autoModReasons };
  }
}
