/** The instant-runoff tally of ranked polls, and its documented tie-breaks (src/modules/polls/runoff.ts). */
import { instantRunoff } from '../../src/modules/polls/runoff';

const options = [1, 2, 3, 4].map((id, position) => ({ id, position }));

describe('instant runoff', () => {
  it('elects an option with a majority of first choices in one round', () => {
    const result = instantRunoff(options, [[1], [1, 2], [2], [1]]);
    expect(result.winner).toBe(1);
    expect(result.rounds).toEqual([
      {
        tallies: [
          { optionId: 1, votes: 3 },
          { optionId: 2, votes: 1 },
          { optionId: 3, votes: 0 },
          { optionId: 4, votes: 0 },
        ],
        eliminated: [],
        exhausted: 0,
      },
    ]);
  });

  it('eliminates the fewest votes, then the fewest first choices, then the option listed last', () => {
    // Round 1: 1:2 2:2 3:1 4:1 → 3 and 4 tie on votes and on first choices: 4 (listed last) goes.
    // Round 2: 4's ballot moves to 3 → 1:2 2:2 3:2: every tie again; first choices 1:2 2:2 3:1 → 3 goes.
    // Round 3: 3's ballots go to 2 (one) and nowhere (one, exhausted) → 2:3 > (2+3)/2.
    const result = instantRunoff(options, [[1], [1], [2], [2], [3, 2], [4, 3]]);
    expect(result.rounds.map((r) => r.eliminated)).toEqual([[4], [3], []]);
    expect(result.rounds[2]).toEqual({
      tallies: [
        { optionId: 1, votes: 2 },
        { optionId: 2, votes: 3 },
      ],
      eliminated: [],
      exhausted: 1,
    });
    expect(result.winner).toBe(2);
  });

  it('breaks an even final by first choices, then by position', () => {
    expect(instantRunoff(options.slice(0, 2), [[1], [2]]).winner).toBe(1);
    expect(instantRunoff(options.slice(0, 2), [[1], [2]]).rounds.map((r) => r.eliminated)).toEqual([[2], []]);
  });

  it('has no rounds and no winner without ballots', () => {
    expect(instantRunoff(options, [])).toEqual({ rounds: [], winner: null });
  });
});
