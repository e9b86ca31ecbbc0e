import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { sql } from '../../platform/database/sql';
import type { Community } from '../communities/communities.entity';
import { awardWritten, type LedgerChange } from '../reputation/ledger';
import { periodsAt } from '../reputation/rules';
import { QuestAction, QuestPeriod } from './quests.entity';

/** A goal of a live quest (not archived, not ended), as each instance keeps it per community. */
export interface LiveGoal {
  id: number;
  questId: number;
  action: QuestAction;
  target: number;
  tag: string | null;
  eventId: number | null;
  channelId: number | null;
  period: QuestPeriod;
  startsAt: number;
  endsAt: number | null;
}

/**
 * Each community's live goals on this instance, keyed by the community's `questVersion`, which every
 * change of its quests moves in the transaction that makes it (as AutoMod's rules: automod.ts). A
 * write reads the community's row anyway; a new version there reads the goals again on that write,
 * so a quest saved on one instance counts on every instance from the next action on, with no message
 * between them. A community that never had a quest (version 0) reads nothing.
 */
const cached = new LRUCache<number, { version: number; goals: LiveGoal[] }>({ max: 5000 });

type QuestCommunity = Pick<Community, 'id' | 'timeZone' | 'questVersion'>;

/** The community's live goals (an empty list, without a statement, when it never had a quest or the cache is current). */
export async function liveGoals(em: EntityManager, community: QuestCommunity): Promise<LiveGoal[]> {
  if (!community.questVersion) return [];
  const hit = cached.get(community.id);
  if (hit && hit.version === community.questVersion) return hit.goals;
  const rows = await sql<Record<string, unknown>[]>(
    em,
    `select g.id, g.quest_id, g.action, g.target, g.tag, g.event_id, g.channel_id, q.period, q.starts_at, q.ends_at
       from quests q join quest_goals g on g.quest_id = q.id
      where q.community_id = ? and q.archived_at is null and (q.ends_at is null or q.ends_at > now())
      order by g.id`,
    [community.id],
  );
  const goals = rows.map((r) => ({
    id: r.id as number,
    questId: r.quest_id as number,
    action: r.action as QuestAction,
    target: r.target as number,
    tag: (r.tag as string | null) ?? null,
    eventId: (r.event_id as number | null) ?? null,
    channelId: (r.channel_id as number | null) ?? null,
    period: r.period as QuestPeriod,
    startsAt: new Date(r.starts_at as string).getTime(),
    endsAt: r.ends_at == null ? null : new Date(r.ends_at as string).getTime(),
  }));
  cached.set(community.id, { version: community.questVersion, goals });
  return goals;
}

/** An action a quest may count: who it counts for, what caused it (unique: "comment:<id>", "vote:<id>", …) and its filters' values. */
export interface QuestAct {
  action: QuestAction;
  userId: number;
  cause: string;
  /** The tags of the post (written, commented on, or upvoted). */
  tags?: readonly string[];
  /** The event (checked in at, its poll, its chat). */
  eventId?: number | null;
  /** The channel of the post (written, commented on, or upvoted). */
  channelId?: number | null;
}

/** Whether a goal counts an act: its action, then each filter it sets (a new filter is one more line here). */
function goalMatches(goal: LiveGoal, act: QuestAct): boolean {
  return (
    goal.action === act.action &&
    (goal.tag === null || (act.tags ?? []).includes(goal.tag)) &&
    (goal.eventId === null || goal.eventId === act.eventId) &&
    (goal.channelId === null || goal.channelId === act.channelId)
  );
}

/**
 * The start of the period holding `at` for a quest: its start for ONE_OFF, else the community's day,
 * ISO week or month (rules.ts `periodsAt`, in the community's time zone, across DST).
 */
export function periodStart(period: QuestPeriod, startsAt: number, timeZone: string, at: Date): Date {
  if (period === QuestPeriod.ONE_OFF) return new Date(startsAt);
  const p = periodsAt(timeZone, at);
  return period === QuestPeriod.DAILY ? p.dayStart : period === QuestPeriod.WEEKLY ? p.week.start : p.month.start;
}

/** The goals an act counts toward now, each with its period's start (empty: nothing to write). */
export function matching(goals: readonly LiveGoal[], timeZone: string, act: QuestAct, at = new Date()) {
  const t = at.getTime();
  const hits = goals.filter((g) => g.startsAt <= t && (g.endsAt === null || t < g.endsAt) && goalMatches(g, act));
  return hits.map((g) => ({ goal: g, periodStart: periodStart(g.period, g.startsAt, timeZone, at) }));
}

/**
 * Counts an act toward the community's live goals, in `tx` (the transaction of the action): one
 * statement, `quest_record` (see the quests migration), when a goal matches; none otherwise. The
 * function takes the member's reputation lock, adds the act once per goal (a unique cause), moves
 * the progress rows, and completes each quest whose goals are all reached in the period (a unique
 * key on quest, member and period start): the completion's reward through `reputation_award`, and
 * its notification job. Returns the ledger rows written (for `settle`).
 */
export async function recordQuests(
  tx: EntityManager,
  community: QuestCommunity,
  act: QuestAct,
): Promise<LedgerChange[]> {
  const hits = matching(await liveGoals(tx, community), community.timeZone, act);
  if (!hits.length) return [];
  const rows = await sql<Record<string, unknown>[]>(
    tx,
    'select * from quest_record(?, ?, ?, ?::int[], ?::timestamptz[])',
    [
      community.id,
      act.userId,
      act.cause,
      `{${hits.map((h) => h.goal.id).join(',')}}`,
      `{${hits.map((h) => `"${h.periodStart.toISOString()}"`).join(',')}}`,
    ],
  );
  return rows.map(awardWritten).filter((c): c is LedgerChange => c !== null);
}

/** Whether the community has a live goal counting `action` (so a reversal of one may take progress back). */
export async function countsAction(em: EntityManager, community: QuestCommunity, action: QuestAction) {
  return (await liveGoals(em, community)).some((g) => g.action === action);
}

/**
 * Takes back what a cause counted (a withdrawn upvote) toward periods not completed: one statement
 * (`quest_unrecord`), only when the community has a live goal counting the action. A completed
 * period keeps its completion and reward (a moderator may revoke it).
 */
export async function unrecordQuests(
  tx: EntityManager,
  community: QuestCommunity,
  action: QuestAction,
  userId: number,
  cause: string,
): Promise<void> {
  if (!(await countsAction(tx, community, action))) return;
  await sql(tx, 'select quest_unrecord(?, ?, ?::varchar[])', [community.id, userId, `{${cause}}`], 'run');
}

/**
 * Takes back what deleted content counted toward periods not completed: the post or comment itself
 * and the upvotes it received (their causes read in the same statement), only when the community has
 * a live goal counting either.
 */
export async function unrecordContent(
  tx: EntityManager,
  community: QuestCommunity,
  kind: 'post' | 'comment',
  id: number,
  authorId: number,
): Promise<void> {
  const goals = await liveGoals(tx, community);
  const own = kind === 'post' ? QuestAction.POST : QuestAction.COMMENT;
  if (!goals.some((g) => g.action === own || g.action === QuestAction.UPVOTE_RECEIVED)) return;
  await sql(
    tx,
    `select quest_unrecord(?, ?, array(select 'vote:' || v.id from votes v where v.${kind}_id = ? and v.value > 0)::varchar[] || ?::varchar)`,
    [community.id, authorId, id, `${kind}:${id}`],
    'run',
  );
}
