import type { Context } from '../../platform/context';
import { actorIn } from '../communities/communities.service';
import { can } from '../communities/permissions';
import type { Comment, Post } from './posts.entity';

/** What readers see instead of the text of content hidden by moderation (see README, Moderation). */
export const HIDDEN_TEXT = '[hidden by moderation]';
export const HIDDEN_HTML = `<p>${HIDDEN_TEXT}</p>`;
/** What a member reads instead of the text of content by a user they blocked. */
export const BLOCKED_TEXT = '[from a member you blocked]';
export const BLOCKED_HTML = `<p>${BLOCKED_TEXT}</p>`;

/** Whether a text field must be looked at twice: hidden by moderation, or by an author the viewer blocked. */
export function masked(ctx: Context, content: { hiddenAt?: Date | null; author: { id: number } }): boolean {
  return !!content.hiddenAt || (ctx.viewer.blocked.size > 0 && ctx.viewer.blocked.has(content.author.id));
}

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
 * A post's text field as the viewer may read it: BLOCKED_TEXT when the viewer blocked its author;
 * `text` itself unless the post is hidden (no statement, no promise: the common case); for a hidden
 * post, `text` for its author and the community's moderators, HIDDEN_TEXT for everyone else
 * (`html`: their HTML forms).
 */
export function postText(ctx: Context, post: Post, text: string, html = false): string | Promise<string> {
  if (ctx.viewer.blocked.has(post.author.id)) return html ? BLOCKED_HTML : BLOCKED_TEXT;
  if (!post.hiddenAt) return text;
  const placeholder = html ? HIDDEN_HTML : HIDDEN_TEXT;
  return readsHidden(ctx, post.author.id, post.community.id).then((reads) => (reads ? text : placeholder));
}

/** A comment's text field as the viewer may read it (see `postText`). */
export function commentText(ctx: Context, comment: Comment, text: string, html = false): string | Promise<string> {
  if (ctx.viewer.blocked.has(comment.author.id)) return html ? BLOCKED_HTML : BLOCKED_TEXT;
  if (!comment.hiddenAt) return text;
  const placeholder = html ? HIDDEN_HTML : HIDDEN_TEXT;
  return (async () => {
    const post = await ctx.loaders.post.load(comment.post.id);
    return post && (await readsHidden(ctx, comment.author.id, post.community.id)) ? text : placeholder;
  })();
}
