import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Config } from '../../config';
import { installGlobalIdKey } from '../ids';
import type { Logger } from '../logger';
import { GLOBAL_ID_KEY_SQL } from '../settings.entity';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { ormOptions } from './mikro-orm.config';

/** The open database: the ORM plus, without DATABASE_URL, the embedded PostgreSQL behind it. */
export interface Database {
  orm: MikroORM;
  url: string;
  embedded: boolean;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Key of the advisory lock that serializes migrations across instances starting together. */
const MIGRATION_LOCK = 7_404_242;

/**
 * Opens the configured database, brings its schema up to date and installs its global ID key.
 * @param dataDir where PGlite keeps its files when DATABASE_URL is unset; `memory://` keeps nothing
 */
export async function openDatabase(config: Config, log: Logger, dataDir = join(config.DATA_DIR, 'pgdata')): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres(dataDir, config.DATABASE_POOL_SIZE + 2, log);
    url = embedded.url;
  }
  try {
    const orm = await MikroORM.init(
      ormOptions({ url, poolSize: config.DATABASE_POOL_SIZE, replicaUrls: config.DATABASE_REPLICA_URLS }),
    );
    let releaseIdKey: () => void;
    try {
      await migrate(orm, url, log);
      releaseIdKey = installGlobalIdKey(await readGlobalIdKey(orm));
    } catch (err) {
      await orm.close(true);
      throw err;
    }
    return {
      orm,
      url,
      embedded: !!embedded,
      async ping() {
        await orm.em.getConnection().execute('select 1');
      },
      async close() {
        releaseIdKey();
        await orm.close(true);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
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
 */
export function migrate(orm: MikroORM, url: string, log: Logger): Promise<void> {
  const run = (inProcess.get(url) ?? Promise.resolve()).catch(() => undefined).then(() => migrateLocked(orm, url, log));
  inProcess.set(url, run);
  return run.finally(() => {
    if (inProcess.get(url) === run) inProcess.delete(url);
  });
}

async function migrateLocked(orm: MikroORM, url: string, log: Logger): Promise<void> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.getMigrator().up();
    if (applied.length) log.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}
