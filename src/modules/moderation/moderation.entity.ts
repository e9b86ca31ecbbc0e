import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';

/** What a report or a moderation decision is about. */
export enum ModerationSubjectType {
  POST = 'POST',
  COMMENT = 'COMMENT',
  MEMBER = 'MEMBER',
  CHAT_MESSAGE = 'CHAT_MESSAGE',
  EVENT = 'EVENT',
  POLL = 'POLL',
}
registerEnumType(ModerationSubjectType, {
  name: 'ModerationSubjectType',
  description: 'What a report or a moderation decision is about.',
  valuesConfig: {
    POST: { description: 'A post.' },
    COMMENT: { description: 'A comment.' },
    MEMBER: { description: 'A member of the community (their conduct rather than one piece of content).' },
    CHAT_MESSAGE: { description: "A message of a live stream's chat." },
    EVENT: { description: 'An event.' },
    POLL: { description: 'A poll (its question or one of its options).' },
  },
});

export enum ReportReason {
  SPAM = 'SPAM',
  HARASSMENT = 'HARASSMENT',
  OFF_TOPIC = 'OFF_TOPIC',
  ILLEGAL = 'ILLEGAL',
  OTHER = 'OTHER',
}
registerEnumType(ReportReason, {
  name: 'ReportReason',
  description: 'Why something is reported (`OTHER` takes a note saying why).',
  valuesConfig: {
    SPAM: { description: 'Spam or unsolicited advertising.' },
    HARASSMENT: { description: 'Harassment, abuse or hate aimed at someone.' },
    OFF_TOPIC: { description: 'Not about what the community is for.' },
    ILLEGAL: { description: 'Illegal content.' },
    OTHER: { description: "Another reason, given in the report's note (required)." },
  },
});

export enum ReportStatus {
  OPEN = 'OPEN',
  UPHELD = 'UPHELD',
  DISMISSED = 'DISMISSED',
}
registerEnumType(ReportStatus, {
  name: 'ReportStatus',
  description: "A report's outcome: waiting for a moderator, or the decision taken on its subject.",
  valuesConfig: {
    OPEN: { description: 'Waiting in the review queue.' },
    UPHELD: { description: 'A moderator acted on the subject (hid, removed, warned, muted or banned).' },
    DISMISSED: { description: 'A moderator found nothing to act on.' },
  },
});

export enum ModerationItemStatus {
  OPEN = 'OPEN',
  DECIDED = 'DECIDED',
}
registerEnumType(ModerationItemStatus, {
  name: 'ModerationItemStatus',
  description: 'Whether a review-queue item awaits a decision.',
  valuesConfig: {
    OPEN: { description: "Awaiting a moderator's decision; new reports on the subject join it." },
    DECIDED: { description: 'A moderator decided it; a later report on the subject opens a new item.' },
  },
});

export enum ModerationAction {
  DISMISS = 'DISMISS',
  HIDE = 'HIDE',
  REMOVE = 'REMOVE',
  WARN = 'WARN',
  MUTE = 'MUTE',
  BAN = 'BAN',
}
registerEnumType(ModerationAction, {
  name: 'ModerationAction',
  description: 'What a moderator decides on a review-queue item.',
  valuesConfig: {
    DISMISS: { description: 'Nothing to act on: the reports are dismissed and the subject shown again.' },
    HIDE: { description: 'The content stays hidden from readers (its author and moderators still see it).' },
    REMOVE: {
      description:
        'The content is removed, as a deletion by a moderator is (its upvotes stop counting for reputation).',
    },
    WARN: { description: 'The author (or the reported member) is warned: a recorded decision with no other effect.' },
    MUTE: {
      description:
        'The author (or member) may not post, comment, chat, vote, react, create polls or events for `durationSeconds`.',
    },
    BAN: { description: 'The author (or member) is banned for `durationSeconds` (forever when omitted).' },
  },
});

/** What an AutoMod rule does when it matches (the engine's AutoModAction, for the schema). */
export enum AutoModActionType {
  BLOCK = 'BLOCK',
  HOLD = 'HOLD',
  REPORT = 'REPORT',
  MUTE = 'MUTE',
}
registerEnumType(AutoModActionType, {
  name: 'AutoModAction',
  description: 'What an AutoMod rule does to a write it matches.',
  valuesConfig: {
    BLOCK: { description: 'Refuses the write: FORBIDDEN, naming the rule.' },
    HOLD: { description: 'Takes the write, hidden, into the review queue until a moderator decides.' },
    REPORT: { description: 'Takes the write and reports it to the review queue.' },
    MUTE: { description: 'Takes the write, reports it, and mutes its author for `durationSeconds`.' },
  },
});

/** A rule of a community, as its admins write it; decisions name the rule they enforce. */
@Entity({ tableName: 'community_rules' })
@Index({ name: 'community_rules_community_position_index', properties: ['community', 'position', 'id'] })
@ObjectType('CommunityRule', {
  implements: Node,
  simpleResolvers: true,
  description: 'A rule of a community: decisions and AutoMod name the rule they enforce.',
})
export class CommunityRule extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'CommunityRule';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field(() => Int, { description: 'Its place in the list, from 1.' })
  @Property()
  position!: number;

  @Field({ description: 'Short title, 1 to 100 characters.' })
  @Property({ length: 100 })
  title!: string;

  @Field({ description: 'What the rule asks of members (plain text).' })
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field({ description: 'When the rule was added.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: 'When the rule last changed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  /** Deleted by an admin: no longer listed or named by new decisions; decisions that named it keep it. */
  @Property({ type: 'datetime', nullable: true })
  archivedAt?: Date | null;
}

/** The content of a subject as it was reported: kept so that an edit after the report cannot hide it. */
export interface ContentSnapshot {
  title?: string | null;
  body?: string | null;
  authorHandle?: string | null;
  capturedAt: string;
}

/**
 * One review-queue item per subject under review: the reports on it while it is OPEN, then the
 * decision. A subject has at most one OPEN item (a partial unique index); a report after the
 * decision opens a new one.
 */
@Entity({ tableName: 'moderation_items' })
@Index({ name: 'moderation_items_queue_index', properties: ['community', 'status', 'id'] })
@Unique({
  name: 'moderation_items_open_subject_unique',
  expression:
    'create unique index "moderation_items_open_subject_unique" on "moderation_items" ("community_id", "subject_type", "subject_id") where status = \'OPEN\'',
})
@Check({ name: 'moderation_items_weight_check', expression: 'open_weight >= 0' })
@ObjectType('ModerationItem', {
  implements: Node,
  simpleResolvers: true,
  description: 'A subject under review: its reports, the content as reported, and the decision once taken.',
})
export class ModerationItem extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ModerationItem';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field(() => ModerationSubjectType, { description: 'What kind of subject is under review.' })
  @Enum({ items: () => ModerationSubjectType })
  subjectType!: ModerationSubjectType;

  @Property()
  subjectId!: number;

  /** The author of the content, or the reported member. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  subjectUser!: Ref<User>;

  @Field(() => ModerationItemStatus, { description: 'OPEN until a moderator decides it.' })
  @Enum({ items: () => ModerationItemStatus })
  status: ModerationItemStatus = ModerationItemStatus.OPEN;

  /** The sum of the weights of its OPEN reports. */
  @Field(() => Int, { description: 'The sum of the weights of its open reports.' })
  @Property({ default: 0 })
  openWeight: number = 0;

  @Field(() => Int, { description: 'Reports filed on it.' })
  @Property({ default: 0 })
  reportCount: number = 0;

  /** Its reports' weight passed the community's threshold and hid the subject until the decision. */
  @Field({
    description: "Its reports' weight passed the community's `reportThreshold` and hid the subject until a decision.",
  })
  @Property({ default: false })
  hiddenByReports: boolean = false;

  @Property({ type: 'json' })
  snapshot!: ContentSnapshot;

  /** The AutoMod rule that put the write in the queue (HOLD, REPORT, MUTE), if one did. */
  @ManyToOne(() => AutoModRule, { ref: true, nullable: true, deleteRule: 'set null' })
  autoModRule?: Ref<AutoModRule> | null;

  /** What the AutoMod rule matched on (the engine's reasons). */
  @Property({ type: 'json', nullable: true })
  autoModReasons?: string[] | null;

  @Field({ description: "When its first report (or AutoMod's flag) arrived." })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: 'When its last report arrived or it was decided.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When a moderator decided it; null while OPEN.' })
  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;
}

/** A member's report of a subject. At most one OPEN report per reporter and subject (a partial unique index). */
@Entity({ tableName: 'reports' })
@Index({ name: 'reports_item_index', properties: ['item', 'id'] })
@Index({ name: 'reports_reporter_index', properties: ['reporter', 'id'] })
@Unique({
  name: 'reports_open_reporter_subject_unique',
  expression:
    'create unique index "reports_open_reporter_subject_unique" on "reports" ("reporter_id", "community_id", "subject_type", "subject_id") where status = \'OPEN\'',
})
@Check({ name: 'reports_weight_check', expression: 'weight > 0' })
@ObjectType('Report', {
  implements: Node,
  simpleResolvers: true,
  description:
    'A report of a post, comment or member. Its reporter sees it and its outcome; moderators see who filed it.',
})
export class Report extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Report';
  }

  @ManyToOne(() => ModerationItem, { ref: true, deleteRule: 'cascade' })
  item!: Ref<ModerationItem>;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  reporter!: Ref<User>;

  @Field(() => ModerationSubjectType, { description: 'What kind of subject is reported.' })
  @Enum({ items: () => ModerationSubjectType })
  subjectType!: ModerationSubjectType;

  @Property()
  subjectId!: number;

  @Field(() => ReportReason, { description: 'Why it is reported.' })
  @Enum({ items: () => ReportReason })
  reason!: ReportReason;

  @Field({ description: "The reporter's note, at most 1000 characters (required for OTHER; may be empty otherwise)." })
  @Property({ length: 1000, default: '' })
  note: string = '';

  /** From the reporter's level when they reported (see `reportWeight`). */
  @Field(() => Int, {
    description: "How much it counts toward hiding its subject: from the reporter's level (see README, Moderation).",
  })
  @Property({ type: 'smallint' })
  weight!: number;

  @Field(() => ReportStatus, { description: 'OPEN until a moderator decides its subject, then UPHELD or DISMISSED.' })
  @Enum({ items: () => ReportStatus })
  status: ReportStatus = ReportStatus.OPEN;

  @Property({ type: 'json' })
  snapshot!: ContentSnapshot;

  @Field({ description: 'When the report was filed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When its subject was decided.' })
  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null;
}

/**
 * A moderator's decision on a review-queue item, with the rule it enforces and the statement of
 * reasons the affected member reads. `before` keeps what the decision changed (a removed text), so
 * that a reversal restores it.
 */
@Entity({ tableName: 'moderation_decisions' })
@Index({ name: 'moderation_decisions_community_index', properties: ['community', 'id'] })
@Index({ name: 'moderation_decisions_affected_index', properties: ['affectedUser', 'id'] })
@Unique({ name: 'moderation_decisions_item_unique', properties: ['item'] })
@Unique({ name: 'moderation_decisions_id_moderator_unique', properties: ['id', 'moderator'] })
@Check({
  name: 'moderation_decisions_rule_check',
  expression: "action = 'DISMISS' or (rule_id is not null and length(statement) > 0)",
})
@ObjectType('ModerationDecision', {
  implements: Node,
  simpleResolvers: true,
  description:
    'A moderation decision: the action, the community rule it enforces and the statement of reasons the affected member reads.',
})
export class ModerationDecision extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ModerationDecision';
  }

  @ManyToOne(() => ModerationItem, { ref: true, deleteRule: 'cascade' })
  item!: Ref<ModerationItem>;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  moderator!: Ref<User>;

  @Field(() => ModerationAction, { description: 'What the moderator decided.' })
  @Enum({ items: () => ModerationAction })
  action!: ModerationAction;

  @ManyToOne(() => CommunityRule, { ref: true, nullable: true, deleteRule: 'restrict' })
  rule?: Ref<CommunityRule> | null;

  @Field({ description: 'The statement of reasons: why the rule applies to this subject.' })
  @Property({ type: 'text', default: '' })
  statement: string = '';

  @Field(() => Int, { nullable: true, description: 'MUTE and BAN: how long (null: a permanent ban).' })
  @Property({ type: 'integer', nullable: true })
  durationSeconds?: number | null;

  /** When a MUTE or a BAN ends (null: a permanent ban, or no duration). */
  @Field(() => Date, { nullable: true, description: 'When the MUTE or BAN ends (null: never, or no duration).' })
  @Property({ type: 'datetime', nullable: true })
  endsAt?: Date | null;

  @Field(() => ModerationSubjectType, { description: 'What kind of subject the decision is about.' })
  @Enum({ items: () => ModerationSubjectType })
  subjectType!: ModerationSubjectType;

  @Property()
  subjectId!: number;

  /** The member the decision restricts: the content's author, or the reported member. */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  affectedUser!: Ref<User>;

  @Property({ type: 'json', nullable: true })
  before?: Record<string, unknown> | null;

  @Field({ description: 'When the decision was taken.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When an appeal reversed it.' })
  @Property({ type: 'datetime', nullable: true })
  reversedAt?: Date | null;
}

/** A mute from a community: its member may not speak there (write, chat, vote, react) until `until`. */
@Entity({ tableName: 'community_mutes' })
@Unique({ properties: ['community', 'user'] })
export class CommunityMute {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The moderator who muted them; null when an AutoMod rule did. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  mutedBy?: Ref<User> | null;

  @ManyToOne(() => ModerationDecision, { ref: true, nullable: true, deleteRule: 'set null' })
  decision?: Ref<ModerationDecision> | null;

  @Property({ type: 'datetime' })
  until!: Date;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

export enum ModerationLogAction {
  SUBJECT_AUTO_HIDDEN = 'SUBJECT_AUTO_HIDDEN',
  DECISION = 'DECISION',
  RULE_CREATED = 'RULE_CREATED',
  RULE_UPDATED = 'RULE_UPDATED',
  RULE_DELETED = 'RULE_DELETED',
  ROLE_CHANGED = 'ROLE_CHANGED',
  MEMBER_BANNED = 'MEMBER_BANNED',
  MEMBER_UNBANNED = 'MEMBER_UNBANNED',
  POST_DELETED = 'POST_DELETED',
  COMMENT_DELETED = 'COMMENT_DELETED',
  THRESHOLD_CHANGED = 'THRESHOLD_CHANGED',
  APPEAL_DECIDED = 'APPEAL_DECIDED',
  AUTOMOD_MATCH = 'AUTOMOD_MATCH',
  AUTOMOD_RULE_CHANGED = 'AUTOMOD_RULE_CHANGED',
}
registerEnumType(ModerationLogAction, {
  name: 'ModerationLogAction',
  description: 'What an entry of the moderation log records.',
  valuesConfig: {
    SUBJECT_AUTO_HIDDEN: { description: "Reports' weight passed the community's threshold: the subject was hidden." },
    DECISION: { description: 'A moderator decided a review-queue item (`details.action`).' },
    RULE_CREATED: { description: 'An admin added a community rule.' },
    RULE_UPDATED: { description: 'An admin changed a community rule (`details.before`, `details.after`).' },
    RULE_DELETED: { description: 'An admin deleted a community rule.' },
    ROLE_CHANGED: { description: "A member's role changed (`details.before`, `details.after`)." },
    MEMBER_BANNED: { description: 'A user was banned (`details.until`, `details.reason`).' },
    MEMBER_UNBANNED: { description: 'A ban was lifted.' },
    POST_DELETED: { description: 'A moderator deleted a post that was not theirs.' },
    COMMENT_DELETED: { description: 'A moderator deleted a comment that was not theirs.' },
    THRESHOLD_CHANGED: { description: "The community's report threshold changed." },
    APPEAL_DECIDED: { description: 'A moderator upheld or reversed a decision on appeal (`details.outcome`).' },
    AUTOMOD_MATCH: {
      description:
        'An AutoMod rule matched a write (`details.autoModRuleId`, `details.action`, `details.reasons`); BLOCKed writes are logged too.',
    },
    AUTOMOD_RULE_CHANGED: {
      description: 'An admin created, changed or deleted an AutoMod rule (`details.before`, `details.after`).',
    },
  },
});

/**
 * The moderation log: one row per moderation act, append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE; see the migration). Rows name their community and actor by id without foreign keys
 * that could delete or change them.
 */
@Entity({ tableName: 'moderation_log' })
@Index({ name: 'moderation_log_community_index', properties: ['communityId', 'id'] })
@ObjectType('ModerationLogEntry', {
  implements: Node,
  simpleResolvers: true,
  description: 'One moderation act: who did what to which subject, under which rule, and why.',
})
export class ModerationLogEntry extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ModerationLogEntry';
  }

  @Property()
  communityId!: number;

  /** The user who acted (null: the system, e.g. reports passing the threshold). */
  @Property({ type: 'integer', nullable: true })
  actorId?: number | null;

  @Field(() => ModerationLogAction, { description: 'What the act was.' })
  @Enum({ items: () => ModerationLogAction })
  action!: ModerationLogAction;

  @Field(() => ModerationSubjectType, {
    nullable: true,
    description:
      'What kind of subject the act concerns; null for acts on the community itself (rules, threshold, AutoMod).',
  })
  @Enum({ items: () => ModerationSubjectType, nullable: true })
  subjectType?: ModerationSubjectType | null;

  @Property({ type: 'integer', nullable: true })
  subjectId?: number | null;

  @Property({ type: 'integer', nullable: true })
  ruleId?: number | null;

  @Field({ description: 'The statement of reasons, when the act has one.' })
  @Property({ type: 'text', default: '' })
  statement: string = '';

  @Property({ type: 'json', nullable: true })
  details?: Record<string, unknown> | null;

  @Field({ description: 'When the act happened.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

export enum AppealStatus {
  PENDING = 'PENDING',
  UPHELD = 'UPHELD',
  REVERSED = 'REVERSED',
}
registerEnumType(AppealStatus, {
  name: 'AppealStatus',
  description: "An appeal's outcome: waiting, the decision upheld, or the decision reversed (its effects undone).",
  valuesConfig: {
    PENDING: { description: "Awaiting a moderator's decision." },
    UPHELD: { description: 'The decision stands.' },
    REVERSED: { description: 'The decision was reversed and its effects undone.' },
  },
});

export enum AppealOutcome {
  UPHOLD = 'UPHOLD',
  REVERSE = 'REVERSE',
}
registerEnumType(AppealOutcome, {
  name: 'AppealOutcome',
  description: 'How a moderator decides an appeal.',
  valuesConfig: {
    UPHOLD: { description: 'The decision stands.' },
    REVERSE: {
      description:
        'Reverse the decision: hidden or removed content comes back with its reputation, a mute or ban is lifted.',
    },
  },
});

/**
 * A member's appeal of a decision that restricted them: at most one per decision (a unique key),
 * decided by a moderator other than the one who decided (a CHECK on `decided_by_id` against the
 * decision's moderator, kept beside it and tied to the decision by a composite foreign key).
 */
@Entity({ tableName: 'moderation_appeals' })
@Index({ name: 'moderation_appeals_community_index', properties: ['community', 'status', 'id'] })
@Unique({ name: 'moderation_appeals_decision_unique', properties: ['decision'] })
@Check({
  name: 'moderation_appeals_other_moderator_check',
  expression: 'decided_by_id is null or decided_by_id <> decision_moderator_id',
})
@ObjectType('Appeal', {
  implements: Node,
  simpleResolvers: true,
  description: 'An appeal of a moderation decision, decided by a moderator other than the one who decided.',
})
export class Appeal extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Appeal';
  }

  @ManyToOne(() => ModerationDecision, { ref: true, deleteRule: 'cascade' })
  decision!: Ref<ModerationDecision>;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  appellant!: Ref<User>;

  /** The moderator of the decision appealed (see the class comment). */
  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  decisionModerator!: Ref<User>;

  @Field({ description: "The member's case." })
  @Property({ type: 'text' })
  text!: string;

  @Field(() => AppealStatus, { description: 'PENDING until a moderator decides it.' })
  @Enum({ items: () => AppealStatus })
  status: AppealStatus = AppealStatus.PENDING;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  decidedBy?: Ref<User> | null;

  @Field({ description: "The deciding moderator's statement of reasons (empty while pending)." })
  @Property({ type: 'text', default: '' })
  statement: string = '';

  @Field({ description: 'When the member appealed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When a moderator decided it; null while PENDING.' })
  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;
}

/**
 * An AutoMod rule of a community: conditions and an action as data (see automod-engine.ts), applied
 * to posts, comments, chat messages and poll options as they are written, inside the write's transaction.
 */
@Entity({ tableName: 'automod_rules' })
@Index({ name: 'automod_rules_community_index', properties: ['community', 'position', 'id'] })
@ObjectType('AutoModRule', {
  implements: Node,
  simpleResolvers: true,
  description:
    "An AutoMod rule: conditions on a write's text, its author and their pace, and what to do when they all hold.",
})
export class AutoModRule extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'AutoModRule';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field(() => Int, {
    description: 'Its place among the community’s rules, from 1: matches are reported in this order.',
  })
  @Property()
  position!: number;

  @Field({ description: 'Its name, 1 to 100 characters, shown to moderators.' })
  @Property({ length: 100 })
  name!: string;

  /** The conditions, as `validateAutoModRule` normalized them (AutoModConditions). */
  @Property({ type: 'json' })
  conditions!: Record<string, unknown>;

  @Field(() => AutoModActionType, { description: 'What it does to a write it matches.' })
  @Enum({ items: () => AutoModActionType })
  action!: AutoModActionType;

  @Field(() => Int, { nullable: true, description: 'MUTE: how long, in seconds.' })
  @Property({ type: 'integer', nullable: true })
  durationSeconds?: number | null;

  @Field({ description: 'Only enabled rules apply to writes; a dry run tries any rule.' })
  @Property({ default: false })
  enabled: boolean = false;

  /** The community rule it enforces (named in the decisions and refusals it makes). */
  @ManyToOne(() => CommunityRule, { ref: true, nullable: true, deleteRule: 'set null' })
  rule?: Ref<CommunityRule> | null;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  @Field({ description: 'When the rule was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: 'When the rule last changed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/**
 * A member's block of another user, everywhere: the blocked user's posts and comments read as
 * hidden to the blocker, and the blocked user cannot reply to the blocker's posts and comments nor
 * mention them.
 */
@Entity({ tableName: 'user_blocks' })
@Unique({ name: 'user_blocks_pair_unique', properties: ['blocker', 'blocked'] })
@Index({ name: 'user_blocks_blocked_index', properties: ['blocked', 'blocker'] })
@Check({ name: 'user_blocks_not_self_check', expression: 'blocker_id <> blocked_id' })
export class UserBlock {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  blocker!: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  blocked!: Ref<User>;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
