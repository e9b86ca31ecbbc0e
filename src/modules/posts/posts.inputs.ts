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
  description:
    'NEW: newest first. TOP: highest score first. HOT: score that decays with age (see README). Pinned posts always come first.',
});

export enum VoteValue {
  UP = 'UP',
  DOWN = 'DOWN',
  NONE = 'NONE',
}
registerEnumType(VoteValue, { name: 'VoteValue', description: 'UP or DOWN; NONE withdraws a vote.' });

/** A stored vote (-1, 0 for none, 1) as the API names it. */
export const VOTE_VALUE_OF: Readonly<Record<number, VoteValue>> = {
  1: VoteValue.UP,
  [-1]: VoteValue.DOWN,
  0: VoteValue.NONE,
};

@InputType()
export class CreatePostInput {
  @Field(() => ID) communityId!: string;

  @Field()
  @Length(1, POST_LIMITS.titleLength, { message: `title must be 1 to ${POST_LIMITS.titleLength} characters long` })
  title!: string;

  @Field({ description: 'Markdown.' })
  @Length(1, POST_LIMITS.bodyLength, { message: `body must be 1 to ${POST_LIMITS.bodyLength} characters long` })
  body!: string;

  @Field(() => [String], { defaultValue: [] })
  @ArrayMaxSize(POST_LIMITS.maxTags, { message: `at most ${POST_LIMITS.maxTags} tags` })
  tags!: string[];
}

@InputType()
export class UpdatePostInput {
  @Field(() => ID) id!: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, POST_LIMITS.titleLength, { message: `title must be 1 to ${POST_LIMITS.titleLength} characters long` })
  title?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, POST_LIMITS.bodyLength, { message: `body must be 1 to ${POST_LIMITS.bodyLength} characters long` })
  body?: string;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(POST_LIMITS.maxTags, { message: `at most ${POST_LIMITS.maxTags} tags` })
  tags?: string[];
}

@InputType()
export class AddCommentInput {
  @Field(() => ID) postId!: string;

  @Field(() => ID, { nullable: true, description: 'The comment this one replies to.' })
  parentId?: string;

  @Field({ description: 'Markdown.' })
  @Length(1, POST_LIMITS.commentLength, { message: `body must be 1 to ${POST_LIMITS.commentLength} characters long` })
  body!: string;
}

@InputType()
export class UpdateCommentInput {
  @Field(() => ID) id!: string;

  @Field()
  @Length(1, POST_LIMITS.commentLength, { message: `body must be 1 to ${POST_LIMITS.commentLength} characters long` })
  body!: string;
}

@InputType()
export class VoteInput {
  @Field(() => ID, { description: 'A post or comment.' }) subjectId!: string;
  @Field(() => VoteValue) value!: VoteValue;
}

@InputType()
export class ReactInput {
  @Field(() => ID, { description: 'A post or comment.' }) subjectId!: string;

  @Field({ description: 'One emoji.' })
  @MaxLength(32)
  emoji!: string;

  @Field({ defaultValue: false, description: 'Remove the reaction instead of adding it.' })
  remove!: boolean;
}

@ArgsType()
export class PostsArgs extends PageArgs {
  @Field(() => PostOrder, { defaultValue: PostOrder.HOT })
  orderBy!: PostOrder;

  @Field({ nullable: true, description: 'Only posts with this tag.' })
  @IsOptional()
  @MaxLength(POST_LIMITS.tagLength)
  tag?: string;
}

@ObjectType({ description: 'How many members reacted with one emoji, and whether you did.' })
export class ReactionCount {
  @Field() emoji!: string;
  @Field(() => Int) count!: number;
  @Field() viewerReacted!: boolean;
}
