import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { Visibility } from '../communities/communities.entity';
import { readablePost } from './posts.service';
import type { Comment } from './posts.entity';

/**
 * `commentAdded(postId)` on a PUBLIC community's post, selecting nothing viewer-dependent, gives
 * every subscriber the same results: such subscriptions share one execution per (document,
 * variables) on this instance. One with a cursor replays on its own, then joins them.
 */
export const commentAddedShareKey = liveFieldShareKey(
  'commentAdded',
  'postId',
  'Post',
  async (ctx, postId) => {
    const { community } = await readablePost(ctx.loaders, ctx.viewer, postId);
    return community.visibility === Visibility.PUBLIC;
  },
  (comment) => (comment as Comment).id,
);
