/**
 * Instant-runoff tally of ranked ballots (issue 5), as a pure function so it can be tested and
 * reasoned about on its own.
 *
 * Each round counts every ballot for its highest-ranked option still in the count; a ballot that
 * ranks none of them is exhausted. An option with more than half of the ballots still counting
 * wins. Otherwise ONE option is eliminated, and the next round starts. The option eliminated is:
 *   1. the one with the fewest votes in this round;
 *   2. among those, the one with the fewest first-choice votes (round 1);
 *   3. among those, the one listed last in the poll (highest position).
 * When a single option is left it wins (if any ballot still counts). No ballots: no rounds, no winner.
 */

export interface RunoffOption {
  id: number;
  position: number;
}

export interface RunoffRound {
  /** Votes per option still in the count, in the poll's order. */
  tallies: { optionId: number; votes: number }[];
  /** Eliminated after this round (empty in the last one). */
  eliminated: number[];
  exhausted: number;
}

export interface RunoffResult {
  rounds: RunoffRound[];
  winner: number | null;
}

/**
 * @param options the poll's options
 * @param ballots each ballot's option ids, most preferred first
 */
export function instantRunoff(options: RunoffOption[], ballots: number[][]): RunoffResult {
  const ordered = [...options].sort((a, b) => a.position - b.position);
  const positionOf = new Map(ordered.map((o) => [o.id, o.position]));
  const remaining = new Set(ordered.map((o) => o.id));
  const rounds: RunoffRound[] = [];
  if (ballots.length === 0 || ordered.length === 0) return { rounds, winner: null };
  let firstChoice: Map<number, number> | null = null;

  for (;;) {
    const votes = new Map<number, number>([...remaining].map((id) => [id, 0]));
    let exhausted = 0;
    for (const ballot of ballots) {
      const top = ballot.find((id) => remaining.has(id));
      if (top === undefined) exhausted++;
      else votes.set(top, votes.get(top)! + 1);
    }
    firstChoice ??= votes;
    const tallies = ordered
      .filter((o) => remaining.has(o.id))
      .map((o) => ({ optionId: o.id, votes: votes.get(o.id)! }));
    const counting = ballots.length - exhausted;
    const leader = tallies.reduce((best, t) => (t.votes > best.votes ? t : best), tallies[0]);
    if (counting === 0) {
      rounds.push({ tallies, eliminated: [], exhausted });
      return { rounds, winner: null };
    }
    if (leader.votes * 2 > counting || remaining.size === 1) {
      rounds.push({ tallies, eliminated: [], exhausted });
      return { rounds, winner: leader.optionId };
    }
    const fc = firstChoice;
    const loser = [...tallies].sort(
      (a, b) =>
        a.votes - b.votes ||
        fc.get(a.optionId)! - fc.get(b.optionId)! ||
        positionOf.get(b.optionId)! - positionOf.get(a.optionId)!,
    )[0];
    rounds.push({ tallies, eliminated: [loser.optionId], exhausted });
    remaining.delete(loser.optionId);
  }
}
