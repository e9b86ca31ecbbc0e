/** `npm run seed`: loads the demo data (README lists the accounts) into a database that has no users yet. */
import 'reflect-metadata';
import { seedDemoIfEmpty } from '../../seed/demo';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  // Under the migration lock, as the server seeds: a server starting meanwhile does not seed it twice.
  const db = await openDatabase(config, log, undefined, async (orm) => {
    const seeded = await seedDemoIfEmpty(orm, log);
    if (!seeded) log.info('the database already has users: demo data not loaded');
  });
  await db.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
