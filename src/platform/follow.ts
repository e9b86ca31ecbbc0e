import type { Context } from './context';
import { Channel } from './pubsub/channel';

/**
 * A per-instance source that many subscriptions follow (a post's or stream's {@link LiveFeed}, a
 * poll's watch): it reads once and offers the result to every follower.
 */
export interface SharedSource<V> {
  /** Resolves once the source listens to its topic. */
  readonly ready: Promise<unknown>;
  add(follower: Follower<V>): void;
  remove(follower: Follower<V>): void;
}

export interface Follower<V> {
  offer(value: V): void;
  /** The source is shutting down (pub/sub closed). */
  end(): void;
}

/** What wakes one subscription: a value from its source, or a reason to re-check the viewer's access. */
export type Followed<V> = { value: V } | { recheck: true };

/** Where a follower's values and rechecks wait for its consumer (a {@link Channel}, or a queue of one's own). */
export interface FollowQueue<V> {
  push(item: Followed<V>): void;
  end(): void;
}

/**
 * Pushes `{ recheck: true }` into `queue` for every event on `topics` (e.g. the viewer's membership
 * changes), once they all listen. `close()` unsubscribes them.
 */
export async function listenForRechecks(
  ctx: Context,
  topics: string[],
  queue: { push(item: { recheck: true }): void },
): Promise<{ close: () => Promise<unknown> }> {
  const rechecks = topics.map((topic) => ctx.pubsub.subscribe(topic));
  const close = () => Promise.all(rechecks.map((r) => r.return?.()));
  try {
    await Promise.all(rechecks.map((r) => r.ready));
  } catch (err) {
    await close();
    throw err;
  }
  for (const topic of rechecks) {
    void (async () => {
      for await (const _ of topic) queue.push({ recheck: true });
    })();
  }
  return { close };
}

/**
 * One subscription's queue on a shared source: every value the source offers, and a recheck
 * whenever an event arrives on one of `recheckTopics` (e.g. the viewer's membership changes).
 * Resolves once the source and the topics listen; `close()` (idempotent) leaves the source, ends
 * the queue and unsubscribes the topics.
 * @param options a {@link Channel} of `maxBuffered` items that drops the oldest past it, or a `queue` of the caller's
 */
export async function follow<V, Q extends FollowQueue<V> & AsyncIterable<unknown> = Channel<Followed<V>>>(
  ctx: Context,
  source: SharedSource<V>,
  recheckTopics: string[],
  options: { topic: string; maxBuffered: number } | { queue: Q },
): Promise<{ items: Q; close: () => Promise<unknown> }> {
  const items =
    'queue' in options
      ? options.queue
      : (new Channel<Followed<V>>({ ...options, log: ctx.log, onReturn: () => undefined }) as unknown as Q);
  const follower: Follower<V> = { offer: (value) => items.push({ value }), end: () => items.end() };
  source.add(follower);
  let rechecks: { close: () => Promise<unknown> } | undefined;
  let closed: Promise<unknown> | undefined;
  const close = () =>
    (closed ??= (async () => {
      source.remove(follower);
      items.end();
      await rechecks?.close();
    })());
  const listening = listenForRechecks(ctx, recheckTopics, items);
  try {
    await source.ready;
    rechecks = await listening;
  } catch (err) {
    rechecks = await listening.catch(() => undefined);
    await close();
    throw err;
  }
  return { items, close };
}

/**
 * The values a subscription may still pass on: re-checks the viewer's access (`stillReadable`)
 * when a recheck arrives and when a value's community visibility differs from the one last checked
 * (`visibility()`); ends at a null value (the source's subject is gone) or once access is lost.
 */
export async function* whileReadable<V extends { visibility: unknown }>(
  items: AsyncIterable<Followed<V | null>>,
  access: { visibility: () => unknown; stillReadable: () => Promise<boolean> },
): AsyncGenerator<V> {
  for await (const item of items) {
    if ('recheck' in item) {
      if (!(await access.stillReadable())) return;
      continue;
    }
    const value = item.value;
    if (!value) return;
    if (value.visibility !== access.visibility() && !(await access.stillReadable())) return;
    yield value;
  }
}
