import { isAbstractType, isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { Node } from './node';
import { describeConnectionTypes } from './pagination';
import type { PubSub } from './pubsub/pubsub';

/**
 * Makes every plain property field "simple" (type-graphql's `simpleResolvers`): it resolves with
 * graphql's default resolver, reading the property, instead of a type-graphql wrapper that builds
 * resolver data and runs an empty middleware chain on each of the thousands of fields a list
 * returns (and compiled execution inlines such fields). Fields with a resolver (a @FieldResolver or
 * a getter such as Node.id) keep it: type-graphql uses the resolver before looking at `simple`.
 * Left as they are: fields named differently from their property, and any with middlewares or
 * roles (none today; this server sets no global middlewares or auth checker).
 */
function resolvePlainFieldsDirectly(): void {
  const storage = getMetadataStorage();
  for (const field of storage.fields) {
    if (field.simple !== undefined || field.schemaName !== field.name) continue;
    const guarded =
      storage.middlewares.some((m) => m.target === field.target && m.fieldName === field.name) ||
      storage.authorizedFields.some((a) => a.target === field.target && a.fieldName === field.name);
    if (!guarded) field.simple = true;
  }
}

/**
 * Builds the executable schema from type-graphql resolver classes (inputs validated by
 * class-validator), with the hot-path adjustments below.
 * @param resolvers every module's (src/app.ts composes them)
 * @param pubsub where subscriptions listen; omitted when the schema is only printed
 */
// oxlint-disable-next-line ban-types -- type-graphql takes resolver classes as Function
export async function buildTownsquareSchema(resolvers: readonly Function[], pubsub?: PubSub): Promise<GraphQLSchema> {
  resolvePlainFieldsDirectly();
  describeConnectionTypes();
  const schema = await buildSchema({
    resolvers: resolvers as [Function, ...Function[]],
    // Our subscriptions use `subscribe` (they check access per event), but type-graphql requires a pubSub.
    pubSub: {
      publish: (topic: string, payload: unknown) => {
        if (!pubsub) throw new Error('No pub/sub configured');
        void pubsub.publish(topic, payload);
      },
      subscribe: (topic: string) => {
        if (!pubsub) throw new Error('No pub/sub configured');
        return pubsub.subscribe(topic);
      },
    },
    validate: { forbidUnknownValues: false },
  });
  describeRootTypes(schema);
  resolveTypesByClass(schema);
  readGlobalIdsDirectly(schema);
  callFieldResolversDirectly(schema, resolvers);
  return schema;
}

/**
 * Describes the root types, which type-graphql builds without a description (no decorator declares
 * them), so that the served and emitted schema documents every type.
 */
function describeRootTypes(schema: GraphQLSchema): void {
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (query) query.description = 'Reads: the viewer, communities, their content and any object by its global id.';
  if (mutation)
    mutation.description = 'Writes: signing up and in, and every change to communities, their content and settings.';
  if (subscription) {
    subscription.description =
      'Live updates, over WebSocket (the graphql-ws protocol): each yields an event as it happens.';
  }
}

interface ParamMetadata {
  kind: string;
  index: number;
  propertyName?: string;
  getType?: () => unknown;
  /** `@Args({ validate })`. */
  validateSettings?: unknown;
}

/** Parameters a direct call passes as graphql-js gives them (see `callFieldResolversDirectly`). */
const DIRECT_PARAM_KINDS = new Set(['root', 'context', 'info']);

/**
 * Calls the `@FieldResolver` methods that take only `@Root()`, `@Ctx()`, `@Info()` and unvalidated
 * `@Args({ validate: false })` (an author, a community, a viewer's vote, a post's first comments:
 * resolved once per object of every list) directly from the schema. type-graphql's handler builds
 * resolver data, asks its container for the instance, runs an empty middleware chain, copies the
 * arguments into an instance of their class, awaits a validation that is switched off and maps the
 * parameters through a sorted copy of their metadata on every call. Such arguments arrive as
 * graphql-js coerced them, a plain object with the same fields (the classes they are declared with
 * hold data only). A root that is not an instance of its declared class (type-graphql would convert
 * it), and methods with validated arguments, middlewares or roles, keep type-graphql's.
 */
// oxlint-disable-next-line ban-types -- type-graphql takes resolver classes as Function
function callFieldResolversDirectly(schema: GraphQLSchema, resolvers: readonly Function[]): void {
  const storage = getMetadataStorage();
  const typeNames = new Map<unknown, string>(storage.objectTypes.map((o) => [o.target, o.name]));
  const instances = new Map<unknown, Record<string, (...args: unknown[]) => unknown>>();
  for (const def of storage.fieldResolvers) {
    if (def.kind !== 'external' || !resolvers.includes(def.target)) continue;
    if (def.middlewares?.length || def.roles) continue;
    const params = [...((def.params ?? []) as ParamMetadata[])].sort((a, b) => a.index - b.index);
    if (!params.every((p) => DIRECT_PARAM_KINDS.has(p.kind) || (p.kind === 'args' && p.validateSettings === false)))
      continue;
    const typeName = typeNames.get(def.getObjectType?.());
    const type = typeName ? schema.getType(typeName) : undefined;
    const field = type && isObjectType(type) ? type.getFields()[def.schemaName] : undefined;
    const fallback = field?.resolve;
    if (!field || !fallback) continue;
    let instance = instances.get(def.target);
    if (!instance) instances.set(def.target, (instance = new (def.target as new () => typeof instance)()!));
    const method = instance[def.methodName];
    const self = instance;
    // The root's declared class, when it has one: a root of another class goes to type-graphql.
    const rootClass = params.find((p) => p.kind === 'root' && !p.propertyName)?.getType?.();
    const Root = typeof rootClass === 'function' ? rootClass : undefined;
    const pick = params.map((p): ((root: any, context: any, info: GraphQLResolveInfo, args: unknown) => unknown) => {
      if (p.kind === 'info') return (_root, _context, info) => info;
      if (p.kind === 'args') return (_root, _context, _info, args) => args;
      const key = p.propertyName;
      if (p.kind === 'context') return key ? (_root, context) => context[key] : (_root, context) => context;
      return key ? (root) => root[key] : (root) => root;
    });
    const direct =
      pick.length === 2 &&
      params[0].kind === 'root' &&
      params[1].kind === 'context' &&
      !params[0].propertyName &&
      !params[1].propertyName
        ? (root: unknown, context: unknown) => method.call(self, root, context)
        : (root: unknown, context: unknown, info: GraphQLResolveInfo, args: unknown) =>
            method.apply(
              self,
              pick.map((f) => f(root, context, info, args)),
            );
    field.resolve = Root
      ? (root, args, context, info) =>
          root instanceof Root ? direct(root, context, info, args) : fallback(root, args, context, info)
      : (root, args, context, info) => direct(root, context, info, args);
  }
}

/**
 * Makes the type resolution of every union and interface synchronous. type-graphql wraps each
 * `resolveType` in an async function (it may return a class), which graphql-jit does not await
 * (compiled-execution.ts); graphql-js and graphql-ws get the same resolution.
 * Every value of an abstract type here is an instance of its object type's class (entities and
 * their read-only views), so its prototype chain names the type at once.
 */
function resolveTypesByClass(schema: GraphQLSchema): void {
  const names = new Map<object, string>();
  for (const { target, name } of getMetadataStorage().objectTypes) names.set(target.prototype as object, name);
  const typeName = (value: unknown): string | undefined => {
    for (
      let proto = value === null || typeof value !== 'object' ? null : Object.getPrototypeOf(value);
      proto;
      proto = Object.getPrototypeOf(proto)
    ) {
      const name = names.get(proto as object);
      if (name) return name;
    }
    return undefined;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isAbstractType(type)) type.resolveType = typeName;
  }
}

/**
 * `id` of every Node type reads the entity's `globalId` getter directly. type-graphql resolves a
 * getter field through its advanced resolver (resolver data, instance conversion, empty middleware
 * chain) on every object of every list; a value that is not a Node instance still goes through it.
 */
function readGlobalIdsDirectly(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) continue;
    const field = type.getFields().id;
    const fallback = field?.resolve;
    if (!field || !fallback) continue;
    field.resolve = (root, args, context, info) =>
      root instanceof Node ? root.globalId : fallback(root, args, context, info);
  }
}
