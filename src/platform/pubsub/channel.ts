import type { Logger } from '../logger';
import type { Subscription } from './pubsub';

/** What a {@link Channel} needs from the pub/sub backend that created it. */
export interface ChannelOptions {
  /** Topic name, for log lines. */
  topic: string;
  /** Messages kept for a slow consumer before the oldest are dropped. */
  maxBuffered: number;
  log: Logger;
  /** Called once when the consumer calls `return()` (not when the backend calls `end()`). */
  onReturn: () => void;
}

/**
 * One subscriber's queue: the backend `push`es payloads, the consumer pulls them with `next()`.
 * Bounded: past `maxBuffered` unread messages the oldest is dropped, so one stuck WebSocket cannot
 * grow the heap without limit.
 */
export class Channel<T> implements Subscription<T> {
  readonly ready: Promise<void>;
  private markReadyFn!: () => void;
  private readonly buffer: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
  private finished = false;
  private dropped = 0;

  constructor(private readonly options: ChannelOptions) {
    if (!Number.isInteger(options.maxBuffered) || options.maxBuffered < 1) {
      throw new RangeError(`maxBuffered must be a positive integer, got ${options.maxBuffered}`);
    }
    this.ready = new Promise((resolve) => {
      this.markReadyFn = resolve;
    });
  }

  get isDone(): boolean {
    return this.finished;
  }

  /** The backend now delivers this topic to the channel (see {@link Subscription.ready}). */
  markReady(): void {
    this.markReadyFn();
  }

  push(value: T): void {
    if (this.finished) return;
    const consumer = this.waiting.shift();
    if (consumer) {
      consumer({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.options.maxBuffered) {
      this.buffer.shift();
      if (this.dropped++ === 0) {
        this.options.log.warn(
          { topic: this.options.topic, maxBuffered: this.options.maxBuffered },
          'pubsub subscriber is too slow; dropping its oldest messages',
        );
      }
    }
    this.buffer.push(value);
  }

  /** Ends the iteration: pending and later `next()` calls resolve with `done`; buffered messages are discarded. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.buffer.length = 0;
    this.reportDropped();
    this.markReadyFn();
    for (const consumer of this.waiting.splice(0)) consumer({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      if (this.buffer.length === 0) this.reportDropped();
      return Promise.resolve({ value, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.finished) {
      this.end();
      this.options.onReturn();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private reportDropped(): void {
    if (this.dropped === 0) return;
    this.options.log.warn(
      { topic: this.options.topic, dropped: this.dropped },
      'pubsub subscriber caught up after dropping messages',
    );
    this.dropped = 0;
  }
}

/** What {@link Fanout} sees of a {@link Channel}, whatever its payload type. */
export interface Inbox {
  push(value: unknown): void;
  end(): void;
  markReady(): void;
}

/** The local subscribers of each topic, shared by both backends: Redis fans one SUBSCRIBE out to them in-process. */
export class Fanout {
  private readonly topics = new Map<string, Set<Inbox>>();

  add(topic: string, channel: Inbox): void {
    let channels = this.topics.get(topic);
    if (!channels) {
      channels = new Set();
      this.topics.set(topic, channels);
    }
    channels.add(channel);
  }

  remove(topic: string, channel: Inbox): void {
    const channels = this.topics.get(topic);
    if (!channels) return;
    channels.delete(channel);
    if (channels.size === 0) this.topics.delete(topic);
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  channels(topic: string): ReadonlySet<Inbox> {
    return this.topics.get(topic) ?? new Set();
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  /** Delivers one decoded payload to every local subscriber of `topic`. Subscribers share the object: treat it as read-only. */
  deliver(topic: string, payload: unknown): void {
    const channels = this.topics.get(topic);
    if (!channels) return;
    for (const channel of channels) channel.push(payload);
  }

  /** Ends every channel (close()). */
  endAll(): void {
    for (const channels of this.topics.values()) {
      for (const channel of channels) channel.end();
    }
    this.topics.clear();
  }
}

/** JSON-encodes a payload, rejecting what JSON would silently lose (`undefined`, a function) as well as what it cannot encode. */
export function encodePayload(topic: string, payload: unknown): string {
  const message = JSON.stringify(payload) as string | undefined;
  if (message === undefined) throw new TypeError(`pubsub payload for topic "${topic}" is not JSON-serializable`);
  return message;
}
