import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import { sql } from '../../platform/database/sql';
import { AppError, BadInput, ErrorCode, NotFound, nullIfHidden } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { TOKEN_PREFIX, hashSecret, newSecret } from '../identity/credentials';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { Member, type Community } from './communities.entity';
import { JoinOutcome } from './communities.inputs';
import { actorIn, assertInBotScope, visibleCommunity } from './communities.service';
import { InviteLink, InviteLinkState } from './invite-links.entity';
import { activeBan, admitMember, assertNoBanInForce, type MembershipDeps } from './membership.service';
import { assertCan } from './permissions';

/** Bounds of an invite link; the default lifetime is the INVITE_LINK_DEFAULT_DAYS setting. */
export const INVITE_LINK_LIMITS = {
  /** Latest `expiresAt`, in days from now. */
  maxDays: 365,
  /** Highest `maxUses`. */
  maxUses: 100_000,
} as const;

const DAY_MS = 86_400_000;

/** What a refused link tells its holder (the holder knows the link: nothing here names its community). */
const REFUSALS: Record<Exclude<InviteLinkState, InviteLinkState.ACTIVE>, string> = {
  [InviteLinkState.EXPIRED]: 'This invite link has expired',
  [InviteLinkState.REVOKED]: 'This invite link was revoked',
  [InviteLinkState.USED_UP]: 'This invite link has been used as many times as it allows',
};

/** BAD_USER_INPUT on `token` with `extensions.reason` EXPIRED, REVOKED or USED_UP. */
function refusal(state: Exclude<InviteLinkState, InviteLinkState.ACTIVE>): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, REFUSALS[state], { field: 'token', reason: state });
}

/**
 * Creates an invite link (needs `members.invite`) and returns its token, the only time it is shown.
 * A PRIVATE community the viewer may not see is NOT_FOUND, as everywhere.
 */
export async function createInviteLink(
  { em, loaders, viewer, config }: { em: EntityManager; loaders: Loaders; viewer: Viewer; config: Config },
  { communityId, expiresAt, maxUses }: { communityId: number; expiresAt?: Date | null; maxUses?: number | null },
): Promise<{ token: string; inviteLink: InviteLink }> {
  const userId = requireUser(viewer);
  await visibleCommunity(loaders, viewer, communityId);
  assertCan(await actorIn(loaders, viewer, communityId), 'members.invite');
  const now = Date.now();
  const expires = expiresAt ?? new Date(now + config.INVITE_LINK_DEFAULT_DAYS * DAY_MS);
  if (expires.getTime() <= now) throw new BadInput('expiresAt must be in the future', 'expiresAt');
  if (expires.getTime() > now + INVITE_LINK_LIMITS.maxDays * DAY_MS) {
    throw new BadInput(`expiresAt must be within ${INVITE_LINK_LIMITS.maxDays} days`, 'expiresAt');
  }
  if (maxUses !== null && maxUses !== undefined && (maxUses < 1 || maxUses > INVITE_LINK_LIMITS.maxUses)) {
    throw new BadInput(`maxUses must be between 1 and ${INVITE_LINK_LIMITS.maxUses}`, 'maxUses');
  }
  const token = newSecret(TOKEN_PREFIX.inviteLink);
  const inviteLink = em.create(InviteLink, {
    community: communityId,
    createdBy: userId,
    tokenHash: hashSecret(token, config.TOKEN_SECRET),
    createdAt: new Date(now),
    expiresAt: expires,
    maxUses: maxUses ?? null,
    uses: 0,
    revokedAt: null,
  });
  await em.flush();
  return { token, inviteLink };
}

/** An invite link the viewer may manage (`members.invite` in a community they see), or NOT_FOUND / FORBIDDEN. */
async function manageableLink(em: EntityManager, loaders: Loaders, viewer: Viewer, id: number): Promise<InviteLink> {
  requireUser(viewer);
  const link = await em.findOne(InviteLink, { id });
  if (!link || !(await nullIfHidden(visibleCommunity(loaders, viewer, link.community.id))))
    throw new NotFound('Invite link');
  assertCan(await actorIn(loaders, viewer, link.community.id), 'members.invite');
  return link;
}

/** Revokes an invite link (needs `members.invite`): joins with it are refused from now on. Revoking twice keeps the first time. */
export async function revokeInviteLink(
  { em, loaders, viewer }: { em: EntityManager; loaders: Loaders; viewer: Viewer },
  { id }: { id: number },
): Promise<InviteLink> {
  const link = await manageableLink(em, loaders, viewer, id);
  await sql(em, 'update invite_links set revoked_at = coalesce(revoked_at, now()) where id = ?', [id], 'run');
  await em.refresh(link);
  return link;
}

/** `Community.inviteLinks`: every link of the community, oldest first, revoked and expired ones included (needs `members.invite`). */
export async function communityInviteLinks(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  args: PageArgsShape,
) {
  assertCan(await actorIn(loaders, viewer, community.id), 'members.invite');
  const page = idPage(args);
  const rows = await em.find(
    InviteLink,
    { community: community.id, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (l) => [l.id]);
}

/** Whether a link still lets one more user in; counted in SQL so that `maxUses` holds under concurrent joins. */
const TAKE_USE = `update invite_links set uses = uses + 1
   where id = ? and revoked_at is null and expires_at > now() and (max_uses is null or uses < max_uses)
   returning id`;

/**
 * Joins the community of the link whose token this is. A token that matches no link is NOT_FOUND
 * and says nothing about any community; an expired, revoked or used-up link is BAD_USER_INPUT with
 * its `reason`; a banned user is FORBIDDEN. A member already in gets their membership back and uses
 * nothing. The use is counted in the transaction that adds the member, under the link row's lock:
 * concurrent joins past `maxUses` are refused, and a refused join adds nobody.
 */
export async function joinByInviteLink(deps: MembershipDeps & { config: Config }, { token }: { token: string }) {
  const { em, loaders, viewer, config } = deps;
  const userId = requireUser(viewer);
  const link = await em.findOne(InviteLink, { tokenHash: hashSecret(token, config.TOKEN_SECRET) });
  if (!link) throw new NotFound('Invite link');
  const state = link.stateAt(new Date());
  if (state !== InviteLinkState.ACTIVE) throw refusal(state);
  const communityId = link.community.id;
  assertInBotScope(viewer, communityId);
  const community = await loaders.community.load(communityId);
  if (!community) throw new NotFound('Invite link');
  const existing = await em.findOne(Member, { community: communityId, user: userId });
  if (existing) return { outcome: JoinOutcome.JOINED, community, member: existing, joinRequest: null };
  assertNoBanInForce(await activeBan(em, communityId, userId));
  const { member } = await admitMember(deps, communityId, userId, async (tx) => {
    const taken = await sql<{ id: number }[]>(tx, TAKE_USE, [link.id], 'all');
    if (taken.length) return;
    // Another join took the last use, or the link was revoked or expired meanwhile: say which.
    const now = await tx.findOneOrFail(InviteLink, link.id, { refresh: true });
    const late = now.stateAt(new Date());
    throw refusal(late === InviteLinkState.ACTIVE ? InviteLinkState.USED_UP : late);
  });
  await em.refresh(community);
  return { outcome: JoinOutcome.JOINED, community, member, joinRequest: null };
}
