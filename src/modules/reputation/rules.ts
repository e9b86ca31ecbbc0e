import { DateTime } from 'luxon';
import { BadInput } from '../../platform/errors';
import type { Community } from '../communities/communities.entity';
import { ReputationReason } from './reputation.entity';

/**
 * The reputation rules: points per cause, the daily cap, and the level thresholds. These are the
 * defaults; a community admin overrides any of them for their community (`setReputationRules`),
 * and changes apply to causes from then on (the ledger is never rewritten). Which reasons count
 * toward the cap, and why, is `REASONS` below.
 *
 * Why these numbers (Stack Overflow's +10 / −2 / 200-a-day is the reference):
 * - A post upvote is worth 10 and a comment upvote 5: a post is the bigger contribution, and
 *   comments are where most votes land, so a busy thread does not dwarf the posts it hangs from.
 * - A downvote costs the author 2: enough to signal, small enough that a few grudges do not undo
 *   an upvote's worth (five downvotes to cancel one post upvote).
 * - A comment featured by a moderator earns 15, like an accepted answer: a moderator's judgement
 *   outweighs one vote.
 * - Being checked in at an event earns 5 (showing up is contribution); voting in a poll earns 1
 *   (participation, once per poll).
 * - Points earned are capped at 200 per day (community time, `dailyVoteCap`, named when only
 *   upvotes counted): a viral post, a voting ring or a member with a second account cannot mint
 *   unbounded reputation. Downvotes are not capped (see `REASONS`).
 *
 * Nothing is earned alone (issue 12): a member who is the other party of their own cause (their
 * own vote, featuring their own comment as a moderator, checking themself in or being checked in
 * at an event they organize, a ballot in their own poll) earns nothing; see `Award.counterparts`
 * in ledger.ts. A ballot in an anonymous poll earns nothing either: see polls.reputation.ts.
 */
export interface ReputationRules {
  postUpvoted: number;
  commentUpvoted: number;
  downvoted: number;
  commentFeatured: number;
  eventCheckIn: number;
  pollVote: number;
  dailyVoteCap: number;
  levelThresholds: number[];
}

export const DEFAULT_RULES: Readonly<ReputationRules> = Object.freeze({
  postUpvoted: 10,
  commentUpvoted: 5,
  downvoted: -2,
  commentFeatured: 15,
  eventCheckIn: 5,
  pollVote: 1,
  dailyVoteCap: 200,
  /** Reputation needed for levels 1, 2, 3, …: level N needs `levelThresholds[N - 1]`. */
  levelThresholds: [0, 15, 50, 125, 500, 1000, 3000],
});
export type RuleName = Exclude<keyof ReputationRules, 'levelThresholds'>;

/**
 * What a reason earns: the rule naming its points (null: the cause names them, as a quest's reward
 * does), and whether they count toward `dailyVoteCap`.
 */
export interface ReasonRule {
  points: Exclude<RuleName, 'dailyVoteCap'> | null;
  capped: boolean;
}

/**
 * Every reason a member's reputation changes, in one place: its points and whether they count
 * toward the daily cap. The SQL function `reputation_award` receives `CAPPED_REASONS` with each
 * award, so this table is the only list of them. A reason added to `ReputationReason` must be
 * added here (the type requires it), with its cap decided and the decision written down.
 */
export const REASONS: Readonly<Record<ReputationReason, ReasonRule>> = {
  // Capped: a viral post or a voting ring (or one member with a few accounts) upvoting all day.
  [ReputationReason.POST_UPVOTED]: { points: 'postUpvoted', capped: true },
  [ReputationReason.COMMENT_UPVOTED]: { points: 'commentUpvoted', capped: true },
  // Not capped: a penalty earns nothing, so there is nothing to farm; counting it toward the cap
  // would make room for more earnings, and a cap on penalties would make a member past it immune.
  [ReputationReason.POST_DOWNVOTED]: { points: 'downvoted', capped: false },
  [ReputationReason.COMMENT_DOWNVOTED]: { points: 'downvoted', capped: false },
  // Capped: a moderator may feature any number of comments, so a moderator with a second account
  // could mint 15 points a comment. A judgement still earns more than a vote, within the day's cap.
  [ReputationReason.COMMENT_FEATURED]: { points: 'commentFeatured', capped: true },
  // Capped: an organizer with a second account could create events (and recurring occurrences)
  // and check that account in at each.
  [ReputationReason.EVENT_CHECK_IN]: { points: 'eventCheckIn', capped: true },
  // Capped: a member with a second account could create polls for the other one to vote in.
  [ReputationReason.POLL_VOTE]: { points: 'pollVote', capped: true },
  // Not capped, and not counted toward the cap: a quest's points are set by the community's admins
  // and earned at most once per quest and period (a unique key on completions), so they cannot be
  // farmed past what the admins chose; counting them toward the cap would let a member's upvotes of
  // the day cancel a reward the community announced (or the reward eat the room of their upvotes).
  // The actions a quest counts still earn their own points under the cap. `capped` decides only
  // whether the reward counts toward the cap of other earnings; the reward itself is awarded by the
  // SQL function `quest_record`, which passes `reputation_award` no cap (tests/quests/daily-cap.test.ts).
  [ReputationReason.QUEST_COMPLETED]: { points: null, capped: false },
};

/** The reasons whose points count toward the daily cap (from `REASONS`). */
export const CAPPED_REASONS: readonly ReputationReason[] = Object.freeze(
  (Object.keys(REASONS) as ReputationReason[]).filter((reason) => REASONS[reason].capped),
);

/** The points a reason earns under a community's rules (0: nothing is written). */
export function pointsFor(rules: ReputationRules, reason: ReputationReason): number {
  const rule = REASONS[reason].points;
  return rule === null ? 0 : rules[rule];
}

/** The most levels a community may define (entries of `levelThresholds`). */
export const MAX_LEVELS = 20;

/** The range each rule may be overridden within. */
export const RULE_LIMITS: Readonly<Record<RuleName, readonly [number, number]>> = {
  postUpvoted: [0, 1000],
  commentUpvoted: [0, 1000],
  downvoted: [-1000, 0],
  commentFeatured: [0, 1000],
  eventCheckIn: [0, 1000],
  pollVote: [0, 1000],
  dailyVoteCap: [1, 1_000_000],
};

/** The community's rules: its overrides on top of the defaults. */
export function rulesOf(community: Pick<Community, 'reputationRules'>): ReputationRules {
  const overrides = (community.reputationRules ?? {}) as Partial<ReputationRules>;
  return { ...DEFAULT_RULES, levelThresholds: [...DEFAULT_RULES.levelThresholds], ...overrides };
}

/** Checks a set of overrides (null values reset a rule to its default); returns what to store. */
export function validateOverrides(
  current: Partial<ReputationRules>,
  input: Partial<Record<keyof ReputationRules, unknown>>,
): Partial<ReputationRules> {
  const next: Partial<ReputationRules> = { ...current };
  for (const [name, [min, max]] of Object.entries(RULE_LIMITS) as [RuleName, readonly [number, number]][]) {
    const value = input[name];
    if (value === undefined) continue;
    if (value === null) {
      delete next[name];
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new BadInput(`${name} must be an integer from ${min} to ${max}`, name);
    }
    (next as Record<string, number>)[name] = value;
  }
  const thresholds = input.levelThresholds;
  if (thresholds === null) delete next.levelThresholds;
  else if (thresholds !== undefined) {
    const list = thresholds as number[];
    const ok =
      Array.isArray(list) &&
      list.length >= 2 &&
      list.length <= MAX_LEVELS &&
      list[0] === 0 &&
      list.every((t, i) => Number.isInteger(t) && t <= 10_000_000 && (i === 0 || t >= list[i - 1]));
    if (!ok)
      throw new BadInput(
        `levelThresholds must start at 0 and not decrease, 2 to ${MAX_LEVELS} integers`,
        'levelThresholds',
      );
    next.levelThresholds = [...list];
  }
  return next;
}

/** The level a reputation reaches: the number of thresholds it meets (at least 1). */
export function levelOf(reputation: number, thresholds: readonly number[]): number {
  let level = 1;
  for (let i = 1; i < thresholds.length; i++) if (reputation >= thresholds[i]) level = i + 1;
  return level;
}

export enum LeaderboardPeriodName {
  ALL_TIME = 'ALL_TIME',
  MONTH = 'MONTH',
  WEEK = 'WEEK',
}

/** Whether a string is an IANA time zone luxon knows. */
export function isTimeZone(zone: string): boolean {
  return zone.length <= 64 && DateTime.now().setZone(zone).isValid;
}

/** The windows of a community's periods at `at`, in its time zone (see `periodsAt`). */
export type Periods = ReturnType<typeof computePeriods>;

/** The periods of each time zone's current day, valid from `from` to `to` (ms): every write that earns asks. */
const today = new Map<string, { from: number; to: number; periods: Periods }>();

/**
 * The windows of a community's periods at `at`, in its time zone: the day (for the vote cap), the
 * ISO week (Monday to Sunday) and the calendar month, each with a key naming it. All of them change
 * only when a day starts, so each time zone's are worked out once a day (luxon's zone arithmetic
 * costs more than the rest of a vote). The result is shared: callers must not change its dates.
 */
export function periodsAt(timeZone: string, at: Date = new Date()): Periods {
  const t = at.getTime();
  const known = today.get(timeZone);
  if (known && known.from <= t && t < known.to) return known.periods;
  const periods = computePeriods(timeZone, at);
  const to = DateTime.fromJSDate(periods.dayStart).setZone(timeZone).plus({ days: 1 }).toMillis();
  // Only the current day is kept (a past `at`, as rebuilds ask, would otherwise replace it each time).
  if (Math.abs(t - Date.now()) < 60_000) today.set(timeZone, { from: periods.dayStart.getTime(), to, periods });
  return periods;
}

function computePeriods(timeZone: string, at: Date) {
  const local = DateTime.fromJSDate(at).setZone(timeZone);
  const week = local.startOf('week');
  const month = local.startOf('month');
  return {
    dayStart: local.startOf('day').toJSDate(),
    week: { key: `w:${week.toFormat("kkkk-'W'WW")}`, start: week.toJSDate(), end: week.plus({ weeks: 1 }).toJSDate() },
    month: {
      key: `m:${month.toFormat('yyyy-MM')}`,
      start: month.toJSDate(),
      end: month.plus({ months: 1 }).toJSDate(),
    },
    /** The month before `at`'s (for the monthly badges). */
    previousMonth: {
      key: month.minus({ months: 1 }).toFormat('yyyy-MM'),
      start: month.minus({ months: 1 }).toJSDate(),
      end: month.toJSDate(),
    },
  };
}

/** The key of a period's board at `at`: "all", "m:2026-12", "w:2026-W49". */
export function boardKey(period: LeaderboardPeriodName, timeZone: string, at: Date = new Date()): string {
  if (period === LeaderboardPeriodName.ALL_TIME) return 'all';
  const p = periodsAt(timeZone, at);
  return period === LeaderboardPeriodName.MONTH ? p.month.key : p.week.key;
}
