import { createClient } from 'redis';
import type { Logger } from '../logger';
import { Channel, encodePayload, Fanout } from './channel';
import type { PubSub, PubSubOptions, Subscription } from './pubsub';

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
      state.everReady
        ? Math.min(retries * options.reconnectStepMs, options.reconnectMaxDelayMs) +
          Math.floor(Math.random() * options.reconnectJitterMs)
        : false,
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
 * Connects a Redis-backed {@link PubSub}: one publisher connection, one subscriber connection
 * (RESP2 puts a subscribing connection in a mode where it can send nothing else).
 * Rejects, naming REDIS_URL, if either connection cannot be opened.
 */
export async function connectRedisPubSub(url: string, log: Logger, options: PubSubOptions): Promise<PubSub> {
  const pubsub = new RedisPubSub(url, log, options);
  await pubsub.connect();
  return pubsub;
}

/**
 * Redis pub/sub, at most once (Redis keeps nothing for a subscriber that is away).
 *
 * - One Redis SUBSCRIBE per topic however many local subscribers; the last one to leave UNSUBSCRIBEs.
 *   Commands for one topic run one at a time, so a quick leave-and-join cannot reorder them.
 * - Both clients reconnect forever with capped backoff. node-redis re-issues the SUBSCRIBEs it had
 *   acknowledged before it emits 'ready'; topics whose (UN)SUBSCRIBE was lost in flight are reconciled
 *   here; then the onReconnect listeners run.
 * - `publish` while disconnected waits in node-redis's offline queue for at most `publishTimeoutMs`,
 *   then rejects (and is dropped from the queue if still unsent): a short blip is invisible, an outage
 *   fails fast instead of piling up requests and memory. Callers that must not lose the event store it
 *   in PostgreSQL first and treat the publish as a best-effort notification.
 */
class RedisPubSub implements PubSub {
  readonly kind = 'redis' as const;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly states: Record<Role, ConnectionState> = {
    publisher: { everReady: false, down: false },
    subscriber: { everReady: false, down: false },
  };
  private readonly fanout = new Fanout();
  /** Topics Redis has acknowledged a SUBSCRIBE for, and no UNSUBSCRIBE since. */
  private readonly subscribed = new Set<string>();
  /** Per topic, the tail of its chain of (UN)SUBSCRIBE commands. */
  private readonly syncing = new Map<string, Promise<void>>();
  private readonly reconnectListeners = new Set<() => void>();
  private readonly publishing = new Set<Promise<unknown>>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly options: PubSubOptions,
  ) {
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

  async publish<T>(topic: string, payload: T): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    const message = encodePayload(topic, payload);
    const sent = this.withDeadline(this.options.publishTimeoutMs, `PUBLISH ${topic}`, (signal) =>
      this.publisher.withAbortSignal(signal).publish(topic, message),
    );
    this.publishing.add(sent);
    try {
      await sent;
    } finally {
      this.publishing.delete(sent);
    }
  }

  subscribe<T>(topic: string, options: { maxBuffered?: number } = {}): Subscription<T> {
    const channel: Channel<T> = new Channel<T>({
      topic,
      maxBuffered: options.maxBuffered ?? this.options.maxBuffered,
      log: this.log,
      onReturn: () => {
        this.fanout.remove(topic, channel);
        void this.sync(topic);
      },
    });
    if (this.closed) {
      channel.end();
      return channel;
    }
    this.fanout.add(topic, channel);
    void this.sync(topic);
    return channel;
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => {
      this.reconnectListeners.delete(listener);
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    if (!this.subscriber.isReady) throw new Error('Redis subscriber connection is down');
    await this.withDeadline(this.options.pingTimeoutMs, 'PING', (signal) =>
      this.publisher.withAbortSignal(signal).ping(),
    );
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.fanout.endAll();
    this.reconnectListeners.clear();
    // Each is bounded by publishTimeoutMs.
    await Promise.allSettled([...this.publishing]);
    for (const client of [this.publisher, this.subscriber]) {
      // destroy() cannot stop a reconnect attempt whose socket is still opening; unref keeps that one
      // from holding the process open.
      client.unref();
      if (client.isOpen) client.destroy();
    }
    await Promise.allSettled([...this.syncing.values()]);
  }

  private async connectOne(client: RedisClient, role: Role): Promise<void> {
    try {
      await client.connect();
    } catch (err) {
      throw new Error(
        `Cannot connect the pubsub ${role} to Redis at REDIS_URL (${redactUrl(this.url)}): ${describeError(err)}`,
        {
          cause: err,
        },
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
    const topics = new Set([...this.fanout.topicNames(), ...this.subscribed]);
    await Promise.all([...topics].map((topic) => this.sync(topic)));
    if (this.closed) return;
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch (err) {
        this.log.error({ err }, 'pubsub onReconnect listener threw');
      }
    }
  }

  private readonly onMessage = (message: string, topic: string): void => {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (err) {
      this.log.warn({ err, topic }, 'dropping a pubsub message that is not JSON');
      return;
    }
    this.fanout.deliver(topic, payload);
  };

  /** Queues a reconciliation of `topic` behind the previous one; never rejects. */
  private sync(topic: string): Promise<void> {
    const next = (this.syncing.get(topic) ?? Promise.resolve()).then(() => this.reconcile(topic));
    this.syncing.set(topic, next);
    void next.then(() => {
      if (this.syncing.get(topic) === next) this.syncing.delete(topic);
    });
    return next;
  }

  /** Makes Redis's subscription to `topic` match whether it has local subscribers. */
  private async reconcile(topic: string): Promise<void> {
    if (this.closed) return;
    const wanted = this.fanout.has(topic);
    try {
      if (wanted && !this.subscribed.has(topic)) {
        await this.subscriber.subscribe(topic, this.onMessage);
        this.subscribed.add(topic);
      } else if (!wanted && this.subscribed.has(topic)) {
        await this.subscriber.unsubscribe(topic, this.onMessage);
        this.subscribed.delete(topic);
      }
    } catch (err) {
      // Typically the connection dropped with the command in flight; restoreSubscriptions() retries.
      if (!this.closed) this.log.warn({ err, topic, wanted }, 'Redis (UN)SUBSCRIBE failed; retrying after reconnect');
      return;
    }
    if (this.subscribed.has(topic)) {
      for (const channel of this.fanout.channels(topic)) channel.markReady();
    }
  }

  /** Runs a command that rejects after `ms`; if it is still waiting in the offline queue, it is removed and never sent. */
  private async withDeadline<R>(ms: number, what: string, run: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Reject first so that this error, not node-redis's AbortError, wins the race.
        reject(new Error(`Redis did not answer ${what} within ${ms} ms`));
        controller.abort();
      }, ms);
    });
    try {
      return await Promise.race([run(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The URL without its credentials, for messages and logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

/** Node 20 reports a refused dual-stack connect as an AggregateError with an empty message. */
function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(describeError).join('; ');
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}
