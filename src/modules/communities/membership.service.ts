import type { EntityManager } from '@mikro-orm/postgresql';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { write, type After } from '../../platform/database/write';
import { enqueue } from '../../platform/jobs/jobs';
import { sql } from '../../platform/database/sql';
import { releaseMemberRsvps } from '../events/rsvps.service';
import { BadInput, Conflict, Forbidden, NotFound, nullIfHidden } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Logger } from '../../platform/logger';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { Ban, Invite, JoinRequest, JoinRequestStatus, Member, Role, Visibility } from './communities.entity';
import { communityTopics, type MemberJoinedEvent, type MembershipChangedEvent } from './communities.events';
import { JoinOutcome, type BanMemberInput } from './communities.inputs';
import { actorIn, assertInBotScope, visibleCommunity } from './communities.service';
import { assertCan, assertNotBanned, outranks, ROLE_RANK, type Actor } from './permissions';
import type { Leaderboards } from '../reputation/leaderboards';
import { leaderboardChanged } from '../reputation/ledger';
import { recordModeration } from '../moderation/moderation-log';
import { ModerationLogAction, ModerationSubjectType } from '../moderation/moderation.entity';

/** A member of a community, by decoded ids (resolvers decode the global IDs). */
export interface MemberRef {
  communityId: number;
  userId: number;
}

/** What the membership rules need besides the database. */
export interface MembershipDeps {
  em: EntityManager;
  loaders: Loaders;
  viewer: Viewer;
  pubsub: PubSub;
  log: Logger;
  leaderboards: Leaderboards;
}

/**
 * After the write's commit, a member left or was banned (`joined` false) or joined: takes them off
 * the community's leaderboards or puts them back with their ledger's scores. A failure is logged:
 * the boards are a cache of the ledger, and readers skip entries of non-members anyway.
 */
function updateBoards(after: After, deps: MembershipDeps, communityId: number, userId: number, joined: boolean): void {
  after.run(async () => {
    try {
      const community = await deps.loaders.community.load(communityId);
      if (!community) return;
      if (joined) await deps.leaderboards.restore(community, userId);
      else await deps.leaderboards.remove(community, userId);
    } catch (err) {
      deps.log.warn({ err, communityId, userId }, 'leaderboards not updated for a membership change');
    }
  });
  leaderboardChanged(after, communityId);
}

/** A member left or was banned, or their role changed. Their set of communities changed: so did their `feed` (a write on `m<user>` for the response cache). */
function membershipChanged(after: After, { loaders }: MembershipDeps, userId: number, communityId: number): void {
  loaders.cacheScope.member(userId);
  after.publish<MembershipChangedEvent>(communityTopics.membershipChanged(userId), { communityId });
}

/** A user joined (after the write's commit): announced, and on the leaderboards. */
function joined(after: After, deps: MembershipDeps, member: Member): void {
  deps.loaders.cacheScope.member(member.user.id);
  after.publish<MemberJoinedEvent>(communityTopics.memberJoined(member.community.id), { memberId: member.id });
  updateBoards(after, deps, member.community.id, member.user.id, true);
}

/** FORBIDDEN, saying until when, if the user is banned. */
export function assertNoBanInForce(ban: Ban | null): void {
  if (ban) {
    throw new Forbidden(
      ban.until
        ? `You are banned from this community until ${ban.until.toISOString()}`
        : 'You are banned from this community',
    );
  }
}

/** The ban in force for a user in a community, if any. */
export async function activeBan(em: EntityManager, communityId: number, userId: number): Promise<Ban | null> {
  return em.findOne(Ban, {
    community: communityId,
    user: userId,
    $or: [{ until: null }, { until: { $gt: new Date() } }],
  });
}

/**
 * Adds a member inside `tx`; concurrent joins are settled by the (community, user) unique key.
 * Returns the member and whether this call created it (member_count moves only then).
 */
async function insertMember(
  tx: EntityManager,
  communityId: number,
  userId: number,
): Promise<{ member: Member; created: boolean }> {
  // A member who comes back gets their reputation back: the sum of their ledger, read under the
  // lock that ledger writes for this member take (see `reputation_award`), so none is missed.
  await sql(tx, 'select pg_advisory_xact_lock(?, ?)', [communityId, userId]);
  const inserted: { id: number }[] = await sql(
    tx,
    `insert into members (community_id, user_id, role, reputation, joined_at)
     values (?, ?, 'MEMBER', coalesce((select sum(delta) from reputation_events where community_id = ? and user_id = ?), 0), now())
     on conflict (community_id, user_id) do nothing returning id`,
    [communityId, userId, communityId, userId],
    'all',
  );
  if (inserted.length) {
    await sql(tx, 'update communities set member_count = member_count + 1 where id = ?', [communityId], 'run');
    await tx.nativeDelete(Invite, { community: communityId, user: userId });
  }
  const member = await tx.findOneOrFail(Member, { community: communityId, user: userId });
  return { member, created: inserted.length > 0 };
}

/**
 * Makes the user a member in one transaction and announces it after commit. `whenCreated` runs in
 * that transaction only when the membership is new (e.g. to count an invite link's use); if it
 * throws, the join is undone. Returns the membership and whether this call created it.
 */
export async function admitMember(
  deps: MembershipDeps,
  communityId: number,
  userId: number,
  whenCreated?: (tx: EntityManager) => Promise<void>,
): Promise<{ member: Member; created: boolean }> {
  return write(deps, async (tx, after) => {
    const result = await insertMember(tx, communityId, userId);
    if (result.created) {
      if (whenCreated) await whenCreated(tx);
      joined(after, deps, result.member);
    }
    return result;
  });
}

async function removeMember(tx: EntityManager, communityId: number, userId: number): Promise<Role | null> {
  const removed: { role: Role }[] = await sql(
    tx,
    'delete from members where community_id = ? and user_id = ? returning role',
    [communityId, userId],
    'all',
  );
  if (!removed.length) return null;
  await sql(tx, 'update communities set member_count = member_count - 1 where id = ?', [communityId], 'run');
  await releaseMemberRsvps(tx, communityId, userId);
  return removed[0].role;
}

/**
 * Locks the community row: ownership changes, bans, and edits of the community's rules and AutoMod
 * rules are serialized on it.
 */
export async function lockCommunity(tx: EntityManager, communityId: number): Promise<void> {
  await sql(tx, 'select id from communities where id = ? for update', [communityId], 'all');
}

async function ownerCount(tx: EntityManager, communityId: number): Promise<number> {
  return tx.count(Member, { community: communityId, role: Role.OWNER });
}

/**
 * Joins a community. PUBLIC: joined at once. RESTRICTED: joined with an invite, otherwise a join
 * request (re)opens for the admins. PRIVATE: joined with an invite, otherwise NOT_FOUND, exactly as
 * for a community that does not exist (invite links join through `redeemInviteLink`). Already a
 * member: returns the membership. Banned: FORBIDDEN (NOT_FOUND from a PRIVATE community).
 */
export async function joinCommunity(deps: MembershipDeps, { communityId }: { communityId: number }) {
  const { em, loaders, viewer } = deps;
  const userId = requireUser(viewer);
  assertInBotScope(viewer, communityId);
  const community = await loaders.community.load(communityId);
  if (!community) throw new NotFound('Community');
  const existing = await em.findOne(Member, { community: communityId, user: userId });
  if (existing) return { outcome: JoinOutcome.JOINED, community, member: existing, joinRequest: null };
  const invited = (await em.count(Invite, { community: communityId, user: userId })) > 0;
  // Before the ban check: a banned ex-member of a PRIVATE community holds no invite (a ban deletes it).
  if (community.visibility === Visibility.PRIVATE && !invited && !viewer.isAdmin) throw new NotFound('Community');
  assertNoBanInForce(await activeBan(em, communityId, userId));
  if (community.visibility === Visibility.RESTRICTED && !invited && !viewer.isAdmin) {
    await sql(
      em,
      `insert into join_requests (community_id, user_id, status, created_at) values (?, ?, 'PENDING', now())
       on conflict (community_id, user_id) do update
         set status = 'PENDING', created_at = now(), decided_at = null
         where join_requests.status <> 'PENDING'`,
      [communityId, userId],
    );
    const joinRequest = await em.findOneOrFail(JoinRequest, { community: communityId, user: userId });
    return { outcome: JoinOutcome.REQUESTED, community, member: null, joinRequest };
  }
  const { member } = await admitMember(deps, communityId, userId);
  await em.refresh(community);
  return { outcome: JoinOutcome.JOINED, community, member, joinRequest: null };
}

/**
 * Leaves a community. The last OWNER cannot leave (BAD_USER_INPUT): they must name another owner first.
 * A community the viewer cannot see is NOT_FOUND before the ban rule (a PRIVATE community's banned
 * ex-members learn nothing of it); elsewhere a banned user is FORBIDDEN.
 */
export async function leaveCommunity(deps: MembershipDeps, { communityId }: { communityId: number }): Promise<boolean> {
  const { loaders, viewer } = deps;
  const userId = requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  assertNotBanned(await actorIn(loaders, viewer, communityId));
  await write(deps, async (tx, after) => {
    await lockCommunity(tx, communityId);
    const membership = await tx.findOne(Member, { community: communityId, user: userId });
    if (!membership) throw new NotFound('Membership');
    if (membership.role === Role.OWNER && (await ownerCount(tx, communityId)) === 1) {
      throw new BadInput('The last owner cannot leave: make another member OWNER first', 'communityId');
    }
    await removeMember(tx, communityId, userId);
    membershipChanged(after, deps, userId, communityId);
    updateBoards(after, deps, communityId, userId, false);
  });
  return true;
}

/** Loads the target's membership and the actor's standing, or NOT_FOUND. */
async function targetMember(em: EntityManager, communityId: number, userId: number): Promise<Member> {
  const member = await em.findOne(Member, { community: communityId, user: userId });
  if (!member) throw new NotFound('Member');
  return member;
}

/**
 * Changes a member's role. The actor needs `members.setRole`, must outrank the member, and may
 * grant only roles below their own (owners may also name co-owners). The last owner cannot be demoted.
 */
export async function setMemberRole(
  deps: MembershipDeps,
  { communityId, userId, role }: MemberRef & { role: Role },
): Promise<Member> {
  const { loaders, viewer } = deps;
  requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  const actor = await actorIn(loaders, viewer, communityId);
  assertCan(actor, 'members.setRole');
  return write(deps, async (tx, after) => {
    await lockCommunity(tx, communityId);
    const member = await targetMember(tx, communityId, userId);
    if (!outranks(actor, member.role)) throw new Forbidden('You can only change the role of members below you');
    const grantsOwn = actor.role === Role.OWNER || actor.isPlatformAdmin;
    if (!grantsOwn && ROLE_RANK[role] >= ROLE_RANK[actor.role!])
      throw new Forbidden('You can only grant roles below your own');
    if (member.role === Role.OWNER && role !== Role.OWNER && (await ownerCount(tx, communityId)) === 1) {
      throw new BadInput('The last owner cannot be demoted', 'role');
    }
    const before = member.role;
    member.role = role;
    await tx.flush();
    if (before !== role) {
      await recordModeration(tx, {
        communityId,
        actorId: actor.userId,
        action: ModerationLogAction.ROLE_CHANGED,
        subjectType: ModerationSubjectType.MEMBER,
        subjectId: userId,
        details: { before, after: role },
      });
      // Their powers changed: their open subscriptions (the review queue's) re-check access at once.
      membershipChanged(after, deps, userId, communityId);
    }
    return member;
  });
}

async function assertCanActOn(em: EntityManager, actor: Actor, communityId: number, userId: number): Promise<void> {
  const target = await em.findOne(Member, { community: communityId, user: userId });
  if (target && !outranks(actor, target.role)) throw new Forbidden('You can only act on members below you');
}

/**
 * FORBIDDEN unless the actor could have placed `ban`: they must outrank the role its user held
 * when banned, so a ban is lifted (or changed) only by someone who could have placed it.
 */
function assertCanLift(actor: Actor, ban: Pick<Ban, 'bannedRole'>): void {
  if (ban.bannedRole && !outranks(actor, ban.bannedRole)) {
    throw new Forbidden(
      `Only someone above ${ban.bannedRole} can lift or change this ban: the user was ${ban.bannedRole} when banned`,
    );
  }
}

/** A ban to place: on whom, by whom, why and until when (null: forever). */
export interface BanOrder {
  communityId: number;
  userId: number;
  actor: Actor;
  reason: string;
  until: Date | null;
  /** The moderation decision that orders it, for the log (see moderation/decisions.ts). */
  decisionId?: number;
}

/**
 * Places a ban inside `tx` (the caller has checked `members.ban`): outranking the user is checked
 * under the community's lock; removes the membership, pending invite and join request, records the
 * ban with the role they held, and logs it. Changing a ban in force needs to outrank the role it recorded.
 */
export async function placeBan(tx: EntityManager, order: BanOrder): Promise<void> {
  const { communityId, userId, actor } = order;
  await lockCommunity(tx, communityId);
  await assertCanActOn(tx, actor, communityId, userId);
  // A ban in force is changed only by whoever could lift it (else shortening it would lift it).
  const inForce = await activeBan(tx, communityId, userId);
  if (inForce) assertCanLift(actor, inForce);
  const role = (await removeMember(tx, communityId, userId)) ?? inForce?.bannedRole ?? null;
  await tx.nativeDelete(Invite, { community: communityId, user: userId });
  await tx.nativeDelete(JoinRequest, { community: communityId, user: userId, status: JoinRequestStatus.PENDING });
  await sql(
    tx,
    `insert into bans (community_id, user_id, banned_by_id, reason, until, banned_role, created_at) values (?, ?, ?, ?, ?, ?, now())
     on conflict (community_id, user_id) do update
       set banned_by_id = excluded.banned_by_id, reason = excluded.reason, until = excluded.until,
           banned_role = excluded.banned_role, created_at = now()`,
    [communityId, userId, actor.userId, order.reason, order.until, role],
    'run',
  );
  await recordModeration(tx, {
    communityId,
    actorId: actor.userId,
    action: ModerationLogAction.MEMBER_BANNED,
    subjectType: ModerationSubjectType.MEMBER,
    subjectId: userId,
    statement: order.reason,
    details: {
      until: order.until?.toISOString() ?? null,
      role,
      ...(order.decisionId ? { decisionId: order.decisionId } : {}),
    },
  });
}

/**
 * Lifts a ban inside `tx` as a reversal on appeal does (moderation/appeals.ts): the ban goes and
 * the user is a member again with the role the ban recorded (none: they were not a member), their
 * reputation the sum of their ledger. Returns the membership, if they were one.
 */
export async function liftBanAndReadmit(
  tx: EntityManager,
  communityId: number,
  userId: number,
): Promise<Member | null> {
  await lockCommunity(tx, communityId);
  const [ban] = await sql<{ banned_role: Role | null }[]>(
    tx,
    'delete from bans where community_id = ? and user_id = ? returning banned_role',
    [communityId, userId],
  );
  if (!ban?.banned_role) return null;
  const { member } = await insertMember(tx, communityId, userId);
  if (member.role !== ban.banned_role) {
    member.role = ban.banned_role;
    await tx.flush();
  }
  return member;
}

/** A member readmitted by `liftBanAndReadmit` is announced and back on the leaderboards, after the write's commit. */
export function readmitted(after: After, deps: MembershipDeps, member: Member): void {
  joined(after, deps, member);
}

/** After a ban's commit, the user's open subscriptions re-check access, and they leave the leaderboards. */
export function banned(after: After, deps: MembershipDeps, communityId: number, userId: number): void {
  membershipChanged(after, deps, userId, communityId);
  updateBoards(after, deps, communityId, userId, false);
}

/**
 * Bans a user (member or not): see `placeBan`; they cannot rejoin until `until` (never, when
 * omitted). Needs `members.ban` and to outrank them.
 */
export async function banMember(
  deps: MembershipDeps,
  input: MemberRef & Omit<BanMemberInput, 'communityId' | 'userId'>,
): Promise<Ban> {
  const { communityId, userId } = input;
  const { loaders, viewer } = deps;
  const actorId = requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  const actor = await actorIn(loaders, viewer, communityId);
  assertCan(actor, 'members.ban');
  if (userId === actorId) throw new BadInput('You cannot ban yourself', 'userId');
  if (input.until && input.until.getTime() <= Date.now()) throw new BadInput('until must be in the future', 'until');
  if (!(await loaders.user.load(userId))) throw new NotFound('User');
  return write(deps, async (tx, after) => {
    await placeBan(tx, { communityId, userId, actor, reason: input.reason.trim(), until: input.until ?? null });
    banned(after, deps, communityId, userId);
    return tx.findOneOrFail(Ban, { community: communityId, user: userId }, { refresh: true });
  });
}

/**
 * Lifts a ban: needs `members.ban` and, as placing it did, to outrank the role the user held when
 * banned (a moderator cannot lift the ban an owner placed on an admin). False when there was none.
 */
export async function unbanMember(deps: MembershipDeps, { communityId, userId }: MemberRef): Promise<boolean> {
  const { loaders, viewer } = deps;
  requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  const actor = await actorIn(loaders, viewer, communityId);
  assertCan(actor, 'members.ban');
  return write(deps, async (tx) => {
    await lockCommunity(tx, communityId); // a ban being placed or changed meanwhile is seen whole
    const ban = await tx.findOne(Ban, { community: communityId, user: userId });
    if (!ban) return false;
    assertCanLift(actor, ban);
    if (!(await tx.nativeDelete(Ban, { id: ban.id }))) return false;
    await recordModeration(tx, {
      communityId,
      actorId: actor.userId,
      action: ModerationLogAction.MEMBER_UNBANNED,
      subjectType: ModerationSubjectType.MEMBER,
      subjectId: userId,
      details: { until: ban.until?.toISOString() ?? null, reason: ban.reason },
    });
    return true;
  });
}

/** Invites a user (needs `members.invite`); joining with the invite skips the join request. */
export async function inviteMember(
  { em, loaders, viewer }: MembershipDeps,
  { communityId, userId }: MemberRef,
): Promise<Invite> {
  const actorId = requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  assertCan(await actorIn(loaders, viewer, communityId), 'members.invite');
  if (!(await loaders.user.load(userId))) throw new NotFound('User');
  if (await em.count(Member, { community: communityId, user: userId }))
    throw new Conflict('That user is already a member', 'userId');
  if (await activeBan(em, communityId, userId)) throw new BadInput('That user is banned from this community', 'userId');
  await sql(
    em,
    `insert into invites (community_id, user_id, invited_by_id, created_at) values (?, ?, ?, now())
     on conflict (community_id, user_id) do nothing`,
    [communityId, userId, actorId],
  );
  return em.findOneOrFail(Invite, { community: communityId, user: userId });
}

async function pendingRequest(em: EntityManager, loaders: Loaders, viewer: Viewer, id: number): Promise<JoinRequest> {
  requireUser(viewer);
  const request = await em.findOne(JoinRequest, { id });
  if (!request || !(await nullIfHidden(visibleCommunity(loaders, viewer, request.community.id))))
    throw new NotFound('Join request');
  assertCan(await actorIn(loaders, viewer, request.community.id), 'joinRequests.review');
  if (request.status !== JoinRequestStatus.PENDING)
    throw new Conflict(`This join request is already ${request.status.toLowerCase()}`);
  return request;
}

/**
 * Approves a pending join request (needs `joinRequests.review`): the requester becomes a member.
 * Returns the membership and the request, APPROVED.
 */
export async function approveJoinRequest(
  deps: MembershipDeps,
  { id }: { id: number },
): Promise<{ member: Member; joinRequest: JoinRequest }> {
  const { em, loaders, viewer } = deps;
  const request = await pendingRequest(em, loaders, viewer, id);
  const communityId = request.community.id;
  const userId = request.user.id;
  if (await activeBan(em, communityId, userId)) throw new BadInput('The requester is banned from this community', 'id');
  const member = await write(deps, async (tx, after) => {
    const decided = await tx.nativeUpdate(
      JoinRequest,
      { id, status: JoinRequestStatus.PENDING },
      { status: JoinRequestStatus.APPROVED, decidedAt: new Date() },
    );
    if (!decided) throw new Conflict('This join request was decided meanwhile');
    await enqueue(tx, 'notifications.joinRequest', { joinRequestId: id }); // the requester hears of it
    const { member, created } = await insertMember(tx, communityId, userId);
    if (created) joined(after, deps, member);
    return member;
  });
  return { member, joinRequest: (await em.refresh(request)) as JoinRequest };
}

/** Rejects a pending join request (needs `joinRequests.review`); the user may ask again later. */
export async function rejectJoinRequest(deps: MembershipDeps, { id }: { id: number }): Promise<JoinRequest> {
  const { em, loaders, viewer } = deps;
  const request = await pendingRequest(em, loaders, viewer, id);
  const decidedAt = new Date();
  await write(deps, async (tx) => {
    const decided = await tx.nativeUpdate(
      JoinRequest,
      { id, status: JoinRequestStatus.PENDING },
      { status: JoinRequestStatus.REJECTED, decidedAt },
    );
    if (!decided) throw new Conflict('This join request was decided meanwhile');
    await enqueue(tx, 'notifications.joinRequest', { joinRequestId: id }); // the requester hears of it
  });
  return em.refresh(request) as Promise<JoinRequest>;
}
