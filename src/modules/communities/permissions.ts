import { Forbidden, NotFound } from '../../platform/errors';
import { Role } from './communities.entity';

/** Rank of each role: a higher rank can do everything a lower one can. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { OWNER: 4, ADMIN: 3, MODERATOR: 2, MEMBER: 1 };

/** A privilege that also takes a reputation level (see `levelThresholds` in reputation/rules.ts). */
interface Gate {
  role: Role;
  level: number;
}

/**
 * The one permission table: the least role that may do each action in a community, and for some
 * actions the least reputation level as well. Level gates apply to plain members: moderators and
 * above have every privilege of their role whatever their reputation. Every resolver and service
 * consults it through `can` / `assertCan` (or a record's policy, policies.ts); platform admins may do
 * everything.
 *
 * One rule comes before the table: a user banned from a community (a ban in force: `until` null or
 * in the future) may do nothing there, whatever they were or made; they read what an anonymous
 * visitor reads. A second one follows it: a member muted there (a mute in force, placed by a
 * moderation decision) may do none of the SPEAKING actions until the mute ends, whatever their role.
 */
export const PERMISSIONS = {
  /** See a RESTRICTED or PRIVATE community's members and content. */
  'community.read': Role.MEMBER,
  /** Change name, description, visibility. */
  'community.update': Role.ADMIN,
  /** Read and decide join requests. */
  'joinRequests.review': Role.ADMIN,
  /** Invite users, and create and revoke invite links (into a RESTRICTED or PRIVATE community, both skip the join request). */
  'members.invite': Role.MODERATOR,
  /** Ban and unban members of a lower role. */
  'members.ban': Role.MODERATOR,
  /** Write posts and comments, upvote and react. */
  'posts.write': Role.MEMBER,
  /** Mute a post's thread's notifications for oneself. */
  'threads.mute': Role.MEMBER,
  /** Downvote posts and comments: level 2 (15 reputation by default). */
  'posts.downvote': { role: Role.MEMBER, level: 2 },
  /** Remove anyone's post or comment, pin and lock posts, feature comments. */
  'posts.moderate': Role.MODERATOR,
  /** Change the role of a member of a lower role, to a role below one's own. */
  'members.setRole': Role.ADMIN,
  /** Create events (their organizer then edits, cancels and checks attendees in): level 3 (50 reputation by default). */
  'events.create': { role: Role.MEMBER, level: 3 },
  /** Answer events (RSVP). */
  'events.rsvp': Role.MEMBER,
  /** Edit or cancel anyone's event, check its attendees in, run its live stream and moderate its chat. */
  'events.manage': Role.MODERATOR,
  /** Talk in live-stream chats, ask and upvote questions. */
  'chat.send': Role.MEMBER,
  /** Enter one of one's posts in a contest (its author may always withdraw it while submissions are open). */
  'contests.enter': Role.MEMBER,
  /** Vote for an entry of a contest. */
  'contests.vote': Role.MEMBER,
  /** Create polls (their creator may always close them by hand): level 2 (15 reputation by default). */
  'polls.create': { role: Role.MEMBER, level: 2 },
  /** Cast, change a ballot in a poll. */
  'polls.vote': Role.MEMBER,
  /** Close anyone's poll by hand. */
  'polls.close': Role.MODERATOR,
  /** Override the community's reputation rules and level thresholds. */
  'reputation.configure': Role.ADMIN,
  /** Create, change and archive quests; read their completion counts (moderators read the counts too: `quests.review`). */
  'quests.manage': Role.ADMIN,
  /** Revoke a member's quest completion (its points reversed through the ledger); read completion counts. */
  'quests.review': Role.MODERATOR,
  /** Report posts, comments and members to the moderators: level 2 (15 reputation by default). */
  'reports.create': { role: Role.MEMBER, level: 2 },
  /** Read the review queue, the moderation log and its statistics; decide items (see README, Moderation). */
  'moderation.review': Role.MODERATOR,
  /** Write the community's rules and its report threshold. */
  'rules.edit': Role.ADMIN,
  /** Create, change, switch on and delete AutoMod rules (moderators read them and try them in dry runs). */
  'automod.configure': Role.ADMIN,
  /** Register, change, delete webhook endpoints, rotate their secrets; read their deliveries and events, redeliver; create bots. */
  'webhooks.manage': Role.ADMIN,
  /** Read the community's insights: activity, members, retention (`Community.insights`). */
  'insights.read': Role.ADMIN,
  /** Create bot accounts that act in the community only, with an API key. */
  'bots.create': Role.ADMIN,
  /** Replace a bot's API key (a leaked one stops working at once). */
  'bots.manage': Role.ADMIN,
  /** Create, change (restrictions, position) and remove the community's channels. */
  'channels.manage': Role.ADMIN,
  /** Follow or mute a channel for oneself. */
  'channels.subscribe': Role.MEMBER,
} as const satisfies Record<string, Role | Gate>;

export type Permission = keyof typeof PERMISSIONS;

/** What a mute takes away: every way of saying something or weighing in (see the mute rule above). */
export const SPEAKING: ReadonlySet<Permission> = new Set<Permission>([
  'posts.write',
  'posts.downvote',
  'events.create',
  'events.rsvp',
  'chat.send',
  'contests.enter',
  'contests.vote',
  'polls.create',
  'polls.vote',
  'reports.create',
]);

/** Who is acting in a community: their role there (null for a non-member), reputation level, and whether they are a platform admin. */
export interface Actor {
  /** The acting user; null when anonymous. */
  userId: number | null;
  role: Role | null;
  /** The member's reputation level there (1 for a non-member). */
  level: number;
  isPlatformAdmin: boolean;
  /** A ban from the community is in force for them (see the ban rule above `PERMISSIONS`). */
  banned: boolean;
  /** Until when a mute from the community is in force for them (see the mute rule above `PERMISSIONS`); null: none. */
  mutedUntil?: Date | null;
}

function gateOf(permission: Permission): Gate {
  const entry: Role | Gate = PERMISSIONS[permission];
  return typeof entry === 'string' ? { role: entry, level: 1 } : entry;
}

/**
 * Whether the actor is bound by a ban there. Platform admins are not: their powers come from the
 * platform, not from the community (a community's moderators cannot lock its operators out).
 */
export function isBanned(actor: Actor): boolean {
  return actor.banned && !actor.isPlatformAdmin;
}

/** FORBIDDEN when a ban from the community is in force for the actor: the first check of every rule. */
export function assertNotBanned(actor: Actor): void {
  if (isBanned(actor)) throw new Forbidden('You are banned from this community');
}

/** Whether a mute is in force for the actor (platform admins are bound by none, as by no ban). */
export function isMuted(actor: Actor): boolean {
  return !!actor.mutedUntil && actor.mutedUntil.getTime() > Date.now() && !actor.isPlatformAdmin;
}

/**
 * A channel's overrides of the table (channels/channels.entity.ts): a least role and a least level
 * for READING it, and for POSTING in it. A gate's level applies to plain members only, as the
 * table's do. Null: the community's channels have no restriction (nothing to check).
 */
export interface ChannelGates {
  readRole?: Role | null;
  readLevel: number;
  postRole?: Role | null;
  postLevel: number;
}

/** The permissions a channel's POSTING gate applies to (on top of the table's own gate). */
export const CHANNEL_POSTING: ReadonlySet<Permission> = new Set<Permission>(['posts.write', 'posts.downvote']);

function meets(actor: Actor, gate: Gate): boolean {
  if (actor.banned || actor.role === null) return false;
  const rank = ROLE_RANK[actor.role];
  return rank >= ROLE_RANK[gate.role] && (actor.level >= gate.level || rank >= ROLE_RANK[Role.MODERATOR]);
}

/** A channel's reading or posting gate; null when it restricts nothing. */
function channelGate(channel: ChannelGates, what: 'read' | 'post'): Gate | null {
  const role = what === 'read' ? channel.readRole : channel.postRole;
  const level = what === 'read' ? channel.readLevel : channel.postLevel;
  if (!role && level <= 1) return null;
  return { role: role ?? Role.MEMBER, level };
}

/**
 * Whether the actor may read a channel, beside reading its community's content (checked first by
 * the caller): a channel without a reading gate is read by whoever reads the community.
 */
export function canReadChannel(actor: Actor, channel: ChannelGates | null | undefined): boolean {
  if (!channel || actor.isPlatformAdmin) return true;
  const gate = channelGate(channel, 'read');
  return !gate || meets(actor, gate);
}

/**
 * Whether the actor may do `permission` in the community, and, with `channel` (the channel the act
 * is in), whether the channel's overrides let them: reading it always, and its posting gate for
 * CHANNEL_POSTING permissions.
 */
export function can(actor: Actor, permission: Permission, channel?: ChannelGates | null): boolean {
  if (channel && !actor.isPlatformAdmin) {
    if (!canReadChannel(actor, channel)) return false;
    const gate = CHANNEL_POSTING.has(permission) ? channelGate(channel, 'post') : null;
    if (gate && !meets(actor, gate)) return false;
  }
  return canInCommunity(actor, permission);
}

function canInCommunity(actor: Actor, permission: Permission): boolean {
  if (actor.isPlatformAdmin) return true;
  if (actor.banned || actor.role === null) return false;
  if (SPEAKING.has(permission) && isMuted(actor)) return false;
  const gate = gateOf(permission);
  const rank = ROLE_RANK[actor.role];
  return rank >= ROLE_RANK[gate.role] && (actor.level >= gate.level || rank >= ROLE_RANK[Role.MODERATOR]);
}

/**
 * Throws unless `can(actor, permission, channel)`: FORBIDDEN under a ban; NOT_FOUND when the channel
 * is one the actor may not read (as private content); FORBIDDEN naming the gate otherwise.
 */
export function assertCan(actor: Actor, permission: Permission, channel?: ChannelGates | null): void {
  assertNotBanned(actor);
  if (channel && !canReadChannel(actor, channel)) throw new NotFound('Channel');
  if (can(actor, permission, channel)) return;
  if (canInCommunity(actor, permission) && channel) {
    const gate = channelGate(channel, 'post')!;
    throw new Forbidden(
      `This channel allows posting to ${gate.role} or above${gate.level > 1 ? ` from level ${gate.level}` : ''} (you are ${actor.role ?? 'not a member'}, level ${actor.level})`,
    );
  }
  if (SPEAKING.has(permission) && isMuted(actor)) {
    throw new Forbidden(`You are muted in this community until ${actor.mutedUntil!.toISOString()}`);
  }
  const gate = gateOf(permission);
  if (actor.role !== null && ROLE_RANK[actor.role] >= ROLE_RANK[gate.role]) {
    throw new Forbidden(
      `Your reputation level in this community does not allow this yet (${permission} needs level ${gate.level}; you are level ${actor.level})`,
    );
  }
  throw new Forbidden(`Your role in this community does not allow this (${permission} needs ${gate.role} or above)`);
}

/** Each level-gated privilege and the level it needs (for `Community.reputationRules`). */
export function levelGates(): { permission: Permission; level: number }[] {
  return (Object.keys(PERMISSIONS) as Permission[])
    .map((permission) => ({ permission, level: gateOf(permission).level }))
    .filter((g) => g.level > 1);
}

/** Whether the actor ranks strictly above `target` (platform admins outrank everyone). */
export function outranks(actor: Actor, target: Role): boolean {
  if (actor.isPlatformAdmin) return true;
  return !actor.banned && actor.role !== null && ROLE_RANK[actor.role] > ROLE_RANK[target];
}
