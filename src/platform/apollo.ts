import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { Context } from './context';
import { normalizeError } from './errors';
import { assertOperationAllowed } from './guards/operation-rules';

/**
 * Apollo plugin for the rules that need the resolved operation (see `assertOperationAllowed`);
 * logs each unexpected error once with the request id; reports SQL statements when enabled.
 */
export function townsquarePlugin(config: Config, schemaRef: () => GraphQLSchema): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          // Apollo answers an error thrown here with the status in its `extensions.http` (500 without one).
          await assertOperationAllowed(
            {
              schema: schemaRef(),
              document,
              operation,
              operationName: request.operationName,
              variables: request.variables,
              viewer: contextValue.viewer,
              transport: 'http',
              rateLimiter: contextValue.rateLimiter,
            },
            config,
          );
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
