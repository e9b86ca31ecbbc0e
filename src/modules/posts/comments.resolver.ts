import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import {
  PageArgs,
  boundedListComplexity,
  connectionComplexity,
  decodeCursor,
  encodeCursor,
  idPage,
  idRange,
} from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { listedAuthor } from '../identity/user-views';
import { commentAddedStream } from './comment-stream';
import * as comments from './comments.service';
import { allowed } from '../communities/policies';
import { commentText, masked } from './hidden-content';
import { Comment, Post } from './posts.entity';
import {
  AddCommentInput,
  ModerateCommentInput,
  POST_LIMITS,
  ReactionCount,
  RemoveCommentInput,
  UpdateCommentInput,
  VoteValue,
  VOTE_VALUE_OF,
} from './posts.inputs';
import { CommentConnection, commentConnection, commentPageShape } from './posts.resolver';
import { replacedBy } from '../../platform/deprecations';

@Resolver(() => Comment)
export class CommentsResolver {
  @Mutation(() => Comment, {
    description: 'Comments on a post, or replies to a comment (`parentId`). Locked posts: FORBIDDEN.',
  })
  addComment(
    @Arg('input', { description: 'The post, the comment replied to (if any) and the text.' }) input: AddCommentInput,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    const parentId = input.parentId ? fromGlobalId('Comment', input.parentId, 'parentId') : null;
    return comments.addComment(ctx, fromGlobalId('Post', input.postId, 'postId'), parentId, input.body);
  }

  @Mutation(() => Comment, { description: 'Edits your comment.' })
  updateComment(
    @Arg('input', { description: 'The comment and its new text.' }) input: UpdateCommentInput,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    return comments.updateComment(ctx, fromGlobalId('Comment', input.id), input.body);
  }

  @Mutation(() => Comment, { description: 'Removes a comment (yours, or any as a moderator). Its replies stay.' })
  removeComment(
    @Arg('input', { description: 'The comment to remove.' }) input: RemoveCommentInput,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    return comments.deleteComment(ctx, fromGlobalId('Comment', input.id));
  }

  @Mutation(() => Comment, { description: 'Features or unfeatures a comment (MODERATOR or above).' })
  moderateComment(
    @Arg('input', { description: 'The comment, and whether it is featured.' }) input: ModerateCommentInput,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    return comments.featureComment(ctx, fromGlobalId('Comment', input.id), input.featured);
  }

  @Mutation(() => Comment, {
    description: 'Deletes a comment (yours, or any as a moderator). Its replies stay.',
    deprecationReason: replacedBy('deleteComment'),
  })
  deleteComment(
    @Arg('id', () => ID, { description: 'Global id of the comment.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    return this.removeComment({ id }, ctx);
  }

  @Mutation(() => Comment, {
    description: 'Features or unfeatures a comment (MODERATOR or above).',
    deprecationReason: replacedBy('featureComment'),
  })
  featureComment(
    @Arg('id', () => ID, { description: 'Global id of the comment.' }) id: string,
    @Arg('featured', { description: 'True to feature, false to unfeature.' }) featured: boolean,
    @Ctx() ctx: Context,
  ): Promise<Comment> {
    return this.moderateComment({ id, featured }, ctx);
  }

  @Subscription(() => Comment, {
    description:
      'New comments on a post you can read. With `after` (a comment cursor) it first replays the comments added since, then streams live ones: a reconnecting client misses nothing.',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const postId = fromGlobalId('Post', args.postId as string, 'postId');
      const afterId = args.after ? (decodeCursor(args.after as string, ['number'])[0] as number) : null;
      return commentAddedStream(ctx, postId, afterId);
    },
  })
  commentAdded(
    @Root() comment: Comment,
    @Arg('postId', () => ID, { description: 'Global id of the post to follow.' }) _postId: string,
    @Arg('after', () => String, {
      nullable: true,
      description: 'A comment cursor (`Comment.cursor`): replay the comments added after it first.',
    })
    _after?: string,
  ): Comment {
    return comment;
  }

  @FieldResolver(() => String, {
    description: 'Opaque cursor of this comment, for `commentAdded(after:)` and `after` arguments.',
  })
  cursor(@Root() comment: Comment): string {
    return encodeCursor([comment.id]);
  }

  // Comment pages that were not asked for `bodyHtml` leave it unread (see `commentsPage`): read here if asked after all.
  @FieldResolver(() => Boolean, {
    description:
      "Hidden by moderation (reports past the community's threshold, or a HIDE decision): readers other than its author and the community's moderators read `[hidden by moderation]` instead of its body.",
  })
  hidden(@Root() comment: Comment): boolean {
    return !!comment.hiddenAt;
  }

  @FieldResolver(() => Boolean, {
    description: 'You blocked its author: its body reads `[from a member you blocked]` to you.',
  })
  viewerBlockedAuthor(@Root() comment: Comment, @Ctx() ctx: Context): boolean {
    return ctx.viewer.blocked.has(comment.author.id);
  }

  // A comment hidden by moderation shows its texts to its author and the moderators only (hidden-content.ts).
  @FieldResolver()
  body(@Root() comment: Comment, @Ctx() ctx: Context): string | Promise<string> {
    return masked(ctx, comment) ? commentText(ctx, comment, comment.body) : comment.body;
  }

  @FieldResolver()
  bodyHtml(@Root() comment: Comment, @Ctx() ctx: Context): string | Promise<string> {
    if (masked(ctx, comment)) {
      return (comment.bodyHtml != null ? Promise.resolve(comment) : ctx.loaders.commentTexts.load(comment.id)).then(
        (t) => commentText(ctx, comment, t.bodyHtml, true),
      );
    }
    return comment.bodyHtml ?? ctx.loaders.commentTexts.load(comment.id).then((t) => t.bodyHtml);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Null once the comment is deleted.' })
  author(@Root() comment: Comment, @Ctx() { loaders }: Context): User | null | Promise<User | null> {
    // Primed by the page that brought the comment (its statement joins the authors): at once.
    return comment.deletedAt ? null : (listedAuthor(comment) ?? loaders.user.value(comment.author.id));
  }

  @FieldResolver(() => Post, { description: 'The post the comment is on.' })
  async post(@Root() comment: Comment, @Ctx() { loaders }: Context): Promise<Post> {
    return (await loaders.post.load(comment.post.id))!;
  }

  @FieldResolver(() => Comment, { nullable: true, description: 'The comment this one replies to.' })
  async parent(@Root() comment: Comment, @Ctx() { loaders }: Context): Promise<Comment | null> {
    return comment.parent ? loaders.comment.load(comment.parent.id) : null;
  }

  @FieldResolver(() => VoteValue, { description: 'Your vote; NONE when you have not voted or are anonymous.' })
  async viewerVote(@Root() comment: Comment, @Ctx() { loaders, viewer }: Context): Promise<VoteValue> {
    return viewer.userId === null ? VoteValue.NONE : VOTE_VALUE_OF[await loaders.viewerCommentVote.load(comment.id)];
  }

  @FieldResolver(() => [ReactionCount], {
    complexity: boundedListComplexity(POST_LIMITS.reactionsShown),
    description: `The most used emoji (at most ${POST_LIMITS.reactionsShown}), most used first.`,
  })
  reactions(@Root() comment: Comment, @Ctx() { loaders }: Context): Promise<ReactionCount[]> {
    return loaders.commentReactions.load(comment.id);
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether you may edit this comment (its author, not banned from the community; not once deleted).',
  })
  async viewerCanUpdate(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> {
    if (comment.deletedAt || ctx.viewer.userId === null) return false;
    return allowed(ctx, 'comment.update', { comment, post: (await ctx.loaders.post.load(comment.post.id))! });
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether you may delete this comment (its author or a moderator, not banned from the community; not once deleted).',
  })
  async viewerCanDelete(@Root() comment: Comment, @Ctx() ctx: Context): Promise<boolean> {
    if (comment.deletedAt || ctx.viewer.userId === null) return false;
    return allowed(ctx, 'comment.delete', { comment, post: (await ctx.loaders.post.load(comment.post.id))! });
  }

  @FieldResolver(() => CommentConnection, { complexity: connectionComplexity, description: 'Replies, oldest first.' })
  // Not validated per item: `first` and `last` are range-checked once per operation by the cost limit (connectionComplexity).
  async replies(
    @Root() comment: Comment,
    @Args({ validate: false }) args: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const page = idPage(args);
    const { html, lean } = commentPageShape(info);
    const rows = await ctx.loaders.commentsPage.load({
      postId: comment.post.id,
      parentId: comment.id,
      html,
      lean,
      ...idRange(page),
    });
    return commentConnection(ctx, rows, page, lean, () => comment.replyCount);
  }
}
