import type { EntityManager } from '@mikro-orm/postgresql';
import { CollapsingQueue } from './collapsing-queue';
import type { Context } from './context';
import { isHidden } from './errors';
import { follow, type Followed } from './follow';
import { liveDefaults, liveFeed, type FeedBatch, type FeedSource, type Row } from './live-feed';
import { closable } from './streams';

export interface LiveStreamOptions<S, T> {
  ctx: Context;
  /** The shared feed's source (see {@link liveFeed}). */
  source: FeedSource<S>;
  /** The access state found when subscribing (access already checked). */
  state: S;
  /** A cursor's row id: replay what came after it, then go live. Null: only what comes from now on. */
  afterId: number | null;
  /** At most `limit` rows after `afterId`, oldest first, hidden ones left out: one page of a replay. */
  replay(em: EntityManager, afterId: number, limit: number): Promise<Row[]>;
  /** What the subscription yields for a row (called with fresh loaders). */
  toItem(row: Row): T;
  /**
   * Whether this subscriber gets the row (its channel, what it muted), decided from the row alone:
   * no statement per subscriber. A row it does not keep counts as delivered. Default: every row.
   */
  keep?(row: Row): boolean;
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
 * Rows this subscription must read from the database itself: those after `after` (its replay, or
 * batches its queue could not hold), at its own pace. `recheck` and `state` carry what the
 * collapsed batches said about access.
 */
interface Gap<S> {
  gap: { after: number; recheck: boolean; state: S | null | undefined };
}

type Item<S> = Followed<FeedBatch<S>> | Gap<S>;

/** A subscription's queue: past `maxQueuedRows` rows waiting, it collapses into one {@link Gap}. */
function followerQueue<S>(): CollapsingQueue<Item<S>> {
  return new CollapsingQueue<Item<S>>({
    maxWeight: liveDefaults.maxQueuedRows,
    weigh: (item) => ('value' in item ? item.value.rows.length : 1),
    collapse(items) {
      const gap: Gap<S>['gap'] = { after: Infinity, recheck: false, state: undefined };
      for (const item of items) {
        if ('recheck' in item) {
          gap.recheck = true;
        } else if ('gap' in item) {
          gap.after = Math.min(gap.after, item.gap.after);
          gap.recheck ||= item.gap.recheck;
          if (item.gap.state !== undefined) gap.state = item.gap.state;
        } else {
          // Rows below the smallest dropped one were delivered or are read again: late rows included.
          for (const row of item.value.rows) gap.after = Math.min(gap.after, row.id - 1);
          gap.recheck ||= item.value.recheck;
          gap.state = item.value.state;
        }
      }
      return { gap };
    },
  });
}

/**
 * A subscription to an append-only table (`after` replays from PostgreSQL, then live rows),
 * with no gap and no duplicate across the switch. New rows come from the subject's shared
 * {@link liveFeed}; each subscription keeps its own position (nothing at or before its cursor,
 * nothing twice) and its access: checked when subscribing, and again — with a fresh
 * EntityManager — when a recheck topic fires, the subject's state changes, or pub/sub reconnects.
 * The stream completes when the viewer may no longer read, or when pub/sub shuts down.
 *
 * Memory stays bounded whatever the replay's length and the consumer's speed (issue 12): the
 * replay reads pages of `liveDefaults.pageSize` rows, the next only once the consumer has taken the
 * previous one (graphql-ws sends each item before it asks for the next, and waits for a slow
 * socket), with fresh loaders per page; rows the feed offers meanwhile wait in a queue that, past
 * `liveDefaults.maxQueuedRows`, collapses into one re-read from the database (never a silent drop).
 */
export async function liveStream<S, T>(o: LiveStreamOptions<S, T>): Promise<AsyncIterableIterator<T>> {
  const { ctx } = o;
  const { pageSize, deliveredWindow } = liveDefaults;
  let state = o.state;
  const feed = liveFeed(ctx.pubsub, o.source, () => ctx.em.fork({ clear: true }), ctx.log);
  const { items, close } = await follow<FeedBatch<S>, CollapsingQueue<Item<S>>>(ctx, feed, o.recheckTopics, {
    queue: followerQueue<S>(),
  });
  // Without a cursor a late commit below the starting point is still new to this client; with one, it is not.
  const floor = o.afterId ?? 0;
  const delivered = new Set<number>();
  let lastId = o.afterId ?? feed.position;

  /** Maps rows not delivered yet, in order, with a fresh EntityManager and loaders. */
  function take(rows: Row[]): T[] {
    const fresh = rows.filter((row) => row.id > floor && !delivered.has(row.id));
    if (!fresh.length) return [];
    for (const row of fresh) {
      delivered.add(row.id);
      lastId = Math.max(lastId, row.id);
    }
    const kept = o.keep ? fresh.filter((row) => o.keep!(row)) : fresh;
    if (kept.length) ctx.refresh();
    const out = kept.map((row) => o.toItem(row));
    // Ids far below the position can only come back through a late event: forget them (amortized).
    if (delivered.size > 2 * deliveredWindow)
      for (const id of delivered) if (id < lastId - deliveredWindow) delivered.delete(id);
    return out;
  }

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    // Lost access ends the stream quietly; anything else (the database down) is an error for the client.
    const now = await o.recheck().catch((err: unknown) => {
      if (isHidden(err)) return null;
      throw err;
    });
    if (now === null) return false;
    state = now;
    return true;
  }

  /**
   * Reads from the database, page by page, what came after `after` and was not delivered: each
   * page is read once the consumer has taken the previous one, and dropped before the next.
   */
  async function* readFrom(after: number): AsyncGenerator<T> {
    let from = Math.max(Math.min(after, lastId), lastId - deliveredWindow, floor);
    for (;;) {
      ctx.refresh();
      const rows = await o.replay(ctx.em, from, pageSize);
      yield* take(rows);
      if (rows.length < pageSize) return;
      from = rows[rows.length - 1].id;
    }
  }

  async function* stream(): AsyncGenerator<T> {
    try {
      // Replay: everything after the cursor up to now. Batches the feed offers meanwhile wait in
      // `items` and are de-duplicated against what this delivers.
      if (o.afterId !== null) yield* readFrom(o.afterId);
      if (o.ended?.(state)) return;
      for (;;) {
        // Everything the feed offered is delivered (the consumer has taken it, or it would not ask
        // for more): the rest may come from a shared execution instead (see `Context.liveHandover`).
        if (items.size === 0 && ctx.liveHandover?.({ floor, delivered })) return;
        const next = await items.next();
        if (next.done) return;
        const item = next.value;
        if ('gap' in item) {
          const { gap } = item;
          if ((gap.recheck || (gap.state !== undefined && gap.state !== state)) && !(await stillReadable())) return;
          yield* readFrom(gap.after);
          if (o.ended?.(state)) return;
          continue;
        }
        if ('recheck' in item || item.value.recheck || (item.value.state !== null && item.value.state !== state)) {
          if (!(await stillReadable())) return;
          if ('recheck' in item) {
            if (o.ended?.(state)) return;
            continue;
          }
        }
        yield* take(item.value.rows);
        if (o.ended?.(state)) return;
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
