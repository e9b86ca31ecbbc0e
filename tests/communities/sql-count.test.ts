import { graphql } from '../../codegen/index';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  signUp,
  startTestServer,
  unique,
  type TestServer,
} from '../support/server';

/** The foundation issue's query: communities with their first members and those members' users. */
const CommunitiesPage = graphql(`
  query CommunitiesPage($search: String, $first: Int!) {
    communities(search: $search, first: $first) {
      edges {
        node {
          name
          members(first: 5) {
            edges {
              node {
                role
                user {
                  handle
                }
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

describe('SQL statements per request (no N+1)', () => {
  it('costs the same number of statements for 5 communities as for 20, each with 5 members and their count', async () => {
    const tag = unique('n1');
    const owner = await signUp(server, 'own');
    const joiners = await Promise.all(Array.from({ length: 4 }, (_, i) => signUp(server, `j${i}`)));
    for (let i = 0; i < 20; i++) {
      const c = await createCommunity(server, owner, 'PUBLIC', `${tag} community ${i}`);
      await Promise.all(joiners.map((j) => joinCommunity(server, j, c.id)));
    }

    const counts: Record<string, number> = {};
    for (const token of [undefined, owner.token]) {
      for (const first of [5, 20]) {
        const res = await server.gql(CommunitiesPage, { search: tag, first }, { token });
        expect(res.body.errors).toBeUndefined();
        const edges = res.body.data.communities.edges;
        expect(edges).toHaveLength(first);
        for (const e of edges) expect(e.node.members.edges).toHaveLength(5);
        counts[`${token ? 'signed in' : 'anonymous'}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per communities page:', counts);
    // communities + one windowed page of members for all of them + their users;
    // a signed-in request also looks its token up.
    expect(counts['anonymous, first 5']).toBe(3);
    expect(counts['anonymous, first 20']).toBe(3);
    expect(counts['signed in, first 5']).toBe(4);
    expect(counts['signed in, first 20']).toBe(4);

    // The same pages through `nodes`, with each community's member count: `memberCount`, read with
    // the community, costs nothing more; by role, one statement counts the staff of every community.
    const counted = (role: string) => `query($search: String, $first: Int!) {
      communities(search: $search, first: $first) {
        nodes { name members(first: 5${role}) { totalCount nodes { role user { handle } } } }
      }
    }`;
    const totals: Record<string, number> = {};
    for (const [label, role, total] of [
      ['all', '', 5],
      ['MEMBER', ', role: MEMBER', 4],
      ['OWNER', ', role: OWNER', 1],
    ] as const) {
      for (const first of [5, 20]) {
        const res = await server.gql(counted(role), { search: tag, first });
        expect(res.body.errors).toBeUndefined();
        const nodes = res.body.data.communities.nodes;
        expect(nodes).toHaveLength(first);
        for (const n of nodes) {
          expect(n.members.totalCount).toBe(total);
          expect(n.members.nodes).toHaveLength(total);
        }
        totals[`${label}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per communities page with member counts:', totals);
    expect(totals).toEqual({
      'all, first 5': 3,
      'all, first 20': 3,
      'MEMBER, first 5': 4,
      'MEMBER, first 20': 4,
      'OWNER, first 5': 4,
      'OWNER, first 20': 4,
    });
  });
});
