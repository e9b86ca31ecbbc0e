import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { QueryStats } from './database/query-stats';
import type { Viewer } from '../modules/identity/viewer';
import type { Logger } from './logger';
import { createLoaders, type Loaders } from './loaders';
import type { RateLimiter } from './guards/rate-limit';
import type { PubSub } from './pubsub/pubsub';
import type { ResponseCache } from './response-cache';

/** What a request's resolvers get: built in one place, `createContext`. */
export interface Context {
  em: EntityManager;
  /** SQL statements this request has run so far. */
  stats: QueryStats;
  viewer: Viewer;
  loaders: Loaders;
  log: Logger;
  requestId: string;
  pubsub: PubSub;
  rateLimiter: RateLimiter;
  config: Config;
  /** The client's address (for rate limits). */
  clientIp: string;
  /**
   * Gives the context a fresh EntityManager and loaders. A subscription's context lives as
   * long as the subscription, so it calls this before each event: no stale identity map or cache.
   */
  refresh(): void;
  /** Makes the rest of this request act as `viewer` (after signUp / signIn), with loaders to match. */
  actAs(viewer: Viewer): void;
  /** Lets the EntityManager and loaders be collected (they are made again if used). */
  release(): void;
}

/** Long-lived services a context is built from. */
export interface ContextDeps {
  orm: MikroORM;
  pubsub: PubSub;
  rateLimiter: RateLimiter;
  /** Writes made outside a GraphQL mutation call its `invalidate()`. */
  responseCache: ResponseCache;
  config: Config;
  log: Logger;
}

/** Forks the request's EntityManager; its statements are counted into `stats`. */
export function forkEm(orm: MikroORM, requestId: string, stats: QueryStats): EntityManager {
  return orm.em.fork({ loggerContext: { requestId, sqlStats: stats } });
}

/**
 * Builds a request's context. The EntityManager (when given as a function) and the loaders are
 * created on first use: a subscription that shares another's execution never needs its own.
 */
export function createContext(
  deps: ContextDeps, viewer: Viewer, requestId: string, log: Logger, em: EntityManager | (() => EntityManager),
  stats: QueryStats, clientIp: string,
): Context {
  let currentEm: EntityManager | undefined = typeof em === 'function' ? undefined : em;
  let currentLoaders: Loaders | undefined;
  const makeEm = typeof em === 'function' ? em : () => forkEm(deps.orm, requestId, stats);
  const ctx = {
    get em(): EntityManager {
      return (currentEm ??= makeEm());
    },
    set em(value: EntityManager) {
      currentEm = value;
    },
    get loaders(): Loaders {
      return (currentLoaders ??= createLoaders(ctx.em, ctx.viewer));
    },
    set loaders(value: Loaders) {
      currentLoaders = value;
    },
    stats,
    viewer,
    log,
    requestId,
    pubsub: deps.pubsub,
    rateLimiter: deps.rateLimiter,
    config: deps.config,
    clientIp,
    // `this`, not a closure: Apollo hands resolvers a shallow copy of the object built here.
    actAs(this: Context, next: Viewer) {
      this.viewer = next;
      this.loaders = createLoaders(this.em, next);
    },
    refresh(this: Context) {
      this.em = forkEm(deps.orm, requestId, this.stats);
      this.loaders = createLoaders(this.em, this.viewer);
    },
    release() {
      currentEm = undefined;
      currentLoaders = undefined;
    },
  } satisfies Context;
  return ctx;
}
