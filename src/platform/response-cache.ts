import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Viewer } from '../modules/identity/viewer';
import type { Context } from './context';
import type { Logger } from './logger';
import { connectRedis, type RedisClient } from './redis';

/**
 * Whole-response cache for HTTP queries, invalidated by writes.
 *
 * An entry is keyed by the query text, operation name, variables and the credential that asked
 * (anonymous requests share entries; a session or API key only ever sees its own), and is
 * tagged with the data epoch read *before* it was executed. Every mutation moves the epoch
 * once it has committed and before its response is sent, so an entry is served only while no
 * write has happened since it was read from the database: a client always reads its own
 * writes, and a query that raced a write is never served again. With REDIS_URL the epoch is a
 * Redis counter shared by every instance (one GET per cacheable request); without it, a
 * counter in this process. Writes that are not GraphQL mutations call {@link invalidate}.
 *
 * The only changes no write announces are those of the clock (a ban's `until` passing, a
 * session expiring is checked before the cache): entries live at most RESPONSE_CACHE_SECONDS.
 * Responses with errors are not kept. Identical queries that miss at the same time execute once
 * (the others wait for its response), so a write does not set off one execution per client.
 */
export interface ResponseCache {
  readonly kind: 'off' | 'memory' | 'redis';
  /** The current epoch, or null when it cannot be known (Redis down): then nothing is read or kept. */
  epoch(): Promise<string | null>;
  /** Moves the epoch: every entry kept so far is stale. */
  invalidate(): Promise<void>;
  get(key: string, epoch: string): FormattedExecutionResult | undefined;
  /**
   * On a miss: the response of the request already executing this key at this epoch, if there is
   * one (concurrent misses execute once); otherwise undefined, and the caller must `settle` it.
   */
  join(key: string, epoch: string): Promise<FormattedExecutionResult | undefined> | undefined;
  /** Ends the caller's execution of key: keeps `result` (when given) and hands it to those who joined. */
  settle(key: string, epoch: string, result?: FormattedExecutionResult): void;
  /**
   * Apollo's `stringifyResult`: a cached response's JSON is made once, when it is kept, and
   * reused for every hit (Apollo passes the cached `data` object through).
   */
  stringify(value: FormattedExecutionResult): string;
  close(): Promise<void>;
}

const toJson = (value: FormattedExecutionResult) => `${JSON.stringify(value)}\n`;

export interface ResponseCacheOptions {
  /** Seconds an entry lives at most; 0 turns the cache off. */
  seconds: number;
  /** Memory the entries may take, in MiB (their JSON length counted). */
  megabytes: number;
  redisUrl?: string;
  log: Logger;
}

const EPOCH_KEY = 'townsquare:response-cache:epoch';

interface Entry {
  epoch: string;
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class Cache implements ResponseCache {
  /** Moved by every write this instance makes, so it reads its own writes even if Redis missed one. */
  private local = 0;
  /** A write whose INCR failed: moved in Redis as soon as Redis answers again. */
  private owed = false;
  private readonly entries: LRUCache<string, Entry>;
  /** Executions under way, by epoch and key, with those waiting for them. */
  private readonly running = new Map<string, Running>();
  /** The JSON of each kept response, by its `data` object. */
  private readonly json = new WeakMap<object, string>();
  private readonly log: Logger;
  /** Redis is not asked before this time (see {@link redisUsable}). */
  private skipUntil = 0;

  constructor(options: ResponseCacheOptions, private readonly redis?: RedisClient) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.megabytes * 1024 * 1024,
      sizeCalculation: (entry) => entry.json.length + 200,
      dispose: (entry) => this.json.delete(entry.result.data as object),
      ttl: options.seconds * 1000,
    });
    this.log = options.log;
    // Back after an outage (the first 'ready' came before this): writes elsewhere may have gone
    // unannounced meanwhile, so forget what is kept, and pay this instance's own missed INCR.
    redis?.on('ready', () => {
      this.skipUntil = 0;
      this.entries.clear();
      this.local++;
      if (this.owed) void this.moveRemote();
    });
  }

  /**
   * Whether to ask Redis at all: not while its client reconnects (node-redis holds a command until its
   * next connection attempt, up to 2 s), nor for REDIS_RETRY_MS after a command failed or timed out.
   * A request never waits on a Redis known to be down (issue 12).
   */
  private redisUsable(): boolean {
    return this.redis!.isReady && Date.now() >= this.skipUntil;
  }

  private async moveRemote(): Promise<void> {
    if (!this.redisUsable()) {
      if (!this.owed) this.log.warn('response cache epoch not moved in Redis (unreachable); retrying when it answers');
      this.owed = true; // paid on 'ready', or by the next write or read once Redis is asked again
      return;
    }
    try {
      await withTimeout(this.redis!.incr(EPOCH_KEY), REDIS_TIMEOUT_MS);
      this.owed = false;
    } catch (err) {
      this.skipUntil = Date.now() + REDIS_RETRY_MS;
      // Instances that kept their connection serve what they hold for at most RESPONSE_CACHE_SECONDS.
      if (!this.owed) this.log.warn({ err }, 'response cache epoch not moved in Redis; retrying when it answers');
      this.owed = true;
    }
  }

  get kind() {
    return this.redis ? ('redis' as const) : ('memory' as const);
  }

  async epoch(): Promise<string | null> {
    if (!this.redis) return String(this.local);
    const local = this.local;
    if (this.owed) await this.moveRemote();
    if (this.owed || !this.redisUsable()) return null;
    try {
      return `${local}:${(await withTimeout(this.redis.get(EPOCH_KEY), REDIS_TIMEOUT_MS)) ?? 0}`;
    } catch {
      this.skipUntil = Date.now() + REDIS_RETRY_MS;
      return null; // Redis unreachable: this request neither reads nor keeps anything
    }
  }

  async invalidate(): Promise<void> {
    this.local++;
    if (this.redis) await this.moveRemote();
  }

  get(key: string, epoch: string): FormattedExecutionResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.epoch !== epoch) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.result;
  }

  join(key: string, epoch: string): Promise<FormattedExecutionResult | undefined> | undefined {
    const id = `${epoch}\n${key}`;
    const run = this.running.get(id);
    if (run) return run.promise;
    let resolve!: (result?: FormattedExecutionResult) => void;
    const promise = new Promise<FormattedExecutionResult | undefined>((r) => (resolve = r));
    const timer = setTimeout(() => this.settle(key, epoch), JOIN_TIMEOUT_MS).unref();
    this.running.set(id, { promise, resolve, timer });
    return undefined;
  }

  settle(key: string, epoch: string, result?: FormattedExecutionResult): void {
    const id = `${epoch}\n${key}`;
    const run = this.running.get(id);
    if (run) clearTimeout(run.timer);
    this.running.delete(id);
    let kept: FormattedExecutionResult | undefined;
    if (result?.data) {
      kept = { data: result.data };
      const json = toJson(kept);
      this.entries.set(key, { epoch, result: kept, json });
      this.json.set(result.data, json);
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
  epoch: async () => null,
  invalidate: async () => {},
  get: () => undefined,
  join: () => undefined,
  settle: () => {},
  stringify: toJson,
  close: async () => {},
};

/** The response cache: off when `seconds` is 0, the epoch in Redis when REDIS_URL is set. */
export async function createResponseCache(options: ResponseCacheOptions): Promise<ResponseCache> {
  if (options.seconds === 0) return OFF;
  const redis = options.redisUrl ? await connectRedis(options.redisUrl, 'townsquare:response-cache', options.log) : undefined;
  return new Cache(options, redis);
}

/** Who an entry belongs to: anonymous requests share; a credential only sees its own. */
function credentialOf(viewer: Viewer): string {
  const who = viewer.sessionId !== undefined ? `s${viewer.sessionId}` : viewer.apiKeyId !== undefined ? `k${viewer.apiKeyId}` : 'anon';
  return viewer.isAdmin ? `${who}+admin` : who;
}

/**
 * Serves HTTP queries from the cache and keeps their error-free responses; moves the epoch after
 * every mutation. Answers to cacheable queries carry `X-Response-Cache`: `hit` (kept response),
 * `shared` (another request's execution, which this one waited for) or `miss` (executed).
 */
export function responseCachePlugin(cache: ResponseCache): ApolloServerPlugin<Context> {
  const answer = (result: FormattedExecutionResult, state: 'hit' | 'shared'): GraphQLResponse => ({
    http: { status: undefined, headers: new HeaderMap([['x-response-cache', state]]) },
    body: { kind: 'single', singleResult: result },
  });
  return {
    async requestDidStart() {
      /** Set while this request executes a cacheable query: it settles it when its response is ready. */
      let leading: { key: string; epoch: string } | null = null;
      return {
        async responseForOperation({ operation, operationName, queryHash, request, contextValue }) {
          // `operation` is missing (despite its type) when a document's operation cannot be chosen.
          if (operation?.operation !== 'query' || cache.kind === 'off') return null;
          const epoch = await cache.epoch();
          if (epoch === null) return null;
          const key = `${credentialOf(contextValue.viewer)}\n${queryHash}\n${operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}`;
          const kept = cache.get(key, epoch);
          if (kept) return answer(kept, 'hit');
          const running = cache.join(key, epoch);
          if (!running) {
            leading = { key, epoch };
            return null;
          }
          const shared = await running;
          // The other execution ended in errors: this request runs its own.
          return shared ? answer(shared, 'shared') : null;
        },
        async willSendResponse({ operation, response }) {
          if (operation?.operation === 'mutation') {
            await cache.invalidate();
            return;
          }
          if (!leading) return;
          response.http.headers.set('x-response-cache', 'miss');
          const body = response.body;
          const ok = body.kind === 'single' && !body.singleResult.errors && !body.singleResult.extensions && (response.http.status ?? 200) === 200;
          cache.settle(leading.key, leading.epoch, ok ? body.singleResult : undefined);
          leading = null;
        },
      };
    },
  };
}
