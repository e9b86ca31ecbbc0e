/**
 * What the fuzz test sends, read from the schema: every place an argument takes a value (arguments,
 * input fields at any depth, list items), and a representative set of hostile values for the type of
 * each place, one set per scalar type rather than every combination.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';

/** A place a value goes: its path in the variables, its type, and the argument or input field it belongs to. */
export interface Slot {
  path: (string | number)[];
  type: GraphQLInputType;
  /** The argument or input field that a refusal should name. */
  field: string;
}

/** A hostile value, and what the server must do with it beyond answering a coded error when it fails. */
export interface Hostile {
  label: string;
  value: unknown;
  /** `text`: refused with BAD_USER_INPUT naming the field (NUL, unpaired surrogates); `refused`: a mutation must not accept it (any coded error). */
  must?: 'text' | 'refused';
}

/** Every slot of a field's arguments: each argument, each input field inside (even those the baseline leaves out), each list's first item. */
export function slotsOf(field: GraphQLField<unknown, unknown>): Slot[] {
  const slots: Slot[] = [];
  const walk = (path: (string | number)[], type: GraphQLInputType, name: string, depth: number) => {
    slots.push({ path, type, field: name });
    const nullable = getNullableType(type);
    if (isListType(nullable)) walk([...path, 0], nullable.ofType, name, depth + 1);
    else if (isInputObjectType(nullable) && depth < 4) {
      for (const f of Object.values(nullable.getFields())) walk([...path, f.name], f.type, f.name, depth + 1);
    }
  };
  for (const arg of field.args) walk([arg.name], arg.type, arg.name, 0);
  return slots;
}

/** The variables with `value` at `path` (intermediate objects and lists made as needed). */
export function withValueAt(
  variables: Record<string, unknown>,
  path: (string | number)[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(variables);
  let node: any = copy;
  path.slice(0, -1).forEach((key, i) => {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key];
  });
  node[path[path.length - 1]] = value;
  return copy;
}

export function valueAt(variables: Record<string, unknown>, path: (string | number)[]): unknown {
  return path.reduce<any>((node, key) => (node === null || node === undefined ? undefined : node[key]), variables);
}

const INT_MAX = 2 ** 31 - 1;

/** Dates a client may send that no calendar in the product needs. */
const HOSTILE_DATES = [
  '0001-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1970-01-01T00:00:00.000Z',
  '2030-02-30T00:00:00Z',
  'not a date',
];

/** Arguments that take a cursor. */
export const CURSOR_ARGUMENT = /^(after|before|cursor|upTo)$/;

/** Values no part of a cursor's key should take: out of every range, not a number, not a scalar. */
const HOSTILE_KEY_PARTS: unknown[] = [2 ** 31, -1, 1.5, 1e308, 8.64e15 + 1, 'x'.repeat(1000), null, [1]];

const encode = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/**
 * Cursors forged from a real one: clients only ever see them as opaque strings, but an attacker can
 * decode them (base64url of a JSON key), so each part of the key is replaced by each hostile value,
 * and the key itself by the wrong shapes.
 */
export function forgedCursors(sample: unknown): Hostile[] {
  const forged: Hostile[] = [
    { label: 'a cursor that is not base64 JSON', value: '!!not a cursor!!' },
    { label: 'a cursor of over 5,000 characters', value: encode(Array.from({ length: 2000 }, () => 1)) },
    { label: 'a cursor of an empty key', value: encode([]) },
    { label: 'a cursor of an object', value: encode({ id: 1 }) },
  ];
  let key: unknown;
  try {
    key = typeof sample === 'string' ? JSON.parse(Buffer.from(sample, 'base64url').toString('utf8')) : undefined;
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key)) return forged;
  key.forEach((_, i) => {
    for (const part of HOSTILE_KEY_PARTS) {
      forged.push({
        label: `a cursor with ${JSON.stringify(part)?.slice(0, 20)} at ${i}`,
        value: encode(key.map((v, j) => (j === i ? part : v))),
      });
    }
  });
  forged.push({ label: 'a cursor with one more part', value: encode([...key, 1]) });
  return forged;
}

/**
 * Hostile values for a slot. `sample` is the baseline's value there (kept for lists); `wrongIds` are
 * real IDs of other node types than the baseline's.
 */
export function hostileValues(slot: Slot, sample: unknown, wrongIds: string[]): Hostile[] {
  const values: Hostile[] = [];
  if (!isNonNullType(slot.type)) values.push({ label: 'null', value: null });
  const type = getNullableType(slot.type);
  if (isListType(type)) {
    const item = sample !== undefined && Array.isArray(sample) && sample.length ? sample[0] : 'x';
    values.push(
      { label: 'an empty list', value: [] },
      { label: 'a list of 1,000 items', value: Array.from({ length: 1000 }, () => item) },
    );
    return values;
  }
  if (isInputObjectType(type)) return [...values, { label: 'an empty object', value: {} }];
  if (isEnumType(type)) return [...values, { label: 'an unknown enum value', value: 'NOT_A_VALUE' }];
  if (!isScalarType(type)) return values;
  switch (type.name) {
    case 'String':
      return [
        ...values,
        ...(CURSOR_ARGUMENT.test(slot.field) ? forgedCursors(sample) : []),
        { label: 'a NUL character', value: 'a\u0000b', must: 'text' },
        { label: 'an unpaired high surrogate', value: 'a\uD800b', must: 'text' },
        { label: 'an unpaired low surrogate', value: '\uDC00', must: 'text' },
        { label: '100,000 characters', value: 'x'.repeat(100_000), must: 'refused' },
        { label: 'an empty string', value: '' },
        { label: 'blanks', value: ' \t\n ' },
      ];
    case 'ID':
      return [
        ...values,
        { label: 'an empty ID', value: '' },
        { label: 'a malformed ID', value: 'not-an-id!' },
        { label: 'a 1,000-character ID', value: 'A'.repeat(1000) },
        {
          label: 'an ID with a NUL character',
          value: `${typeof sample === 'string' ? sample : 'x'}\u0000`,
          must: 'text',
        },
        ...wrongIds.map((id, i) => ({ label: `an ID of another node type (#${i + 1})`, value: id })),
      ];
    case 'Int':
      return [
        ...values,
        ...[-1, 0, INT_MAX, -INT_MAX - 1].map((n) => ({ label: `${n}`, value: n })),
        ...[2 ** 31, 2 ** 53, 1.5].map((n) => ({ label: `${n} (not an Int)`, value: n, must: 'refused' as const })),
      ];
    case 'Float':
      return [...values, ...[1e308, -1e308, -0, 5e-324].map((n) => ({ label: `${n}`, value: n }))];
    case 'Boolean':
      return [...values, { label: 'a string for a Boolean', value: 'yes', must: 'refused' }];
    case 'DateTimeISO':
      return [...values, ...HOSTILE_DATES.map((d) => ({ label: `the date ${d}`, value: d }))];
    default:
      return [...values, { label: 'a NUL character', value: 'a\u0000b', must: 'text' }];
  }
}

/** The selection of a field's result: `{ __typename }` for an object, nothing for a scalar. */
export function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
}

/** An operation calling `field` with every argument as a variable of its own. */
export function documentFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const declared = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  return `${kind} Fuzz${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selectionOf(field)} }`;
}
