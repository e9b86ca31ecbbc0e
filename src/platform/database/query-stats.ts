/**
 * Counts the SQL statements run on behalf of one request (HTTP operation or subscription event).
 * It travels in the forked EntityManager's `loggerContext`; being a class instance (not a plain
 * object), MikroORM's context merging keeps a reference to it instead of copying it.
 */
export class QueryStats {
  statements = 0;
  /** Which executor ran the operation (compiled-execution.ts), when it ran on HTTP. */
  executor?: 'compiled' | 'graphql-js';
}

/** Called by the ORM's logger for every statement it executes, with that statement's logger context. */
export function countStatement(context: object | undefined): void {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  if (stats instanceof QueryStats) stats.statements++;
}
