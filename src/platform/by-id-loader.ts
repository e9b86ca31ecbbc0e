import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from './database/sql';
import { PrimedLoader } from './primed-loader';

/**
 * The managed entity of a row (column names as keys) in the request's EntityManager, as a by-id
 * loader holds it: an entity it already holds is returned as it is, never overwritten by the row.
 */
export function managedFromRow<T>(em: EntityManager, entity: new (...args: never[]) => T, row: object): T {
  // em.map refreshes by default; its options reach em.merge, whose `refresh: false` keeps what is loaded.
  return em.map(entity as never, row as never, { refresh: false } as never) as T;
}

/**
 * `select … from` the table of an entity: every column, but those of `lazy` properties when it has
 * some (a search document: see src/modules/search/search-documents.ts), which the ORM's own queries
 * leave out too.
 */
function selectFrom(meta: EntityMetadata): string {
  if (!meta.props.some((p) => p.lazy)) return `select * from "${meta.tableName}"`;
  const columns = meta.props
    .filter((p) => !p.lazy && p.persist !== false && p.fieldNames?.length)
    .filter((p) => p.kind === ReferenceKind.SCALAR || p.kind === ReferenceKind.MANY_TO_ONE)
    .flatMap((p) => p.fieldNames.map((f) => `"${f}"`));
  return `select ${columns.join(', ')} from "${meta.tableName}"`;
}

/**
 * Loads entities by primary key in one `where id = any(…)` per tick, results in key order. The rows
 * are read with `fastSql` and mapped into the request's EntityManager (managed, as `em.find` returns
 * them), without building the query through the ORM each time; an entity this EntityManager already
 * holds is returned as it is (never overwritten by the row). `value(id)` gives a primed entity at once.
 */
export function byIdLoader<T extends { id: number }>(em: EntityManager, entity: new (...args: never[]) => T) {
  let from: string | undefined;
  return new PrimedLoader<number, T | null>(async (ids) => {
    from ??= selectFrom(em.getMetadata().get(entity.name));
    const rows = await fastSql(em, `${from} where id = any($1::int[])`, [[...ids]]);
    const map = new Map<number, T>();
    for (const row of rows) {
      const managed = managedFromRow(em, entity, row);
      map.set(managed.id, managed);
    }
    return ids.map((id) => map.get(id) ?? null);
  });
}
