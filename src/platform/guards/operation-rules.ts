import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { Config } from '../../config';
import { scopeFor, type Viewer } from '../../modules/identity/viewer';
import { AppError, BadInput, Forbidden } from '../errors';
import { assertInputText } from './input-text';
import { assertQueryCost } from './limits';

/** The transport an operation arrived on. */
export type Transport = 'http' | 'websocket';

/** What the operation rules look at: the parsed, validated operation and who sends it. */
export interface OperationRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  viewer: Viewer;
  transport: Transport;
}

/**
 * The rules every operation passes once it is parsed and validated, before it runs, on HTTP and
 * WebSocket alike (Apollo's `didResolveOperation`, graphql-ws's `onSubscribe` both call this, so the
 * two transports cannot drift). Each rule throws an {@link AppError} carrying its HTTP status.
 */
export function assertOperationAllowed(req: OperationRequest, config: Config): void {
  const kind = req.operation.operation;
  if (kind === 'subscription' && req.transport === 'http') {
    throw withStatus(new BadInput('Subscriptions run over WebSocket (graphql-transport-ws) on this same URL, not over HTTP'), 400);
  }
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
}

/** Sets the HTTP status Apollo answers with (`formatForClient` drops it from the body; WebSocket ignores it). */
function withStatus<E extends AppError>(error: E, status: number): E {
  (error.extensions as Record<string, unknown>).http ??= { status };
  return error;
}
