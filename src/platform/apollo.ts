import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { Context } from './context';
import type { RequestRules } from './request-rules';
import { Tracing } from './tracing';

/**
 * Apollo plugin for the request rules that need the resolved operation (see request-rules.ts, which
 * graphql-ws.ts applies the same way): admits the operation before it runs, logs each unexpected
 * error once with the request id; reports SQL statements when enabled.
 */
export function townsquarePlugin(
  config: Config,
  schemaRef: () => GraphQLSchema,
  rules: RequestRules,
  tracing?: Tracing | null,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      // With tracing on: the operation's span (SQL statements and slow resolvers become its children).
      const span = tracing && contextValue?.stats ? tracing.startOperation(request.http?.headers ?? new Map()) : null;
      if (span) contextValue.stats.trace = { tracing: tracing!, span };
      return {
        ...(span && {
          async executionDidStart() {
            return {
              willResolveField({ info }) {
                const started = performance.now();
                return () => {
                  const ms = performance.now() - started;
                  if (ms >= tracing!.resolverThresholdMs)
                    tracing!.child(span, `${info.parentType.name}.${info.fieldName}`, ms, {
                      'graphql.field.path': pathOf(info.path),
                    });
                };
              },
            };
          },
        }),
        async didResolveOperation({ operation, document, request, contextValue }) {
          if (!operation) return;
          if (contextValue.stats) {
            contextValue.stats.operationName = request.operationName ?? operation.name?.value ?? 'anonymous';
            contextValue.stats.operationType = operation.operation;
          }
          // Apollo answers an error thrown here with the status in its `extensions.http` (500 without one).
          // Where the reads go is asked meanwhile (a Redis round trip for a signed-in viewer, with replicas).
          await Promise.all([
            rules.admit({
              schema: schemaRef(),
              query: request.query,
              document,
              operation,
              operationName: request.operationName,
              variables: request.variables,
              viewer: contextValue.viewer,
              transport: 'http',
              rateLimiter: contextValue.rateLimiter,
            }),
            rules.routeReads(operation, contextValue),
          ]);
        },
        async didEncounterErrors({ errors, contextValue }) {
          if (contextValue?.stats) contextValue.stats.errors = true;
          rules.reportErrors(errors, contextValue.log);
        },
        async willSendResponse({ response, contextValue }) {
          if (span) {
            const stats = contextValue.stats;
            Tracing.endOperation(span, {
              name: stats.operationName,
              type: stats.operationType,
              userId: stats.userId,
              statements: stats.statements,
              errors: stats.errors,
            });
          }
          if (config.EXPOSE_SQL_COUNT && contextValue?.stats) {
            response.http.headers.set('x-sql-statements', String(contextValue.stats.statements));
            if (contextValue.stats.executor) response.http.headers.set('x-executor', contextValue.stats.executor);
          }
        },
      };
    },
  };
}

/** A field's path as `a.b.0.c`. */
function pathOf(path: { prev: unknown; key: string | number } | undefined): string {
  const keys: (string | number)[] = [];
  for (let p = path; p; p = p.prev as typeof path) keys.unshift(p.key);
  return keys.join('.');
}
