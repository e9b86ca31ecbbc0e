import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { Logger } from '../../platform/logger';
import type { PubSub, Subscription } from '../../platform/pubsub/pubsub';
import { Visibility } from '../communities/communities.entity';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { AUTHOR_COLUMNS } from './rows';

/** What a comment feed hands its followers after each read. */
export interface CommentBatch {
  /** New comment rows (with `a__` author columns), oldest first; deleted ones left out. */
  rows: Record<string, unknown>[];
  /** The post's community visibility now, and whether the post still exists and is not deleted. */
  visibility: Visibility | null;
  /** Set when the read was caused by a pub/sub reconnect or a late event: followers re-check access. */
  recheck: boolean;
}

export interface CommentFollower {
  offer(batch: CommentBatch): void;
  /** The feed is shutting down (pub/sub closed). */
  end(): void;
}

/**
 * One per post with subscribers, per instance: it listens to the post's `commentAdded` topic once
 * and reads each batch of new comments from PostgreSQL once, whatever the number of subscribers,
 * then offers the rows to every follower. Followers keep their own position and access state, so
 * a live comment costs the same two statements for one subscriber or ten thousand.
 *
 * Signals that arrive while a read is running are merged into one follow-up read.
 */
class CommentFeed {
  private readonly followers = new Set<CommentFollower>();
  private readonly events: Subscription<CommentAddedEvent>;
  private readonly stopReconnect: () => void;
  private watermark = 0;
  private reading: Promise<void> | null = null;
  private pending: { ids: Set<number>; recheck: boolean } | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly postId: number,
    pubsub: PubSub,
    private readonly fork: () => EntityManager,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {
    const events = pubsub.subscribe<CommentAddedEvent>(postTopics.commentAdded(postId));
    this.events = events;
    this.stopReconnect = pubsub.onReconnect(() => this.signal(undefined, true));
    this.ready = (async () => {
      await events.ready;
      // Start after the newest comment: older ones are each follower's replay.
      const [row] = await sql<{ max: number | null }[]>(this.fork(), 'select max(id) as max from comments where post_id = ?', [postId]);
      this.watermark = row?.max ?? 0;
      void this.pump();
    })();
    // A feed that could not start must not stay registered for the next subscriber.
    this.ready.catch(() => this.close());
  }

  /** The id after which this feed reads; a follower replays up to it from the database itself. */
  get position(): number {
    return this.watermark;
  }

  add(follower: CommentFollower): void {
    this.followers.add(follower);
  }

  remove(follower: CommentFollower): void {
    this.followers.delete(follower);
    if (this.followers.size === 0) this.close();
  }

  private close(): void {
    this.stopReconnect();
    void this.events.return?.();
    this.onEmpty();
  }

  private async pump(): Promise<void> {
    for await (const event of this.events) this.signal(event.commentId, false);
    for (const f of this.followers) f.end();
  }

  private signal(commentId: number | undefined, recheck: boolean): void {
    this.pending ??= { ids: new Set(), recheck: false };
    if (commentId !== undefined) this.pending.ids.add(commentId);
    this.pending.recheck ||= recheck;
    this.reading ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const { ids, recheck } = this.pending;
        this.pending = null;
        try {
          await this.read([...ids], recheck);
        } catch (err) {
          this.log.error({ err, postId: this.postId }, 'comment feed read failed; retrying with the next signal');
        }
      }
    } finally {
      this.reading = null;
    }
  }

  private async read(eventIds: number[], recheck: boolean): Promise<void> {
    const em = this.fork();
    // Ids at or below the watermark that an event names committed late (a smaller id, a later commit).
    const late = eventIds.filter((id) => id <= this.watermark);
    const [state] = await sql<{ visibility: Visibility; deleted: boolean }[]>(
      em,
      'select c.visibility, p.deleted_at is not null as deleted from posts p join communities c on c.id = p.community_id where p.id = ?',
      [this.postId],
    );
    const rows = await sql(
      em,
      `select c.*, ${AUTHOR_COLUMNS} from comments c join users u on u.id = c.author_id
        where c.post_id = ? and c.deleted_at is null and (c.id > ?${late.length ? ` or c.id in (${late.map(() => '?').join(', ')})` : ''})
        order by c.id`,
      [this.postId, this.watermark, ...late],
    );
    for (const row of rows) this.watermark = Math.max(this.watermark, row.id as number);
    const batch: CommentBatch = { rows, visibility: state && !state.deleted ? state.visibility : null, recheck: recheck || late.length > 0 };
    for (const f of this.followers) f.offer(batch);
  }
}

const feeds = new WeakMap<PubSub, Map<number, CommentFeed>>();

/**
 * The post's shared comment feed on this instance, created on first use.
 * @param fork gives the feed a fresh EntityManager for each read
 */
export function commentFeed(pubsub: PubSub, postId: number, fork: () => EntityManager, log: Logger): CommentFeed {
  let byPost = feeds.get(pubsub);
  if (!byPost) feeds.set(pubsub, (byPost = new Map()));
  let feed = byPost.get(postId);
  if (!feed) {
    feed = new CommentFeed(postId, pubsub, fork, log, () => byPost!.delete(postId));
    byPost.set(postId, feed);
  }
  return feed;
}

