import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { countStatement } from './query-stats';

/**
 * Runs raw SQL (`?` placeholders) on the EntityManager's connection and transaction, counted in
 * the request's statements like the ORM's own. It does what `em.execute` does (the ORM's platform
 * writes the values into the statement, one simple query; errors converted the same way; results
 * shaped by `method`), without going through knex and the ORM's connection layer for each statement
 * (see `fastSql`). With MikroORM's debug logging on, it goes through `em.execute` to be logged.
 */
export async function sql<T = Record<string, unknown>[]>(
  em: EntityManager,
  query: string,
  params: unknown[] = [],
  method: 'all' | 'get' | 'run' = 'all',
): Promise<T> {
  if (em.config.get('debug')) return em.execute(query, params, method, em.getLoggerContext()) as Promise<T>;
  const result = await run(em, em.getPlatform().formatQuery(query, params));
  return shape(result, method) as T;
}

interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** `em.execute`'s result for `method` (PostgreSqlConnection.transformRawResult); several statements give one each. */
function shape(result: PgResult | PgResult[], method: 'all' | 'get' | 'run'): unknown {
  if (Array.isArray(result)) return result.map((r) => shape(r, method));
  if (method === 'get') return result.rows[0];
  if (method === 'all') return result.rows;
  return {
    affectedRows: result.rowCount,
    insertId: result.rows[0] ? result.rows[0].id : 0,
    row: result.rows[0],
    rows: result.rows,
  };
}

/** Runs a statement on the transaction's connection, or on one from the pool; counted; errors converted as the ORM does. */
async function run(em: EntityManager, text: string, params?: unknown[]): Promise<PgResult | PgResult[]> {
  countStatement(em.getLoggerContext());
  // A knex transaction's client hands out the transaction's own connection (and never releases it).
  const knex = (em.getTransactionContext() as Knex | undefined) ?? em.getConnection().getKnex();
  const client = knex.client as KnexClient;
  let connection: PgConnection | undefined;
  try {
    connection = await client.acquireConnection();
    return await (params ? connection.query(text, params) : connection.query(text));
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    if (connection) await client.releaseConnection(connection);
  }
}

/**
 * A raw statement with `$1, $2…` placeholders on a pooled connection, past knex's query builder and
 * MikroORM's connection layer (about 0.2 ms of CPU per statement on the machines we measure): for
 * the statements every feed, sign-in check or comment runs. Counted like `sql()`; database errors
 * are converted as the ORM converts them (unique and foreign-key violations keep their classes).
 * Inside a transaction it runs on the transaction's connection.
 */
export async function fastSql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const result = inlineParameters.has(em.config)
    ? await run(em, inline(em, text, params))
    : await run(em, text, params);
  return (result as PgResult).rows as T[];
}

/**
 * Runs `fn` in a transaction on one pooled connection, for transactions made only of `sql()` and
 * `fastSql()` statements (no ORM reads or flushes inside: the `tx` it gets is the request's
 * EntityManager pointed at the connection, not a fork with its own unit of work). It does what
 * `em.transactional` does for them (BEGIN, COMMIT, ROLLBACK on error) without knex's transaction
 * machinery and the fork, about 0.3 ms of CPU per transaction. Inside another transaction, or with
 * MikroORM's debug logging on, it is `em.transactional`.
 */
export async function sqlTransaction<T>(em: EntityManager, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  if (em.getTransactionContext() || em.config.get('debug')) return em.transactional(fn);
  const client = em.getConnection().getKnex().client as KnexClient;
  const connection = await client.acquireConnection();
  const context = { client: { acquireConnection: async () => connection, releaseConnection: async () => {} } };
  // Everything but the transaction context is the request's EntityManager's.
  const tx = Object.create(em, { getTransactionContext: { value: () => context } }) as EntityManager;
  const control = (statement: string) =>
    connection.query(statement).catch((err: Error) => Promise.reject(em.getDriver().convertException(err)));
  try {
    await control('begin');
    const result = await fn(tx);
    await control('commit');
    return result;
  } catch (err) {
    // A connection that cannot roll back is broken; the pool validates connections before handing them out.
    await connection.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.releaseConnection(connection);
  }
}

interface PgConnection {
  query(text: string, values?: unknown[]): Promise<PgResult | PgResult[]>;
}

/**
 * ORMs (by their configuration) whose statements go with their values written in, as one simple
 * query message: the embedded PGlite's socket server queues each protocol message on its own and
 * lets another connection's messages in between, so two connections' extended-protocol statements
 * (Parse, Bind, Execute, Sync) could take each other's unnamed statement or portal. MikroORM itself
 * always sends simple queries. Real PostgreSQL gets the parameters separately.
 */
const inlineParameters = new WeakSet<object>();

/** Sends `fastSql` statements of this ORM as simple queries with their values inlined (see `inlineParameters`). */
export function inlineFastSqlParameters(config: object): void {
  inlineParameters.add(config);
}

/** `text` with each `$n` replaced by its value as a literal (escaped by the ORM's platform; an array as `array[…]`). */
function inline(em: EntityManager, text: string, params: unknown[]): string {
  const platform = em.getPlatform();
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    if (Array.isArray(value)) return `array[${value.length ? String(platform.escape(value)) : ''}]`;
    return value === null || value === undefined ? 'null' : String(platform.escape(value));
  });
}
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}
