import { createClient, createCluster, type RedisClusterOptions } from 'redis';
import type { Config } from '../config';
import type { Logger } from './logger';

/** One Redis node's client. */
export type RedisNodeClient = ReturnType<typeof createClient>;
/** A Redis Cluster's client: routes each command to the node holding its key's slot. */
export type RedisClusterClient = ReturnType<typeof createCluster>;
/**
 * Either. Every command Townsquare sends has the same signature on both; a command or script with
 * several keys needs them in one slot on a cluster (one hash tag: see {@link communityHashTag}).
 */
export type RedisClient = RedisNodeClient | RedisClusterClient;

/** Where Redis is: one node (REDIS_URL) or the seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisTarget = { url: string } | { clusterNodes: string[] };

/** The Redis of the configuration, or undefined when everything runs in process. */
export function redisTarget(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): RedisTarget | undefined {
  if (config.REDIS_CLUSTER_NODES?.length) return { clusterNodes: config.REDIS_CLUSTER_NODES };
  return config.REDIS_URL ? { url: config.REDIS_URL } : undefined;
}

/**
 * The hash tag of a community's Redis keys and pub/sub channels (`{c42}`): Redis Cluster hashes only
 * what is between the braces, so everything named with it lives in one slot, on one node, and may
 * be used together in one script or transaction. On one Redis it is part of the name, nothing more.
 */
export function communityHashTag(communityId: number): string {
  return `{c${communityId}}`;
}

/** The variable and its URLs without credentials, for messages and logs: `REDIS_URL (redis://host:6379)`. */
export function describeTarget(target: RedisTarget): string {
  return 'url' in target
    ? `REDIS_URL (${redactUrl(target.url)})`
    : `REDIS_CLUSTER_NODES (${target.clusterNodes.map(redactUrl).join(', ')})`;
}

/** The URL without its credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

export function isCluster(client: RedisClient): client is RedisClusterClient {
  return 'masters' in client;
}

/**
 * A cluster client's options: the seed nodes, and for every node it discovers the seed URLs'
 * credentials and TLS (a discovered node is only a host and port) and `node` (name, socket options…).
 */
export function clusterOptions(
  nodes: string[],
  node: { name: string; disableOfflineQueue?: boolean; reconnectStrategy: (retries: number) => number | false },
): RedisClusterOptions {
  const seed = new URL(nodes[0]);
  const decode = (s: string) => (s ? decodeURIComponent(s) : undefined);
  return {
    rootNodes: nodes.map((url) => ({ url })),
    defaults: {
      name: node.name,
      username: decode(seed.username),
      password: decode(seed.password),
      disableOfflineQueue: node.disableOfflineQueue,
      socket:
        seed.protocol === 'rediss:'
          ? { tls: true, reconnectStrategy: node.reconnectStrategy }
          : { reconnectStrategy: node.reconnectStrategy },
    },
  };
}

/**
 * A Redis client for counters and keys (not pub/sub), one node's or a cluster's: fails fast at start,
 * then reconnects with a capped backoff. While disconnected, commands fail at once instead of waiting
 * in a queue, so a request never hangs on Redis. Errors are logged at debug: callers handle a failed command.
 */
export async function connectRedis(target: RedisTarget, name: string, log: Logger): Promise<RedisClient> {
  let connected = false;
  const reconnectStrategy = (retries: number) => (connected ? Math.min(retries * 100, 2000) : false);
  const onError = (err: Error) => log.debug({ err, client: name }, 'redis client error');
  if ('url' in target) {
    const client = createClient({ url: target.url, name, disableOfflineQueue: true, socket: { reconnectStrategy } });
    client.on('error', onError);
    await client.connect();
    connected = true;
    return client;
  }
  const cluster = createCluster(
    clusterOptions(target.clusterNodes, { name, disableOfflineQueue: true, reconnectStrategy }),
  );
  // 'error': a failed topology discovery (unhandled, it would end the process); 'node-error': one node's connection.
  cluster.on('error', onError);
  cluster.on('node-error', onError);
  await cluster.connect();
  connected = true;
  return cluster;
}

/**
 * Whether a command sent now goes out at once: the node's connection is ready, or in a cluster every
 * master's (node-redis holds a command sent while its connection reconnects until the next attempt,
 * even with the offline queue off).
 */
export function redisReady(client: RedisClient): boolean {
  if (!isCluster(client)) return client.isReady;
  const masters = client.masters;
  return client.isOpen && masters.length > 0 && masters.every((m) => m.client?.isReady === true);
}

/**
 * Calls `listener` each time Redis is back after a lost connection (not at the first connection):
 * one node's client is ready again, or a cluster's masters all are after one of them reconnected.
 */
export function onRedisRestored(client: RedisClient, listener: () => void): void {
  if (!isCluster(client)) {
    client.on('ready', listener);
    return;
  }
  let lost = false;
  const watched = new WeakSet<object>();
  const check = () => {
    if (lost && redisReady(client)) {
      lost = false;
      listener();
    }
  };
  // A node's client reconnects on its own and says so; its 'ready' after that is heard here, not through
  // the cluster (which passes on each node's first 'ready' only). A node discovered anew says 'node-ready'.
  client.on('node-reconnecting', ({ host, port }: { host: string; port: number }) => {
    lost = true;
    const node = client.nodeByAddress.get(`${host}:${port}`);
    if (node?.client && !watched.has(node.client)) {
      watched.add(node.client);
      node.client.on('ready', check);
    }
  });
  client.on('node-ready', check);
}

/** How a request-path Redis user treats an unreachable Redis (see {@link RedisGuard}). */
export const REDIS_GUARD_TIMING = {
  /** Longest wait for Redis's answer before the request goes on without it. */
  deadlineMs: 200,
  /** After a command failed or timed out, Redis is left alone this long (or until it reconnects). */
  retryMs: 2000,
} as const;

/**
 * `promise`, or a rejection once `ms` have passed without it settling. A late settlement is
 * swallowed, so a command answered after the deadline never becomes an unhandled rejection.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => undefined);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Asks Redis on a request's path, which must never wait on a Redis that is down (issue 12): not
 * while the client reconnects (node-redis holds a command until its next attempt), each command at
 * most `deadlineMs`, and after a failure or a timeout not for `retryMs` unless it reconnects first.
 * The outage and the recovery are logged once each. `ask` answers undefined whenever Redis was not
 * asked or did not answer: the caller then does what it does without Redis.
 */
export class RedisGuard {
  private skipUntil = 0;
  private down = false;

  /** @param messages logged when Redis stops answering (warn) and when it answers again (info) */
  constructor(
    private readonly client: RedisClient,
    private readonly log: Logger,
    private readonly messages: { down: string; back: string },
    private readonly timing: { deadlineMs: number; retryMs: number } = REDIS_GUARD_TIMING,
  ) {
    onRedisRestored(client, () => {
      this.skipUntil = 0;
    });
  }

  /** Whether a command sent now would go to Redis. */
  get usable(): boolean {
    return Date.now() >= this.skipUntil && redisReady(this.client);
  }

  /** The command's answer, or undefined when Redis was skipped, failed or missed the deadline. */
  async ask<T>(command: (client: RedisClient) => Promise<T>): Promise<T | undefined> {
    if (!this.usable) return undefined;
    try {
      const answer = await withDeadline(command(this.client), this.timing.deadlineMs);
      if (this.down) {
        this.down = false;
        this.log.info(this.messages.back);
      }
      return answer;
    } catch (err) {
      this.skipUntil = Date.now() + this.timing.retryMs;
      if (!this.down) {
        this.down = true;
        this.log.warn({ err: (err as Error).message }, this.messages.down);
      }
      return undefined;
    }
  }
}
