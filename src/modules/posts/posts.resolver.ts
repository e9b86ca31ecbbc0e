import { getArgumentValues, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Info,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
  createUnionType,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import {
  connectionNodeFields,
  connectionNodeSelections,
  selectsOnNodes,
  subfieldNames,
} from '../../platform/selection';
import {
  Connection,
  PageArgs,
  boundedListComplexity,
  connectionComplexity,
  idPage,
  idRange,
  toConnection,
  type IdRange,
  type PageRequest,
} from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { LISTED_AUTHOR_FIELDS, listedAuthor } from '../identity/user-views';
import { LEAN_COMMENT_FIELDS, type CommentPageShape } from './posts.loaders';
import { LEAN_POST_FIELDS, communityPosts, viewerFeed, type ListingReads } from './feeds';
import { Comment, Post } from './posts.entity';
import { postAddedStream } from './post-stream';
import {
  CreatePostInput,
  ModeratePostInput,
  POST_LIMITS,
  PostsArgs,
  ReactInput,
  ReactionCount,
  RemovePostInput,
  SetReactionInput,
  SetVoteInput,
  UpdatePostInput,
  VoteInput,
  VoteValue,
  VOTE_VALUE_OF,
} from './posts.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as posts from './posts.service';
import { allowed } from '../communities/policies';
import { react, subjectRef, vote, type Subject } from './votes.service';
import { commentFromRow } from './rows';
import { masked, postText } from './hidden-content';
import { takeFoldedPosts } from './community-posts-rider';
import { assertCanReadContent } from '../communities/communities.service';

@ObjectType()
export class PostConnection extends Connection(Post, 'Post') {}
@ObjectType()
export class CommentConnection extends Connection(Comment, 'Comment', {
  totalCount:
    'How many comments the thread level holds (all pages, deleted ones included): of a post, its top-level comments; of a comment, its `replyCount`. Both are kept on the post or comment with each comment added: reading them costs no statement.',
}) {}

export const Votable = createUnionType({
  name: 'Votable',
  description: 'Something members vote and react on.',
  types: () => [Post, Comment] as const,
  resolveType: (value) => (value instanceof Post ? Post : Comment),
});

const subjectOf = (s: Subject) => (s.kind === 'post' ? s.post : s.comment);

/** Whether every field of `fields` is one of `leanFields` (those a lean read answers). */
function onlyLean(fields: ReadonlySet<string>, leanFields: ReadonlySet<string>): boolean {
  for (const name of fields) if (!leanFields.has(name)) return false;
  return true;
}

/** Whether a listing's nodes ask their `author` for LISTED_AUTHOR_FIELDS at most (or not at all). */
function asksAuthorHandleOnly(nodes: readonly FieldNode[], fragments: GraphQLResolveInfo['fragments']): boolean {
  for (const name of subfieldNames(nodes, 'author', fragments)) if (!LISTED_AUTHOR_FIELDS.has(name)) return false;
  return true;
}

const pageShapes = new WeakMap<FieldNode, CommentPageShape>();

/**
 * The shape of the page a comment connection field (`Post.comments`, `Comment.replies`) reads: with
 * `body_html` when its nodes ask for `bodyHtml`; lean when they ask for LEAN_COMMENT_FIELDS only
 * and their author for its id and handle at most. Worked out once per field of a document.
 */
export function commentPageShape(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): CommentPageShape {
  const only = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  let shape = only && pageShapes.get(only);
  if (!shape) {
    const fields = connectionNodeFields(info);
    shape = {
      html: fields.has('bodyHtml'),
      lean:
        onlyLean(fields, LEAN_COMMENT_FIELDS) && asksAuthorHandleOnly(connectionNodeSelections(info), info.fragments),
    };
    if (only) pageShapes.set(only, shape);
  }
  return shape;
}

/**
 * What a post listing's selection asks of its posts (see `listPosts`): their texts, their authors'
 * id and handle only or more, and the first page of comments its nodes select, when they all select
 * the same one. That page is read as the `comments` field below would read it (same size, same
 * shape), so priming its loader changes nothing the field answers.
 */
export function listingReads(info: GraphQLResolveInfo): ListingReads {
  const text = selectsOnNodes(info, 'body', 'bodyHtml');
  const nodes = connectionNodeSelections(info);
  const reads: ListingReads = {
    text,
    authorHandles: asksAuthorHandleOnly(nodes, info.fragments),
    lean: onlyLean(connectionNodeFields(info), LEAN_POST_FIELDS),
    firstComments: null,
  };
  let firstComments: ListingReads['firstComments'] = null;
  const commentsField = (info.schema.getType('Post') as GraphQLObjectType).getFields().comments;
  for (const node of nodes) {
    if (node.name.value !== 'comments') continue;
    const args = getArgumentValues(commentsField, node, info.variableValues) as PageArgs;
    // Only a first page read forwards is read with the posts (and a bad size is the field's to answer).
    if (args.after != null || args.before != null || args.last != null) return reads;
    let range: IdRange;
    try {
      range = idRange(idPage(args));
    } catch {
      return reads;
    }
    const page = { ...range, ...commentPageShape({ fieldNodes: [node], fragments: info.fragments }) };
    if (firstComments && (firstComments.size !== page.size || firstComments.html !== page.html)) return reads;
    // A whole page answers any lean selection too (the field looks for it: see `comments`).
    firstComments = firstComments && firstComments.lean !== page.lean ? { ...page, lean: false } : page;
  }
  return { ...reads, firstComments };
}

/**
 * Builds a comment connection from rows of the comments page loader (authors joined; `lean`: see
 * CommentsPageKey), with the count of the whole thread level (maintained on its post or parent).
 */
export function commentConnection(
  ctx: Context,
  rows: Record<string, unknown>[],
  page: PageRequest,
  lean: boolean,
  count: () => number,
) {
  const comments = rows.map((row) => commentFromRow(ctx.loaders, row, lean));
  return toConnection(comments, page, (c) => [c.id], count);
}

@Resolver(() => Post)
export class PostsResolver {
  @Query(() => Post, {
    nullable: true,
    description: 'A post by id; null when it does not exist or you may not read it.',
  })
  async post(
    @Arg('id', () => ID, { description: 'Global id of the post.' }) id: string,
    @Ctx() { loaders, viewer }: Context,
  ): Promise<Post | null> {
    return nullIfHidden(posts.readablePost(loaders, viewer, fromGlobalId('Post', id)).then((r) => r.post));
  }

  @Query(() => PostConnection, {
    complexity: connectionComplexity,
    description: 'Posts from every community you belong to.',
  })
  feed(@Args() args: PostsArgs, @Ctx() { em, loaders, viewer }: Context, @Info() info: GraphQLResolveInfo) {
    return viewerFeed(em, loaders, viewer, args, listingReads(info));
  }

  @Mutation(() => Post, { description: 'Writes a post in a community you belong to. The body is Markdown.' })
  createPost(
    @Arg('input', { description: 'The post to write.' }) input: CreatePostInput,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return posts.createPost(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Subscription(() => Post, {
    description:
      'New posts of a community you can read (or of one of its channels), as they are created: only those of channels you may read and, without `channelId`, did not mute.',
    subscribe: ({ args, context }) =>
      postAddedStream(
        context as Context,
        fromGlobalId('Community', args.communityId as string, 'communityId'),
        args.channelId ? fromGlobalId('Channel', args.channelId as string, 'channelId') : null,
      ),
  })
  postAdded(
    @Root() post: Post,
    @Arg('communityId', () => ID, { description: 'Global id of the community to follow.' }) _communityId: string,
    @Arg('channelId', () => ID, {
      nullable: true,
      description: "Global id of one of its channels: only that channel's posts (muted or not).",
    })
    _channelId?: string,
  ): Post {
    return post;
  }

  @Mutation(() => Post, { description: 'Edits your post.' })
  updatePost(
    @Arg('input', { description: 'The post and the changes.' }) input: UpdatePostInput,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return posts.updatePost(ctx, { ...input, id: fromGlobalId('Post', input.id) });
  }

  @Mutation(() => Post, { description: 'Removes a post (yours, or any as a moderator). Its thread stays.' })
  removePost(
    @Arg('input', { description: 'The post to remove.' }) input: RemovePostInput,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return posts.deletePost(ctx, fromGlobalId('Post', input.id));
  }

  @Mutation(() => Post, {
    description:
      'Pins or unpins a post, locks or unlocks its comments, moves it to another channel (MODERATOR or above).',
  })
  moderatePost(
    @Arg('input', { description: 'The post, whether it is pinned and locked, and its channel.' })
    input: ModeratePostInput,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return posts.moderatePost(ctx, {
      id: fromGlobalId('Post', input.id),
      pinned: input.pinned ?? undefined,
      locked: input.locked ?? undefined,
      channelId: input.channelId ? fromGlobalId('Channel', input.channelId, 'channelId') : undefined,
    });
  }

  @Mutation(() => Votable, {
    description: 'Votes UP or DOWN on a post or comment, or withdraws with NONE. One vote per member; not on your own.',
  })
  async setVote(
    @Arg('input', { description: 'The post or comment and your vote.' }) input: SetVoteInput,
    @Ctx() ctx: Context,
  ) {
    return subjectOf(await vote(ctx, { subject: subjectRef(input.subjectId), value: input.value }));
  }

  @Mutation(() => Votable, { description: 'Adds your emoji reaction to a post or comment, or takes it back.' })
  async setReaction(
    @Arg('input', { description: 'The post or comment, the emoji and whether you react with it.' })
    input: SetReactionInput,
    @Ctx() ctx: Context,
  ) {
    return subjectOf(
      await react(ctx, { subject: subjectRef(input.subjectId), emoji: input.emoji, remove: !input.reacted }),
    );
  }

  @Mutation(() => Post, {
    description: 'Deletes a post (yours, or any as a moderator). Its thread stays.',
    deprecationReason: replacedBy('deletePost'),
  })
  deletePost(
    @Arg('id', () => ID, { description: 'Global id of the post.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return this.removePost({ id }, ctx);
  }

  @Mutation(() => Post, {
    description: 'Pins or unpins a post (MODERATOR or above).',
    deprecationReason: replacedBy('pinPost'),
  })
  pinPost(
    @Arg('id', () => ID, { description: 'Global id of the post.' }) id: string,
    @Arg('pinned', { description: 'True to pin, false to unpin.' }) pinned: boolean,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return this.moderatePost({ id, pinned }, ctx);
  }

  @Mutation(() => Post, {
    description: "Locks or unlocks a post's comments (MODERATOR or above).",
    deprecationReason: replacedBy('lockPost'),
  })
  lockPost(
    @Arg('id', () => ID, { description: 'Global id of the post.' }) id: string,
    @Arg('locked', { description: 'True to lock (no new comments), false to unlock.' }) locked: boolean,
    @Ctx() ctx: Context,
  ): Promise<Post> {
    return this.moderatePost({ id, locked }, ctx);
  }

  @Mutation(() => Votable, {
    description: 'Votes UP or DOWN on a post or comment, or withdraws with NONE. One vote per member; not on your own.',
    deprecationReason: replacedBy('vote'),
  })
  vote(@Arg('input', { description: 'The post or comment and the vote.' }) input: VoteInput, @Ctx() ctx: Context) {
    return this.setVote(input, ctx);
  }

  @Mutation(() => Votable, {
    description: 'Adds (or removes) an emoji reaction to a post or comment.',
    deprecationReason: replacedBy('react'),
  })
  react(
    @Arg('input', { description: 'The post or comment, the emoji and whether to remove it.' }) input: ReactInput,
    @Ctx() ctx: Context,
  ) {
    return this.setReaction({ subjectId: input.subjectId, emoji: input.emoji, reacted: !input.remove }, ctx);
  }

  // Listings that were not asked for the texts leave them unread (see `listPosts`): read here if asked after all.
  @FieldResolver(() => Boolean, {
    description:
      "Hidden by moderation (reports past the community's threshold, or a HIDE decision): readers other than its author and the community's moderators read `[hidden by moderation]` instead of its title and body.",
  })
  hidden(@Root() post: Post): boolean {
    return !!post.hiddenAt;
  }

  @FieldResolver(() => Boolean, {
    description: 'You blocked its author: its title and body read `[from a member you blocked]` to you.',
  })
  viewerBlockedAuthor(@Root() post: Post, @Ctx() ctx: Context): boolean {
    return ctx.viewer.blocked.has(post.author.id);
  }

  // A post hidden by moderation shows its texts to its author and the moderators only (hidden-content.ts).
  @FieldResolver()
  title(@Root() post: Post, @Ctx() ctx: Context): string | Promise<string> {
    return masked(ctx, post) ? postText(ctx, post, post.title) : post.title;
  }

  @FieldResolver()
  body(@Root() post: Post, @Ctx() ctx: Context): string | Promise<string> {
    if (masked(ctx, post)) return this.texts(post, ctx).then((t) => postText(ctx, post, t.body));
    return post.body ?? ctx.loaders.postTexts.load(post.id).then((t) => t.body);
  }

  @FieldResolver()
  bodyHtml(@Root() post: Post, @Ctx() ctx: Context): string | Promise<string> {
    if (masked(ctx, post)) return this.texts(post, ctx).then((t) => postText(ctx, post, t.bodyHtml, true));
    return post.bodyHtml ?? ctx.loaders.postTexts.load(post.id).then((t) => t.bodyHtml);
  }

  private async texts(post: Post, ctx: Context): Promise<{ body: string; bodyHtml: string }> {
    return post.body != null && post.bodyHtml != null ? post : ctx.loaders.postTexts.load(post.id);
  }

  // The author, community, vote and first comments of a listed post were primed by the listing's
  // statement: they are returned at once (`value`), not through a promise.
  @FieldResolver(() => User, { nullable: true, description: 'Null once the post is deleted.' })
  author(@Root() post: Post, @Ctx() { loaders }: Context): User | null | Promise<User | null> {
    return post.deletedAt ? null : (listedAuthor(post) ?? loaders.user.value(post.author.id));
  }

  @FieldResolver(() => Community, { description: 'The community the post belongs to.' })
  community(@Root() post: Post, @Ctx() { loaders }: Context): Community | Promise<Community> {
    return loaders.community.value(post.community.id) as Community | Promise<Community>;
  }

  @FieldResolver(() => VoteValue, { description: 'Your vote; NONE when you have not voted or are anonymous.' })
  viewerVote(@Root() post: Post, @Ctx() { loaders, viewer }: Context): VoteValue | Promise<VoteValue> {
    if (viewer.userId === null) return VoteValue.NONE;
    const vote = loaders.viewerPostVote.value(post.id);
    return typeof vote === 'number' ? VOTE_VALUE_OF[vote] : vote.then((v) => VOTE_VALUE_OF[v]);
  }

  @FieldResolver(() => [ReactionCount], {
    complexity: boundedListComplexity(POST_LIMITS.reactionsShown),
    description: `The most used emoji (at most ${POST_LIMITS.reactionsShown}), most used first.`,
  })
  reactions(@Root() post: Post, @Ctx() { loaders }: Context): Promise<ReactionCount[]> {
    return loaders.postReactions.load(post.id);
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether you may edit this post (its author, not banned from the community; not once deleted).',
  })
  async viewerCanUpdate(@Root() post: Post, @Ctx() ctx: Context): Promise<boolean> {
    return !post.deletedAt && (await allowed(ctx, 'post.update', post));
  }

  @FieldResolver(() => Boolean, {
    description:
      'Whether you may delete this post (its author or a moderator, not banned from the community; not once deleted).',
  })
  async viewerCanDelete(@Root() post: Post, @Ctx() ctx: Context): Promise<boolean> {
    return !post.deletedAt && (await allowed(ctx, 'post.delete', post));
  }

  @FieldResolver(() => CommentConnection, {
    complexity: connectionComplexity,
    description: 'Top-level comments, oldest first.',
  })
  // Not validated per item: `first` and `last` are range-checked once per operation by the cost limit (connectionComplexity).
  comments(
    @Root() post: Post,
    @Args({ validate: false }) args: PageArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const page = idPage(args);
    const { html, lean } = commentPageShape(info);
    const key = { postId: post.id, parentId: null, html, lean, ...idRange(page) };
    const pages = ctx.loaders.commentsPage;
    // A lean selection is answered by the whole page when the listing primed that one.
    const rows = (lean ? (pages.primed(key) ?? pages.primed({ ...key, lean: false })) : undefined) ?? pages.value(key);
    const count = () => post.topLevelCommentCount;
    return Array.isArray(rows)
      ? commentConnection(ctx, rows, page, lean, count)
      : rows.then((r) => commentConnection(ctx, r, page, lean, count));
  }
}

@Resolver(() => Community)
export class CommunityPostsResolver {
  @FieldResolver(() => PostConnection, {
    complexity: connectionComplexity,
    description: "The community's posts, pinned first. RESTRICTED and PRIVATE communities: members only.",
  })
  async posts(
    @Root() community: Community,
    @Args() args: PostsArgs,
    @Ctx() { em, loaders, viewer }: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const folded = takeFoldedPosts(loaders, info, community.id);
    if (folded) {
      await assertCanReadContent(loaders, viewer, community);
      return folded();
    }
    return communityPosts(em, loaders, viewer, community, args, listingReads(info));
  }
}
