import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import type { Logger } from '../../platform/logger';
import { follow, type Follower, type SharedSource } from '../../platform/follow';
import type { PubSub, Subscription } from '../../platform/pubsub/pubsub';
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

/** A watcher is offered each fresh snapshot; null: the poll is gone. */
type Watcher = Follower<PollSnapshot | null>;

/**
 * One per poll with watchers, per instance. It listens to the poll's `changed` topic once
 * (every ballot on every instance publishes there, through Redis when REDIS_URL is set) and
 * coalesces: the first signal after a quiet spell reads at once; signals during a read or within
 * `intervalMs` after it start one more read when the window ends. So a poll is read at most once
 * per window per instance, whatever the number of watchers or ballots, and the last state is
 * always read after the last signal (each signal is published after its ballot commits).
 */
class PollWatch implements SharedSource<PollSnapshot | null> {
  private readonly watchers = new Set<Watcher>();
  private readonly events: Subscription<unknown>;
  private readonly stopReconnect: () => void;
  private dirty = false;
  private reading = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly ready: Promise<void>;

  constructor(
    private readonly pollId: number,
    pubsub: PubSub,
    private readonly fork: () => EntityManager,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly onEmpty: () => void,
  ) {
    this.events = pubsub.subscribe<unknown>(pollTopics.changed(pollId));
    // Messages published while Redis was away are gone: read the state again.
    this.stopReconnect = pubsub.onReconnect(() => this.signal());
    this.ready = this.events.ready;
    void this.pump();
  }

  add(watcher: Watcher): void {
    this.watchers.add(watcher);
  }

  remove(watcher: Watcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopReconnect();
    void this.events.return?.();
    this.onEmpty();
  }

  private async pump(): Promise<void> {
    for await (const _ of this.events) this.signal();
    for (const w of this.watchers) w.end();
    this.close();
  }

  private signal(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.reading && !this.timer) void this.read();
  }

  private async read(): Promise<void> {
    this.dirty = false;
    this.reading = true;
    const started = Date.now();
    try {
      const snapshot = await readSnapshot(this.fork(), this.pollId);
      for (const w of this.watchers) w.offer(snapshot);
    } catch (err) {
      this.log.error({ err, pollId: this.pollId }, 'poll read failed; retrying with the next signal');
    } finally {
      this.reading = false;
      if (!this.closed) {
        // The trailing edge: whatever arrived meanwhile is read when the window ends.
        this.timer = setTimeout(() => {
          this.timer = null;
          if (this.dirty && !this.closed) void this.read();
        }, Math.max(0, started + this.intervalMs - Date.now()));
      }
    }
  }
}

/** The poll's row, its options and its community's visibility, fresh from the primary (two statements). */
export async function readSnapshot(em: EntityManager, pollId: number): Promise<PollSnapshot | null> {
  const row = await sql<Record<string, unknown> | undefined>(
    em, 'select p.*, c.visibility as community_visibility from polls p join communities c on c.id = p.community_id where p.id = ?', [pollId], 'get',
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

const watches = new WeakMap<PubSub, Map<number, PollWatch>>();

function pollWatch(ctx: Context, pollId: number): PollWatch {
  let byPoll = watches.get(ctx.pubsub);
  if (!byPoll) watches.set(ctx.pubsub, (byPoll = new Map()));
  let watch = byPoll.get(pollId);
  if (!watch) {
    watch = new PollWatch(
      pollId, ctx.pubsub, () => ctx.em.fork({ clear: true }), ctx.log, ctx.config.POLL_UPDATE_INTERVAL_MS, () => byPoll!.delete(pollId),
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
  const { items, close } = await follow(ctx, pollWatch(ctx, pollId), recheckTopics, { topic: `poll-updated:${pollId}`, maxBuffered: 100 });
  if (poll.closeAnnouncedAt) await close();

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    try {
      visibility = (await readablePoll(ctx.loaders, ctx.viewer, pollId)).community.visibility;
      return true;
    } catch {
      return false;
    }
  }

  async function* stream(): AsyncGenerator<Poll> {
    try {
      for await (const item of items) {
        if ('recheck' in item) {
          if (!(await stillReadable())) return;
          continue;
        }
        const snapshot = item.value;
        if (!snapshot) return;
        if (snapshot.visibility !== visibility && !(await stillReadable())) return;
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
