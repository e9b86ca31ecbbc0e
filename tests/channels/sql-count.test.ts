/**
 * SQL statements of the channel lists (no N+1): `Community.channels` for a page of communities,
 * `Channel.posts` for a page of channels (one listing statement per channel, as each community's
 * `posts` is one), and the cost of a restricted channel in a community's feed (none).
 */
import { castOf } from '../posts/operations';
import { closeAll, createCommunity, signUp, startTestServer, unique, type TestServer } from '../support/server';
import { createChannel, postIn } from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('SQL statements per request (no N+1)', () => {
  it('reads Community.channels of 5 or 20 communities in one statement', async () => {
    const tag = unique('ch');
    const owner = await signUp(server, 'own');
    for (let i = 0; i < 20; i++) {
      const c = await createCommunity(server, owner, 'PUBLIC', `${tag} community ${i}`);
      await createChannel(server, owner, c.id);
      await createChannel(server, owner, c.id);
    }
    const counts: Record<string, number> = {};
    for (const first of [5, 20]) {
      const res = await server.gql(
        `query($s: String, $first: Int!) { communities(search: $s, first: $first) { nodes { name
           channels(first: 10) { nodes { slug position isDefault viewerState } } } } }`,
        { s: tag, first },
        { token: owner.token },
      );
      expect(res.body.errors).toBeUndefined();
      for (const c of res.body.data.communities.nodes) expect(c.channels.nodes).toHaveLength(3);
      counts[`first ${first}`] = res.sqlStatements;
    }
    console.log('SQL statements per communities page with their channels:', counts);
    // token, communities, their channels (one statement), the viewer's states of them (one).
    expect(counts['first 5']).toBe(4);
    expect(counts['first 20']).toBe(4);
  });

  it('reads a page of Channel.posts in one statement, with the channel by node(id) in one more', async () => {
    const cast = await castOf(server, 1);
    const help = await createChannel(server, cast.owner, cast.community.id);
    for (let i = 0; i < 6; i++) await postIn(server, cast.members[0], cast.community.id, help.id, `Post ${i}`);
    const counts: Record<string, number> = {};
    for (const first of [2, 6]) {
      const res = await server.gql(
        `query($id: ID!, $first: Int!) { node(id: $id) { ... on Channel { slug
           posts(first: $first, orderBy: HOT) { nodes { title score author { handle } channel { slug } } } } } }`,
        { id: help.id, first },
        { token: cast.members[0].token },
      );
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.node.posts.nodes).toHaveLength(first);
      counts[`first ${first}`] = res.sqlStatements;
    }
    console.log('SQL statements per channel page:', counts);
    // token, the channel, its community and the viewer's standing (the node check), the page.
    expect(counts['first 2']).toBe(counts['first 6']);
    expect(counts['first 6']).toBeLessThanOrEqual(5);
  });

  it('costs the community feed nothing more while no channel is restricted; nor once one is (the check runs in the listing statement)', async () => {
    const cast = await castOf(server, 1);
    await createChannel(server, cast.owner, cast.community.id);
    for (let i = 0; i < 3; i++) await postIn(server, cast.members[0], cast.community.id, null, `Post ${i}`);
    const bySlug = () =>
      server.gql(
        'query($slug: String!) { community(slug: $slug) { posts(first: 10, orderBy: NEW) { nodes { title } } } }',
        { slug: cast.community.slug },
        { token: cast.members[0].token },
      );
    const byNode = () =>
      server.gql(
        'query($id: ID!) { node(id: $id) { ... on Community { posts(first: 10, orderBy: NEW) { nodes { title } } } } }',
        { id: cast.community.id },
        { token: cast.members[0].token },
      );
    const before = { bySlug: (await bySlug()).sqlStatements, byNode: (await byNode()).sqlStatements };
    await createChannel(server, cast.owner, cast.community.id, { readRole: 'MODERATOR' });
    const [slugAfter, nodeAfter] = [await bySlug(), await byNode()];
    expect(slugAfter.body.data.community.posts.nodes).toHaveLength(3);
    expect(nodeAfter.body.data.node.posts.nodes).toHaveLength(3);
    const after = { bySlug: slugAfter.sqlStatements, byNode: nodeAfter.sqlStatements };
    console.log('SQL statements of a community feed, unrestricted / restricted:', before, after);
    // The channels the viewer may not read are an InitPlan of the listing's statement.
    expect(after).toEqual(before);
  });
});
