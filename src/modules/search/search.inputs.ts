import { IsOptional, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, registerEnumType } from 'type-graphql';
import { ForwardPageArgs } from '../../platform/pagination';

/** What `search` may return. */
export enum SearchType {
  POST = 'POST',
  COMMENT = 'COMMENT',
  EVENT = 'EVENT',
  POLL = 'POLL',
  MEMBER = 'MEMBER',
}
registerEnumType(SearchType, {
  name: 'SearchType',
  description: 'A kind of result of `search`.',
  valuesConfig: {
    POST: { description: 'Posts, by title (weighted above the body) and body; fuzzy on titles.' },
    COMMENT: { description: 'Comments, by body.' },
    EVENT: { description: 'Events, by title, description and location.' },
    POLL: { description: 'Polls, by question.' },
    MEMBER: { description: "Members of the communities searched, by their user's handle (fuzzy)." },
  },
});

/** Bounds of `search`, in one place (README, Search). */
export const SEARCH_LIMITS = {
  /** Longest query, in characters. */
  queryLength: 200,
  /** Most words (runs of non-space characters) in a query. */
  words: 8,
  /**
   * Most matches of each kind (and, for posts and members, of each way of matching) that are
   * ranked: the newest that match (comments: the readable ones among the newest 2 × this many that
   * match). Bounds the work of a query on a common word.
   */
  candidatesPerType: 100,
  /** `word_similarity` a post title needs to match a query by fuzzy match (pg_trgm's default is 0.6). */
  fuzzyThreshold: 0.5,
  /** `similarity` a handle needs to match a query by fuzzy match (pg_trgm's `%` default). */
  handleThreshold: 0.3,
} as const;

@ArgsType()
export class SearchArgs extends ForwardPageArgs {
  @Field({
    description: `Words to look for, 1 to ${SEARCH_LIMITS.queryLength} characters and at most ${SEARCH_LIMITS.words} words; every word must match (CJK text matches by runs of characters, any two of which are enough). Post titles and member handles also match with a typo.`,
  })
  @MaxLength(SEARCH_LIMITS.queryLength)
  query!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Global id of the community to search; omitted: every community whose content you may read.',
  })
  communityId?: string | null;

  @Field(() => [SearchType], { nullable: true, description: 'Kinds of results to return; omitted: all of them.' })
  @IsOptional()
  types?: SearchType[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Only posts with this tag, and comments on them (no events, polls or members).',
  })
  tag?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Global id of a user: only what they wrote (posts, comments), organize (events) or asked (polls), and their memberships.',
  })
  authorId?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only what was created (members: joined) at or after this instant.',
  })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only what was created (members: joined) before this instant.' })
  to?: Date | null;
}
