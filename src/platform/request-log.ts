import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: the client's X-Request-Id when it is a plain token, otherwise a new UUID. */
    id: string;
    /** The process logger bound to `{ req: { id, method, url } }`. */
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,100}$/;
/** Paths that are asked every few seconds by load balancers: not logged when they succeed. */
const QUIET_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Express middleware: gives each request its id (echoed in `X-Request-Id`) and a logger bound to it,
 * and logs one access line when the response is sent (`request completed`, with the status and the
 * milliseconds it took; level error from 500 up). It replaces pino-http, whose per-request child
 * logger serialized every request's headers whether or not anything was logged: here the bindings
 * are three strings, and the child is made only when something logs through `req.log`.
 */
export function requestLog(log: Logger) {
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
      if (status < 400 && QUIET_PATHS.has(url ?? '')) return;
      const level = status >= 500 ? 'error' : 'info';
      // Nothing is built for a line below the level (a child logger costs its redaction set-up).
      if (!log.isLevelEnabled(level)) return;
      const line = {
        req: { id, method, url },
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
      };
      log[level](line, 'request completed');
    });
    next();
  };
}
