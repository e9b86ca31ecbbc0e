import { getArgumentValues, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import type { Loaders } from '../../platform/loaders';
import type { ConnectionShape } from '../../platform/pagination';
import { selectedFields } from '../../platform/selection';
import type { CommunityRider } from '../communities/community-riders';
import { postListing } from './feeds';
import type { Post } from './posts.entity';
import type { PostsArgs } from './posts.inputs';
import { listingReads } from './posts.resolver';

/** Pages read with their community, per request: by the `posts` field node, then by community id. */
const folded = new WeakMap<Loaders, Map<FieldNode, Map<number, () => ConnectionShape<Post>>>>();

/**
 * Reads `community(slug) { posts(…) { … } }`'s page of posts in the statement that looks the
 * community up (community-riders.ts): a feed costs one statement, not two. Only for a PUBLIC
 * community (anyone may read its posts; for others the column is null and `Community.posts` reads
 * the page itself, after its access check) and one `posts` field, whose arguments it reads as the
 * field will. The field still runs `assertCanReadContent` before it takes the page
 * (`takeFoldedPosts`).
 */
export const communityPostsRider: CommunityRider = {
  plan(info, loaders, viewer, params) {
    const nodes = selectedFields(info).filter((f) => f.name.value === 'posts');
    // Under @skip or @include the field may not run: it reads its page itself if it does.
    if (nodes.length !== 1 || nodes[0].directives?.length) return null;
    const [node] = nodes;
    const field = (info.schema.getType('Community') as GraphQLObjectType).getFields().posts;
    const fieldInfo = { ...info, fieldNodes: [node] } as GraphQLResolveInfo;
    // The listing's parameters follow the caller's (on a copy, kept only if the listing is built).
    const own = [...params];
    let listing;
    try {
      const args = getArgumentValues(field, node, info.variableValues) as unknown as PostsArgs;
      listing = postListing(loaders, viewer, { communitySql: 'c.id' }, args, listingReads(fieldInfo), own);
    } catch {
      return null; // a bad cursor or tag: the field reads the page itself, and answers the error
    }
    params.splice(0, params.length, ...own);
    const { sql } = listing;
    return {
      column: `case when c.visibility = 'PUBLIC' then
        (select coalesce(json_agg(l order by ${listing.order}), '[]'::json) from (${sql}) l) end`,
      take(community, value) {
        if (!Array.isArray(value)) return;
        let byNode = folded.get(loaders);
        if (!byNode) folded.set(loaders, (byNode = new Map()));
        let byCommunity = byNode.get(node);
        if (!byCommunity) byNode.set(node, (byCommunity = new Map()));
        byCommunity.set(community.id, () => listing.finish(value as Record<string, unknown>[]));
      },
    };
  },
};

/** The page `communityPostsRider` read for this `posts` field of this community, if any (taken once). */
export function takeFoldedPosts(
  loaders: Loaders,
  info: GraphQLResolveInfo,
  communityId: number,
): (() => ConnectionShape<Post>) | undefined {
  if (info.fieldNodes.length !== 1) return undefined;
  const byCommunity = folded.get(loaders)?.get(info.fieldNodes[0]);
  const page = byCommunity?.get(communityId);
  byCommunity?.delete(communityId);
  return page;
}
