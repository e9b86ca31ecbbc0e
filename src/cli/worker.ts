/**
 * `npm run worker`: runs background jobs in a process of its own, serving no HTTP, until SIGTERM or
 * SIGINT; then the running jobs finish and it exits 0. For deployments that keep the web instances
 * free of jobs (JOB_CONCURRENCY=0 on them). It shares their PostgreSQL (DATABASE_URL) and Redis
 * (REDIS_URL or REDIS_CLUSTER_NODES: what its jobs publish reaches the instances' subscribers, and its
 * cache invalidations their response caches), so both are required; WORKER_CONCURRENCY sets its
 * workers (default 4).
 */
import 'reflect-metadata';
import { jobSchedules, jobTasks, startModules } from '../app';
import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../platform/database/database';
import { startJobs } from '../platform/jobs/jobs';
import { createLogger } from '../platform/logger';
import { createPubSub } from '../platform/pubsub/pubsub';
import { createResponseCache } from '../platform/response-cache';
import { redisTarget } from '../platform/redis';
import { databaseIdentity } from '../modules/reputation/leaderboards';

async function main(): Promise<void> {
  const config = loadConfig();
  const redis = redisTarget(config);
  if (!config.DATABASE_URL || !redis) {
    throw new ConfigError(
      'npm run worker needs DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES): a separate worker shares the instances\u2019 PostgreSQL and Redis. ' +
        'Without them, the server runs its jobs itself (JOB_CONCURRENCY).',
    );
  }
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100) {
    throw new ConfigError('WORKER_CONCURRENCY must be an integer from 1 to 100');
  }
  const log = createLogger(config.LOG_LEVEL).child({ process: 'worker' });
  const db = await openDatabase(config, log); // migrates under an advisory lock, as the instances do
  const pubsub = await createPubSub(redis, log);
  const responseCache = await createResponseCache({
    seconds: config.RESPONSE_CACHE_SECONDS,
    megabytes: config.RESPONSE_CACHE_MB,
    redis,
    log,
  });
  const namespace = await databaseIdentity(db.orm.em.fork());
  const modules = await startModules({ orm: db.orm, pubsub, responseCache, config, log, namespace });
  const jobs = await startJobs({
    url: db.url,
    preparedStatements: db.preparedStatements,
    orm: db.orm,
    pubsub,
    responseCache,
    services: modules.services,
    config,
    log,
    tasks: jobTasks,
    schedules: jobSchedules,
    concurrency,
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping: finishing the running jobs');
    await jobs.stop(config.SHUTDOWN_TIMEOUT_MS);
    await modules.stop();
    await responseCache.close();
    await pubsub.close();
    await db.close();
    log.info('worker stopped');
    log.flush?.();
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(err instanceof ConfigError ? 78 : 1);
});
