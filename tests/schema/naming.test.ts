/**
 * The naming rule for mutations (issue 16, point 6; written down in docs/API.md, "Mutations"):
 *
 * - the name is verbNoun in camelCase: a verb of MUTATION_VERBS, then the noun it acts on (`signUp`
 *   and `signIn`, which act on the caller's own account, are the only phrasal verbs without one);
 * - the mutation takes exactly one argument, `input`, of a non-null input type named
 *   `<Mutation>Input` (so no two mutations share one), or none when it needs nothing;
 * - it returns a non-null object (an object type, an interface or a union: the changed object, or
 *   a payload carrying the changed objects), never a scalar, an enum or a list.
 *
 * A mutation that breaks the rule is kept for one release, deprecated with the reason
 * "Use <replacement>. Removed in 0.3.", and its replacement obeys the rule. The test walks the schema
 * the server builds, so a mutation added later is held to the rule without touching this file.
 */
import {
  buildSchema as buildSdl,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLSchema,
} from 'graphql';
import { buildSchema } from '../../src/app';
import { RENAMED_MUTATIONS } from '../../src/platform/deprecations';

/**
 * The verbs mutation names start with. A new verb is a choice to make on purpose (add it here and to
 * docs/API.md): one verb per kind of change keeps names from drifting (`vote` beside `castVote`).
 */
const MUTATION_VERBS = [
  'accept',
  'add',
  'appeal',
  'ban',
  'block',
  'cancel',
  'cast',
  'check',
  'close',
  'complete',
  'create',
  'deactivate',
  'decide',
  'decline',
  'end',
  'follow',
  'invite',
  'issue',
  'lift',
  'mark',
  'moderate',
  'mute',
  'open',
  'rebuild',
  'redeem',
  'remove',
  'request',
  'resend',
  'retract',
  'rotate',
  'send',
  'set',
  'submit',
  'unblock',
  'unfollow',
  'unmute',
  'update',
  'verify',
] as const;

/** The two sign-in mutations: verb and particle, acting on the caller's own account. */
const PHRASAL = new Set(['signUp', 'signIn']);
/** Words that follow a phrasal verb: a name ending in one has a verb but no noun (`checkIn`). */
const PARTICLES = new Set(['In', 'Out', 'Up', 'Down', 'On', 'Off', 'Over', 'Back']);
/** The reason every deprecated mutation gives, naming its replacement. */
const DEPRECATED = /^Use ([a-z][A-Za-z0-9]*)\. Removed in 0\.3\.$/;

type Mutation = GraphQLField<unknown, unknown>;

const capitalized = (name: string) => name[0].toUpperCase() + name.slice(1);

/** How `mutation` breaks the rule; [] when it obeys. */
function breaches(mutation: Mutation): string[] {
  const found: string[] = [];
  const { name } = mutation;
  const words = /^([a-z]+)((?:[A-Z][a-z0-9]*)+)$/.exec(name);
  if (!words) {
    found.push('name: not verbNoun in camelCase');
  } else if (!PHRASAL.has(name)) {
    const [, verb, noun] = words;
    if (!(MUTATION_VERBS as readonly string[]).includes(verb)) found.push(`name: "${verb}" is not a verb of the rule`);
    if (PARTICLES.has(noun)) found.push(`name: no noun after "${verb}${noun}"`);
  }
  if (mutation.args.length > 0) {
    const [arg] = mutation.args;
    const inputType = getNullableType(arg.type);
    if (mutation.args.length !== 1 || arg.name !== 'input')
      found.push(`arguments: (${mutation.args.map((a) => a.name).join(', ')}), not one named input`);
    else if (!isNonNullType(arg.type) || !isInputObjectType(inputType) || inputType.name !== `${capitalized(name)}Input`)
      found.push(`arguments: input is ${String(arg.type)}, not ${capitalized(name)}Input!`);
  }
  const returned = getNullableType(mutation.type);
  if (!isNonNullType(mutation.type) || isListType(returned) || !isCompositeType(returned))
    found.push(`returns ${String(mutation.type)}, not a non-null object`);
  return found;
}

let schema: GraphQLSchema;
let mutations: Mutation[];
beforeAll(async () => {
  schema = await buildSchema();
  mutations = Object.values(schema.getMutationType()!.getFields());
});

describe('the naming rule for mutations', () => {
  it('holds for every mutation that is not deprecated', () => {
    const current = mutations.filter((m) => !m.deprecationReason);
    expect(current.length).toBeGreaterThan(60);
    const broken = current.map((m) => [m.name, breaches(m)] as const).filter(([, found]) => found.length);
    expect(Object.fromEntries(broken)).toEqual({});
  });

  it('names, for every deprecated mutation, a replacement that exists, is not deprecated and obeys the rule', () => {
    const wrong: Record<string, string> = {};
    for (const old of mutations.filter((m) => m.deprecationReason)) {
      const replacement = DEPRECATED.exec(old.deprecationReason!)?.[1];
      const current = replacement ? schema.getMutationType()!.getFields()[replacement] : undefined;
      if (!replacement) wrong[old.name] = `reason "${old.deprecationReason}" names no replacement`;
      else if (!current) wrong[old.name] = `${replacement} does not exist`;
      else if (current.deprecationReason) wrong[old.name] = `${replacement} is deprecated too`;
      else if (breaches(current).length) wrong[old.name] = `${replacement} breaks the rule: ${breaches(current)}`;
    }
    expect(wrong).toEqual({});
  });

  it('deprecates only what breaks the rule: a deprecated mutation that obeys it would be a rename for nothing', () => {
    const needless = mutations.filter((m) => m.deprecationReason && breaches(m).length === 0).map((m) => m.name);
    expect(needless).toEqual([]);
  });

  it('knows every rename where the request rules classify an old name as its replacement (platform/deprecations.ts)', () => {
    const renames = Object.fromEntries(
      mutations.filter((m) => m.deprecationReason).map((m) => [m.name, DEPRECATED.exec(m.deprecationReason!)?.[1]]),
    );
    expect(renames).toEqual(RENAMED_MUTATIONS);
  });

  it('tells a broken name, argument and return type apart (the checks themselves)', () => {
    const field = (name: string, sdl: string) =>
      Object.values(
        buildSdl(
          `type Query { x: Int } type Thing { id: ID } input ${capitalized(name)}Input { id: ID } input OtherInput { id: ID }
           type Mutation { ${sdl} }`,
        )
          .getMutationType()!
          .getFields(),
      )[0] as Mutation;
    expect(breaches(field('createThing', 'createThing(input: CreateThingInput!): Thing!'))).toEqual([]);
    expect(breaches(field('endThing', 'endThing: Thing!'))).toEqual([]);
    expect(breaches(field('signIn', 'signIn(input: SignInInput!): Thing!'))).toEqual([]);
    expect(breaches(field('vote', 'vote(input: VoteInput!): Thing!'))).toEqual(['name: not verbNoun in camelCase']);
    expect(breaches(field('frobThing', 'frobThing(input: FrobThingInput!): Thing!'))).toEqual([
      'name: "frob" is not a verb of the rule',
    ]);
    expect(breaches(field('checkIn', 'checkIn(input: CheckInInput!): Thing!'))).toEqual([
      'name: no noun after "checkIn"',
    ]);
    expect(breaches(field('removeThing', 'removeThing(id: ID!): Thing!'))).toEqual([
      'arguments: (id), not one named input',
    ]);
    expect(breaches(field('removeThing', 'removeThing(input: OtherInput!): Thing!'))).toEqual([
      'arguments: input is OtherInput!, not RemoveThingInput!',
    ]);
    expect(breaches(field('removeThing', 'removeThing(input: RemoveThingInput): Thing!'))).toEqual([
      'arguments: input is RemoveThingInput, not RemoveThingInput!',
    ]);
    expect(breaches(field('removeThing', 'removeThing(input: RemoveThingInput!): Boolean!'))).toEqual([
      'returns Boolean!, not a non-null object',
    ]);
    expect(breaches(field('removeThing', 'removeThing(input: RemoveThingInput!): [Thing!]!'))).toEqual([
      'returns [Thing!]!, not a non-null object',
    ]);
  });

});
