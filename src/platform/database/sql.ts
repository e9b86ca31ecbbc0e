import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { countStatement } from './query-stats';

/**
 * Runs raw SQL on the EntityManager's connection and transaction, passing its logger context so
 * the statement is counted and labelled like the ORM's own (`em.execute` does not do that itself).
 */
export function sql<T = Record<string, unknown>[]>(
  em: EntityManager, query: string, params: unknown[] = [], method: 'all' | 'get' | 'run' = 'all',
): Promise<T> {
  return em.execute(query, params, method, em.getLoggerContext()) as Promise<T>;
}

/**
 * A raw statement with `$1, $2…` placeholders on a pooled connection, past knex's query builder and
 * MikroORM's connection layer (about 0.2 ms of CPU per statement on the machines we measure): for
 * the statements every feed, sign-in check or comment runs. Counted like `sql()`; database errors
 * are converted as the ORM converts them (unique and foreign-key violations keep their classes).
 * Inside a transaction it runs on the transaction's connection.
 */
export async function fastSql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  countStatement(em.getLoggerContext());
  // A knex transaction's client hands out the transaction's own connection (and never releases it).
  const knex = (em.getTransactionContext() as Knex | undefined) ?? em.getConnection().getKnex();
  const client = knex.client as KnexClient;
  let connection: PgConnection | undefined;
  try {
    connection = await client.acquireConnection();
    const result = inlineParameters.has(em.config)
      ? await connection.query(inline(em, text, params))
      : await connection.query(text, params);
    return result.rows as T[];
  } catch (err) {
    throw em.getDriver().convertException(err as Error);
  } finally {
    if (connection) await client.releaseConnection(connection);
  }
}

interface PgConnection {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
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

