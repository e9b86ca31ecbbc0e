import type { Loaders } from '../../platform/loaders';
import { timestamp, view } from '../../platform/views';
import { User } from './identity.entity';

/** Columns of `users` selected alongside another row as `a__<column>`, so one statement brings both. */
export const AUTHOR_COLUMNS = ['id', 'handle', 'email', 'is_admin', 'created_at']
  .map((c) => `u.${c} as a__${c}`)
  .join(', ');

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
