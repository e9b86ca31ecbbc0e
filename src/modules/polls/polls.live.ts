import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { CoalescedWatch } from '../../platform/coalesced-watch';
import { follow, whileReadable } from '../../platform/follow';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { NotFound } from '../../platform/errors';
import { closable } from '../../platform/streams';
import { communityTopics } from '../communities/communities.events';
import type { Visibility } from '../communities/communities.entity';
import { Poll, PollOption } from './polls.entity';
import { pollTopics } from './polls.events';
import { isClosed, readablePoll } from './polls.service';

/** A poll and its options as read once for every watcher of this instance, with its community's visibility. */
export interface PollSnapshot {
  poll: Poll;
  options: PollOption[];
  visibility: Visibility;
}

/** The poll's row, its options and its community's visibility, fresh from the primary (two statements). */
export async function readSnapshot(em: EntityManager, pollId: number): Promise<PollSnapshot | null> {
  const row = await sql<Record<string, unknown> | undefined>(
    em,
    'select p.*, c.visibility as community_visibility from polls p join communities c on c.id = p.community_id where p.id = ?',
    [pollId],
    'get',
  );
  if (!row) return null;
  const { community_visibility: visibility, ...pollRow } = row;
  const options = await sql(em, 'select * from poll_options where poll_id = ? order by position', [pollId]);
  return {
    poll: em.map(Poll, pollRow),
    options: options.map((o) => em.map(PollOption, o)),
    visibility: visibility as Visibility,
  };
}

/** A poll's watch on this instance: every ballot signals it, and it reads a snapshot (null: the poll is gone). */
type PollWatch = CoalescedWatch<PollSnapshot | null>;

const watches = new WeakMap<PubSub, Map<number, PollWatch>>();

/**
 * One watch per poll with watchers, per instance (see {@link CoalescedWatch}): a poll is read at
 * most once per `POLL_UPDATE_INTERVAL_MS` whatever the number of watchers or ballots.
 */
function pollWatch(ctx: Context, pollId: number): PollWatch {
  let byPoll = watches.get(ctx.pubsub);
  if (!byPoll) watches.set(ctx.pubsub, (byPoll = new Map()));
  let watch = byPoll.get(pollId);
  if (!watch) {
    const fork = ctx.em.fork({ clear: true });
    watch = new CoalescedWatch(
      pollTopics.changed(pollId),
      ctx.pubsub,
      () => readSnapshot(fork.fork({ clear: true }), pollId),
      {
        intervalMs: ctx.config.POLL_UPDATE_INTERVAL_MS,
        log: ctx.log,
        logContext: { pollId },
        onEmpty: () => byPoll!.delete(pollId),
      },
    );
    byPoll.set(pollId, watch);
  }
  return watch;
}

/**
 * `pollUpdated(pollId)`: the poll after ballots (coalesced by the poll's {@link PollWatch}), and
 * once when it closes; the stream completes after the closed state. Access is checked when
 * subscribing and again, with a fresh EntityManager, when the viewer's memberships change or the
 * community's visibility does; the stream ends once the viewer may no longer read the poll.
 * A poll whose close was already announced has nothing more to say: the stream completes at once.
 */
export async function pollUpdatedStream(ctx: Context, pollId: number): Promise<AsyncIterableIterator<Poll>> {
  const { poll, community } = await readablePoll(ctx.loaders, ctx.viewer, pollId);
  let visibility = community.visibility;
  const recheckTopics = ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [];
  const { items, close } = await follow(ctx, pollWatch(ctx, pollId), recheckTopics, {
    topic: `poll-updated:${pollId}`,
    maxBuffered: 100,
  });
  if (poll.closeAnnouncedAt) await close();

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    try {
      visibility = (await readablePoll(ctx.loaders, ctx.viewer, pollId)).community.visibility;
      return true;
    } catch (err) {
      // Only "no longer readable" ends the stream quietly; a database outage reaches the client as an error.
      if (err instanceof NotFound) return false;
      throw err;
    }
  }

  async function* stream(): AsyncGenerator<Poll> {
    try {
      for await (const snapshot of whileReadable(items, { visibility: () => visibility, stillReadable })) {
        // Fresh loaders primed with the snapshot: resolving the counts costs no statement.
        ctx.refresh();
        ctx.loaders.poll.prime(pollId, snapshot.poll);
        ctx.loaders.pollOptions.prime(pollId, snapshot.options);
        yield snapshot.poll;
        if (isClosed(snapshot.poll)) return;
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
