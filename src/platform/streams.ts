/**
 * Wraps an async generator that waits on a source (a pub/sub subscription) so that `return()`
 * works while the generator is parked in `await`: an async generator queues `return()` behind
 * its pending `next()`, so a client that unsubscribes from a quiet topic would otherwise leave
 * the subscription open until the next message. `close` ends the sources, which lets the
 * generator run its `finally` and finish.
 */
export function closable<T>(gen: AsyncGenerator<T>, close: () => unknown): AsyncIterableIterator<T> {
  let closed = false;
  const iterator: AsyncIterableIterator<T> = {
    next: () => gen.next(),
    async return(value?: unknown) {
      if (!closed) {
        closed = true;
        await close();
      }
      return gen.return(value as T);
    },
    throw: (error?: unknown) => gen.throw(error),
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
