import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import type { PubSub } from '../pubsub/pubsub';
import { sqlTransaction } from './sql';

/**
 * What a write does once it is committed: collected inside the write, run once after the outermost
 * commit, in the order they were added, and never after a rollback. Each step's failure is logged,
 * not thrown: the change is committed, and what the step would have told (subscribers, leaderboards,
 * caches) catches up from PostgreSQL.
 */
export interface After {
  /** Publishes `payload` on `topic` to every instance's subscribers (after the commit). */
  publish<T>(topic: string, payload: T): void;
  /** Runs `step` after the commit (ledger settling, cache invalidation…). */
  run(step: () => unknown): void;
}

/** What a write needs: the request's (or job's) EntityManager, pub/sub and logger. */
export interface WriteDeps {
  em: EntityManager;
  pubsub: PubSub;
  log: Logger;
}

export interface WriteOptions {
  /**
   * How the write reaches the database:
   * - `orm` (default): `em.transactional` — a forked EntityManager whose unit of work is flushed at
   *   the end; ORM reads and writes and raw statements may all be used inside.
   * - `sql`: a transaction made only of `sql()` / `fastSql()` statements (see `sqlTransaction`),
   *   without the ORM's transaction machinery and fork.
   * - `statement`: no BEGIN/COMMIT: the write is one statement (a CTE may write several tables), which
   *   commits on its own; `tx` is the EntityManager itself. Use it only for a single statement.
   */
  mode?: 'orm' | 'sql' | 'statement';
}

/** The open writes' collected steps, by the transaction they run in (a nested write joins its outer one). */
const open = new WeakMap<object, AfterCommit>();

/**
 * The one write path. `fn` makes the write in `tx`: its rows, counters, ledger rows and enqueued jobs
 * share one transaction (a job enqueued there exists if and only if the write commits). What must
 * follow the commit — publishes, leaderboard settling, cache invalidation — goes into `after`, which
 * runs once the outermost write has committed and never if it rolled back.
 *
 * Called inside another write (with its `tx`), it joins that write: `fn` runs in the same transaction
 * and its `after` steps wait for the outer commit.
 */
export async function write<T>(
  deps: WriteDeps,
  fn: (tx: EntityManager, after: After) => Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  const context = deps.em.getTransactionContext() as object | undefined;
  const outer = context && open.get(context);
  if (outer) return fn(deps.em, outer);
  if (context) {
    // A transaction opened outside the write path (a migration, a test): its commit is not ours to
    // see, so steps cannot wait for it. Refuse rather than publish before a commit.
    throw new Error('write() inside a transaction that was not opened by write()');
  }
  const after = new AfterCommit(deps);
  const body = async (tx: EntityManager) => {
    const key = tx.getTransactionContext() as object | undefined;
    if (key) open.set(key, after);
    try {
      return await fn(tx, after);
    } finally {
      if (key) open.delete(key);
    }
  };
  const mode = options.mode ?? 'orm';
  const result =
    mode === 'statement'
      ? await fn(deps.em, after)
      : mode === 'sql'
        ? await sqlTransaction(deps.em, body)
        : await deps.em.transactional(body);
  await after.flush();
  return result;
}

class AfterCommit implements After {
  private readonly steps: (() => unknown)[] = [];

  constructor(private readonly deps: Pick<WriteDeps, 'pubsub' | 'log'>) {}

  publish<T>(topic: string, payload: T): void {
    this.steps.push(() => publishCommitted(this.deps.pubsub, this.deps.log, topic, payload));
  }

  run(step: () => unknown): void {
    this.steps.push(step);
  }

  async flush(): Promise<void> {
    for (const step of this.steps.splice(0)) {
      try {
        await step();
      } catch (err) {
        this.deps.log.warn({ err }, 'a step after a committed write failed');
      }
    }
  }
}

/**
 * Publishes a committed change (outside any transaction: a write's `after`, or a job or timer whose
 * write has committed). A failed publish (Redis down past its timeout) is logged, not thrown: the
 * change is committed, and subscribers catch up from PostgreSQL with the next event or when pub/sub
 * reconnects.
 */
export async function publishCommitted<T>(pubsub: PubSub, log: Logger, topic: string, payload: T): Promise<void> {
  try {
    await pubsub.publish<T>(topic, payload);
  } catch (err) {
    log.warn({ err, topic }, 'event not published; subscribers catch up when pub/sub reconnects');
  }
}
