import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../platform/context';
import { Forbidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { listenForRechecks } from '../../platform/follow';
import { Channel } from '../../platform/pubsub/channel';
import { pubSubDefaults } from '../../platform/pubsub/pubsub';
import { closable } from '../../platform/streams';
import { User } from '../identity/identity.entity';
import { Ban, Community, Invite, JoinRequest, Member } from './communities.entity';
import { communityTopics, type MemberJoinedEvent } from './communities.events';
import {
  AcceptJoinRequestInput,
  AcceptJoinRequestPayload,
  BanMemberInput,
  DeclineJoinRequestInput,
  InviteUserInput,
  LiftBanInput,
  LiftBanPayload,
  MemberRefInput,
  SetMemberRoleInput,
} from './communities.inputs';
import { replacedBy } from '../../platform/deprecations';
import { canReadContent, visibleCommunity } from './communities.service';
import * as membership from './membership.service';
import type { MemberRef } from './membership.service';

/** A member reference's global IDs, decoded. */
function ids(input: { communityId: string; userId: string }): MemberRef {
  return {
    communityId: fromGlobalId('Community', input.communityId, 'communityId'),
    userId: fromGlobalId('User', input.userId, 'userId'),
  };
}

async function loadUser(ctx: Context, ref: { id: number }): Promise<User> {
  return (await ctx.loaders.user.load(ref.id))!;
}
async function loadCommunity(ctx: Context, ref: { id: number }): Promise<Community> {
  return (await ctx.loaders.community.load(ref.id))!;
}

/**
 * Streams members as they join. Access is checked when subscribing (NOT_FOUND / FORBIDDEN as a
 * subscription error) and again before every event and when the viewer's memberships change, with
 * a fresh EntityManager: a viewer who loses access (left, banned, community turned private) gets no
 * further events and the stream completes, at once when they leave or are banned.
 */
async function memberJoinedStream(communityGlobalId: string, ctx: Context): Promise<AsyncIterable<Member>> {
  const communityId = fromGlobalId('Community', communityGlobalId, 'communityId');
  const community = await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  if (!(await canReadContent(ctx.loaders, ctx.viewer, community)))
    throw new Forbidden('Only members can follow a private community');
  const events = ctx.pubsub.subscribe<MemberJoinedEvent>(communityTopics.memberJoined(communityId));
  const items = new Channel<{ memberId: number } | { recheck: true }>({
    topic: `member-joined:${communityId}`,
    maxBuffered: pubSubDefaults.maxBuffered,
    log: ctx.log,
    onReturn: () => undefined,
  });
  const rechecks = listenForRechecks(
    ctx,
    ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
    items,
  );
  const close = async () => {
    items.end();
    await events.return?.();
    await (await rechecks.catch(() => null))?.close();
  };
  try {
    await Promise.all([events.ready, rechecks]); // a member who joins right after the client subscribed is not missed
  } catch (err) {
    await close();
    throw err;
  }
  void (async () => {
    for await (const event of events) items.push({ memberId: event.memberId });
    items.end();
  })();
  async function* authorized(): AsyncGenerator<Member> {
    try {
      for await (const item of items) {
        ctx.refresh();
        const current = await ctx.loaders.community.load(communityId);
        if (!current || !(await canReadContent(ctx.loaders, ctx.viewer, current))) return;
        if (!('memberId' in item)) continue;
        const member = await ctx.loaders.member.load(item.memberId);
        if (member) yield member;
      }
    } finally {
      await close();
    }
  }
  return closable(authorized(), close);
}

@Resolver(() => Member)
export class MembersResolver {
  @FieldResolver(() => User, { description: "The member's user." })
  user(@Root() member: Member, @Ctx() ctx: Context): Promise<User> {
    return loadUser(ctx, member.user);
  }

  @FieldResolver(() => Community, { description: 'The community of this membership.' })
  community(@Root() member: Member, @Ctx() ctx: Context): Promise<Community> {
    return loadCommunity(ctx, member.community);
  }

  @Mutation(() => Member, {
    description: "Changes a member's role (ADMIN or above, on members below you, to roles below yours).",
  })
  setMemberRole(
    @Arg('input', { description: 'The member and their new role.' }) input: SetMemberRoleInput,
    @Ctx() ctx: Context,
  ): Promise<Member> {
    return membership.setMemberRole(ctx, { ...ids(input), role: input.role });
  }

  @Mutation(() => Ban, {
    description: 'Bans a user until `until` (or for good): removes them and stops them rejoining (MODERATOR or above).',
  })
  banMember(
    @Arg('input', { description: 'Who to ban, why and until when.' }) input: BanMemberInput,
    @Ctx() ctx: Context,
  ): Promise<Ban> {
    return membership.banMember(ctx, { ...input, ...ids(input) });
  }

  @Mutation(() => LiftBanPayload, { description: 'Lifts a ban (MODERATOR or above).' })
  async liftBan(
    @Arg('input', { description: 'The community and the banned user.' }) input: LiftBanInput,
    @Ctx() ctx: Context,
  ): Promise<LiftBanPayload> {
    const ref = ids(input);
    const lifted = await membership.unbanMember(ctx, ref);
    const [community, user] = await Promise.all([
      loadCommunity(ctx, { id: ref.communityId }),
      ctx.loaders.user.load(ref.userId),
    ]);
    return { community, user: user!, lifted };
  }

  @Mutation(() => Invite, {
    description:
      'Invites a user; with the invite they join a RESTRICTED or PRIVATE community directly (MODERATOR or above).',
  })
  inviteUser(
    @Arg('input', { description: 'The community and the user to invite.' }) input: InviteUserInput,
    @Ctx() ctx: Context,
  ): Promise<Invite> {
    return membership.inviteMember(ctx, ids(input));
  }

  @Mutation(() => AcceptJoinRequestPayload, {
    description: 'Accepts a pending join request (ADMIN or above): the requester becomes a member.',
  })
  acceptJoinRequest(
    @Arg('input', { description: 'The pending join request.' }) input: AcceptJoinRequestInput,
    @Ctx() ctx: Context,
  ): Promise<AcceptJoinRequestPayload> {
    return membership.approveJoinRequest(ctx, { id: fromGlobalId('JoinRequest', input.id) });
  }

  @Mutation(() => JoinRequest, { description: 'Declines a pending join request (ADMIN or above).' })
  declineJoinRequest(
    @Arg('input', { description: 'The pending join request.' }) input: DeclineJoinRequestInput,
    @Ctx() ctx: Context,
  ): Promise<JoinRequest> {
    return membership.rejectJoinRequest(ctx, { id: fromGlobalId('JoinRequest', input.id) });
  }

  @Mutation(() => Boolean, {
    description: 'Lifts a ban (MODERATOR or above). False when there was none.',
    deprecationReason: replacedBy('unbanMember'),
  })
  async unbanMember(
    @Arg('input', { description: 'The community and the banned user.' }) input: MemberRefInput,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await this.liftBan(input, ctx)).lifted;
  }

  @Mutation(() => Invite, {
    description:
      'Invites a user; with the invite they join a RESTRICTED or PRIVATE community directly (MODERATOR or above).',
    deprecationReason: replacedBy('inviteMember'),
  })
  inviteMember(
    @Arg('input', { description: 'The community and the user to invite.' }) input: MemberRefInput,
    @Ctx() ctx: Context,
  ): Promise<Invite> {
    return this.inviteUser(input, ctx);
  }

  @Mutation(() => Member, {
    description: 'Approves a pending join request (ADMIN or above).',
    deprecationReason: replacedBy('approveJoinRequest'),
  })
  async approveJoinRequest(
    @Arg('id', () => ID, { description: 'Global id of the pending join request.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Member> {
    return (await this.acceptJoinRequest({ id }, ctx)).member;
  }

  @Mutation(() => JoinRequest, {
    description: 'Rejects a pending join request (ADMIN or above).',
    deprecationReason: replacedBy('rejectJoinRequest'),
  })
  rejectJoinRequest(
    @Arg('id', () => ID, { description: 'Global id of the pending join request.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<JoinRequest> {
    return this.declineJoinRequest({ id }, ctx);
  }

  @Subscription(() => Member, {
    description: 'Members joining a community you can read, as they join.',
    subscribe: ({ args, context }) => memberJoinedStream(args.communityId as string, context as Context),
  })
  memberJoined(
    @Root() member: Member,
    @Arg('communityId', () => ID, { description: 'Global id of the community to follow.' }) _communityId: string,
  ): Member {
    return member;
  }
}

@Resolver(() => JoinRequest)
export class JoinRequestResolver {
  @FieldResolver(() => User, { description: 'The user who asks to join.' })
  user(@Root() request: JoinRequest, @Ctx() ctx: Context): Promise<User> {
    return loadUser(ctx, request.user);
  }
  @FieldResolver(() => Community, { description: 'The community they ask to join.' })
  community(@Root() request: JoinRequest, @Ctx() ctx: Context): Promise<Community> {
    return loadCommunity(ctx, request.community);
  }
}

@Resolver(() => Invite)
export class InviteResolver {
  @FieldResolver(() => User, { description: 'The invited user.' })
  user(@Root() invite: Invite, @Ctx() ctx: Context): Promise<User> {
    return loadUser(ctx, invite.user);
  }
  @FieldResolver(() => User, { description: 'The moderator who sent the invite.' })
  invitedBy(@Root() invite: Invite, @Ctx() ctx: Context): Promise<User> {
    return loadUser(ctx, invite.invitedBy);
  }
  @FieldResolver(() => Community, { description: 'The community the user is invited to.' })
  community(@Root() invite: Invite, @Ctx() ctx: Context): Promise<Community> {
    return loadCommunity(ctx, invite.community);
  }
}

@Resolver(() => Ban)
export class BanResolver {
  @FieldResolver(() => User, { description: 'The banned user.' })
  user(@Root() ban: Ban, @Ctx() ctx: Context): Promise<User> {
    return loadUser(ctx, ban.user);
  }
  @FieldResolver(() => Community, { description: 'The community the user is banned from.' })
  community(@Root() ban: Ban, @Ctx() ctx: Context): Promise<Community> {
    return loadCommunity(ctx, ban.community);
  }
}
