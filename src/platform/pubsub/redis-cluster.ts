import { createCluster } from 'redis';
import type { Logger } from '../logger';
import { clusterOptions, describeTarget, type RedisClusterClient } from '../redis';
import type { PubSubOptions } from './pubsub';
import { describeError, reconnectDelay, RedisPubSubBase, type MessageListener } from './redis-base';

/**
 * Pub/sub on a Redis Cluster over sharded channels (SPUBLISH, SSUBSCRIBE: Redis 7): a message goes to
 * the node that holds its channel's slot only, so pub/sub traffic spreads over the nodes instead of
 * being copied to every one as PUBLISH's is. node-redis keeps, per master, a connection for commands
 * (SPUBLISH, PING) and one for its sharded subscriptions.
 *
 * What node-redis does not tell, this class finds out for itself, so that nothing is lost:
 * - A node's connection that drops comes back on its own, but the cluster client passes on no
 *   'ready' after that. So on any node's `node-reconnecting`, every subscribed topic turns stale:
 *   it is unsubscribed and subscribed again (commands that wait for the connection), and once all are
 *   acknowledged the onReconnect listeners run (subscribers replay from PostgreSQL).
 * - When a channel's slot moves to another node, Redis ends its subscription (an unsolicited
 *   SUNSUBSCRIBE). node-redis 5.12 emits that as `sharded-channel-moved` on the node's pub/sub client
 *   but listens for another name, so it never subscribes again (redis/node-redis#3311): this class
 *   listens for it and subscribes the topic on its new node (node-redis follows the MOVED), then
 *   runs the onReconnect listeners.
 */
export class RedisClusterPubSub extends RedisPubSubBase {
  readonly kind = 'redis-cluster' as const;
  private readonly cluster: RedisClusterClient;
  private readonly target: { clusterNodes: string[] };
  private everReady = false;
  /** Set from a lost connection (or a moved channel) until every topic is subscribed again. */
  private restoring: Promise<void> | undefined;
  /** Lost again while `restoring` ran: it goes round once more. */
  private lostAgain = false;
  /** The last error of a connection attempt at start, for the message. */
  private lastError: unknown;
  /** node-redis's sharded pub/sub clients this instance hears `sharded-channel-moved` from. */
  private readonly watched = new WeakSet<object>();
  /** Unsubscribes run one at a time (see `unlisten`). */
  private unsubscribing: Promise<unknown> = Promise.resolve();

  constructor(target: { clusterNodes: string[] }, log: Logger, options: PubSubOptions) {
    super(log, options);
    this.target = target;
    this.cluster = createCluster(
      clusterOptions(target.clusterNodes, {
        name: `${options.clientName}:pubsub`,
        reconnectStrategy: (retries) => (this.everReady ? reconnectDelay(retries, options) : false),
      }),
    );
    // Mandatory: 'error' (a failed topology discovery) unhandled would end the process.
    this.cluster.on('error', (err: unknown) => {
      this.lastError = err;
      this.log[this.everReady && !this.closed ? 'warn' : 'debug']({ err }, 'Redis cluster error');
    });
    this.cluster.on('node-error', (err: unknown, node: { host: string; port: number }) => {
      this.lastError = err;
      const quiet = !this.everReady || this.restoring !== undefined || this.closed;
      this.log[quiet ? 'debug' : 'error']({ err, node: `${node.host}:${node.port}` }, 'Redis cluster node error');
    });
    this.cluster.on('node-reconnecting', (node: { host: string; port: number }) => {
      if (!this.everReady || this.closed) return;
      if (!this.restoring)
        this.log.warn({ node: `${node.host}:${node.port}` }, 'Redis cluster node connection lost; reconnecting');
      this.restore([...this.subscribed]);
    });
  }

  async connect(): Promise<void> {
    try {
      await this.cluster.connect();
    } catch (err) {
      throw new Error(
        `Cannot connect the pubsub to the Redis cluster at ${describeTarget(this.target)}: ${describeError(this.lastError ?? err)}`,
        { cause: err },
      );
    }
    this.everReady = true;
    this.log.info(
      { nodes: this.cluster.masters.map((m) => m.address), redis: describeTarget(this.target) },
      'pubsub connected to the Redis cluster',
    );
  }

  protected send(topic: string, message: string, signal: AbortSignal): Promise<unknown> {
    return this.cluster.withCommandOptions({ abortSignal: signal }).sPublish(topic, message);
  }

  protected async listen(topic: string, listener: MessageListener): Promise<void> {
    await this.cluster.sSubscribe(topic, listener);
    this.watchMoves();
  }

  /**
   * One at a time: node-redis's cluster client closes a node's pub/sub connection when an
   * unsubscribe leaves it with no channel, and two unsubscribes on it at once would both close it
   * (the second then fails).
   */
  protected unlisten(topic: string, listener: MessageListener): Promise<void> {
    const done = this.unsubscribing.then(() => this.cluster.sUnsubscribe(topic, listener));
    this.unsubscribing = done.catch(() => undefined);
    return done;
  }

  protected async check(signal: AbortSignal): Promise<void> {
    if (this.restoring) throw new Error('a Redis cluster node connection was lost; subscribing again');
    await Promise.all(
      this.cluster.masters.map(async (master) => {
        // A connection still opening (node-redis opens a node's pub/sub connection on its first
        // subscription) is given until the deadline: down is one that is not ready by then.
        if (master.pubSub) await untilReady(master.pubSub.client, signal, master.address);
        await (await this.cluster.nodeClient(master)).withAbortSignal(signal).ping();
      }),
    );
  }

  protected disconnect(): void {
    for (const master of this.cluster.masters) {
      // As on one Redis: destroy() cannot stop a reconnect attempt whose socket is still opening.
      master.client?.unref();
      master.pubSub?.client.unref();
    }
    try {
      this.cluster.destroy();
    } catch (err) {
      this.log.debug({ err }, 'Redis cluster client already closed');
    }
  }

  /** Hears the topics Redis unsubscribed because their slot moved, on every node's pub/sub connection. */
  private watchMoves(): void {
    for (const master of this.cluster.masters) {
      const client = master.pubSub?.client;
      if (!client || this.watched.has(client)) continue;
      this.watched.add(client);
      client.on('sharded-channel-moved', (topic: string) => {
        if (this.closed) return;
        this.log.info({ topic, from: master.address }, 'Redis cluster moved a channel: subscribing on its new node');
        this.restore([topic]);
      });
    }
  }

  /**
   * Subscribes `topics` again (they are stale), and every other topic that needs it; then runs the
   * onReconnect listeners. Rounds go on, with the reconnection backoff between them, until a round
   * finds nothing lost meanwhile and every topic subscribed.
   */
  private restore(topics: string[]): void {
    for (const topic of topics) this.stale.add(topic);
    if (this.restoring) {
      this.lostAgain = true;
      return;
    }
    this.restoring = (async () => {
      for (let round = 1; !this.closed; round++) {
        this.lostAgain = false;
        const done = await this.resubscribe();
        if (this.closed) return;
        if (done && !this.lostAgain) break;
        if (!this.lostAgain)
          await new Promise((resolve) => setTimeout(resolve, reconnectDelay(round, this.options)).unref());
      }
      if (this.closed) return;
      this.log.info({ topics: this.subscribed.size }, 'Redis cluster subscriptions restored');
      this.notifyReconnected();
    })().finally(() => {
      this.restoring = undefined;
    });
  }
}

/** Resolves once `client` is ready; rejects, naming the node, if `signal` aborts first. */
function untilReady(
  client: {
    readonly isReady: boolean;
    once(event: 'ready', l: () => void): unknown;
    off(event: 'ready', l: () => void): unknown;
  },
  signal: AbortSignal,
  address: string,
): Promise<void> {
  if (client.isReady) return Promise.resolve();
  const down = () => new Error(`the pub/sub connection to ${address} is down`);
  if (signal.aborted) return Promise.reject(down());
  return new Promise((resolve, reject) => {
    const onReady = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      client.off('ready', onReady);
      reject(down());
    };
    client.once('ready', onReady);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
