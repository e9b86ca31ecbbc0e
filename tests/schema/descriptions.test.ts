/**
 * Every type, field, input field, argument and enum value of the committed schema carries a
 * description (issue 16, point 6): frontend teams read schema/schema.graphql and GraphiQL's docs
 * pane, and a new field cannot land undocumented. `npm run schema` regenerates the file (CI checks
 * it is up to date), so this reads the schema the code builds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType } from 'graphql';

const sdl = buildSchema(readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8'));

/** Every named type, field, input field, argument and enum value without a description, as `Type.field(arg)`. */
function undocumented(): string[] {
  const missing: string[] = [];
  const check = (described: { description?: string | null }, name: string) => {
    if (!described.description?.trim()) missing.push(name);
  };
  for (const type of Object.values(sdl.getTypeMap())) {
    // Introspection types and the built-in scalars are graphql's own (and described by it).
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type, type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(field, `${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) check(arg, `${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) check(value, `${type.name}.${value.name}`);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('reads the whole schema', () => {
    expect(sdl.getQueryType()).toBeDefined();
    expect(sdl.getMutationType()).toBeDefined();
    expect(sdl.getSubscriptionType()).toBeDefined();
  });

  it('describes every type, field, input field, argument and enum value', () => {
    expect(undocumented()).toEqual([]);
  });
});
