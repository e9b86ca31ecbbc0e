import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../platform/context';
import { connectionComplexity } from '../../platform/pagination';
import { SearchArgs } from './search.inputs';
import * as service from './search.service';
import { SearchResultConnection } from './search.types';

@Resolver()
export class SearchResolver {
  @Query(() => SearchResultConnection, {
    complexity: connectionComplexity,
    description:
      'Full-text search of posts, comments, events, polls and members (README, Search): ranked by relevance (a title above a body), boosted by recency and score, best first; fuzzy on post titles and handles, CJK text by bigrams. Only what you may read: the communities you may read (anonymous: PUBLIC ones), never deleted or hidden content, nor content of users you blocked. With `communityId`, NOT_FOUND or FORBIDDEN as `Community.posts`.',
  })
  search(@Args() args: SearchArgs, @Ctx() ctx: Context): Promise<SearchResultConnection> {
    return service.search(ctx, args);
  }
}
