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
  const definitions = new Map<string, VariableDefinitionNode>(
    (operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d]),
  );
  const checkLiteral = (node: ValueNode, type: GraphQLInputType, field: string): void => {
    const nullable = getNullableType(type);
    switch (node.kind) {
      case Kind.STRING:
        assertText(node.value, field);
        return;
      case Kind.VARIABLE: {
        const name = node.name.value;
        const value = variables?.[name];
        const fallback = definitions.get(name)?.defaultValue;
        if (value === undefined && fallback) checkLiteral(fallback, type, field);
        else checkVariableValue(value, type, field);
        return;
      }
      case Kind.LIST:
        for (const item of node.values) checkLiteral(item, isListType(nullable) ? nullable.ofType : nullable, field);
        return;
      case Kind.OBJECT: {
        if (!isInputObjectType(nullable)) return;
        const fields = nullable.getFields();
        for (const f of node.fields)
          if (fields[f.name.value]) checkLiteral(f.value, fields[f.name.value].type, f.name.value);
        return;
      }
      default:
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      // Other operations of the document do not run.
      OperationDefinition: (node) => (node === operation ? undefined : false),
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (argument) checkLiteral(node.value, argument.type, node.name.value);
        return false;
      },
    }),
  );
}
