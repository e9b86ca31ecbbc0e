import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType, getMetadataStorage, type ClassType } from 'type-graphql';
import { BadInput } from './errors';

/** Page sizes of every connection. */
export const PAGE_LIMITS = {
  /** `first` when the client gives none. */
  defaultSize: 20,
  /** The largest `first` a client may ask for. */
  maxSize: 100,
} as const;

@ObjectType({
  description: 'Relay page information: whether more items follow or precede this page, and its end cursors.',
})
export class PageInfo {
  @Field({ description: 'Whether items follow this page: fetch them with `after: endCursor`.' })
  hasNextPage!: boolean;
  @Field({
    description:
      'Whether items precede this page (true when it was fetched with a cursor; for a chat history read backwards, whether older messages remain).',
  })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: "Cursor of the page's first item; null when the page is empty." })
  startCursor!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Cursor of the page's last item, to pass as `after` for the next page; null when the page is empty (a chat history's still marks where live messages begin).",
  })
  endCursor!: string | null;
}

/** Forward pagination arguments shared by every connection field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${PAGE_LIMITS.maxSize} (default ${PAGE_LIMITS.defaultSize}).`,
  })
  @Min(1)
  @Max(PAGE_LIMITS.maxSize)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor.' })
  after?: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** The `name` each class returned by `Connection` was built for, for `describeConnectionTypes`. */
const connectionNames = new Map<unknown, string>();

/**
 * Builds the `XConnection` and `XEdge` object types for a node type, with their descriptions. The
 * subclass's own `@ObjectType()` names the connection type; `describeConnectionTypes` gives it its
 * description when the schema is built (type-graphql does not inherit a type's description).
 * @param name the node's name in the type names (`XEdge`, `XConnection`) and descriptions
 * @example `@ObjectType() class CommunityConnection extends Connection(Community, 'Community') {}`
 */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
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
  }
  connectionNames.set(ConnectionType, name);
  return ConnectionType;
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
      type.description = `A page of ${name} items (a Relay connection): \`edges\` in order, and \`pageInfo\` to fetch the next page.`;
    }
  }
}

/** An opaque cursor over a row's sort key. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * What each part of a cursor's sort key may hold, so that a forged cursor is BAD_USER_INPUT and never
 * reaches the database as a value its column cannot take (an internal error):
 * - `number`: an integer that fits PostgreSQL's `int` (ids, counts, scores, positions);
 * - `flag`: 0 or 1;
 * - `float`: a finite number (a `double precision` sort key);
 * - `timestamp`: milliseconds since 1970 of an instant in the years 1 to 9999;
 * - `string`: a string of at most CURSOR_LIMITS.maxString characters.
 */
export type CursorPart = 'number' | 'flag' | 'float' | 'timestamp' | 'string';

/** Bounds of cursors, in one place. */
const CURSOR_LIMITS = {
  /** Longest cursor accepted, in characters (ours are far shorter). */
  maxLength: 512,
  /** Longest string in a cursor's key. */
  maxString: 64,
  /** The instants a `timestamp` part may name: 0001-01-01 to 9999-12-31 (UTC). */
  minTimestamp: -62_135_596_800_000, // 0001-01-01T00:00:00.000Z (Date.UTC reads years below 100 as 19xx)
  maxTimestamp: 253_402_300_799_999, // 9999-12-31T23:59:59.999Z
} as const;

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

function fits(value: unknown, part: CursorPart): boolean {
  switch (part) {
    case 'number':
      return Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX;
    case 'flag':
      return value === 0 || value === 1;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'timestamp':
      return (
        Number.isInteger(value) &&
        (value as number) >= CURSOR_LIMITS.minTimestamp &&
        (value as number) <= CURSOR_LIMITS.maxTimestamp
      );
    case 'string':
      return typeof value === 'string' && value.length <= CURSOR_LIMITS.maxString;
  }
}

/** Decodes a cursor made by `encodeCursor`, checking its shape and the range of each part, or throws BAD_USER_INPUT naming `field`. */
export function decodeCursor(cursor: string, shape: ReadonlyArray<CursorPart>, field = 'after'): (string | number)[] {
  let key: unknown;
  if (cursor.length <= CURSOR_LIMITS.maxLength) {
    try {
      key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      key = undefined;
    }
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => !fits(v, shape[i]))) {
    throw new BadInput('Invalid cursor', field);
  }
  return key as (string | number)[];
}

/** The page size to fetch: the requested `first`, or the default. */
export function pageSize(args: { first?: number | null }): number {
  return Math.min(args.first ?? PAGE_LIMITS.defaultSize, PAGE_LIMITS.maxSize);
}

/**
 * A forward page over ascending ids (the shape of most connections): the page size, and the id
 * to start after (0 without a cursor). A cursor that is not an id cursor is BAD_USER_INPUT.
 */
export function idPage(args: { first?: number | null; after?: string | null }): { size: number; afterId: number } {
  return { size: pageSize(args), afterId: args.after ? (decodeCursor(args.after, ['number'])[0] as number) : 0 };
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
 * Turns `size + 1` fetched rows into a connection: the extra row only says there is a next page.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  keyOf: (row: T) => (string | number)[],
  hasPrevious: boolean,
): ConnectionShape<T> {
  const page = rows.length > size ? rows.slice(0, size) : rows;
  const edges: Edge<T>[] = page.map((node) => new LazyEdge(node, keyOf));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: hasPrevious,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
  };
}

/** What a cost function is given: the field's coerced arguments and the cost of its selection. */
type CostArgs = { args: Record<string, unknown>; childComplexity: number };

/**
 * A page size as the query-cost guard reads it: `arg` (null or absent: `defaultSize`), which must be
 * an integer from 1 to `maxSize`, or BAD_USER_INPUT naming the argument.
 */
function checkedPageSize(args: Record<string, unknown>, arg: string, defaultSize: number, maxSize: number): number {
  const size = args[arg] ?? defaultSize;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > maxSize) {
    throw new BadInput(`${arg} must be from 1 to ${maxSize}`, arg);
  }
  return size;
}

/**
 * Cost of a list or connection field with a page size, for the query-cost guard: 1, plus the page
 * size (the argument `arg`) times the cost of what each item selects. The size is checked here, before
 * anything runs: a negative size once cancelled out its siblings' cost (issue 12), and a size over
 * the maximum was only refused after the operation's other fields had run.
 * @param arg name of the page-size argument (default `first`)
 * @param defaultSize size when the argument is omitted or null (default PAGE_LIMITS.defaultSize)
 * @param maxSize largest size allowed (default PAGE_LIMITS.maxSize)
 */
export function pageComplexity({
  arg = 'first',
  defaultSize = PAGE_LIMITS.defaultSize,
  maxSize = PAGE_LIMITS.maxSize,
}: { arg?: string; defaultSize?: number; maxSize?: number } = {}) {
  return ({ args, childComplexity }: CostArgs): number =>
    1 + checkedPageSize(args, arg, defaultSize, maxSize) * Math.max(childComplexity, 1);
}

/** Cost of a connection paged by `first` (1 to PAGE_LIMITS.maxSize, default PAGE_LIMITS.defaultSize): see {@link pageComplexity}. */
export const connectionComplexity = pageComplexity();

/**
 * Cost of a list field without a page size, which its domain bounds (a poll's options, a post's
 * tags…): 1, plus the most items it can hold times the cost of what each selects, so that a page of
 * polls selecting each option's voters costs what it may fetch.
 * @param maxItems the most items the list can hold
 */
export function boundedListComplexity(maxItems: number) {
  return ({ childComplexity }: CostArgs): number => 1 + maxItems * childComplexity;
}
