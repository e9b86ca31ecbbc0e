import type { Community } from '../communities/communities.entity';
import type { Award } from '../reputation/ledger';
import { ReputationReason, ReputationSubjectType } from '../reputation/reputation.entity';

/**
 * What a member's first ballot in a poll earns (POLL_VOTE, once per member and poll: cause
 * "ballot:<poll>:<user>"), or null when it earns nothing. Used by `castVote` and the demo seed.
 *
 * - A ballot in one's own poll earns nothing (the creator is the counterpart, see `Award`):
 *   creating polls and voting in them was a way to farm reputation alone (issue 12).
 * - A ballot in an anonymous poll earns nothing at all, for the voter too (issue 12): reputation
 *   is public (every ledger row, `Member.reputation`, the leaderboards and `leaderboardChanged`,
 *   what is left of the daily cap), so any point would move where others see it at the moment
 *   the poll's counts move, and tie the voter to their ballot. Awarding at close, in a batch,
 *   would still tell everyone who took part; a secret ballot's 1 point is not worth that.
 */
export function ballotAward(
  community: Pick<Community, 'id' | 'timeZone' | 'reputationRules'>,
  poll: { id: number; anonymous: boolean; createdBy: { id: number } },
  userId: number,
): Award | null {
  if (poll.anonymous) return null;
  return {
    community,
    userId,
    reason: ReputationReason.POLL_VOTE,
    cause: `ballot:${poll.id}:${userId}`,
    subjectType: ReputationSubjectType.POLL,
    subjectId: poll.id,
    actorId: userId,
    counterparts: [poll.createdBy.id],
  };
}
