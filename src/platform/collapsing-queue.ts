export interface CollapsingQueueOptions<T> {
  /** Weight the queue holds before it collapses (e.g. rows of the batches it holds). */
  maxWeight: number;
  /** An item's weight (at least 1 is counted per item). */
  weigh(item: T): number;
  /** One item that stands for all of `items` (oldest first): typically "read it all again from the database". */
  collapse(items: T[]): T;
}

/**
 * One subscription's queue of what woke it, bounded without ever losing anything silently. A
 * pub/sub channel drops a slow consumer's oldest messages; for a subscription that replays from
 * PostgreSQL a dropped batch is a gap nobody notices. Here, past `maxWeight` queued, everything
 * queued collapses into one item (see {@link CollapsingQueueOptions.collapse}) that sends the
 * consumer back to the database, which is the truth: memory per slow consumer stays bounded, and
 * the consumer reads at its own pace what it could not hold.
 */
export class CollapsingQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private weight = 0;
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private finished = false;

  constructor(private readonly options: CollapsingQueueOptions<T>) {}

  /** Items waiting for the consumer. */
  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.finished) return;
    const consumer = this.waiting.shift();
    if (consumer) {
      consumer({ value: item, done: false });
      return;
    }
    this.items.push(item);
    this.weight += Math.max(1, this.options.weigh(item));
    if (this.weight > this.options.maxWeight) {
      const collapsed = this.options.collapse(this.items);
      this.items = [collapsed];
      this.weight = Math.max(1, this.options.weigh(collapsed));
    }
  }

  /** Ends the iteration: what is queued is discarded, pending and later `next()` calls resolve with `done`. */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.items = [];
    this.weight = 0;
    for (const consumer of this.waiting.splice(0)) consumer({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.weight -= Math.max(1, this.options.weigh(item));
      return Promise.resolve({ value: item, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
