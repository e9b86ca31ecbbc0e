import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import { scopeFor } from '../modules/identity/viewer';
import type { Context } from './context';
import { AppError, Forbidden, normalizeError } from './errors';
import { assertQueryCost } from './guards/limits';

/**
 * Apollo plugin for the rules that need the resolved operation: API key scopes and query cost;
 * logs each unexpected error once with the request id; reports SQL statements when enabled.
 */
export function townsquarePlugin(config: Config, schemaRef: () => GraphQLSchema): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue, response }) {
          if (!operation) return;
          // Apollo answers an error thrown here with HTTP 500 unless a status is set: these are the client's doing.
          const needed = scopeFor(operation.operation);
          if (!contextValue.viewer.scopes.has(needed)) {
            response.http.status = 403;
            throw new Forbidden(`This API key lacks the ${needed} scope`);
          }
          try {
            assertQueryCost(schemaRef(), document, request.variables, request.operationName, config.MAX_QUERY_COST);
          } catch (err) {
            if (err instanceof AppError) response.http.status = 400; // too costly, or variables that do not fit
            throw err;
          }
        },
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (normalizeError(error).unexpected) {
              contextValue.log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (config.EXPOSE_SQL_COUNT && contextValue?.stats) {
            response.http.headers.set('x-sql-statements', String(contextValue.stats.statements));
          }
        },
      };
    },
  };
}
