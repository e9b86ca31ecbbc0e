import {
  GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Viewer } from './viewer';
import { ANONYMOUS } from './viewer';
import { SharedSubscriptions, type ShareKey } from './shared-subscriptions';
import { createContext, forkEm, type ContextDeps } from './context';
import { QueryStats } from './database/query-stats';
import { AppError, normalizeError } from './errors';
import { limitRules, queryLimits } from './guards/limits';
import type { Transport } from './guards/operation-rules';
import type { Metrics } from './metrics';
import type { RequestRules } from './request-rules';
import { CredentialWatch, type CredentialAuthority } from './socket-credentials';
import { AnonymousSocketCap } from './socket-limits';

/** What the modules tell the streaming transports (server.ts wires the identity module's and app.ts's). */
export interface LiveModules {
  /** How connections authenticate and their credentials are re-checked (the identity module's). */
  credentials: CredentialAuthority;
  /** Every module's share keys (see shared-subscriptions.ts). */
  shareKeys: readonly ShareKey[];
  /** Fields whose value depends on the viewer, besides `viewer…` ones: never shared. */
  viewerFields: ReadonlySet<string>;
  /** Counts the operations started and refused. */
  metrics?: Pick<Metrics, 'socketOperation'>;
}

/** An operation as a streaming client sends it. */
export interface OperationPayload {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/** An operation that passed every rule: what to run it with. */
export interface PreparedOperation {
  args: ExecutionArgs;
  operation: OperationDefinitionNode;
}

/**
 * What the two streaming transports, WebSocket (graphql-ws.ts) and Server-Sent Events
 * (graphql-sse.ts), share, so that they enforce the same thing and cannot drift: the parsed and
 * validated documents (with the same limits as HTTP), the request rules (`admit`: transport,
 * anonymous callers, scopes, cost, input text, introspection, write and bot rate limits), the
 * context an operation runs with, error masking, the shared subscriptions (one group may feed
 * sockets and event streams alike), the watch over signed-in connections' credentials, and the cap
 * on anonymous connections per client address.
 */
export interface LiveOperations {
  readonly credentials: CredentialWatch;
  readonly anonymous: AnonymousSocketCap;
  readonly shared: SharedSubscriptions;
  /** Checks an operation with `viewer`'s rights and builds its arguments, or says why it may not run. */
  prepare(o: {
    payload: OperationPayload;
    viewer: Viewer;
    transport: Transport;
    requestId: string;
    clientIp: string;
  }): Promise<PreparedOperation | { errors: readonly GraphQLError[] }>;
  /** Masks errors for the client as HTTP does; each unexpected one is logged once with the request id. */
  formatErrors(errors: readonly GraphQLError[], requestId: string): GraphQLError[];
  /** Stops the credential watch (the transports close their connections themselves). */
  stop(): Promise<void>;
}

export function createLiveOperations(
  schema: GraphQLSchema,
  deps: ContextDeps,
  rules: RequestRules,
  modules: LiveModules,
): LiveOperations {
  const { config, log } = deps;
  const limits = queryLimits(config);
  const validationRules = [...specifiedRules, ...limitRules(limits)];
  /**
   * Parsed and validated documents by query text (at most 500, least recently used out): thousands
   * of clients sending the same subscription share one AST, and validation runs once per text.
   */
  const documents = new Map<
    string,
    { document: DocumentNode; errors?: undefined } | { errors: readonly GraphQLError[] }
  >();
  function checkDocument(query: string) {
    let entry = documents.get(query);
    if (entry) {
      documents.delete(query);
    } else {
      try {
        const document = parse(query, { maxTokens: limits.maxTokens });
        const errors = validate(schema, document, validationRules);
        entry = errors.length
          ? { errors: errors.map((e) => (e instanceof AppError ? e : normalizeError(e).error)) }
          : { document };
      } catch (err) {
        entry = { errors: [normalizeError(err).error] };
      }
      if (documents.size >= 500) documents.delete(documents.keys().next().value!);
    }
    documents.set(query, entry);
    return entry;
  }
  const formatErrors = (errors: readonly GraphQLError[], requestId: string) => {
    rules.reportErrors(errors, log.child({ requestId }));
    return errors.map(rules.maskError) as GraphQLError[];
  };
  const shared = new SharedSubscriptions(
    modules.shareKeys,
    modules.viewerFields,
    (groupId) => {
      const requestId = `shared/${groupId}`;
      const stats = new QueryStats();
      return createContext(
        deps,
        ANONYMOUS,
        requestId,
        log.child({ requestId }),
        () => forkEm(deps.orm, requestId, stats),
        stats,
        'internal',
      );
    },
    log,
    (result, groupId) =>
      JSON.stringify(
        result.errors?.length ? { ...result, errors: formatErrors(result.errors, `shared/${groupId}`) } : result,
      ),
  );
  const credentials = new CredentialWatch({
    orm: deps.orm,
    authority: modules.credentials,
    pubsub: deps.pubsub,
    log,
    recheckMs: config.CREDENTIAL_RECHECK_SECONDS * 1000,
  });
  const anonymous = new AnonymousSocketCap(config.MAX_ANONYMOUS_SOCKETS_PER_CLIENT);

  return {
    credentials,
    anonymous,
    shared,
    formatErrors,
    async prepare({ payload, viewer, transport, requestId, clientIp }) {
      if (typeof payload.query !== 'string') {
        return {
          errors: [new GraphQLError('The operation has no query', { extensions: { code: 'BAD_USER_INPUT' } })],
        };
      }
      const checked = checkDocument(payload.query);
      if (checked.errors) return { errors: checked.errors };
      const { document } = checked;
      const operation = getOperationAST(document, payload.operationName);
      if (!operation) {
        return {
          errors: [
            new GraphQLError('Unable to identify the operation', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
          ],
        };
      }
      try {
        await rules.admit({
          schema,
          query: payload.query,
          document,
          operation,
          operationName: payload.operationName,
          variables: payload.variables,
          viewer,
          transport,
          rateLimiter: deps.rateLimiter,
        });
      } catch (err) {
        modules.metrics?.socketOperation(payload.operationName ?? operation.name?.value, false);
        return { errors: [err instanceof AppError ? err : normalizeError(err).error] };
      }
      modules.metrics?.socketOperation(payload.operationName ?? operation.name?.value, true);
      const stats = new QueryStats();
      const contextValue = createContext(
        deps,
        viewer,
        requestId,
        log.child({ requestId }),
        () => forkEm(deps.orm, requestId, stats),
        stats,
        clientIp,
      );
      return {
        operation,
        args: {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        },
      };
    },
    stop: () => credentials.stop(),
  };
}
