/**
 * A read-only view of an entity: an instance of its class (so GraphQL types and getters work)
 * holding the row's values, NOT managed by any EntityManager. Listings build their hundreds of
 * rows this way because hydrating managed entities costs most of a feed request's CPU. Services
 * that change an entity load the managed one with `managed()` first.
 */
const viewPrototypes = new Map<object, object>();

export function view<T extends object>(cls: { prototype: T }, fields: Record<string, unknown>): T {
  // MikroORM puts change-tracking accessors for every property on the entity prototype. A view's
  // prototype sits in between with plain writable data properties of the same names, so plain
  // assignment below creates own properties (fast, one hidden class) and never reaches them.
  let proto = viewPrototypes.get(cls.prototype);
  if (!proto) {
    proto = Object.create(cls.prototype) as object;
    for (const key of Object.keys(fields)) Object.defineProperty(proto, key, { value: undefined, writable: true });
    viewPrototypes.set(cls.prototype, proto);
  }
  const obj = Object.create(proto) as Record<string, unknown>;
  for (const key in fields) obj[key] = fields[key];
  return obj as T;
}

/**
 * A timestamp column of a raw row as a Date. MikroORM sets the pg driver to hand timestamps over
 * as text (its hydration parses them), so rows read with raw SQL hold strings such as
 * `2026-11-23 19:24:46.332+00`, which the DateTimeISO scalar rejects.
 */
export function timestamp(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const date = new Date(value as string | number);
  if (Number.isNaN(date.getTime())) throw new Error(`Unreadable timestamp from the database: ${String(value)}`);
  return date;
}

export const ref = (id: unknown) => (id === null || id === undefined ? null : { id: Number(id) });
