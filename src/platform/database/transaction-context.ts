import { TransactionContext } from '@mikro-orm/core';

let installed = false;
let open = 0;

/**
 * Turns MikroORM's transaction context off between transactions.
 *
 * `em.transactional` runs its callback inside an AsyncLocalStorage (MikroORM's TransactionContext).
 * On Node 20 an AsyncLocalStorage that has run once keeps its async hooks on for every promise the
 * process makes afterwards, live context or not: after the first transaction (the migrations at
 * start) each request paid for them, about 6 % of an uncached feed's server CPU (promiseInitHook,
 * `_propagate`, trackPromise) on reads that run no transaction at all. This counts the transactions
 * in flight and disables the storage when the last one settles; the next `em.transactional`
 * enables it again (AsyncLocalStorage.run does). No live context is ever cut: while one
 * transaction is open, none is disabled. Our EntityManagers are forks, which never read the
 * context; MikroORM reads it only to find a global EntityManager's transaction.
 */
export function releaseTransactionContextWhenIdle(): void {
  if (installed) return;
  installed = true;
  const create = TransactionContext.create.bind(TransactionContext);
  // Private in MikroORM's types; the one AsyncLocalStorage that `create` runs.
  const storage = (TransactionContext as unknown as { storage: { disable(): void } }).storage;
  const settle = () => {
    if (--open === 0) storage.disable();
  };
  TransactionContext.create = <T>(em: Parameters<typeof create>[0], next: (...args: unknown[]) => T): T => {
    open++;
    let result: T;
    try {
      result = create(em, next);
    } catch (err) {
      settle();
      throw err;
    }
    if (!(result instanceof Promise)) {
      settle();
      return result;
    }
    return result.finally(settle) as T;
  };
}

/** Transactions in flight (for tests). */
export function openTransactions(): number {
  return open;
}
