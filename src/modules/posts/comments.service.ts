import type { EntityManager } from '@mikro-orm/postgresql';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { fastSql, sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, Forbidden, NotFound, nullIfHidden } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Logger } from '../../platform/logger';
import { actorIn } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { authorize } from '../communities/policies';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { renderMarkdown } from './markdown';
import { Comment } from './posts.entity';
import { commentView, managed } from './rows';
import { postTopics, type CommentAddedEvent } from './posts.events';
import { POST_LIMITS } from './posts.inputs';
import { DELETED_TEXT, assertNotBlank, primeWriteSubject, readablePost } from './posts.service';
import type { Leaderboards } from '../reputation/leaderboards';
import { award, EARNED_BY_CONTENT, reverse, reverseSubject, settle } from '../reputation/ledger';
import { ReputationReason, ReputationSubjectType } from '../reputation/reputation.entity';
import { commentatorAwardStep } from '../reputation/badges';
import { recordModeration } from '../moderation/moderation-log';
import { AutoModSubject } from '../moderation/automod-engine';
import { applyVerdict, screenWrite } from '../moderation/automod';
import { mentionsInMarkdown } from '../notifications/notifications.service';
import { queueChanged } from '../moderation/moderation.service';
import { assertMentionsAllowed } from '../moderation/blocks';
import { ModerationLogAction, ModerationSubjectType } from '../moderation/moderation.entity';
import { QuestAction } from '../quests/quests.entity';
import { liveGoals, matching, recordQuests, unrecordContent } from '../quests/quests.record';

export interface CommentDeps {
  em: EntityManager;
  loaders: Loaders;
  viewer: Viewer;
  pubsub: PubSub;
  log: Logger;
  leaderboards: Leaderboards;
}

/** A comment the viewer may read, with its post. */
export async function readableComment(loaders: Loaders, viewer: Viewer, commentId: number) {
  const comment = await loaders.comment.load(commentId);
  if (!comment) throw new NotFound('Comment');
  const readable = await nullIfHidden(readablePost(loaders, viewer, comment.post.id));
  if (!readable) throw new NotFound('Comment');
  const { post, community, channel } = readable;
  return { comment, post, community, channel };
}

/**
 * Adds a comment or reply (members; not on locked or deleted posts; replies nest at most
 * POST_LIMITS.maxCommentDepth deep). The comment and the counters move in one statement;
 * `commentAdded` is published after it commits. A failed publish (Redis down past its timeout) is
 * logged, not thrown: the comment is committed, and subscribers catch up from PostgreSQL when
 * pub/sub comes back.
 */
export async function addComment(
  { em, loaders, viewer, pubsub, log, leaderboards }: CommentDeps,
  postId: number,
  parentId: number | null,
  body: string,
): Promise<Comment> {
  const userId = requireUser(viewer);
  // A reply's parent brings its post with it (the check below tells when it is another post's).
  const { authorBlocksViewer } = await primeWriteSubject(
    em,
    loaders,
    userId,
    parentId === null ? { post: postId } : { comment: parentId },
    { blockedBy: true },
  );
  const { post, channel } = await readablePost(loaders, viewer, postId);
  assertCan(await actorIn(loaders, viewer, post.community.id), 'posts.write', channel);
  if (post.deletedAt) throw new BadInput('This post was deleted', 'postId');
  if (post.locked) throw new Forbidden('This post is locked: it takes no new comments');
  assertNotBlank(body);
  if (authorBlocksViewer) throw new Forbidden('You cannot reply here: its author blocked you');
  await assertMentionsAllowed(em, userId, body);
  let depth = 0;
  if (parentId !== null) {
    const parent = await loaders.comment.load(parentId);
    if (!parent || parent.post.id !== postId) throw new BadInput('The parent comment is not on this post', 'parentId');
    depth = parent.depth + 1;
    if (depth > POST_LIMITS.maxCommentDepth) {
      throw new BadInput(`Replies nest at most ${POST_LIMITS.maxCommentDepth + 1} levels deep`, 'parentId');
    }
  }
  // AutoMod screens the comment first: a BLOCK refuses it here; a community without rules reads nothing.
  const verdict = await screenWrite(
    { em, loaders, viewer },
    {
      communityId: post.community.id,
      subject: AutoModSubject.COMMENT,
      text: body,
    },
  );
  // One statement, so one atomic write and one round trip: the post is checked again under its KEY
  // SHARE lock (the one the comment's foreign key takes anyway; lockPost takes FOR UPDATE, so a
  // comment racing a lock either commits first or sees it), and the comment, both counters and the
  // COMMENTATOR badge it may earn are written only if it still takes comments. A comment AutoMod
  // holds or reports enters the queue in the same transaction, and so does the job that notifies the
  // author of the post or comment it answers (notifications.reply), unless they answer themselves,
  // and the one that notifies the members it @mentions (notifications.mention), if it mentions any.
  const mentions = mentionsInMarkdown(body).length > 0;
  // A live quest counting comments (on a post with its tag) costs one more statement: none otherwise.
  const community = (await loaders.community.load(post.community.id))!;
  const quest = { action: QuestAction.COMMENT, userId, tags: post.tags, channelId: post.channel.id };
  const quested = matching(await liveGoals(em, community), community.timeZone, { ...quest, cause: '' }).length > 0;
  const insert = (db: EntityManager) =>
    fastSql(
      db,
      `with target as (
       select id, locked, deleted_at is not null as deleted, author_id from posts where id = $1 for key share
     ), added as (
       insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, featured_count, created_at)
       select id, $2, $3, $4, $5, $6, 0, 0, false, 0, now() from target where not locked and not deleted
       returning *
     ), counted as (
       update posts set comment_count = comment_count + 1,
                        top_level_comment_count = top_level_comment_count + (select (parent_id is null)::int from added)
        where id = (select post_id from added)
     ), replied as (
       update comments set reply_count = reply_count + 1 where id = (select parent_id from added)
     ), badge as (
       ${commentatorAwardStep('added', '$7', '$3')}
     ), notify as (
       select graphile_worker.add_job('notifications.reply', json_build_object('commentId', a.id)) as job
         from added a, target t
        where a.author_id <> coalesce((select author_id from comments where id = a.parent_id), t.author_id)
     ), mention as (
       select graphile_worker.add_job('notifications.mention', json_build_object('commentId', a.id)) as job
         from added a where $8::boolean
     )
     select t.locked as target_locked, t.deleted as target_deleted,
            (select count(*) from notify) + (select count(*) from mention) as jobs, a.*
       from target t left join added a on true`,
      [postId, parentId, userId, body, renderMarkdown(body), depth, post.community.id, mentions],
    );
  return write(
    { em, pubsub, log },
    async (tx, after) => {
      const [row] = await insert(tx);
      if (!row || row.target_deleted) throw new BadInput('This post was deleted', 'postId');
      if (row.target_locked) throw new Forbidden('This post is locked: it takes no new comments');
      after.publish<CommentAddedEvent>(postTopics.commentAdded(postId), { commentId: row.id as number });
      if (verdict) {
        const applied = await applyVerdict(tx, verdict, {
          communityId: post.community.id,
          subject: AutoModSubject.COMMENT,
          id: row.id as number,
          authorId: userId,
          title: null,
          body,
        });
        if (applied.hidden) row.hidden_at = new Date();
        queueChanged(after, post.community.id, applied.itemId);
      }
      if (quested) {
        const changes = await recordQuests(tx, community, { ...quest, cause: `comment:${row.id as number}` });
        settle(after, { leaderboards, log }, community, changes);
      }
      return commentView(row);
    },
    // Without AutoMod's verdict to apply or a quest to count, the one statement is the whole write.
    { mode: verdict || quested ? 'sql' : 'statement' },
  );
}

/** Edits a comment: its author only, while it is not deleted. */
export async function updateComment(deps: CommentDeps, commentId: number, body: string): Promise<Comment> {
  const { em, loaders, viewer } = deps;
  requireUser(viewer);
  const { comment: read, post } = await readableComment(loaders, viewer, commentId);
  const comment = await managed(em, read);
  await authorize({ loaders, viewer }, 'comment.update', { comment, post });
  if (comment.deletedAt) throw new BadInput('A deleted comment cannot be edited', 'id');
  assertNotBlank(body);
  comment.body = body;
  comment.bodyHtml = renderMarkdown(body);
  comment.editedAt = new Date();
  await assertMentionsAllowed(em, comment.author.id, body);
  // AutoMod screens the edited text as it screens a new comment (a BLOCK leaves the comment as it was).
  const verdict = await screenWrite(
    { em, loaders, viewer },
    {
      communityId: post.community.id,
      subject: AutoModSubject.COMMENT,
      text: body,
    },
  );
  if (!verdict) {
    await em.flush();
    return comment;
  }
  await write(deps, async (tx, after) => {
    await sql(
      tx,
      'update comments set body = ?, body_html = ?, edited_at = ? where id = ?',
      [comment.body, comment.bodyHtml, comment.editedAt, comment.id],
      'run',
    );
    const { itemId } = await applyVerdict(tx, verdict, {
      communityId: post.community.id,
      subject: AutoModSubject.COMMENT,
      id: comment.id,
      authorId: comment.author.id,
      title: null,
      body,
    });
    queueChanged(after, post.community.id, itemId);
  });
  await em.refresh(comment);
  return comment;
}

/** Soft-deletes a comment (its author or a moderator): replies stay, body and author are hidden. */
export async function deleteComment(ctx: CommentDeps, commentId: number): Promise<Comment> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const readable = await readableComment(loaders, viewer, commentId);
  const { post } = readable;
  const comment = await managed(em, readable.comment);
  await authorize(ctx, 'comment.delete', { comment, post });
  if (!comment.deletedAt) {
    const community = (await loaders.community.load(post.community.id))!;
    // Deleted content loses what its upvotes and its featuring earned (reversal rows), in the deleting transaction.
    await write(ctx, async (tx, after) => {
      const [deleted] = await sql<unknown[]>(
        tx,
        `update comments set deleted_at = now(), body = ?, body_html = ?, featured = false where id = ? and deleted_at is null returning id`,
        [DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, comment.id],
      );
      if (!deleted) return;
      if (comment.author.id !== userId) {
        await recordModeration(tx, {
          communityId: community.id,
          actorId: userId,
          action: ModerationLogAction.COMMENT_DELETED,
          subjectType: ModerationSubjectType.COMMENT,
          subjectId: comment.id,
          details: { postId: post.id, body: comment.body },
        });
      }
      const changes = await reverseSubject(tx, ReputationSubjectType.COMMENT, comment.id, EARNED_BY_CONTENT, userId);
      settle(after, ctx, community, changes);
      // What the comment counted toward quests, in periods not completed, is taken back.
      await unrecordContent(tx, community, 'comment', comment.id, comment.author.id);
    });
    await em.refresh(comment);
  }
  return comment;
}

/** Features or unfeatures a comment (moderators). */
export async function featureComment(ctx: CommentDeps, commentId: number, featured: boolean): Promise<Comment> {
  const { em, loaders, viewer } = ctx;
  const moderatorId = requireUser(viewer);
  const readable = await readableComment(loaders, viewer, commentId);
  const { post } = readable;
  const comment = await managed(em, readable.comment);
  assertCan(await actorIn(loaders, viewer, post.community.id), 'posts.moderate');
  if (featured && comment.deletedAt) throw new BadInput('A deleted comment cannot be featured', 'id');
  const community = (await loaders.community.load(post.community.id))!;
  // Each featuring is its own cause ("featured:<comment>:<n>"), so featuring again after an
  // unfeature earns again, and unfeaturing reverses exactly the featuring it ends.
  await write(ctx, async (tx, after) => {
    const [row] = await sql<{ featured_count: number; author_id: number }[]>(
      tx,
      featured
        ? 'update comments set featured = true, featured_count = featured_count + 1 where id = ? and not featured and deleted_at is null returning featured_count, author_id'
        : 'update comments set featured = false where id = ? and featured returning featured_count, author_id',
      [comment.id],
    );
    if (!row) return;
    const cause = `featured:${comment.id}:${row.featured_count}`;
    const change = featured
      ? await award(tx, {
          community,
          userId: row.author_id,
          reason: ReputationReason.COMMENT_FEATURED,
          cause,
          subjectType: ReputationSubjectType.COMMENT,
          subjectId: comment.id,
          actorId: moderatorId,
          counterparts: [moderatorId], // a moderator featuring their own comment earns nothing
        })
      : await reverse(tx, cause, moderatorId);
    settle(after, ctx, community, [change]);
  });
  await em.refresh(comment);
  return comment;
}
