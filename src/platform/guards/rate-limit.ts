import type { Logger } from '../logger';
import { RateLimited } from '../errors';
import { connectRedis, RedisGuard, type RedisClient, type RedisTarget } from '../redis';

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
 * longer than REDIS_GUARD_TIMING.deadlineMs, nor at all while Redis is known to be down (see
 * {@link RedisGuard}).
 */
class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  private readonly fallback = new MemoryRateLimiter();
  private readonly redis: RedisGuard;

  /** @param namespace names the database (a Redis shared by several deployments keeps their counters apart) */
  constructor(
    private readonly client: RedisClient,
    log: Logger,
    private readonly namespace: string,
  ) {
    this.redis = new RedisGuard(client, log, {
      down: 'rate limiter: Redis unreachable; counting in this process until it answers again',
      back: 'rate limiter: Redis answers again; counters are shared again',
    });
  }

  async consume(key: string, limit: number, windowMs: number, hits = 1): Promise<void> {
    const k = `ratelimit:${this.namespace}:${key}`;
    const reply = await this.redis.ask((redis) =>
      redis.multi().incrBy(k, hits).pExpire(k, windowMs, 'NX').pTTL(k).exec(),
    );
    if (!reply) return this.fallback.consume(key, limit, windowMs, hits);
    const [count, , ttl] = reply.map(Number);
    if (count > limit) throw new RateLimited(Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000)));
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
