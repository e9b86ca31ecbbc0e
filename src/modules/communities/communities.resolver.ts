import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity, idPage, idRange, toConnection } from '../../platform/pagination';
import { Community, JoinRequest, JoinRequestStatus, Member } from './communities.entity';
import {
  CommunitiesArgs,
  CreateCommunityInput,
  EndMembershipInput,
  EndMembershipPayload,
  JoinCommunityPayload,
  MembersArgs,
  RequestMembershipInput,
  UpdateCommunityInput,
} from './communities.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as communities from './communities.service';
import * as membership from './membership.service';
import { assertCan } from './permissions';

@ObjectType()
export class CommunityConnection extends Connection(Community, 'Community') {}
@ObjectType()
export class MemberConnection extends Connection(Member, 'Member', {
  totalCount:
    "How many members the list holds (all its pages): the community's `memberCount` (kept exact with each join and leave) without `role`; with `role`, the staff roles are counted on an index of staff rows only, and MEMBER is the rest.",
}) {}
@ObjectType()
export class JoinRequestConnection extends Connection(JoinRequest, 'JoinRequest') {}

@Resolver(() => Community)
export class CommunitiesResolver {
  @Query(() => Community, {
    nullable: true,
    description:
      'A community by slug; null when it does not exist or is PRIVATE and you are neither a member nor invited.',
  })
  community(
    @Arg('slug', { description: "The community's slug (lower-case)." }) slug: string,
    @Ctx() { em, loaders, viewer }: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Community | null> {
    return communities.communityBySlug(em, loaders, viewer, slug, info);
  }

  @Query(() => CommunityConnection, {
    complexity: connectionComplexity,
    description: 'Communities you can see, oldest first.',
  })
  communities(@Args() args: CommunitiesArgs, @Ctx() { em, loaders, viewer }: Context) {
    return communities.listCommunities(em, loaders, viewer, args);
  }

  @Mutation(() => Community, { description: 'Creates a community with you as its OWNER.' })
  createCommunity(
    @Arg('input', { description: 'The community to create.' }) input: CreateCommunityInput,
    @Ctx() ctx: Context,
  ): Promise<Community> {
    return communities.createCommunity(ctx, input);
  }

  @Mutation(() => Community, { description: 'Changes a community (ADMIN or above).' })
  updateCommunity(
    @Arg('input', { description: 'The community and the settings to change.' }) input: UpdateCommunityInput,
    @Ctx() ctx: Context,
  ): Promise<Community> {
    return communities.updateCommunity(ctx, { ...input, id: fromGlobalId('Community', input.id) });
  }

  @Mutation(() => JoinCommunityPayload, {
    description:
      'Joins a PUBLIC community, or a RESTRICTED or PRIVATE one you are invited to; otherwise asks to join a RESTRICTED one. A PRIVATE community you are not invited to is NOT_FOUND.',
  })
  requestMembership(
    @Arg('input', { description: 'The community.' }) input: RequestMembershipInput,
    @Ctx() ctx: Context,
  ): Promise<JoinCommunityPayload> {
    return membership.joinCommunity(ctx, { communityId: fromGlobalId('Community', input.communityId, 'communityId') });
  }

  @Mutation(() => EndMembershipPayload, { description: 'Leaves a community. The last OWNER cannot leave.' })
  async endMembership(
    @Arg('input', { description: 'The community to leave.' }) input: EndMembershipInput,
    @Ctx() ctx: Context,
  ): Promise<EndMembershipPayload> {
    const communityId = fromGlobalId('Community', input.communityId, 'communityId');
    await membership.leaveCommunity(ctx, { communityId });
    return { community: (await ctx.loaders.community.load(communityId))! };
  }

  @Mutation(() => JoinCommunityPayload, {
    description:
      'Joins a PUBLIC community, or a RESTRICTED or PRIVATE one you are invited to; otherwise asks to join a RESTRICTED one. A PRIVATE community you are not invited to is NOT_FOUND.',
    deprecationReason: replacedBy('joinCommunity'),
  })
  joinCommunity(
    @Arg('communityId', () => ID, { description: 'Global id of the community.' }) communityId: string,
    @Ctx() ctx: Context,
  ): Promise<JoinCommunityPayload> {
    return this.requestMembership({ communityId }, ctx);
  }

  @Mutation(() => Boolean, {
    description: 'Leaves a community. The last OWNER cannot leave.',
    deprecationReason: replacedBy('leaveCommunity'),
  })
  async leaveCommunity(
    @Arg('communityId', () => ID, { description: 'Global id of the community.' }) communityId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.endMembership({ communityId }, ctx);
    return true;
  }

  @FieldResolver(() => MemberConnection, {
    complexity: connectionComplexity,
    description: 'Members in the order they joined. RESTRICTED and PRIVATE communities: members only.',
  })
  async members(@Root() community: Community, @Args() args: MembersArgs, @Ctx() { loaders, viewer }: Context) {
    await communities.assertCanReadContent(loaders, viewer, community);
    const page = idPage(args);
    const role = args.role ?? null;
    const rows = await loaders.membersPage.load({ communityId: community.id, role, ...idRange(page) });
    return toConnection(
      rows,
      page,
      (m) => [m.id],
      () => communities.memberCountOf(loaders, community, role),
    );
  }

  @FieldResolver(() => Member, { nullable: true, description: 'Your membership; null when you are not a member.' })
  viewerMember(@Root() community: Community, @Ctx() { loaders }: Context): Promise<Member | null> {
    return loaders.viewerMembership.load(community.id);
  }

  @FieldResolver(() => JoinRequestConnection, {
    complexity: connectionComplexity,
    description: 'Pending join requests, oldest first (ADMIN or above).',
  })
  async joinRequests(@Root() community: Community, @Args() args: PageArgs, @Ctx() { em, loaders, viewer }: Context) {
    assertCan(await communities.actorIn(loaders, viewer, community.id), 'joinRequests.review');
    const page = idPage(args);
    const rows = await em.find(
      JoinRequest,
      { community: community.id, status: JoinRequestStatus.PENDING, id: { $gt: page.above, $lt: page.below } },
      { orderBy: { id: page.fetch }, limit: page.size + 1 },
    );
    return toConnection(rows, page, (r) => [r.id]);
  }
}
