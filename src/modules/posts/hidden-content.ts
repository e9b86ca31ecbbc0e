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

/** Content other than posts and comments, for `contentText`: its author and how to find its community. */
export interface MaskableContent {
  hiddenAt?: Date | null;
  authorId: number;
  /** The community whose moderators read it when hidden (null: none, read the placeholder). */
  communityId: () => number | null | Promise<number | null>;
}

/**
 * A chat message's, event's, poll's or poll option's text as the viewer may read it (see
 * `postText`): BLOCKED_TEXT when the viewer blocked its author, HIDDEN_TEXT when it is hidden and
 * the viewer is neither its author nor a moderator of its community, else `text`.
 */
export function contentText(ctx: Context, content: MaskableContent, text: string): string | Promise<string> {
  return maskedAs(ctx, content, text, BLOCKED_TEXT, HIDDEN_TEXT);
}

/** An optional text (an event's location or link) as the viewer may read it: null where `contentText` reads a placeholder. */
export function optionalContentText(
  ctx: Context,
  content: MaskableContent,
  text: string | null,
): string | null | Promise<string | null> {
  return maskedAs(ctx, content, text, null, null);
}

function maskedAs<T extends string | null, P extends string | null>(
  ctx: Context,
  content: MaskableContent,
  text: T,
  blocked: P,
  hidden: P,
): T | P | Promise<T | P> {
  if (ctx.viewer.blocked.has(content.authorId)) return blocked;
  if (!content.hiddenAt) return text;
  return (async () => {
    const communityId = await content.communityId();
    return communityId !== null && (await readsHidden(ctx, content.authorId, communityId)) ? text : hidden;
  })();
}

/** Whether `contentText` must be asked at all (the common case is no). */
export const maskable = (ctx: Context, content: { hiddenAt?: Date | null; authorId: number }) =>
  !!content.hiddenAt || (ctx.viewer.blocked.size > 0 && ctx.viewer.blocked.has(content.authorId));
