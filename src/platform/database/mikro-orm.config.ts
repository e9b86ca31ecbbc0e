import { readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { DefaultLogger, type LoggerOptions, type LogContext } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationObject } from '@mikro-orm/core';
import { SeedManager } from '@mikro-orm/seeder';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { ENTITIES } from '../../entities';
import { countStatement } from './query-stats';
import { REPLICA_DEFAULTS, replicaName } from './replicas';

const compiled = __dirname.includes(`${sep}dist${sep}`);
/** The repository's migrations/ folder: generation writes TypeScript here. */
export const MIGRATIONS_SOURCE_DIR = resolve(__dirname, compiled ? '../../../../migrations' : '../../../migrations');
/** Where this build loads migrations from: dist/migrations (.js) when compiled, migrations/ (.ts) from source (jest). */
export const MIGRATIONS_RUNTIME_DIR = resolve(__dirname, '../../../migrations');

/** Loads every migration of this build, in name (= time) order. */
export function migrationsList(dir = MIGRATIONS_RUNTIME_DIR): MigrationObject[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => /^Migration\d+.*\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((file) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(dir, file)) as Record<string, MigrationObject['class']>;
      const cls = Object.values(mod)[0];
      return { name: file.replace(/\.(js|ts)$/, ''), class: cls };
    });
}

/** Counts every statement for the per-request SQL budget, then logs as MikroORM would. */
class CountingLogger extends DefaultLogger {
  override logQuery(context: { query: string } & LogContext): void {
    countStatement(context, context.took, context.query);
    super.logQuery(context);
  }
}

export interface DatabaseOptions {
  url: string;
  poolSize: number;
  replicaUrls?: string[];
  debug?: boolean;
  /**
   * Diff new migrations against migrations/.snapshot-townsquare.json (only when generating one).
   * Off elsewhere: checking for pending changes would otherwise rewrite the snapshot from the live database.
   */
  snapshot?: boolean;
}

/** MikroORM options for a PostgreSQL URL (a real server or the embedded PGlite). */
export function ormOptions(opts: DatabaseOptions): Options {
  return defineConfig({
    clientUrl: opts.url,
    entities: ENTITIES,
    pool: { min: 0, max: opts.poolSize },
    // Read replicas: connections (and pools) of their own. MikroORM picks none by itself: which reads go
    // to a replica is decided per request (see routing.ts), and reads elsewhere (jobs, subscriptions,
    // the commands) stay on the primary.
    replicas: (opts.replicaUrls ?? []).map((clientUrl, i) => ({
      name: replicaName(i),
      clientUrl,
      driverOptions: { connection: { connectionTimeoutMillis: REPLICA_DEFAULTS.connectTimeoutMs } },
    })),
    preferReadReplicas: false,
    extensions: [Migrator, SeedManager],
    discovery: { warnWhenNoEntities: true },
    debug: opts.debug ? ['query', 'query-params'] : false,
    loggerFactory: (options: LoggerOptions) => new CountingLogger(options),
    // Requests fork their own EntityManager; the global one must never be used implicitly.
    allowGlobalContext: false,
    // Never create a missing database: openDatabase refuses to start on one (issue 12).
    ensureDatabase: false,
    forceUtcTimezone: true,
    // The job queue's schema is graphile-worker's own (created and upgraded by it: see jobs.ts).
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
    migrations: {
      path: MIGRATIONS_SOURCE_DIR,
      pathTs: MIGRATIONS_SOURCE_DIR,
      migrationsList: migrationsList(),
      snapshot: opts.snapshot ?? false,
      snapshotName: '.snapshot-townsquare',
      silent: true,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
    },
  });
}
