import type { Loaders } from './loaders';
import { User } from '../modules/identity/identity.entity';

/** Columns of `users` selected alongside another row as `a__<column>`, so one statement brings both. */
export const AUTHOR_COLUMNS = ['id', 'handle', 'email', 'is_admin', 'created_at']
  .map((c) => `u.${c} as a__${c}`)
  .join(', ');

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

export function userView(r: Record<string, unknown>): User {
  return view(User, {
    id: r.id,
    handle: r.handle,
    email: r.email,
    isAdmin: r.is_admin,
    createdAt: timestamp(r.created_at),
  });
}

/** The author columns of a joined row (see AUTHOR_COLUMNS). */
const AUTHOR_KEYS = {
  id: 'a__id',
  handle: 'a__handle',
  email: 'a__email',
  is_admin: 'a__is_admin',
  created_at: 'a__created_at',
} as const;

/**
 * Reads a joined row's author columns (`a__…`) into a user view and primes the request's user
 * loader with it (so resolving `author` costs no statement). Returns the row itself: views take
 * only the columns they name, so the author's columns need not be removed.
 */
export function takeAuthor(loaders: Loaders, row: Record<string, unknown>): Record<string, unknown> {
  const user = view(User, {
    id: row[AUTHOR_KEYS.id],
    handle: row[AUTHOR_KEYS.handle],
    email: row[AUTHOR_KEYS.email],
    isAdmin: row[AUTHOR_KEYS.is_admin],
    createdAt: timestamp(row[AUTHOR_KEYS.created_at]),
  });
  loaders.user.clear(user.id).prime(user.id, user);
  return row;
}
