import type { Logger } from '../logger';
import { RateLimited } from '../errors';
import { connectRedis, onRedisRestored, redisReady, type RedisClient, type RedisTarget } from '../redis';

/** A fixed-window counter per key: at most `limit` hits per `windowMs`. */
export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  /**
   * Counts `hits` (default 1) on a key; throws RATE_LIMITED (with `retryAfter` seconds) once the key is over its limit.
   * Never waits on an unreachable Redis: it counts in this process instead (see {@link RedisRateLimiter}).
   */
  consume(key: string, limit: number, windowMs: number, hits?: number): Promise<void>;
  close(): Promise<void>;
}

/** How the Redis limiter treats an unreachable Redis. */
const REDIS_FALLBACK = {
  /** Longest wait for Redis's answer before the request is counted in this process instead. */
  deadlineMs: 200,
  /** After a command failed or timed out, Redis is skipped this long before it is tried again. */
  retryMs: 2000,
} as const;

/** In-process counters (one instance only); expired windows are swept as keys are touched. */
class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory';
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async consume(key: string, limit: number, windowMs: number, hits = 1): Promise<void> {
    const now = Date.now();
    if (this.windows.size > 100_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += hits;
    if (w.count > limit) throw new RateLimited(Math.max(1, Math.ceil((w.resetAt - now) / 1000)));
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

/**
 * Counters in Redis (INCRBY + PEXPIRE NX), shared by every instance. While Redis is unreachable the
 * limits still hold, per instance: hits are counted in this process. A request never waits on Redis
 * longer than REDIS_FALLBACK.deadlineMs, and not at all while Redis is known to be down: node-redis
 * holds a command sent while it reconnects until its next connection attempt (up to its 2 s backoff),
 * even with the offline queue disabled, so the limiter asks only a client that is ready, and after a
 * failure leaves Redis alone for REDIS_FALLBACK.retryMs.
 */
class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  private readonly fallback = new MemoryRateLimiter();
  private skipUntil = 0;
  private down = false;

  /** @param namespace names the database (a Redis shared by several deployments keeps their counters apart) */
  constructor(
    private readonly client: RedisClient,
    private readonly log: Logger,
    private readonly namespace: string,
  ) {
    // Reconnected: ask Redis again at once rather than at the end of the pause.
    onRedisRestored(client, () => {
      this.skipUntil = 0;
    });
  }

  async consume(key: string, limit: number, windowMs: number, hits = 1): Promise<void> {
    const counted =
      Date.now() >= this.skipUntil && redisReady(this.client) ? await this.count(key, windowMs, hits) : undefined;
    if (!counted) return this.fallback.consume(key, limit, windowMs, hits);
    if (counted.count > limit)
      throw new RateLimited(Math.max(1, Math.ceil((counted.ttl > 0 ? counted.ttl : windowMs) / 1000)));
  }

  /** The key's count and time to live from Redis, or undefined when Redis did not answer in time. */
  private async count(
    key: string,
    windowMs: number,
    hits: number,
  ): Promise<{ count: number; ttl: number } | undefined> {
    const k = `ratelimit:${this.namespace}:${key}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = this.client.multi().incrBy(k, hits).pExpire(k, windowMs, 'NX').pTTL(k).exec();
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer from Redis in ${REDIS_FALLBACK.deadlineMs} ms`)),
          REDIS_FALLBACK.deadlineMs,
        );
      });
      reply.catch(() => undefined); // it may settle after the deadline
      const [count, , ttl] = await Promise.race([reply, deadline]);
      if (this.down) {
        this.down = false;
        this.log.info('rate limiter: Redis answers again; counters are shared again');
      }
      return { count: Number(count), ttl: Number(ttl) };
    } catch (err) {
      this.skipUntil = Date.now() + REDIS_FALLBACK.retryMs;
      if (!this.down) {
        this.down = true;
        this.log.warn(
          { err: (err as Error).message },
          'rate limiter: Redis unreachable; counting in this process until it answers again',
        );
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.fallback.close();
  }
}

/**
 * The rate limiter: Redis when REDIS_URL or REDIS_CLUSTER_NODES is set (shared across instances, with
 * per-instance counters while Redis is unreachable), otherwise in-process. Each counter is one key
 * (a transaction on it alone), so on a cluster the counters spread over every node.
 * @param namespace names the database (see `databaseIdentity`); used for the Redis keys
 */
export async function createRateLimiter(
  redis: RedisTarget | undefined,
  log: Logger,
  namespace = '',
): Promise<RateLimiter> {
  if (!redis) return new MemoryRateLimiter();
  // Fails fast at start (as pub/sub does); afterwards reconnects with capped backoff.
  const client = await connectRedis(redis, 'townsquare:ratelimit', log);
  return new RedisRateLimiter(client, log, namespace);
}
