import {
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { BadInput } from '../errors';

/**
 * What no text input may hold: a NUL character, which PostgreSQL cannot store in `text` (the write
 * failed as an internal error), and a UTF-16 surrogate without its pair, which is not Unicode text
 * (it reached the database as U+FFFD, so what was stored was not what was checked).
 */
// oxlint-disable-next-line no-control-regex -- NUL is what this pattern refuses
const NOT_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertText(value: string, field: string): void {
  if (NOT_TEXT.test(value)) {
    throw new BadInput(`${field} must be text without NUL characters or unpaired surrogates`, field);
  }
}

/** Checks a variable's value (JSON as sent) where an argument or input field of `type` takes it. */
function checkVariableValue(value: unknown, type: GraphQLInputType, field: string): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is coerced to a list of one.
    for (const item of Array.isArray(value) ? value : [value]) checkVariableValue(item, nullable.ofType, field);
  } else if (isInputObjectType(nullable)) {
    if (typeof value !== 'object') return;
    const fields = nullable.getFields();
    for (const [name, item] of Object.entries(value))
      if (fields[name]) checkVariableValue(item, fields[name].type, name);
  } else if (typeof value === 'string') {
    assertText(value, field);
  }
}

/** Where an operation passes a variable to an argument or input field: checked against each request's values. */
interface VariableUse {
  name: string;
  type: GraphQLInputType;
  field: string;
  /** The variable's default, used when the request does not send it. */
  fallback: ValueNode | undefined;
}

/**
 * The variable uses of operations whose inline literals passed, by operation node (Apollo and
 * graphql-ws reuse the parsed document of a query text): the document is walked once, and each
 * request only checks its variables' values.
 */
const plans = new WeakMap<OperationDefinitionNode, { schema: GraphQLSchema; uses: VariableUse[] }>();

/** Checks a literal (a string, or strings in a list or input object); variables met on the way are collected in `uses`. */
function checkLiteral(node: ValueNode, type: GraphQLInputType, field: string, uses: VariableUse[] | null): void {
  const nullable = getNullableType(type);
  switch (node.kind) {
    case Kind.STRING:
      assertText(node.value, field);
      return;
    case Kind.VARIABLE:
      // Default values are constant: a variable is never met where `uses` is null.
      uses?.push({ name: node.name.value, type, field, fallback: undefined });
      return;
    case Kind.LIST:
      for (const item of node.values)
        checkLiteral(item, isListType(nullable) ? nullable.ofType : nullable, field, uses);
      return;
    case Kind.OBJECT: {
      if (!isInputObjectType(nullable)) return;
      const fields = nullable.getFields();
      for (const f of node.fields)
        if (fields[f.name.value]) checkLiteral(f.value, fields[f.name.value].type, f.name.value, uses);
      return;
    }
    default:
  }
}

/** Walks the operation once: checks its inline literals and lists where it passes variables. */
function planFor(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): VariableUse[] {
  const cached = plans.get(operation);
  if (cached && cached.schema === schema) return cached.uses;
  const definitions = new Map<string, VariableDefinitionNode>(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]),
  );
  const uses: VariableUse[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      // Other operations of the document do not run.
      OperationDefinition: (node) => (node === operation ? undefined : false),
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (argument) checkLiteral(node.value, argument.type, node.name.value, uses);
        return false;
      },
    }),
  );
  for (const use of uses) use.fallback = definitions.get(use.name)?.defaultValue;
  plans.set(operation, { schema, uses });
  return uses;
}

/**
 * Every string an operation passes to an argument or input field (inline literals, variables, and the
 * defaults of variables not sent) must be text: BAD_USER_INPUT naming the argument or input field
 * otherwise, before anything runs, whatever the field and the transport.
 */
export function assertInputText(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): void {
  for (const use of planFor(schema, document, operation)) {
    const value = variables?.[use.name];
    if (value === undefined && use.fallback) checkLiteral(use.fallback, use.type, use.field, null);
    else checkVariableValue(value, use.type, use.field);
  }
}
