import { createUnionType, Field, Float, ObjectType } from 'type-graphql';
import { PageInfo } from '../../platform/pagination';
import { Member } from '../communities/communities.entity';
import { Event } from '../events/events.entity';
import { Poll } from '../polls/polls.entity';
import { Comment, Post } from '../posts/posts.entity';

/** What `search` finds. */
export const SearchResult = createUnionType({
  name: 'SearchResult',
  description: 'A post, comment, event, poll or member found by `search`.',
  types: () => [Post, Comment, Event, Poll, Member] as const,
  resolveType: (value) => {
    if (value instanceof Post) return Post;
    if (value instanceof Comment) return Comment;
    if (value instanceof Event) return Event;
    if (value instanceof Poll) return Poll;
    return Member;
  },
});
export type SearchResultNode = Post | Comment | Event | Poll | Member;

@ObjectType({ description: 'One result of `search`, with its cursor, highlighted snippet and score.' })
export class SearchResultEdge {
  @Field({ description: 'Opaque cursor of this result, to continue the list from it (`after`).' })
  cursor!: string;

  @Field(() => SearchResult, { description: 'The post, comment, event, poll or member found.' })
  node!: SearchResultNode;

  @Field({
    description:
      'The text around the matches, HTML-escaped, with each match in <mark>…</mark> (safe to insert as HTML). A member: their handle.',
  })
  snippet!: string;

  @Field(() => Float, {
    description:
      'Relevance with the recency and score boosts (README, Search): results come in decreasing score. Comparable within one search only.',
  })
  score!: number;
}

@ObjectType({ description: 'A page of search results, best first.' })
export class SearchResultConnection {
  @Field(() => [SearchResultEdge], { description: 'The results of this page, with their cursors.' })
  edges!: SearchResultEdge[];

  @Field(() => [SearchResult], { description: "The results of this page (the edges' nodes)." })
  nodes!: SearchResultNode[];

  @Field(() => PageInfo, { description: 'Whether more results follow, and the cursor to read them.' })
  pageInfo!: PageInfo;
}
