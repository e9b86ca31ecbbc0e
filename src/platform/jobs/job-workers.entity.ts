import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The job workers alive now, one row per graphile-worker worker id: each process that runs workers
 * refreshes its rows' `heartbeatAt` every JOB_HEARTBEAT_SECONDS (the database's clock) and deletes
 * them when it stops. A job `locked_by` a worker whose row is missing or older than
 * JOB_LOCK_TIMEOUT_SECONDS was held by a process that died; the sweep (recovery.ts) releases it.
 */
@Entity({ tableName: 'job_workers' })
export class JobWorker {
  @PrimaryKey({ type: 'text' })
  workerId!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  heartbeatAt!: Date;
}
