import type { TestServer } from './server';

/**
 * Waits until no background job is running or due (what the requests so far enqueued has been
 * done); jobs due later (event reminders, retries scheduled ahead) are not waited for.
 */
export async function jobsSettled(on: TestServer, ms = 10_000): Promise<void> {
  for (const started = Date.now(); ;) {
    const [{ n }] = await on.app.db.orm.em
      .fork()
      .execute<{ n: number }[]>(
        'select count(*)::int as n from graphile_worker.jobs where locked_at is not null or run_at <= now()',
      );
    if (n === 0) return;
    if (Date.now() - started > ms) throw new Error('background jobs did not settle');
    await new Promise((r) => setTimeout(r, 50));
  }
}
