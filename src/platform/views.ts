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
  return view(User, { id: r.id, handle: r.handle, email: r.email, isAdmin: r.is_admin, createdAt: timestamp(r.created_at) });
}

/**
 * Splits a joined row into the entity's own columns and its author's, and primes the request's
 * user loader with the author (so resolving `author` costs no statement).
 */
export function takeAuthor(loaders: Loaders, row: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  const author: Record<string, unknown> = {};
  for (const key in row) {
    if (key.startsWith('a__')) author[key.slice(3)] = row[key];
    else own[key] = row[key];
  }
  const user = userView(author);
  loaders.user.clear(user.id).prime(user.id, user);
  return own;
}

