import type { ModuleManifest } from '../../platform/module';
import { commentAddedShareKey } from './comment-sharing';
import { CommentsResolver } from './comments.resolver';
import { createPostLoaders } from './posts.loaders';
import { CommunityPostsResolver, PostsResolver } from './posts.resolver';

type PostLoaders = ReturnType<typeof createPostLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends PostLoaders {}
}

/** Posts, threaded comments, votes, reactions and feeds. */
export const posts: ModuleManifest = {
  name: 'posts',
  resolvers: [PostsResolver, CommunityPostsResolver, CommentsResolver],
  loaders: (em, viewer) => createPostLoaders(em, viewer),
  shareKeys: [commentAddedShareKey],
  // `feed` is the viewer's own; reactions carry `viewerReacted` (a `viewer…` field).
  viewerFields: ['feed'],
};
