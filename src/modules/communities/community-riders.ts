import type { GraphQLResolveInfo } from 'graphql';
import type { Loaders } from '../../platform/loaders';
import type { Viewer } from '../identity/viewer';
import type { Community } from './communities.entity';

/**
 * What a rider reads with the community row of one `community(slug)` request: a column expression
 * over the row `c` (aliased `rider_<n>` by the caller), and what to do with its value once the
 * community is known.
 */
export interface RiderPlan {
  column: string;
  take(community: Community, value: unknown): void;
}

/**
 * Another module's read that goes out in the statement looking a community up by slug, so that a
 * request asking for a community and, say, its first page of posts costs one statement rather
 * than two. `plan` looks at what the `community` field selects (`info`) and returns the column
 * to add, appending its parameters to `params` (`$1` is the slug), or null when it has nothing to
 * add. The value must only be read where its own rules allow (the field it feeds still checks the
 * viewer's access before using it): a rider is an optimisation, never a permission.
 * Modules depending on communities register theirs (`addCommunityRider`, from their index.ts):
 * communities knows none of them.
 */
export interface CommunityRider {
  plan(info: GraphQLResolveInfo, loaders: Loaders, viewer: Viewer, params: unknown[]): RiderPlan | null;
}

const riders: CommunityRider[] = [];

/** Registers a rider on every `community(slug)` lookup. */
export function addCommunityRider(rider: CommunityRider): void {
  if (!riders.includes(rider)) riders.push(rider);
}

/** The plans of the registered riders for one `community(slug)` field, with its parameters after `$1`. */
export function planRiders(
  info: GraphQLResolveInfo | undefined,
  loaders: Loaders,
  viewer: Viewer,
  params: unknown[],
): RiderPlan[] {
  if (!info) return [];
  const plans: RiderPlan[] = [];
  for (const rider of riders) {
    const plan = rider.plan(info, loaders, viewer, params);
    if (plan) plans.push(plan);
  }
  return plans;
}
