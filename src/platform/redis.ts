import { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A Redis client for counters and keys (not pub/sub): fails fast at start, then reconnects with a
 * capped backoff. While disconnected, commands fail at once instead of waiting in a queue, so a
 * request never hangs on Redis. Errors are logged at debug: callers handle a failed command.
 */
export async function connectRedis(url: string, name: string, log: Logger): Promise<RedisClient> {
  let connected = false;
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => (connected ? Math.min(retries * 100, 2000) : false) },
  });
  client.on('error', (err: Error) => log.debug({ err, client: name }, 'redis client error'));
  await client.connect();
  connected = true;
  return client;
}
