import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Loads entities by primary key in one `where id in (...)` per tick, results in key order. */
export function byIdLoader<T extends { id: number }>(em: EntityManager, entity: new (...args: never[]) => T) {
  return new DataLoader<number, T | null>(async (ids) => {
    const rows = (await em.find(entity as never, { id: { $in: [...ids] } } as never)) as T[];
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}
