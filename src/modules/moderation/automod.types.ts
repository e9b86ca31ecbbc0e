import { ArrayMaxSize, IsOptional, Length, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import { Connection, boundedListComplexity } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { ChatMessage } from '../events/chat.entity';
import { Poll } from '../polls/polls.entity';
import { Comment, Post } from '../posts/posts.entity';
import { AUTOMOD_LIMITS, AutoModSubject } from './automod-engine';
import { AutoModActionType, AutoModRule } from './moderation.entity';

/** How many writes a dry run looks at: `last`, from 1 to `max` (default `default`). */
export const DRY_RUN_LIMITS = { max: 500, default: 100 } as const;

/** How many AutoMod rules a community may have (AUTOMOD_RULE_LIMITS.maxRules). */
export const MAX_AUTOMOD_RULES = 50;

registerEnumType(AutoModSubject, {
  name: 'AutoModSubject',
  description: 'A kind of write AutoMod looks at.',
  valuesConfig: {
    POST: { description: 'A new or edited post.' },
    COMMENT: { description: 'A new or edited comment.' },
    CHAT_MESSAGE: { description: "A message in a live stream's chat." },
    POLL_OPTION: { description: 'A new poll: its question and options.' },
  },
});

@ObjectType('AutoModWindow', { description: 'At least `count` writes within `withinSeconds`.' })
@InputType('AutoModWindowInput', { description: 'At least `count` writes within `withinSeconds`.' })
export class AutoModWindow {
  @Field(() => Int, { description: 'How many writes: 1 to 100 for `repeatedText`, 1 to 1000 for `rate`.' })
  count!: number;

  @Field(() => Int, { description: 'The window, in seconds: 1 to 86400 (a day).' })
  withinSeconds!: number;
}

@ObjectType('AutoModAuthorConditions', { description: 'Bounds on the author: every bound set must hold.' })
@InputType('AutoModAuthorConditionsInput', { description: 'Bounds on the author: every bound set must hold.' })
export class AutoModAuthorConditions {
  @Field(() => Int, { nullable: true, description: 'The account is younger than this many hours.' })
  accountAgeHoursBelow?: number;

  @Field(() => Int, { nullable: true, description: 'They joined the community less than this many hours ago.' })
  membershipAgeHoursBelow?: number;

  @Field(() => Int, { nullable: true, description: 'Their reputation level is below this.' })
  levelBelow?: number;

  @Field(() => Int, { nullable: true, description: 'Their reputation in the community is below this.' })
  reputationBelow?: number;
}

@ObjectType('AutoModConditions', {
  description:
    'What an AutoMod rule looks for. A rule matches when every condition it sets holds; at least one besides `subjects`.',
})
@InputType('AutoModConditionsInput', {
  description: 'What a write must match: at least one condition besides `subjects`; every condition set must hold.',
})
export class AutoModConditions {
  @Field(() => [String], {
    nullable: true,
    description: `Words or phrases, matched whole, case-insensitively (at most ${AUTOMOD_LIMITS.keywords}).`,
  })
  @IsOptional()
  @ArrayMaxSize(AUTOMOD_LIMITS.keywords)
  keywords?: string[];

  @Field(() => [String], {
    nullable: true,
    description: `RE2 regular expressions, case-insensitive (at most ${AUTOMOD_LIMITS.patterns}): matched in time linear in the text, with no backtracking.`,
  })
  @IsOptional()
  @ArrayMaxSize(AUTOMOD_LIMITS.patterns)
  patterns?: string[];

  @Field(() => [String], {
    nullable: true,
    description: `Link domains: a link to the domain or one of its subdomains matches (at most ${AUTOMOD_LIMITS.linkDomains}).`,
  })
  @IsOptional()
  @ArrayMaxSize(AUTOMOD_LIMITS.linkDomains)
  linkDomains?: string[];

  @Field(() => Int, { nullable: true, description: 'More distinct @mentions than this.' })
  maxMentions?: number;

  @Field(() => AutoModWindow, {
    nullable: true,
    description: 'The author wrote the same text at least `count` times within `withinSeconds` before.',
  })
  repeatedText?: AutoModWindow;

  @Field(() => AutoModWindow, {
    nullable: true,
    description: 'The author wrote at least `count` times in the community within `withinSeconds` before.',
  })
  rate?: AutoModWindow;

  @Field(() => AutoModAuthorConditions, {
    nullable: true,
    description: 'Bounds on the author; every bound set must hold.',
  })
  author?: AutoModAuthorConditions;

  @Field(() => [AutoModSubject], { nullable: true, description: 'The kinds of writes it looks at (default: all).' })
  @IsOptional()
  @ArrayMaxSize(4)
  subjects?: AutoModSubject[];
}

@InputType({ description: 'A new AutoMod rule of a community (at most 50 per community).' })
export class AutoModRuleInput {
  @Field(() => ID, { description: 'Global id of the community.' })
  communityId!: string;

  @Field({ description: 'Its name, 1 to 100 characters.' })
  @Length(1, 100)
  name!: string;

  @Field(() => AutoModConditions, {
    description: 'What a write must match: at least one condition; every condition set must hold.',
  })
  conditions!: AutoModConditions;

  @Field(() => AutoModActionType, { description: 'What to do to a write it matches.' })
  action!: AutoModActionType;

  @Field(() => Int, { nullable: true, description: 'MUTE only: seconds, 60 to 2,592,000.' })
  @IsOptional()
  @Min(1)
  @Max(2_592_000)
  durationSeconds?: number;

  @Field(() => ID, {
    nullable: true,
    description: 'The community rule it enforces, named in its refusals and decisions.',
  })
  ruleId?: string;

  @Field({ defaultValue: false, description: 'Apply it to writes now (a dry run tries a rule first).' })
  enabled!: boolean;
}

@InputType({ description: 'Changes to an AutoMod rule: omitted or null fields keep their value.' })
export class UpdateAutoModRuleInput {
  @Field(() => ID, { description: 'Global id of the AutoMod rule.' })
  id!: string;

  @Field({ nullable: true, description: 'New name, 1 to 100 characters.' })
  @IsOptional()
  @Length(1, 100)
  name?: string;

  @Field(() => AutoModConditions, { nullable: true, description: 'New conditions, replacing the old ones.' })
  conditions?: AutoModConditions;

  @Field(() => AutoModActionType, { nullable: true, description: 'New action.' })
  action?: AutoModActionType;

  @Field(() => Int, { nullable: true, description: 'MUTE only: seconds, 60 to 2,592,000.' })
  @IsOptional()
  @Min(1)
  @Max(2_592_000)
  durationSeconds?: number;

  @Field(() => ID, { nullable: true, description: 'Global id of the community rule it enforces.' })
  ruleId?: string;

  @Field({ nullable: true, description: 'True applies it to writes; false switches it off.' })
  enabled?: boolean;
}

@ObjectType({ description: 'What an AutoMod rule matched in a write, and on what.' })
export class AutoModFlag {
  @Field(() => AutoModRule, { nullable: true, description: 'The rule (null once deleted).' })
  rule!: AutoModRule | null;

  // One reason per condition of the rule at most.
  @Field(() => [String], { description: 'What matched, one line per condition, e.g. `keyword "buy now"`.' })
  reasons!: string[];
}

export const DryRunSubject = createUnionType({
  name: 'AutoModDryRunSubject',
  description: 'A write AutoMod looks at.',
  types: () => [Post, Comment, ChatMessage, Poll] as const,
});

@ObjectType({ description: 'A write a dry run looked at, and what the rule would have done.' })
export class AutoModDryRunMatch {
  @Field(() => AutoModSubject, { description: 'What kind of write it is.' })
  subjectType!: AutoModSubject;

  /** The write (resolved by the dry run). */
  @Field(() => DryRunSubject, {
    nullable: true,
    description: 'The post, comment, chat message or poll (for POLL_OPTION), as moderators read it.',
  })
  subject!: Post | Comment | ChatMessage | Poll | null;

  @Field(() => [String], { description: 'What matched, one line per condition, e.g. `keyword "buy now"`.' })
  reasons!: string[];
}

@ObjectType({ description: 'What an AutoMod rule would have done to the community’s latest writes.' })
export class AutoModDryRun {
  @Field(() => Int, {
    description: 'Writes looked at (the latest posts, comments, chat messages and polls, newest first).',
  })
  examined!: number;

  @Field(() => [AutoModDryRunMatch], {
    complexity: boundedListComplexity(DRY_RUN_LIMITS.max),
    description: 'Those it matches, newest first.',
  })
  matches!: AutoModDryRunMatch[];
}

@ObjectType()
export class AutoModRuleConnection extends Connection(AutoModRule, 'AutoModRule', {
  totalCount: `How many AutoMod rules the community has (all pages): counted, as it may have at most ${MAX_AUTOMOD_RULES}.`,
}) {}

@InputType({ description: 'A new AutoMod rule of a community (at most 50 per community).' })
export class AddAutoModRuleInput extends AutoModRuleInput {}

@InputType({ description: 'The AutoMod rule to remove.' })
export class RemoveAutoModRuleInput {
  @Field(() => ID, { description: 'Global id of the AutoMod rule.' }) id!: string;
}

@ObjectType({ description: 'The result of `removeAutoModRule`.' })
export class RemoveAutoModRulePayload {
  @Field(() => ID, { description: 'Global id of the AutoMod rule removed.' }) removedRuleId!: string;
  @Field(() => Community, { description: 'Its community.' }) community!: Community;
}
