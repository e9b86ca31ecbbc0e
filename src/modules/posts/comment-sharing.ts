import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { Visibility } from '../communities/communities.entity';
import { readablePost } from './posts.service';
import type { Comment } from './posts.entity';
import { canReadChannel, type Actor } from '../communities/permissions';

/** Who a shared execution reads as: nobody in particular. */
const ANONYMOUS: Actor = { userId: null, role: null, level: 1, isPlatformAdmin: false, banned: false };

/**
 * `commentAdded(postId)` on a PUBLIC community's post, selecting nothing viewer-dependent, gives
 * every subscriber the same results: such subscriptions share one execution per (document,
 * variables) on this instance. One with a cursor replays on its own, then joins them. A post in a
 * channel that restricts reading is not shared (its readers are not everyone).
 */
export const commentAddedShareKey = liveFieldShareKey(
  'commentAdded',
  'postId',
  'Post',
  async (ctx, postId) => {
    const { community, channel } = await readablePost(ctx.loaders, ctx.viewer, postId);
    return community.visibility === Visibility.PUBLIC && canReadChannel(ANONYMOUS, channel);
  },
  (comment) => (comment as Comment).id,
);
