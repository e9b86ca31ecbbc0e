/**
 * A read-only view of an entity: an instance of its class (so GraphQL types and getters work)
 * holding the row's values, NOT managed by any EntityManager. Listings build their hundreds of
 * rows this way because hydrating managed entities costs most of a feed request's CPU. Services
 * that change an entity load the managed one with `managed()` first.
 */
/** A view class's constructor: copies the named fields, in order, onto a new instance. */
type ViewConstructor = new (fields: Record<string, unknown>) => object;

const viewConstructors = new Map<object, ViewConstructor>();

export function view<T extends object>(cls: { prototype: T }, fields: Record<string, unknown>): T {
  let View = viewConstructors.get(cls.prototype);
  if (!View) {
    // MikroORM puts change-tracking accessors for every property on the entity prototype. A view's
    // prototype sits in between with plain writable data properties of the same names, so plain
    // assignment below creates own properties (fast, one hidden class) and never reaches them.
    const proto = Object.create(cls.prototype) as object;
    const keys = Reflect.ownKeys(fields) as string[];
    for (const key of keys) Object.defineProperty(proto, key, { value: undefined, writable: true });
    // Built by a constructor (not Object.create), V8 sizes the instances to their fields after the
    // first few: each view is one object, its fields held inside it, with no property store to grow.
    const ViewOf = function (this: Record<string, unknown>, values: Record<string, unknown>) {
      for (let i = 0; i < keys.length; i++) this[keys[i]] = values[keys[i]];
    } as unknown as ViewConstructor;
    ViewOf.prototype = proto;
    viewConstructors.set(cls.prototype, (View = ViewOf));
  }
  return new View(fields) as T;
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
