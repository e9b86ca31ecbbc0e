import type { Logger } from '../logger';
import { RateLimited } from '../errors';
import { connectRedis, type RedisClient } from '../redis';

/** A fixed-window counter per key: at most `limit` hits per `windowMs`. */
export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  /** Counts a hit; throws RATE_LIMITED (with `retryAfter` seconds) once the key is over its limit. */
  consume(key: string, limit: number, windowMs: number): Promise<void>;
  close(): Promise<void>;
}

/** In-process counters (one instance only); expired windows are swept as keys are touched. */
class MemoryRateLimiter implements RateLimiter {
  readonly kind = 'memory';
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async consume(key: string, limit: number, windowMs: number): Promise<void> {
    const now = Date.now();
    if (this.windows.size > 100_000) for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count > limit) throw new RateLimited(Math.max(1, Math.ceil((w.resetAt - now) / 1000)));
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}

/** Counters in Redis (INCR + PEXPIRE NX), shared by every instance. */
class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  constructor(private readonly client: RedisClient, private readonly log: Logger) {}

  async consume(key: string, limit: number, windowMs: number): Promise<void> {
    let count: number;
    let ttl: number;
    try {
      const [incr, , pttl] = await this.client.multi().incr(`ratelimit:${key}`).pExpire(`ratelimit:${key}`, windowMs, 'NX').pTTL(`ratelimit:${key}`).exec();
      count = Number(incr);
      ttl = Number(pttl);
    } catch (err) {
      // A limiter outage must not lock everyone out: let the request through and say so.
      this.log.warn({ err, key }, 'rate limiter unavailable; request allowed');
      return;
    }
    if (count > limit) throw new RateLimited(Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000)));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** The rate limiter: Redis when REDIS_URL is set (shared across instances), otherwise in-process. */
export async function createRateLimiter(redisUrl: string | undefined, log: Logger): Promise<RateLimiter> {
  if (!redisUrl) return new MemoryRateLimiter();
  // Fails fast at start (as pub/sub does); afterwards reconnects with capped backoff.
  const client = await connectRedis(redisUrl, 'townsquare:ratelimit', log);
  return new RedisRateLimiter(client, log);
}
