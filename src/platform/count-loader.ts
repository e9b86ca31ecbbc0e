import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from './database/sql';

/**
 * Counts of the rows of `table` per value of `column`, for the `totalCount` of lists that their
 * domain bounds (a community's rules, its webhook endpoints, the users one blocked): one statement
 * for every key a request asks for, over an index led by `column`, reading at most the list's
 * bound per key. Only for such lists: the count of an unbounded list is maintained instead (README,
 * "Counts"). `table`, `column` and `where` are the caller's constants, never a client's text (the
 * statement's text stays one of a few: see `preparedName` in sql.ts).
 * @param where an SQL condition on the rows counted (default: every row)
 */
export function countLoader(
  em: EntityManager,
  table: string,
  column: string,
  where = 'true',
): DataLoader<number, number> {
  return new DataLoader<number, number>(async (keys) => {
    const rows = await fastSql<{ key: number; n: number }>(
      em,
      `select ${column} as key, count(*)::int as n from ${table}
        where ${column} = any($1::int[]) and ${where} group by ${column}`,
      [[...keys]],
    );
    const counts = new Map(rows.map((r) => [r.key, r.n]));
    return keys.map((key) => counts.get(key) ?? 0);
  });
}
