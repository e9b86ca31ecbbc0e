import { Forbidden } from '../../platform/errors';
import { Role } from './communities.entity';

/** Rank of each role: a higher rank can do everything a lower one can. */
export const ROLE_RANK: Readonly<Record<Role, number>> = { OWNER: 4, ADMIN: 3, MODERATOR: 2, MEMBER: 1 };

/**
 * The one permission table: the least role that may do each action in a community.
 * Every resolver and service consults it through `can` / `assertCan`; platform admins may do everything.
 */
export const PERMISSIONS = {
  /** See a PRIVATE community, its members and content. */
  'community.read': Role.MEMBER,
  /** Change name, description, visibility. */
  'community.update': Role.ADMIN,
  /** Read and decide join requests. */
  'joinRequests.review': Role.ADMIN,
  /** Invite users (into a PRIVATE community, invites skip the join request). */
  'members.invite': Role.MODERATOR,
  /** Ban and unban members of a lower role. */
  'members.ban': Role.MODERATOR,
  /** Write posts and comments, vote and react. */
  'posts.write': Role.MEMBER,
  /** Remove anyone's post or comment, pin and lock posts, feature comments. */
  'posts.moderate': Role.MODERATOR,
  /** Change the role of a member of a lower role, to a role below one's own. */
  'members.setRole': Role.ADMIN,
  /** Create events (their organizer then edits, cancels and checks attendees in). */
  'events.create': Role.MEMBER,
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
  /** Create polls (their creator may always close them by hand). */
  'polls.create': Role.MEMBER,
  /** Cast, change a ballot in a poll. */
  'polls.vote': Role.MEMBER,
  /** Close anyone's poll by hand. */
  'polls.close': Role.MODERATOR,
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

/** Who is acting in a community: their role there (null for a non-member) and whether they are a platform admin. */
export interface Actor {
  role: Role | null;
  isPlatformAdmin: boolean;
}

export function can(actor: Actor, permission: Permission): boolean {
  if (actor.isPlatformAdmin) return true;
  return actor.role !== null && ROLE_RANK[actor.role] >= ROLE_RANK[PERMISSIONS[permission]];
}

export function assertCan(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new Forbidden(`Your role in this community does not allow this (${permission} needs ${PERMISSIONS[permission]} or above)`);
  }
}

/** Whether the actor ranks strictly above `target` (platform admins outrank everyone). */
export function outranks(actor: Actor, target: Role): boolean {
  if (actor.isPlatformAdmin) return true;
  return actor.role !== null && ROLE_RANK[actor.role] > ROLE_RANK[target];
}
