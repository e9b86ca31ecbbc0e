import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../../platform/loaders';
import { User } from '../identity/identity.entity';

/** Columns of `users` selected alongside another row as `a__<column>`, so one statement brings both. */
export const AUTHOR_COLUMNS = ['id', 'handle', 'email', 'password_hash', 'is_admin', 'created_at']
  .map((c) => `u.${c} as a__${c}`)
  .join(', ');

/**
 * Splits a joined row into the entity's own columns and its author's, maps the author to a
 * User and primes the request's user loader with it (so resolving `author` costs no statement).
 */
export function takeAuthor(em: EntityManager, loaders: Loaders, row: Record<string, unknown>): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  const author: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('a__')) author[k.slice(3)] = v;
    else own[k] = v;
  }
  const user = em.map(User, author);
  loaders.user.clear(user.id).prime(user.id, user);
  return own;
}
