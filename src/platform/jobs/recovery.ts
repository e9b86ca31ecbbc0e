import { EventEmitter } from 'node:events';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { WorkerEvents } from 'graphile-worker';
import { sql } from '../database/sql';
import type { Logger } from '../logger';

/**
 * Recovery of the jobs held by a worker that died (SIGKILL, out of memory, power loss).
 *
 * graphile-worker marks a job it runs with `locked_by` (the worker's id) and `locked_at`, and lets
 * no other worker take it until the lock is 4 hours old. So every process that runs workers keeps
 * a heartbeat for its worker ids in `job_workers` (every JOB_HEARTBEAT_SECONDS, on the database's
 * clock) and deletes its rows when it stops; and, at start and at each heartbeat, sweeps: a job (or
 * a queue) locked for more than JOB_LOCK_TIMEOUT_SECONDS by a worker whose heartbeat is missing or
 * older than that is released with `graphile_worker.force_unlock_workers`, and runs again at once,
 * on any worker. Jobs are therefore run at least once: their handlers are idempotent (a job killed
 * after its write but before graphile-worker deleted it writes nothing twice when it runs again).
 *
 * The lock's own age is part of the test, so a live worker that took a job just before its row was
 * written is never swept. A live process stalled for longer than the timeout (its event loop
 * blocked) loses its jobs to another worker: they may then run twice, which their idempotence allows.
 */
export interface JobRecoveryOptions {
  orm: MikroORM;
  log: Logger;
  heartbeatSeconds: number;
  timeoutSeconds: number;
}

export interface JobRecovery {
  /** Pass to graphile-worker's `run`: its worker ids are tracked from its `worker:create` and `worker:stop` events. */
  events: WorkerEvents;
  /** Stops the heartbeat and deletes this process's rows (after the workers have stopped). */
  stop(): Promise<void>;
}

/** The dead workers' job and queue locks, released; how many jobs and which workers. */
export async function sweepDeadWorkers(
  orm: MikroORM,
  timeoutSeconds: number,
): Promise<{ jobs: number; workers: string[] }> {
  const em = orm.em.fork();
  const [dead] = await sql<{ workers: string[]; jobs: number }[]>(
    em,
    `with dead as (
       (select locked_by as id from graphile_worker._private_jobs
         where locked_by is not null and locked_at < now() - make_interval(secs => ?)
        union
        select locked_by from graphile_worker._private_job_queues
         where locked_by is not null and locked_at < now() - make_interval(secs => ?))
       except
       select worker_id from job_workers where heartbeat_at >= now() - make_interval(secs => ?)
     )
     select array(select id from dead order by id) as workers,
            (select count(*)::int from graphile_worker._private_jobs where locked_by in (select id from dead)) as jobs`,
    [timeoutSeconds, timeoutSeconds, timeoutSeconds],
  );
  await release(orm, dead.workers);
  // Rows of workers gone without a word that held nothing.
  await sql(em, 'delete from job_workers where heartbeat_at < now() - make_interval(secs => ?)', [timeoutSeconds * 10]);
  return dead;
}

/**
 * Every job and queue lock in the database, released: on the embedded PostgreSQL only one process
 * ever uses the data folder (its folder lock), so at its start every lock left is a dead process's.
 */
export async function releaseAllJobLocks(orm: MikroORM): Promise<{ jobs: number; workers: string[] }> {
  const em = orm.em.fork();
  const [held] = await sql<{ workers: string[]; jobs: number }[]>(
    em,
    `select array(select locked_by from graphile_worker._private_jobs where locked_by is not null
                  union
                  select locked_by from graphile_worker._private_job_queues where locked_by is not null) as workers,
            (select count(*)::int from graphile_worker._private_jobs where locked_by is not null) as jobs`,
  );
  await release(orm, held.workers);
  return held;
}

async function release(orm: MikroORM, workers: string[]): Promise<void> {
  if (!workers.length) return;
  const em = orm.em.fork();
  const list = workers.map(() => '?').join(', ');
  await sql(em, `select graphile_worker.force_unlock_workers(array[${list}]::text[])`, workers);
  await sql(em, `delete from job_workers where worker_id in (${list})`, workers);
}

/** Starts this process's heartbeat and sweep; the returned `events` must be given to `run`. */
export async function startJobRecovery(o: JobRecoveryOptions): Promise<JobRecovery> {
  const log = o.log;
  const events: WorkerEvents = new EventEmitter();
  const ids = new Set<string>();
  let stopped = false;

  const beat = async () => {
    if (!ids.size) return;
    const rows = [...ids];
    await sql(
      o.orm.em.fork(),
      `insert into job_workers (worker_id, heartbeat_at) values ${rows.map(() => '(?, now())').join(', ')}
       on conflict (worker_id) do update set heartbeat_at = excluded.heartbeat_at`,
      rows,
    );
  };
  const sweep = async () => {
    const { jobs, workers } = await sweepDeadWorkers(o.orm, o.timeoutSeconds);
    if (workers.length) {
      log.warn({ jobs, workers }, `released ${jobs} job(s) held by ${workers.length} dead worker(s)`);
    }
  };
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      try {
        await beat();
        await sweep();
      } catch (err) {
        if (!stopped) log.warn({ err }, 'job worker heartbeat or sweep failed');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  events.on('worker:create', ({ worker }) => {
    ids.add(worker.workerId);
    beat().catch((err) => log.warn({ err }, 'job worker heartbeat failed'));
  });
  events.on('worker:stop', ({ worker }) => {
    ids.delete(worker.workerId);
    if (stopped) return;
    sql(o.orm.em.fork(), 'delete from job_workers where worker_id = ?', [worker.workerId]).catch((err) =>
      log.warn({ err }, 'job worker row not deleted'),
    );
  });

  await sweep(); // before this process's workers take jobs: the dead ones' jobs are among them
  const timer = setInterval(() => void tick(), o.heartbeatSeconds * 1000);
  timer.unref();

  return {
    events,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      const rows = [...ids];
      ids.clear();
      if (rows.length) {
        await sql(
          o.orm.em.fork(),
          `delete from job_workers where worker_id in (${rows.map(() => '?').join(', ')})`,
          rows,
        );
      }
    },
  };
}
