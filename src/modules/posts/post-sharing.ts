import { sql } from '../../platform/database/sql';
import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { Visibility } from '../communities/communities.entity';

/**
 * `postAdded(communityId, channelId)` on a PUBLIC community without restricted channels
 * (`restrictedChannels` false: every subscriber may read every channel), selecting nothing
 * viewer-dependent, by a viewer who muted none of its channels and blocked nobody (what they are
 * sent depends on neither; blocks: `liveFieldShareKey`), gives every subscriber the same results: such subscriptions share one
 * execution per (document, variables) on this instance. The others run on their own: they still
 * share the community's live feed, and keep their posts from its rows without a statement.
 */
export const postAddedShareKey = liveFieldShareKey('postAdded', 'communityId', 'Community', async (ctx, id) => {
  const community = await ctx.loaders.community.load(id);
  if (!community || community.visibility !== Visibility.PUBLIC || community.restrictedChannels) return false;
  if (ctx.viewer.userId === null) return true;
  const [muted] = await sql<unknown[]>(
    ctx.em,
    `select 1 from channel_subscriptions s join channels c on c.id = s.channel_id
      where s.user_id = ? and s.state = 'MUTED' and c.community_id = ? limit 1`,
    [ctx.viewer.userId, id],
  );
  return !muted;
});
