import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from './database/sql';
import type { Logger } from './logger';
import type { PubSub, Subscription } from './pubsub/pubsub';

export type Row = Record<string, unknown> & { id: number };

/** Bounds of live feeds and of their subscriptions' replays (see live-stream.ts), in one place. */
export const liveDefaults = Object.freeze({
  /**
   * Rows one read takes: a page of a replay, or a feed's read of new rows (a feed that is further
   * behind reads the next page at once). Default 100.
   */
  pageSize: 100,
  /**
   * Rows a subscription's queue holds for a consumer slower than the feed; past it the queue
   * collapses into one re-read from the database, at the consumer's pace. Default 500.
   */
  maxQueuedRows: 500,
  /** How far below the newest delivered row a subscription remembers what it delivered (against late notifications). Default 10000. */
  deliveredWindow: 10_000,
});

/**
 * Where a live feed's rows come from: an append-only table read by ascending id (new comments of
 * a post, chat messages of a stream), woken by a pub/sub topic whose events name the new rows.
 * @typeParam S what followers check their access against (e.g. the community's visibility); null
 *   when the subject is gone
 */
export interface FeedSource<S> {
  /** The pub/sub topic announcing new rows. */
  topic: string;
  /** The id of the row an event of the topic names; undefined for an event that names none (a change of state). */
  idOf(event: unknown): number | undefined;
  /** The newest row's id now: the feed starts after it (older rows are each follower's replay). */
  newest(em: EntityManager): Promise<number>;
  /** At most `limit` rows with an id above `after` or in `late`, oldest first, and the subject's state now. */
  read(em: EntityManager, after: number, late: number[], limit: number): Promise<{ rows: Row[]; state: S | null }>;
}

/**
 * A live rows source: the rows of one subject (a post's comments, a community's posts) in an
 * append-only table, each with the columns of its joined rows. The SQL fragments are the module's
 * own constants, never input.
 */
export interface LiveRowsOptions<S> {
  /** See {@link FeedSource.topic}. */
  topic: string;
  /** See {@link FeedSource.idOf}. */
  idOf(event: unknown): number | undefined;
  /** The table, read by ascending id: `'comments'`. */
  table: string;
  /** The page's alias in the outer select and in `joins`: `'c'`. */
  alias: string;
  /** The column naming the subject: `'post_id'`. */
  scopeColumn: string;
  /** The subject's id. */
  scopeId: number;
  /** Which of the subject's rows are sent, on the table's columns: `'deleted_at is null'`. */
  filter: string;
  /** The joined columns selected besides the row's own: `AUTHOR_COLUMNS`. */
  columns: string;
  /** The joins on the page: `['join users u on u.id = c.author_id']`. */
  joins: readonly string[];
  /** The subject's state now (one statement, read before the rows); null once it is gone. */
  state(em: EntityManager): Promise<S | null>;
}

export interface LiveRowsSource<S> extends FeedSource<S> {
  /**
   * At most `limit` of the subject's rows after `after` (and those named in `late`), oldest first,
   * with their joined columns, those `filter` leaves out left out: the feed's read, and with no
   * `late` one page of a subscription's replay.
   */
  rowsAfter(em: EntityManager, after: number, late: number[], limit: number): Promise<Row[]>;
}

/**
 * The feed source of a subject's rows in one table (see {@link LiveRowsOptions}): `newest` is one
 * statement (the subject's largest id), `read` two (the state, then the rows).
 */
export function liveRowsSource<S>(options: LiveRowsOptions<S>): LiveRowsSource<S> {
  const { table, alias, scopeColumn, scopeId, filter, columns, joins } = options;
  const rowsAfter = (em: EntityManager, after: number, late: number[], limit: number) =>
    sql<Row[]>(
      em,
      // The page is cut before the joins: only its own rows meet the joined tables, whatever plan the joins get.
      `select ${alias}.*, ${columns}
         from (select * from ${table}
                where ${scopeColumn} = ? and ${filter}
                  and (id > ?${late.length ? ` or id in (${late.map(() => '?').join(', ')})` : ''})
                order by id limit ?) ${alias}
         ${joins.join('\n         ')}
        order by ${alias}.id`,
      [scopeId, after, ...late, limit],
    );
  return {
    topic: options.topic,
    idOf: options.idOf,
    async newest(em) {
      const [row] = await sql<{ max: number | null }[]>(
        em,
        `select max(id) as max from ${table} where ${scopeColumn} = ?`,
        [scopeId],
      );
      return row?.max ?? 0;
    },
    async read(em, after, late, limit) {
      const state = await options.state(em);
      return { rows: await rowsAfter(em, after, late, limit), state };
    },
    rowsAfter,
  };
}

/** What a feed hands its followers after each read. */
export interface FeedBatch<S> {
  rows: Row[];
  state: S | null;
  /** The read followed a pub/sub reconnect (membership events may have been missed): followers re-check access. */
  recheck: boolean;
}

export interface FeedFollower<S> {
  offer(batch: FeedBatch<S>): void;
  /** The feed is shutting down (pub/sub closed). */
  end(): void;
}

/**
 * One per subject with subscribers, per instance: it listens to the subject's topic once and
 * reads each batch of new rows from PostgreSQL once, whatever the number of subscribers, then
 * offers the rows to every follower. Followers keep their own position and access state, so a
 * new row costs the same statements for one subscriber or ten thousand. Pub/sub only says "look
 * now": a lost message loses nothing, the next signal (or the reconnect) reads everything since.
 *
 * Signals that arrive while a read is running are merged into one follow-up read. A read takes at
 * most `liveDefaults.pageSize` rows; a full one is followed by the next at once.
 */
export class LiveFeed<S> {
  private readonly followers = new Set<FeedFollower<S>>();
  private readonly events: Subscription<unknown>;
  private readonly stopReconnect: () => void;
  private watermark = 0;
  private reading: Promise<void> | null = null;
  private pending: { ids: Set<number>; recheck: boolean } | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly source: FeedSource<S>,
    pubsub: PubSub,
    private readonly fork: () => EntityManager,
    private readonly log: Logger,
    private readonly onEmpty: () => void,
  ) {
    const events = pubsub.subscribe<unknown>(source.topic);
    this.events = events;
    this.stopReconnect = pubsub.onReconnect(() => this.signal(undefined, true));
    this.ready = (async () => {
      await events.ready;
      this.watermark = await source.newest(this.fork());
      void this.pump();
    })();
    // A feed that could not start must not stay registered for the next subscriber.
    this.ready.catch(() => this.close());
  }

  /** The id after which this feed reads; a follower replays up to it from the database itself. */
  get position(): number {
    return this.watermark;
  }

  add(follower: FeedFollower<S>): void {
    this.followers.add(follower);
  }

  remove(follower: FeedFollower<S>): void {
    this.followers.delete(follower);
    if (this.followers.size === 0) this.close();
  }

  private close(): void {
    this.stopReconnect();
    void this.events.return?.();
    this.onEmpty();
  }

  private async pump(): Promise<void> {
    for await (const event of this.events) this.signal(this.source.idOf(event), false);
    for (const f of this.followers) f.end();
  }

  private signal(id: number | undefined, recheck: boolean): void {
    this.pending ??= { ids: new Set(), recheck: false };
    if (id !== undefined) this.pending.ids.add(id);
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
          this.log.error({ err, topic: this.source.topic }, 'live feed read failed; retrying with the next signal');
        }
      }
    } finally {
      this.reading = null;
    }
  }

  private async read(eventIds: number[], recheck: boolean): Promise<void> {
    // Ids at or below the watermark that an event names committed late (a smaller id, a later commit).
    const late = eventIds.filter((id) => id <= this.watermark);
    const { pageSize } = liveDefaults;
    const { rows, state } = await this.source.read(this.fork(), this.watermark, late, pageSize);
    for (const row of rows) this.watermark = Math.max(this.watermark, row.id);
    // More may wait past this page (a burst, or a pub/sub outage): read the next one after offering this.
    if (rows.length >= pageSize) {
      this.pending ??= { ids: new Set(), recheck: false };
      const last = rows[rows.length - 1].id;
      for (const id of late) if (id > last) this.pending.ids.add(id); // late rows the page had no room for
    }
    // A late row is only an ordering matter (ids are taken before commit): access is unchanged.
    const batch: FeedBatch<S> = { rows, state, recheck };
    for (const f of this.followers) f.offer(batch);
  }
}

const feeds = new WeakMap<PubSub, Map<string, LiveFeed<unknown>>>();

/**
 * The subject's shared live feed on this instance (one per `source.topic`), created on first use.
 * @param fork gives the feed a fresh EntityManager for each read
 */
export function liveFeed<S>(
  pubsub: PubSub,
  source: FeedSource<S>,
  fork: () => EntityManager,
  log: Logger,
): LiveFeed<S> {
  let byTopic = feeds.get(pubsub);
  if (!byTopic) feeds.set(pubsub, (byTopic = new Map()));
  let feed = byTopic.get(source.topic) as LiveFeed<S> | undefined;
  if (!feed) {
    feed = new LiveFeed(source, pubsub, fork, log, () => byTopic!.delete(source.topic));
    byTopic.set(source.topic, feed as LiveFeed<unknown>);
  }
  return feed;
}
