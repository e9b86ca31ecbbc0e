import { BadInput } from './errors';

/** Page sizes of every connection. */
export const PAGE_LIMITS = {
  /** `first` when the client gives none. */
  defaultSize: 20,
  /** The largest `first` a client may ask for. */
  maxSize: 100,
} as const;

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

const byFirst = pageComplexity();
const byLast = pageComplexity({ arg: 'last' });

/**
 * Cost of a connection paged by `first` or, where it pages backwards, `last` (1 to
 * PAGE_LIMITS.maxSize, default PAGE_LIMITS.defaultSize), weighed alike: see {@link pageComplexity}.
 * Both at once is BAD_USER_INPUT, before anything runs.
 */
export function connectionComplexity(cost: CostArgs): number {
  if (cost.args.first != null && cost.args.last != null) throw new BadInput('Pass `first` or `last`, not both', 'last');
  return cost.args.last != null ? byLast(cost) : byFirst(cost);
}
/**
 * Cost of a list field without a page size, which its domain bounds (a poll's options, a post's
 * tags…): 1, plus the most items it can hold times the cost of what each selects, so that a page of
 * polls selecting each option's voters costs what it may fetch.
 * @param maxItems the most items the list can hold
 */
export function boundedListComplexity(maxItems: number) {
  return ({ childComplexity }: CostArgs): number => 1 + maxItems * childComplexity;
}
