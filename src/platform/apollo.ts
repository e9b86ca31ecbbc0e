import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { Context } from './context';
import type { RequestRules } from './request-rules';
import { TrustedDocuments } from './trusted-documents';

/**
 * Apollo plugin for the request rules that need the resolved operation (see request-rules.ts, which
 * graphql-ws.ts applies the same way): admits the operation before it runs, logs each unexpected
 * error once with the request id; reports SQL statements when enabled.
 */
export function townsquarePlugin(
  config: Config,
  schemaRef: () => GraphQLSchema,
  rules: RequestRules,
  trusted?: TrustedDocuments,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          if (contextValue.stats) {
            contextValue.stats.operationName = request.operationName ?? operation.name?.value ?? 'anonymous';
            contextValue.stats.operationType = operation.operation;
          }
          // TRUSTED_DOCUMENTS=only: a text that is none of the trusted documents runs for platform admins alone.
          if (trusted && !trusted.admits(request.query, contextValue.viewer.isAdmin)) throw TrustedDocuments.refusal();
          // Apollo answers an error thrown here with the status in its `extensions.http` (500 without one).
          await rules.admit({
            schema: schemaRef(),
            document,
            operation,
            operationName: request.operationName,
            variables: request.variables,
            viewer: contextValue.viewer,
            transport: 'http',
            rateLimiter: contextValue.rateLimiter,
          });
        },
        async didEncounterErrors({ errors, contextValue }) {
          if (contextValue?.stats) contextValue.stats.errors = true;
          rules.reportErrors(errors, contextValue.log);
        },
        async willSendResponse({ response, contextValue }) {
          if (config.EXPOSE_SQL_COUNT && contextValue?.stats) {
            response.http.headers.set('x-sql-statements', String(contextValue.stats.statements));
            if (contextValue.stats.executor) response.http.headers.set('x-executor', contextValue.stats.executor);
          }
        },
      };
    },
  };
}
