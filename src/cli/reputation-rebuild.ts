/**
 * `npm run reputation:rebuild`: recomputes every member's reputation from PostgreSQL's ledger and,
 * with REDIS_URL, every community's leaderboards in Redis. Without REDIS_URL the leaderboards live
 * in the server's memory and are loaded from the ledger when it starts, so restart it after this.
 * Prints one line per community (progress) and a summary.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';
import { Community } from '../modules/communities/communities.entity';
import { createLeaderboards } from '../modules/reputation/leaderboards';
import { rebuildCommunity } from '../modules/reputation/reputation.service';
import { sql } from '../platform/database/sql';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config, log);
  const leaderboards = await createLeaderboards(config.REDIS_URL, db.orm, log);
  const started = Date.now();
  try {
    const em = db.orm.em.fork();
    const communities = await em.find(Community, {}, { orderBy: { id: 'asc' } });
    const [{ rows }] = await sql<{ rows: string }[]>(em, 'select count(*) as rows from reputation_events');
    console.log(`Rebuilding reputation of ${communities.length} communities from ${Number(rows).toLocaleString('en')} ledger rows (leaderboards: ${leaderboards.kind})`);
    let corrected = 0;
    for (const [i, community] of communities.entries()) {
      const t = Date.now();
      const fixed = await rebuildCommunity({ em: em.fork(), leaderboards }, community);
      corrected += fixed;
      console.log(`[${i + 1}/${communities.length}] ${community.slug}: ${fixed} members corrected, ${Date.now() - t} ms`);
    }
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${corrected} members' reputation corrected.`);
    if (leaderboards.kind === 'memory') console.log('No REDIS_URL: running servers keep their in-memory leaderboards until they restart.');
  } finally {
    await leaderboards.close();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
