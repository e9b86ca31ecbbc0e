import { GraphQLJSONObject } from 'graphql-scalars';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  createUnionType,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { nullIfHidden } from '../../platform/errors';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import { PageArgs, connectionComplexity, idPage, idRange, toConnection } from '../../platform/pagination';
import { Community, Member } from '../communities/communities.entity';
import { canReadContent } from '../communities/communities.service';
import { User } from '../identity/identity.entity';
import { readableComment } from '../posts/comments.service';
import { Comment, Post } from '../posts/posts.entity';
import { readablePost } from '../posts/posts.service';
import { ChatMessage } from '../events/chat.entity';
import { readableChatMessage } from '../events/chat.service';
import { Event } from '../events/events.entity';
import { readableEvent } from '../events/events.service';
import { Poll } from '../polls/polls.entity';
import { readablePoll } from '../polls/polls.service';
import { decide } from './decisions';
import * as appeals from './appeals';
import {
  Appeal,
  CommunityRule,
  ModerationDecision,
  ModerationItem,
  ModerationLogEntry,
  ModerationSubjectType,
  Report,
  type ContentSnapshot as StoredSnapshot,
} from './moderation.entity';
import {
  AppealConnection,
  AppealDecisionInput,
  AppealInput,
  AppealsArgs,
  DecideAppealInput,
  MODERATION_LIMITS,
  CommunityRuleConnection,
  ContentSnapshot,
  CreateCommunityRuleInput,
  CreateReportInput,
  DecideInput,
  DecideModerationItemInput,
  ModerationDecisionConnection,
  ModerationHistory,
  ModerationItemConnection,
  ModerationLogArgs,
  ModerationLogEntryConnection,
  ModerationQueueArgs,
  RemoveCommunityRuleInput,
  RemoveCommunityRulePayload,
  ReportConnection,
  ReportInput,
  UpdateCommunityRuleInput,
} from './moderation.inputs';
import { replacedBy } from '../../platform/deprecations';
import { moderationQueueStream } from './moderation.live';
import * as moderation from './moderation.service';
import * as rules from './rules.service';

export const ModerationSubject = createUnionType({
  name: 'ModerationSubject',
  description: 'What a report or a decision is about: a post, a comment, a chat message, an event, a poll or a member.',
  types: () => [Post, Comment, ChatMessage, Event, Poll, Member] as const,
});

function snapshotOf(stored: StoredSnapshot): ContentSnapshot {
  return {
    title: stored.title ?? null,
    body: stored.body ?? null,
    authorHandle: stored.authorHandle ?? null,
    capturedAt: new Date(stored.capturedAt),
  };
}

/** The subject of an item or a decision as a reviewer reads it: deleted and hidden content included. */
async function subjectForReviewer(
  ctx: Context,
  type: ModerationSubjectType,
  id: number,
  communityId: number,
): Promise<Subject | null> {
  switch (type) {
    case ModerationSubjectType.POST:
      return ctx.loaders.post.load(id);
    case ModerationSubjectType.COMMENT:
      return ctx.loaders.comment.load(id);
    case ModerationSubjectType.CHAT_MESSAGE:
      return ctx.loaders.chatMessage.load(id);
    case ModerationSubjectType.EVENT:
      return ctx.loaders.event.load(id);
    case ModerationSubjectType.POLL:
      return ctx.loaders.poll.load(id);
    case ModerationSubjectType.MEMBER:
      return ctx.loaders.memberOfUser.load({ communityId, userId: id });
  }
}

type Subject = Post | Comment | ChatMessage | Event | Poll | Member;

/** The subject as the viewer may read it on every other path (null when they may not). */
async function subjectForReader(
  ctx: Context,
  type: ModerationSubjectType,
  id: number,
  communityId: number,
): Promise<Subject | null> {
  const { loaders, viewer } = ctx;
  switch (type) {
    case ModerationSubjectType.POST:
      return nullIfHidden(readablePost(loaders, viewer, id).then((r) => r.post));
    case ModerationSubjectType.COMMENT:
      return nullIfHidden(readableComment(loaders, viewer, id).then((r) => r.comment));
    case ModerationSubjectType.CHAT_MESSAGE:
      return nullIfHidden(readableChatMessage(loaders, viewer, id).then((r) => r.message));
    case ModerationSubjectType.EVENT:
      return nullIfHidden(readableEvent(loaders, viewer, id).then((r) => r.event));
    case ModerationSubjectType.POLL:
      return nullIfHidden(readablePoll(loaders, viewer, id).then((r) => r.poll));
    case ModerationSubjectType.MEMBER:
      return (await readableMemberCommunity(ctx, communityId))
        ? ctx.loaders.memberOfUser.load({ communityId, userId: id })
        : null;
  }
}

async function readableMemberCommunity(ctx: Context, communityId: number): Promise<boolean> {
  const community = await ctx.loaders.community.load(communityId);
  return !!community && canReadContent(ctx.loaders, ctx.viewer, community);
}

@Resolver()
export class ModerationResolver {
  @Mutation(() => Report, {
    description:
      "Reports a post, comment, chat message, event, poll (or one of its options) or member to the community's moderators (`reports.create`: level 2 by default; rate-limited). One open report per reporter and subject (CONFLICT); a note is required for OTHER. Reports weigh by the reporter's level; past the community's `reportThreshold` the content is hidden until a moderator decides.",
  })
  createReport(
    @Arg('input', { description: 'What you report, why, and a note.' }) input: CreateReportInput,
    @Ctx() ctx: Context,
  ): Promise<Report> {
    return moderation.report(ctx, input);
  }

  @Mutation(() => ModerationDecision, {
    description:
      'Decides a review-queue item (MODERATOR or above), with its effects in one transaction. Every action but DISMISS names a community rule and a statement of reasons the affected member reads.',
  })
  decideModerationItem(
    @Arg('input', { description: 'The item, the action, the rule and the statement of reasons.' })
    input: DecideModerationItemInput,
    @Ctx() ctx: Context,
  ): Promise<ModerationDecision> {
    return decide(ctx, input);
  }

  @Mutation(() => Appeal, {
    description: `Appeals a decision that restricted you, once, within ${MODERATION_LIMITS.appealWindowDays} days; a moderator other than the one who decided will decide it. A banned member may appeal their ban.`,
  })
  appealDecision(
    @Arg('input', { description: 'The decision and your case.' }) input: AppealDecisionInput,
    @Ctx() ctx: Context,
  ): Promise<Appeal> {
    return appeals.appeal(ctx, input);
  }

  @Mutation(() => Report, {
    description:
      "Reports a post, comment, chat message, event, poll (or one of its options) or member to the community's moderators (`reports.create`: level 2 by default; rate-limited). One open report per reporter and subject (CONFLICT); a note is required for OTHER. Reports weigh by the reporter's level; past the community's `reportThreshold` the content is hidden until a moderator decides.",
    deprecationReason: replacedBy('report'),
  })
  report(
    @Arg('input', { description: 'What you report, why, and a note.' }) input: ReportInput,
    @Ctx() ctx: Context,
  ): Promise<Report> {
    return this.createReport(input, ctx);
  }

  @Mutation(() => ModerationDecision, {
    description:
      'Decides a review-queue item (MODERATOR or above), with its effects in one transaction. Every action but DISMISS names a community rule and a statement of reasons the affected member reads.',
    deprecationReason: replacedBy('decide'),
  })
  decide(
    @Arg('input', { description: 'The item, the action, the rule and the statement of reasons.' }) input: DecideInput,
    @Ctx() ctx: Context,
  ): Promise<ModerationDecision> {
    return this.decideModerationItem(input, ctx);
  }

  @Mutation(() => Appeal, {
    description: `Appeals a decision that restricted you, once, within ${MODERATION_LIMITS.appealWindowDays} days; a moderator other than the one who decided will decide it. A banned member may appeal their ban.`,
    deprecationReason: replacedBy('appeal'),
  })
  appeal(
    @Arg('input', { description: 'The decision and your case.' }) input: AppealInput,
    @Ctx() ctx: Context,
  ): Promise<Appeal> {
    return this.appealDecision(input, ctx);
  }

  @Mutation(() => Appeal, {
    description:
      'Decides an appeal (MODERATOR or above, not the moderator who decided: the database refuses it). REVERSE undoes the decision: content shown or restored with its reputation, the mute or ban lifted.',
  })
  decideAppeal(
    @Arg('input', { description: 'The appeal, the outcome and the statement of reasons.' }) input: DecideAppealInput,
    @Ctx() ctx: Context,
  ): Promise<Appeal> {
    return appeals.decideAppeal(ctx, input);
  }

  @Mutation(() => CommunityRule, { description: "Adds a rule at the end of the community's rules (ADMIN or above)." })
  createCommunityRule(
    @Arg('input', { description: 'The community and the rule.' }) input: CreateCommunityRuleInput,
    @Ctx() ctx: Context,
  ): Promise<CommunityRule> {
    return rules.createCommunityRule(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Mutation(() => CommunityRule, { description: 'Edits or moves a community rule (ADMIN or above).' })
  updateCommunityRule(
    @Arg('input', { description: 'The rule and the changes.' }) input: UpdateCommunityRuleInput,
    @Ctx() ctx: Context,
  ): Promise<CommunityRule> {
    return rules.updateCommunityRule(ctx, fromGlobalId('CommunityRule', input.id), input);
  }

  @Mutation(() => RemoveCommunityRulePayload, {
    description:
      'Deletes a community rule (ADMIN or above): no new decision can name it; the decisions that named it keep it.',
  })
  async removeCommunityRule(
    @Arg('input', { description: 'The rule.' }) input: RemoveCommunityRuleInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveCommunityRulePayload> {
    const id = fromGlobalId('CommunityRule', input.id);
    const communityId = await rules.deleteCommunityRule(ctx, id);
    return {
      removedRuleId: toGlobalId('CommunityRule', id),
      community: (await ctx.loaders.community.load(communityId))!,
    };
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes a community rule (ADMIN or above): no new decision can name it; the decisions that named it keep it.',
    deprecationReason: replacedBy('deleteCommunityRule'),
  })
  async deleteCommunityRule(
    @Arg('id', () => ID, { description: 'Global id of the rule.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.removeCommunityRule({ id }, ctx);
    return true;
  }

  @Query(() => ReportConnection, {
    complexity: connectionComplexity,
    description: 'Your reports, newest first, with their outcomes (signed in).',
  })
  viewerReports(@Args() args: PageArgs, @Ctx() ctx: Context) {
    return moderation.viewerReports(ctx, args);
  }

  @Query(() => ModerationDecisionConnection, {
    complexity: connectionComplexity,
    description:
      'Moderation decisions that restricted you (hid or removed your content, warned, muted or banned you), newest first, each with the rule it enforces and its statement of reasons (signed in).',
  })
  viewerModerationActions(@Args() args: PageArgs, @Ctx() ctx: Context) {
    return moderation.viewerModerationActions(ctx, args);
  }

  @Subscription(() => ModerationItem, {
    description:
      "The community's review-queue items as they are created, reported again or decided (MODERATOR or above); ends when you may no longer review it.",
    subscribe: ({ args, context }) =>
      moderationQueueStream(context as Context, fromGlobalId('Community', args.communityId as string, 'communityId')),
  })
  moderationQueueChanged(
    @Root() item: ModerationItem,
    @Arg('communityId', () => ID, { description: 'Global id of the community whose queue to follow.' })
    _communityId: string,
  ): ModerationItem {
    return item;
  }
}

@Resolver(() => Community)
export class CommunityModerationResolver {
  @FieldResolver(() => CommunityRuleConnection, {
    complexity: connectionComplexity,
    description: "The community's rules, in order. Decisions and AutoMod name the rule they enforce.",
  })
  rules(@Root() community: Community, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return rules.communityRules(ctx, community, args);
  }

  @FieldResolver(() => ModerationItemConnection, {
    complexity: connectionComplexity,
    description:
      'The review queue (MODERATOR or above): one item per reported subject, oldest first; `reason` keeps the items with a report for it.',
  })
  moderationQueue(@Root() community: Community, @Args() args: ModerationQueueArgs, @Ctx() ctx: Context) {
    return moderation.moderationQueue(ctx, community, args);
  }

  @FieldResolver(() => AppealConnection, {
    complexity: connectionComplexity,
    description: 'Appeals of moderation decisions (MODERATOR or above), oldest first.',
  })
  appeals(@Root() community: Community, @Args() args: AppealsArgs, @Ctx() ctx: Context) {
    return appeals.communityAppeals(ctx, community, args);
  }

  @FieldResolver(() => ModerationLogEntryConnection, {
    complexity: connectionComplexity,
    description:
      'Every moderation act in the community, newest first (MODERATOR or above): decisions, hidings by reports, role changes, bans, deletions by moderators, rule edits. Append-only.',
  })
  moderationLog(@Root() community: Community, @Args() args: ModerationLogArgs, @Ctx() ctx: Context) {
    return moderation.moderationLog(ctx, community, {
      ...args,
      actorId: args.actorId ? fromGlobalId('User', args.actorId, 'actorId') : null,
    });
  }
}

@Resolver(() => ModerationItem)
export class ModerationItemResolver {
  @FieldResolver(() => Community, { description: 'The community whose queue holds the item.' })
  async community(@Root() item: ModerationItem, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(item.community.id))!;
  }

  @FieldResolver(() => ModerationSubject, {
    nullable: true,
    description: 'The subject as it is now (deleted and hidden content included); null for a member who left.',
  })
  subject(@Root() item: ModerationItem, @Ctx() ctx: Context) {
    return subjectForReviewer(ctx, item.subjectType, item.subjectId, item.community.id);
  }

  @FieldResolver(() => User, { description: "The content's author, or the reported member." })
  async subjectUser(@Root() item: ModerationItem, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(item.subjectUser.id))!;
  }

  @FieldResolver(() => ContentSnapshot, { description: 'The content as first reported: later edits do not change it.' })
  snapshot(@Root() item: ModerationItem): ContentSnapshot {
    return snapshotOf(item.snapshot);
  }

  @FieldResolver(() => ReportConnection, {
    complexity: connectionComplexity,
    description: 'Its reports, oldest first.',
  })
  async reports(@Root() item: ModerationItem, @Args() args: PageArgs, @Ctx() { loaders }: Context) {
    const page = idPage(args);
    const rows = await loaders.reportsPage.load({ itemId: item.id, ...idRange(page) });
    return toConnection(rows, page, (r) => [r.id]);
  }

  @FieldResolver(() => ModerationDecision, { nullable: true, description: 'The decision, once taken.' })
  decision(@Root() item: ModerationItem, @Ctx() { loaders }: Context): Promise<ModerationDecision | null> {
    return loaders.decisionOfItem.load(item.id);
  }

  @FieldResolver(() => ModerationHistory, { description: 'What the community knows of the member behind it.' })
  history(@Root() item: ModerationItem, @Ctx() { loaders }: Context): Promise<ModerationHistory> {
    return loaders.moderationHistory.load({ communityId: item.community.id, userId: item.subjectUser.id });
  }
}

@Resolver(() => Report)
export class ReportResolver {
  @FieldResolver(() => Community, { description: 'The community whose moderators receive the report.' })
  async community(@Root() report: Report, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(report.community.id))!;
  }

  @FieldResolver(() => ModerationSubject, {
    nullable: true,
    description: 'The subject, if you may still read it.',
  })
  subject(@Root() report: Report, @Ctx() ctx: Context) {
    return subjectForReader(ctx, report.subjectType, report.subjectId, report.community.id);
  }

  @FieldResolver(() => ContentSnapshot, { description: 'The content as it was when this report was filed.' })
  snapshot(@Root() report: Report): ContentSnapshot {
    return snapshotOf(report.snapshot);
  }

  @FieldResolver(() => ModerationItem, {
    nullable: true,
    description: "Its review-queue item: shown to the community's moderators only.",
  })
  async item(@Root() report: Report, @Ctx() ctx: Context): Promise<ModerationItem | null> {
    if (!(await moderation.isReviewer(ctx.loaders, ctx.viewer, report.community.id))) return null;
    return ctx.loaders.moderationItem.load(report.item.id);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "Who filed it: shown to the community's moderators and to the reporter, null for anyone else.",
  })
  async reporter(@Root() report: Report, @Ctx() ctx: Context): Promise<User | null> {
    const mine = report.reporter.id === ctx.viewer.userId;
    if (!mine && !(await moderation.isReviewer(ctx.loaders, ctx.viewer, report.community.id))) return null;
    return ctx.loaders.user.load(report.reporter.id);
  }
}

@Resolver(() => ModerationDecision)
export class ModerationDecisionResolver {
  @FieldResolver(() => Community, { description: 'The community the decision was taken in.' })
  async community(@Root() decision: ModerationDecision, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(decision.community.id))!;
  }

  @FieldResolver(() => CommunityRule, { nullable: true, description: 'The rule it enforces (null for DISMISS).' })
  rule(@Root() decision: ModerationDecision, @Ctx() { loaders }: Context): Promise<CommunityRule | null> | null {
    return decision.rule ? loaders.communityRule.load(decision.rule.id) : null;
  }

  @FieldResolver(() => User, { description: 'The member it restricts: the content’s author, or the reported member.' })
  async affectedUser(@Root() decision: ModerationDecision, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(decision.affectedUser.id))!;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "The moderator who decided: shown to the community's moderators, null for the affected member.",
  })
  async moderator(@Root() decision: ModerationDecision, @Ctx() ctx: Context): Promise<User | null> {
    if (!(await moderation.isReviewer(ctx.loaders, ctx.viewer, decision.community.id))) return null;
    return ctx.loaders.user.load(decision.moderator.id);
  }

  @FieldResolver(() => ContentSnapshot, { description: 'The content the decision is about, as it was reported.' })
  async content(@Root() decision: ModerationDecision, @Ctx() { loaders }: Context): Promise<ContentSnapshot> {
    const item = (await loaders.moderationItem.load(decision.item.id))!;
    return snapshotOf(item.snapshot);
  }

  @FieldResolver(() => Appeal, { nullable: true, description: 'Its appeal, if the affected member made one.' })
  appeal(@Root() decision: ModerationDecision, @Ctx() { loaders }: Context): Promise<Appeal | null> {
    return loaders.appealOfDecision.load(decision.id);
  }

  @FieldResolver(() => ModerationItem, {
    nullable: true,
    description: "Its review-queue item: shown to the community's moderators only.",
  })
  async item(@Root() decision: ModerationDecision, @Ctx() ctx: Context): Promise<ModerationItem | null> {
    if (!(await moderation.isReviewer(ctx.loaders, ctx.viewer, decision.community.id))) return null;
    return ctx.loaders.moderationItem.load(decision.item.id);
  }
}

@Resolver(() => Appeal)
export class AppealResolver {
  @FieldResolver(() => Community, { description: 'The community of the decision.' })
  async community(@Root() appeal: Appeal, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(appeal.community.id))!;
  }

  @FieldResolver(() => ModerationDecision, { description: 'The decision appealed.' })
  async decision(@Root() appeal: Appeal, @Ctx() { loaders }: Context): Promise<ModerationDecision> {
    return (await loaders.moderationDecision.load(appeal.decision.id))!;
  }

  @FieldResolver(() => User, { description: 'The member who appealed.' })
  async appellant(@Root() appeal: Appeal, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(appeal.appellant.id))!;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "The moderator who decided it: shown to the community's moderators, null for the appellant.",
  })
  async decidedBy(@Root() appeal: Appeal, @Ctx() ctx: Context): Promise<User | null> {
    if (!appeal.decidedBy || !(await moderation.isReviewer(ctx.loaders, ctx.viewer, appeal.community.id))) return null;
    return ctx.loaders.user.load(appeal.decidedBy.id);
  }
}

@Resolver(() => ModerationLogEntry)
export class ModerationLogEntryResolver {
  @FieldResolver(() => User, {
    nullable: true,
    description: 'Who acted (null: the system, e.g. reports passing the threshold).',
  })
  actor(@Root() entry: ModerationLogEntry, @Ctx() { loaders }: Context): Promise<User | null> | null {
    return entry.actorId ? loaders.user.load(entry.actorId) : null;
  }

  @FieldResolver(() => CommunityRule, {
    nullable: true,
    description: 'The community rule the act enforces; null when it names none (or the rule was deleted).',
  })
  rule(@Root() entry: ModerationLogEntry, @Ctx() { loaders }: Context): Promise<CommunityRule | null> | null {
    return entry.ruleId ? loaders.communityRule.load(entry.ruleId) : null;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The global ID of its subject: a Post, Comment, ChatMessage, Event or Poll, or a User (for MEMBER).',
  })
  subjectId(@Root() entry: ModerationLogEntry): string | null {
    if (entry.subjectId == null || !entry.subjectType) return null;
    const type = {
      POST: 'Post',
      COMMENT: 'Comment',
      CHAT_MESSAGE: 'ChatMessage',
      EVENT: 'Event',
      POLL: 'Poll',
      MEMBER: 'User',
    } as const;
    return toGlobalId(type[entry.subjectType], entry.subjectId);
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description: 'What the act changed, e.g. `{ "before": "MEMBER", "after": "MODERATOR" }` for a role change.',
  })
  details(@Root() entry: ModerationLogEntry): Record<string, unknown> | null {
    return entry.details ?? null;
  }
}
