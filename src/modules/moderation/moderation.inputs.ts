import { IsOptional, Length, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection, PageArgs } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import {
  Appeal,
  AppealOutcome,
  AppealStatus,
  CommunityRule,
  ModerationAction,
  ModerationDecision,
  ModerationItem,
  ModerationItemStatus,
  ModerationLogAction,
  ModerationLogEntry,
  Report,
  ReportReason,
} from './moderation.entity';

/** Bounds of moderation's inputs. */
export const MODERATION_LIMITS = {
  noteLength: 1000,
  statementLength: 5000,
  ruleTitleLength: 100,
  ruleDescriptionLength: 2000,
  /** Rules a community may have. */
  maxRules: 50,
  /** The highest weight of a report (moderators' reports weigh this much). */
  maxReportWeight: 5,
  /** Shortest MUTE or BAN: one minute. */
  minDurationSeconds: 60,
  /** Longest MUTE (a BAN may also be permanent): one year. */
  maxDurationSeconds: 365 * 86_400,
  /** Highest `reportThreshold`. */
  maxReportThreshold: 1000,
  /** Days after a decision during which its affected member may appeal it. */
  appealWindowDays: 30,
  appealTextLength: 5000,
} as const;

@InputType({ description: "A report of a subject to a community's moderators." })
export class ReportInput {
  @Field(() => ID, { description: 'The post, comment or member (a `Member` ID) reported.' })
  subjectId!: string;

  @Field(() => ReportReason, { description: 'Why you report it.' })
  reason!: ReportReason;

  @Field({
    nullable: true,
    description: `Why (required for OTHER), at most ${MODERATION_LIMITS.noteLength} characters.`,
  })
  @IsOptional()
  @MaxLength(MODERATION_LIMITS.noteLength)
  note?: string;
}

@InputType({ description: "A moderator's decision on a review-queue item." })
export class DecideInput {
  @Field(() => ID, { description: 'The review-queue item (`ModerationItem`).' })
  itemId!: string;

  @Field(() => ModerationAction, { description: 'What to do about the subject.' })
  action!: ModerationAction;

  @Field(() => ID, {
    nullable: true,
    description: 'The community rule the decision enforces: required but for DISMISS.',
  })
  ruleId?: string;

  @Field({
    nullable: true,
    description: `The statement of reasons the affected member reads: required but for DISMISS, at most ${MODERATION_LIMITS.statementLength} characters.`,
  })
  @IsOptional()
  @MaxLength(MODERATION_LIMITS.statementLength)
  statement?: string;

  @Field(() => Int, {
    nullable: true,
    description: `MUTE (required) and BAN (omitted: permanent): seconds, ${MODERATION_LIMITS.minDurationSeconds} to ${MODERATION_LIMITS.maxDurationSeconds}.`,
  })
  durationSeconds?: number;
}

@InputType({ description: "A new rule, added at the end of the community's rules." })
export class CreateCommunityRuleInput {
  @Field(() => ID, { description: 'Global id of the community.' })
  communityId!: string;

  @Field({ description: 'Short title, 1 to 100 characters.' })
  @Length(1, MODERATION_LIMITS.ruleTitleLength)
  title!: string;

  @Field({ defaultValue: '', description: 'What the rule asks of members, at most 2000 characters (plain text).' })
  @MaxLength(MODERATION_LIMITS.ruleDescriptionLength)
  description!: string;
}

@InputType({ description: 'Changes to a community rule: omitted or null fields keep their value.' })
export class UpdateCommunityRuleInput {
  @Field(() => ID, { description: 'Global id of the rule.' })
  id!: string;

  @Field({ nullable: true, description: 'New title, 1 to 100 characters.' })
  @IsOptional()
  @Length(1, MODERATION_LIMITS.ruleTitleLength)
  title?: string;

  @Field({ nullable: true, description: 'New description, at most 2000 characters.' })
  @IsOptional()
  @MaxLength(MODERATION_LIMITS.ruleDescriptionLength)
  description?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Moves the rule to this place (1 is first); the others follow in order.',
  })
  @IsOptional()
  @Min(1)
  @Max(MODERATION_LIMITS.maxRules)
  position?: number;
}

@InputType({ description: 'Your appeal of a decision that restricted you.' })
export class AppealInput {
  @Field(() => ID, { description: 'The decision appealed (one that restricted you).' })
  decisionId!: string;

  @Field({ description: `Why the decision is wrong, at most ${MODERATION_LIMITS.appealTextLength} characters.` })
  @MaxLength(MODERATION_LIMITS.appealTextLength)
  text!: string;
}

@InputType({ description: "A moderator's decision on an appeal." })
export class DecideAppealInput {
  @Field(() => ID, { description: 'Global id of the PENDING appeal.' })
  appealId!: string;

  @Field(() => AppealOutcome, { description: 'UPHOLD the decision or REVERSE it.' })
  outcome!: AppealOutcome;

  @Field({
    description: `The statement of reasons the appellant reads, at most ${MODERATION_LIMITS.statementLength} characters.`,
  })
  @MaxLength(MODERATION_LIMITS.statementLength)
  statement!: string;
}

@ArgsType()
export class AppealsArgs extends PageArgs {
  @Field(() => AppealStatus, {
    defaultValue: AppealStatus.PENDING,
    description: 'Only appeals with this status; default PENDING.',
  })
  status!: AppealStatus;
}

@ArgsType()
export class ModerationQueueArgs extends PageArgs {
  @Field(() => ModerationItemStatus, {
    defaultValue: ModerationItemStatus.OPEN,
    description: 'Only items with this status; default OPEN.',
  })
  status!: ModerationItemStatus;

  @Field(() => ReportReason, { nullable: true, description: 'Only items with a report for this reason.' })
  reason?: ReportReason;
}

@ArgsType()
export class ModerationLogArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only acts of this user.' })
  actorId?: string;

  @Field(() => ModerationLogAction, { nullable: true, description: 'Only acts of this kind.' })
  action?: ModerationLogAction;
}

@ObjectType({ description: 'The content of a subject when it was reported: edits after the report do not change it.' })
export class ContentSnapshot {
  @Field(() => String, {
    nullable: true,
    description: "The title of a post or event, or a poll's question; null for other content.",
  })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'The text; null for a member report.' })
  body?: string | null;

  @Field(() => String, { nullable: true, description: 'The handle of its author (or of the reported member).' })
  authorHandle?: string | null;

  @Field({ description: 'When the content was captured.' })
  capturedAt!: Date;
}

@ObjectType({ description: "What the community's moderators know of a member when they review an item about them." })
export class ModerationHistory {
  @Field(() => Int, { description: 'Their posts in the community (deleted ones included).' })
  posts!: number;

  @Field(() => Int, { description: 'Their comments in the community (deleted ones included).' })
  comments!: number;

  @Field(() => Int, { description: 'Decisions other than DISMISS that restricted them in the community.' })
  restrictions!: number;

  @Field(() => Int, { description: 'Of which warnings.' })
  warnings!: number;

  @Field(() => Int, { description: 'Of which mutes.' })
  mutes!: number;

  @Field(() => Int, { description: 'Of which bans.' })
  bans!: number;

  @Field(() => Int, { description: 'Reports filed on their content or on them, decided or not.' })
  reportsReceived!: number;

  @Field(() => Date, { nullable: true, description: 'When they joined (null: not a member now).' })
  joinedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Their reputation there (null: not a member now).' })
  reputation!: number | null;
}

@ObjectType()
export class AppealConnection extends Connection(Appeal, 'Appeal') {}
@ObjectType()
export class CommunityRuleConnection extends Connection(CommunityRule, 'CommunityRule', {
  totalCount: `How many rules are in force (all pages): counted, as a community has at most ${MODERATION_LIMITS.maxRules}.`,
}) {}
@ObjectType()
export class ModerationItemConnection extends Connection(ModerationItem, 'ModerationItem') {}
@ObjectType()
export class ReportConnection extends Connection(Report, 'Report') {}
@ObjectType()
export class ModerationDecisionConnection extends Connection(ModerationDecision, 'ModerationDecision') {}
@ObjectType()
export class ModerationLogEntryConnection extends Connection(ModerationLogEntry, 'ModerationLogEntry') {}

@InputType({ description: "A report of a subject to a community's moderators." })
export class CreateReportInput extends ReportInput {}

@InputType({ description: "A moderator's decision on a review-queue item." })
export class DecideModerationItemInput extends DecideInput {}

@InputType({ description: 'Your appeal of a decision that restricted you.' })
export class AppealDecisionInput extends AppealInput {}

@InputType({ description: 'The community rule to remove.' })
export class RemoveCommunityRuleInput {
  @Field(() => ID, { description: 'Global id of the rule.' }) id!: string;
}

@ObjectType({ description: 'The result of `removeCommunityRule`.' })
export class RemoveCommunityRulePayload {
  @Field(() => ID, { description: 'Global id of the rule removed.' }) removedRuleId!: string;
  @Field(() => Community, { description: 'Its community, whose other rules closed ranks.' }) community!: Community;
}
