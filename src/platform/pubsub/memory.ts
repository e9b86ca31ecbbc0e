import type { Logger } from '../logger';
import { Channel, encodePayload, Fanout } from './channel';
import type { PubSub, PubSubOptions, Subscription } from './pubsub';

/** Pub/sub inside one process: for development, tests and single-instance deployments. */
export class MemoryPubSub implements PubSub {
  readonly kind = 'memory' as const;
  private readonly fanout = new Fanout();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly options: PubSubOptions,
  ) {}

  async publish<T>(topic: string, payload: T): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    // A JSON round trip, as over Redis: a payload that only works in memory would break in production.
    const decoded: unknown = JSON.parse(encodePayload(topic, payload));
    this.fanout.deliver(topic, decoded);
  }

  subscribe<T>(topic: string, options: { maxBuffered?: number } = {}): Subscription<T> {
    const channel = new Channel<T>({
      topic,
      maxBuffered: options.maxBuffered ?? this.options.maxBuffered,
      log: this.log,
      onReturn: () => this.fanout.remove(topic, channel),
    });
    if (this.closed) {
      channel.end();
      return channel;
    }
    this.fanout.add(topic, channel);
    channel.markReady();
    return channel;
  }

  onReconnect(_listener: () => void): () => void {
    return () => {};
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fanout.endAll();
  }
}
