import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { Context } from '../../platform/context';
import type { FeedSource, Row } from '../../platform/live-feed';
import { liveStream } from '../../platform/live-stream';
import { communityTopics } from '../communities/communities.events';
import type { Visibility } from '../communities/communities.entity';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { Comment } from './posts.entity';
import { readablePost } from './posts.service';
import { AUTHOR_COLUMNS } from '../identity/user-views';
import { commentFromRow } from './rows';

/**
 * At most `limit` of a post's comments after `after` (and those named in `late`), oldest first,
 * with their authors (`a__` columns), deleted ones left out.
 */
function commentRowsAfter(
  em: EntityManager,
  postId: number,
  after: number,
  late: number[],
  limit: number,
): Promise<Row[]> {
  return sql<Row[]>(
    em,
    // The page is cut before the join: only its own rows meet users, whatever plan the join gets.
    `select c.*, ${AUTHOR_COLUMNS}
       from (select * from comments
              where post_id = ? and deleted_at is null and (id > ?${late.length ? ` or id in (${late.map(() => '?').join(', ')})` : ''})
              order by id limit ?) c
       join users u on u.id = c.author_id
      order by c.id`,
    [postId, after, ...late, limit],
  );
}

/** A post's comments as a live feed; its state is the community's visibility (null once the post is deleted). */
function commentSource(postId: number): FeedSource<Visibility> {
  return {
    topic: postTopics.commentAdded(postId),
    idOf: (event) => (event as CommentAddedEvent).commentId,
    async newest(em) {
      const [row] = await sql<{ max: number | null }[]>(em, 'select max(id) as max from comments where post_id = ?', [
        postId,
      ]);
      return row?.max ?? 0;
    },
    async read(em, after, late, limit) {
      const [state] = await sql<{ visibility: Visibility; deleted: boolean }[]>(
        em,
        'select c.visibility, p.deleted_at is not null as deleted from posts p join communities c on c.id = p.community_id where p.id = ?',
        [postId],
      );
      return {
        rows: await commentRowsAfter(em, postId, after, late, limit),
        state: state && !state.deleted ? state.visibility : null,
      };
    },
  };
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
    replay: (em, after, limit) => commentRowsAfter(em, postId, after, [], limit),
    toItem: (row) => commentFromRow(ctx.loaders, row),
    recheck: async () => (await readablePost(ctx.loaders, ctx.viewer, postId)).community.visibility,
    recheckTopics: ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
  });
}
