import type { ModuleManifest } from '../../platform/module';
import { createCommunityLoaders } from './communities.loaders';
import { CommunitiesResolver } from './communities.resolver';
import { CommunityInviteLinksResolver, InviteLinksResolver } from './invite-links.resolver';
import { BanResolver, InviteResolver, JoinRequestResolver, MembersResolver } from './members.resolver';

type CommunityLoaders = ReturnType<typeof createCommunityLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends CommunityLoaders {}
}

/** Communities, members and roles, invites, invite links, join requests and bans. */
export const communities: ModuleManifest = {
  name: 'communities',
  resolvers: [
    CommunitiesResolver,
    MembersResolver,
    JoinRequestResolver,
    InviteResolver,
    BanResolver,
    InviteLinksResolver,
    CommunityInviteLinksResolver,
  ],
  loaders: createCommunityLoaders,
  viewerFields: ['joinRequests'],
};
