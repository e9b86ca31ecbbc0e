import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { countStatement, readsFromReplica, timeStatement } from './query-stats';
import { replicasOf } from './routing';

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

/**
 * Runs a statement on the transaction's connection, or on one from the pool; counted; errors
 * converted as the ORM does. With `prepared`, a statement with parameters runs as a named prepared
 * statement (see `preparedName`).
 */
async function run(
  em: EntityManager,
  text: string,
  params?: unknown[],
  prepared = false,
): Promise<PgResult | PgResult[]> {
  const context = em.getLoggerContext();
  countStatement(context);
  const started = performance.now();
  try {
    return await runRouted(em, context, text, params, prepared);
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    timeStatement(context, performance.now() - started, text);
  }
}

/**
 * Runs a statement on the transaction's connection; outside a transaction, on a replica when the
 * request reads from one (see routing.ts: a replica that cannot serve it sends it to the primary),
 * else on a connection from the primary's pool.
 */
function runRouted(
  em: EntityManager,
  context: object,
  text: string,
  params: unknown[] | undefined,
  prepared: boolean,
): Promise<PgResult | PgResult[]> {
  // A knex transaction's client hands out the transaction's own connection (and never releases it).
  const transaction = em.getTransactionContext() as Knex | undefined;
  if (transaction) return runOn(transaction.client as KnexClient, text, params, prepared, true);
  const primary = () => runOn(em.getConnection().getKnex().client as KnexClient, text, params, prepared, false);
  const replicas = readsFromReplica(context) ? replicasOf(em.config) : undefined;
  if (!replicas) return primary();
  return replicas.read(
    (replica) => runOn(replica.getKnex().client as KnexClient, text, params, prepared, false),
    primary,
  );
}

/** Runs a statement on a connection of `client` (raw errors: the caller converts them). */
async function runOn(
  client: KnexClient,
  text: string,
  params: unknown[] | undefined,
  prepared: boolean,
  inTransaction: boolean,
): Promise<PgResult | PgResult[]> {
  let connection: PgConnection | undefined;
  try {
    connection = await client.acquireConnection();
    if (!params) return await connection.query(text);
    const name = prepared ? preparedName(text) : undefined;
    if (!name) return await connection.query(text, params);
    try {
      return await connection.query({ name, text, values: params });
    } catch (err) {
      // A table's columns changed under a prepared `select *` (another instance migrated during a
      // rolling deploy): PostgreSQL refuses the cached plan. Outside a transaction the statement is
      // prepared again under a new name; inside one, the transaction has failed and is retried by no one here.
      if (inTransaction || !isStalePlan(err)) throw err;
      return await connection.query({ name: renamePrepared(text), text, values: params });
    }
  } finally {
    if (connection) await client.releaseConnection(connection);
  }
}

/** Names of the prepared statements, per statement text. */
const preparedNames = new Map<string, string>();
let preparedCount = 0;
/**
 * Distinct statement texts prepared at most, per process. Every connection keeps the statements it
 * prepared until it closes, so the texts must be few: `fastSql`'s are written in the code (values
 * travel as parameters, lists as arrays), a few dozen. Past the bound, new texts run unnamed.
 */
const MAX_PREPARED = 500;

/**
 * The prepared statement name for `text`: PostgreSQL parses and plans it once per connection (and
 * after five runs may keep a generic plan), rather than for every run, the larger share of the
 * database's CPU for the short statements of a feed or a comment.
 */
function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED)
    preparedNames.set(text, (name = `ts_${++preparedCount}`));
  return name;
}

/** A new name for `text`, whose prepared statements under the old one are stale (see `isStalePlan`). */
function renamePrepared(text: string): string {
  preparedNames.delete(text);
  return preparedName(text)!;
}

/** PostgreSQL's "cached plan must not change result type" (feature_not_supported, 0A000). */
function isStalePlan(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return code === '0A000' && /cached plan must not change result type/.test(message ?? '');
}

/**
 * A raw statement with `$1, $2…` placeholders on a pooled connection, past knex's query builder and
 * MikroORM's connection layer (about 0.2 ms of CPU per statement on the machines we measure): for
 * the statements every feed, sign-in check or comment runs. Counted like `sql()`; database errors
 * are converted as the ORM converts them (unique and foreign-key violations keep their classes).
 * Inside a transaction it runs on the transaction's connection.
 * @param options.prepared false to run it unnamed (default true: prepared, see `preparedName`): for a
 * statement whose text varies with its arguments (search), which would use up the prepared texts, and
 * whose plan must be made for its values (a generic plan knows no text search query's selectivity).
 */
export async function fastSql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: unknown[] = [],
  options: { prepared?: boolean } = {},
): Promise<T[]> {
  const mode = fastSqlModes.get(em.config);
  const result =
    mode === 'inline'
      ? await run(em, inline(em, text, params))
      : await run(em, text, params, mode !== 'unnamed' && options.prepared !== false);
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
  query(
    text: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<PgResult | PgResult[]>;
}

/**
 * How `fastSql` sends statements, per ORM (by its configuration); unset: as named prepared
 * statements (see `preparedName`).
 * - `inline`: the values written in, as one simple query message. The embedded PGlite's socket
 *   server queues each protocol message on its own and lets another connection's messages in
 *   between, so two connections' extended-protocol statements (Parse, Bind, Execute, Sync) could take
 *   each other's statement or portal. MikroORM itself always sends simple queries.
 * - `unnamed`: parameters sent separately, parsed and planned on every run
 *   (DATABASE_PREPARED_STATEMENTS=false: behind a pooler in transaction mode that does not carry
 *   prepared statements across the server connections it hands out).
 */
const fastSqlModes = new WeakMap<object, 'inline' | 'unnamed'>();

/** Sets how `fastSql` sends this ORM's statements (see `fastSqlModes`). */
export function setFastSqlMode(config: object, mode: 'inline' | 'unnamed'): void {
  fastSqlModes.set(config, mode);
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
