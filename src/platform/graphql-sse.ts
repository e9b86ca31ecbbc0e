import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createHandler, type Request as SseRequest, type RequestParams } from 'graphql-sse';
import { addressForLog, clientAddress } from './client-address';
import type { ContextDeps } from './context';
import { forkEm } from './context';
import { QueryStats } from './database/query-stats';
import { AppError, ErrorCode, Unauthenticated } from './errors';
import type { LiveModules, LiveOperations } from './live-operations';
import type { DirectSend } from './shared-subscriptions';
import { SLOW_SOCKET_BYTES } from './graphql-ws';
import { errorBody } from './http-graphql';
import { ANONYMOUS_RETRY_AFTER_SECONDS } from './socket-limits';

/** Unsent bytes past which a stream's own results wait for the network before the next is read (backpressure). */
const HIGH_WATER_BYTES = 64 * 1024;

/** What a stream's request carries through graphql-sse to `onSubscribe`. */
interface StreamState {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  clientIp: string;
  /** Its operation, once it runs. */
  operation?: StreamOperation;
}

export interface GraphqlSseServer {
  /** Whether a request to the GraphQL path asks for an event stream (`Accept: text/event-stream`). */
  wants(req: IncomingMessage): boolean;
  /** Serves it; `body` is the parsed JSON body of a POST (undefined for GET). */
  serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Refuses new streams (503) and ends every open one without `complete`, so that its client reconnects. */
  dispose(): Promise<void>;
}

/**
 * Serves subscriptions over Server-Sent Events on the GraphQL path, with the `graphql-sse` protocol's
 * "distinct connections" mode: a POST (JSON body) or GET (query string) with `Accept: text/event-stream`
 * runs one subscription and streams its results as `next` events, then `complete`. This is what
 * graphql-sse's client does with `singleConnection: false` (its default). The "single connection"
 * mode (a stream reserved with PUT, operations sent separately) is not served: its state lives in one
 * instance's memory, which would need sticky sessions behind a load balancer.
 *
 * Every operation goes through `LiveOperations.prepare`, as on WebSocket: the same document limits,
 * request rules (scopes: an API key needs SUBSCRIBE; cost; rate limits) and context. Only
 * subscriptions run here (queries and mutations are refused with BAD_USER_INPUT: HTTP serves them).
 * The credential is the `Authorization: Bearer` header, as on HTTP. A refusal (a bad credential, an
 * operation the rules refuse) is answered in the stream, as graphql-sse answers a document that does
 * not validate: one `next` event with the errors, then `complete`; graphql-sse's client retries a
 * response that is not 200, which would repeat the refusal.
 *
 * A signed-in stream's credential stays under watch (the WebSocket's `CredentialWatch`): once it is
 * revoked, the stream gets a `next` event with an UNAUTHENTICATED error and ends with `complete`
 * (the client does not retry); a credential that may now do less (admin rights, scopes) ends it
 * with `complete`. Anonymous streams count against MAX_ANONYMOUS_SOCKETS_PER_CLIENT like anonymous
 * sockets (HTTP 429 with `Retry-After` past it). Subscriptions share executions with everyone
 * else's on this instance (WebSocket ones included) under the same share keys.
 */
export function serveGraphqlSse(live: LiveOperations, deps: ContextDeps, modules: Pick<LiveModules, 'credentials'>) {
  const { config, log } = deps;
  const streams = new Set<StreamState>();
  let disposed = false;

  const handler = createHandler<IncomingMessage, StreamState>({
    // No stream tokens: only the distinct connections mode.
    authenticate: () => null,
    onSubscribe: async (request: SseRequest<IncomingMessage, StreamState>, params: RequestParams) => {
      const state = request.context;
      const refuse = (errors: readonly GraphQLError[]) =>
        once({ errors: live.formatErrors(errors, state.requestId) } as ExecutionResult);
      let viewer;
      try {
        const em = forkEm(deps.orm, state.requestId, new QueryStats());
        viewer = await modules.credentials.authenticate(em, state.req.headers.authorization, config);
      } catch (err) {
        if (err instanceof AppError) {
          log.info({ requestId: state.requestId, reason: err.message }, 'event stream refused');
          return refuse([err]);
        }
        throw err;
      }
      const prepared = await live.prepare({
        payload: params,
        viewer,
        transport: 'sse',
        requestId: state.requestId,
        clientIp: state.clientIp,
      });
      if ('errors' in prepared) return refuse(prepared.errors);
      if (state.res.destroyed) return refuse([]); // the client left while it was checked
      const operation = new StreamOperation(state, (result) => format(result, state.requestId));
      state.operation = operation;
      const watched = live.credentials.watch(viewer, {
        revoke: () =>
          operation.finish({
            errors: live.formatErrors(
              [new Unauthenticated('The credential of this stream is no longer valid')],
              state.requestId,
            ),
          } as ExecutionResult),
        narrowed: () => operation.finish(),
      });
      if (watched) operation.onEnd(() => live.credentials.unwatch(watched));
      const result = await live.shared.subscribe(prepared.args, operation.send);
      if (!(Symbol.asyncIterator in result)) {
        operation.finish();
        return once(format(result, state.requestId));
      }
      operation.run(result[Symbol.asyncIterator]());
      return operation;
    },
  });

  const format = (result: ExecutionResult, requestId: string): ExecutionResult =>
    result.errors?.length ? { ...result, errors: live.formatErrors(result.errors, requestId) } : result;

  return {
    wants(req: IncomingMessage) {
      if (req.method !== 'POST' && req.method !== 'GET') return false;
      return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(req.headers.accept ?? '');
    },
    async serve(req: IncomingMessage, res: ServerResponse, body: unknown) {
      if (disposed) {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
        res.end(errorBody('This instance is shutting down', ErrorCode.INTERNAL_SERVER_ERROR));
        return;
      }
      const clientIp = clientAddress(req, config.TRUST_PROXY);
      if (req.headers.authorization === undefined) {
        // Counted from now, synchronously with the check: no two requests race past the cap.
        if (!live.anonymous.admits(clientIp)) {
          log.info(
            { clientIp: addressForLog(clientIp, config.LOG_IP) },
            'event stream refused: too many anonymous connections from this address',
          );
          res.writeHead(429, {
            'content-type': 'application/json; charset=utf-8',
            'retry-after': String(ANONYMOUS_RETRY_AFTER_SECONDS),
          });
          res.end(errorBody('Too many anonymous connections from this address', ErrorCode.RATE_LIMITED));
          return;
        }
        live.anonymous.opened(res, clientIp);
      }
      const state: StreamState = { req, res, requestId: req.id, clientIp };
      streams.add(state);
      res.once('close', () => streams.delete(state));
      const [out, init] = await handler({
        method: req.method!,
        url: req.url!,
        headers: {
          // graphql-sse compares the whole header; `wants` already found text/event-stream in it.
          get: (key) => (key === 'accept' ? 'text/event-stream' : headerValue(req, key)),
        },
        body: req.method === 'POST' ? ((body ?? null) as Record<PropertyKey, unknown> | null) : null,
        raw: req,
        context: state,
      });
      if (!out || typeof out === 'string') {
        streams.delete(state);
        res.writeHead(init.status, init.statusText, init.headers);
        res.end(out ?? undefined);
        return;
      }
      // Proxies (nginx) must not buffer the stream.
      res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
      const stop = () => void out.return(undefined);
      res.once('close', stop);
      try {
        for await (const chunk of out) {
          if (res.writableEnded || res.destroyed) break;
          // Written at once: the operation waits for the network itself (see StreamOperation), and
          // graphql-sse's pings and `complete` are small.
          res.write(chunk);
        }
      } catch (err) {
        req.log.error({ err }, 'event stream failed');
        res.destroy();
        return;
      } finally {
        res.off('close', stop);
        streams.delete(state);
      }
      if (!res.writableEnded) res.end();
    },
    async dispose() {
      disposed = true;
      for (const state of [...streams]) {
        // Ended without `complete`: graphql-sse's client takes it for a lost connection and retries,
        // as graphql-ws's does after 1001; with `after`, it misses nothing.
        state.operation?.finish(undefined, false);
        if (!state.res.writableEnded) state.res.end();
      }
      streams.clear();
    },
  } satisfies GraphqlSseServer;
}

function headerValue(req: IncomingMessage, key: string): string | undefined {
  const value = req.headers[key];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A stream of one result, then the end: how a refusal is answered in the stream. */
function once(result: ExecutionResult): AsyncIterableIterator<ExecutionResult> {
  return (async function* () {
    yield result;
  })();
}

/**
 * One running subscription of an event stream, as graphql-sse iterates it: the results of its own
 * execution (read one at a time, and only once the response has written what it holds, so that a
 * replay to a slow reader holds one page in memory, as on WebSocket), and those a shared execution
 * hands it (`send`). It ends when its execution does, when graphql-sse returns it (the client left),
 * or when `finish` is called (revocation: with a last result; shutdown).
 */
class StreamOperation implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | null = null;
  private source: AsyncIterator<ExecutionResult> | null = null;
  private reading = false;
  private done = false;
  private readonly endings: (() => void)[] = [];

  constructor(
    private readonly state: StreamState,
    private readonly format: (result: ExecutionResult) => ExecutionResult,
  ) {}

  /** Reads the operation's own results from now on. */
  run(source: AsyncIterator<ExecutionResult>): void {
    this.source = source;
    if (this.done) void source.return?.();
    else if (this.waiting) this.read();
  }

  onEnd(fn: () => void): void {
    if (this.done) fn();
    else this.endings.push(fn);
  }

  /** A shared execution's result, already serialized (see SharedSubscriptions). */
  readonly send: DirectSend = (payloadJson) => {
    if (this.done) return;
    const { res } = this.state;
    if (res.writableLength > SLOW_SOCKET_BYTES) {
      this.state.req.log.warn(
        { bufferedAmount: res.writableLength },
        'event stream too slow for its subscription; disconnecting it',
      );
      this.finish(undefined, false);
      res.destroy(); // its client retries and, with `after`, replays what it missed
      return;
    }
    this.deliver(JSON.parse(payloadJson) as ExecutionResult);
  };

  /**
   * Ends the operation: `last` is delivered first. With `complete` false (shutdown, a reader too
   * slow), nothing more is delivered: the caller ends the response without graphql-sse's `complete`.
   */
  finish(last?: ExecutionResult, complete = true): void {
    if (this.done) return;
    if (last && complete) this.deliver(last);
    this.done = true;
    if (!complete) this.queue.length = 0;
    void this.source?.return?.();
    for (const fn of this.endings.splice(0)) fn();
    if (this.waiting && !this.queue.length) {
      const wake = this.waiting;
      this.waiting = null;
      wake({ done: true, value: undefined });
    }
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.queue.length) return Promise.resolve({ done: false, value: this.queue.shift()! });
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.read();
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish(undefined, false);
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.finish(undefined, false);
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private deliver(result: ExecutionResult): void {
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake({ done: false, value: result });
    } else this.queue.push(result);
  }

  /** Reads the next result of its own execution, once the response has room for it. */
  private read(): void {
    const source = this.source;
    if (!source || this.reading || this.done) return;
    this.reading = true;
    void (async () => {
      const { res } = this.state;
      if (res.writableLength > HIGH_WATER_BYTES && !res.destroyed) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
      }
      if (this.done) return;
      try {
        const result = await source.next();
        if (result.done) this.finish();
        else if (!this.done) this.deliver(this.format(result.value));
      } catch (err) {
        const error =
          err instanceof GraphQLError ? err : new GraphQLError('Subscription failed', { originalError: err as Error });
        this.finish(this.format({ errors: [error] }));
      }
    })().finally(() => {
      this.reading = false;
      // Results delivered while nobody waited are queued; a reader waiting again reads the next.
      if (this.waiting && !this.queue.length && !this.done) this.read();
    });
  }
}
