/**
 * Blocks between members (issue 14, point 10), through the public API: the blocked user's posts
 * and comments read as hidden to the blocker (only to them), the blocked user cannot reply to the
 * blocker's posts and comments nor mention them, and unblocking restores all of it.
 */
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const post = async (who: TestUser, c: string, title: string, body = 'Words') =>
  (
    await must(
      who,
      'mutation($c: ID!, $t: String!, $b: String!) { createPost(input: { communityId: $c, title: $t, body: $b }) { id } }',
      {
        c,
        t: title,
        b: body,
      },
    )
  ).createPost.id as string;
const ADD =
  'mutation($p: ID!, $r: ID, $b: String!) { addComment(input: { postId: $p, parentId: $r, body: $b }) { id } }';
const comment = (who: TestUser, p: string, b: string, r?: string) => server.gql(ADD, { p, r, b }, { token: who.token });
const READ = `query($p: ID!, $c: ID!) {
  post: node(id: $p) { ... on Post { title body bodyHtml viewerBlockedAuthor } }
  comment: node(id: $c) { ... on Comment { body viewerBlockedAuthor } } }`;

describe('blocking a member', () => {
  it('hides their posts and comments from the blocker only, and stops them replying to or mentioning the blocker', async () => {
    const [carol, dave, erin] = await Promise.all(['carol', 'dave', 'erin'].map((p) => signUp(server, p)));
    const community = await createCommunity(server, carol);
    for (const u of [dave, erin]) await joinCommunity(server, u, community.id);
    const davesPost = await post(dave, community.id, 'Dave writes');
    const davesComment = (await comment(dave, davesPost, 'Dave comments')).body.data.addComment.id;
    const carolsPost = await post(carol, community.id, 'Carol writes');
    const carolsComment = (await comment(carol, davesPost, 'Carol answers')).body.data.addComment.id;

    expect(await must(carol, 'mutation($u: ID!) { blockUser(userId: $u) }', { u: dave.user.id })).toEqual({
      blockUser: true,
    });
    expect(await must(carol, '{ viewerBlockedUsers(first: 5) { edges { node { handle } } } }')).toEqual({
      viewerBlockedUsers: { edges: [{ node: { handle: dave.user.handle } }] },
    });
    expect(await must(carol, READ, { p: davesPost, c: davesComment })).toEqual({
      post: {
        title: '[from a member you blocked]',
        body: '[from a member you blocked]',
        bodyHtml: '<p>[from a member you blocked]</p>',
        viewerBlockedAuthor: true,
      },
      comment: { body: '[from a member you blocked]', viewerBlockedAuthor: true },
    });
    expect(await must(erin, READ, { p: davesPost, c: davesComment })).toEqual({
      post: { title: 'Dave writes', body: 'Words', bodyHtml: '<p>Words</p>\n', viewerBlockedAuthor: false },
      comment: { body: 'Dave comments', viewerBlockedAuthor: false },
    });
    const listing = await must(
      carol,
      'query($s: String!) { community(slug: $s) { posts(first: 10) { edges { node { title } } } } }',
      {
        s: community.slug,
      },
    );
    expect(listing.community.posts.edges.map((e: any) => e.node.title).sort()).toEqual([
      'Carol writes',
      '[from a member you blocked]',
    ]);

    // Dave cannot reply to Carol: not on her post, not to her comment (on his own post either), not by mention.
    const attempts = [
      await comment(dave, carolsPost, 'Hi Carol'),
      await comment(dave, davesPost, 'Hi again', carolsComment),
      await comment(dave, davesPost, `Look @${carol.user.handle}`),
      await server.gql(
        'mutation($c: ID!, $b: String!) { createPost(input: { communityId: $c, title: "Hey", body: $b }) { id } }',
        {
          c: community.id,
          b: `cc @${carol.user.handle.toUpperCase()}`,
        },
        { token: dave.token },
      ),
    ];
    expect(attempts.map((res) => errorCode(res))).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect((await comment(dave, davesPost, `Thanks @${erin.user.handle}`)).body.errors).toBeUndefined();
    // Carol may still write to Dave.
    expect((await comment(carol, davesPost, `@${dave.user.handle} see above`)).body.errors).toBeUndefined();

    expect(await must(carol, 'mutation($u: ID!) { unblockUser(userId: $u) }', { u: dave.user.id })).toEqual({
      unblockUser: true,
    });
    expect((await must(carol, READ, { p: davesPost, c: davesComment })).post.title).toBe('Dave writes');
    expect((await comment(dave, carolsPost, 'Hi Carol')).body.errors).toBeUndefined();
  });

  it('refuses blocking oneself or no one', async () => {
    const carol = await signUp(server, 'carol');
    const self = await server.gql(
      'mutation($u: ID!) { blockUser(userId: $u) }',
      { u: carol.user.id },
      { token: carol.token },
    );
    expect(errorCode(self)).toBe('BAD_USER_INPUT');
    const anonymous = await server.gql('mutation($u: ID!) { blockUser(userId: $u) }', { u: carol.user.id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});
