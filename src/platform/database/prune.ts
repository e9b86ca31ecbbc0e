import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from './sql';

/** Rows one pruning statement deletes at most: each batch commits on its own, holding its locks briefly. */
export const PRUNE_BATCH = 5000;

/**
 * Deletes the rows of `table` that match `where` (SQL over the table's columns, `$1`… bound to
 * `params`), PRUNE_BATCH at a time, each batch a statement of its own, until none is left.
 * Returns how many were deleted. Retention jobs use it: a first run on a large table never holds
 * a long transaction, and requests keep being served between batches.
 */
export async function pruneInBatches(
  em: EntityManager,
  table: string,
  where: string,
  params: unknown[] = [],
): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ n }] = await fastSql<{ n: number }>(
      em,
      `with gone as (
         delete from "${table}" where id in (select id from "${table}" where ${where} limit ${PRUNE_BATCH}) returning 1
       ) select count(*)::int as n from gone`,
      params,
    );
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}
