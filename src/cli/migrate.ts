/** `npm run migrate`: applies pending migrations to the configured database and exits. */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const db = await openDatabase(config, log); // migrates under an advisory lock
  log.info({ database: db.embedded ? 'embedded' : 'postgresql' }, 'database is up to date');
  await db.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
