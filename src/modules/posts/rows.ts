import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../../platform/loaders';
import { ref, timestamp, view } from '../../platform/views';
import { LISTED_AUTHOR, handleAuthor, takeAuthor } from '../identity/user-views';
import type { User } from '../identity/identity.entity';
import { Comment, Post } from './posts.entity';

/** A post view; `author`: its author as the listing read it (see LISTED_AUTHOR). */
export function postView(r: Record<string, unknown>, author?: User): Post {
  return view(Post, {
    id: r.id,
    community: ref(r.community_id),
    channel: ref(r.channel_id),
    author: ref(r.author_id),
    title: r.title,
    body: r.body,
    bodyHtml: r.body_html,
    tags: r.tags,
    score: r.score,
    hot: r.hot,
    commentCount: r.comment_count,
    topLevelCommentCount: r.top_level_comment_count,
    pinned: r.pinned,
    locked: r.locked,
    createdAt: timestamp(r.created_at),
    editedAt: timestamp(r.edited_at),
    deletedAt: timestamp(r.deleted_at),
    hiddenAt: timestamp(r.hidden_at),
    [LISTED_AUTHOR]: author,
  });
}

/** A comment view; `author`: its author as the page read it (see LISTED_AUTHOR). */
export function commentView(r: Record<string, unknown>, author?: User): Comment {
  return view(Comment, {
    id: r.id,
    post: ref(r.post_id),
    parent: ref(r.parent_id),
    author: ref(r.author_id),
    body: r.body,
    bodyHtml: r.body_html,
    depth: r.depth,
    score: r.score,
    replyCount: r.reply_count,
    featured: r.featured,
    createdAt: timestamp(r.created_at),
    editedAt: timestamp(r.edited_at),
    deletedAt: timestamp(r.deleted_at),
    hiddenAt: timestamp(r.hidden_at),
    [LISTED_AUTHOR]: author,
  });
}

/**
 * A comment view from a row with joined author columns; the comment and its author are primed in
 * `loaders`. A lean row (a preview's, see CommentsPageKey.lean) holds part of them: its author is
 * kept on the comment (LISTED_AUTHOR) and neither is primed.
 */
export function commentFromRow(loaders: Loaders, row: Record<string, unknown>, lean = false): Comment {
  if (lean) return commentView(row, handleAuthor(row));
  const comment = commentView(takeAuthor(loaders, row));
  loaders.comment.prime(comment.id, comment);
  return comment;
}

/**
 * The managed entity behind a (possibly read-only) view, for services that change it: from the
 * identity map when the request already loaded it, otherwise one statement.
 */
export function managed<T extends Post | Comment>(em: EntityManager, entity: T): Promise<T> {
  return em.findOneOrFail(entity.constructor as never, { id: entity.id } as never) as Promise<T>;
}
