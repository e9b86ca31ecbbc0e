/**
 * `npm run reputation:rebuild`: recomputes every member's reputation from PostgreSQL's ledger and,
 * with REDIS_URL (or REDIS_CLUSTER_NODES), every community's leaderboards in Redis. Without Redis the
 * leaderboards live in the server's memory and are loaded from the ledger when it starts, so restart
 * it after this.
 * Prints one line per community (progress) and a summary. `--community=<slug>` rebuilds one community.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../platform/database/database';
import { createLogger } from '../platform/logger';
import { Community } from '../modules/communities/communities.entity';
import { createLeaderboards } from '../modules/reputation/leaderboards';
import { rebuildCommunity } from '../modules/reputation/reputation.service';
import { sql } from '../platform/database/sql';
import { createResponseCache } from '../platform/response-cache';
import { redisTarget } from '../platform/redis';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const db = await openDatabase(config, log);
  const redis = redisTarget(config);
  const leaderboards = await createLeaderboards(redis, db.orm, log);
  const started = Date.now();
  try {
    const em = db.orm.em.fork();
    const only = process.argv.find((a) => a.startsWith('--community='))?.slice('--community='.length);
    const communities = await em.find(Community, only ? { slug: only } : {}, { orderBy: { id: 'asc' } });
    if (only && !communities.length) throw new Error(`no community with slug "${only}"`);
    const [{ rows }] = await sql<{ rows: string }[]>(
      em,
      'select count(*) as rows from reputation_events where community_id = any(?::int[])',
      [`{${communities.map((c) => c.id).join(',')}}`],
    );
    console.log(
      `Rebuilding reputation of ${communities.length} communities from ${Number(rows).toLocaleString('en')} ledger rows (leaderboards: ${leaderboards.kind})`,
    );
    let corrected = 0;
    for (const [i, community] of communities.entries()) {
      const t = Date.now();
      const fixed = await rebuildCommunity({ em: em.fork(), leaderboards }, community);
      corrected += fixed;
      console.log(
        `[${i + 1}/${communities.length}] ${community.slug}: ${fixed} members corrected, ${Date.now() - t} ms`,
      );
    }
    if (redis) {
      // Responses cached by the running servers may hold the old figures: a write that touches everything.
      const cache = await createResponseCache({
        seconds: config.RESPONSE_CACHE_SECONDS,
        megabytes: 1,
        redis,
        log,
      });
      await cache.invalidate();
      await cache.close();
    }
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${corrected} members' reputation corrected.`);
    if (leaderboards.kind === 'memory')
      console.log(
        'No REDIS_URL nor REDIS_CLUSTER_NODES: running servers keep their in-memory leaderboards until they restart.',
      );
  } finally {
    await leaderboards.close();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
