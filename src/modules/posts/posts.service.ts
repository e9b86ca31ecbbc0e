import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql, sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, NotFound } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Community } from '../communities/communities.entity';
import { actorIn, canReadContent } from '../communities/communities.service';
import { communityContextSql, primeCommunityContext, readForWrite } from '../communities/communities.loaders';
import { assertCan, canReadChannel } from '../communities/permissions';
import type { Channel } from '../channels/channels.entity';
import { postingChannel, restrictingChannel } from '../channels/channels.service';
import { fromGlobalId } from '../../platform/ids';
import { authorize } from '../communities/policies';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { renderMarkdown } from './markdown';
import { Post } from './posts.entity';
import { commentView, managed, postView } from './rows';
import { POST_LIMITS, type CreatePostInput, type UpdatePostInput } from './posts.inputs';
import type { Context } from '../../platform/context';
import { EARNED_BY_CONTENT, reverseSubject, settle } from '../reputation/ledger';
import { ReputationSubjectType } from '../reputation/reputation.entity';
import { awardIf, Badge } from '../reputation/badges';
import { QuestAction } from '../quests/quests.entity';
import { recordQuests, unrecordContent } from '../quests/quests.record';
import { recordModeration } from '../moderation/moderation-log';
import { AutoModSubject } from '../moderation/automod-engine';
import { applyVerdict, autoModText, screenWrite } from '../moderation/automod';
import { mentionsInMarkdown } from '../notifications/notifications.service';
import { enqueue } from '../../platform/jobs/jobs';
import { queueChanged } from '../moderation/moderation.service';
import { assertMentionsAllowed, blocks } from '../moderation/blocks';
import { ModerationLogAction, ModerationSubjectType } from '../moderation/moderation.entity';
import { postTopics, type PostAddedEvent } from './posts.events';

/** What stands in for the body of a deleted post or comment (a deleted post keeps its title). */
export const DELETED_TEXT = '[deleted]';

/**
 * HOT rank: sign(score) · log10(max(|score|, 1)) + (created_at − 2024-01-01) / 45000 s.
 * Every 12.5 hours of age weigh as much as a tenfold score, so new posts rise and old ones sink
 * whatever their votes. Kept in the `hot` column, recomputed in SQL whenever the score moves.
 */
export const HOT_RANK_SQL = `sign(score) * log(greatest(abs(score), 1)) + (extract(epoch from created_at) - 1704067200) / 45000`;

export function hotRank(score: number, createdAt: Date): number {
  return (
    Math.sign(score) * Math.log10(Math.max(Math.abs(score), 1)) + (createdAt.getTime() / 1000 - 1704067200) / 45000
  );
}

/**
 * Normalizes one tag: Unicode NFKC (so composed and decomposed accents, or full-width letters, make
 * one tag), trimmed, lower-case, runs of spaces to one dash; then it must be letters and
 * digits in dash-separated words, at most POST_LIMITS.tagLength long (else BAD_USER_INPUT on `field`).
 * Null for a blank tag. Posts store tags this way and the `tag` filter of listings matches them this way.
 */
export function normalizeTag(raw: string, field = 'tags'): string | null {
  const tag = raw.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '-');
  if (!tag) return null;
  if (!/^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u.test(tag) || tag.length > POST_LIMITS.tagLength) {
    throw new BadInput(`Tag "${raw}" must be up to ${POST_LIMITS.tagLength} letters, digits and dashes`, field);
  }
  return tag;
}

/** Normalizes a post's tags (see `normalizeTag`), dropping blanks and duplicates, in their first order. */
export function normalizeTags(tags: string[]): string[] {
  const out = new Set<string>();
  for (const raw of tags) {
    const tag = normalizeTag(raw);
    if (tag) out.add(tag);
  }
  return [...out];
}

/** A body of only white space renders to nothing: BAD_USER_INPUT on `body`. */
export function assertNotBlank(body: string): void {
  if (!body.trim()) throw new BadInput('body must not be blank', 'body');
}

/** A post or a comment that a write is about, by id. */
export type WriteSubject = { post: number } | { comment: number };

/**
 * Primes the loaders for a write by the signed-in viewer (`userId`) on a post or a comment: the subject, its
 * post, their community and the viewer's standing there (and, with `blockedBy`, whether the authors of the
 * post or comment blocked the viewer), read in one statement, so the checks that
 * follow (`readablePost`, `readableComment`, `actorIn`) run on what is loaded instead of a statement
 * each. Checks nothing itself: a subject that does not exist primes nothing, and the checks answer
 * for it as they would without this. What the request already loaded is kept.
 */
export async function primeWriteSubject(
  em: EntityManager,
  loaders: Loaders,
  userId: number,
  subject: WriteSubject,
  options: { blockedBy?: boolean } = {},
): Promise<{ authorBlocksViewer: boolean }> {
  let row: Record<string, unknown> | undefined;
  if ('post' in subject) {
    const extra = options.blockedBy ? `, ${blocks('s.author_id', '$2')} as author_blocks_viewer` : '';
    row = await readForWrite(em, loaders, userId, 'posts', subject.post, extra);
  } else {
    const context = communityContextSql('p.community_id', '$2');
    const extra = options.blockedBy
      ? `, (${blocks('p.author_id', '$2')} or ${blocks('k.author_id', '$2')}) as author_blocks_viewer`
      : '';
    [row] = await fastSql(
      em,
      `select to_jsonb(k) as subject_comment, p.*, ${context.columns}${extra}
         from comments k join posts p on p.id = k.post_id ${context.joins} where k.id = $1`,
      [subject.comment, userId],
    );
    if (row) primeCommunityContext(em, loaders, row);
  }
  if (!row) return { authorBlocksViewer: false };
  const post = postView(row);
  loaders.post.prime(post.id, post);
  if (row.subject_comment) {
    const comment = commentView(row.subject_comment as Record<string, unknown>);
    loaders.comment.prime(comment.id, comment);
  }
  return { authorBlocksViewer: row.author_blocks_viewer === true };
}

/**
 * A post the viewer may read (its community's content, then its channel's reading gate), or
 * NOT_FOUND. `channel`: the post's channel when its community has restricted channels (the gates
 * that writes in it check, `assertCan(…, channel)`), null when it has none (nothing read for it).
 */
export async function readablePost(
  loaders: Loaders,
  viewer: Viewer,
  postId: number,
): Promise<{ post: Post; community: Community; channel: Channel | null }> {
  const post = await loaders.post.load(postId);
  const community = post && (await loaders.community.load(post.community.id));
  if (!post || !community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Post');
  const channel = await restrictingChannel(loaders, community, post.channel.id);
  if (channel && !canReadChannel(await actorIn(loaders, viewer, community.id), channel)) throw new NotFound('Post');
  return { post, community, channel };
}

/** Creates a post (members only), rendering its Markdown once at write time. */
export async function createPost(ctx: Context, communityId: number, input: CreatePostInput): Promise<Post> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const community = await loaders.community.load(communityId);
  if (!community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Community');
  const channel = await postingChannel(
    loaders,
    viewer,
    community,
    input.channelId ? fromGlobalId('Channel', input.channelId, 'channelId') : null,
  );
  assertCan(await actorIn(loaders, viewer, communityId), 'posts.write', channel.gates);
  const title = input.title.trim();
  if (!title) throw new BadInput('title must not be blank', 'title');
  assertNotBlank(input.body);
  await assertMentionsAllowed(em, userId, `${title}\n${input.body}`);
  // AutoMod screens the post first: a BLOCK refuses it here; a community without rules reads nothing.
  const verdict = await screenWrite(
    { em, loaders, viewer },
    {
      communityId,
      subject: AutoModSubject.POST,
      text: autoModText({ title, body: input.body }),
    },
  );
  const now = new Date();
  let held = false;
  const created = await write(ctx, async (tx, after) => {
    const post = tx.create(Post, {
      community: communityId,
      channel: channel.id,
      author: userId,
      title,
      body: input.body,
      bodyHtml: renderMarkdown(input.body),
      tags: normalizeTags(input.tags),
      score: 0,
      hot: hotRank(0, now),
      commentCount: 0,
      topLevelCommentCount: 0,
      pinned: false,
      locked: false,
      createdAt: now,
    });
    await tx.flush();
    await awardIf(tx, Badge.FIRST_POST, { communityId, userId });
    // Live quests counting posts (with one of its tags): one statement when a goal matches, none otherwise.
    const questChanges = await recordQuests(tx, community, {
      action: QuestAction.POST,
      userId,
      cause: `post:${post.id}`,
      tags: post.tags,
      channelId: channel.id,
    });
    settle(after, ctx, community, questChanges);
    after.publish<PostAddedEvent>(postTopics.postAdded(communityId), { postId: post.id });
    // The members it @mentions hear of it (notifications.mention), if and only if it commits.
    if (mentionsInMarkdown(`${title}\n${input.body}`).length) {
      await enqueue(tx, 'notifications.mention', { postId: post.id });
    }
    if (verdict) {
      const { itemId } = await applyVerdict(tx, verdict, {
        communityId,
        subject: AutoModSubject.POST,
        id: post.id,
        authorId: userId,
        title,
        body: input.body,
      });
      queueChanged(after, communityId, itemId);
      held = true;
    }
    return post;
  });
  if (held) await em.refresh(created); // hidden_at was set in SQL
  return created;
}

/** Edits a post: its author only, while it is not deleted. */
export async function updatePost(ctx: Context, input: Omit<UpdatePostInput, 'id'> & { id: number }): Promise<Post> {
  const { em, loaders, viewer } = ctx;
  const postId = input.id;
  requireUser(viewer);
  const post = await managed(em, (await readablePost(loaders, viewer, postId)).post);
  await authorize({ loaders, viewer }, 'post.update', post);
  if (post.deletedAt) throw new BadInput('A deleted post cannot be edited', 'id');
  if (input.title !== undefined && input.title !== null) {
    const title = input.title.trim();
    if (!title) throw new BadInput('title must not be blank', 'title');
    post.title = title;
  }
  if (input.body !== undefined && input.body !== null) {
    assertNotBlank(input.body);
    post.body = input.body;
    post.bodyHtml = renderMarkdown(input.body);
  }
  if (input.tags) post.tags = normalizeTags(input.tags);
  post.editedAt = new Date();
  await assertMentionsAllowed(em, post.author.id, `${post.title}\n${post.body}`);
  // AutoMod screens the edited text as it screens a new post (a BLOCK leaves the post as it was).
  const verdict = await screenWrite(
    { em, loaders, viewer },
    {
      communityId: post.community.id,
      subject: AutoModSubject.POST,
      text: autoModText(post),
    },
  );
  if (!verdict) {
    await em.flush();
    return post;
  }
  await write(ctx, async (tx, after) => {
    await sql(
      tx,
      'update posts set title = ?, body = ?, body_html = ?, tags = ?, edited_at = ? where id = ?',
      [post.title, post.body, post.bodyHtml, `{${post.tags.map((t) => `"${t}"`).join(',')}}`, post.editedAt, post.id],
      'run',
    );
    const { itemId } = await applyVerdict(tx, verdict, {
      communityId: post.community.id,
      subject: AutoModSubject.POST,
      id: post.id,
      authorId: post.author.id,
      title: post.title,
      body: post.body,
    });
    queueChanged(after, post.community.id, itemId);
  });
  await em.refresh(post);
  return post;
}

/** Soft-deletes a post (its author, or a moderator): the thread stays, the body and author are hidden. */
export async function deletePost(ctx: Context, postId: number): Promise<Post> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const { post: read, community } = await readablePost(loaders, viewer, postId);
  const post = await managed(em, read);
  await authorize(ctx, 'post.delete', post);
  if (!post.deletedAt) {
    // Deleted content loses what its upvotes earned (reversal rows), in the deleting transaction.
    await write(ctx, async (tx, after) => {
      const [deleted] = await sql<unknown[]>(
        tx,
        `update posts set deleted_at = now(), body = ?, body_html = ?, pinned = false where id = ? and deleted_at is null returning id`,
        [DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, post.id],
      );
      if (!deleted) return;
      if (post.author.id !== userId) {
        await recordModeration(tx, {
          communityId: post.community.id,
          actorId: userId,
          action: ModerationLogAction.POST_DELETED,
          subjectType: ModerationSubjectType.POST,
          subjectId: post.id,
          details: { title: post.title, body: post.body },
        });
      }
      const changes = await reverseSubject(tx, ReputationSubjectType.POST, post.id, EARNED_BY_CONTENT, userId);
      settle(after, ctx, community, changes);
      // What the post and its upvotes counted toward quests, in periods not completed, is taken back.
      await unrecordContent(tx, community, 'post', post.id, post.author.id);
    });
    await em.refresh(post);
  }
  return post;
}

/** Pins or locks a post, or moves it to another channel of its community (moderators). */
export async function moderatePost(
  ctx: Context,
  change: { id: number; pinned?: boolean; locked?: boolean; channelId?: number },
): Promise<Post> {
  const { em, loaders, viewer } = ctx;
  const postId = change.id;
  requireUser(viewer);
  const { post: read, community, channel } = await readablePost(loaders, viewer, postId);
  const post = await managed(em, read);
  const actor = await actorIn(loaders, viewer, post.community.id);
  assertCan(actor, 'posts.moderate', channel);
  let moveTo: number | null = null;
  if (change.channelId !== undefined && change.channelId !== post.channel.id) {
    // The channel it moves to: of its community, and one the moderator reads (else NOT_FOUND).
    const target = await loaders.channel.load(change.channelId);
    if (!target || target.community.id !== community.id) throw new NotFound('Channel');
    assertCan(actor, 'posts.moderate', community.restrictedChannels ? target : null);
    moveTo = target.id;
  }
  if (change.pinned && post.deletedAt) throw new BadInput('A deleted post cannot be pinned', 'id');
  if (moveTo !== null) {
    const channelId = moveTo;
    await write(ctx, (tx) => sql(tx, 'update posts set channel_id = ? where id = ?', [channelId, post.id], 'run'));
    await em.refresh(post);
  }
  if (change.pinned !== undefined) post.pinned = change.pinned;
  if (change.locked === undefined) {
    await em.flush();
    return post;
  }
  const locked = change.locked;
  // FOR UPDATE waits for comments being added (they hold KEY SHARE) and makes later ones see the lock.
  await write(ctx, async (tx) => {
    await sql(tx, 'select id from posts where id = ? for update', [post.id]);
    await sql(tx, 'update posts set locked = ?, pinned = ? where id = ?', [locked, post.pinned, post.id], 'run');
  });
  await em.refresh(post);
  return post;
}
