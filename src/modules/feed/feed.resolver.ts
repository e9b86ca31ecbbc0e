import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from 'type-graphql';
import { MaxLength } from 'class-validator';
import type { Context } from '../../platform/context';
import { NotFound } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { Connection, ForwardPageArgs, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';
import { POST_LIMITS } from '../posts/posts.inputs';
import * as follows from './follows';
import { FOLLOW_LIMITS } from './follows';
import { FEED_RANKING, FeedMode, FeedReasonKind, personalFeed } from './personal-feed';

registerEnumType(FeedMode, {
  name: 'FeedMode',
  description: 'Which personal feed to read.',
  valuesConfig: {
    FOLLOWING: {
      description:
        'Newest first: posts of the communities you belong to, of the members and tags you follow (where you may read them).',
    },
    FOR_YOU: {
      description:
        'Ranked: the same sources and what members with interests like yours upvoted, by recency, your affinities and score, varied by author (README, Feeds).',
    },
  },
});

registerEnumType(FeedReasonKind, {
  name: 'FeedReasonKind',
  description: 'Why an item is in your personal feed.',
  valuesConfig: {
    MEMBER_OF_COMMUNITY: { description: 'It is from a community you belong to.' },
    FOLLOWED_MEMBER: { description: 'Its author is a member you follow.' },
    FOLLOWED_TAG: { description: 'It has a tag you follow.' },
    FOLLOWED_CHANNEL: { description: 'It is in a channel you follow (of a community you belong to).' },
    AFFINITY_AUTHOR: { description: 'You often engage with its author.' },
    AFFINITY_TAG: { description: 'You often engage with one of its tags.' },
    SIMILAR_MEMBERS: { description: 'Members with interests like yours upvoted it lately.' },
    POPULAR_IN_COMMUNITY: { description: 'It is among the most upvoted of one of your communities this week.' },
  },
});

@ObjectType({ description: 'Why an item is in your personal feed.' })
export class FeedReason {
  @Field(() => FeedReasonKind, { description: 'The kind of reason, for clients to choose an icon or a filter.' })
  kind!: FeedReasonKind;
  @Field({ description: 'The reason in words, e.g. "You follow #rust" or "Popular in Gardening this week".' })
  text!: string;
}

@ObjectType({ description: 'One item of your personal feed: a post and why it is there.' })
export class FeedItem {
  @Field(() => Post, { description: 'The post.' }) post!: Post;
  @Field(() => FeedReason, { description: 'Why it is in your feed.' }) reason!: FeedReason;
}

@ObjectType()
export class FeedItemConnection extends Connection(FeedItem, 'FeedItem') {}

@ArgsType()
export class PersonalFeedArgs extends ForwardPageArgs {
  @Field(() => FeedMode, { description: 'FOLLOWING (newest first) or FOR_YOU (ranked).' })
  mode!: FeedMode;
}

@ObjectType({ description: 'A tag you follow.' })
export class FollowedTag {
  @Field({ description: 'The tag (normalized as posts\u2019 tags are).' }) tag!: string;
  @Field({ description: 'When you started following it.' }) createdAt!: Date;
}

@ObjectType()
export class FollowedMemberConnection extends Connection(User, 'FollowedMember', {
  totalCount: `How many members you follow (all pages; at most ${FOLLOW_LIMITS.maxMembers}).`,
}) {}

@ObjectType()
export class FollowedTagConnection extends Connection(FollowedTag, 'FollowedTag', {
  totalCount: `How many tags you follow (all pages; at most ${FOLLOW_LIMITS.maxTags}).`,
}) {}

@InputType({ description: 'The member to follow.' })
export class FollowMemberInput {
  @Field(() => ID, { description: 'Global id of the user to follow.' }) userId!: string;
}

@InputType({ description: 'The member to stop following.' })
export class UnfollowMemberInput {
  @Field(() => ID, { description: 'Global id of the user you follow.' }) userId!: string;
}

@InputType({ description: 'The tag to follow.' })
export class FollowTagInput {
  @Field({ description: 'The tag (normalized as posts\u2019 tags are: lower case, dashes between words).' })
  @MaxLength(POST_LIMITS.tagLength)
  tag!: string;
}

@InputType({ description: 'The tag to stop following.' })
export class UnfollowTagInput {
  @Field({ description: 'The tag you follow.' })
  @MaxLength(POST_LIMITS.tagLength)
  tag!: string;
}

@ObjectType({ description: 'The result of `followMember`.' })
export class FollowMemberPayload {
  @Field(() => User, { description: 'The member followed.' }) user!: User;
}

@ObjectType({ description: 'The result of `unfollowMember`.' })
export class UnfollowMemberPayload {
  @Field(() => User, { description: 'The member no longer followed.' }) user!: User;
  @Field({ description: 'False when you did not follow them.' }) unfollowed!: boolean;
}

@ObjectType({ description: 'The result of `followTag`.' })
export class FollowTagPayload {
  @Field({ description: 'The tag followed, normalized.' }) tag!: string;
  @Field(() => User, { description: 'You.' }) user!: User;
}

@ObjectType({ description: 'The result of `unfollowTag`.' })
export class UnfollowTagPayload {
  @Field({ description: 'The tag, normalized.' }) tag!: string;
  @Field(() => User, { description: 'You.' }) user!: User;
  @Field({ description: 'False when you did not follow it.' }) unfollowed!: boolean;
}

@Resolver()
export class FeedResolver {
  @Query(() => FeedItemConnection, {
    complexity: connectionComplexity,
    description: `Your personal feed (signed in): FOLLOWING, newest first, or FOR_YOU, ranked and varied (no more than ${FEED_RANKING.maxRun} items in a row by one author). Each item says why it is there. Pages forwards; page 2 of FOR_YOU is ranked as of page 1's time.`,
  })
  personalFeed(@Args() args: PersonalFeedArgs, @Ctx() { em, loaders, viewer }: Context) {
    return personalFeed(em, loaders, viewer, args);
  }

  @Mutation(() => FollowMemberPayload, {
    description: `Follows a member: their posts join your FOLLOWING feed, in the communities you may read. At most ${FOLLOW_LIMITS.maxMembers}.`,
  })
  async followMember(
    @Arg('input', { description: 'The member to follow.' }) input: FollowMemberInput,
    @Ctx() ctx: Context,
  ): Promise<FollowMemberPayload> {
    const userId = fromGlobalId('User', input.userId, 'userId');
    await follows.followMember(ctx, userId);
    return { user: (await ctx.loaders.user.load(userId))! };
  }

  @Mutation(() => UnfollowMemberPayload, { description: 'Stops following a member.' })
  async unfollowMember(
    @Arg('input', { description: 'The member to stop following.' }) input: UnfollowMemberInput,
    @Ctx() ctx: Context,
  ): Promise<UnfollowMemberPayload> {
    const userId = fromGlobalId('User', input.userId, 'userId');
    const unfollowed = await follows.unfollowMember(ctx, userId);
    const user = await ctx.loaders.user.load(userId);
    if (!user) throw new NotFound('User');
    return { user, unfollowed };
  }

  @Mutation(() => FollowTagPayload, {
    description: `Follows a tag: posts with it join your FOLLOWING feed, in the communities you may read. At most ${FOLLOW_LIMITS.maxTags}.`,
  })
  async followTag(
    @Arg('input', { description: 'The tag to follow.' }) input: FollowTagInput,
    @Ctx() ctx: Context,
  ): Promise<FollowTagPayload> {
    const tag = await follows.followTag(ctx, input.tag);
    return { tag, user: (await ctx.loaders.user.load(ctx.viewer.userId!))! };
  }

  @Mutation(() => UnfollowTagPayload, { description: 'Stops following a tag.' })
  async unfollowTag(
    @Arg('input', { description: 'The tag to stop following.' }) input: UnfollowTagInput,
    @Ctx() ctx: Context,
  ): Promise<UnfollowTagPayload> {
    const result = await follows.unfollowTag(ctx, input.tag);
    return { ...result, user: (await ctx.loaders.user.load(ctx.viewer.userId!))! };
  }
}

@Resolver(() => User)
export class UserFollowsResolver {
  @FieldResolver(() => Boolean, { description: 'Whether you follow this member (false when signed out).' })
  viewerFollows(@Root() user: User, @Ctx() { loaders, viewer }: Context): boolean | Promise<boolean> {
    return viewer.userId === null ? false : loaders.viewerFollows.load(user.id);
  }

  @FieldResolver(() => FollowedMemberConnection, {
    complexity: connectionComplexity,
    description: 'The members you follow, in the order you followed them. Only the user themself may read it.',
  })
  following(@Root() user: User, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return follows.following(ctx, user.id, args);
  }

  @FieldResolver(() => FollowedTagConnection, {
    complexity: connectionComplexity,
    description: 'The tags you follow, in the order you followed them. Only the user themself may read it.',
  })
  followedTags(@Root() user: User, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return follows.followedTags(ctx, user.id, args);
  }
}
