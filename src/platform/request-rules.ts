import type { DocumentNode, GraphQLError, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { Config } from '../config';
import { writeScope } from './cache-scope';
import type { Context } from './context';
import { formatForClient, normalizeError } from './errors';
import { assertOperationAllowed, type OperationRequest } from './guards/operation-rules';
import type { Logger } from './logger';
import type { ResponseCache } from './response-cache';
import { TrustedDocuments } from './trusted-documents';

/**
 * The rules every operation goes through, whichever transport brought it: HTTP (Apollo: apollo.ts,
 * response-cache.ts and server.ts's `formatError` call these) and WebSocket (graphql-ws.ts). One
 * object, so that the two cannot drift.
 */
export interface RequestRules {
  /**
   * Before it runs, once parsed and validated: trusted documents (TRUSTED_DOCUMENTS=only), transport,
   * anonymous callers, scopes, cost, input text, introspection, write limits.
   */
  admit(req: OperationRequest): Promise<void>;
  /** After a mutation ran: the response cache forgets what it touched (its loaders' cache scope). */
  afterMutation(document: DocumentNode, operation: OperationDefinitionNode, ctx: Context): Promise<void>;
  /** An error as the client sees it: expected errors (AppError) as they are, anything else masked. */
  maskError(error: GraphQLError): GraphQLFormattedError;
  /** Logs each unexpected error of an operation once, with its stack, on the operation's logger (bound to its request id). */
  reportErrors(errors: readonly GraphQLError[], log: Logger): void;
}

export function createRequestRules(o: {
  config: Config;
  responseCache: ResponseCache;
  trusted?: TrustedDocuments;
}): RequestRules {
  return {
    async admit(req) {
      // TRUSTED_DOCUMENTS=only: a text that is none of the trusted documents runs for platform admins alone.
      if (o.trusted && !o.trusted.admits(req.query, req.viewer.isAdmin)) throw TrustedDocuments.refusal();
      await assertOperationAllowed(req, o.config);
    },
    afterMutation: (document, operation, ctx) =>
      o.responseCache.invalidate(writeScope(document, operation, ctx.loaders.cacheScope)),
    maskError: (error) => formatForClient(normalizeError(error).error, error),
    reportErrors(errors, log) {
      for (const error of errors) {
        if (normalizeError(error).unexpected) {
          log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
        }
      }
    },
  };
}
