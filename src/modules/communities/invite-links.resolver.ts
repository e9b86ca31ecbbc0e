import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { Community } from './communities.entity';
import { JoinCommunityPayload } from './communities.inputs';
import { InviteLink, InviteLinkState } from './invite-links.entity';
import * as inviteLinks from './invite-links.service';
import { replacedBy } from '../../platform/deprecations';

@ObjectType()
export class InviteLinkConnection extends Connection(InviteLink, 'InviteLink') {}

@ObjectType({ description: 'The result of `issueInviteLink`.' })
export class IssueInviteLinkPayload {
  @Field({
    description:
      'The token to share (e.g. in a URL): whoever holds it can join with `redeemInviteLink`. Not retrievable later.',
  })
  token!: string;

  @Field(() => InviteLink, { description: 'The new link, ACTIVE.' })
  inviteLink!: InviteLink;
}

@ObjectType({ description: 'The result of the deprecated `createInviteLink`: the same as `IssueInviteLinkPayload`.' })
export class CreateInviteLinkPayload extends IssueInviteLinkPayload {}

@InputType({ description: 'A new invite link of a community.' })
export class IssueInviteLinkInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the link stops working: in the future, at most 365 days from now; default INVITE_LINK_DEFAULT_DAYS (7 unless configured) from now.',
  })
  expiresAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'How many users may join with it, 1 to 100000; null: any number until it expires.',
  })
  maxUses?: number | null;
}

@InputType({ description: 'The invite link to deactivate.' })
export class DeactivateInviteLinkInput {
  @Field(() => ID, { description: 'Global id of the invite link.' }) id!: string;
}

@InputType({ description: 'The token of an invite link.' })
export class RedeemInviteLinkInput {
  @Field({ description: 'The token returned by `issueInviteLink`.' }) token!: string;
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

  @Mutation(() => IssueInviteLinkPayload, {
    description:
      'Creates a link to join the community (MODERATOR or above): its token is returned only here. It expires at `expiresAt` (default: INVITE_LINK_DEFAULT_DAYS from now, at most 365 days) and admits at most `maxUses` users (default: any number).',
  })
  issueInviteLink(
    @Arg('input', { description: 'The community, and when and after how many joins the link stops working.' })
    input: IssueInviteLinkInput,
    @Ctx() ctx: Context,
  ): Promise<IssueInviteLinkPayload> {
    return inviteLinks.createInviteLink(ctx, {
      communityId: fromGlobalId('Community', input.communityId, 'communityId'),
      expiresAt: input.expiresAt ?? null,
      maxUses: input.maxUses ?? null,
    });
  }

  @Mutation(() => InviteLink, {
    description: 'Revokes an invite link (MODERATOR or above): joins with it are refused from now on.',
  })
  deactivateInviteLink(
    @Arg('input', { description: 'The invite link.' }) input: DeactivateInviteLinkInput,
    @Ctx() ctx: Context,
  ): Promise<InviteLink> {
    return inviteLinks.revokeInviteLink(ctx, { id: fromGlobalId('InviteLink', input.id) });
  }

  @Mutation(() => JoinCommunityPayload, {
    description:
      'Joins the community of an invite link. A token that matches no link is NOT_FOUND; an expired, revoked or used-up link is BAD_USER_INPUT with `extensions.reason` EXPIRED, REVOKED or USED_UP; a banned user is FORBIDDEN.',
  })
  redeemInviteLink(
    @Arg('input', { description: 'The token of the link.' }) input: RedeemInviteLinkInput,
    @Ctx() ctx: Context,
  ): Promise<JoinCommunityPayload> {
    return inviteLinks.joinByInviteLink(ctx, { token: input.token });
  }

  @Mutation(() => CreateInviteLinkPayload, {
    description:
      'Creates a link to join the community (MODERATOR or above): its token is returned only here. It expires at `expiresAt` (default: INVITE_LINK_DEFAULT_DAYS from now, at most 365 days) and admits at most `maxUses` users (default: any number).',
    deprecationReason: replacedBy('createInviteLink'),
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
    return this.issueInviteLink({ communityId, expiresAt, maxUses }, ctx);
  }

  @Mutation(() => InviteLink, {
    description: 'Revokes an invite link (MODERATOR or above): joins with it are refused from now on.',
    deprecationReason: replacedBy('revokeInviteLink'),
  })
  revokeInviteLink(
    @Arg('id', () => ID, { description: 'Global id of the invite link.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<InviteLink> {
    return this.deactivateInviteLink({ id }, ctx);
  }

  @Mutation(() => JoinCommunityPayload, {
    description:
      'Joins the community of an invite link. A token that matches no link is NOT_FOUND; an expired, revoked or used-up link is BAD_USER_INPUT with `extensions.reason` EXPIRED, REVOKED or USED_UP; a banned user is FORBIDDEN.',
    deprecationReason: replacedBy('joinByInviteLink'),
  })
  joinByInviteLink(
    @Arg('token', { description: 'The token returned by `issueInviteLink` (or `createInviteLink`).' }) token: string,
    @Ctx() ctx: Context,
  ): Promise<JoinCommunityPayload> {
    return this.redeemInviteLink({ token }, ctx);
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
