import type { MikroORM } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { Logger } from '../../platform/logger';
import type { PubSub, Subscription } from '../../platform/pubsub/pubsub';
import { write } from '../../platform/database/write';
import { pollTopics, type PollChangedEvent, type PollClosingScheduledEvent } from './polls.events';

export interface PollCloserOptions {
  orm: MikroORM;
  pubsub: PubSub;
  log: Logger;
  /** Longest wait between two sweeps (POLL_CLOSE_SWEEP_SECONDS × 1000). */
  sweepMs: number;
  /** Called with the communities of polls closed by time, before they are announced (the response cache's `invalidate`). */
  onClosed?: (communityIds: number[]) => void | Promise<void>;
}

export interface PollCloser {
  /** Runs a sweep now (tests, and after a pub/sub reconnect). */
  sweep(): Promise<number[]>;
  /** Clears the timer and stops listening. */
  stop(): Promise<void>;
}

/**
 * Notices polls whose `closesAt` has passed, with no request arriving, and announces each close on
 * `pollUpdated` ONCE across instances: every instance sweeps, and the announcement is claimed in
 * SQL (`update … set close_announced_at = now() where … close_announced_at is null returning id`),
 * so of two instances sweeping at once only one gets each poll back; the same statement enqueues
 * the job that notifies its voters. Each instance keeps a single timer on the next closing time it knows of (from the database, and from `closingScheduled`
 * messages when a poll is created anywhere), never waiting longer than `sweepMs`.
 * Polls read as closed from their `closesAt` alone, so a late sweep only delays the emission.
 */
export function startPollCloser(o: PollCloserOptions): PollCloser {
  const log = o.log.child({ component: 'poll-closer' });
  let timer: NodeJS.Timeout | null = null;
  let nextAt = Infinity;
  let stopped = false;
  let running: Promise<number[]> | null = null;
  let again = false;

  function schedule(at: number): void {
    if (stopped) return;
    const when = Math.min(at, Date.now() + o.sweepMs);
    if (timer && when >= nextAt) return;
    if (timer) clearTimeout(timer);
    nextAt = when;
    // A few ms late: the database's now() must have passed closes_at when the claim runs.
    timer = setTimeout(
      () => {
        timer = null;
        nextAt = Infinity;
        void sweep();
      },
      Math.max(0, when - Date.now()) + 5,
    );
  }

  async function claim(): Promise<number[]> {
    const em = o.orm.em.fork();
    const rows = await write(
      { em, pubsub: o.pubsub, log },
      async (tx, after) => {
        const claimed = await sql<{ id: number; community_id: number }[]>(
          tx,
          `with claimed as (
         update polls set close_announced_at = now()
          where close_announced_at is null and closed_at is null and closes_at <= now()
          returning id, community_id
       ), notified as (
         select graphile_worker.add_job('notifications.pollClosed', json_build_object('pollId', id)) from claimed
       )
       select id, community_id, (select count(*) from notified) as jobs from claimed`,
        );
        if (claimed.length) after.run(() => o.onClosed?.([...new Set(claimed.map((r) => r.community_id))]));
        for (const { id: pollId } of claimed) {
          after.publish<PollChangedEvent>(pollTopics.changed(pollId), { pollId, closed: true });
        }
        return claimed;
      },
      { mode: 'statement' },
    );
    const ids = rows.map((r) => r.id);
    if (ids.length) log.info({ polls: ids }, 'polls closed by time announced');
    const next = await sql<{ at: number | null }>(
      em,
      `select (extract(epoch from min(closes_at)) * 1000)::float8 as at from polls
        where close_announced_at is null and closed_at is null and closes_at is not null`,
      [],
      'get',
    );
    schedule(next.at ?? Infinity);
    return ids;
  }

  function sweep(): Promise<number[]> {
    if (stopped) return Promise.resolve([]);
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        let ids: number[] = [];
        do {
          again = false;
          ids = ids.concat(await claim());
        } while (again && !stopped);
        return ids;
      } catch (err) {
        log.error({ err }, 'poll close sweep failed; retrying later');
        schedule(Date.now() + o.sweepMs);
        return [];
      } finally {
        running = null;
      }
    })();
    return running;
  }

  const scheduled: Subscription<PollClosingScheduledEvent> = o.pubsub.subscribe(pollTopics.closingScheduled);
  const stopReconnect = o.pubsub.onReconnect(() => void sweep());
  void (async () => {
    for await (const event of scheduled) schedule(event.closesAt);
  })();
  void sweep();

  return {
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      stopReconnect();
      await scheduled.return?.();
      await running;
    },
  };
}
