import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { Visibility } from '../communities/communities.entity';
import { readablePost } from './posts.service';

/**
 * `commentAdded(postId)` without a cursor, on a PUBLIC community's post, selecting nothing
 * viewer-dependent, gives every subscriber the same results: such subscriptions share one
 * execution per (document, variables) on this instance.
 */
export const commentAddedShareKey = liveFieldShareKey('commentAdded', 'postId', 'Post', async (ctx, postId) => {
  const { community } = await readablePost(ctx.loaders, ctx.viewer, postId);
  return community.visibility === Visibility.PUBLIC;
});
