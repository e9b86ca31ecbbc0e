import { sql } from '../../platform/database/sql';
import type { Context } from '../../platform/context';
import { liveRowsSource, type LiveRowsSource } from '../../platform/live-feed';
import { liveStream } from '../../platform/live-stream';
import { communityTopics } from '../communities/communities.events';
import type { Visibility } from '../communities/communities.entity';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { Comment } from './posts.entity';
import { readablePost } from './posts.service';
import { AUTHOR_COLUMNS } from '../identity/user-views';
import { commentFromRow } from './rows';

/**
 * A post's comments as a live feed, with their authors (`a__` columns), deleted ones left out; its
 * state is the community's visibility (null once the post is deleted).
 */
function commentSource(postId: number): LiveRowsSource<Visibility> {
  return liveRowsSource({
    topic: postTopics.commentAdded(postId),
    idOf: (event) => (event as CommentAddedEvent).commentId,
    table: 'comments',
    alias: 'c',
    scopeColumn: 'post_id',
    scopeId: postId,
    filter: 'deleted_at is null',
    columns: AUTHOR_COLUMNS,
    joins: ['join users u on u.id = c.author_id'],
    async state(em) {
      const [state] = await sql<{ visibility: Visibility; deleted: boolean }[]>(
        em,
        'select c.visibility, p.deleted_at is not null as deleted from posts p join communities c on c.id = p.community_id where p.id = ?',
        [postId],
      );
      return state && !state.deleted ? state.visibility : null;
    },
  });
}

/**
 * `commentAdded(postId, after)`: replays the post's comments after the cursor from PostgreSQL,
 * then streams new ones, with no gap and no duplicate across the switch (see {@link liveStream}):
 * one pub/sub subscription and one read per batch of new comments on this instance, whatever the
 * number of subscribers. Access is checked when subscribing and again when the viewer's
 * memberships change, the community's visibility changes, or pub/sub reconnects; the stream
 * completes once the viewer may no longer read the post. Deleted comments are never delivered.
 */
export async function commentAddedStream(
  ctx: Context,
  postId: number,
  afterId: number | null,
): Promise<AsyncIterable<Comment>> {
  const { community } = await readablePost(ctx.loaders, ctx.viewer, postId);
  const source = commentSource(postId);
  return liveStream({
    ctx,
    source,
    afterId,
    state: community.visibility,
    replay: (em, after, limit) => source.rowsAfter(em, after, [], limit),
    toItem: (row) => commentFromRow(ctx.loaders, row),
    recheck: async () => (await readablePost(ctx.loaders, ctx.viewer, postId)).community.visibility,
    recheckTopics: ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
  });
}
