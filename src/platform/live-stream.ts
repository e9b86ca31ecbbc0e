import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from './context';
import { follow } from './follow';
import { liveFeed, type FeedSource, type Row } from './live-feed';
import { closable } from './streams';

export interface LiveStreamOptions<S, T> {
  ctx: Context;
  /** The shared feed's source (see {@link liveFeed}). */
  source: FeedSource<S>;
  /** The access state found when subscribing (access already checked). */
  state: S;
  /** A cursor's row id: replay what came after it, then go live. Null: only what comes from now on. */
  afterId: number | null;
  /** Rows after `afterId` up to now, oldest first, hidden ones left out. */
  replay(em: EntityManager, afterId: number): Promise<Row[]>;
  /** What the subscription yields for a row (called with fresh loaders). */
  toItem(row: Row): T;
  /** Re-checks access with a fresh EntityManager: the state now, or null once the viewer may no longer read. */
  recheck(): Promise<S | null>;
  /** Topics whose events make the stream re-check access (e.g. the viewer's membership changes). */
  recheckTopics: string[];
  /**
   * Whether the subject takes no more rows in this state (a chat that closed): the stream then
   * completes, once it has delivered the rows read with that state. Default: never.
   */
  ended?(state: S): boolean;
}

/**
 * A subscription to an append-only table (`after` replays from PostgreSQL, then live rows),
 * with no gap and no duplicate across the switch. New rows come from the subject's shared
 * {@link liveFeed}; each subscription keeps its own position (nothing at or before its cursor,
 * nothing twice) and its access: checked when subscribing, and again — with a fresh
 * EntityManager — when a recheck topic fires, the subject's state changes, or pub/sub reconnects.
 * The stream completes when the viewer may no longer read, or when pub/sub shuts down.
 */
export async function liveStream<S, T>(o: LiveStreamOptions<S, T>): Promise<AsyncIterableIterator<T>> {
  const { ctx } = o;
  let state = o.state;
  const feed = liveFeed(ctx.pubsub, o.source, () => ctx.em.fork({ clear: true }), ctx.log);
  const { items, close } = await follow(ctx, feed, o.recheckTopics, { topic: `live-stream:${o.source.topic}`, maxBuffered: 10_000 });
  // Without a cursor a late commit below the starting point is still new to this client; with one, it is not.
  const floor = o.afterId ?? 0;
  const delivered = new Set<number>();
  let lastId = o.afterId ?? feed.position;

  /** Maps rows not delivered yet, in order, with a fresh EntityManager and loaders. */
  function take(rows: Row[]): T[] {
    const fresh = rows.filter((row) => row.id > floor && !delivered.has(row.id));
    if (!fresh.length) return [];
    ctx.refresh();
    return fresh.map((row) => {
      delivered.add(row.id);
      lastId = Math.max(lastId, row.id);
      return o.toItem(row);
    });
  }

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    const now = await o.recheck().catch(() => null);
    if (now === null) return false;
    state = now;
    return true;
  }

  async function* stream(): AsyncGenerator<T> {
    try {
      if (o.afterId !== null) {
        // Replay: everything after the cursor up to now. Batches the feed offers meanwhile wait in
        // `items` and are de-duplicated against what this delivers.
        yield* take(await o.replay(ctx.em, o.afterId));
      }
      if (o.ended?.(state)) return;
      for await (const item of items) {
        if ('recheck' in item || item.value.recheck || (item.value.state !== null && item.value.state !== state)) {
          if (!(await stillReadable())) return;
          if ('recheck' in item) {
            if (o.ended?.(state)) return;
            continue;
          }
        }
        yield* take(item.value.rows);
        if (o.ended?.(state)) return;
        // Ids far below the position can only come back through a late event: forget them.
        if (delivered.size > 10_000) for (const id of delivered) if (id < lastId - 10_000) delivered.delete(id);
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
