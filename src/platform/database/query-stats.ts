import type { Span } from '@opentelemetry/api';
import type { Tracing } from '../tracing';

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
  /** With tracing on: the operation's span, parent of a span per statement. */
  trace?: { tracing: Tracing; span: Span };
  /**
   * Where the request's reads outside transactions go (see routing.ts): `primary` unless the request
   * rules chose a `replica` for an HTTP query; `pinned` to the primary for the rest of the request
   * once a mutation ran in it (a batch's queries then read what it wrote).
   */
  reads: 'primary' | 'replica' | 'pinned' = 'primary';
}

/** Whether a statement with this logger context reads from a replica (its request's reads go to one). */
export function readsFromReplica(context: object | undefined): boolean {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  return stats instanceof QueryStats && stats.reads === 'replica';
}

/** Called by the ORM's logger for every statement it executes, with that statement's logger context (and its time). */
export function countStatement(context: object | undefined, ms?: number, text?: string): void {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  if (stats instanceof QueryStats) {
    stats.statements++;
    if (ms !== undefined) timed(stats, ms, text);
  }
}

/** Adds a statement's time to the request it ran for (fastSql, whose statements the ORM does not time). */
export function timeStatement(context: object | undefined, ms: number, text?: string): void {
  const stats = (context as { sqlStats?: unknown } | undefined)?.sqlStats;
  if (stats instanceof QueryStats) timed(stats, ms, text);
}

function timed(stats: QueryStats, ms: number, text: string | undefined): void {
  stats.sqlMs += ms;
  if (stats.trace && text) stats.trace.tracing.statement(stats.trace.span, text, ms);
}
