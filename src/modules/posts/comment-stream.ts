import { sql } from '../../platform/database/sql';
import type { Context } from '../../platform/context';
import { Channel } from '../../platform/pubsub/channel';
import { closable } from '../../platform/streams';
import { communityTopics } from '../communities/communities.events';
import { Comment } from './posts.entity';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { readablePost } from './posts.service';
import { AUTHOR_COLUMNS, takeAuthor } from './rows';

/** Why the stream should look at the database again. */
type Signal = { commentId?: number };

/**
 * `commentAdded(postId, after)`: replays the post's comments after the cursor from PostgreSQL,
 * then streams new ones, with no gap and no duplicate across the switch.
 *
 * Every signal (a `commentAdded` event, the viewer's memberships changing, the pub/sub connection
 * coming back) makes the stream re-check access with a fresh EntityManager and then read the
 * comments it has not delivered yet (`id > last delivered`, plus the event's own id in case a
 * transaction with a smaller id committed late). Pub/sub only says "look now"; what is delivered
 * always comes from the database, so a message lost while Redis reconnects loses nothing.
 * Deleted comments are skipped. The stream completes when the viewer may no longer read the post.
 */
export async function commentAddedStream(ctx: Context, postId: number, afterId: number | null): Promise<AsyncIterable<Comment>> {
  const { post } = await readablePost(ctx.loaders, ctx.viewer, postId);
  const signals = new Channel<Signal>({ topic: `comment-stream:${postId}`, maxBuffered: 1000, log: ctx.log, onReturn: () => undefined });
  const events = ctx.pubsub.subscribe<CommentAddedEvent>(postTopics.commentAdded(postId));
  const membership = ctx.viewer.userId !== null ? ctx.pubsub.subscribe(communityTopics.membershipChanged(ctx.viewer.userId)) : null;
  await Promise.all([events.ready, membership?.ready]);
  const pump = async (source: AsyncIterable<unknown>, toSignal: (v: unknown) => Signal) => {
    for await (const v of source) signals.push(toSignal(v));
  };
  void pump(events, (e) => ({ commentId: (e as CommentAddedEvent).commentId }));
  if (membership) void pump(membership, () => ({}));
  const stopReconnect = ctx.pubsub.onReconnect(() => signals.push({}));

  // Without a cursor the stream starts after the newest comment at subscription time.
  let lastId = afterId;
  if (lastId === null) {
    const [row] = await sql<{ max: number | null }[]>(ctx.em, 'select max(id) as max from comments where post_id = ?', [post.id]);
    lastId = row?.max ?? 0;
  } else {
    signals.push({}); // replay what came after the cursor
  }
  const delivered = new Set<number>();

  async function* stream(): AsyncGenerator<Comment> {
    try {
      for await (const signal of signals) {
        ctx.refresh();
        try {
          await readablePost(ctx.loaders, ctx.viewer, postId);
        } catch {
          return; // left, banned, or the community turned private: no more events
        }
        const rows = await sql(
          ctx.em,
          `select c.*, ${AUTHOR_COLUMNS} from comments c join users u on u.id = c.author_id
            where c.post_id = ? and c.deleted_at is null and (c.id > ? or c.id = ?)
            order by c.id`,
          [postId, lastId, signal.commentId ?? 0],
        );
        for (const row of rows) {
          const comment = ctx.em.map(Comment, takeAuthor(ctx.em, ctx.loaders, row));
          if (delivered.has(comment.id)) continue;
          delivered.add(comment.id);
          if (comment.id > lastId!) lastId = comment.id;
          ctx.loaders.comment.prime(comment.id, comment);
          yield comment;
        }
        // Ids at or below the watermark can only come back through their own event: forget older ones.
        if (delivered.size > 10_000) for (const id of delivered) if (id < lastId! - 10_000) delivered.delete(id);
      }
    } finally {
      stopReconnect();
      await Promise.all([events.return?.(), membership?.return?.()]);
      signals.end();
    }
  }
  return closable(stream(), () => {
    signals.end();
    return Promise.all([events.return?.(), membership?.return?.()]);
  });
}
