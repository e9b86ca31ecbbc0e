import { graphql } from '../../codegen/index';
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { createPoll, pollCast, voted } from './operations';

/** A community's polls, each with its options and counts, its creator and the viewer's ballot. */
const PollsPage = graphql(`
  query PollsSqlCountPage($slug: String!, $first: Int!) {
    community(slug: $slug) {
      polls(first: $first) {
        edges {
          node {
            question
            kind
            closed
            totalVoters
            createdBy {
              handle
            }
            options {
              text
              votes
            }
            viewerVote {
              text
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

describe('SQL statements per page of polls (no N+1)', () => {
  it("costs the same number of statements for 5 polls as for 20, each with options, creator and the viewer's ballot", async () => {
    const { owner, members, community } = await pollCast(server, 2);
    for (let i = 0; i < 20; i++) {
      const creator = i % 2 ? owner : members[i % 3 === 0 ? 0 : 1];
      const poll = await createPoll(server, creator, community.id, { question: `Q${i}` });
      await voted(server, members[0], poll.id, [poll.options[i % 3].id]);
    }
    const counts: Record<string, number> = {};
    for (const [who, token] of [
      ['anonymous', undefined],
      ['signed in', members[0].token],
    ] as const) {
      for (const first of [5, 20]) {
        const res = await server.gql(PollsPage, { slug: community.slug, first }, { token });
        expect(res.body.errors).toBeUndefined();
        const nodes = res.body.data!.community!.polls.edges.map((e: any) => e.node);
        expect(nodes).toHaveLength(first);
        expect(nodes[0]).toMatchObject({ question: 'Q19', totalVoters: 1 });
        expect(nodes[0].options.map((o: any) => o.votes)).toEqual([0, 1, 0]);
        expect(nodes[0].viewerVote).toEqual(token ? [{ text: 'Green' }] : null);
        counts[`${who}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per page of polls:', counts);
    // The community, the page of polls, their options, their creators; signed in, also the token
    // and the viewer's ballots (a PUBLIC community needs no membership check).
    expect(counts).toEqual({
      'anonymous, first 5': 4,
      'anonymous, first 20': 4,
      'signed in, first 5': 6,
      'signed in, first 20': 6,
    });
  });
});

describe('SQL statements of a ballot', () => {
  it('costs 3: the session, one read (poll, options, community, standing), and the ballot with its award', async () => {
    const { owner, members, community } = await pollCast(server, 1);
    const poll = await createPoll(server, owner, community.id);
    const counts: number[] = [];
    for (const option of [poll.options[0], poll.options[1]]) {
      const res = await server.gql(
        'mutation($input: CastVoteInput!) { castVote(input: $input) { id totalVoters } }',
        { input: { pollId: poll.id, optionIds: [option.id] } },
        { token: members[0].token },
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.castVote.totalVoters).toBe(1);
      counts.push(res.sqlStatements);
    }
    // A first ballot and a changed one cost the same.
    expect(counts).toEqual([3, 3]);
  });
});
