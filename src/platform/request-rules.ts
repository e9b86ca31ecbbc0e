import type { DocumentNode, GraphQLError, GraphQLFormattedError, OperationDefinitionNode } from 'graphql';
import type { Config } from '../config';
import { writeScope } from './cache-scope';
import type { Context } from './context';
import { formatForClient, normalizeError } from './errors';
import { assertOperationAllowed, type OperationRequest } from './guards/operation-rules';
import type { Logger } from './logger';
import type { RecentWriters } from './database/recent-writers';
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
  /**
   * With read replicas, where an HTTP operation's reads outside transactions go, once its type is
   * known: a query's to a replica, unless its viewer wrote within DATABASE_REPLICA_STICKY_MS; a
   * mutation's, and the rest of its request's, to the primary (its answer shows what it wrote). Every
   * other operation (WebSocket, Server-Sent Events, jobs) reads the primary. Never throws.
   */
  routeReads(operation: OperationDefinitionNode, ctx: Context): Promise<void>;
  /**
   * After a mutation ran: the response cache forgets what it touched (its loaders' cache scope), and
   * with read replicas its viewer reads the primary for DATABASE_REPLICA_STICKY_MS.
   */
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
  /** With read replicas: whether any is in rotation now, and who wrote recently. */
  replicas?: { available(): boolean; writers: RecentWriters };
}): RequestRules {
  const replicas = o.replicas;
  return {
    async admit(req) {
      // TRUSTED_DOCUMENTS=only: a text that is none of the trusted documents runs for platform admins alone.
      if (o.trusted && !o.trusted.admits(req.query, req.viewer.isAdmin)) throw TrustedDocuments.refusal();
      await assertOperationAllowed(req, o.config);
    },
    async routeReads(operation, ctx) {
      if (!replicas) return;
      const stats = ctx.stats;
      if (operation.operation !== 'query') {
        stats.reads = 'pinned';
        return;
      }
      if (stats.reads !== 'primary' || !replicas.available()) return;
      const userId = ctx.viewer.userId;
      if (userId !== null && (await replicas.writers.wroteRecently(userId))) return;
      // Unless a mutation of the same batch pinned the request meanwhile.
      if (stats.reads === 'primary') stats.reads = 'replica';
    },
    async afterMutation(document, operation, ctx) {
      const userId = ctx.viewer.userId;
      await Promise.all([
        o.responseCache.invalidate(writeScope(document, operation, ctx.loaders.cacheScope)),
        replicas && userId !== null ? replicas.writers.mark(userId) : undefined,
      ]);
    },
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
