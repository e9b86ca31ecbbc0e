import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { QueryStats } from './database/query-stats';
import type { Viewer } from './viewer';
import type { Logger } from './logger';
import type { CreateLoaders, Loaders } from './loaders';
import type { RateLimiter } from './guards/rate-limit';
import type { PubSub } from './pubsub/pubsub';
import type { ResponseCache } from './response-cache';

/**
 * Long-lived services that modules put in every context (reputation's `leaderboards`…): each module
 * declares its own by merging them into this interface (`declare module` in its index.ts) and makes
 * them in its manifest's `start` (see module.ts).
 */
// oxlint-disable-next-line no-empty-interface
export interface Services {}

/** What a request's resolvers get: built in one place, `createContext`. */
export interface Context extends Services {
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
  /**
   * Set on a live subscription with a cursor that may continue in a shared execution once its
   * replay has caught up (see `SharedSubscriptions`): its stream offers the handover at each point
   * where it has delivered everything the feed offered it, and ends when this returns true.
   */
  liveHandover?: LiveHandover;
}

/**
 * Takes over a caught-up live stream: from now on the rows it would deliver reach its client from
 * a shared execution, which skips the rows the stream delivered (`delivered`) or would never
 * deliver (ids at or below `floor`, its cursor). Returns false when it cannot (the stream goes on).
 */
export type LiveHandover = (caughtUp: { floor: number; delivered: ReadonlySet<number> }) => boolean;

/** Long-lived services a context is built from. */
export interface ContextDeps {
  orm: MikroORM;
  pubsub: PubSub;
  rateLimiter: RateLimiter;
  /** The modules' services, given to every context. */
  services: Services;
  /** Makes a request's loaders (every module's: see `loadersOf`). */
  createLoaders: CreateLoaders;
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
 * A request's context. The EntityManager and loaders are made on first use (a subscription that
 * shares another's execution, or a query no resolver of which reads the database, never needs
 * them). Their accessors live on the prototype, not on the object: Apollo hands resolvers a shallow
 * copy of the context (`Object.assign` of its own properties), which would otherwise call them.
 * Methods use `this`, so they act on whichever copy they are called on.
 */
class RequestContext {
  private currentEm: EntityManager | undefined;
  private currentLoaders: Loaders | undefined;
  private currentLog: Logger | undefined;
  readonly pubsub: PubSub;
  readonly rateLimiter: RateLimiter;
  readonly config: Config;

  constructor(
    private readonly deps: ContextDeps,
    public viewer: Viewer,
    readonly requestId: string,
    private readonly makeLog: Logger | (() => Logger),
    private readonly makeEm: () => EntityManager,
    readonly stats: QueryStats,
    readonly clientIp: string,
    em?: EntityManager,
  ) {
    this.currentEm = em;
    this.pubsub = deps.pubsub;
    this.rateLimiter = deps.rateLimiter;
    // The modules' services are own properties, as the rest: Apollo's shallow copy keeps them.
    Object.assign(this, deps.services);
    this.config = deps.config;
  }

  /** Made when first used: a request's child logger costs its set-up, and most requests log nothing. */
  get log(): Logger {
    return (this.currentLog ??= typeof this.makeLog === 'function' ? this.makeLog() : this.makeLog);
  }

  get em(): EntityManager {
    return (this.currentEm ??= this.makeEm());
  }

  set em(value: EntityManager) {
    this.currentEm = value;
  }

  get loaders(): Loaders {
    return (this.currentLoaders ??= this.deps.createLoaders(this.em, this.viewer));
  }

  set loaders(value: Loaders) {
    this.currentLoaders = value;
  }

  actAs(next: Viewer): void {
    this.viewer = next;
    this.currentLoaders = this.deps.createLoaders(this.em, next);
  }

  refresh(): void {
    this.release(); // a fresh EntityManager and loaders are made when next used
  }

  release(): void {
    this.currentEm = undefined;
    this.currentLoaders = undefined;
  }
}

/**
 * Builds a request's context (see {@link RequestContext}).
 * @param log the request's logger, or how to make it when first used
 * @param em the request's EntityManager, or how to make it when first used
 */
export function createContext(
  deps: ContextDeps,
  viewer: Viewer,
  requestId: string,
  log: Logger | (() => Logger),
  em: EntityManager | (() => EntityManager),
  stats: QueryStats,
  clientIp: string,
): Context {
  const makeEm = typeof em === 'function' ? em : () => forkEm(deps.orm, requestId, stats);
  // The modules' services are assigned in the constructor: the class declares only the platform's.
  return new RequestContext(
    deps,
    viewer,
    requestId,
    log,
    makeEm,
    stats,
    clientIp,
    typeof em === 'function' ? undefined : em,
  ) as unknown as Context;
}
