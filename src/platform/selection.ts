import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/**
 * The fields of a selection set, through inline fragments and fragment spreads whatever their
 * type condition or directives: a superset of what can run, which is what a resolver needs to
 * decide what it may leave unread.
 */
function collect(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  into: FieldNode[],
  seen = new Set<string>(),
): FieldNode[] {
  for (const selection of set?.selections ?? []) {
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, fragments, into, seen);
    else if (!seen.has(selection.name.value)) {
      // Validation forbids fragment cycles; `seen` only keeps a malformed document from looping.
      seen.add(selection.name.value);
      collect(fragments[selection.name.value]?.selectionSet, fragments, into, seen);
    }
  }
  return into;
}

const nodeSelections = new WeakMap<FieldNode, readonly FieldNode[]>();
const nodeFields = new WeakMap<FieldNode, ReadonlySet<string>>();

/**
 * The field nodes a connection field selects on its nodes (`edges { node { … } }` and `nodes { … }`). Worked out once
 * per field of a document (Apollo and graphql-ws reuse a query text's parsed document), so a
 * connection resolved once per parent (a post's comments, 50 times in a feed) pays it once.
 */
export function connectionNodeSelections(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
): readonly FieldNode[] {
  // A field merged from several nodes (the same field selected twice) is worked out each time: the
  // same node can be merged with different others where its fragment is spread.
  const only = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  let found = only && nodeSelections.get(only);
  if (!found) {
    const fields: FieldNode[] = [];
    for (const field of info.fieldNodes)
      for (const child of collect(field.selectionSet, info.fragments, []))
        if (child.name.value === 'nodes') collect(child.selectionSet, info.fragments, fields);
        else if (child.name.value === 'edges')
          for (const node of collect(child.selectionSet, info.fragments, []))
            if (node.name.value === 'node') collect(node.selectionSet, info.fragments, fields);
    found = fields;
    if (only) nodeSelections.set(only, found);
  }
  return found;
}

/**
 * The names of the fields a connection field selects on its nodes, for listings that read a column
 * only when it is asked for (cached as `connectionNodeSelections`).
 */
export function connectionNodeFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): ReadonlySet<string> {
  const only = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  let names = only && nodeFields.get(only);
  if (!names) {
    names = new Set(connectionNodeSelections(info).map((f) => f.name.value));
    if (only) nodeFields.set(only, names);
  }
  return names;
}

/**
 * Whether a connection field selects any of `names` on its nodes: listings read a text column only
 * when one of the fields it feeds is asked for (see `connectionNodeFields`).
 */
export function selectsOnNodes(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  ...names: readonly string[]
): boolean {
  const fields = connectionNodeFields(info);
  return names.some((name) => fields.has(name));
}

const subfieldNamesCache = new WeakMap<readonly FieldNode[], Map<string, ReadonlySet<string>>>();

/**
 * The names of the fields selected under the fields called `name` among `fields` (through
 * fragments), such as what a listing's nodes select of their `author`: listings read a relation's
 * columns by what is asked of it. Cached per `fields` array (those of `connectionNodeSelections`
 * are worked out once per field of a document).
 */
export function subfieldNames(
  fields: readonly FieldNode[],
  name: string,
  fragments: Record<string, FragmentDefinitionNode>,
): ReadonlySet<string> {
  let byName = subfieldNamesCache.get(fields);
  if (!byName) subfieldNamesCache.set(fields, (byName = new Map()));
  let names = byName.get(name);
  if (!names) {
    const found: FieldNode[] = [];
    for (const field of fields) if (field.name.value === name) collect(field.selectionSet, fragments, found);
    names = new Set(found.map((f) => f.name.value));
    byName.set(name, names);
  }
  return names;
}

/** The fields a field selects (all its nodes, through fragments). */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const node of info.fieldNodes) collect(node.selectionSet, info.fragments, fields);
  return fields;
}
