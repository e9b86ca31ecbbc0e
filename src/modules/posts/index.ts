import type { ModuleManifest } from '../../platform/module';
import { addCommunityRider } from '../communities/community-riders';
import { communityPostsRider } from './community-posts-rider';
import { commentAddedShareKey } from './comment-sharing';
import { postAddedShareKey } from './post-sharing';
import { CommentsResolver } from './comments.resolver';
import { createPostLoaders } from './posts.loaders';
import { CommunityPostsResolver, PostsResolver } from './posts.resolver';

type PostLoaders = ReturnType<typeof createPostLoaders>;

// A community's first page of posts is read with the community (see community-posts-rider.ts).
addCommunityRider(communityPostsRider);
declare module '../../platform/loaders' {
  interface Loaders extends PostLoaders {}
}

/** Posts, threaded comments, votes, reactions and feeds. */
export const posts: ModuleManifest = {
  name: 'posts',
  resolvers: [PostsResolver, CommunityPostsResolver, CommentsResolver],
  loaders: (em, viewer) => createPostLoaders(em, viewer),
  shareKeys: [commentAddedShareKey, postAddedShareKey],
  // `feed` is the viewer's own; reactions carry `viewerReacted` (a `viewer…` field).
  viewerFields: ['feed'],
};
