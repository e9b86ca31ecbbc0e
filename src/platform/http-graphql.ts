import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import express from 'express';
import { AppError, ErrorCode } from './errors';

/** What a request that reached the GraphQL endpoint needs besides Apollo. */
export interface GraphqlHttpOptions<TContext extends BaseContext> {
  /** The largest request body accepted, in bytes (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** The most operations one batched request may hold (MAX_BATCH_SIZE). */
  maxBatchSize: number;
  /** Builds a request's context (may throw a GraphQLError, answered as Apollo answers it). */
  context: (req: IncomingMessage) => Promise<TContext>;
  /** Rewrites a parsed body before Apollo sees it (trusted documents: `documentId` → `query`); may throw an AppError. */
  expandBody?: (body: unknown) => unknown;
}

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/** A JSON response with its length, written without a framework. */
function sendJson(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/** A GraphQL error answer of one error with its code, as Apollo writes one. */
export const errorBody = (message: string, code: string) =>
  JSON.stringify({ errors: [{ message, extensions: { code } }] });

/**
 * The GraphQL endpoint's POST handling without Express's router and response helpers (a tenth of
 * the CPU of a request that does nothing, by profile): body parsing (body-parser's JSON parser, as
 * `express.json` is, with its limit, charsets and inflation), the batch-size rule, then Apollo's
 * `executeHTTPGraphQLRequest`, whose answer is written as is. Express still serves everything else
 * (GraphiQL, probes, CORS preflights, GET): `handles` says which requests this takes.
 *
 * `parseJson`, `fail` (an error raised while reading the body: too large, malformed JSON) and
 * `refusesBatch` are also Express's body parser, error handler and batch rule, so the answers are the
 * same whichever served the request.
 */
export function graphqlHttp<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  options: GraphqlHttpOptions<TContext>,
) {
  const parseJson = express.json({ limit: options.maxBodyBytes }) as unknown as Middleware;

  /** Answers a body error (body-parser's, with `status` and `type`) as a GraphQL error. */
  function fail(err: Error & { status?: number; type?: string }, req: IncomingMessage, res: ServerResponse): void {
    const status = err.status ?? 500;
    if (status >= 500) req.log?.error({ err }, 'request failed');
    const message =
      err.type === 'entity.too.large'
        ? `Request body is larger than ${options.maxBodyBytes} bytes`
        : status < 500
          ? err.message
          : 'Internal server error';
    sendJson(
      res,
      status,
      errorBody(message, status < 500 ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL_SERVER_ERROR),
    );
  }

  /** Answers a batch of no operations or more than MAX_BATCH_SIZE with 400 (true), running none of it. */
  function refusesBatch(req: IncomingMessage & { body?: unknown }, res: ServerResponse): boolean {
    const { body } = req;
    if (!Array.isArray(body) || (body.length > 0 && body.length <= options.maxBatchSize)) return false;
    const message = `A batch must hold 1 to ${options.maxBatchSize} operations`;
    sendJson(res, 400, errorBody(message, ErrorCode.QUERY_TOO_COMPLEX));
    return true;
  }

  /**
   * Applies `expandBody` to the parsed body; true when the request may go on, false when it was
   * answered (an unknown `documentId`: PERSISTED_QUERY_NOT_FOUND with 200, as Apollo answers an
   * unknown APQ hash; an id beside a query: 400).
   */
  function expands(req: IncomingMessage & { body?: unknown }, res: ServerResponse): boolean {
    if (!options.expandBody) return true;
    try {
      req.body = options.expandBody(req.body);
      return true;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const code = String(err.extensions.code);
      sendJson(res, code === ErrorCode.PERSISTED_QUERY_NOT_FOUND ? 200 : 400, errorBody(err.message, code));
      return false;
    }
  }

  async function execute(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> {
    if (refusesBatch(req, res)) return;
    if (!expands(req, res)) return;
    const { body } = req;
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const response: HTTPGraphQLResponse = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: query < 0 ? '' : url.slice(query), body },
      context: () => options.context(req),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    /** Whether this serves the request: a JSON POST to `path` (Express serves the rest). */
    handles(req: IncomingMessage, path: string): boolean {
      if (req.method !== 'POST') return false;
      const url = req.url ?? '';
      if (url !== path && !url.startsWith(`${path}?`)) return false;
      const type = req.headers['content-type'];
      return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
    },
    /** Serves a request `handles` accepted. */
    serve(req: IncomingMessage, res: ServerResponse): void {
      parseJson(req, res, (err?: unknown) => {
        if (err) {
          fail(err as Error, req, res);
          return;
        }
        execute(req, res).catch((error: unknown) => {
          req.log.error({ err: error }, 'request failed');
          if (!res.headersSent) sendJson(res, 500, errorBody('Internal server error', ErrorCode.INTERNAL_SERVER_ERROR));
          else res.destroy();
        });
      });
    },
    parseJson,
    fail,
    refusesBatch,
    expands,
  };
}
