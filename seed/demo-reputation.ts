import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../src/platform/database/sql';
import type { Community } from '../src/modules/communities/communities.entity';
import { awardIf, Badge } from '../src/modules/reputation/badges';
import { ballotAward } from '../src/modules/polls/polls.reputation';
import { award } from '../src/modules/reputation/ledger';
import { ReputationReason, ReputationSubjectType } from '../src/modules/reputation/reputation.entity';

/**
 * Writes the reputation the seeded activity earns, as the server would have written it: a ledger
 * row per vote and first ballot that earns (through the same `award`, so rules and caps apply), and
 * the badges whose conditions hold (FIRST_POST, COMMENTATOR, GOOD_COMMENT).
 */
export async function seedReputation(em: EntityManager, communities: Map<string, Community>): Promise<void> {
  const byId = new Map([...communities.values()].map((c) => [c.id, c]));
  const votes = await sql<
    {
      id: number;
      value: number;
      community_id: number;
      author_id: number;
      user_id: number;
      post_id: number | null;
      comment_id: number | null;
    }[]
  >(
    em,
    `select v.id, v.value, v.user_id, v.post_id, v.comment_id, p.community_id, coalesce(c.author_id, p.author_id) as author_id
       from votes v left join comments c on c.id = v.comment_id join posts p on p.id = coalesce(v.post_id, c.post_id)
      order by v.id`,
  );
  for (const v of votes) {
    const onPost = v.post_id !== null;
    await award(em, {
      community: byId.get(v.community_id)!,
      userId: v.author_id,
      cause: `vote:${v.id}`,
      actorId: v.user_id,
      counterparts: [v.user_id],
      subjectType: onPost ? ReputationSubjectType.POST : ReputationSubjectType.COMMENT,
      subjectId: (v.post_id ?? v.comment_id)!,
      reason: onPost
        ? v.value > 0
          ? ReputationReason.POST_UPVOTED
          : ReputationReason.POST_DOWNVOTED
        : v.value > 0
          ? ReputationReason.COMMENT_UPVOTED
          : ReputationReason.COMMENT_DOWNVOTED,
    });
  }
  const ballots = await sql<
    { poll_id: number; user_id: number; community_id: number; anonymous: boolean; created_by_id: number }[]
  >(
    em,
    'select b.poll_id, b.user_id, p.community_id, p.anonymous, p.created_by_id from ballots b join polls p on p.id = b.poll_id order by b.id',
  );
  for (const b of ballots) {
    const earns = ballotAward(
      byId.get(b.community_id)!,
      { id: b.poll_id, anonymous: b.anonymous, createdBy: { id: b.created_by_id } },
      b.user_id,
    );
    if (earns) await award(em, earns);
  }
  const authors = await sql<{ community_id: number; author_id: number }[]>(
    em,
    'select distinct community_id, author_id from posts',
  );
  for (const a of authors) await awardIf(em, Badge.FIRST_POST, { communityId: a.community_id, userId: a.author_id });
  const good = await sql<{ id: number; community_id: number; author_id: number }[]>(
    em,
    'select c.id, p.community_id, c.author_id from comments c join posts p on p.id = c.post_id where c.score >= 10',
  );
  for (const c of good)
    await awardIf(em, Badge.GOOD_COMMENT, { communityId: c.community_id, userId: c.author_id, subjectId: c.id });
}
