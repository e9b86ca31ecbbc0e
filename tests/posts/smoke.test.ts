import { closeAll, createCommunity, joinCommunity, signUp, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

it('posts, comments, votes and reads a feed', async () => {
  const ada = await signUp(server, 'ada');
  const bob = await signUp(server, 'bob');
  const c = await createCommunity(server, ada);
  await joinCommunity(server, bob, c.id);
  const created = await server.gql(
    `mutation($input: CreatePostInput!) { createPost(input: $input) { id title bodyHtml tags author { handle } } }`,
    { input: { communityId: c.id, title: 'Hello', body: '**hi** <script>alert(1)</script> [x](javascript:alert(1))', tags: ['Type Script', 'news'] } },
    { token: ada.token },
  );
  expect(created.body.errors).toBeUndefined();
  const post = created.body.data.createPost;
  console.log(post);
  const comment = await server.gql(`mutation($input: AddCommentInput!) { addComment(input: $input) { id depth cursor } }`, { input: { postId: post.id, body: 'first!' } }, { token: bob.token });
  expect(comment.body.errors).toBeUndefined();
  const reply = await server.gql(`mutation($input: AddCommentInput!) { addComment(input: $input) { id depth } }`, { input: { postId: post.id, parentId: comment.body.data.addComment.id, body: 'reply' } }, { token: ada.token });
  expect(reply.body.data.addComment.depth).toBe(1);
  const v = await server.gql(`mutation($input: VoteInput!) { vote(input: $input) { ... on Post { score viewerVote } } }`, { input: { subjectId: post.id, value: 'UP' } }, { token: bob.token });
  expect(v.body.data.vote).toEqual({ score: 1, viewerVote: 'UP' });
  const r = await server.gql(`mutation($input: ReactInput!) { react(input: $input) { ... on Post { reactions { emoji count viewerReacted } } } }`, { input: { subjectId: post.id, emoji: '🎉' } }, { token: bob.token });
  expect(r.body.data.react.reactions).toEqual([{ emoji: '🎉', count: 1, viewerReacted: true }]);
  const slug = (await server.gql('query($id: ID!) { node(id: $id) { ... on Community { slug } } }', { id: c.id })).body.data.node.slug;
  const feed = await server.gql(
    `query($slug: String!) { community(slug: $slug) { posts(first: 20, orderBy: HOT) { edges { node { title score viewerVote commentCount tags author { handle } community { slug }
      comments(first: 3) { edges { node { body author { handle } replies(first: 2) { edges { node { body } } } } } } } } } } }`,
    { slug }, { token: bob.token },
  );
  expect(feed.body.errors).toBeUndefined();
  console.log(JSON.stringify(feed.body.data), feed.sqlStatements);
  const mine = await server.gql(`{ feed(first: 5, orderBy: NEW) { edges { node { title } } } }`, {}, { token: bob.token });
  expect(mine.body.data.feed.edges).toHaveLength(1);
});
