import type { EntityManager } from '@mikro-orm/postgresql';
import { publishAfterCommit, type PubSub } from '../../platform/pubsub/pubsub';
import { sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Logger } from '../../platform/logger';
import { actorIn } from '../communities/communities.service';
import { assertCan, can } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { renderMarkdown } from './markdown';
import { Comment } from './posts.entity';
import { managed } from './rows';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { POST_LIMITS } from './posts.inputs';
import { DELETED_TEXT, assertNotBlank, readablePost } from './posts.service';

export interface CommentDeps {
  em: EntityManager;
  loaders: Loaders;
  viewer: Viewer;
  pubsub: PubSub;
  log: Logger;
}

/** A comment the viewer may read, with its post. */
export async function readableComment(loaders: Loaders, viewer: Viewer, commentId: number) {
  const comment = await loaders.comment.load(commentId);
  if (!comment) throw new NotFound('Comment');
  const { post, community } = await readablePost(loaders, viewer, comment.post.id).catch(() => {
    throw new NotFound('Comment');
  });
  return { comment, post, community };
}

/**
 * Adds a comment or reply (members; not on locked or deleted posts; replies nest at most
 * POST_LIMITS.maxCommentDepth deep). The comment and the counters move in one transaction;
 * `commentAdded` is published after it commits. A failed publish (Redis down past its timeout) is
 * logged, not thrown: the comment is committed, and subscribers catch up from PostgreSQL when
 * pub/sub comes back.
 */
export async function addComment(
  { em, loaders, viewer, pubsub, log }: CommentDeps, postId: number, parentId: number | null, body: string,
): Promise<Comment> {
  const userId = requireUser(viewer);
  const { post } = await readablePost(loaders, viewer, postId);
  assertCan(await actorIn(loaders, viewer, post.community.id), 'posts.write');
  if (post.deletedAt) throw new BadInput('This post was deleted', 'postId');
  if (post.locked) throw new Forbidden('This post is locked: it takes no new comments');
  assertNotBlank(body);
  let depth = 0;
  if (parentId !== null) {
    const parent = await loaders.comment.load(parentId);
    if (!parent || parent.post.id !== postId) throw new BadInput('The parent comment is not on this post', 'parentId');
    depth = parent.depth + 1;
    if (depth > POST_LIMITS.maxCommentDepth) {
      throw new BadInput(`Replies nest at most ${POST_LIMITS.maxCommentDepth + 1} levels deep`, 'parentId');
    }
  }
  const comment = await em.transactional(async (tx) => {
    // Checked again under the row's KEY SHARE lock (the one the comment's foreign key takes anyway):
    // lockPost takes FOR UPDATE, so a comment racing a lock either commits first or sees it.
    const [state] = await sql<{ locked: boolean; deleted: boolean }[]>(
      tx, 'select locked, deleted_at is not null as deleted from posts where id = ? for key share', [postId],
    );
    if (state?.deleted) throw new BadInput('This post was deleted', 'postId');
    if (state?.locked) throw new Forbidden('This post is locked: it takes no new comments');
    const created = tx.create(Comment, {
      post: postId, parent: parentId, author: userId, body, bodyHtml: renderMarkdown(body), depth,
      score: 0, replyCount: 0, featured: false, createdAt: new Date(),
    });
    await tx.flush();
    await sql(tx, 'update posts set comment_count = comment_count + 1 where id = ?', [postId], 'run');
    if (parentId !== null) await sql(tx, 'update comments set reply_count = reply_count + 1 where id = ?', [parentId], 'run');
    return created;
  });
  await publishAfterCommit<CommentAddedEvent>(pubsub, log, postTopics.commentAdded(postId), { commentId: comment.id });
  return comment;
}

/** Edits a comment: its author only, while it is not deleted. */
export async function updateComment({ em, loaders, viewer }: CommentDeps, commentId: number, body: string): Promise<Comment> {
  const userId = requireUser(viewer);
  const comment = await managed(em, (await readableComment(loaders, viewer, commentId)).comment);
  if (comment.author.id !== userId) throw new Forbidden('Only the author can edit a comment');
  if (comment.deletedAt) throw new BadInput('A deleted comment cannot be edited', 'id');
  assertNotBlank(body);
  comment.body = body;
  comment.bodyHtml = renderMarkdown(body);
  comment.editedAt = new Date();
  await em.flush();
  return comment;
}

/** Soft-deletes a comment (its author or a moderator): replies stay, body and author are hidden. */
export async function deleteComment({ em, loaders, viewer }: CommentDeps, commentId: number): Promise<Comment> {
  const userId = requireUser(viewer);
  const readable = await readableComment(loaders, viewer, commentId);
  const { post } = readable;
  const comment = await managed(em, readable.comment);
  if (comment.author.id !== userId && !can(await actorIn(loaders, viewer, post.community.id), 'posts.moderate')) {
    throw new Forbidden('Only the author or a moderator can delete a comment');
  }
  if (!comment.deletedAt) {
    comment.deletedAt = new Date();
    comment.body = DELETED_TEXT;
    comment.bodyHtml = `<p>${DELETED_TEXT}</p>`;
    comment.featured = false;
    await em.flush();
  }
  return comment;
}

/** Features or unfeatures a comment (moderators). */
export async function featureComment({ em, loaders, viewer }: CommentDeps, commentId: number, featured: boolean): Promise<Comment> {
  requireUser(viewer);
  const readable = await readableComment(loaders, viewer, commentId);
  const { post } = readable;
  const comment = await managed(em, readable.comment);
  assertCan(await actorIn(loaders, viewer, post.community.id), 'posts.moderate');
  if (featured && comment.deletedAt) throw new BadInput('A deleted comment cannot be featured', 'id');
  comment.featured = featured;
  await em.flush();
  return comment;
}
