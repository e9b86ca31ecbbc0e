import { createHmac } from 'node:crypto';
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
  /**
   * Counts a hit for a client address under `name` (`signin`, …). The key names the address by its keyed hash,
   * never in clear, and lives at most {@link addressRetentionMs}, however long `windowMs` is.
   */
  consumeForAddress(name: string, address: string, limit: number, windowMs: number): Promise<void>;
  /**
   * The longest a key that names a client address lives: the retention settings' `ipAddressHours`
   * (the privacy module keeps it current). Default 24 hours.
   */
  addressRetentionMs: number;
  close(): Promise<void>;
}

/** What both limiters share: keys for client addresses. */
abstract class BaseRateLimiter {
  addressRetentionMs = 24 * 3_600_000;

  /** @param addressSecret keys the hash that names an address (derived from TOKEN_SECRET) */
  constructor(private readonly addressSecret: string) {}

  abstract consume(key: string, limit: number, windowMs: number, hits?: number): Promise<void>;

  consumeForAddress(name: string, address: string, limit: number, windowMs: number): Promise<void> {
    // Keyed, so a key read from Redis does not give the address back (an IPv4 hash alone is 2^32 guesses away).
    const hashed = createHmac('sha256', this.addressSecret).update(address).digest('base64url').slice(0, 22);
    return this.consume(`${name}:ip:${hashed}`, limit, Math.min(windowMs, this.addressRetentionMs));
  }
}

/** In-process counters (one instance only); expired windows are swept as keys are touched. */
class MemoryRateLimiter extends BaseRateLimiter implements RateLimiter {
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
class RedisRateLimiter extends BaseRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  private readonly fallback: MemoryRateLimiter;
  private readonly redis: RedisGuard;

  /** @param namespace names the database (a Redis shared by several deployments keeps their counters apart) */
  constructor(
    private readonly client: RedisClient,
    log: Logger,
    private readonly namespace: string,
    addressSecret: string,
  ) {
    super(addressSecret);
    this.fallback = new MemoryRateLimiter(addressSecret);
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
 * @param tokenSecret TOKEN_SECRET: a key derived from it hashes client addresses in keys
 */
export async function createRateLimiter(
  redis: RedisTarget | undefined,
  log: Logger,
  namespace: string,
  tokenSecret: string,
): Promise<RateLimiter> {
  const addressSecret = createHmac('sha256', tokenSecret).update('townsquare rate-limit addresses').digest('hex');
  if (!redis) return new MemoryRateLimiter(addressSecret);
  // Fails fast at start (as pub/sub does); afterwards reconnects with capped backoff.
  const client = await connectRedis(redis, 'townsquare:ratelimit', log);
  return new RedisRateLimiter(client, log, namespace, addressSecret);
}
