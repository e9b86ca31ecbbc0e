import DataLoader from 'dataloader';

/**
 * A DataLoader that also hands out a primed value at once: `value(key)` is the value itself when
 * the key was primed (a listing's statement brought it), otherwise `load(key)`. A list resolves an
 * author, a community or a first page of comments for each of its items from values its own
 * statement primed; returning them synchronously spares a promise and a microtask per field (and
 * graphql-jit completes a synchronous value without its promise machinery).
 *
 * `value` answers exactly what `load` would: a primed value counts only when `prime` stored it in
 * the loader's cache, which it does not for a key that was loaded or primed before (until cleared).
 */
export class PrimedLoader<K, V, C = K> extends DataLoader<K, V, C> {
  readonly #primed = new Map<C, V>();
  /** Keys that `load` was asked for (or `prime` stored), so that a later `prime` cannot replace them here either. */
  readonly #taken = new Set<C>();
  readonly #keyOf: (key: K) => C;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>) {
    super(batch, options);
    this.#keyOf = options?.cacheKeyFn ?? ((key: K) => key as unknown as C);
  }

  /** The primed value of `key` at once, or `load(key)`. */
  value(key: K): V | Promise<V> {
    const primed = this.#primed.get(this.#keyOf(key));
    return primed !== undefined ? primed : this.load(key);
  }

  /** The primed value of `key`, or undefined (nothing is loaded). */
  primed(key: K): V | undefined {
    return this.#primed.get(this.#keyOf(key));
  }

  override load(key: K): Promise<V> {
    this.#taken.add(this.#keyOf(key));
    return super.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    const cacheKey = this.#keyOf(key);
    if (!this.#taken.has(cacheKey)) {
      this.#taken.add(cacheKey);
      if (!(value instanceof Error) && !isPromiseLike(value)) this.#primed.set(cacheKey, value);
    }
    return super.prime(key, value);
  }

  override clear(key: K): this {
    const cacheKey = this.#keyOf(key);
    this.#taken.delete(cacheKey);
    this.#primed.delete(cacheKey);
    return super.clear(key);
  }

  override clearAll(): this {
    this.#taken.clear();
    this.#primed.clear();
    return super.clearAll();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
