/**
 * `npm run migrate`: applies pending migrations (Townsquare's, then the job queue's) to the configured
 * database under the migrations' advisory lock, and exits. Whatever MIGRATE_ON_START says.
 * `npm run migrate:status`: lists the applied and pending migrations without changing anything; exits 0.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { migrationStatus, openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';

async function main(): Promise<void> {
  const status = process.argv[2] === 'status';
  if (process.argv[2] && !status) throw new ConfigError(`Unknown command "${process.argv[2]}": migrate [status]`);
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config, log, undefined, undefined, status ? 'status' : 'apply');
  try {
    if (!status) {
      log.info({ database: db.embedded ? 'embedded' : 'postgresql' }, 'database is up to date');
      return;
    }
    const { applied, pending, jobQueue } = await migrationStatus(db.orm);
    const lines = [
      `database: ${db.embedded ? `embedded (${config.DATA_DIR})` : 'postgresql'}`,
      `applied: ${applied.length}${applied.length ? ` (latest ${applied[applied.length - 1]})` : ''}`,
      `pending: ${pending.length}`,
      ...pending.map((name) => `  ${name}`),
      `job queue schema: ${jobQueue ? 'installed' : 'pending'}`,
    ];
    console.log(lines.join('\n'));
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
