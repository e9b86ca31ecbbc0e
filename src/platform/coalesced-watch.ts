import type { Follower, SharedSource } from './follow';
import type { Logger } from './logger';
import type { PubSub, Subscription } from './pubsub/pubsub';

/**
 * A per-instance watch of one thing many subscriptions follow (a poll, a leaderboard). It listens
 * to `topic` once (every write on every instance publishes there, through Redis when there is one)
 * and coalesces: the first signal after a quiet spell reads at once; signals during a read or
 * within `intervalMs` after it start one more read when the window ends. So the thing is read at
 * most once per window per instance, whatever the number of followers or writes, and the last state
 * is always read after the last signal (each signal is published after its write commits). After
 * a pub/sub reconnect (messages may have been lost) it reads again, and a failed read is retried
 * (every `RETRY_MS` at most) until one succeeds.
 */
const RETRY_MS = 2000;

export class CoalescedWatch<V> implements SharedSource<V> {
  private readonly followers = new Set<Follower<V>>();
  private readonly events: Subscription<unknown>;
  private readonly stopReconnect: () => void;
  private dirty = false;
  private reading = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(
    topic: string,
    pubsub: PubSub,
    private readonly read: () => Promise<V>,
    private readonly options: {
      intervalMs: number;
      log: Logger;
      logContext: Record<string, unknown>;
      onEmpty: () => void;
    },
  ) {
    this.events = pubsub.subscribe<unknown>(topic);
    this.stopReconnect = pubsub.onReconnect(() => this.signal());
    this.ready = this.events.ready;
    void this.pump();
  }

  add(follower: Follower<V>): void {
    this.followers.add(follower);
  }

  remove(follower: Follower<V>): void {
    this.followers.delete(follower);
    if (this.followers.size === 0) this.close();
  }

  /** Asks for a read (coalesced like a published signal). */
  signal(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.reading && !this.timer) void this.readNow();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopReconnect();
    void this.events.return?.();
    this.options.onEmpty();
  }

  private async pump(): Promise<void> {
    for await (const _ of this.events) this.signal();
    for (const f of this.followers) f.end();
    this.close();
  }

  private async readNow(): Promise<void> {
    this.dirty = false;
    this.reading = true;
    const started = Date.now();
    let wait = this.options.intervalMs;
    try {
      const value = await this.read();
      for (const f of this.followers) f.offer(value);
    } catch (err) {
      this.options.log.warn({ err, ...this.options.logContext }, 'watched read failed; retrying');
      this.dirty = true;
      wait = Math.max(wait, RETRY_MS);
    } finally {
      this.reading = false;
      if (!this.closed) {
        // The trailing edge: whatever arrived meanwhile is read when the window ends.
        this.timer = setTimeout(
          () => {
            this.timer = null;
            if (this.dirty && !this.closed) void this.readNow();
          },
          Math.max(0, started + wait - Date.now()),
        );
      }
    }
  }
}
