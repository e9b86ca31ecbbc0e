import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  Logger as WorkerLogger,
  parseCronItems,
  run,
  runMigrations,
  type CronItem,
  type Job,
  type Runner,
  type TaskList,
  type WorkerPool,
} from 'graphile-worker';
import { Pool } from 'pg';
import type { Config } from '../../config';
import type { Services } from '../context';
import { InlineClient } from '../database/inline-client';
import { sql } from '../database/sql';
import type { Logger } from '../logger';
import type { PubSub } from '../pubsub/pubsub';
import type { ResponseCache } from '../response-cache';
import { releaseAllJobLocks, startJobRecovery, type JobRecovery } from './recovery';

/**
 * Background jobs on PostgreSQL, run by graphile-worker (0.16: the last line that runs on Node 20).
 *
 * A job is a row in graphile-worker's tables (schema `graphile_worker`; `select * from
 * graphile_worker.jobs` lists the waiting, running and failing ones). `enqueue` inserts it with the
 * SQL function `graphile_worker.add_job` on the caller's EntityManager: given the write's
 * transaction, the job exists if and only if the write commits (an outbox). Every instance runs
 * JOB_CONCURRENCY workers (0: none; then `npm run worker` runs them in a process of their own);
 * a job is taken by one worker (`for update skip locked`), retried with exponential backoff when
 * it throws (up to its `maxAttempts`, 25 by default: about three days), and removed when it
 * succeeds. Workers learn of new jobs through LISTEN/NOTIFY on PostgreSQL and by polling every
 * JOB_POLL_MS (the only way on the embedded PGlite, whose notifications do not cross connections).
 * A job held by a worker whose process died is released once its lock is JOB_LOCK_TIMEOUT_SECONDS
 * old and the worker has sent no heartbeat for as long (recovery.ts), rather than after
 * graphile-worker's 4 hours; on the embedded PGlite, every lock left is released at start.
 * Recurring jobs (`JobSchedule`) are graphile-worker's cron: each due run is enqueued once across
 * every instance, and runs missed while no worker ran are made up within their backfill period.
 *
 * Modules declare their jobs' payloads by merging them into `JobPayloads`, their handlers in their
 * manifest's `tasks`, and their recurring jobs in its `schedules`.
 */
// oxlint-disable-next-line no-empty-interface -- modules merge their tasks into it
export interface JobPayloads {}

export type TaskName = keyof JobPayloads & string;

/** What a job's handler gets besides its payload: a fresh EntityManager and the instance's services. */
export interface JobContext {
  em: EntityManager;
  orm: MikroORM;
  pubsub: PubSub;
  responseCache: ResponseCache;
  services: Services;
  config: Config;
  log: Logger;
  /** The job's row: its id, attempts so far (1 on the first run), and when it was created. */
  job: Pick<Job, 'id' | 'attempts' | 'max_attempts' | 'created_at' | 'task_identifier'>;
}

/** Runs a job; throwing fails this attempt (retried with backoff until `maxAttempts`). */
export type JobTask<P> = (payload: P, ctx: JobContext) => Promise<void>;

/** The handlers of every task, by name. */
export type JobTasks = { [K in TaskName]?: JobTask<JobPayloads[K]> };

/** A recurring job: `cron` in UTC (minute hour day month weekday, e.g. `0 * * * *`: hourly). */
export interface JobSchedule {
  task: TaskName;
  cron: string;
  /** Runs missed (no worker running) within this many hours are made up when a worker starts. Default 0. */
  backfillHours?: number;
}

export interface EnqueueOptions {
  /** Not before then (default: now). */
  runAt?: Date;
  /** Attempts before it is left failed in the table (default 25). */
  maxAttempts?: number;
  /**
   * Replaces a waiting job of the same key (its payload and time) rather than adding a second one:
   * at most one waiting job per key.
   */
  jobKey?: string;
  /** Jobs of one queue run one at a time, in order. */
  queueName?: string;
}

/**
 * Enqueues a job on `db`: inside a transaction, with it (it exists only if the transaction
 * commits); outside one, at once. Returns the job's id.
 */
export async function enqueue<K extends TaskName>(
  db: EntityManager,
  task: K,
  payload: JobPayloads[K],
  options: EnqueueOptions = {},
): Promise<string> {
  const [row] = await sql<{ id: string }[]>(
    db,
    `select (graphile_worker.add_job(identifier => ?, payload => ?::json, run_at => ?, max_attempts => ?,
                                    job_key => ?, queue_name => ?)).id::text as id`,
    [
      task,
      JSON.stringify(payload ?? {}),
      options.runAt ?? null,
      options.maxAttempts ?? 25,
      options.jobKey ?? null,
      options.queueName ?? null,
    ],
  );
  return row.id;
}

/**
 * graphile-worker's log lines through the instance's logger: its errors and warnings as such, its
 * `info` (a line per job completed, workers connecting) and `debug` as pino's `debug`.
 */
function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    log[method]({ ...scope, ...meta }, message);
  });
}

/**
 * Creates or updates graphile-worker's schema (its own migrations, idempotent and locked by it).
 * Run at start with the database's migrations, so that writes may enqueue from the first request.
 */
export async function migrateJobs(url: string, log: Logger): Promise<void> {
  // Values written into the statements: PGlite's socket server must not interleave them (inline-client.ts).
  const pool = new Pool({ connectionString: url, max: 1, Client: InlineClient });
  try {
    await runMigrations({ pgPool: pool, logger: workerLogger(log.child({ component: 'jobs' })) });
  } finally {
    await pool.end();
  }
}

export interface JobsOptions {
  url: string;
  /** False on PGlite (see Database.preparedStatements). */
  preparedStatements: boolean;
  orm: MikroORM;
  pubsub: PubSub;
  responseCache: ResponseCache;
  services: Services;
  config: Config;
  log: Logger;
  tasks: JobTasks;
  schedules: readonly JobSchedule[];
  /** Workers in this process (default JOB_CONCURRENCY). */
  concurrency?: number;
  /**
   * The embedded PostgreSQL, whose data folder only this process uses: every job lock found at
   * start is a dead process's, released at once.
   */
  embedded?: boolean;
}

/** The workers of this process. */
export interface Jobs {
  /** Workers running here (0: this process only enqueues). */
  concurrency: number;
  /**
   * Stops taking jobs and waits for the running ones to finish, at most `deadlineMs` (default: no
   * limit): a job still running then is failed back into the queue with the error "shutdown deadline",
   * to be retried by another worker after its backoff, and the stop goes on without it.
   */
  stop(deadlineMs?: number): Promise<void>;
}

/** Starts this process's workers (none when the concurrency is 0). */
export async function startJobs(o: JobsOptions): Promise<Jobs> {
  const concurrency = o.concurrency ?? o.config.JOB_CONCURRENCY;
  const log = o.log.child({ component: 'jobs' });
  if (o.embedded) {
    const { jobs, workers } = await releaseAllJobLocks(o.orm);
    if (workers.length)
      log.warn({ jobs, workers }, `released ${jobs} job(s) locked before this start (embedded database)`);
  }
  if (concurrency === 0) {
    log.info('no job workers in this process (JOB_CONCURRENCY=0): run `npm run worker`');
    return { concurrency, stop: async () => undefined };
  }
  const taskList: TaskList = {};
  for (const [name, handler] of Object.entries(o.tasks) as [TaskName, JobTask<unknown>][]) {
    taskList[name] = async (payload, helpers) => {
      const { job } = helpers;
      await handler(payload, {
        em: o.orm.em.fork(),
        orm: o.orm,
        pubsub: o.pubsub,
        responseCache: o.responseCache,
        services: o.services,
        config: o.config,
        log: log.child({ task: name, jobId: job.id, attempt: job.attempts }),
        job,
      });
    };
  }
  const cron: CronItem[] = o.schedules.map((s) => ({
    task: s.task,
    match: s.cron,
    identifier: s.task,
    options: { backfillPeriod: (s.backfillHours ?? 0) * 3_600_000, jobKey: `cron:${s.task}`, maxAttempts: 5 },
  }));
  // The listening connection, and one per worker.
  const pool = new Pool({
    connectionString: o.url,
    max: concurrency + 1,
    // Without prepared statements (PGlite: see inline-client.ts; a pooler), simple queries; else graphile-worker's own.
    ...(o.preparedStatements ? {} : { Client: InlineClient }),
  });
  pool.on('error', (err) => log.warn({ err }, 'job pool connection error'));
  let runner: Runner;
  let recovery: JobRecovery | undefined;
  let workerPool: WorkerPool | undefined;
  try {
    // The heartbeat of this process's workers, and the sweep of dead ones' jobs (first once, now).
    recovery = await startJobRecovery({
      orm: o.orm,
      log,
      heartbeatSeconds: o.config.JOB_HEARTBEAT_SECONDS ?? 5, // tests' partial configs
      timeoutSeconds: o.config.JOB_LOCK_TIMEOUT_SECONDS ?? 30,
    });
    // The runner does not expose its pool, whose forceful shutdown the stop's deadline needs.
    recovery.events.on('pool:create', ({ workerPool: created }) => (workerPool = created));
    runner = await run({
      pgPool: pool,
      events: recovery.events,
      concurrency,
      noHandleSignals: true,
      pollInterval: o.config.JOB_POLL_MS,
      noPreparedStatements: !o.preparedStatements,
      taskList,
      parsedCronItems: parseCronItems(cron),
      logger: workerLogger(log),
    });
  } catch (err) {
    await recovery?.stop();
    await pool.end();
    throw err;
  }
  log.info({ concurrency, tasks: Object.keys(taskList), schedules: cron.map((c) => c.match) }, 'job workers started');
  let stopping: Promise<void> | undefined;
  return {
    concurrency,
    stop(deadlineMs = Infinity) {
      // Once: a second call (a cleanup after a test's stop, say) waits for the first.
      return (stopping ??= stopWorkers(deadlineMs));
    },
  };
  async function stopWorkers(deadlineMs: number): Promise<void> {
    const graceful = runner.stop();
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      graceful.then(() => false),
      new Promise<true>((resolve) => {
        if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve(true), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (late && workerPool) {
      const running = workerPool._workers.map((w) => w.getActiveJob()).filter((job) => job !== null);
      log.warn(
        { deadlineMs, jobs: running.map((job) => ({ id: job.id, task: job.task_identifier })) },
        'jobs still running at the shutdown deadline: failed back into the queue for another worker',
      );
      await workerPool.forcefulShutdown('shutdown deadline');
    }
    await recovery!.stop();
    await pool.end();
  }
}
