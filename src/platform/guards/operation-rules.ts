import { BREAK, Kind, visit, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Config } from '../../config';
import { scopeFor, type Viewer } from '../viewer';
import { AppError, BadInput, Forbidden, Unauthenticated } from '../errors';
import { assertInputText } from './input-text';
import { assertQueryCost } from './limits';
import type { RateLimiter } from './rate-limit';
import { assertWriteRate, rootFieldNames } from './write-limits';

/** The transport an operation arrived on: HTTP POST/GET, WebSocket (graphql-ws) or Server-Sent Events (graphql-sse). */
export type Transport = 'http' | 'websocket' | 'sse';

/** What the operation rules look at: the parsed, validated operation and who sends it. */
export interface OperationRequest {
  schema: GraphQLSchema;
  /** The document's text as sent (TRUSTED_DOCUMENTS=only admits known texts alone). */
  query: string | undefined;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  viewer: Viewer;
  transport: Transport;
  rateLimiter: RateLimiter;
}

/**
 * The rules every operation passes once it is parsed and validated, before it runs, on HTTP,
 * WebSocket and Server-Sent Events alike (through request-rules.ts, from Apollo's
 * `didResolveOperation` and live-operations.ts's `prepare`, so the transports cannot drift). Each rule throws an {@link AppError} carrying
 * its HTTP status.
 */
export async function assertOperationAllowed(req: OperationRequest, config: Config): Promise<void> {
  const kind = req.operation.operation;
  if (kind === 'subscription' && req.transport === 'http') {
    throw withStatus(
      new BadInput(
        'Subscriptions run over WebSocket (graphql-transport-ws) or Server-Sent Events (graphql-sse, Accept: text/event-stream) on this same URL, not over plain HTTP',
      ),
      400,
    );
  }
  if (kind !== 'subscription' && req.transport === 'sse') {
    throw withStatus(
      new BadInput('Only subscriptions run over Server-Sent Events: send queries and mutations as plain HTTP requests'),
      400,
    );
  }
  assertAnonymousMayRun(req);
  const needed = scopeFor(kind);
  if (!req.viewer.scopes.has(needed)) throw withStatus(new Forbidden(`This API key lacks the ${needed} scope`), 403);
  try {
    assertQueryCost(req.schema, req.document, req.variables ?? undefined, req.operationName, config.MAX_QUERY_COST);
    assertInputText(req.schema, req.document, req.operation, req.variables);
  } catch (err) {
    // Too costly, variables that do not fit, or input that is not text: the client's doing.
    if (err instanceof AppError) withStatus(err, 400);
    throw err;
  }
  assertIntrospectionAllowed(req, config);
  // Last: an operation refused above is not counted against the caller's write limits.
  await assertWriteRate(req.document, req.operation, req.viewer.userId, config.WRITE_RATE_LIMITS, req.rateLimiter);
  // A bot (a key scoped to a community) has a limit of its own on every operation.
  if (req.viewer.communityScope !== undefined && req.viewer.apiKeyId !== undefined) {
    await req.rateLimiter.consume(
      `bot:${req.viewer.apiKeyId}`,
      config.BOT_RATE_LIMIT,
      config.BOT_RATE_WINDOW_SECONDS * 1000,
    );
  }
}

/**
 * INTROSPECTION: `all` lets anyone read the schema; `admins` only platform admins (GraphiQL sends
 * their token from its headers editor with its schema query too); `off` nobody. A document selecting
 * `__schema` or `__type` anywhere (aliased, in a fragment) is FORBIDDEN otherwise; `__typename` is
 * always allowed (clients and fragments on unions need it).
 */
function assertIntrospectionAllowed(req: OperationRequest, config: Config): void {
  const mode = config.INTROSPECTION;
  if (mode === 'all' || (mode === 'admins' && req.viewer.isAdmin)) return;
  if (!introspects(req.document)) return;
  const message =
    mode === 'off'
      ? 'Introspection is turned off on this server'
      : 'Introspection is for platform admins on this server';
  throw withStatus(new Forbidden(message), 403);
}

/** Whether a document selects `__schema` or `__type`, by document (Apollo and graphql-ws reuse the parsed document of a query text). */
const introspecting = new WeakMap<DocumentNode, boolean>();

function introspects(document: DocumentNode): boolean {
  let found = introspecting.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      [Kind.FIELD](field) {
        if (field.name.value !== '__schema' && field.name.value !== '__type') return undefined;
        found = true;
        return BREAK;
      },
    });
    introspecting.set(document, found);
  }
  return found;
}

/**
 * The field extension that opens a mutation to anonymous callers: `@Extensions(OPEN_TO_ANONYMOUS)`
 * beside its `@Mutation` (signUp, signIn). Every other mutation needs a credential.
 */
export const OPEN_TO_ANONYMOUS = { openToAnonymous: true } as const;

/**
 * An anonymous caller may run only the mutations open to anonymous callers: any other root field
 * of a mutation (through fragments too) refuses the whole operation with UNAUTHENTICATED (status
 * 401) before anything runs, whatever its resolver would do.
 */
export function assertAnonymousMayRun(
  req: Pick<OperationRequest, 'schema' | 'document' | 'operation' | 'viewer'>,
): void {
  if (req.operation.operation !== 'mutation' || req.viewer.userId !== null) return;
  const fields = req.schema.getMutationType()?.getFields() ?? {};
  for (const name of rootFieldNames(req.document, req.operation)) {
    if (name !== '__typename' && fields[name]?.extensions?.openToAnonymous !== true) {
      throw withStatus(new Unauthenticated(`Sign in to run ${name}`), 401);
    }
  }
}

/** Sets the HTTP status Apollo answers with (`formatForClient` drops it from the body; WebSocket ignores it). */
function withStatus<E extends AppError>(error: E, status: number): E {
  (error.extensions as Record<string, unknown>).http ??= { status };
  return error;
}
