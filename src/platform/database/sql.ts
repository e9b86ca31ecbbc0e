import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs raw SQL on the EntityManager's connection and transaction, passing its logger context so
 * the statement is counted and labelled like the ORM's own (`em.execute` does not do that itself).
 */
export function sql<T = Record<string, unknown>[]>(
  em: EntityManager, query: string, params: unknown[] = [], method: 'all' | 'get' | 'run' = 'all',
): Promise<T> {
  return em.execute(query, params, method, em.getLoggerContext()) as Promise<T>;
}
