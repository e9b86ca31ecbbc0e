import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { Logger } from '../../platform/logger';
import { communityHashTag, connectRedis, type RedisClient, type RedisTarget } from '../../platform/redis';
import { periodsAt } from './rules';

/** A member's score on one board. */
export interface Standing {
  userId: number;
  score: number;
}

/** A place on a board: a standing and its competition rank (one more than the number of higher scores on the board). */
export interface RankedStanding extends Standing {
  rank: number;
}

/** A committed ledger row of a member, to add to the boards it falls in. */
export interface BoardChange {
  /** The ledger row's id (see `Loaded.versions`). */
  id: number;
  userId: number;
  delta: number;
  at: Date;
}

/** The community a board belongs to: its id and time zone (weeks and months are the community's). */
export interface BoardCommunity {
  id: number;
  timeZone: string;
}

/**
 * The order of a board: score descending, then the lower user id (the older account) first. The
 * order is total, so a board reads the same from Redis, from memory and from a rebuild.
 */
export function compareStandings(a: Standing, b: Standing): number {
  return b.score - a.score || a.userId - b.userId;
}

/**
 * A community's boards as read from the ledger, and for each member the id of their newest row
 * read. A member's ledger rows are written under a lock on that member held until commit, so their
 * ids grow in commit order and a snapshot holds exactly the member's rows up to that id: a change
 * committed around the load is in the boards read iff its id is at most the member's version, and
 * is added after the load iff it is greater. So loading while votes commit counts each row once.
 */
export interface Loaded {
  boards: { key: string; standings: Standing[] }[];
  versions: Map<number, number>;
}

/**
 * Every board of a community, from PostgreSQL's ledger (the source of truth): ALL_TIME, this
 * month and this week (the community's time zone), current members only. A member is on a board
 * when they have a ledger row in its period (a net 0 included). One statement: one scan of the
 * community's ledger (of one member's rows, with `userId`: a member who rejoins).
 */
export async function standingsFromLedger(
  em: EntityManager,
  community: BoardCommunity,
  userId?: number,
): Promise<Loaded> {
  const p = periodsAt(community.timeZone);
  const rows = await sql<
    { user_id: number; all_time: string; month: string | null; week: string | null; version: number }[]
  >(
    em,
    `select e.user_id, sum(e.delta) as all_time, max(e.id) as version,
            sum(e.delta) filter (where e.created_at >= ? and e.created_at < ?) as month,
            sum(e.delta) filter (where e.created_at >= ? and e.created_at < ?) as week
       from reputation_events e
       join members m on m.community_id = e.community_id and m.user_id = e.user_id
      where e.community_id = ? ${userId !== undefined ? 'and e.user_id = ?' : ''}
      group by e.user_id`,
    [p.month.start, p.month.end, p.week.start, p.week.end, community.id, ...(userId !== undefined ? [userId] : [])],
  );
  const all: Standing[] = [];
  const month: Standing[] = [];
  const week: Standing[] = [];
  const versions = new Map<number, number>();
  for (const r of rows) {
    versions.set(r.user_id, r.version);
    all.push({ userId: r.user_id, score: Number(r.all_time) });
    if (r.month !== null) month.push({ userId: r.user_id, score: Number(r.month) });
    if (r.week !== null) week.push({ userId: r.user_id, score: Number(r.week) });
  }
  return {
    boards: [
      { key: 'all', standings: all },
      { key: p.month.key, standings: month },
      { key: p.week.key, standings: week },
    ],
    versions,
  };
}

/** The keys of the boards a change made at `at` counts on. */
function keysAt(community: BoardCommunity, at: Date): string[] {
  const p = periodsAt(community.timeZone, at);
  return ['all', p.month.key, p.week.key];
}

/**
 * The leaderboards: sorted sets in Redis when it has one (shared by every instance),
 * otherwise in process. Either way they are a cache of PostgreSQL's ledger: a community's boards
 * are loaded from the ledger when first needed, kept up to date by `apply` after each commit,
 * and `rebuild` recomputes them (`npm run reputation:rebuild`, `rebuildCommunityReputation`).
 */
export interface Leaderboards {
  readonly kind: 'memory' | 'redis';
  /** Adds committed ledger changes of current members to their boards. */
  apply(community: BoardCommunity, changes: BoardChange[]): Promise<void>;
  /** The first `n` standings of a board (`key` from `boardKey`). */
  top(community: BoardCommunity, key: string, n: number): Promise<Standing[]>;
  /**
   * Up to `n` standings of a board that come after `after` in its order (`compareStandings`; from the
   * top without it), each with its rank on the board: a keyset page, so members moving meanwhile
   * never make a page repeat or skip one that kept its place. `after` need not be on the board.
   */
  page(community: BoardCommunity, key: string, after: Standing | null, n: number): Promise<RankedStanding[]>;
  /** How many members are on each board (a board's size: one command per board, all in one round trip). */
  sizes(boards: { community: BoardCommunity; key: string }[]): Promise<number[]>;
  /** Takes a member off every board of the community (they left or were banned). */
  remove(community: BoardCommunity, userId: number): Promise<void>;
  /** Puts a member who (re)joined back on the boards, with their scores from the ledger. */
  restore(community: BoardCommunity, userId: number): Promise<void>;
  /** Replaces the community's boards with the ledger's. */
  rebuild(community: BoardCommunity): Promise<void>;
  close(): Promise<void>;
}

/** A board in memory: scores by user, and the users sorted by `compareStandings`. */
class SortedBoard {
  private readonly scores: Map<number, number>;
  private readonly order: Standing[];

  /** A board of these standings (one per user): one sort, O(n log n), not an O(n) insertion each. */
  constructor(standings: Standing[] = []) {
    this.order = standings.map((s) => ({ userId: s.userId, score: s.score })).sort(compareStandings);
    this.scores = new Map(this.order.map((s) => [s.userId, s.score]));
  }

  private indexOf(s: Standing): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStandings(this.order[mid], s) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  set(userId: number, score: number): void {
    const old = this.scores.get(userId);
    if (old !== undefined) this.order.splice(this.indexOf({ userId, score: old }), 1);
    this.scores.set(userId, score);
    const s = { userId, score };
    this.order.splice(this.indexOf(s), 0, s);
  }

  add(userId: number, delta: number): void {
    this.set(userId, (this.scores.get(userId) ?? 0) + delta);
  }

  delete(userId: number): void {
    const old = this.scores.get(userId);
    if (old === undefined) return;
    this.order.splice(this.indexOf({ userId, score: old }), 1);
    this.scores.delete(userId);
  }

  top(n: number): Standing[] {
    return this.order.slice(0, n).map((s) => ({ ...s }));
  }

  get size(): number {
    return this.order.length;
  }

  /** Up to `n` standings after `after` (see `Leaderboards.page`), ranked. */
  page(after: Standing | null, n: number): RankedStanding[] {
    let start = after ? this.indexOf(after) : 0;
    if (after && start < this.order.length && compareStandings(this.order[start], after) === 0) start += 1;
    return rankFrom(
      this.order.slice(start, start + n),
      start,
      // The first of a score: user ids start at 1, so user 0 sorts before every one of them.
      (score) => this.indexOf({ userId: 0, score }) + 1,
    );
  }
}

/**
 * Ranks standings read from a board from position `start` (0: the top), in its order: the first by
 * `rankOf` (one more than the number of higher scores), each next one by its position, or its
 * predecessor's rank when their scores are equal.
 */
function rankFrom(standings: Standing[], start: number, rankOf: (score: number) => number): RankedStanding[] {
  const ranked: RankedStanding[] = [];
  standings.forEach((s, i) => {
    const previous = ranked[i - 1];
    const rank = !previous ? rankOf(s.score) : previous.score === s.score ? previous.rank : start + i + 1;
    ranked.push({ userId: s.userId, score: s.score, rank });
  });
  return ranked;
}

interface MemoryCommunity {
  boards: Map<string, SortedBoard>;
  versions: Map<number, number>;
}

/** In-process boards (one instance); each community's are loaded from the ledger on first use. */
class MemoryLeaderboards implements Leaderboards {
  readonly kind = 'memory';
  private readonly communities = new Map<number, Promise<MemoryCommunity>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly log: Logger,
  ) {}

  private boards(community: BoardCommunity): Promise<MemoryCommunity> {
    let loaded = this.communities.get(community.id);
    if (!loaded) {
      loaded = this.load(community);
      this.communities.set(community.id, loaded);
      loaded.catch(() => this.communities.delete(community.id));
    }
    return loaded;
  }

  private async load(community: BoardCommunity): Promise<MemoryCommunity> {
    const loaded = await standingsFromLedger(this.orm.em.fork(), community);
    const boards = new Map(loaded.boards.map(({ key, standings }) => [key, new SortedBoard(standings)]));
    return { boards, versions: loaded.versions };
  }

  private board(boards: Map<string, SortedBoard>, key: string): SortedBoard {
    let board = boards.get(key);
    if (!board) boards.set(key, (board = new SortedBoard()));
    return board;
  }

  async apply(community: BoardCommunity, changes: BoardChange[]): Promise<void> {
    const pending = this.communities.get(community.id);
    // Not loaded yet: the load reads the ledger, these commits included.
    if (!pending) return void (await this.boards(community));
    const { boards, versions } = await pending;
    for (const c of changes) {
      if (c.id <= (versions.get(c.userId) ?? 0)) continue; // read by the load already
      for (const key of keysAt(community, c.at)) this.board(boards, key).add(c.userId, c.delta);
    }
    this.prune(community, boards);
  }

  /** Drops the boards of periods that ended (a month and a week back are kept for a late commit). */
  private prune(community: BoardCommunity, boards: Map<string, SortedBoard>): void {
    if (boards.size <= 5) return;
    const keep = new Set([
      ...keysAt(community, new Date()),
      ...keysAt(community, new Date(Date.now() - 8 * 86_400_000)),
    ]);
    for (const key of boards.keys()) if (!keep.has(key)) boards.delete(key);
  }

  async top(community: BoardCommunity, key: string, n: number): Promise<Standing[]> {
    return (await this.boards(community)).boards.get(key)?.top(n) ?? [];
  }

  async page(community: BoardCommunity, key: string, after: Standing | null, n: number): Promise<RankedStanding[]> {
    return (await this.boards(community)).boards.get(key)?.page(after, n) ?? [];
  }

  async sizes(boards: { community: BoardCommunity; key: string }[]): Promise<number[]> {
    return Promise.all(boards.map(async (b) => (await this.boards(b.community)).boards.get(b.key)?.size ?? 0));
  }

  async remove(community: BoardCommunity, userId: number): Promise<void> {
    const pending = this.communities.get(community.id);
    if (pending) for (const board of (await pending).boards.values()) board.delete(userId);
  }

  async restore(community: BoardCommunity, userId: number): Promise<void> {
    const pending = this.communities.get(community.id);
    if (!pending) return;
    const { boards, versions } = await pending;
    const own = await standingsFromLedger(this.orm.em.fork(), community, userId);
    for (const { key, standings } of own.boards)
      for (const s of standings) this.board(boards, key).set(s.userId, s.score);
    for (const [id, version] of own.versions) versions.set(id, version);
  }

  async rebuild(community: BoardCommunity): Promise<void> {
    // In place before it resolves: changes committed meanwhile wait for it, then are added if it did not read them.
    const loaded = this.load(community);
    this.communities.set(community.id, loaded);
    loaded.catch(() => this.communities.delete(community.id));
    await loaded;
    this.log.info({ communityId: community.id }, 'leaderboards rebuilt from the ledger');
  }

  async close(): Promise<void> {
    this.communities.clear();
  }
}

/** Users as sorted-set members: 10 digits of (2^32 − 1 − id), so that Redis's reverse order of equal scores is the lower id first. */
const MAX_ID = 4_294_967_295;
const encodeUser = (userId: number) => String(MAX_ID - userId).padStart(10, '0');
const decodeUser = (member: string) => MAX_ID - Number(member);

/** Seconds a period's board outlives its period: late reads and commits, then Redis frees it. */
const KEEP_SECONDS = { m: 40 * 86_400, w: 10 * 86_400 } as const;

/**
 * Adds one ledger row to the boards, once: only when the community's boards are loaded (its
 * `ready` key exists), and only if the row is newer than what the load read of that member (see
 * `Loaded`). Returns 1 (added), 0 (already counted) or -1 (not loaded).
 * KEYS: ready, versions, then the boards; ARGV: member, delta, row id, then each board's TTL (0: none).
 */
const APPLY_SCRIPT = `
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local seen = tonumber(redis.call('hget', KEYS[2], ARGV[1]) or '0')
if tonumber(ARGV[3]) <= seen then return 0 end
for i = 3, #KEYS do
  redis.call('zincrby', KEYS[i], ARGV[2], ARGV[1])
  local ttl = tonumber(ARGV[i + 1])
  if ttl > 0 then redis.call('expire', KEYS[i], ttl) end
end
return 1`;

/**
 * A page of a board (see `Leaderboards.page`), read atomically: where the page starts (the cursor's
 * member when it still has the cursor's score, else a binary search of the members with that score,
 * which Redis orders by member), its standings, and the rank of the first one (one more than the
 * number of higher scores). Returns -1 when the community's boards are not loaded.
 * KEYS: ready, the board; ARGV: n, then the cursor's score and member ('' for the top).
 */
const PAGE_SCRIPT = `
if redis.call('exists', KEYS[1]) == 0 then return -1 end
local start = 0
if ARGV[2] ~= '' then
  local score, member = tonumber(ARGV[2]), ARGV[3]
  local current = redis.call('zscore', KEYS[2], member)
  if current and tonumber(current) == score then
    start = redis.call('zrevrank', KEYS[2], member) + 1
  else
    local lo = redis.call('zcount', KEYS[2], '(' .. ARGV[2], '+inf')
    local hi = lo + redis.call('zcount', KEYS[2], ARGV[2], ARGV[2])
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if redis.call('zrevrange', KEYS[2], mid, mid)[1] >= member then lo = mid + 1 else hi = mid end
    end
    start = lo
  end
end
local rows = redis.call('zrevrange', KEYS[2], start, start + tonumber(ARGV[1]) - 1, 'WITHSCORES')
local first = 0
if #rows > 0 then first = redis.call('zcount', KEYS[2], '(' .. rows[2], '+inf') + 1 end
return { start, first, rows }`;

/** Boards in Redis sorted sets, shared by every instance. */
class RedisLeaderboards implements Leaderboards {
  readonly kind = 'redis';
  /** Loads in progress on this instance, per community (one at a time). */
  private readonly loading = new Map<number, Promise<void>>();
  /** Communities a change could not be added to (Redis failed): their boards are reloaded before next use. */
  private readonly stale = new Set<number>();

  /** Forgets a stale community's boards (its `ready` key), so that the next use loads them from the ledger. */
  private async unlessStale(communityId: number): Promise<void> {
    if (!this.stale.has(communityId)) return;
    await this.client.del(this.ready(communityId));
    this.stale.delete(communityId);
  }

  /**
   * @param namespace names the database (see `databaseIdentity`): a Redis shared by several
   * databases, or kept while a database is recreated, never mixes their boards.
   */
  constructor(
    private readonly client: RedisClient,
    private readonly orm: MikroORM,
    private readonly log: Logger,
    private readonly namespace: string,
  ) {}

  /**
   * A key of the community's boards. Every key of a community (its boards, `versions`, `ready`,
   * `loading`, a load's temporary keys) has its hash tag: on a Redis Cluster they share one slot, as
   * the apply script and the load's transaction need.
   */
  private key(communityId: number, board: string): string {
    return `leaderboard:${this.namespace}:${communityHashTag(communityId)}:${board}`;
  }

  private ready(communityId: number): string {
    return this.key(communityId, 'ready');
  }

  private versions(communityId: number): string {
    return this.key(communityId, 'versions');
  }

  private ttl(board: string): number {
    return board === 'all' ? 0 : KEEP_SECONDS[board[0] as 'm' | 'w'];
  }

  private async applyOne(community: BoardCommunity, c: BoardChange): Promise<number> {
    const boards = keysAt(community, c.at);
    return Number(
      await this.client.eval(APPLY_SCRIPT, {
        keys: [this.ready(community.id), this.versions(community.id), ...boards.map((b) => this.key(community.id, b))],
        arguments: [encodeUser(c.userId), String(c.delta), String(c.id), ...boards.map((b) => String(this.ttl(b)))],
      }),
    );
  }

  async apply(community: BoardCommunity, changes: BoardChange[]): Promise<void> {
    try {
      await this.unlessStale(community.id);
      for (const c of changes) {
        if ((await this.applyOne(community, c)) !== -1) continue;
        // Not loaded (a new community, or a Redis that lost its data): load it, then add the row if the load did not read it.
        await this.ensureLoaded(community);
        await this.applyOne(community, c);
      }
    } catch (err) {
      this.stale.add(community.id);
      throw err;
    }
  }

  /**
   * Loads the community's boards from the ledger unless they are (`force`: even if they are): one
   * load at a time per instance, and across instances the one holding the `loading` key; the others
   * wait for `ready` (60 s at most). A forced load first deletes `ready`, so that rows committed
   * while it reads wait for it, then are added if it did not read them: nothing is lost.
   */
  private ensureLoaded(community: BoardCommunity, force = false): Promise<void> {
    const previous = this.loading.get(community.id);
    if (previous && !force) return previous;
    const pending = (async () => {
      await previous?.catch(() => undefined);
      const lock = this.key(community.id, 'loading');
      for (let waited = 0; waited < 60_000; waited += 100) {
        if (!force && (await this.client.exists(this.ready(community.id)))) return;
        if (await this.client.set(lock, String(process.pid), { NX: true, PX: 120_000 })) {
          try {
            if (force) await this.client.del(this.ready(community.id));
            if (force || !(await this.client.exists(this.ready(community.id)))) await this.load(community);
          } finally {
            await this.client.del(lock);
          }
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`leaderboards of community ${community.id} not loaded after 60 s`);
    })().finally(() => {
      if (this.loading.get(community.id) === pending) this.loading.delete(community.id);
    });
    this.loading.set(community.id, pending);
    return pending;
  }

  async top(community: BoardCommunity, key: string, n: number): Promise<Standing[]> {
    await this.unlessStale(community.id);
    const [ready, rows] = await Promise.all([
      this.client.exists(this.ready(community.id)),
      this.client.zRangeWithScores(this.key(community.id, key), 0, n - 1, { REV: true }),
    ]);
    if (!ready) {
      await this.ensureLoaded(community);
      return this.top(community, key, n);
    }
    return rows.map((r) => ({ userId: decodeUser(String(r.value)), score: r.score }));
  }

  async page(community: BoardCommunity, key: string, after: Standing | null, n: number): Promise<RankedStanding[]> {
    await this.unlessStale(community.id);
    const answer = (await this.client.eval(PAGE_SCRIPT, {
      keys: [this.ready(community.id), this.key(community.id, key)],
      arguments: [String(n), ...(after ? [String(after.score), encodeUser(after.userId)] : ['', ''])],
    })) as number | [number, number, string[]];
    if (!Array.isArray(answer)) {
      await this.ensureLoaded(community);
      return this.page(community, key, after, n);
    }
    const [start, firstRank, rows] = answer;
    const standings: Standing[] = [];
    for (let i = 0; i < rows.length; i += 2)
      standings.push({ userId: decodeUser(rows[i]), score: Number(rows[i + 1]) });
    return rankFrom(standings, Number(start), () => Number(firstRank));
  }

  async sizes(boards: { community: BoardCommunity; key: string }[]): Promise<number[]> {
    for (const id of new Set(boards.map((b) => b.community.id))) await this.unlessStale(id);
    const multi = this.client.multi();
    for (const b of boards) multi.exists(this.ready(b.community.id)).zCard(this.key(b.community.id, b.key));
    const replies = (await multi.exec()) as unknown as number[];
    const sizes: number[] = [];
    for (const [i, b] of boards.entries()) {
      if (Number(replies[2 * i])) sizes.push(Number(replies[2 * i + 1]));
      else {
        await this.ensureLoaded(b.community);
        sizes.push(await this.client.zCard(this.key(b.community.id, b.key)));
      }
    }
    return sizes;
  }

  async remove(community: BoardCommunity, userId: number): Promise<void> {
    const p = periodsAt(community.timeZone);
    const member = encodeUser(userId);
    await this.client
      .multi()
      .zRem(this.key(community.id, 'all'), member)
      .zRem(this.key(community.id, p.month.key), member)
      .zRem(this.key(community.id, p.week.key), member)
      .exec();
  }

  async restore(community: BoardCommunity, userId: number): Promise<void> {
    const own = await standingsFromLedger(this.orm.em.fork(), community, userId);
    const version = own.versions.get(userId);
    if (version === undefined) return; // no ledger rows
    const multi = this.client.multi();
    for (const { key, standings } of own.boards)
      for (const s of standings) multi.zAdd(this.key(community.id, key), { score: s.score, value: encodeUser(userId) });
    multi.hSet(this.versions(community.id), encodeUser(userId), String(version));
    await multi.exec();
  }

  async rebuild(community: BoardCommunity): Promise<void> {
    await this.ensureLoaded(community, true);
  }

  /**
   * Replaces the community's boards with the ledger's: written to temporary keys, then renamed over
   * the live ones in one transaction with the members' versions and `ready`. Called under the
   * `loading` key (see `ensureLoaded`).
   */
  private async load(community: BoardCommunity): Promise<void> {
    const { boards, versions } = await standingsFromLedger(this.orm.em.fork(), community);
    const suffix = `rebuild:${process.pid}:${Date.now()}`;
    const tmp = (key: string) => `${key}:${suffix}`;
    for (const { key, standings } of boards) {
      for (let i = 0; i < standings.length; i += 10_000) {
        await this.client.zAdd(
          tmp(this.key(community.id, key)),
          standings.slice(i, i + 10_000).map((s) => ({ score: s.score, value: encodeUser(s.userId) })),
        );
      }
    }
    const entries = [...versions].map(([userId, version]) => [encodeUser(userId), String(version)] as [string, string]);
    for (let i = 0; i < entries.length; i += 10_000)
      await this.client.hSet(tmp(this.versions(community.id)), entries.slice(i, i + 10_000));
    const multi = this.client.multi();
    for (const { key, standings } of boards) {
      const live = this.key(community.id, key);
      if (standings.length) multi.rename(tmp(live), live);
      else multi.del(live);
      const ttl = this.ttl(key);
      if (ttl > 0 && standings.length) multi.expire(live, ttl);
    }
    if (entries.length) multi.rename(tmp(this.versions(community.id)), this.versions(community.id));
    else multi.del(this.versions(community.id));
    multi.set(this.ready(community.id), '1');
    await multi.exec();
    this.log.info({ communityId: community.id, members: versions.size }, 'leaderboards loaded from the ledger');
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/**
 * Names the database: its cluster's system identifier and its OID. A new database (or a new
 * embedded one) gets a new name, so boards a Redis kept of an earlier database are never read.
 */
export async function databaseIdentity(em: EntityManager): Promise<string> {
  const [row] = await sql<{ id: string }[]>(
    em,
    `select (select system_identifier from pg_control_system())::text || '-' || (select oid from pg_database where datname = current_database())::text as id`,
  );
  return row.id;
}

/**
 * The leaderboards: Redis (one node or a cluster) when `redis` is given, otherwise in process.
 * `namespace`: the database's `databaseIdentity`, when the caller has read it already.
 */
export async function createLeaderboards(
  redis: RedisTarget | undefined,
  orm: MikroORM,
  log: Logger,
  namespace?: string,
): Promise<Leaderboards> {
  const child = log.child({ component: 'leaderboards' });
  if (!redis) return new MemoryLeaderboards(orm, child);
  namespace ??= await databaseIdentity(orm.em.fork());
  return new RedisLeaderboards(await connectRedis(redis, 'townsquare-leaderboards', child), orm, child, namespace);
}
