import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { User } from '../identity/identity.entity';

export enum Visibility {
  PUBLIC = 'PUBLIC',
  RESTRICTED = 'RESTRICTED',
  PRIVATE = 'PRIVATE',
}
registerEnumType(Visibility, {
  name: 'Visibility',
  description: 'Who may see a community and how one joins it.',
  valuesConfig: {
    PUBLIC: { description: 'Anyone can read it and join it.' },
    RESTRICTED: {
      description:
        'Listed, and its profile (name, description, member count…) readable by anyone; its content is for members. Joined through a join request its admins approve, an invite or an invite link.',
    },
    PRIVATE: {
      description:
        'Invisible to non-members on every path, as if it did not exist (its invitees see its profile). Joined only through an invite or an invite link.',
    },
  },
});

/** The weight of open reports that hides a subject, in a new community (see README, Moderation). */
export const DEFAULT_REPORT_THRESHOLD = 6;

export enum Role {
  OWNER = 'OWNER',
  ADMIN = 'ADMIN',
  MODERATOR = 'MODERATOR',
  MEMBER = 'MEMBER',
}
registerEnumType(Role, {
  name: 'Role',
  description: "A member's role in a community, from most to least powerful.",
  valuesConfig: {
    OWNER: { description: 'Everything an ADMIN may do, on admins too; a community keeps at least one owner.' },
    ADMIN: {
      description:
        "Changes the community's settings, rules, AutoMod and reputation rules and webhooks; decides join requests; sets roles below ADMIN.",
    },
    MODERATOR: {
      description:
        'Removes, pins and locks content, reviews reports, bans members below them, invites users and manages events.',
    },
    MEMBER: {
      description:
        'Reads and takes part: posts, comments, votes, events, polls and chat (some actions need a reputation level).',
    },
  },
});

export enum JoinRequestStatus {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
registerEnumType(JoinRequestStatus, {
  name: 'JoinRequestStatus',
  description: 'Where a join request stands.',
  valuesConfig: {
    PENDING: { description: "Awaiting an admin's decision." },
    APPROVED: { description: 'Approved: the user became a member.' },
    REJECTED: { description: 'Rejected by an admin; the user may ask again.' },
  },
});

@Entity({ tableName: 'communities' })
@Check({ name: 'communities_member_count_check', expression: 'member_count >= 0' })
@Check({ name: 'communities_report_threshold_check', expression: 'report_threshold > 0' })
@ObjectType('Community', {
  implements: Node,
  simpleResolvers: true,
  description: 'A community: members, and later their posts, events and polls.',
})
export class Community extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Community';
  }

  @Field({ description: 'Unique, lower-case, URL-safe name.' })
  @Property({ length: 50, unique: true })
  slug!: string;

  @Field({ description: 'Display name, 1 to 100 characters.' })
  @Property({ length: 100 })
  name!: string;

  @Field({ description: 'Free-text description, at most 5000 characters; empty when none was given.' })
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field(() => Visibility, { description: 'Who may see the community and its content, and how one joins it.' })
  @Enum({ items: () => Visibility, nativeEnumName: 'visibility' })
  visibility!: Visibility;

  @Field({
    description:
      'IANA time zone (e.g. "Europe/Paris"): days, weeks and months of the community (reputation caps, leaderboards) follow it.',
  })
  @Property({ length: 64, default: 'UTC' })
  timeZone: string = 'UTC';

  /** Per-community overrides of the reputation rules (rules.ts): only the keys an admin set. */
  @Property({ type: 'json', nullable: true })
  reputationRules?: Partial<Record<string, unknown>> | null;

  @Field(() => Int, {
    description:
      "The weight of open reports that hides a post, comment or member's content until a moderator decides (see README, Moderation). Admins change it with `updateCommunity`.",
  })
  @Property({ default: DEFAULT_REPORT_THRESHOLD })
  reportThreshold: number = DEFAULT_REPORT_THRESHOLD;

  /**
   * Moved by every change of the community's AutoMod rules: each instance keeps the rules compiled
   * per community and recompiles when the row a write reads carries another version.
   */
  @Property({ default: 0 })
  autoModVersion: number = 0;

  /**
   * Moved by every change of the community's quests: each instance keeps the live goals per community
   * (quests.record.ts) and reads them again when the row a write reads carries another version; 0: no
   * quest ever, so an action reads nothing.
   */
  @Property({ default: 0 })
  questVersion: number = 0;

  /** The last month (yyyy-MM, community time) whose top-10 badges were awarded. */
  @Property({ length: 7, nullable: true })
  topMonthAwarded?: string | null;

  /**
   * Its default channel (slug `general`, created with the community in the same transaction): where
   * posts go when `createPost` names no channel, and where a removed channel's posts move. Never
   * restricted, never removed.
   */
  @Property({ type: 'integer', nullable: true })
  defaultChannelId?: number | null;

  /**
   * Whether any of its channels restricts reading or posting: kept by the channel mutations in their
   * transaction. While false, the channel checks cost nothing (no channel is read).
   */
  @Property({ default: false })
  restrictedChannels: boolean = false;

  /** Kept exact by `member_count = member_count ± 1` in the transaction that adds or removes the member. */
  @Field(() => Int, { description: 'Number of members.' })
  @Property({ default: 0 })
  memberCount: number = 0;

  @Field({ description: 'When the community was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: "When the community's settings last changed." })
  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}

@Entity({ tableName: 'members' })
// The insights rollup reads each day's rows by time (src/modules/insights/rollup.ts).
@Index({ name: 'members_joined_at_index', properties: ['joinedAt'] })
@Unique({ properties: ['community', 'user'] })
@Index({ properties: ['user'] })
@Index({ name: 'members_community_id_id_index', properties: ['community', 'id'] })
// Staff rows only: counts a community's members by role (`members(role:) { totalCount }`) reading the few staff entries.
@Index({
  name: 'members_staff_index',
  expression: `create index "members_staff_index" on "members" ("community_id", "role") where role <> 'MEMBER'`,
})
@ObjectType('Member', { implements: Node, simpleResolvers: true, description: "A user's membership of a community." })
export class Member extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Member';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => Role, { description: "The member's role, which decides what they may do in the community." })
  @Enum({ items: () => Role, nativeEnumName: 'member_role' })
  role!: Role;

  /** The sum of the member's reputation ledger in the community, moved in the transaction that writes the ledger. */
  @Field(() => Int, { description: 'Reputation in this community: the sum of `reputationHistory`.' })
  @Property({ default: 0 })
  reputation: number = 0;

  @Field({ description: 'When the user became a member (again, after leaving or a ban).' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  joinedAt: Date = new Date();
}

/**
 * A request to join a RESTRICTED community; one row per (community, user), reopened by a new request.
 * Requests still pending when a community becomes PRIVATE stay for its admins to decide.
 */
@Entity({ tableName: 'join_requests' })
@Unique({ properties: ['community', 'user'] })
@ObjectType('JoinRequest', {
  implements: Node,
  simpleResolvers: true,
  description: 'A request to join a RESTRICTED community, decided by its admins.',
})
export class JoinRequest extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'JoinRequest';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => JoinRequestStatus, { description: 'PENDING until an admin approves or rejects it.' })
  @Enum({ items: () => JoinRequestStatus, nativeEnumName: 'join_request_status' })
  status: JoinRequestStatus = JoinRequestStatus.PENDING;

  @Field({ description: 'When the request was made (or last reopened).' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When an admin approved or rejected it; null while PENDING.' })
  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;
}

/** An invitation into a community; joining with it skips the join request. */
@Entity({ tableName: 'invites' })
@Unique({ properties: ['community', 'user'] })
@ObjectType('Invite', {
  implements: Node,
  simpleResolvers: true,
  description: 'An invitation for a user to join a community.',
})
export class Invite extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Invite';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  invitedBy!: Ref<User>;

  @Field({ description: 'When the invite was sent.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** A ban: the user is removed and cannot rejoin until `until` (forever when null). */
@Entity({ tableName: 'bans' })
@Unique({ properties: ['community', 'user'] })
@ObjectType('Ban', { simpleResolvers: true, description: 'A ban from a community.' })
export class Ban {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  bannedBy!: Ref<User>;

  /**
   * The role the user held in the community when banned (null: not a member then). Lifting or
   * changing the ban takes a rank above it, as placing it did.
   */
  @Enum({ items: () => Role, nativeEnumName: 'member_role', nullable: true })
  bannedRole?: Role | null;

  @Field({ description: 'Why the user was banned, as the moderator wrote it (at most 500 characters; may be empty).' })
  @Property({ length: 500, default: '' })
  reason: string = '';

  @Field(() => Date, { nullable: true, description: 'When the ban ends; null for a permanent ban.' })
  @Property({ type: 'datetime', nullable: true })
  until?: Date | null;

  @Field({ description: 'When the ban was placed.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
