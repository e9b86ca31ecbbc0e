/**
 * Background jobs (issue 15, point 1) on the suite's database (the embedded PGlite, or PostgreSQL
 * with DATABASE_URL): a job enqueued in a write's transaction exists only if the write commits and
 * then runs once; a job that throws is retried with backoff, its error kept in the table; every
 * instance registers the recurring jobs; with REDIS_URL, `npm run worker` runs jobs in a process
 * of its own and stops gracefully on SIGTERM.
 */
import { enqueue, startJobs, type Jobs } from '../../src/platform/jobs/jobs';
import { dbQuery } from '../posts/operations';
import { spawnTownsquare, WORKER_JS } from '../support/process';
import { closeAll, startTestServer, testEnv, onCleanup, type TestServer } from '../support/server';

declare module '../../src/platform/jobs/jobs' {
  interface JobPayloads {
    'test.record': { run: string; n: number };
    'test.failOnce': { run: string };
    'test.hang': { run: string };
  }
}

let server: TestServer;
beforeAll(async () => {
  // This instance runs no jobs itself: the test's own workers (which know the test tasks) do.
  server = await startTestServer({ JOB_CONCURRENCY: '0' });
});
afterAll(closeAll);

const run = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
const seen: { task: string; n?: number; attempt: number }[] = [];

/** Workers of the test tasks; with `hang`, of the stuck one as well (only they take its jobs). */
async function testWorkers({ hang = false } = {}): Promise<Jobs> {
  const { app } = server;
  const jobs = await startJobs({
    url: app.db.url,
    preparedStatements: app.db.preparedStatements,
    orm: app.db.orm,
    pubsub: app.pubsub,
    responseCache: { invalidate: async () => undefined } as never,
    services: {} as never,
    config: { JOB_CONCURRENCY: 2, JOB_POLL_MS: 100 } as never,
    log: app.log,
    tasks: {
      async 'test.record'(payload, { job }) {
        if (payload.run === run) seen.push({ task: 'test.record', n: payload.n, attempt: job.attempts });
      },
      async 'test.failOnce'(payload, { job }) {
        if (payload.run !== run) return;
        seen.push({ task: 'test.failOnce', attempt: job.attempts });
        if (job.attempts === 1) throw new Error('first attempt fails');
      },
      ...(hang && {
        async 'test.hang'(payload: { run: string }) {
          if (payload.run !== run) return;
          seen.push({ task: 'test.hang', attempt: 1 });
          await new Promise((resolve) => setTimeout(resolve, 60_000).unref()); // stuck, as far as a stop can tell
        },
      }),
    },
    schedules: [],
  });
  onCleanup(() => jobs.stop());
  return jobs;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !(await check());) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobsOf = (task: string) =>
  dbQuery(
    server,
    `select attempts, last_error, run_at > now() as later from graphile_worker.jobs where task_identifier = ?`,
    [task],
  );

describe('jobs', () => {
  it('enqueued in a transaction exist only if it commits, and then run once', async () => {
    await testWorkers();
    const em = server.app.db.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        await enqueue(tx, 'test.record', { run, n: 1 });
        throw new Error('the write fails');
      }),
    ).rejects.toThrow('the write fails');
    await em.transactional(async (tx) => {
      await enqueue(tx, 'test.record', { run, n: 2 });
      await enqueue(tx, 'test.record', { run, n: 3 });
    });
    await until(() => seen.filter((s) => s.task === 'test.record').length >= 2, 'the committed jobs');
    // Late runs of the rolled-back job would show here.
    await new Promise((r) => setTimeout(r, 300));
    expect(
      seen
        .filter((s) => s.task === 'test.record')
        .map((s) => s.n)
        .sort(),
    ).toEqual([2, 3]);
    expect(await jobsOf('test.record')).toEqual([]);
  });

  it('that throw are retried later with their error in the table, and succeed on a later attempt', async () => {
    await testWorkers();
    await enqueue(server.app.db.orm.em.fork(), 'test.failOnce', { run });
    // attempts counts the attempt from when a worker takes the job; last_error is set once it has failed.
    await until(
      async () => (await jobsOf('test.failOnce')).some((j: any) => j.attempts === 1 && j.last_error),
      'a failed attempt',
    );
    const [failed] = await jobsOf('test.failOnce');
    expect(failed).toMatchObject({ attempts: 1, later: true });
    expect(failed.last_error).toMatch(/first attempt fails/);
    // Its backoff (seconds) cut short: the next attempt runs and succeeds.
    await dbQuery(
      server,
      "update graphile_worker._private_jobs set run_at = now() where task_id = (select id from graphile_worker._private_tasks where identifier = 'test.failOnce')",
    );
    await until(async () => (await jobsOf('test.failOnce')).length === 0, 'the retry');
    expect(seen.filter((s) => s.task === 'test.failOnce').map((s) => s.attempt)).toEqual([1, 2]);
  });

  it('still running at the stop deadline are failed back into the queue, and the stop goes on', async () => {
    const jobs = await testWorkers({ hang: true });
    await enqueue(server.app.db.orm.em.fork(), 'test.hang', { run });
    await until(() => seen.some((s) => s.task === 'test.hang'), 'the stuck job to start');
    const started = Date.now();
    await jobs.stop(300);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Unlocked, its attempt counted, to run again after its backoff: not lost, not held by a stopped worker.
    const [left] = await dbQuery(
      server,
      `select attempts, last_error, locked_at, run_at > now() as later from graphile_worker.jobs where task_identifier = 'test.hang'`,
    );
    expect(left).toMatchObject({ attempts: 1, locked_at: null, later: true });
    expect(left.last_error).toMatch(/shutdown deadline/);
    await dbQuery(
      server,
      "delete from graphile_worker._private_jobs where task_id = (select id from graphile_worker._private_tasks where identifier = 'test.hang')",
    );
  });

  it('recurring are registered by every instance that runs workers', async () => {
    const other = await startTestServer(); // JOB_CONCURRENCY: the default
    await until(
      async () =>
        (
          await dbQuery(
            other,
            "select count(*)::int as n from graphile_worker._private_known_crontabs where identifier = 'reputation.monthlyBadges'",
          )
        )[0].n === 1,
      'the monthly badges schedule',
    );
    await other.close(); // runs jobs: the worker process's test below must be the only one that does
  });
});

describe('npm run worker', () => {
  it('needs DATABASE_URL and REDIS_URL (exit 78 naming them)', async () => {
    const env = testEnv();
    const worker = spawnTownsquare({ ...env, DATABASE_URL: undefined, REDIS_URL: undefined }, WORKER_JS);
    expect(await worker.exited).toEqual({ code: 78, signal: null });
    expect(worker.stderr).toMatch(/needs DATABASE_URL and REDIS_URL/);
  });

  // Its own process on the suite's database and Redis. Defined only with REDIS_URL (CI runs the suite with it).
  if (process.env.REDIS_URL) {
    it('runs the jobs the instances enqueue, and stops gracefully on SIGTERM', async () => {
      const worker = spawnTownsquare({ ...testEnv(), LOG_LEVEL: 'debug', WORKER_CONCURRENCY: '2' }, WORKER_JS);
      await worker.waitForLog((l) => l.msg === 'job workers started');
      const [{ id }] = await dbQuery(
        server,
        "select (graphile_worker.add_job('reputation.monthlyBadges')).id::text as id",
      );
      // This suite's instance runs no jobs (JOB_CONCURRENCY=0): the worker process ran it.
      await worker.waitForLog((l) => l.msg.startsWith(`Completed task ${id} (reputation.monthlyBadges`));
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
      expect(worker.logs.some((l) => l.msg === 'worker stopped')).toBe(true);
    });
  }
});
