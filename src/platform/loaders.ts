import type { EntityManager } from '@mikro-orm/postgresql';
import { CacheScope } from './cache-scope';
import type { Viewer } from './viewer';

/**
 * Every DataLoader of one request, created fresh per request (per event for subscriptions): the
 * platform's `cacheScope` (what the request read and wrote, for the response cache: see
 * cache-scope.ts) and each module's. A module declares its loaders by merging them into this
 * interface (`declare module` in its src/modules/<name>/index.ts) and creates them through its
 * manifest's `loaders` (see module.ts).
 */
export interface Loaders {
  cacheScope: CacheScope;
}

/** A module's loaders for one request. */
export type LoaderFactory = (em: EntityManager, viewer: Viewer, cacheScope: CacheScope) => object;

/** Makes a request's loaders. */
export type CreateLoaders = (em: EntityManager, viewer: Viewer) => Loaders;

/** The request's loaders made of every module's (see the modules' manifests). */
export function loadersOf(factories: readonly LoaderFactory[]): CreateLoaders {
  return (em, viewer) => {
    const cacheScope = new CacheScope();
    const loaders: object = { cacheScope };
    for (const factory of factories) Object.assign(loaders, factory(em, viewer, cacheScope));
    return loaders as Loaders;
  };
}
