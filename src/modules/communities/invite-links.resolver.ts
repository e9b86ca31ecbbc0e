import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { Community } from './communities.entity';
import { JoinCommunityPayload } from './communities.inputs';
import { InviteLink, InviteLinkState } from './invite-links.entity';
import * as inviteLinks from './invite-links.service';

@ObjectType()
export class InviteLinkConnection extends Connection(InviteLink, 'InviteLink') {}

@ObjectType({ description: 'The result of `createInviteLink`.' })
export class CreateInviteLinkPayload {
  @Field({
    description:
      'The token to share (e.g. in a URL): whoever holds it can join with `joinByInviteLink`. Not retrievable later.',
  })
  token!: string;

  @Field(() => InviteLink, { description: 'The new link, ACTIVE.' })
  inviteLink!: InviteLink;
}

@Resolver(() => InviteLink)
export class InviteLinksResolver {
  @FieldResolver(() => Community, { description: 'The community the link joins.' })
  async community(@Root() link: InviteLink, @Ctx() ctx: Context): Promise<Community> {
    return (await ctx.loaders.community.load(link.community.id))!;
  }

  @FieldResolver(() => User, { description: 'The moderator who created it.' })
  async createdBy(@Root() link: InviteLink, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.user.load(link.createdBy.id))!;
  }

  @FieldResolver(() => InviteLinkState, { description: 'Whether joins with it work now, and if not why.' })
  state(@Root() link: InviteLink): InviteLinkState {
    return link.stateAt(new Date());
  }

  @Mutation(() => CreateInviteLinkPayload, {
    description:
      'Creates a link to join the community (MODERATOR or above): its token is returned only here. It expires at `expiresAt` (default: INVITE_LINK_DEFAULT_DAYS from now, at most 365 days) and admits at most `maxUses` users (default: any number).',
  })
  createInviteLink(
    @Arg('communityId', () => ID, { description: 'Global id of the community.' }) communityId: string,
    @Arg('expiresAt', () => Date, {
      nullable: true,
      description:
        'When the link stops working: in the future, at most 365 days from now; default INVITE_LINK_DEFAULT_DAYS (7 unless configured) from now.',
    })
    expiresAt: Date | null,
    @Arg('maxUses', () => Int, {
      nullable: true,
      description: 'How many users may join with it, 1 to 100000; null: any number until it expires.',
    })
    maxUses: number | null,
    @Ctx() ctx: Context,
  ): Promise<CreateInviteLinkPayload> {
    return inviteLinks.createInviteLink(ctx, {
      communityId: fromGlobalId('Community', communityId, 'communityId'),
      expiresAt,
      maxUses,
    });
  }

  @Mutation(() => InviteLink, {
    description: 'Revokes an invite link (MODERATOR or above): joins with it are refused from now on.',
  })
  revokeInviteLink(
    @Arg('id', () => ID, { description: 'Global id of the invite link.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<InviteLink> {
    return inviteLinks.revokeInviteLink(ctx, { id: fromGlobalId('InviteLink', id) });
  }

  @Mutation(() => JoinCommunityPayload, {
    description:
      'Joins the community of an invite link. A token that matches no link is NOT_FOUND; an expired, revoked or used-up link is BAD_USER_INPUT with `extensions.reason` EXPIRED, REVOKED or USED_UP; a banned user is FORBIDDEN.',
  })
  joinByInviteLink(
    @Arg('token', { description: 'The token returned by `createInviteLink`.' }) token: string,
    @Ctx() ctx: Context,
  ) {
    return inviteLinks.joinByInviteLink(ctx, { token });
  }
}

@Resolver(() => Community)
export class CommunityInviteLinksResolver {
  @FieldResolver(() => InviteLinkConnection, {
    complexity: connectionComplexity,
    description: "The community's invite links, oldest first, revoked and expired ones included (MODERATOR or above).",
  })
  inviteLinks(@Root() community: Community, @Args() args: PageArgs, @Ctx() { em, loaders, viewer }: Context) {
    return inviteLinks.communityInviteLinks(em, loaders, viewer, community, args);
  }
}
