import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import type { JobContext } from '../../platform/jobs/jobs';
import { pollTopics, type PollChangedEvent } from './polls.events';

/**
 * `polls.close`: announces the close of polls whose `closesAt` has passed, with no request arriving.
 * A trigger on `polls` (migration 20261206064000) schedules one job per poll at its `closesAt`
 * (job key `poll-close:<id>`), in the transaction that creates the poll, and removes it when the
 * poll is closed by hand first. The job claims the announcement in SQL
 * (`update … set close_announced_at = now() where … close_announced_at is null returning id`) and,
 * in the same statement, enqueues the job that notifies the poll's voters; after the commit it
 * publishes the poll's final state on `pollUpdated` and clears the community's cached pages. A job
 * run twice (a worker killed after the commit) finds the poll claimed and does nothing.
 * Without `pollId` (the hourly safety net) it claims every poll whose close went unannounced.
 * Polls read as closed from their `closesAt` alone: the job only sends the emission, at most
 * JOB_POLL_MS after the close.
 */
export async function announceClosedPolls(
  ctx: Pick<JobContext, 'em' | 'pubsub' | 'log' | 'responseCache'>,
  pollId?: number,
): Promise<number[]> {
  const claimed = await write(
    ctx,
    async (tx, after) => {
      const rows = await sql<{ id: number; community_id: number }[]>(
        tx,
        `with claimed as (
           update polls set close_announced_at = now()
            where close_announced_at is null and closed_at is null and closes_at <= now()
              and (?::int is null or id = ?::int)
            returning id, community_id
         ), notified as (
           select graphile_worker.add_job('notifications.pollClosed', json_build_object('pollId', id)) from claimed
         )
         select id, community_id, (select count(*) from notified) as jobs from claimed`,
        [pollId ?? null, pollId ?? null],
      );
      if (rows.length) {
        const communities = [...new Set(rows.map((r) => r.community_id))];
        after.run(() => ctx.responseCache.invalidate({ communities }));
      }
      for (const { id } of rows) after.publish<PollChangedEvent>(pollTopics.changed(id), { pollId: id, closed: true });
      return rows;
    },
    { mode: 'statement' },
  );
  const ids = claimed.map((r) => r.id);
  if (ids.length) ctx.log.info({ polls: ids }, 'polls closed by time announced');
  return ids;
}
