import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type { Config } from '../config';
import type { RateLimiter } from './guards/rate-limit';
import type { Services } from './context';
import type { JobSchedule, JobTasks } from './jobs/jobs';
import type { LoaderFactory } from './loaders';
import type { Logger } from './logger';
import type { PubSub } from './pubsub/pubsub';
import type { ResponseCache } from './response-cache';
import type { ShareKey } from './shared-subscriptions';

/**
 * What a domain module brings to the server. Each module exports one (src/modules/<name>/index.ts)
 * and src/modules/index.ts lists them: adding a module is adding it to that list. The platform
 * knows no module; the server composes the schema, the loaders, the context's services, the shared
 * subscriptions and the background work from the list.
 */
export interface ModuleManifest {
  name: string;
  /** Its type-graphql resolver classes. */
  // oxlint-disable-next-line ban-types -- type-graphql takes resolver classes as Function
  resolvers: readonly Function[];
  /** Its per-request DataLoaders (declared by merging them into `Loaders`). */
  loaders?: LoaderFactory;
  /** How its live subscription fields share one execution between sockets (see shared-subscriptions.ts). */
  shareKeys?: readonly ShareKey[];
  /**
   * Its fields whose value depends on who asks (any field named `viewer…` does too): a subscription
   * that selects one never shares its execution with other sockets.
   */
  viewerFields?: readonly string[];
  /** Its background jobs' handlers, by task name (their payloads merged into `JobPayloads`: see jobs.ts). */
  tasks?: JobTasks;
  /** Its recurring jobs. */
  schedules?: readonly JobSchedule[];
  /** Starts its long-lived services and background work, once the database and pub/sub are up. */
  start?(deps: ModuleDeps): Promise<ModuleRuntime>;
  /** Plain HTTP routes it serves beside /graphql (a download, say), answered by Express. */
  routes?: readonly HttpRoute[];
}

/** A GET route of a module: `path` in Express's syntax (`/exports/:token`). */
export interface HttpRoute {
  path: string;
  /** Answers the request; a thrown error is logged and answered 500. */
  handle(req: Request, res: Response, deps: HttpRouteDeps): Promise<void>;
}

/** What a route's handler gets: a fresh EntityManager per request, the instance's config and logger. */
export interface HttpRouteDeps {
  em: EntityManager;
  config: Config;
  log: Logger;
}

/** What a module's `start` gets. */
export interface ModuleDeps {
  orm: MikroORM;
  pubsub: PubSub;
  responseCache: ResponseCache;
  config: Config;
  log: Logger;
  /** Namespaces the module's keys in a shared Redis: the database's identity ('' without Redis). */
  namespace: string;
  /** The instance's rate limiter (absent in a worker process, which serves no requests). */
  rateLimiter?: RateLimiter;
}

/** A started module: the services it adds to every context, and how to stop it (at shutdown). */
export interface ModuleRuntime {
  services?: Partial<Services>;
  stop(): Promise<void>;
}
