import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { Logger } from '../../platform/logger';
import type { After } from '../../platform/database/write';
import type { Community } from '../communities/communities.entity';
import type { Leaderboards } from './leaderboards';
import { ReputationReason, ReputationSubjectType } from './reputation.entity';
import { reputationTopics, type LeaderboardChangedEvent } from './reputation.events';
import { CAPPED_REASONS, REASONS, pointsFor, periodsAt, rulesOf } from './rules';

/** A ledger row written in a transaction: what the leaderboards add once it commits. */
export interface LedgerChange {
  /** The ledger row's id: a member's rows get increasing ids in commit order (they are written under the member's lock). */
  id: number;
  communityId: number;
  userId: number;
  delta: number;
  at: Date;
  /** Whether the user is a member (only members are on the boards). */
  member: boolean;
}

/** `CAPPED_REASONS` as a PostgreSQL array literal, for `reputation_award`. */
const CAPPED_ARRAY = `{${CAPPED_REASONS.join(',')}}`;

/**
 * What deleting a post or comment takes back: the points its upvotes and its featuring earned. The
 * penalties of its downvotes stay, so deleting one's downvoted content is not a way to shed them.
 */
export const EARNED_BY_CONTENT = [
  ReputationReason.POST_UPVOTED,
  ReputationReason.COMMENT_UPVOTED,
  ReputationReason.COMMENT_FEATURED,
] as const;

export interface Award {
  community: Pick<Community, 'id' | 'timeZone' | 'reputationRules'>;
  userId: number;
  reason: ReputationReason;
  /** Names the cause, unique among award rows: "vote:<vote id>", … */
  cause: string;
  subjectType: ReputationSubjectType;
  subjectId: number;
  actorId: number | null;
  /**
   * The users on the other side of the cause, without whom it could not happen: the voter (a
   * vote), the moderator (featuring), the one checking in and the organizer (a check-in), the
   * poll's creator (a ballot). A member who is one of them earns nothing and no row is written:
   * no reason may be farmed alone (issue 12: creating polls and voting in them, checking oneself
   * in, featuring one's own comment).
   */
  counterparts: readonly number[];
}

interface Written {
  o_id: number;
  o_community: number;
  o_user: number;
  o_delta: number;
  o_at: Date | string;
  o_member: boolean;
}

const toChange = (r: Written): LedgerChange => ({
  id: r.o_id,
  communityId: r.o_community,
  userId: r.o_user,
  delta: r.o_delta,
  at: new Date(r.o_at),
  member: r.o_member,
});

/**
 * Writes an award row in `tx` (the transaction that writes its cause) with the community's points
 * for the reason, capped for the capped reasons (`REASONS` in rules.ts) by what the member already
 * earned from them today (community time), and moves `members.reputation`: one call of the SQL
 * function `reputation_award` (see the reputation migrations), which serializes the member's
 * awards with an advisory lock, so the cap holds under concurrency. Nothing is written (and no
 * statement run) when the member is a counterpart of the cause or the rule is 0; nothing is
 * written when the cap is reached or the cause was already counted.
 */
export async function award(tx: EntityManager, a: Award): Promise<LedgerChange | null> {
  const call = awardCall(a);
  if (!call) return null;
  const row = await sql<Written | undefined>(tx, `select * from ${call.sql}`, call.params, 'get');
  return row ? toChange(row) : null;
}

/**
 * The `reputation_award(…)` call that `award` runs, for a statement that writes the award's cause
 * and the award together (one statement is one transaction: no BEGIN and COMMIT round trips); null
 * when nothing is to be written (a counterpart, or a rule of 0 points). Its columns are read back
 * with `awardWritten`.
 */
export function awardCall(a: Award): { sql: string; params: unknown[] } | null {
  if (a.counterparts.includes(a.userId)) return null;
  const rules = rulesOf(a.community);
  const points = pointsFor(rules, a.reason);
  if (points === 0) return null;
  const capped = REASONS[a.reason].capped;
  return {
    sql: 'reputation_award(?, ?, ?, ?::reputation_reason, ?, ?::reputation_subject_type, ?, ?, ?, ?, ?::reputation_reason[])',
    params: [
      a.community.id,
      a.userId,
      points,
      a.reason,
      a.cause,
      a.subjectType,
      a.subjectId,
      a.actorId,
      capped ? rules.dailyVoteCap : null,
      capped ? periodsAt(a.community.timeZone).dayStart : null,
      CAPPED_ARRAY,
    ],
  };
}

/** The ledger change in a row holding `reputation_award`'s columns (`o_id`, …), or null when it wrote nothing. */
export function awardWritten(row: Record<string, unknown>): LedgerChange | null {
  return row.o_id === null || row.o_id === undefined ? null : toChange(row as unknown as Written);
}

/** Reverses the award row of `cause`, if there is one not yet reversed (`reputation_reverse`). */
export async function reverse(tx: EntityManager, cause: string, actorId: number | null): Promise<LedgerChange | null> {
  const row = await sql<Written | undefined>(tx, 'select * from reputation_reverse(?, ?)', [cause, actorId], 'get');
  return row ? toChange(row) : null;
}

/**
 * Reverses every award of a subject for the given reasons that is in force (deleted content loses
 * what its votes earned); `reputation_reverse` passes over those reversed already.
 */
export async function reverseSubject(
  tx: EntityManager,
  subjectType: ReputationSubjectType,
  subjectId: number,
  reasons: readonly ReputationReason[],
  actorId: number | null,
): Promise<LedgerChange[]> {
  const rows = await sql<Written[]>(
    tx,
    `select r.* from (
        select e.id, e.cause from reputation_events e
         where e.subject_type = ?::reputation_subject_type and e.subject_id = ? and e.reverses_id is null
           and e.reason = any(?::reputation_reason[])
         order by e.id
      ) e cross join lateral reputation_reverse(e.cause, ?) r`,
    [subjectType, subjectId, `{${reasons.join(',')}}`, actorId],
  );
  return rows.map(toChange);
}

/**
 * Restores the awards that the given reversal rows reversed (an appeal reversing a removal): each
 * cause's chain gets a row reversing its reversal (`reputation_restore`), so the award is in force
 * again and a later reversal of the same cause (a withdrawn vote, another removal) takes it back.
 */
export async function restoreReversed(
  tx: EntityManager,
  reversalIds: readonly number[],
  actorId: number | null,
): Promise<LedgerChange[]> {
  if (!reversalIds.length) return [];
  const rows = await sql<Written[]>(
    tx,
    `select r.* from (select cause from reputation_events where id = any(?::int[]) order by id) e
       cross join lateral reputation_restore(e.cause, ?) r`,
    [`{${reversalIds.join(',')}}`, actorId],
  );
  return rows.map(toChange);
}

export interface SettleDeps {
  leaderboards: Leaderboards;
  log: Logger;
}

/**
 * After the write's commit (a step of its `after`): adds the changes to the community's leaderboards
 * and tells `leaderboardChanged` watchers (on every instance). A failure is logged, not thrown: the
 * ledger is committed and the boards are a cache of it (`npm run reputation:rebuild` recomputes them).
 */
export function settle(
  after: After,
  deps: SettleDeps,
  community: Pick<Community, 'id' | 'timeZone'>,
  changes: (LedgerChange | null)[],
): void {
  const onBoards = changes.filter((c): c is LedgerChange => c !== null && c.member && c.communityId === community.id);
  if (!onBoards.length) return;
  after.run(async () => {
    try {
      await deps.leaderboards.apply(community, onBoards);
    } catch (err) {
      deps.log.warn(
        { err, communityId: community.id },
        'leaderboards not updated; `npm run reputation:rebuild` repairs them',
      );
    }
  });
  leaderboardChanged(after, community.id);
}

/** Tells `leaderboardChanged` watchers on every instance that a community's boards changed (after the write's commit). */
export function leaderboardChanged(after: After, communityId: number): void {
  after.publish<LeaderboardChangedEvent>(reputationTopics.leaderboardChanged(communityId), { communityId });
}
