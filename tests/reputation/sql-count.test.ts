/**
 * No N+1 in reputation fields: a page of members with reputation, level, badges and a page of
 * their ledger costs the same statements for 5 members as for 20; so does a leaderboard (or a page
 * of the ranking, with its count) of 5 or 20 with each entry's member, user and badges. And the
 * statements a vote costs, ledger included.
 */
import { graphql } from '../../codegen/index';
import { VoteDocument, castOf, createPost, vote } from '../posts/operations';
import { closeAll, startTestServer, type TestServer } from '../support/server';

const MembersReputation = graphql(`
  query ReputationMembersPage($slug: String!, $first: Int!) {
    community(slug: $slug) {
      members(first: $first) {
        edges {
          node {
            reputation
            level
            badges {
              badge
              awardedAt
            }
            reputationHistory(first: 3) {
              edges {
                node {
                  delta
                  reason
                  reversal
                  subject {
                    id
                  }
                  actor {
                    handle
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`);

const BoardPage = graphql(`
  query ReputationBoardPage($slug: String!, $first: Int!) {
    community(slug: $slug) {
      leaderboard(period: WEEK, first: $first) {
        rank
        score
        member {
          reputation
          level
          user {
            handle
          }
          badges {
            badge
          }
        }
      }
    }
  }
`);

/** The same board as a connection, with its size. */
const RankingPage = `query ReputationRankingPage($slug: String!, $first: Int!) {
  community(slug: $slug) {
    ranking(period: WEEK, first: $first) {
      totalCount
      nodes { rank score member { reputation level user { handle } badges { badge } } }
    }
  }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RESPONSE_CACHE_SECONDS: '0' });
});
afterAll(closeAll);

describe('SQL statements of reputation fields (no N+1)', () => {
  it('costs the same for 5 members or entries as for 20, each with badges and ledger rows', async () => {
    const cast = await castOf(server, 21);
    const [voter, ...authors] = cast.members;
    for (const [i, author] of authors.entries()) {
      const post = await createPost(server, author, cast.community.id);
      await vote(server, voter, post.id, 'UP');
      if (i % 2) await vote(server, cast.moderator, post.id, 'DOWN');
    }
    const counts: Record<string, number> = {};
    for (const first of [5, 20]) {
      const members = await server.gql(MembersReputation, { slug: cast.community.slug, first });
      expect(members.body.errors).toBeUndefined();
      const nodes = members.body.data.community.members.edges.map((e: any) => e.node);
      expect(nodes).toHaveLength(first);
      expect(nodes.some((n: any) => n.reputationHistory.edges.length > 0 && n.badges.length > 0)).toBe(true);
      counts[`members, first ${first}`] = members.sqlStatements;

      const board = await server.gql(BoardPage, { slug: cast.community.slug, first });
      expect(board.body.errors).toBeUndefined();
      expect(board.body.data.community.leaderboard).toHaveLength(first);
      counts[`leaderboard, first ${first}`] = board.sqlStatements;

      const ranking = await server.gql(RankingPage, { slug: cast.community.slug, first });
      expect(ranking.body.errors).toBeUndefined();
      expect(ranking.body.data.community.ranking.nodes).toHaveLength(first);
      expect(ranking.body.data.community.ranking.totalCount).toBe(authors.length);
      counts[`ranking, first ${first}`] = ranking.sqlStatements;
    }
    console.log('SQL statements per reputation page:', counts);
    // community + members page + their badges + their ledger pages + the ledger rows' subjects (posts)
    expect(counts['members, first 5']).toBe(counts['members, first 20']);
    expect(counts['members, first 20']).toBe(5);
    // community + the entries' members + their users + their badges (the board itself is not SQL)
    expect(counts['leaderboard, first 5']).toBe(counts['leaderboard, first 20']);
    expect(counts['leaderboard, first 20']).toBe(4);
    // The same for the ranking, its count included (the board's size is not SQL either).
    expect(counts['ranking, first 5']).toBe(4);
    expect(counts['ranking, first 20']).toBe(4);
  });

  it('costs a fixed number of statements per vote, its ledger rows included', async () => {
    const cast = await castOf(server, 2);
    const [author, voter] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    const counts: number[] = [];
    for (const value of ['UP', 'DOWN', 'NONE'] as const) {
      const res = await server.gql(VoteDocument, { input: { subjectId: post.id, value } }, { token: voter.token });
      expect(res.body.errors).toBeUndefined();
      counts.push(res.sqlStatements);
    }
    console.log('SQL statements per vote (UP, change to DOWN, withdraw):', counts);
    // The reads of the request (the session; the post, its community and the voter's standing in one)
    // and one transaction (lock, delete, [the old row's reversal], [insert, its award], the score
    // update returning the subject; its BEGIN and COMMIT are not counted): a change of vote costs
    // one statement more than a first vote, a withdrawal one less.
    expect(counts).toEqual([7, 8, 6]);
  });
});
