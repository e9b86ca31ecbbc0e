import type { GraphQLSchema } from 'graphql';
import { MODULES } from './modules';
import type { Services } from './platform/context';
import type { JobSchedule, JobTasks } from './platform/jobs/jobs';
import { loadersOf } from './platform/loaders';
import type { HttpRoute, ModuleDeps, ModuleRuntime } from './platform/module';
import type { PubSub } from './platform/pubsub/pubsub';
import { buildTownsquareSchema } from './platform/schema';

/**
 * The composition of the API: what the modules listed in src/modules/index.ts make together. The
 * platform (src/platform) knows no module; this file and server.ts are the only places above both.
 */

/** The schema of every module's resolvers. */
export function buildSchema(pubsub?: PubSub): Promise<GraphQLSchema> {
  return buildTownsquareSchema(
    MODULES.flatMap((m) => m.resolvers),
    pubsub,
  );
}

/** A request's loaders: every module's. */
export const createLoaders = loadersOf(MODULES.flatMap((m) => (m.loaders ? [m.loaders] : [])));

/** How live subscriptions share executions: every module's share keys. */
export const shareKeys = MODULES.flatMap((m) => m.shareKeys ?? []);

/** Fields whose value depends on the viewer, besides `viewer…` ones (never shared between sockets). */
export const viewerFields: ReadonlySet<string> = new Set(MODULES.flatMap((m) => m.viewerFields ?? []));

/** Every module's job handlers, by task name. */
export const jobTasks: JobTasks = Object.assign({}, ...MODULES.map((m) => m.tasks ?? {}));

/** Every module's recurring jobs. */
export const jobSchedules: readonly JobSchedule[] = MODULES.flatMap((m) => m.schedules ?? []);

/** Every module's plain HTTP routes. */
export const httpRoutes: readonly HttpRoute[] = MODULES.flatMap((m) => m.routes ?? []);

/** The started modules: their services for every context, and their shutdown (in reverse order). */
export interface StartedModules {
  services: Services;
  stop(): Promise<void>;
}

/** Starts every module that has services or background work; a failure stops those already started. */
export async function startModules(deps: ModuleDeps): Promise<StartedModules> {
  const started: ModuleRuntime[] = [];
  const stop = async () => {
    for (const runtime of started.splice(0).reverse()) await runtime.stop();
  };
  const services: Partial<Services> = {};
  try {
    for (const module of MODULES) {
      if (!module.start) continue;
      const runtime = await module.start(deps);
      started.push(runtime);
      Object.assign(services, runtime.services);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { services: services as Services, stop };
}
