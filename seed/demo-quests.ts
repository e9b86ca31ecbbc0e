import type { EntityManager } from '@mikro-orm/postgresql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { QuestPeriod } from '../src/modules/quests/quests.entity';
import { periodStart } from '../src/modules/quests/quests.record';
import type { Handle } from './demo-posts';

/**
 * Two quests of the TypeScript community in progress for its first members (README, "Quests"): a
 * daily one (comments and upvotes received) and a weekly one (posts), with progress short of the
 * targets in the current periods, so `viewerProgress` shows something to finish.
 */
export async function seedQuests(
  em: EntityManager,
  now: Date,
  communities: Map<string, Community>,
  members: Map<string, Set<Handle>>,
  users: Map<Handle, User>,
): Promise<void> {
  const community = communities.get('typescript');
  if (!community) return;
  const handles = [...(members.get('typescript') ?? [])].slice(0, 2);
  const conn = {
    execute: (q: string, params: unknown[]) => em.getConnection().execute(q, params, 'all', em.getTransactionContext()),
  };
  const quests = [
    {
      title: 'Helpful today',
      description: 'Answer three threads and get two upvotes.',
      period: QuestPeriod.DAILY,
      points: 15,
      goals: [
        ['COMMENT', 3, 1],
        ['UPVOTE_RECEIVED', 2, 1],
      ] as const,
    },
    {
      title: 'Share this week',
      description: 'Write two posts tagged "tips".',
      period: QuestPeriod.WEEKLY,
      points: 30,
      goals: [['POST', 2, 1]] as const,
    },
  ];
  for (const q of quests) {
    const start = new Date(now.getTime() - 30 * 86_400_000);
    const [quest] = await conn.execute(
      `insert into quests (community_id, title, description, period, starts_at, reward_points, created_at)
       values (?, ?, ?, ?, ?, ?, now()) returning id`,
      [community.id, q.title, q.description, q.period, start, q.points],
    );
    const period = periodStart(q.period, start.getTime(), community.timeZone, now);
    for (const [action, target, done] of q.goals) {
      const [goal] = await conn.execute(
        `insert into quest_goals (quest_id, action, target, tag) values (?, ?, ?, ?) returning id`,
        [quest.id, action, target, action === 'POST' ? 'tips' : null],
      );
      for (const handle of handles)
        await conn.execute(
          'insert into quest_progress (quest_id, goal_id, user_id, period_start, count) values (?, ?, ?, ?, ?)',
          [quest.id, goal.id, users.get(handle)!.id, period, done],
        );
    }
  }
  await conn.execute('update communities set quest_version = quest_version + 1 where id = ?', [community.id]);
}
