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

/**
 * The columns of `users` a listing reads alongside its rows when their `author` is asked for its
 * `id` and `handle` only (see `LISTED_AUTHOR_FIELDS`): the rest (an e-mail address, timestamps) is
 * most of what PostgreSQL formats and the driver decodes per author.
 */
export const AUTHOR_HANDLE_COLUMNS = 'u.id as a__id, u.handle as a__handle';

/** The fields of `User` whose columns AUTHOR_HANDLE_COLUMNS holds. */
export const LISTED_AUTHOR_FIELDS: ReadonlySet<string> = new Set(['__typename', 'id', 'handle']);

/**
 * Where a listed view keeps its author read with AUTHOR_HANDLE_COLUMNS (`handleAuthor`), for its
 * `author` field (`listedAuthor`): a field of the views of listed rows (posts, comments), undefined
 * unless the listing read its authors that way.
 */
export const LISTED_AUTHOR = Symbol('listed author');

/**
 * The author of a row read with AUTHOR_HANDLE_COLUMNS, to keep on the view built from it
 * (LISTED_AUTHOR). It holds the id and handle only, so it is never primed in the request's user
 * loader, where any other field could reach it; and the view it is kept on must not be primed in
 * its own loader either.
 */
export function handleAuthor(row: Record<string, unknown>): User {
  return view(User, {
    id: row.a__id,
    handle: row.a__handle,
    email: undefined,
    isAdmin: undefined,
    createdAt: undefined,
  });
}

/** The author kept on a listed view (LISTED_AUTHOR), if any. */
export function listedAuthor(entity: object): User | undefined {
  return (entity as Record<symbol, User | undefined>)[LISTED_AUTHOR];
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
