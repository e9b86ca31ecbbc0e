import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../src/platform/logger';
import { User } from '../src/modules/identity/identity.entity';
import { DEMO_ADMIN, DemoSeeder } from './DemoSeeder';

/**
 * Loads the demo data into an empty database (no users yet), in one transaction.
 * @returns whether it seeded
 */
export async function seedDemoIfEmpty(orm: MikroORM, log: Logger): Promise<boolean> {
  const em = orm.em.fork();
  if ((await em.count(User, {})) > 0) return false;
  const started = Date.now();
  await em.transactional((tx) => new DemoSeeder().run(tx));
  log.info({ ms: Date.now() - started, admin: DEMO_ADMIN.email }, 'demo data loaded');
  return true;
}
