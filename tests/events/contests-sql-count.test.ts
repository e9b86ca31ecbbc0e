import { graphql } from '../../codegen/index';
import { castOf, createPost } from '../posts/operations';
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { createContest, moveContest, submitEntry, voteFor } from './contest-operations';

/** A closed contest's results: each entry with its votes, rank, post title and author, and the viewer's part. */
const ResultsPage = graphql(`
  query ContestResultsPage($id: ID!, $first: Int!) {
    event(id: $id) {
      contest {
        phase
        entryCount
        viewerEntry {
          id
        }
        viewerVote {
          id
        }
        entries(first: $first) {
          edges {
            node {
              id
              votes
              rank
              submittedAt
              post {
                title
              }
              author {
                handle
              }
            }
          }
        }
      }
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('SQL statements per contest results page (no N+1)', () => {
  it('costs the same number of statements for 5 entries as for 20, each with its post title, author and rank', async () => {
    const { owner, community, members } = await castOf(server, 22);
    const [entrants, voters] = [members.slice(0, 20), members.slice(20)];
    const contest = await createContest(server, owner, community.id);
    const entries: string[] = [];
    for (const m of entrants) {
      const post = await createPost(server, m, community.id, { title: `by ${m.user.handle}` });
      entries.push((await submitEntry(server, m, contest.id, post.id)).body.data!.submitContestEntry.id);
    }
    await moveContest(server, owner, contest.id, 'VOTING');
    for (const [i, v] of voters.entries()) await voteFor(server, v, entries[i]);
    await moveContest(server, owner, contest.id, 'CLOSED');

    const counts: Record<string, number> = {};
    for (const [who, token] of [
      ['anonymous', undefined],
      ['signed in', voters[0].token],
    ] as const) {
      for (const first of [5, 20]) {
        const res = await server.gql(ResultsPage, { id: contest.id, first }, { token });
        expect(res.body.errors).toBeUndefined();
        const results = res.body.data!.event!.contest!;
        expect(results.entryCount).toBe(20);
        expect(results.viewerVote?.id ?? null).toBe(token ? entries[0] : null);
        const nodes = results.entries.edges.map((e: any) => e.node);
        expect(nodes).toHaveLength(first);
        expect(nodes.slice(0, 3).map((n: any) => [n.votes, n.rank])).toEqual([
          [1, 1],
          [1, 1],
          [0, 3],
        ]);
        for (const n of nodes) expect(n.post.title).toBe(`by ${n.author.handle}`);
        counts[`${who}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per contest results page:', counts);
    // The event and its community, the entry count, the entries, their posts, authors and ranks;
    // signed in, also the token, and the viewer's entry and vote.
    expect(counts).toEqual({
      'anonymous, first 5': 7,
      'anonymous, first 20': 7,
      'signed in, first 5': 10,
      'signed in, first 20': 10,
    });
  });
});
