import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ConfigError, type Config } from '../../config';
import { installGlobalIdKey } from '../ids';
import type { Logger } from '../logger';
import { GLOBAL_ID_KEY_SQL } from '../settings.entity';
import { migrateJobs } from '../jobs/jobs';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { ormOptions } from './mikro-orm.config';
import { REPLICA_DEFAULTS, replicaName, type ReadReplicas } from './replicas';
import { routeReads, type RoutedConnection } from './routing';
import { setFastSqlMode } from './sql';
import { releaseTransactionContextWhenIdle } from './transaction-context';

/** The open database: the ORM plus, without DATABASE_URL, the embedded PostgreSQL behind it. */
export interface Database {
  orm: MikroORM;
  url: string;
  embedded: boolean;
  /**
   * Whether clients may use named prepared statements: not on PGlite, whose socket connections share
   * one session (two connections preparing the same name collide), nor with DATABASE_PREPARED_STATEMENTS=false.
   */
  preparedStatements: boolean;
  /**
   * The read replicas (DATABASE_REPLICA_URLS), which the reads of HTTP queries go to (see routing.ts);
   * undefined without any.
   */
  replicas?: ReadReplicas<RoutedConnection>;
  /** Throws unless the primary answers (readiness looks at the primary only: replicas come and go). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Key of the advisory lock that serializes migrations (and the demo seed) across instances starting together. */
const MIGRATION_LOCK = 7_404_242;

/** Work that must run once across instances starting together, after the migrations, under their lock (the demo seed). */
export type AfterMigrate = (orm: MikroORM) => Promise<void>;

/**
 * What opening the database does about migrations: `apply` the pending ones (under their lock;
 * MIGRATE_ON_START=true, the default), `require` none to be pending and refuse to start otherwise
 * (MIGRATE_ON_START=false: `npm run migrate` is a separate deploy step), or `status`: neither, for
 * `npm run migrate:status`, which only reports.
 */
export type MigrationMode = 'apply' | 'require' | 'status';

/**
 * Where a database stands: the applied and pending migrations (names, oldest first), and whether the
 * job queue's schema (graphile-worker's, migrated after ours) exists.
 */
export async function migrationStatus(
  orm: MikroORM,
): Promise<{ applied: string[]; pending: string[]; jobQueue: boolean }> {
  const migrator = orm.getMigrator();
  // One after the other: each creates the migrations table when it is missing (a fresh database), and
  // two concurrent `create table` of one name collide in PostgreSQL's catalog (23505 on pg_type).
  const applied = await migrator.getExecutedMigrations();
  const pending = await migrator.getPendingMigrations();
  const [{ jobs }] = await orm.em
    .fork()
    .getConnection('write')
    .execute<{ jobs: boolean }[]>(`select to_regnamespace('graphile_worker') is not null as jobs`);
  return { applied: applied.map((m) => m.name), pending: pending.map((m) => m.name), jobQueue: jobs };
}

/** Refuses a database with pending migrations (MIGRATE_ON_START=false), naming them and the command that applies them. */
async function assertMigrated(orm: MikroORM): Promise<void> {
  const status = await migrationStatus(orm);
  const pending = [...status.pending];
  if (!status.jobQueue) pending.push('graphile-worker (the job queue)');
  if (pending.length) {
    throw new ConfigError(
      `The database has ${pending.length} pending migration${pending.length === 1 ? '' : 's'} (${pending.join(', ')}) ` +
        'and MIGRATE_ON_START=false: run `npm run migrate` first.',
    );
  }
}

/**
 * Opens the configured database, brings its schema up to date and installs its global ID key. A
 * database named by DATABASE_URL (or DATABASE_REPLICA_URLS) that does not exist is a ConfigError
 * naming the variable: it is never created, so a typo cannot start the server on a fresh, empty database.
 * @param dataDir where PGlite keeps its files when DATABASE_URL is unset; `memory://` keeps nothing
 * @param afterMigrate runs once the migrations are applied, still holding their lock
 */
export async function openDatabase(
  config: Config,
  log: Logger,
  dataDir = join(config.DATA_DIR, 'pgdata'),
  afterMigrate?: AfterMigrate,
  migrations: MigrationMode = config.MIGRATE_ON_START ? 'apply' : 'require',
): Promise<Database> {
  releaseTransactionContextWhenIdle();
  let embedded: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  const replicasDown = new Map<string, unknown>();
  if (url) {
    await assertDatabaseExists(url, 'DATABASE_URL');
    for (const [i, replica] of config.DATABASE_REPLICA_URLS.entries()) {
      try {
        await assertDatabaseExists(replica, 'DATABASE_REPLICA_URLS', REPLICA_DEFAULTS.connectTimeoutMs);
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        replicasDown.set(replicaName(i), err);
      }
    }
  } else {
    // The ORM's pool, the migrations' lock and jobs' connections, the job workers and their listener.
    embedded = await startEmbeddedPostgres(dataDir, config.DATABASE_POOL_SIZE + config.JOB_CONCURRENCY + 4, log);
    url = embedded.url;
  }
  try {
    const orm = await MikroORM.init(
      ormOptions({ url, poolSize: config.DATABASE_POOL_SIZE, replicaUrls: config.DATABASE_REPLICA_URLS }),
    );
    let releaseIdKey: (() => void) | undefined;
    let preparedStatements = config.DATABASE_PREPARED_STATEMENTS;
    const replicas = routeReads(orm, log, replicasDown);
    try {
      // PGlite behind its socket server, ours or one named by DATABASE_URL (as the test suite's).
      const [{ version }] = await orm.em.getConnection().execute<{ version: string }[]>('select version() as version');
      if (embedded || /PGlite/i.test(version)) {
        setFastSqlMode(orm.config, 'inline');
        preparedStatements = false;
      } else if (!config.DATABASE_PREPARED_STATEMENTS) setFastSqlMode(orm.config, 'unnamed');
      // The key is installed before the work after the migrations (the demo seed), under their lock.
      if (migrations === 'status') {
        // Read only: the migrations' state is reported by the caller; the database is not served.
      } else {
        await migrate(
          orm,
          url,
          log,
          async (migrated) => {
            releaseIdKey = installGlobalIdKey(await readGlobalIdKey(migrated));
            await afterMigrate?.(migrated);
          },
          migrations === 'apply',
        );
      }
    } catch (err) {
      releaseIdKey?.(); // a failed demo seed must not leave this database's key installed in the process
      replicas?.close();
      await orm.close(true);
      throw err;
    }
    return {
      orm,
      url,
      embedded: !!embedded,
      preparedStatements,
      replicas,
      async ping() {
        await orm.em.getConnection().execute('select 1');
      },
      async close() {
        releaseIdKey?.();
        replicas?.close();
        await orm.close(true);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/** PostgreSQL's "invalid catalog name": the database in the URL does not exist. */
const NO_SUCH_DATABASE = '3D000';

/**
 * Connects once to see that the URL's database exists. MikroORM (and its migrator) would create a
 * missing one on its own; a server must not: a typo would start it on an empty database.
 */
async function assertDatabaseExists(url: string, variable: string, connectTimeoutMs?: number): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => undefined); // a failed connect also emits it
  try {
    await client.connect();
  } catch (err) {
    const name = new URL(url).pathname.slice(1) || 'postgres';
    if ((err as { code?: string }).code === NO_SUCH_DATABASE) {
      throw new ConfigError(
        `Invalid environment:\n  ${variable}: database "${decodeURIComponent(name)}" does not exist on ${redact(url)}. ` +
          'Townsquare never creates a database: check the name, or create it first (createdb, or CREATE DATABASE in psql).',
      );
    }
    throw new Error(
      `Cannot connect to PostgreSQL at ${variable} (${redact(url)}): ${(err as Error).message || (err as NodeJS.ErrnoException).code}`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** The database's global ID key (settings row written by its migration), read from the primary. */
async function readGlobalIdKey(orm: MikroORM): Promise<Buffer> {
  const rows: { global_id_key: Buffer }[] = await orm.em.fork().getConnection('write').execute(GLOBAL_ID_KEY_SQL);
  if (!rows[0]) throw new Error('The settings row is missing: the database was not migrated by Townsquare');
  return rows[0].global_id_key;
}

/** Migrations in flight in this process, by database URL. */
const inProcess = new Map<string, Promise<void>>();

/**
 * Applies pending migrations, with the server's own ORM, while holding a PostgreSQL advisory lock, so that many
 * instances starting at once migrate exactly once. Within one process the runs are also
 * chained: PGlite serves every socket connection from one session, where the advisory lock
 * is re-entrant and would not keep two in-process servers apart.
 * @param afterMigrate runs after the migrations, still under the lock (see {@link AfterMigrate})
 */
export function migrate(
  orm: MikroORM,
  url: string,
  log: Logger,
  afterMigrate?: AfterMigrate,
  apply = true,
): Promise<void> {
  const run = (inProcess.get(url) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => migrateLocked(orm, url, log, afterMigrate, apply));
  inProcess.set(url, run);
  return run.finally(() => {
    if (inProcess.get(url) === run) inProcess.delete(url);
  });
}

async function migrateLocked(
  orm: MikroORM,
  url: string,
  log: Logger,
  afterMigrate: AfterMigrate | undefined,
  apply: boolean,
): Promise<void> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    // The simple protocol (no parameters): on the embedded PGlite every connection shares one session,
    // where another connection's simple query between this one's Parse and Bind would drop its unnamed
    // statement ("unnamed prepared statement does not exist", seen once in CI).
    await lock.query(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    if (apply) {
      const applied = await orm.getMigrator().up();
      if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      // The job queue's tables (graphile-worker's own migrations), so that writes may enqueue at once.
      await migrateJobs(url, log);
    } else {
      await assertMigrated(orm);
    }
    // Under the same lock: instances starting together on an empty database seed it once.
    await afterMigrate?.(orm);
  } finally {
    await lock.query(`select pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
    await lock.end();
  }
}
