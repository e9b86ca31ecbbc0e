import { createClient } from 'redis';
import type { Logger } from '../logger';
import { describeTarget, redactUrl, type RedisTarget } from '../redis';
import type { PubSub, PubSubOptions } from './pubsub';
import { describeError, reconnectDelay, RedisPubSubBase, type MessageListener } from './redis-base';
import { RedisClusterPubSub } from './redis-cluster';

type Role = 'publisher' | 'subscriber';

/** Connection health of one client, as seen through node-redis's events. */
interface ConnectionState {
  /** Set at the first 'ready': until then a failure ends connect() instead of retrying (fail fast at start). */
  everReady: boolean;
  /** Lost since the last 'ready'. */
  down: boolean;
}

function createClients(url: string, options: PubSubOptions, states: Record<Role, ConnectionState>) {
  const socket = (state: ConnectionState) => ({
    reconnectStrategy: (retries: number): number | false =>
      state.everReady ? reconnectDelay(retries, options) : false,
  });
  const publisher = createClient({ url, name: `${options.clientName}:publisher`, socket: socket(states.publisher) });
  // duplicate() keeps the URL (so host, credentials, TLS and database) and takes our overrides.
  const subscriber = publisher.duplicate({
    name: `${options.clientName}:subscriber`,
    socket: socket(states.subscriber),
  });
  return { publisher, subscriber };
}

type RedisClient = ReturnType<typeof createClients>['publisher'];

/**
 * Connects a Redis-backed {@link PubSub}: on one Redis (REDIS_URL), PUBLISH and SUBSCRIBE; on a Redis
 * Cluster (REDIS_CLUSTER_NODES), sharded channels (see `RedisClusterPubSub`). Rejects, naming the
 * variable, if Redis cannot be reached.
 */
export async function connectRedisPubSub(target: RedisTarget, log: Logger, options: PubSubOptions): Promise<PubSub> {
  const pubsub =
    'url' in target ? new RedisNodePubSub(target.url, log, options) : new RedisClusterPubSub(target, log, options);
  await pubsub.connect();
  return pubsub;
}

/**
 * Pub/sub on one Redis: one publisher connection, one subscriber connection (RESP2 puts a
 * subscribing connection in a mode where it can send nothing else). Both reconnect forever with
 * capped backoff. node-redis re-issues the SUBSCRIBEs it had acknowledged before it emits 'ready';
 * topics whose (UN)SUBSCRIBE was lost in flight are reconciled then; then the onReconnect listeners run.
 */
class RedisNodePubSub extends RedisPubSubBase {
  readonly kind = 'redis' as const;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly states: Record<Role, ConnectionState> = {
    publisher: { everReady: false, down: false },
    subscriber: { everReady: false, down: false },
  };

  constructor(
    private readonly url: string,
    log: Logger,
    options: PubSubOptions,
  ) {
    super(log, options);
    try {
      ({ publisher: this.publisher, subscriber: this.subscriber } = createClients(url, options, this.states));
    } catch (err) {
      // Not chained as `cause`: URL errors carry the input, password included.
      throw new Error(`REDIS_URL is not a valid Redis URL (${redactUrl(url)}): ${describeError(err)}`);
    }
    this.watch(this.publisher, 'publisher');
    this.watch(this.subscriber, 'subscriber');
  }

  async connect(): Promise<void> {
    await this.connectOne(this.publisher, 'publisher');
    try {
      await this.connectOne(this.subscriber, 'subscriber');
    } catch (err) {
      this.publisher.destroy();
      throw err;
    }
    this.log.info({ redis: redactUrl(this.url) }, 'pubsub connected to Redis');
  }

  protected send(topic: string, message: string, signal: AbortSignal): Promise<unknown> {
    return this.publisher.withAbortSignal(signal).publish(topic, message);
  }

  protected listen(topic: string, listener: MessageListener): Promise<void> {
    return this.subscriber.subscribe(topic, listener);
  }

  protected unlisten(topic: string, listener: MessageListener): Promise<void> {
    return this.subscriber.unsubscribe(topic, listener);
  }

  protected async check(signal: AbortSignal): Promise<void> {
    if (!this.subscriber.isReady) throw new Error('Redis subscriber connection is down');
    await this.publisher.withAbortSignal(signal).ping();
  }

  protected disconnect(): void {
    for (const client of [this.publisher, this.subscriber]) {
      // destroy() cannot stop a reconnect attempt whose socket is still opening; unref keeps that one
      // from holding the process open.
      client.unref();
      if (client.isOpen) client.destroy();
    }
  }

  private async connectOne(client: RedisClient, role: Role): Promise<void> {
    try {
      await client.connect();
    } catch (err) {
      throw new Error(
        `Cannot connect the pubsub ${role} to Redis at ${describeTarget({ url: this.url })}: ${describeError(err)}`,
        { cause: err },
      );
    }
  }

  private watch(client: RedisClient, role: Role): void {
    const state = this.states[role];
    const markDown = () => {
      if (!state.everReady || state.down || this.closed) return;
      state.down = true;
      this.log.warn({ role }, 'Redis connection lost; reconnecting');
    };
    // Mandatory: node-redis emits 'error' on every failed attempt, and an unhandled 'error' event kills the process.
    client.on('error', (err: unknown) => {
      const quiet = !state.everReady || state.down || this.closed;
      this.log[quiet ? 'debug' : 'error']({ err, role }, 'Redis client error');
      if (!client.isReady) markDown();
    });
    client.on('reconnecting', markDown);
    client.on('ready', () => {
      if (!state.everReady) {
        state.everReady = true;
        return;
      }
      if (!state.down) return;
      state.down = false;
      this.log.info({ role }, 'Redis connection restored');
      if (role === 'subscriber' && !this.closed) void this.restoreSubscriptions();
    });
  }

  private async restoreSubscriptions(): Promise<void> {
    await this.resubscribe();
    this.notifyReconnected();
  }
}
