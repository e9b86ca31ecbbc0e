import type { Context } from '../../platform/context';
import { actorIn } from '../communities/communities.service';
import { can } from '../communities/permissions';
import type { Comment, Post } from './posts.entity';

/** What readers see instead of the text of content hidden by moderation (see README, Moderation). */
export const HIDDEN_TEXT = '[hidden by moderation]';
export const HIDDEN_HTML = `<p>${HIDDEN_TEXT}</p>`;

/**
 * Whether the viewer reads the text of content hidden by moderation: its author and whoever
 * reviews the community's queue (`moderation.review`). Everyone else, anonymous readers and shared
 * subscription executions (which run as anonymous) included, reads HIDDEN_TEXT.
 */
async function readsHidden(ctx: Context, authorId: number, communityId: number): Promise<boolean> {
  if (ctx.viewer.userId === null) return false;
  if (ctx.viewer.userId === authorId) return true;
  return can(await actorIn(ctx.loaders, ctx.viewer, communityId), 'moderation.review');
}

/**
 * A post's text field as the viewer may read it: `text` itself unless the post is hidden (no
 * statement, no promise: the common case); for a hidden post, `text` for its author and the
 * community's moderators, `placeholder` for everyone else.
 */
export function postText(ctx: Context, post: Post, text: string, placeholder: string): string | Promise<string> {
  if (!post.hiddenAt) return text;
  return readsHidden(ctx, post.author.id, post.community.id).then((reads) => (reads ? text : placeholder));
}

/** A comment's text field as the viewer may read it (see `postText`). */
export function commentText(
  ctx: Context,
  comment: Comment,
  text: string,
  placeholder: string,
): string | Promise<string> {
  if (!comment.hiddenAt) return text;
  return (async () => {
    const post = await ctx.loaders.post.load(comment.post.id);
    return post && (await readsHidden(ctx, comment.author.id, post.community.id)) ? text : placeholder;
  })();
}
