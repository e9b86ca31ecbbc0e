/**
 * `npm run migration:create` generates a migration from the entity changes;
 * `npm run migration:create -- --check` exits 1 if entities have changes no migration covers (CI).
 * Runs against an in-memory embedded PostgreSQL unless DATABASE_URL is set.
 */
import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { createLogger } from '../platform/logger';
import { startEmbeddedPostgres } from '../platform/database/embedded';
import { migrate } from '../platform/database/database';
import { ormOptions } from '../platform/database/mikro-orm.config';

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres('memory://', 4);
  const url = process.env.DATABASE_URL ?? embedded!.url;
  try {
    const orm = await MikroORM.init(ormOptions({ url, poolSize: 2, snapshot: !check }));
    try {
      await migrate(orm, url, log);
      const migrator = orm.getMigrator();
      if (check) {
        const needed = await migrator.checkMigrationNeeded();
        if (needed) {
          console.error('Entities changed without a migration: run `npm run migration:create` and commit it.');
          process.exitCode = 1;
        } else console.log('Migrations are up to date.');
        return;
      }
      const result = await migrator.createMigration(undefined, false, !(await hasMigrations(orm)));
      console.log(result.fileName ? `Created migrations/${result.fileName}` : 'No changes: no migration created.');
    } finally {
      await orm.close(true);
    }
  } finally {
    await embedded?.stop();
  }
}

async function hasMigrations(orm: MikroORM): Promise<boolean> {
  return (await orm.getMigrator().getExecutedMigrations()).length > 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
