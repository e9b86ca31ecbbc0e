import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Config } from '../../config';
import { AppError, BadInput, QueryTooComplex } from '../errors';

/** The query limits, from the configuration (defaults in src/config.ts). */
export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

export function queryLimits(config: Config): QueryLimits {
  return {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxCost: config.MAX_QUERY_COST,
    maxAliases: config.MAX_ALIASES,
    maxDirectives: config.MAX_DIRECTIVES,
    maxTokens: config.MAX_TOKENS,
  };
}

/** Re-reports a rule's errors as QUERY_TOO_COMPLEX, keeping their message and locations. */
function tooComplex(rule: ValidationRule): ValidationRule {
  return (context: ValidationContext) => {
    const proxy = Object.create(context) as ValidationContext;
    proxy.reportError = (error: GraphQLError) => {
      const e = new QueryTooComplex(error.message.replace(/^Syntax Error: /, ''));
      Object.assign(e, {
        nodes: error.nodes,
        locations: error.locations,
        positions: error.positions,
        source: error.source,
      });
      context.reportError(e);
    };
    return rule(proxy);
  };
}

/**
 * Validation rules for depth, aliases and directives (graphql-armor). Used by Apollo on HTTP and by
 * our own validation on WebSocket, since graphql-ws does not run Apollo's rules.
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  // Report (not throw) a rejection, so that it reaches the client as a validation error, not a 500.
  const common = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(error)],
  };
  return [
    tooComplex(
      maxDepthRule({
        n: limits.maxDepth,
        ignoreIntrospection: true,
        flattenFragments: true,
        ...common,
      }) as unknown as ValidationRule,
    ),
    tooComplex(maxAliasesRule({ n: limits.maxAliases, ...common }) as unknown as ValidationRule),
    tooComplex(maxDirectivesRule({ n: limits.maxDirectives, ...common }) as unknown as ValidationRule),
  ];
}

/**
 * Rejects an operation whose estimated cost is over the limit: each field costs 1, a list or
 * connection field multiplies its children by its page size (see `pageComplexity`), and a list without
 * one by the most items it can hold (see `boundedListComplexity`). Variables that do not fit the
 * operation, and page sizes out of range (checked by the cost functions): BAD_USER_INPUT.
 */
export function assertQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
  maxCost: number,
): number {
  const known = knownCosts(schema, document, variables, operationName);
  let cost = known?.get();
  if (cost === undefined) {
    cost = estimateCost(schema, document, variables, operationName);
    known?.set(cost);
  }
  if (cost > maxCost) throw new QueryTooComplex(`Query cost ${cost} exceeds the maximum of ${maxCost}`);
  return cost;
}

/** Variables longer than this as JSON are not worth remembering a cost by (the estimate is recomputed). */
const MAX_COST_KEY_LENGTH = 512;
/** Costs remembered per document (one per set of variables); the oldest is forgotten past this. */
const MAX_COSTS_PER_DOCUMENT = 64;
const costs = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, number>>>();

/**
 * Where the cost of this document with these variables is remembered. The estimate depends only on
 * the schema, the document, the operation and the variables (page sizes), so a client repeating an
 * operation pays for one walk of it. Apollo and graphql-ws keep one parsed document per query text,
 * so the memo lives on that object and goes with it. Only costs that were computed without error are kept.
 */
function knownCosts(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): { get(): number | undefined; set(cost: number): void } | undefined {
  const key = `${operationName ?? ''}\n${variables ? JSON.stringify(variables) : ''}`;
  if (key.length > MAX_COST_KEY_LENGTH) return undefined;
  let bySchema = costs.get(schema);
  if (!bySchema) costs.set(schema, (bySchema = new WeakMap()));
  let byKey = bySchema.get(document);
  return {
    get: () => byKey?.get(key),
    set(cost) {
      if (!byKey) bySchema.set(document, (byKey = new Map()));
      if (byKey.size >= MAX_COSTS_PER_DOCUMENT) byKey.delete(byKey.keys().next().value!);
      byKey.set(key, cost);
    },
  };
}

function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    // A cost function refused an argument (a page size out of range), naming it.
    if (err instanceof AppError) throw err;
    // getComplexity coerces the variables first and throws their errors (as execution would), or its own node limit.
    if (!(err instanceof GraphQLError)) throw err;
    if (/maximum allowed number of nodes/.test(err.message)) throw new QueryTooComplex(err.message);
    throw new BadInput(err.message);
  }
  return cost;
}
