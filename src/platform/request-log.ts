import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueryStats } from './database/query-stats';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: the client's X-Request-Id when it is a plain token, otherwise a new UUID. */
    id: string;
    /** The process logger bound to `{ req: { id, method, url } }`. */
    log: Logger;
    /** Set by a GraphQL request's context: its operation, credential and SQL (see QueryStats). */
    stats?: QueryStats;
  }
}

const REQUEST_ID = /^[\w.-]{1,100}$/;
/** Paths that are asked every few seconds by load balancers: not logged when they succeed. */
const QUIET_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Express middleware: gives each request its id (echoed in `X-Request-Id`) and a logger bound to it,
 * and logs one access line when the response is sent (`request completed`, with the status and the
 * milliseconds it took; level error from 500 up). A GraphQL request's line also names its operation
 * (`graphql: { operation, type, userId, apiKeyId, sqlStatements, sqlMs }`), and it is counted in the
 * metrics. It replaces pino-http, whose per-request child
 * logger serialized every request's headers whether or not anything was logged: here the bindings
 * are three strings, and the child is made only when something logs through `req.log`.
 */
export function requestLog(log: Logger, metrics?: Metrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const started = performance.now();
    const { method, url } = req; // as received: routers rewrite req.url on the way
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (child ??= log.child({ req: { id, method, url } })),
    });
    res.once('finish', () => {
      const status = res.statusCode;
      const ms = performance.now() - started;
      const stats = req.stats;
      if (stats && metrics) metrics.httpOperation(stats, res, ms / 1000);
      if (status < 400 && QUIET_PATHS.has(url ?? '')) return;
      const level = status >= 500 ? 'error' : 'info';
      // Nothing is built for a line below the level (a child logger costs its redaction set-up).
      if (!log.isLevelEnabled(level)) return;
      const line: Record<string, unknown> = {
        req: { id, method, url },
        res: { statusCode: status },
        responseTime: Math.round(ms),
      };
      if (stats?.operationType) {
        line.graphql = {
          operation: stats.operationName,
          type: stats.operationType,
          userId: stats.userId ?? null,
          ...(stats.apiKeyId ? { apiKeyId: stats.apiKeyId } : {}),
          sqlStatements: stats.statements,
          sqlMs: Math.round(stats.sqlMs * 10) / 10,
        };
      }
      log[level](line, 'request completed');
    });
    next();
  };
}
