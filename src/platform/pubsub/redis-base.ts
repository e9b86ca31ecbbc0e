import type { Logger } from '../logger';
import { Channel, encodePayload, Fanout } from './channel';
import type { PubSub, PubSubOptions, Subscription } from './pubsub';

/** Receives a message of a Redis channel (node-redis's listener). */
export type MessageListener = (message: string, topic: string) => void;

/**
 * Redis pub/sub, at most once (Redis keeps nothing for a subscriber that is away): what one Redis
 * and a Redis Cluster share. Subclasses send the commands (PUBLISH or SPUBLISH…) and say when a
 * connection was lost and when it is back.
 *
 * - One Redis subscription per topic however many local subscribers; the last one to leave
 *   unsubscribes. Commands for one topic run one at a time, so a quick leave-and-join cannot reorder them.
 * - After a lost connection, every topic is subscribed again, then the onReconnect listeners run
 *   (subscribers replay what they missed from PostgreSQL): see `restoreSubscriptions`.
 * - `publish` while disconnected waits in node-redis's offline queue for at most `publishTimeoutMs`,
 *   then rejects (and is dropped from the queue if still unsent): a short blip is invisible, an outage
 *   fails fast instead of piling up requests and memory. Callers that must not lose the event store it
 *   in PostgreSQL first and treat the publish as a best-effort notification.
 */
export abstract class RedisPubSubBase implements PubSub {
  abstract readonly kind: 'redis' | 'redis-cluster';
  protected readonly fanout = new Fanout();
  /** Topics Redis has acknowledged a subscription to, and no unsubscription since. */
  protected readonly subscribed = new Set<string>();
  /**
   * Topics whose subscription Redis may have dropped though it was acknowledged (a cluster node's
   * connection was lost, or the topic's slot moved): unsubscribed and subscribed again by `reconcile`,
   * so that a subscription acknowledged afterwards proves it is live.
   */
  protected readonly stale = new Set<string>();
  /** Per topic, the tail of its chain of (un)subscribe commands. */
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly publishing = new Set<Promise<unknown>>();
  protected closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    protected readonly log: Logger,
    protected readonly options: PubSubOptions,
  ) {}

  /** Sends `message` to the topic's subscribers on every instance. */
  protected abstract send(topic: string, message: string, signal: AbortSignal): Promise<unknown>;
  /** Subscribes to `topic`; resolves once Redis acknowledged it. */
  protected abstract listen(topic: string, listener: MessageListener): Promise<void>;
  /** Unsubscribes from `topic`; resolves once Redis acknowledged it. */
  protected abstract unlisten(topic: string, listener: MessageListener): Promise<void>;
  /** Rejects unless every connection is up and Redis answers. */
  protected abstract check(signal: AbortSignal): Promise<void>;
  /** Closes the connections, pending reconnection attempts included. */
  protected abstract disconnect(): void;

  async publish<T>(topic: string, payload: T): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    const message = encodePayload(topic, payload);
    const sent = this.withDeadline(this.options.publishTimeoutMs, `PUBLISH ${topic}`, (signal) =>
      this.send(topic, message, signal),
    );
    this.publishing.add(sent);
    try {
      await sent;
    } finally {
      this.publishing.delete(sent);
    }
  }

  subscribe<T>(topic: string, options: { maxBuffered?: number } = {}): Subscription<T> {
    const channel: Channel<T> = new Channel<T>({
      topic,
      maxBuffered: options.maxBuffered ?? this.options.maxBuffered,
      log: this.log,
      onReturn: () => {
        this.fanout.remove(topic, channel);
        void this.sync(topic);
      },
    });
    if (this.closed) {
      channel.end();
      return channel;
    }
    this.fanout.add(topic, channel);
    void this.sync(topic);
    return channel;
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => {
      this.reconnectListeners.delete(listener);
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    await this.withDeadline(this.options.pingTimeoutMs, 'PING', (signal) => this.check(signal));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.fanout.endAll();
    this.reconnectListeners.clear();
    // Each is bounded by publishTimeoutMs.
    await Promise.allSettled([...this.publishing]);
    this.disconnect();
    await Promise.allSettled([...this.syncing.values()]);
  }

  /**
   * Brings every topic's Redis subscription in line with its local subscribers (stale ones
   * subscribed anew); resolves true when all of them are, false when a command failed (it is
   * retried by the next call). Never rejects.
   */
  protected async resubscribe(): Promise<boolean> {
    const topics = new Set([...this.fanout.topicNames(), ...this.subscribed, ...this.stale]);
    await Promise.all([...topics].map((topic) => this.sync(topic)));
    return (
      this.stale.size === 0 &&
      [...this.fanout.topicNames()].every((topic) => this.subscribed.has(topic)) &&
      [...this.subscribed].every((topic) => this.fanout.has(topic))
    );
  }

  /** Tells the onReconnect listeners that messages may have been lost (they replay from PostgreSQL). */
  protected notifyReconnected(): void {
    if (this.closed) return;
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'pubsub onReconnect listener threw');
      }
    }
  }

  protected readonly onMessage: MessageListener = (message, topic) => {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (err) {
      this.log.warn({ err, topic }, 'dropping a pubsub message that is not JSON');
      return;
    }
    this.fanout.deliver(topic, payload);
  };

  /** Queues a reconciliation of `topic` behind the previous one; never rejects. */
  private sync(topic: string): Promise<void> {
    const next = (this.syncing.get(topic) ?? Promise.resolve()).then(() => this.reconcile(topic));
    this.syncing.set(topic, next);
    void next.then(() => {
      if (this.syncing.get(topic) === next) this.syncing.delete(topic);
    });
    return next;
  }

  /** Makes Redis's subscription to `topic` match whether it has local subscribers. */
  private async reconcile(topic: string): Promise<void> {
    if (this.closed) return;
    try {
      if (this.stale.delete(topic) && this.subscribed.has(topic)) {
        this.subscribed.delete(topic);
        // Whatever Redis still holds of it goes (its listener with it); subscribed again below if wanted.
        await this.unlisten(topic, this.onMessage).catch((err: unknown) => {
          if (!this.closed) this.log.debug({ err, topic }, 'Redis unsubscribe of a stale topic failed');
        });
      }
      const wanted = this.fanout.has(topic);
      if (wanted && !this.subscribed.has(topic)) {
        await this.listen(topic, this.onMessage);
        this.subscribed.add(topic);
      } else if (!wanted && this.subscribed.has(topic)) {
        await this.unlisten(topic, this.onMessage);
        this.subscribed.delete(topic);
      }
    } catch (err) {
      // Typically the connection dropped with the command in flight; the restore after it retries.
      if (!this.closed)
        this.log.warn(
          { err, topic, wanted: this.fanout.has(topic) },
          'Redis (un)subscribe failed; retrying after reconnect',
        );
      return;
    }
    if (this.subscribed.has(topic)) {
      for (const channel of this.fanout.channels(topic)) channel.markReady();
    }
  }

  /** Runs a command that rejects after `ms`; if it is still waiting in the offline queue, it is removed and never sent. */
  protected async withDeadline<R>(ms: number, what: string, run: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first so that this error, not node-redis's AbortError, wins the race.
        reject(new Error(`Redis did not answer ${what} within ${ms} ms`));
        controller.abort();
      }, ms);
    });
    try {
      return await Promise.race([run(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The wait before reconnection attempt `retries`: min(attempt × step, max) plus jitter. */
export function reconnectDelay(retries: number, options: PubSubOptions): number {
  return (
    Math.min(retries * options.reconnectStepMs, options.reconnectMaxDelayMs) +
    Math.floor(Math.random() * options.reconnectJitterMs)
  );
}

/** Node 20 reports a refused dual-stack connect as an AggregateError with an empty message. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describeError).join('; ');
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
