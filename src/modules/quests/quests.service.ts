import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, NotFound } from '../../platform/errors';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import type { Loaders } from '../../platform/loaders';
import { idPage, idRangeKey, toConnection, type IdRange, type PageArgsShape } from '../../platform/pagination';
import type { Viewer } from '../identity/viewer';
import { requireUser } from '../identity/identity.service';
import type { Community } from '../communities/communities.entity';
import { actorIn, assertCanReadContent, visibleCommunity } from '../communities/communities.service';
import { assertCan, can } from '../communities/permissions';
import { normalizeTag } from '../posts/posts.service';
import { reverse, settle } from '../reputation/ledger';
import { periodsAt } from '../reputation/rules';
import { Quest, QuestAction, QuestCompletion, QuestPeriod } from './quests.entity';
import type {
  CreateQuestInput,
  QuestGoalInput,
  QuestGoalView,
  QuestPeriodCount,
  QuestProgressView,
  RemoveQuestCompletionInput,
  UpdateQuestInput,
} from './quests.inputs';
import { periodStart } from './quests.record';

/** Moves the community's `questVersion` (every instance reads its live goals again at the next action). */
async function bumpVersion(tx: EntityManager, communityId: number): Promise<void> {
  await sql(tx, 'update communities set quest_version = quest_version + 1 where id = ?', [communityId], 'run');
}

const EVENT_ACTIONS = new Set([QuestAction.RSVP_CHECKED_IN, QuestAction.POLL_BALLOT, QuestAction.CHAT_MESSAGE]);
const TAG_ACTIONS = new Set([QuestAction.POST, QuestAction.COMMENT, QuestAction.UPVOTE_RECEIVED]);

/** A goal as written: its filters checked and normalized. */
type CheckedGoal = { action: QuestAction; target: number; tag: string | null; eventId: number | null };

/** Checks goals' filters (a tag for post actions, an event of the community for event actions) and normalizes them. */
async function checkedGoals(ctx: Context, communityId: number, input: QuestGoalInput[]): Promise<CheckedGoal[]> {
  const goals: CheckedGoal[] = [];
  for (const g of input) {
    if (g.tag != null && !TAG_ACTIONS.has(g.action)) throw new BadInput(`${g.action} takes no tag filter`, 'goals');
    if (g.eventId != null && !EVENT_ACTIONS.has(g.action))
      throw new BadInput(`${g.action} takes no event filter`, 'goals');
    const tag = g.tag == null ? null : normalizeTag(g.tag, 'goals');
    let eventId: number | null = null;
    if (g.eventId != null) {
      eventId = fromGlobalId('Event', g.eventId, 'goals');
      const event = await ctx.loaders.event.load(eventId);
      if (!event || event.community.id !== communityId)
        throw new BadInput('The event is not of this community', 'goals');
    }
    goals.push({ action: g.action, target: g.target, tag, eventId });
  }
  return goals;
}

/** Writes a quest's goals, in the order given. */
async function insertGoals(tx: EntityManager, questId: number, goals: CheckedGoal[]): Promise<void> {
  await sql(
    tx,
    `insert into quest_goals (quest_id, action, target, tag, event_id)
         select ?, g.action::quest_action, g.target, g.tag, g.event_id
           from jsonb_to_recordset(?::jsonb) as g(action text, target int, tag text, event_id int)`,
    [questId, JSON.stringify(goals.map((g) => ({ ...g, event_id: g.eventId })))],
    'run',
  );
}

/** Creates a quest with its goals (`quests.manage`), in one transaction that moves the community's `questVersion`. */
export async function createQuest(ctx: Context, input: CreateQuestInput): Promise<Quest> {
  const userId = requireUser(ctx.viewer);
  const communityId = fromGlobalId('Community', input.communityId, 'communityId');
  await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, communityId), 'quests.manage');
  const title = input.title.trim();
  if (!title) throw new BadInput('title must not be blank', 'title');
  const rewardBadge = input.rewardBadge?.trim() || null;
  if (input.rewardBadge != null && !rewardBadge) throw new BadInput('rewardBadge must not be blank', 'rewardBadge');
  const startsAt = input.startsAt ?? new Date();
  const endsAt = input.endsAt ?? null;
  if (input.period === QuestPeriod.ONE_OFF && (!input.startsAt || !endsAt))
    throw new BadInput('A ONE_OFF quest needs startsAt and endsAt', 'endsAt');
  if (endsAt && endsAt.getTime() <= startsAt.getTime()) throw new BadInput('endsAt must be after startsAt', 'endsAt');
  const goals = await checkedGoals(ctx, communityId, input.goals);
  const id = await write(
    ctx,
    async (tx) => {
      const [quest] = await sql<{ id: number }[]>(
        tx,
        `insert into quests (community_id, title, description, period, starts_at, ends_at, reward_points, reward_badge, created_by_id, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, now()) returning id`,
        [
          communityId,
          title,
          input.description.trim(),
          input.period,
          startsAt,
          endsAt,
          input.rewardPoints,
          rewardBadge,
          userId,
        ],
      );
      await insertGoals(tx, quest.id, goals);
      await bumpVersion(tx, communityId);
      return quest.id;
    },
    { mode: 'sql' },
  );
  return ctx.em.findOneOrFail(Quest, id);
}

/** A quest the viewer may change (`quests.manage` in its community), or NOT_FOUND / FORBIDDEN. */
async function managedQuest(ctx: Context, id: string, field = 'id'): Promise<Quest> {
  const quest = await ctx.loaders.quest.load(fromGlobalId('Quest', id, field));
  if (!quest) throw new NotFound('Quest');
  await visibleCommunity(ctx.loaders, ctx.viewer, quest.community.id);
  return quest;
}

/**
 * Changes a quest's wording, end or reward (`quests.manage`), and its goals until it starts; its
 * period stays. Goals are fixed from the start: counts are kept per goal, and an action in flight
 * counts toward the goals its instance read (a replaced goal would fail it, or count it under a
 * definition no longer in force). Before the start nothing can match (`matching` skips goals not
 * started), so no count exists and none is in flight.
 */
export async function updateQuest(ctx: Context, input: UpdateQuestInput): Promise<Quest> {
  requireUser(ctx.viewer);
  const quest = await managedQuest(ctx, input.id);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, quest.community.id), 'quests.manage');
  const goals = input.goals == null ? null : await checkedGoals(ctx, quest.community.id, input.goals);
  if (input.title != null && !input.title.trim()) throw new BadInput('title must not be blank', 'title');
  if (input.endsAt && input.endsAt.getTime() <= quest.startsAt.getTime())
    throw new BadInput('endsAt must be after startsAt', 'endsAt');
  await write(
    ctx,
    async (tx) => {
      await sql(
        tx,
        `update quests set title = coalesce(?, title), description = coalesce(?, description),
                ends_at = coalesce(?, ends_at), reward_points = coalesce(?, reward_points) where id = ?`,
        [
          input.title?.trim() ?? null,
          input.description?.trim() ?? null,
          input.endsAt ?? null,
          input.rewardPoints ?? null,
          quest.id,
        ],
        'run',
      );
      if (goals) {
        // The quest's row, locked, says whether it has started (its start does not change).
        const [row] = await sql<{ started: boolean }[]>(
          tx,
          'select starts_at <= now() as started from quests where id = ? for update',
          [quest.id],
        );
        if (row.started) throw new BadInput('Goals can change only before the quest starts', 'goals');
        await sql(tx, 'delete from quest_goals where quest_id = ?', [quest.id], 'run');
        await insertGoals(tx, quest.id, goals);
      }
      await bumpVersion(tx, quest.community.id);
    },
    { mode: 'sql' },
  );
  return ctx.em.findOneOrFail(Quest, quest.id, { refresh: true });
}

/** Closes a quest (`quests.manage`): no longer counted; its completions and rewards stay. */
export async function closeQuest(ctx: Context, id: string): Promise<Quest> {
  requireUser(ctx.viewer);
  const quest = await managedQuest(ctx, id);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, quest.community.id), 'quests.manage');
  await write(
    ctx,
    async (tx) => {
      await sql(tx, 'update quests set archived_at = coalesce(archived_at, now()) where id = ?', [quest.id], 'run');
      await bumpVersion(tx, quest.community.id);
    },
    { mode: 'sql' },
  );
  return ctx.em.findOneOrFail(Quest, quest.id, { refresh: true });
}

/**
 * Revokes a member's completion of a quest in a period (`quests.review`, MODERATOR and above): its
 * reward is reversed through the ledger (`reputation_reverse`), its badge removed (unless another
 * completion of the quest stands), and the row stays (revoked), so the period cannot be completed again. Revoking a revoked completion changes nothing.
 */
export async function removeQuestCompletion(ctx: Context, input: RemoveQuestCompletionInput): Promise<QuestCompletion> {
  const moderatorId = requireUser(ctx.viewer);
  const quest = await managedQuest(ctx, input.questId, 'questId');
  assertCan(await actorIn(ctx.loaders, ctx.viewer, quest.community.id), 'quests.review');
  const userId = fromGlobalId('User', input.userId, 'userId');
  const community = (await ctx.loaders.community.load(quest.community.id))!;
  const id = await write(
    ctx,
    async (tx, after) => {
      const [row] = await sql<{ id: number; was_revoked: boolean }[]>(
        tx,
        `with c as (select id, revoked_at from quest_completions where quest_id = ? and user_id = ? and period_start = ? for update)
         update quest_completions q set revoked_at = coalesce(q.revoked_at, now()), revoked_by_id = coalesce(q.revoked_by_id, ?)
           from c where q.id = c.id returning q.id, c.revoked_at is not null as was_revoked`,
        [quest.id, userId, input.periodStart, moderatorId],
      );
      if (!row) throw new NotFound('QuestCompletion');
      if (row.was_revoked) return row.id;
      settle(after, ctx, community, [await reverse(tx, `quest:${row.id}`, moderatorId)]);
      // The quest's badge goes with it, unless another completion of the quest (a recurring one's) stands.
      await sql(
        tx,
        `with gone as (
           delete from member_badges b where b.quest_id = ? and b.user_id = ? and b.badge = 'QUEST'
              and not exists (select 1 from quest_completions c where c.quest_id = ? and c.user_id = ? and c.revoked_at is null)
           returning b.id)
         delete from notifications n using gone where n.kind = 'BADGE_AWARDED' and n.member_badge_id = gone.id`,
        [quest.id, userId, quest.id, userId],
        'run',
      );
      return row.id;
    },
    { mode: 'sql' },
  );
  return ctx.em.findOneOrFail(QuestCompletion, id, { refresh: true });
}

/** Whether a quest counts actions at `at`: not closed, started, not ended. */
export function isActive(quest: Quest, at = new Date()): boolean {
  const t = at.getTime();
  return !quest.archivedAt && quest.startsAt.getTime() <= t && (!quest.endsAt || t < quest.endsAt.getTime());
}

/** One page of one community's quests (active ones only, or all of them). */
export interface QuestPageKey extends IdRange {
  communityId: number;
  active: boolean;
}

/** Pages of many communities' quests, newest first, one statement per kind of page (LATERAL … LIMIT). */
export function questPageLoader(em: EntityManager) {
  const group = (k: QuestPageKey) => `${k.active}:${idRangeKey(k)}`;
  return new DataLoader<QuestPageKey, Quest[], string>(
    async (keys) => {
      const groups = new Map<string, QuestPageKey[]>();
      for (const k of keys) groups.set(group(k), [...(groups.get(group(k)) ?? []), k]);
      const result = new Map<string, Quest[]>();
      for (const [name, list] of groups) {
        const { active, above, below, fetch, size } = list[0];
        const rows = await sql<Record<string, unknown>[]>(
          em,
          `select q.* from unnest(?::int[]) as k(community_id)
             cross join lateral (
               select * from quests q where q.community_id = k.community_id and q.id > ? and q.id < ?
                 ${active ? 'and q.archived_at is null and q.starts_at <= now() and (q.ends_at is null or q.ends_at > now())' : ''}
                order by q.id ${fetch} limit ?) q`,
          [`{${list.map((k) => k.communityId).join(',')}}`, above, below, size + 1],
        );
        for (const row of rows) {
          const quest = em.map(Quest, row);
          const key = `${quest.community.id}:${name}`;
          result.set(key, [...(result.get(key) ?? []), quest]);
        }
      }
      return keys.map((k) => result.get(`${k.communityId}:${group(k)}`) ?? []);
    },
    { cacheKeyFn: (k) => `${k.communityId}:${group(k)}` },
  );
}

/** How many quests each community has (active ones, or all), by `${communityId}:${active}`. */
export function questCountLoader(em: EntityManager) {
  return new DataLoader<string, number>(async (keys) => {
    const rows = await sql<{ community_id: number; active: boolean; n: number }[]>(
      em,
      `select community_id, (archived_at is null and starts_at <= now() and (ends_at is null or ends_at > now())) as active, count(*)::int as n
         from quests where community_id = any(?::int[]) group by 1, 2`,
      [`{${[...new Set(keys.map((k) => Number(k.split(':')[0])))].join(',')}}`],
    );
    return keys.map((k) => {
      const [id, active] = k.split(':');
      return rows
        .filter((r) => r.community_id === Number(id) && (active === 'false' || r.active))
        .reduce((n, r) => n + r.n, 0);
    });
  });
}

/** `Community.quests`: readable by whoever reads the community's content, newest first. */
export async function communityQuests(ctx: Context, community: Community, args: PageArgsShape & { active: boolean }) {
  await assertCanReadContent(ctx.loaders, ctx.viewer, community);
  const page = idPage(args, 'desc');
  const rows = await ctx.loaders.questPage.load({
    communityId: community.id,
    active: args.active,
    size: page.size,
    above: page.above,
    below: page.below,
    fetch: page.fetch,
  });
  return toConnection(
    rows,
    page,
    (q) => [q.id],
    () => ctx.loaders.questCount.load(`${community.id}:${args.active}`),
  );
}

/** Each quest's goals, in the order they were defined. */
export function questGoalsLoader(em: EntityManager) {
  return new DataLoader<number, (QuestGoalView & { id: number })[]>(async (questIds) => {
    const rows = await sql<
      {
        id: number;
        quest_id: number;
        action: QuestAction;
        target: number;
        tag: string | null;
        event_id: number | null;
      }[]
    >(
      em,
      'select id, quest_id, action, target, tag, event_id from quest_goals where quest_id = any(?::int[]) order by id',
      [`{${questIds.join(',')}}`],
    );
    return questIds.map((q) =>
      rows
        .filter((r) => r.quest_id === q)
        .map((r) => ({
          id: r.id,
          action: r.action,
          target: r.target,
          tag: r.tag,
          eventId: r.event_id === null ? null : toGlobalId('Event', r.event_id),
        })),
    );
  });
}

/** The viewer's counts per goal and their completion, for (quest, period start) pairs. */
export function viewerQuestProgressLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<
    { questId: number; periodStart: Date },
    { counts: Map<number, number>; completedAt: Date | null; revoked: boolean },
    string
  >(
    async (keys) => {
      const params = [
        viewer.userId,
        `{${keys.map((k) => k.questId).join(',')}}`,
        `{${keys.map((k) => `"${k.periodStart.toISOString()}"`).join(',')}}`,
      ];
      const rows = await sql<
        {
          quest_id: number;
          kind: string;
          goal_id: number | null;
          n: number | null;
          at: string | null;
          revoked: boolean | null;
          period_start: string;
        }[]
      >(
        em,
        `with k as (select * from unnest(?::int[], ?::timestamptz[]) as k(quest_id, period_start))
         select p.quest_id, 'goal' as kind, p.goal_id, p.count as n, null::timestamptz as at, null::boolean as revoked, p.period_start
           from k join quest_progress p on p.quest_id = k.quest_id and p.period_start = k.period_start and p.user_id = ?
         union all
         select c.quest_id, 'done', null, null, c.completed_at, c.revoked_at is not null, c.period_start
           from k join quest_completions c on c.quest_id = k.quest_id and c.period_start = k.period_start and c.user_id = ?`,
        [params[1], params[2], params[0], params[0]],
      );
      return keys.map((k) => {
        const mine = rows.filter(
          (r) => r.quest_id === k.questId && new Date(r.period_start).getTime() === k.periodStart.getTime(),
        );
        const done = mine.find((r) => r.kind === 'done');
        return {
          counts: new Map(mine.filter((r) => r.kind === 'goal').map((r) => [r.goal_id!, r.n!])),
          completedAt: done?.at ? new Date(done.at) : null,
          revoked: done?.revoked === true,
        };
      });
    },
    { cacheKeyFn: (k) => `${k.questId}:${k.periodStart.getTime()}` },
  );
}

/** The period of a quest holding `at`: its start and end. */
export function periodOf(quest: Quest, timeZone: string, at = new Date()): { start: Date; end: Date | null } {
  const start = periodStart(quest.period, quest.startsAt.getTime(), timeZone, at);
  if (quest.period === QuestPeriod.ONE_OFF) return { start, end: quest.endsAt ?? null };
  const p = periodsAt(timeZone, at);
  const end =
    quest.period === QuestPeriod.DAILY
      ? new Date(periodsAt(timeZone, new Date(p.dayStart.getTime() + 36 * 3_600_000)).dayStart)
      : quest.period === QuestPeriod.WEEKLY
        ? p.week.end
        : p.month.end;
  return { start, end };
}

/** `Quest.viewerProgress`: the viewer's progress in the current period; null when anonymous. */
export async function viewerProgress(ctx: Context, quest: Quest): Promise<QuestProgressView | null> {
  if (ctx.viewer.userId == null) return null;
  const community = (await ctx.loaders.community.load(quest.community.id))!;
  const { start, end } = periodOf(quest, community.timeZone);
  const [goals, mine] = await Promise.all([
    ctx.loaders.questGoals.load(quest.id),
    ctx.loaders.viewerQuestProgress.load({ questId: quest.id, periodStart: start }),
  ]);
  return {
    periodStart: start,
    periodEnd: end,
    goals: goals.map(({ id, ...goal }) => {
      const count = mine.counts.get(id) ?? 0;
      return { goal, count, reached: count >= goal.target };
    }),
    completedAt: mine.completedAt,
    revoked: mine.revoked,
  };
}

/** Completions in force of each quest, in all, and per period (newest first, at most 12). */
export function questCompletionCountLoader(em: EntityManager) {
  return new DataLoader<number, { total: number; periods: QuestPeriodCount[] }>(async (questIds) => {
    const rows = await sql<{ quest_id: number; period_start: string; n: number }[]>(
      em,
      `select quest_id, period_start, count(*)::int as n from quest_completions
        where quest_id = any(?::int[]) and revoked_at is null group by quest_id, period_start order by quest_id, period_start desc`,
      [`{${questIds.join(',')}}`],
    );
    return questIds.map((q) => {
      const mine = rows.filter((r) => r.quest_id === q);
      return {
        total: mine.reduce((n, r) => n + r.n, 0),
        periods: mine.slice(0, 12).map((r) => ({ periodStart: new Date(r.period_start), count: r.n })),
      };
    });
  });
}

/** Whether the viewer sees a quest's completion counts (`quests.review`: moderators, admins). */
export async function readsCompletions(loaders: Loaders, viewer: Viewer, quest: Quest): Promise<boolean> {
  return can(await actorIn(loaders, viewer, quest.community.id), 'quests.review');
}

/** A quest the viewer may read (its community's content), or null (node(id)). */
export async function readableQuest(loaders: Loaders, viewer: Viewer, id: number): Promise<Quest | null> {
  const quest = await loaders.quest.load(id);
  const community = quest && (await loaders.community.load(quest.community.id));
  if (!quest || !community) return null;
  try {
    await assertCanReadContent(loaders, viewer, community);
  } catch {
    return null;
  }
  return quest;
}
