import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer, WebSocket } from 'ws';
import type { Viewer } from './viewer';
import { addressForLog, clientAddress } from './client-address';
import type { DirectSend } from './shared-subscriptions';
import type { Context, ContextDeps } from './context';
import { forkEm } from './context';
import { QueryStats } from './database/query-stats';
import { AppError, Forbidden, Unauthenticated } from './errors';
import type { Logger } from './logger';
import type { RequestRules } from './request-rules';
import type { LiveModules, LiveOperations } from './live-operations';
import type { WatchedSocket } from './socket-credentials';
import { logProtocolErrors } from './socket-limits';

/** What we keep per WebSocket connection. */
type SocketExtra = {
  socket: WebSocket;
  request: IncomingMessage;
  /** Set once connection_init is accepted: anonymous, or signed in (then `watched` too). */
  viewer?: Viewer;
  /** A signed-in socket's credential, re-checked while the socket is open (see CredentialWatch). */
  watched?: WatchedSocket | null;
  connectionId?: string;
  clientIp?: string;
};

/** What serveGraphqlWs gives the server: graphql-ws's disposable, and the upgrade check. */
export interface GraphqlWsServer {
  /** Closes every socket with 1001 Going Away (the credential watch is `LiveOperations`', stopped by its owner). */
  dispose(): Promise<void>;
  /** Whether an upgrade from this request's client address may open one more socket (MAX_ANONYMOUS_SOCKETS_PER_CLIENT). */
  admits(request: IncomingMessage): boolean;
  /** Open connections, and the operations running on them as graphql-ws keeps them (for the metrics). */
  counts(): { connections: number; subscriptions: number };
}

/**
 * Serves GraphQL over WebSocket (graphql-transport-ws) with the same rules as HTTP: the bearer
 * token from `connectionParams.authorization` (bad token: close 4403 before any operation),
 * the same depth/alias/directive/token limits and operation rules (`LiveOperations.prepare`, shared
 * with Server-Sent Events), a cap on concurrent subscriptions per socket, and the same error
 * masking. Subscriptions that a `shareKeys` function groups run once per group (see SharedSubscriptions).
 *
 * A signed-in socket's credential stays under watch while it is open (see CredentialWatch): each
 * operation acts with a viewer checked at most CREDENTIAL_RECHECK_SECONDS ago, and once the session
 * or API key is no longer valid the socket is closed with 4401 Unauthorized, which graphql-ws
 * clients do not retry. Anonymous and not yet initialised sockets are capped per client address
 * (see AnonymousSocketCap).
 */
export function serveGraphqlWs(
  wss: WebSocketServer,
  schema: GraphQLSchema,
  live: LiveOperations,
  deps: ContextDeps,
  rules: RequestRules,
  modules: Pick<LiveModules, 'credentials'>,
): GraphqlWsServer {
  const { config, log } = deps;
  const { credentials, anonymous, shared, formatErrors } = live;
  /** Each operation's way to its socket, for shared results (keyed by the operation's context). */
  const directSends = new WeakMap<object, DirectSend>();
  /** The operations of each accepted connection, as graphql-ws keeps them (for `counts`). */
  const connections = new Set<{ subscriptions: Record<string, unknown> }>();
  /** The client's address for caps and rate limits: the upgrade request's, under TRUST_PROXY as on HTTP. */
  const addressOf = (request: IncomingMessage) => clientAddress(request, config.TRUST_PROXY);
  // Registered before graphql-ws's own listener, so it sees every socket first.
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    coalesceWrites(socket, request.socket);
    anonymous.opened(socket, addressOf(request));
  });
  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      schema,
      subscribe: (args) => shared.subscribe(args, directSends.get(args.contextValue as object)),
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const connectionId = randomUUID();
        ctx.extra.connectionId = connectionId;
        // Keep what we need of the upgrade request, not the request itself (memory per socket).
        ctx.extra.clientIp = addressOf(ctx.extra.request);
        (ctx.extra as Partial<SocketExtra>).request = undefined;
        const em = forkEm(deps.orm, connectionId, new QueryStats());
        try {
          const viewer = await modules.credentials.authenticate(em, ctx.connectionParams?.authorization, config);
          const { socket } = ctx.extra;
          if (socket.readyState === socket.CLOSED) return false; // closed while authenticating: nothing to watch
          ctx.extra.viewer = viewer;
          ctx.extra.watched = credentials.watch(viewer, {
            revoke: () => {
              socket.close(CloseCode.Unauthorized, 'Unauthorized');
              endOperations(ctx.subscriptions); // at once, not when a slow client acknowledges the close
            },
            narrowed: () => endOperations(ctx.subscriptions),
          });
          if (ctx.extra.watched) {
            anonymous.release(socket);
            const watched = ctx.extra.watched;
            socket.once('close', () => credentials.unwatch(watched));
          }
          connections.add(ctx);
          log.debug({ connectionId, userId: viewer.userId }, 'websocket connected');
          return true;
        } catch (err) {
          if (err instanceof AppError) {
            log.info({ connectionId, reason: err.message }, 'websocket rejected');
            return false; // graphql-ws closes with CloseCode.Forbidden (4403)
          }
          throw err;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        let viewer = ctx.extra.viewer!;
        if (ctx.extra.watched) {
          try {
            const current = await credentials.current(ctx.extra.watched);
            if (!current) return [new Unauthenticated('The credential of this connection is no longer valid')];
            viewer = current;
          } catch (err) {
            // Masked for the client, logged once with its stack by onError.
            return [new GraphQLError('Credential check failed', { originalError: err as Error })];
          }
        }
        // graphql-ws registers this operation's id before calling onSubscribe, so `active` counts it too.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > config.MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [
            new Forbidden(
              `At most ${config.MAX_SUBSCRIPTIONS_PER_SOCKET} operations may run at once on one connection`,
            ),
          ];
        }
        const requestId = `${ctx.extra.connectionId}/${id}`;
        const prepared = await live.prepare({
          payload,
          viewer,
          transport: 'websocket',
          requestId,
          clientIp: ctx.extra.clientIp ?? 'unknown',
        });
        if ('errors' in prepared) return prepared.errors;
        const { operation, args } = prepared;
        if (operation.operation === 'subscription')
          directSends.set(args.contextValue as Context, directSend(ctx.extra.socket, id, log));
        return args;
      },
      onOperation: async (_ctx, _id, _payload, args) => {
        // A mutation over WebSocket records what it touched in the response cache, as it does over HTTP.
        const operation = getOperationAST(args.document, args.operationName);
        if (operation?.operation === 'mutation')
          await rules.afterMutation(args.document, operation, args.contextValue as Context);
      },
      onNext: (ctx, id, _payload, _args, result) =>
        result.errors?.length
          ? { ...result, errors: formatErrors(result.errors, `${ctx.extra.connectionId}/${id}`) }
          : undefined,
      onError: (ctx, id, _payload, errors) => formatErrors(errors, `${ctx.extra.connectionId}/${id}`),
      onClose: (ctx, code) => {
        connections.delete(ctx);
        log.debug({ connectionId: ctx.extra.connectionId, code }, 'websocket closed');
      },
    },
    wss,
  );
  // After graphql-ws's listener: it has set up the socket, including the error listener this replaces.
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) =>
    logProtocolErrors(socket, log, addressForLog(addressOf(request), config.LOG_IP)),
  );
  return {
    admits: (request) => anonymous.admits(addressOf(request)),
    counts: () => {
      let subscriptions = 0;
      for (const ctx of connections) subscriptions += Object.keys(ctx.subscriptions).length;
      return { connections: wss.clients.size, subscriptions };
    },
    dispose: async () => {
      await server.dispose();
    },
  };
}

/** Ends a socket's running operations now (graphql-ws sends `complete` for each, if the socket is still open). */
function endOperations(subscriptions: Record<string, AsyncGenerator<unknown> | AsyncIterable<unknown> | null>): void {
  for (const operation of Object.values(subscriptions)) {
    if (operation && 'return' in operation && typeof operation.return === 'function') void operation.return(undefined);
  }
}

/** Unsent bytes at which a socket counts as too slow for shared results and is dropped (its client reconnects). */
export const SLOW_SOCKET_BYTES = 4 * 1024 * 1024;

/**
 * Writes a shared result's `next` message for operation `id` straight to the socket. A reader so
 * slow that SLOW_SOCKET_BYTES wait unsent is disconnected (code 1006 for its client, which
 * reconnects and, with `after`, replays what it missed) rather than left to grow the server's memory.
 */
export function directSend(socket: WebSocket, id: string, log: Logger, slowBytes = SLOW_SOCKET_BYTES): DirectSend {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (payloadJson) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > slowBytes) {
      log.warn(
        { operationId: id, bufferedAmount: socket.bufferedAmount },
        'websocket too slow for its subscriptions; disconnecting it',
      );
      socket.terminate();
      return;
    }
    socket.send(`${head}${payloadJson}}`);
  };
}

/** Bytes a socket may hold unsent before its sends wait for the network again (see coalesceWrites). */
export const COALESCE_MAX_BUFFERED = 64 * 1024;

/**
 * Frames sent to one socket during one turn of the event loop leave in one write (a single
 * writev) instead of one system call each. A live feed hands a batch of new rows to every
 * subscriber at once, so under load each subscriber's frames go out together: the busier the
 * stream, the bigger the batches. The TCP socket is corked at the first send of a turn and
 * uncorked in the check phase (setImmediate), after the turn's microtasks.
 *
 * graphql-ws waits for a send's callback before taking the operation's next result, which would
 * let only one frame per turn into the cork; so while the socket holds less than `maxBuffered`
 * unsent bytes, the callback runs at once (ws keeps the frame queued), and beyond that only once
 * the write completes: a slow reader still holds its subscriptions back (and their channels
 * overflow) instead of growing the server's memory.
 */
export function coalesceWrites(ws: WebSocket, tcp: Socket, maxBuffered = COALESCE_MAX_BUFFERED): void {
  const send = ws.send.bind(ws) as (data: unknown, options: object, cb?: (err?: Error) => void) => void;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp.uncork();
  };
  ws.send = ((data: unknown, optionsOrCb?: object | ((err?: Error) => void), maybeCb?: (err?: Error) => void) => {
    const options = typeof optionsOrCb === 'function' ? {} : (optionsOrCb ?? {});
    const cb = typeof optionsOrCb === 'function' ? (optionsOrCb as (err?: Error) => void) : maybeCb;
    if (!corked && !tcp.destroyed) {
      corked = true;
      tcp.cork();
      setImmediate(uncork);
    }
    if (!cb || ws.bufferedAmount >= maxBuffered) return send(data, options, cb);
    send(data, options);
    cb();
  }) as WebSocket['send'];
}
