import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import { User } from './identity.entity';

/** Per-request loaders of the identity domain. */
export function createIdentityLoaders(em: EntityManager) {
  return {
    user: byIdLoader(em, User),
  };
}
