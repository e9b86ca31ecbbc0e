import type { EntityManager } from '@mikro-orm/postgresql';
import { registerEnumType } from 'type-graphql';
import { sql } from '../../platform/database/sql';
import { periodsAt } from './rules';

export enum Badge {
  FIRST_POST = 'FIRST_POST',
  GOOD_COMMENT = 'GOOD_COMMENT',
  COMMENTATOR = 'COMMENTATOR',
  REGULAR = 'REGULAR',
  MONTHLY_TOP_10 = 'MONTHLY_TOP_10',
  QUEST = 'QUEST',
}

/** Who a condition is asked about, and the subject whose change asks it (a comment that was voted on). */
interface Ask {
  communityId: number;
  userId: number;
  subjectId?: number;
}

interface BadgeDefinition {
  name: string;
  description: string;
  /**
   * The condition, as an SQL boolean over (community, user, subject); null: awarded elsewhere (a
   * sweep: `awardMonthlyTop`; a quest's completion: `quest_record`).
   */
  condition: ((a: Ask) => [string, unknown[]]) | null;
}

/** Comments (not deleted) that earn COMMENTATOR. */
const COMMENTATOR_COMMENTS = 100;

/** SQL: whether the author (`userId`, an SQL expression) has at least `n` comments, not deleted, in the community. */
const commentsAtLeast = (n: number, userId: string, communityId: string) =>
  `(select count(*) from (select 1 from comments c join posts p on p.id = c.post_id
     where c.author_id = ${userId} and p.community_id = ${communityId} and c.deleted_at is null limit ${n}) x) >= ${n}`;

/**
 * SQL that awards `badge` to a member (`communityId`, `userId`: SQL expressions, placeholders or
 * parameters) when `condition` holds and they do not hold it yet; a badge held is not evaluated again.
 */
const awardInsert = (badge: Badge, communityId: string, userId: string, condition: string) =>
  `insert into member_badges (community_id, user_id, badge, awarded_at)
   select ${communityId}, ${userId}, '${badge}', now()
    where not exists (select 1 from member_badges where community_id = ${communityId} and user_id = ${userId} and badge = '${badge}')
      and ${condition}
   on conflict (community_id, user_id, badge, quest_id) do nothing`;

/**
 * Every badge, in one place: its name, what earns it, and the SQL condition checked, in the
 * transaction of the write that can make it true (a post, a comment, a vote, a check-in). Each
 * badge is awarded once per member and community (unique in the database), automatically; QUEST
 * once per member and quest, by the quest's completion.
 */
export const BADGES: Readonly<Record<Badge, BadgeDefinition>> = {
  FIRST_POST: {
    name: 'First post',
    description: 'Wrote a first post in the community.',
    condition: ({ communityId, userId }) => [
      'exists (select 1 from posts where community_id = ? and author_id = ?)',
      [communityId, userId],
    ],
  },
  GOOD_COMMENT: {
    name: 'Good comment',
    description: 'Wrote a comment that reached a score of 10.',
    condition: ({ userId, subjectId }) => [
      'exists (select 1 from comments where id = ? and author_id = ? and score >= 10 and deleted_at is null)',
      [subjectId ?? 0, userId],
    ],
  },
  COMMENTATOR: {
    name: 'Commentator',
    description: `Wrote ${COMMENTATOR_COMMENTS} comments (not deleted).`,
    condition: ({ communityId, userId }) => [commentsAtLeast(COMMENTATOR_COMMENTS, '?', '?'), [userId, communityId]],
  },
  REGULAR: {
    name: 'Regular',
    description: 'Was checked in at 5 events organized by others.',
    // Not one's own events: an organizer checking themself in at five events they created would
    // earn it alone (issue 12).
    condition: ({ communityId, userId }) => [
      `(select count(*) from (select 1 from rsvps r join events e on e.id = r.event_id
         where r.user_id = ? and e.community_id = ? and e.organizer_id <> r.user_id and r.checked_in_at is not null limit 5) x) >= 5`,
      [userId, communityId],
    ],
  },
  MONTHLY_TOP_10: {
    name: 'Top 10 of the month',
    description:
      "Finished a calendar month (community time) in the top 10 of the community's leaderboard, with points to show.",
    condition: null,
  },
  QUEST: {
    name: 'Quest',
    description:
      "Completed a quest that awards a badge (once per quest, whatever its periods; the badge bears the quest's badge title).",
    condition: null,
  },
};

registerEnumType(Badge, {
  name: 'Badge',
  description: 'A badge a member earns once per community.',
  valuesConfig: Object.fromEntries(
    Object.entries(BADGES).map(([k, b]) => [k, { description: `${b.name}: ${b.description}` }]),
  ),
});

/**
 * Awards `badge` to the member if its condition holds now (in `tx`); a badge they hold stays as it
 * was, and its condition is not evaluated again (a post or comment is a hot path).
 */
export async function awardIf(tx: EntityManager, badge: Badge, ask: Ask): Promise<boolean> {
  const condition = BADGES[badge].condition;
  if (!condition) throw new Error(`${badge} is not awarded by a condition`);
  const [test, params] = condition(ask);
  const rows = await sql<unknown[]>(tx, `${awardInsert(badge, '?', '?', test)} returning id`, [
    ask.communityId,
    ask.userId,
    ask.communityId,
    ask.userId,
    ...params,
  ]);
  return rows.length > 0;
}

/**
 * COMMENTATOR's award as a step of the statement that inserts a comment, so a comment costs no
 * statement of its own for it: `added` names the CTE holding the inserted row, and `communityId` and
 * `userId` are the statement's parameters (`$n`) for its community and author: plain parameters, so
 * the badge and comment indexes are used as `awardIf` uses them. A statement does not see the rows it
 * inserts, so the condition asks for the other COMMENTATOR_COMMENTS - 1 beside it. A badge held
 * already is not counted again (a comment is a hot path). Two comments committing at once can each
 * miss the other; the author's next comment then earns it, as with `awardIf`.
 */
export function commentatorAwardStep(added: string, communityId: string, userId: string): string {
  const [community, user] = [`${communityId}::int`, `${userId}::int`];
  const others = commentsAtLeast(COMMENTATOR_COMMENTS - 1, user, community);
  return awardInsert(Badge.COMMENTATOR, community, user, `exists (select 1 from ${added}) and ${others}`);
}

/**
 * Awards MONTHLY_TOP_10 for the month that ended before `at` in each community, once: the
 * community's `top_month_awarded` is claimed in the same transaction as the awards. The top 10 are
 * the members with the highest positive sums of ledger rows created in that month (the
 * leaderboard's order: ties go to the lower user id). Returns how many were awarded.
 */
export async function awardMonthlyTop(em: EntityManager): Promise<number> {
  const communities = await sql<{ id: number; time_zone: string; top_month_awarded: string | null }[]>(
    em,
    'select id, time_zone, top_month_awarded from communities',
  );
  let awarded = 0;
  for (const c of communities) {
    const month = periodsAt(c.time_zone).previousMonth;
    if (c.top_month_awarded !== null && c.top_month_awarded >= month.key) continue;
    awarded += await em.transactional(async (tx) => {
      const claimed = await sql<unknown[]>(
        tx,
        `update communities set top_month_awarded = ? where id = ? and (top_month_awarded is null or top_month_awarded < ?) returning id`,
        [month.key, c.id, month.key],
      );
      if (!claimed.length) return 0;
      const rows = await sql<unknown[]>(
        tx,
        `insert into member_badges (community_id, user_id, badge, awarded_at)
         select ?, t.user_id, ?, now() from (
           select e.user_id, sum(e.delta) as score from reputation_events e
             join members m on m.community_id = e.community_id and m.user_id = e.user_id
            where e.community_id = ? and e.created_at >= ? and e.created_at < ?
            group by e.user_id having sum(e.delta) > 0
            order by score desc, e.user_id limit 10) t
         on conflict (community_id, user_id, badge, quest_id) do nothing returning id`,
        [c.id, Badge.MONTHLY_TOP_10, c.id, month.start, month.end],
      );
      return rows.length;
    });
  }
  return awarded;
}
