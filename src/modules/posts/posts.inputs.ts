import { ArrayMaxSize, IsOptional, Length, MaxLength } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';

/** Limits of posts and comments, in one place. */
export const POST_LIMITS = {
  titleLength: 300,
  bodyLength: 40_000,
  commentLength: 10_000,
  maxTags: 5,
  tagLength: 30,
  /** Deepest reply: a comment on the post has depth 0, so 8 allows 9 levels. */
  maxCommentDepth: 8,
  /**
   * Emoji a post or comment lists in `reactions` (the most used): any member may add any emoji, so
   * without a cap one post could list thousands, in every page of posts that shows its reactions.
   */
  reactionsShown: 20,
} as const;

export enum PostOrder {
  NEW = 'NEW',
  TOP = 'TOP',
  HOT = 'HOT',
}
registerEnumType(PostOrder, {
  name: 'PostOrder',
  description: 'The order of a list of posts. Pinned posts always come first.',
  valuesConfig: {
    NEW: { description: 'Newest first.' },
    TOP: { description: 'Highest score first.' },
    HOT: { description: 'By a score that decays with age (see README, Posts and comments).' },
  },
});

export enum VoteValue {
  UP = 'UP',
  DOWN = 'DOWN',
  NONE = 'NONE',
}
registerEnumType(VoteValue, {
  name: 'VoteValue',
  description: 'A vote on a post or comment, or none.',
  valuesConfig: {
    UP: { description: 'An upvote (+1).' },
    DOWN: { description: 'A downvote (-1; needs reputation level 2 unless MODERATOR or above).' },
    NONE: { description: 'No vote: withdraws yours.' },
  },
});

/** A stored vote (-1, 0 for none, 1) as the API names it. */
export const VOTE_VALUE_OF: Readonly<Record<number, VoteValue>> = {
  1: VoteValue.UP,
  [-1]: VoteValue.DOWN,
  0: VoteValue.NONE,
};

@InputType({ description: 'A new post in a community.' })
export class CreatePostInput {
  @Field(() => ID, { description: 'Global id of a community you are a member of.' }) communityId!: string;

  @Field({ description: 'Title, 1 to 300 characters.' })
  @Length(1, POST_LIMITS.titleLength, { message: `title must be 1 to ${POST_LIMITS.titleLength} characters long` })
  title!: string;

  @Field({ description: 'Markdown.' })
  @Length(1, POST_LIMITS.bodyLength, { message: `body must be 1 to ${POST_LIMITS.bodyLength} characters long` })
  body!: string;

  @Field(() => [String], {
    defaultValue: [],
    description: 'At most 5 tags of letters, digits and dashes (up to 30 characters each); stored lower-case.',
  })
  @ArrayMaxSize(POST_LIMITS.maxTags, { message: `at most ${POST_LIMITS.maxTags} tags` })
  tags!: string[];

  @Field(() => ID, {
    nullable: true,
    description: "Global id of a channel of the community to post in; default: the community's default channel.",
  })
  channelId?: string | null;
}

@InputType({ description: 'Changes to your post: omitted or null fields keep their value.' })
export class UpdatePostInput {
  @Field(() => ID, { description: 'Global id of the post.' }) id!: string;

  @Field({ nullable: true, description: 'New title, 1 to 300 characters.' })
  @IsOptional()
  @Length(1, POST_LIMITS.titleLength, { message: `title must be 1 to ${POST_LIMITS.titleLength} characters long` })
  title?: string;

  @Field({ nullable: true, description: 'New Markdown body, 1 to 40000 characters.' })
  @IsOptional()
  @Length(1, POST_LIMITS.bodyLength, { message: `body must be 1 to ${POST_LIMITS.bodyLength} characters long` })
  body?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'New tags, replacing the old ones: at most 5, as in `createPost`.',
  })
  @IsOptional()
  @ArrayMaxSize(POST_LIMITS.maxTags, { message: `at most ${POST_LIMITS.maxTags} tags` })
  tags?: string[];
}

@InputType({ description: 'A new comment on a post, or a reply to one of its comments.' })
export class AddCommentInput {
  @Field(() => ID, { description: 'Global id of the post.' }) postId!: string;

  @Field(() => ID, { nullable: true, description: 'The comment this one replies to.' })
  parentId?: string;

  @Field({ description: 'Markdown.' })
  @Length(1, POST_LIMITS.commentLength, { message: `body must be 1 to ${POST_LIMITS.commentLength} characters long` })
  body!: string;
}

@InputType({ description: 'The new text of your comment.' })
export class UpdateCommentInput {
  @Field(() => ID, { description: 'Global id of the comment.' }) id!: string;

  @Field({ description: 'New Markdown body, 1 to 10000 characters.' })
  @Length(1, POST_LIMITS.commentLength, { message: `body must be 1 to ${POST_LIMITS.commentLength} characters long` })
  body!: string;
}

@InputType({ description: 'A vote on a post or comment.' })
export class VoteInput {
  @Field(() => ID, { description: 'A post or comment.' }) subjectId!: string;
  @Field(() => VoteValue, { description: 'UP, DOWN, or NONE to withdraw your vote.' }) value!: VoteValue;
}

@InputType({ description: 'Your vote on a post or comment.' })
export class SetVoteInput extends VoteInput {}

@InputType({ description: 'An emoji reaction to add to or remove from a post or comment.' })
export class ReactInput {
  @Field(() => ID, { description: 'A post or comment.' }) subjectId!: string;

  @Field({ description: 'One emoji.' })
  @MaxLength(32)
  emoji!: string;

  @Field({ defaultValue: false, description: 'Remove the reaction instead of adding it.' })
  remove!: boolean;
}

@InputType({ description: 'Your emoji reaction to a post or comment: added, or taken back.' })
export class SetReactionInput {
  @Field(() => ID, { description: 'A post or comment.' }) subjectId!: string;

  @Field({ description: 'One emoji.' })
  @MaxLength(32)
  emoji!: string;

  @Field({ defaultValue: true, description: 'True to react with it (default), false to take your reaction back.' })
  reacted!: boolean;
}

@InputType({ description: 'The post to remove.' })
export class RemovePostInput {
  @Field(() => ID, { description: 'Global id of the post.' }) id!: string;
}

@InputType({ description: 'The comment to remove.' })
export class RemoveCommentInput {
  @Field(() => ID, { description: 'Global id of the comment.' }) id!: string;
}

@InputType({ description: 'How a moderator sets a post out: omitted or null fields keep their value.' })
export class ModeratePostInput {
  @Field(() => ID, { description: 'Global id of the post.' }) id!: string;
  @Field({ nullable: true, description: 'True to pin the post (it comes first in listings), false to unpin it.' })
  pinned?: boolean;
  @Field({ nullable: true, description: 'True to lock its comments (no new ones), false to unlock them.' })
  locked?: boolean;
  @Field(() => ID, {
    nullable: true,
    description: 'Global id of another channel of its community to move it to (one the moderator may read).',
  })
  channelId?: string | null;
}

@InputType({ description: 'How a moderator sets a comment out.' })
export class ModerateCommentInput {
  @Field(() => ID, { description: 'Global id of the comment.' }) id!: string;
  @Field({ description: 'True to feature the comment, false to unfeature it.' }) featured!: boolean;
}

@ArgsType()
export class PostsArgs extends PageArgs {
  @Field(() => PostOrder, { defaultValue: PostOrder.HOT, description: 'The order of the posts; default HOT.' })
  orderBy!: PostOrder;

  @Field({ nullable: true, description: 'Only posts with this tag.' })
  @IsOptional()
  @MaxLength(POST_LIMITS.tagLength)
  tag?: string;
}

@ObjectType({ description: 'How many members reacted with one emoji, and whether you did.' })
export class ReactionCount {
  @Field({ description: 'The emoji.' }) emoji!: string;
  @Field(() => Int, { description: 'How many members reacted with it.' }) count!: number;
  @Field({ description: 'Whether you reacted with it (false when signed out).' }) viewerReacted!: boolean;
}
