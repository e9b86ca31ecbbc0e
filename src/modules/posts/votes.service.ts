import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, Forbidden } from '../../platform/errors';
import { parseGlobalId } from '../../platform/ids';
import { actorIn } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import type { Channel } from '../channels/channels.entity';
import { requireUser } from '../identity/identity.service';
import { readableComment } from './comments.service';
import type { Comment, Post } from './posts.entity';
import { commentView, postView } from './rows';
import { VoteValue } from './posts.inputs';
import { HOT_RANK_SQL, primeWriteSubject, readablePost } from './posts.service';
import { award, reverse, settle } from '../reputation/ledger';
import { ReputationReason, ReputationSubjectType } from '../reputation/reputation.entity';
import { awardIf, Badge } from '../reputation/badges';
import { QuestAction } from '../quests/quests.entity';
import { recordQuests, unrecordQuests } from '../quests/quests.record';

/** A post or comment named by a global ID, readable by the viewer. */
export type Subject = (
  { kind: 'post'; post: Post; communityId: number } | { kind: 'comment'; comment: Comment; communityId: number }
) & {
  /** The subject's channel when its community has restricted channels (its gates apply), else null. */
  channel?: Channel | null;
};

/** A post or comment named by the client (decoded by the resolver: `subjectRef`). */
export interface SubjectRef {
  type: 'Post' | 'Comment';
  id: number;
}

/** Decodes a vote's or reaction's `subjectId`: a post's or a comment's global ID, else BAD_USER_INPUT on `subjectId`. */
export function subjectRef(subjectId: string): SubjectRef {
  const ref = parseGlobalId(subjectId);
  if (ref?.type === 'Post' || ref?.type === 'Comment') return { type: ref.type, id: ref.id };
  throw new BadInput('subjectId must be a post or a comment', 'subjectId');
}

/** The subject of the viewer's vote or reaction, readable by them (its reads primed in one statement: `primeWriteSubject`). */
async function loadSubject({ em, loaders, viewer }: Context, ref: SubjectRef): Promise<Subject> {
  await primeWriteSubject(
    em,
    loaders,
    requireUser(viewer),
    ref.type === 'Post' ? { post: ref.id } : { comment: ref.id },
  );
  if (ref.type === 'Post') {
    const { post, channel } = await readablePost(loaders, viewer, ref.id);
    return { kind: 'post', post, communityId: post.community.id, channel };
  }
  const { comment, post, channel } = await readableComment(loaders, viewer, ref.id);
  return { kind: 'comment', comment, communityId: post.community.id, channel };
}

const VALUE: Record<VoteValue, number> = { UP: 1, DOWN: -1, NONE: 0 };

/**
 * Records the viewer's vote (UP, DOWN, or NONE to withdraw) on a post or comment they can read,
 * as a member, never on their own content. The subject's row is locked for the transaction, so
 * concurrent votes serialize and the score always equals the sum of the votes. (FOR NO KEY UPDATE,
 * the lock the score update takes anyway: it does not wait for comments being inserted under the post.)
 */
export async function vote(ctx: Context, input: { subject: SubjectRef; value: VoteValue }): Promise<Subject> {
  const { loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const subject = await loadSubject(ctx, input.subject);
  const next = VALUE[input.value];
  assertCan(
    await actorIn(loaders, viewer, subject.communityId),
    next < 0 ? 'posts.downvote' : 'posts.write',
    subject.channel,
  );
  const target = subject.kind === 'post' ? subject.post : subject.comment;
  if (target.author.id === userId) throw new Forbidden('You cannot vote on your own content');
  if (target.deletedAt) throw new BadInput('You cannot vote on deleted content', 'subjectId');
  const community = (await loaders.community.load(subject.communityId))!;
  const table = subject.kind === 'post' ? 'posts' : 'comments';
  const column = subject.kind === 'post' ? 'post_id' : 'comment_id';
  const subjectType = subject.kind === 'post' ? ReputationSubjectType.POST : ReputationSubjectType.COMMENT;
  const authorId = target.author.id;
  // The post voted on (or holding the comment): its tags and channel, for quests' filters (loaded already).
  const votedPost = subject.kind === 'post' ? subject.post : await loaders.post.load(subject.comment.post.id);
  const tags = votedPost?.tags ?? [];
  const channelId = votedPost?.channel.id ?? null;
  const row = await write(
    ctx,
    async (tx, after) => {
      await sql(tx, `select id from ${table} where id = ? for no key update`, [target.id]);
      // A changed or withdrawn vote goes, and its ledger row is reversed (never updated); the same vote
      // again stays as it is (and its ledger row with it): the insert below then does nothing.
      const old: { id: number; value: number }[] = await sql(
        tx,
        `delete from votes where user_id = ? and ${column} = ? and value <> ? returning id, value`,
        [userId, target.id, next],
      );
      const written = old.length ? [await reverse(tx, `vote:${old[0].id}`, userId)] : [];
      // A withdrawn upvote takes back what it counted toward the author's quests (periods not completed).
      if (old.length && old[0].value > 0) {
        await unrecordQuests(tx, community, QuestAction.UPVOTE_RECEIVED, authorId, `vote:${old[0].id}`);
      }
      let cast = false;
      if (next !== 0) {
        const [inserted] = await sql<{ id: number }[]>(
          tx,
          `insert into votes (user_id, ${column}, value, created_at) values (?, ?, ?, now())
         on conflict (user_id, ${column}) do nothing returning id`,
          [userId, target.id, next],
        );
        cast = inserted !== undefined;
        if (cast)
          written.push(
            await award(tx, {
              community,
              userId: authorId,
              cause: `vote:${inserted.id}`,
              subjectType,
              subjectId: target.id,
              actorId: userId,
              counterparts: [userId],
              reason:
                subject.kind === 'post'
                  ? next > 0
                    ? ReputationReason.POST_UPVOTED
                    : ReputationReason.POST_DOWNVOTED
                  : next > 0
                    ? ReputationReason.COMMENT_UPVOTED
                    : ReputationReason.COMMENT_DOWNVOTED,
            }),
          );
        // An upvote counts toward the author's quests: one statement when a live goal matches.
        if (cast && next > 0) {
          const cause = `vote:${inserted.id}`;
          written.push(
            ...(await recordQuests(tx, community, {
              action: QuestAction.UPVOTE_RECEIVED,
              userId: authorId,
              cause,
              tags,
              channelId,
            })),
          );
        }
      }
      const delta = (cast ? next : 0) - (old[0]?.value ?? 0);
      // The subject as it now is comes back with the update (no second read after the commit).
      const [moved] = await sql<Record<string, unknown>[]>(
        tx,
        subject.kind === 'post'
          ? `update posts set score = score + ?, hot = ${HOT_RANK_SQL.replace(/score/g, '(score + ?)')} where id = ? returning *`
          : 'update comments set score = score + ? where id = ? returning *',
        subject.kind === 'post' ? [delta, delta, delta, target.id] : [delta, target.id],
      );
      if (subject.kind === 'comment' && delta > 0 && (moved.score as number) >= 10) {
        await awardIf(tx, Badge.GOOD_COMMENT, { communityId: community.id, userId: authorId, subjectId: target.id });
      }
      settle(after, ctx, community, written);
      return moved;
    },
    { mode: 'sql' },
  );
  const fresh = subject.kind === 'post' ? postView(row) : commentView(row);
  if (subject.kind === 'post') {
    loaders.viewerPostVote.clear(target.id).prime(target.id, next);
    loaders.post.clear(target.id).prime(target.id, fresh as Post);
    return { ...subject, post: fresh as Post };
  }
  loaders.viewerCommentVote.clear(target.id).prime(target.id, next);
  loaders.comment.clear(target.id).prime(target.id, fresh as Comment);
  return { ...subject, comment: fresh as Comment };
}

/** A single emoji, possibly with modifiers, variation selectors or zero-width joiners. */
const EMOJI =
  /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2})(?:\uFE0F|\p{Emoji_Modifier}|\u200D\p{Extended_Pictographic}\uFE0F?)*$/u;

/**
 * Adds (or with `remove`, removes) the viewer's emoji reaction to a post or comment they can read,
 * as a member; not on deleted content. Idempotent: the unique constraint keeps one row per emoji.
 */
export async function react(
  ctx: Context,
  input: { subject: SubjectRef; emoji: string; remove: boolean },
): Promise<Subject> {
  const { em, loaders, viewer } = ctx;
  const { emoji, remove } = input;
  const userId = requireUser(viewer);
  if (!EMOJI.test(emoji)) throw new BadInput('emoji must be a single emoji', 'emoji');
  const subject = await loadSubject(ctx, input.subject);
  assertCan(await actorIn(loaders, viewer, subject.communityId), 'posts.write', subject.channel);
  const target = subject.kind === 'post' ? subject.post : subject.comment;
  if (target.deletedAt && !remove) throw new BadInput('You cannot react to deleted content', 'subjectId');
  const column = subject.kind === 'post' ? 'post_id' : 'comment_id';
  const id = target.id;
  if (remove) {
    await sql(
      em,
      `delete from reactions where user_id = ? and ${column} = ? and emoji = ?`,
      [userId, id, emoji],
      'run',
    );
  } else {
    await sql(
      em,
      `insert into reactions (user_id, ${column}, emoji, created_at) values (?, ?, ?, now())
       on conflict (user_id, ${column}, emoji) do nothing`,
      [userId, id, emoji],
      'run',
    );
  }
  // The counts may have been read earlier in this request (an earlier aliased mutation).
  (subject.kind === 'post' ? loaders.postReactions : loaders.commentReactions).clear(id);
  return subject;
}
