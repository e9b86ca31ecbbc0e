import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType, getMetadataStorage, type ClassType } from 'type-graphql';
import { BadInput } from './errors';
import { INT_MAX, decodeCursor, encodeCursor } from './cursors';
import { PAGE_LIMITS } from './page-cost';

// Cursors, page sizes and the cost of pages are read with the rest of pagination: one import for connections.
export { decodeCursor, encodeCursor, type CursorPart } from './cursors';
export { PAGE_LIMITS, boundedListComplexity, connectionComplexity, pageComplexity } from './page-cost';

@ObjectType({
  description:
    'Relay page information: whether more items follow or precede this page, and the cursors of its ends. Connections that page both ways take `first`/`after` forwards and `last`/`before` backwards.',
})
export class PageInfo {
  @Field({
    description:
      'Whether items follow this page: fetch them with `after: endCursor`. Read forwards (`first`), whether the list holds more items than the page; read backwards (`last`), whether `before` was given (the item it names follows).',
  })
  hasNextPage!: boolean;
  @Field({
    description:
      'Whether items precede this page: fetch them with `before: startCursor` where the list pages backwards. Read backwards (`last`), whether the list holds more items than the page (for a chat history, whether older messages remain); read forwards (`first`), whether `after` was given (the item it names precedes).',
  })
  hasPreviousPage!: boolean;
  @Field(() => String, {
    nullable: true,
    description:
      "Cursor of the page's first item, to pass as `before` for the page before it; null when the page is empty.",
  })
  startCursor!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Cursor of the page's last item, to pass as `after` for the next page; null when the page is empty (a chat history's still marks where live messages begin).",
  })
  endCursor!: string | null;
}

/** Forward pagination arguments: for the lists that page forwards only (see `PageArgs`). */
@ArgsType()
export class ForwardPageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${PAGE_LIMITS.maxSize} (default ${PAGE_LIMITS.defaultSize}): the first items after \`after\` (or of the list).`,
  })
  @Min(1)
  @Max(PAGE_LIMITS.maxSize)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor.' })
  after?: string;
}

/**
 * Pagination arguments of the connections that page both ways (Relay): `first`/`after` forwards,
 * `last`/`before` backwards, over lists ordered by a keyset (ids, times, positions). `first` with
 * `last` is BAD_USER_INPUT.
 */
@ArgsType()
export class PageArgs extends ForwardPageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size read backwards, 1 to ${PAGE_LIMITS.maxSize}: the last items before \`before\` (or of the list), still in the list's order. Not with \`first\`.`,
  })
  @Min(1)
  @Max(PAGE_LIMITS.maxSize)
  last?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Return items before this cursor (without `first`: the last page before it).',
  })
  before?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /**
   * How many items the whole list holds, for the connection types declared with a `totalCount`:
   * called only when the field is selected (and then once), so a count is read only when asked for.
   */
  count?: () => number | Promise<number>;
}

/** The `name` each class returned by `Connection` was built for, for `describeConnectionTypes`. */
const connectionNames = new Map<unknown, string>();

/**
 * Builds the `XConnection` and `XEdge` object types for a node type, with their descriptions. The
 * subclass's own `@ObjectType()` names the connection type; `describeConnectionTypes` gives it its
 * description when the schema is built (type-graphql does not inherit a type's description).
 * Every connection has `nodes` (its edges' nodes, read from the page: nothing more is fetched).
 * @param name the node's name in the type names (`XEdge`, `XConnection`) and descriptions
 * @param options.totalCount the description of the connection's `totalCount`, for a list whose
 * count is maintained or cheap (README, "Counts"): its field resolver calls the page's `count`
 * (see `toConnection`); without it the type has no `totalCount`.
 * @example `@ObjectType() class CommunityConnection extends Connection(Community, 'Community') {}`
 */
export function Connection<T extends object>(
  nodeType: ClassType<T>,
  name: string,
  options: { totalCount?: string } = {},
) {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field({
      description: `Opaque cursor of this ${name}, to continue the list from it (\`after\`, or \`before\` where a field pages backwards).`,
    })
    cursor!: string;
    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }
  @ObjectType()
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType], { description: `The ${name} items of this page, in the connection's order.` })
    edges!: Edge<T>[];
    @Field(() => PageInfo, {
      description: 'Whether more items follow or precede this page, and the cursors to continue from.',
    })
    pageInfo!: PageInfo;
    count?: () => number | Promise<number>;

    @Field(() => [nodeType], {
      description: `The ${name} items of this page, in the connection's order: each edge's \`node\`, for a client that needs no cursor per item.`,
    })
    nodes(): T[] {
      return this.edges.map((edge) => edge.node);
    }
  }
  const description = options.totalCount;
  if (description === undefined) {
    connectionNames.set(ConnectionType, name);
    return ConnectionType;
  }
  @ObjectType()
  abstract class CountedConnectionType extends ConnectionType {
    @Field(() => Int, { description })
    totalCount(): number | Promise<number> {
      if (!this.count) throw new Error(`A page of ${name} items was built without its count`);
      return this.count();
    }
  }
  connectionNames.set(CountedConnectionType, name);
  return CountedConnectionType;
}

/**
 * Gives each `XConnection` type declared without a description (`@ObjectType() class XConnection
 * extends Connection(X, 'X') {}`) the description of a page of `X` items. Called before every
 * schema build; idempotent.
 */
export function describeConnectionTypes(): void {
  for (const type of getMetadataStorage().objectTypes) {
    const name = connectionNames.get(Object.getPrototypeOf(type.target));
    if (name && type.description === undefined) {
      type.description = `A page of ${name} items (a Relay connection): \`edges\` (or their \`nodes\`) in order, and \`pageInfo\` to fetch the pages around it.`;
    }
  }
}

/** A page as a client asked for it: its size, its direction, and the cursors that bound it (still encoded). */
export interface PageRequest {
  size: number;
  /**
   * Read backwards: the page is the last `size` items before `before` (or of the list). Rows are
   * read in the reverse of the list's order, and `toConnection` puts them back in it.
   */
  backward: boolean;
  after: string | null;
  before: string | null;
}

/** The arguments of a page, forwards (`first`, `after`) and, where the field pages backwards, `last`, `before`. */
export interface PageArgsShape {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** A page size given, or BAD_USER_INPUT naming the argument (checked here too for resolvers that skip validation). */
function sizeArgument(value: number, arg: string): number {
  if (!Number.isInteger(value) || value < 1 || value > PAGE_LIMITS.maxSize)
    throw new BadInput(`${arg} must be from 1 to ${PAGE_LIMITS.maxSize}`, arg);
  return value;
}

/**
 * The page a client asks for. `first` with `last` is BAD_USER_INPUT. The page is read backwards with
 * `last`, or with `before` and no `first` (the page just before the cursor, as a chat history's);
 * otherwise forwards, `first` (default PAGE_LIMITS.defaultSize) items after `after`.
 */
export function pageRequest(args: PageArgsShape): PageRequest {
  if (args.first != null && args.last != null) throw new BadInput('Pass `first` or `last`, not both', 'last');
  const backward = args.last != null || (args.before != null && args.first == null);
  const size =
    args.last != null
      ? sizeArgument(args.last, 'last')
      : args.first != null
        ? sizeArgument(args.first, 'first')
        : PAGE_LIMITS.defaultSize;
  return { size, backward, after: args.after ?? null, before: args.before ?? null };
}

/** The page size to fetch: the requested `first` or `last`, or the default. */
export function pageSize(args: PageArgsShape): number {
  return pageRequest(args).size;
}

/** A page of a list ordered by one integer key (an id, an arrival number, a position), with the range of keys it may hold. */
export interface IdPage extends PageRequest {
  /** The keys the page may hold are above this one and below `below` (both excluded). */
  above: number;
  below: number;
  /** The order to read rows in: the list's, or its reverse when paging backwards. */
  fetch: 'asc' | 'desc';
}

/**
 * A page over one integer key (the shape of most connections): `order` is the list's order of the
 * key (`asc`: oldest first; `desc`: newest first). Without cursors the range is every key above 0
 * (serial ids, arrival numbers and positions start at 1) and below the largest `int`. A cursor that
 * is not an integer key is BAD_USER_INPUT naming its argument.
 */
export function idPage(args: PageArgsShape, order: 'asc' | 'desc' = 'asc'): IdPage {
  const page = pageRequest(args);
  const after = page.after !== null ? (decodeCursor(page.after, ['number'], 'after')[0] as number) : null;
  const before = page.before !== null ? (decodeCursor(page.before, ['number'], 'before')[0] as number) : null;
  const [low, high] = order === 'asc' ? [after, before] : [before, after];
  const fetch = (order === 'asc') !== page.backward ? 'asc' : 'desc';
  return { ...page, above: low ?? 0, below: high ?? INT_MAX, fetch };
}

/** The part of an `IdPage` that page loaders key a page by, beside the list's owner. */
export type IdRange = Pick<IdPage, 'size' | 'above' | 'below' | 'fetch'>;

/** The range of an `IdPage` (for a page loader's key). */
export function idRange({ size, above, below, fetch }: IdRange): IdRange {
  return { size, above, below, fetch };
}

/** A key of an `IdRange`: pages with the same key are read in one statement for many owners. */
export function idRangeKey(r: IdRange): string {
  return `${r.size}:${r.above}:${r.below}:${r.fetch}`;
}

/** A page that reads forwards only (fields with `ForwardPageArgs`). */
export function forwardPage(args: { first?: number | null; after?: string | null }): PageRequest {
  return pageRequest({ first: args.first, after: args.after });
}

/**
 * An edge whose cursor is encoded when it is read: most queries select nodes without cursors, and
 * encoding one for each of a page's items (and each item's comments) is wasted otherwise.
 */
class LazyEdge<T> {
  #cursor: string | undefined;
  constructor(
    readonly node: T,
    private readonly keyOf: (row: T) => (string | number)[],
  ) {}
  get cursor(): string {
    return (this.#cursor ??= encodeCursor(this.keyOf(this.node)));
  }
}

/**
 * Turns the rows read for a page into its connection. The rows come as they were read: at most
 * `size + 1`, in the list's order, or in its reverse when the page is read backwards (`page.backward`):
 * the extra row only says that more items lie beyond the page in the direction it was read. Then, per
 * the Relay specification: read forwards, `hasNextPage` is whether that row came and
 * `hasPreviousPage` whether `after` was given (the item it names precedes the page); read backwards,
 * the other way round.
 * @param count for connection types with a `totalCount`: how many items the whole list holds, called
 * only when `totalCount` is selected
 */
export function toConnection<T>(
  rows: T[],
  page: Pick<PageRequest, 'size' | 'backward' | 'after' | 'before'>,
  keyOf: (row: T) => (string | number)[],
  count?: () => number | Promise<number>,
): ConnectionShape<T> {
  const { size, backward } = page;
  const more = rows.length > size;
  const read = more ? rows.slice(0, size) : rows;
  const ordered = backward ? [...read].reverse() : read;
  const edges: Edge<T>[] = ordered.map((node) => new LazyEdge(node, keyOf));
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? page.before !== null : more,
      hasPreviousPage: backward ? more : page.after !== null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    ...(count ? { count } : {}),
  };
}
