import type { Logger } from '../logger';
import { MemoryPubSub } from './memory';
import { connectRedisPubSub } from './redis';
import type { RedisTarget } from '../redis';

/** An async iterator of one topic's payloads, as returned by {@link PubSub.subscribe}. */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  /**
   * Resolves once the broker delivers the topic to this subscription (Redis: its SUBSCRIBE was
   * acknowledged; in memory: at once), or when the subscription ends first. Never rejects.
   * A subscription resolver can await it so that an event published right after the client
   * subscribed is not missed.
   */
  readonly ready: Promise<void>;
}

export interface PubSub {
  readonly kind: 'memory' | 'redis' | 'redis-cluster';
  /**
   * Publishes a JSON-serializable payload to every subscriber of `topic` on every instance.
   * Both backends deliver `JSON.parse(JSON.stringify(payload))` (a `Date` arrives as a string), and
   * reject a payload JSON cannot encode. Rejects after close(). Redis: see {@link PubSubOptions.publishTimeoutMs}.
   */
  publish<T>(topic: string, payload: T): Promise<void>;
  /**
   * Payloads published on `topic` from now on, in publish order. `return()` on the iterator unsubscribes
   * (and resolves a pending next() with done). Backpressure: a slow consumer buffers at most
   * `maxBuffered` (default 1000) messages; past that the oldest are dropped and a warning is logged.
   * After close() the iterator is already done. Throws a RangeError if `maxBuffered` is not a positive integer.
   */
  subscribe<T>(topic: string, options?: { maxBuffered?: number }): Subscription<T>;
  /**
   * Registers a listener called each time the broker connection comes back after a loss (messages
   * published meanwhile may be lost: callers replay from PostgreSQL). Returns an unsubscribe function.
   * Redis calls it once the topics are subscribed again; the memory backend never loses its "connection".
   */
  onReconnect(listener: () => void): () => void;
  /** Resolves when the broker answers (readiness probe); rejects otherwise, within ~1 s. */
  ping(): Promise<void>;
  /** Ends every open iterator (done) and closes connections. Idempotent. */
  close(): Promise<void>;
}

/** Tuning of the pub/sub layer; every field has its default in {@link pubSubDefaults}. */
export interface PubSubOptions {
  /** Messages buffered per slow subscriber before the oldest are dropped. Default 1000. */
  maxBuffered: number;
  /**
   * Redis: how long `publish` may wait, queued, for a lost connection to come back before it rejects.
   * Default 3000 ms: it rides out a broker failover or a network blip without holding a mutation's
   * response (or the heap) hostage during a real outage. A rejected publish that was still queued is never sent.
   */
  publishTimeoutMs: number;
  /** Redis: deadline of `ping()`. Default 1000 ms. */
  pingTimeoutMs: number;
  /** Redis: reconnect delay is min(attempt × step, max) plus up to `reconnectJitterMs`. Defaults 100, 2000, 100 ms. */
  reconnectStepMs: number;
  reconnectMaxDelayMs: number;
  reconnectJitterMs: number;
  /**
   * Redis: CLIENT SETNAME prefix, so `CLIENT LIST` shows `<name>:publisher` and `<name>:subscriber`.
   * Default `townsquare`.
   */
  clientName: string;
}

export const pubSubDefaults: Readonly<PubSubOptions> = Object.freeze({
  maxBuffered: 1000,
  publishTimeoutMs: 3000,
  pingTimeoutMs: 1000,
  reconnectStepMs: 100,
  reconnectMaxDelayMs: 2000,
  reconnectJitterMs: 100,
  clientName: 'townsquare',
});

/**
 * In-process pub/sub without Redis; Redis pub/sub with it: on one Redis (REDIS_URL) two connections,
 * publisher and subscriber; on a Redis Cluster (REDIS_CLUSTER_NODES) sharded channels, two connections
 * per node. Resolves only once connected, and rejects (naming the variable) if Redis cannot be
 * reached: the server must not start half-configured. Later connection losses are retried forever.
 */
export async function createPubSub(
  redis: RedisTarget | undefined,
  log: Logger,
  options: Partial<PubSubOptions> = {},
): Promise<PubSub> {
  const resolved: PubSubOptions = { ...pubSubDefaults, ...options };
  const pubsubLog = log.child({ component: 'pubsub' });
  if (!redis) return new MemoryPubSub(pubsubLog, resolved);
  return connectRedisPubSub(redis, pubsubLog, resolved);
}
