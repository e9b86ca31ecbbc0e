import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Viewer } from './viewer';
import { readDependencies, type ReadDependencies, type WriteScope } from './cache-scope';
import type { RequestRules } from './request-rules';
import type { Context } from './context';
import type { Logger } from './logger';
import { connectRedis, onRedisRestored, redisReady, withDeadline, type RedisClient, type RedisTarget } from './redis';

/**
 * Whole-response cache for HTTP queries, invalidated by the writes that touch what it read.
 *
 * An entry is keyed by the query text, operation name, variables and the credential that asked
 * (anonymous requests share entries; a session or API key only ever sees its own). It holds the
 * value of the write counter G read *before* it was executed, and what its execution read (see
 * cache-scope.ts): the communities whose content it read, the users whose whole set of memberships
 * it read (`feed`), or "everything" (`viewer`, `communities`, a root field that answered null,
 * anything not known to be scoped).
 *
 * Every write, once it has committed and before its response is sent, moves G and records, for
 * each tag it touched (`c<community>`, `m<user>`, or `*` for a write that names no scope), the value
 * of G it moved it to. An entry read at G = E is served only while no tag it depends on was written
 * after E: `*` and its own tags, or, for an entry that depends on everything, while G is still E.
 * So a client always reads its own writes, a query that raced a write is never served again, and a
 * write in one community leaves the entries of the others alone. With Redis, G and the tags live
 * there, shared by every instance: one MGET per cacheable request (G with the entry's tags), one
 * script per write (INCR and the tags together); without it, in this process. On a Redis Cluster
 * they share one hash tag, so one slot and one node: the cache's reads and writes are not sharded.
 * Writes that are not GraphQL mutations call {@link ResponseCache.invalidate}.
 *
 * The only changes no write announces are those of the clock (a ban's `until` passing, a
 * session expiring is checked before the cache): entries live at most RESPONSE_CACHE_SECONDS.
 * Responses with errors are not kept. Identical queries that miss at the same time execute once
 * (the others wait for its response), so a write does not set off one execution per client.
 */
export interface ResponseCache {
  readonly kind: 'off' | 'memory' | 'redis';
  /**
   * The answer kept for `key` if no write it depends on happened since it was read, and the epoch a
   * new execution reads at; null when that cannot be known (Redis down): then nothing is read or kept.
   */
  lookup(key: string): Promise<Lookup | null>;
  /** Records a write that touched `scope` (null or omitted: everything), so that no entry that read it is served again. */
  invalidate(scope?: WriteScope | null): Promise<void>;
  /**
   * On a miss: the response of the request already executing this key at this epoch, if there is
   * one (concurrent misses execute once); otherwise undefined, and the caller must `settle` it.
   */
  join(key: string, epoch: Epoch): Promise<FormattedExecutionResult | undefined> | undefined;
  /**
   * Ends the caller's execution of key: keeps `result` (when given, with what it read) and hands it
   * to those who joined.
   */
  settle(key: string, epoch: Epoch, result?: FormattedExecutionResult, read?: ReadDependencies): void;
  /**
   * Apollo's `stringifyResult`: a cached response's JSON is made once, when it is kept, and
   * reused for every hit (Apollo passes the cached `data` object through).
   */
  stringify(value: FormattedExecutionResult): string;
  close(): Promise<void>;
}

/** When a request read the state of the cache: what an execution starting now sees. */
export interface Epoch {
  /** Requests at the same epoch (this string) may share one execution. */
  readonly id: string;
  /** This instance's generation (see `Cache.generation`). */
  readonly generation: number;
  /** The Redis data set's incarnation ('' without Redis). */
  readonly incarnation: string;
  /** The write counter G. */
  readonly g: number;
  /** Date.now() when it was read. */
  readonly at: number;
}

export interface Lookup {
  kept?: FormattedExecutionResult;
  epoch: Epoch;
}

const toJson = (value: FormattedExecutionResult) => `${JSON.stringify(value)}\n`;

export interface ResponseCacheOptions {
  /** Seconds an entry lives at most; 0 turns the cache off. */
  seconds: number;
  /** Memory the entries may take, in MiB (their JSON length counted). */
  megabytes: number;
  redis?: RedisTarget;
  log: Logger;
}

/**
 * Every key in one slot (the `{response-cache}` hash tag): the MGET and the write script read and
 * write G with the tags, and on a Redis Cluster all of a command's keys must be in one slot.
 */
const PREFIX = 'townsquare:{response-cache}:';
/** G: moved by every write. */
const EPOCH_KEY = `${PREFIX}epoch`;
/** A random id set by the first write into an empty Redis: entries read before a flush are never judged against counters that restarted. */
const INCARNATION_KEY = `${PREFIX}incarnation`;
const tagKey = (tag: string) => `${PREFIX}tag:${tag}`;
/** The tag of writes that name no scope: every entry depends on it. */
const GLOBAL_TAG = '*';

/**
 * The tags a write touches. A scope naming no community and no member touches none: it moves G only,
 * so it drops the entries that depend on every write and keeps the scoped ones.
 */
function writeTags(scope: WriteScope | null | undefined): string[] {
  if (!scope) return [GLOBAL_TAG];
  return [...[...scope.communities].map((id) => `c${id}`), ...[...(scope.members ?? [])].map((id) => `m${id}`)];
}

/**
 * An execution that took longer than this is not kept: a tag's last write is remembered
 * TAG_SECONDS (Redis) or `Cache.tagMs` (in process) after it, which must outlast every entry that
 * could depend on it (read before the write, kept at most this long after, living at most
 * RESPONSE_CACHE_SECONDS, itself at most 3600: see config.ts).
 */
const MAX_KEPT_EXECUTION_MS = 10 * 60_000;
const TAG_SECONDS = 2 * 3600;

/**
 * A write in Redis, atomic: G moves, and each tag touched records the new G (for TAG_SECONDS).
 * KEYS: G, the incarnation, then the tags; ARGV: an incarnation in case there is none yet, TAG_SECONDS.
 */
const WRITE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[1]) end
local g = redis.call('INCR', KEYS[1])
for i = 3, #KEYS do redis.call('SET', KEYS[i], g, 'EX', tonumber(ARGV[2])) end
return g
`;

interface Entry {
  generation: number;
  incarnation: string;
  /** G when it was read. */
  g: number;
  /** Depends on every write, not on tags. */
  all: boolean;
  tags: string[];
  result: FormattedExecutionResult;
  /** Apollo's JSON of `result`. */
  json: string;
}

interface Running {
  promise: Promise<FormattedExecutionResult | undefined>;
  resolve: (result?: FormattedExecutionResult) => void;
  /** Lets the waiters go (to execute for themselves) should the execution never settle. */
  timer: NodeJS.Timeout;
}

/** How long requests wait for another's execution of the same query at most. */
const JOIN_TIMEOUT_MS = 30_000;
/** How long a Redis command of the cache may take before the request goes on without it. */
const REDIS_TIMEOUT_MS = 1000;
/** After a Redis command failed or timed out, requests go on without Redis this long before it is asked again. */
const REDIS_RETRY_MS = 2000;

class Cache implements ResponseCache {
  /**
   * Entries of an older generation are never served. With Redis it moves when the connection comes
   * back (writes elsewhere may have gone unannounced meanwhile) and when a write of this instance
   * could not be recorded there.
   */
  private generation = 0;
  /** A write whose script failed: recorded in Redis (as touching everything) as soon as Redis answers again. */
  private owed = false;
  /** Without Redis: G, and for each tag the G of its last write and when it happened. */
  private g = 0;
  private readonly lastWrite = new Map<string, { g: number; at: number }>();
  /** How long a tag's last write is remembered without Redis (see MAX_KEPT_EXECUTION_MS). */
  private readonly tagMs: number;
  private prunedAt = Date.now();
  private readonly entries: LRUCache<string, Entry>;
  /** Executions under way, by epoch and key, with those waiting for them. */
  private readonly running = new Map<string, Running>();
  /** The JSON of each kept response, by its `data` object. */
  private readonly json = new WeakMap<object, string>();
  private readonly log: Logger;
  /** Redis is not asked before this time (see {@link redisUsable}). */
  private skipUntil = 0;

  constructor(
    options: ResponseCacheOptions,
    private readonly redis?: RedisClient,
  ) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.megabytes * 1024 * 1024,
      sizeCalculation: (entry) => entry.json.length + 200 + entry.tags.length * 16,
      dispose: (entry) => this.json.delete(entry.result.data as object),
      ttl: options.seconds * 1000,
    });
    this.tagMs = options.seconds * 1000 + MAX_KEPT_EXECUTION_MS + 60_000;
    this.log = options.log;
    // Back after an outage (the first 'ready' came before this): writes elsewhere may have gone
    // unannounced meanwhile, so forget what is kept, and pay this instance's own missed write.
    if (redis)
      onRedisRestored(redis, () => {
        this.skipUntil = 0;
        this.entries.clear();
        this.generation++;
        if (this.owed) void this.writeRemote([GLOBAL_TAG]);
      });
  }

  /**
   * Whether to ask Redis at all: not while its client reconnects (node-redis holds a command until its
   * next connection attempt, up to 2 s), nor for REDIS_RETRY_MS after a command failed or timed out.
   * A request never waits on a Redis known to be down (issue 12).
   */
  private redisUsable(): boolean {
    return redisReady(this.redis!) && Date.now() >= this.skipUntil;
  }

  private async writeRemote(tags: string[]): Promise<void> {
    if (!this.redisUsable()) {
      if (!this.owed)
        this.log.warn('response cache write not recorded in Redis (unreachable); recording it when it answers');
      this.owed = true; // paid on 'ready', or by the next write or read once Redis is asked again
      this.generation++;
      return;
    }
    try {
      await withDeadline(
        this.redis!.eval(WRITE_SCRIPT, {
          keys: [EPOCH_KEY, INCARNATION_KEY, ...tags.map(tagKey)],
          arguments: [randomUUID(), String(TAG_SECONDS)],
        }),
        REDIS_TIMEOUT_MS,
      );
      this.owed = false;
    } catch (err) {
      this.skipUntil = Date.now() + REDIS_RETRY_MS;
      this.generation++;
      // Instances that kept their connection serve what they hold for at most RESPONSE_CACHE_SECONDS.
      if (!this.owed)
        this.log.warn({ err }, 'response cache write not recorded in Redis; recording it when it answers');
      this.owed = true;
    }
  }

  get kind() {
    return this.redis ? ('redis' as const) : ('memory' as const);
  }

  async lookup(key: string): Promise<Lookup | null> {
    const now = Date.now();
    if (!this.redis) {
      const epoch: Epoch = { id: String(this.g), generation: 0, incarnation: '', g: this.g, at: now };
      const entry = this.entries.get(key);
      if (entry && this.freshLocally(entry)) return { kept: entry.result, epoch };
      if (entry) this.entries.delete(key);
      return { epoch };
    }
    if (this.owed) await this.writeRemote([GLOBAL_TAG]);
    if (this.owed || !this.redisUsable()) return null;
    const generation = this.generation;
    const entry = this.entries.get(key);
    const tags = entry && entry.generation === generation && !entry.all ? entry.tags : [];
    let values: (string | null)[];
    try {
      values = await withDeadline(
        this.redis.mGet([EPOCH_KEY, INCARNATION_KEY, tagKey(GLOBAL_TAG), ...tags.map(tagKey)]),
        REDIS_TIMEOUT_MS,
      );
    } catch {
      this.skipUntil = Date.now() + REDIS_RETRY_MS;
      return null; // Redis unreachable: this request neither reads nor keeps anything
    }
    const g = Number(values[0] ?? 0);
    const incarnation = values[1] ?? '';
    const epoch: Epoch = { id: `${generation}:${incarnation}:${g}`, generation, incarnation, g, at: now };
    if (entry) {
      const fresh =
        entry.generation === generation &&
        entry.incarnation === incarnation &&
        g >= entry.g &&
        (entry.all ? g === entry.g : values.slice(2).every((v) => Number(v ?? 0) <= entry.g));
      if (fresh) return { kept: entry.result, epoch };
    }
    const current = this.entries.peek(key);
    if (current !== entry) {
      // Kept while Redis answered (a concurrent miss's execution): fresh if read at this very G, no write came between.
      if (current && current.generation === generation && current.incarnation === incarnation && current.g === g)
        return { kept: current.result, epoch };
    } else if (entry) {
      this.entries.delete(key);
    }
    return { epoch };
  }

  /** Without Redis: whether no write the entry depends on came after it was read. */
  private freshLocally(entry: Entry): boolean {
    if (entry.all) return entry.g === this.g;
    if ((this.lastWrite.get(GLOBAL_TAG)?.g ?? 0) > entry.g) return false;
    return entry.tags.every((tag) => (this.lastWrite.get(tag)?.g ?? 0) <= entry.g);
  }

  async invalidate(scope?: WriteScope | null): Promise<void> {
    const tags = writeTags(scope);
    if (this.redis) return this.writeRemote(tags);
    const now = Date.now();
    this.g++;
    for (const tag of tags) this.lastWrite.set(tag, { g: this.g, at: now });
    if (now - this.prunedAt > this.tagMs) {
      // Forgets writes no living entry can have read before (see MAX_KEPT_EXECUTION_MS).
      this.prunedAt = now;
      for (const [tag, last] of this.lastWrite) if (now - last.at > this.tagMs) this.lastWrite.delete(tag);
    }
  }

  join(key: string, epoch: Epoch): Promise<FormattedExecutionResult | undefined> | undefined {
    const id = `${epoch.id}\n${key}`;
    const run = this.running.get(id);
    if (run) return run.promise;
    // Kept since the lookup (a concurrent execution just ended): read at this very epoch, it answers this request too.
    const kept = this.entries.peek(key);
    if (kept && kept.generation === epoch.generation && kept.incarnation === epoch.incarnation && kept.g === epoch.g) {
      return Promise.resolve(kept.result);
    }
    let resolve!: (result?: FormattedExecutionResult) => void;
    const promise = new Promise<FormattedExecutionResult | undefined>((r) => (resolve = r));
    const timer = setTimeout(() => this.settle(key, epoch), JOIN_TIMEOUT_MS).unref();
    this.running.set(id, { promise, resolve, timer });
    return undefined;
  }

  settle(key: string, epoch: Epoch, result?: FormattedExecutionResult, read?: ReadDependencies): void {
    const id = `${epoch.id}\n${key}`;
    const run = this.running.get(id);
    if (run) clearTimeout(run.timer);
    this.running.delete(id);
    let kept: FormattedExecutionResult | undefined;
    if (result?.data) {
      kept = { data: result.data };
      // Entries of an execution that took too long are not kept (see MAX_KEPT_EXECUTION_MS); its waiters still get it.
      if (read && Date.now() - epoch.at <= MAX_KEPT_EXECUTION_MS) {
        const json = toJson(kept);
        const tags = read.all ? [] : [...read.communities.map((c) => `c${c}`), ...read.members.map((m) => `m${m}`)];
        this.entries.set(key, {
          generation: epoch.generation,
          incarnation: epoch.incarnation,
          g: epoch.g,
          all: read.all,
          tags,
          result: kept,
          json,
        });
        this.json.set(result.data, json);
      }
    }
    run?.resolve(kept);
  }

  stringify(value: FormattedExecutionResult): string {
    const kept = !value.errors && !value.extensions && value.data ? this.json.get(value.data) : undefined;
    return kept ?? toJson(value);
  }

  async close(): Promise<void> {
    this.entries.clear();
    for (const run of this.running.values()) {
      clearTimeout(run.timer);
      run.resolve();
    }
    this.running.clear();
    this.redis?.destroy();
  }
}

const OFF: ResponseCache = {
  kind: 'off',
  lookup: async () => null,
  invalidate: async () => {},
  join: () => undefined,
  settle: () => {},
  stringify: toJson,
  close: async () => {},
};

/** The response cache: off when `seconds` is 0, G and the tags in Redis when it has one (`redis`). */
export async function createResponseCache(options: ResponseCacheOptions): Promise<ResponseCache> {
  if (options.seconds === 0) return OFF;
  const redis = options.redis ? await connectRedis(options.redis, 'townsquare:response-cache', options.log) : undefined;
  return new Cache(options, redis);
}

/** Who an entry belongs to: anonymous requests share; a credential only sees its own. */
function credentialOf(viewer: Viewer): string {
  const who =
    viewer.sessionId !== undefined
      ? `s${viewer.sessionId}`
      : viewer.apiKeyId !== undefined
        ? `k${viewer.apiKeyId}`
        : 'anon';
  return viewer.isAdmin ? `${who}+admin` : who;
}

/**
 * Serves HTTP queries from the cache and keeps their error-free responses with what they read;
 * records after every mutation that ran what it touched. Answers to cacheable queries carry
 * `X-Response-Cache`: `hit` (kept response), `shared` (another request's execution, which this one
 * waited for) or `miss` (executed).
 */
export function responseCachePlugin(cache: ResponseCache, rules: RequestRules): ApolloServerPlugin<Context> {
  const answer = (result: FormattedExecutionResult, state: 'hit' | 'shared'): GraphQLResponse => ({
    http: { status: undefined, headers: new HeaderMap([['x-response-cache', state]]) },
    body: { kind: 'single', singleResult: result },
  });
  return {
    async requestDidStart() {
      /** Set while this request executes a cacheable query: it settles it when its response is ready. */
      let leading: { key: string; epoch: Epoch } | null = null;
      /** Whether the operation was executed (a mutation refused before it writes nothing). */
      let executed = false;
      return {
        async responseForOperation({ operation, operationName, queryHash, request, contextValue }) {
          // `operation` is missing (despite its type) when a document's operation cannot be chosen.
          if (operation?.operation !== 'query' || cache.kind === 'off') return null;
          const key = `${credentialOf(contextValue.viewer)}\n${queryHash}\n${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
          const found = await cache.lookup(key);
          if (found === null) return null;
          if (found.kept) return answer(found.kept, 'hit');
          const running = cache.join(key, found.epoch);
          if (!running) {
            leading = { key, epoch: found.epoch };
            return null;
          }
          const shared = await running;
          // The other execution ended in errors: this request runs its own.
          return shared ? answer(shared, 'shared') : null;
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ operation, document, response, contextValue }) {
          if (operation?.operation === 'mutation') {
            if (executed) await rules.afterMutation(document!, operation, contextValue);
            return;
          }
          if (!leading) return;
          response.http.headers.set('x-response-cache', 'miss');
          const body = response.body;
          const ok =
            body.kind === 'single' &&
            !body.singleResult.errors &&
            !body.singleResult.extensions &&
            (response.http.status ?? 200) === 200;
          const result = ok ? body.singleResult : undefined;
          const read =
            result?.data && operation && document
              ? readDependencies(document, operation, result.data, contextValue.loaders.cacheScope)
              : undefined;
          cache.settle(leading.key, leading.epoch, result, read);
          leading = null;
        },
      };
    },
  };
}
