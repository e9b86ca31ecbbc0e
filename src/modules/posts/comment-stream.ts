import { sql } from '../../platform/database/sql';
import type { Context } from '../../platform/context';
import { Channel } from '../../platform/pubsub/channel';
import { closable } from '../../platform/streams';
import { communityTopics } from '../communities/communities.events';
import type { Visibility } from '../communities/communities.entity';
import { commentFeed, type CommentBatch } from './comment-feed';
import { Comment } from './posts.entity';
import { readablePost } from './posts.service';
import { AUTHOR_COLUMNS, commentFromRow } from './rows';

/** What wakes one subscription: new rows from the post's shared feed, or a reason to re-check access. */
type Item = { batch: CommentBatch } | { recheck: true };

/**
 * `commentAdded(postId, after)`: replays the post's comments after the cursor from PostgreSQL,
 * then streams new ones, with no gap and no duplicate across the switch.
 *
 * New comments come from the post's shared {@link commentFeed}: one pub/sub subscription and one
 * read per batch of new comments on this instance, whatever the number of subscribers. Pub/sub
 * only says "look now"; what is delivered always comes from the database, so a message lost while
 * Redis reconnects loses nothing (the feed reads again on reconnect).
 *
 * Each subscription keeps its own position (nothing at or before its cursor, nothing twice) and
 * its access: checked when subscribing, and again — with a fresh EntityManager — when the viewer's
 * memberships change, the community's visibility changes, or pub/sub reconnects. The stream
 * completes when the viewer may no longer read the post, or when pub/sub shuts down.
 * Deleted comments are never delivered.
 */
export async function commentAddedStream(ctx: Context, postId: number, afterId: number | null): Promise<AsyncIterable<Comment>> {
  const { community } = await readablePost(ctx.loaders, ctx.viewer, postId);
  let visibility: Visibility = community.visibility;
  const items = new Channel<Item>({ topic: `comment-stream:${postId}`, maxBuffered: 10_000, log: ctx.log, onReturn: () => undefined });
  const feed = commentFeed(ctx.pubsub, postId, () => ctx.em.fork({ clear: true }), ctx.log);
  const follower = { offer: (batch: CommentBatch) => items.push({ batch }), end: () => items.end() };
  feed.add(follower);
  const membership = ctx.viewer.userId !== null ? ctx.pubsub.subscribe(communityTopics.membershipChanged(ctx.viewer.userId)) : null;

  let closed: Promise<unknown> | undefined;
  const close = () =>
    (closed ??= (async () => {
      feed.remove(follower);
      items.end();
      await membership?.return?.();
    })());

  try {
    await Promise.all([feed.ready, membership?.ready]);
  } catch (err) {
    await close();
    throw err;
  }
  if (membership) {
    void (async () => {
      for await (const _ of membership) items.push({ recheck: true });
    })();
  }
  // Without a cursor a late commit below the starting point is still new to this client; with one, it is not.
  const floor = afterId ?? 0;
  const delivered = new Set<number>();
  let lastId = afterId ?? feed.position;

  /** Maps rows not delivered yet, in order, with a fresh EntityManager and loaders. */
  function take(rows: Record<string, unknown>[]): Comment[] {
    const fresh = rows.filter((row) => (row.id as number) > floor && !delivered.has(row.id as number));
    if (!fresh.length) return [];
    ctx.refresh();
    return fresh.map((row) => {
      const comment = commentFromRow(ctx.loaders, row);
      delivered.add(comment.id);
      lastId = Math.max(lastId, comment.id);
      return comment;
    });
  }

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    try {
      const { community: now } = await readablePost(ctx.loaders, ctx.viewer, postId);
      visibility = now.visibility;
      return true;
    } catch {
      return false; // left, banned, the community turned private, or the post is gone
    }
  }

  async function* stream(): AsyncGenerator<Comment> {
    try {
      if (afterId !== null) {
        // Replay: everything after the cursor up to now. Batches the feed offers meanwhile wait in
        // `items` and are de-duplicated against what this delivers.
        const rows = await sql(
          ctx.em,
          `select c.*, ${AUTHOR_COLUMNS} from comments c join users u on u.id = c.author_id
            where c.post_id = ? and c.deleted_at is null and c.id > ? order by c.id`,
          [postId, afterId],
        );
        yield* take(rows);
      }
      for await (const item of items) {
        if ('recheck' in item || item.batch.recheck || (item.batch.visibility !== null && item.batch.visibility !== visibility)) {
          if (!(await stillReadable())) return;
          if ('recheck' in item) continue;
        }
        yield* take(item.batch.rows);
        // Ids far below the position can only come back through a late event: forget them.
        if (delivered.size > 10_000) for (const id of delivered) if (id < lastId - 10_000) delivered.delete(id);
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
