/**
 * What one request (HTTP operation or subscription event) did, for its headers, its access log line
 * and the metrics: the SQL statements it ran and their time, the executor, and once resolved its
 * operation and credential. It travels in the forked EntityManager's `loggerContext`; being a class
 * instance (not a plain object), MikroORM's context merging keeps a reference to it instead of
 * copying it.
 */
export class QueryStats {
  statements = 0;
  /** Milliseconds spent in those statements (from sending to the answer). */
  sqlMs = 0;
  /** Which executor ran the operation (compiled-execution.ts), when it ran on HTTP. */
  executor?: 'compiled' | 'graphql-js';
  /** The operation's name (`anonymous` when it has none) and type, once resolved. */
  operationName?: string;
  operationType?: 'query' | 'mutation' | 'subscription';
  /** Whether the answer carried errors. */
  errors = false;
  /** The credential: its user, and its API key when it is one. */
  userId?: number | null;
  apiKeyId?: number;
}

/** Called by the ORM's logger for every statement it executes, with that statement's logger context (and its time). */
export function countStatement(context: object | undefined, ms?: number): void {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  if (stats instanceof QueryStats) {
    stats.statements++;
    if (ms) stats.sqlMs += ms;
  }
}

/** Adds a statement's time to the request it ran for (fastSql, whose statements the ORM does not time). */
export function timeStatement(context: object | undefined, ms: number): void {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  if (stats instanceof QueryStats) stats.sqlMs += ms;
}
