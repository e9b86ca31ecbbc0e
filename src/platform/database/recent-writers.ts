import type { Logger } from '../logger';
import { connectRedis, RedisGuard, type RedisClient, type RedisTarget } from '../redis';

/**
 * The users who wrote in the last DATABASE_REPLICA_STICKY_MS: their reads go to the primary, so a
 * member reads what they just wrote however far the replicas lag (read-your-writes). A mark is set
 * after each mutation a signed-in viewer ran (its effects committed), before the response leaves.
 *
 * With REDIS_URL the marks are Redis keys with that time to live, shared by every instance: the
 * member's next request may reach any instance, and the key is in Redis before the response that
 * tells the member their write is done. Without it, in this process (one instance).
 */
export interface RecentWriters {
  readonly kind: 'memory' | 'redis';
  /** Marks `userId` as having just written. Never throws. */
  mark(userId: number): Promise<void>;
  /**
   * Whether `userId` wrote within the window. True also when it cannot be known (Redis unreachable):
   * a member who wrote must never read from a lagging replica, so the primary serves.
   */
  wroteRecently(userId: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The marks in this process; expired ones are swept as the map grows. */
class MemoryRecentWriters implements RecentWriters {
  readonly kind = 'memory';
  private readonly until = new Map<number, number>();

  constructor(private readonly windowMs: number) {}

  async mark(userId: number): Promise<void> {
    const now = Date.now();
    if (this.until.size > 100_000) for (const [id, t] of this.until) if (t <= now) this.until.delete(id);
    this.until.set(userId, now + this.windowMs);
  }

  async wroteRecently(userId: number): Promise<boolean> {
    const until = this.until.get(userId);
    return until !== undefined && until > Date.now();
  }

  async close(): Promise<void> {
    this.until.clear();
  }
}

/**
 * Marks as Redis keys (`wrote:<namespace>:<user id>`, `SET … PX`). While Redis does not answer, signed-in
 * viewers read the primary (logged once); marks that could not be written are kept in this process too.
 */
class RedisRecentWriters implements RecentWriters {
  readonly kind = 'redis';
  private readonly local: MemoryRecentWriters;
  /** Asked as the rate limiter asks: a request never waits on a Redis that is down (see {@link RedisGuard}). */
  private readonly redis: RedisGuard;

  constructor(
    private readonly client: RedisClient,
    private readonly windowMs: number,
    log: Logger,
    private readonly namespace: string,
  ) {
    this.local = new MemoryRecentWriters(windowMs);
    this.redis = new RedisGuard(client, log, {
      down: 'read-your-writes: Redis unreachable; signed-in members read from the primary until it answers',
      back: 'read-your-writes: Redis answers again; members who did not just write read from replicas again',
    });
  }

  async mark(userId: number): Promise<void> {
    await this.local.mark(userId);
    await this.redis.ask((redis) =>
      redis.set(this.key(userId), '1', { expiration: { type: 'PX', value: this.windowMs } }),
    );
  }

  async wroteRecently(userId: number): Promise<boolean> {
    const found = await this.redis.ask((redis) => redis.exists(this.key(userId)));
    return found === undefined || found > 0 || (await this.local.wroteRecently(userId));
  }

  private key(userId: number): string {
    return `wrote:${this.namespace}:${userId}`;
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.local.close();
  }
}

/**
 * The recent writers: in Redis when REDIS_URL or REDIS_CLUSTER_NODES is set (one key per user), else in this process.
 * @param windowMs DATABASE_REPLICA_STICKY_MS (0: nobody is ever marked)
 * @param namespace names the database (see `databaseIdentity`): a Redis shared by several deployments keeps their marks apart
 */
export async function createRecentWriters(
  redis: RedisTarget | undefined,
  windowMs: number,
  log: Logger,
  namespace = '',
): Promise<RecentWriters> {
  if (!redis || windowMs === 0) return new MemoryRecentWriters(windowMs);
  const client = await connectRedis(redis, 'townsquare:recent-writers', log);
  return new RedisRecentWriters(client, windowMs, log, namespace);
}
