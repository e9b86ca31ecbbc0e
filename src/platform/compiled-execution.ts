import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getNamedType,
  GraphQLError,
  getOperationAST,
  isInputObjectType,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { QueryStats } from './database/query-stats';

/**
 * Whether an operation runs compiled: queries (where the fields are; a mutation's one root field
 * gains nothing) whose variables hold no input object. graphql-jit's variable coercion refuses an
 * omitted non-null input field that has a default (`tags: [String!]! = []`), which graphql-js fills
 * in; input objects written in the document itself are coerced by graphql-js in both.
 */
function compilable(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  return (operation.variableDefinitions ?? []).every((definition) => {
    const type = typeFromAST(schema, definition.type);
    return type !== undefined && !isInputObjectType(getNamedType(type));
  });
}

/**
 * graphql-jit's errors are GraphQLErrors without `extensions` when the resolver's error has none,
 * which Apollo's error formatting reads: the same error as graphql-js would give, keeping the
 * original (for logging), path and locations.
 */
function standardError(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  // GraphQLError computes locations from AST nodes, which graphql-jit does not keep: take its own.
  Object.defineProperty(copy, 'locations', {
    value: error.locations,
    enumerable: error.locations !== undefined,
    writable: true,
    configurable: true,
  });
  return copy;
}

const SEEN = Symbol('seen once');

/**
 * Executes HTTP operations with graphql-jit: each document is compiled once into a function that
 * resolves and completes its fields without graphql-js's per-field interpretation (argument
 * coercion, selection-set collection, type checks at every level), and reused for every request
 * with the same document, from its second run on (the first runs on graphql-js). Apollo keeps one
 * parsed `DocumentNode` per query text in its document store, so compilations are cached on that
 * object (collected with it) and by operation name.
 *
 * Type resolution is synchronous (schema.ts `resolveTypesByClass`), as graphql-jit needs.
 * Mutations, operations with input-object variables (see `compilable`), documents graphql-jit
 * cannot compile and requests whose operation name names no operation (graphql-js gives the
 * standard error) run on graphql-js.
 */
export function compiledExecutor(schema: GraphQLSchema): GatewayExecutor {
  // Per document and operation name: SEEN after its first run, then its compilation (null: not compilable).
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null | typeof SEEN>>();
  const compile = (document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    const known = byName.get(key);
    if (known === undefined) {
      // A document met once (a one-off query, or a client sending a new text each time) runs on
      // graphql-js: compiling costs more than one interpretation, and keeps code for a text no one repeats.
      byName.set(key, SEEN);
      return null;
    }
    if (known !== SEEN) return known;
    const result = compilable(schema, document, operationName) ? compileQuery(schema, document, operationName) : null;
    const query = result && isCompiledQuery(result) ? result : null;
    byName.set(key, query);
    return query;
  };
  return async ({ document, request, context: contextValue }) => {
    const query = compile(document, request.operationName);
    const stats = (contextValue as { stats?: QueryStats }).stats;
    if (stats) stats.executor = query ? 'compiled' : 'graphql-js';
    if (!query) {
      return (await execute({
        schema,
        document,
        contextValue,
        variableValues: request.variables,
        operationName: request.operationName,
      })) as ExecutionResult;
    }
    const result = (await query.query(undefined, contextValue, request.variables ?? {})) as ExecutionResult;
    return result.errors ? { ...result, errors: result.errors.map(standardError) } : result;
  };
}

/**
 * An Apollo "gateway" that serves a local schema with {@link compiledExecutor}: Apollo Server 5's
 * way of replacing its executor (the schema is still validated, planned and guarded by Apollo and
 * this server's plugins exactly as without it).
 */
export function compiledGateway(schema: GraphQLSchema): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return { executor: compiledExecutor(schema) };
    },
    async stop() {},
  };
}
