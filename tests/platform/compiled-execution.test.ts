/**
 * HTTP queries run on graphql-js the first time a document is seen and compiled by graphql-jit
 * from then on (GRAPHQL_JIT, default on): the answer must not depend on which ran it. Each query
 * below is sent three times (graphql-js, then compiled twice) and every answer must be identical:
 * data, nulls, errors with their codes, paths and locations, unions, fragments and aliases.
 */
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { addComment, castOf, createPost, vote, type Cast } from '../posts/operations';

let server: TestServer;
let cast: Cast;
let postId: string;

beforeAll(async () => {
  // No response cache: every run executes.
  server = await startTestServer({ RESPONSE_CACHE_SECONDS: '0', GRAPHQL_JIT: 'true' });
  cast = await castOf(server, 2);
  postId = (
    await createPost(server, cast.owner, cast.community.id, {
      title: 'Same',
      body: 'Either **way**.',
      tags: ['a', 'b'],
    })
  ).id;
  const comment = await addComment(server, cast.members[0], postId, 'First.');
  await addComment(server, cast.members[1], postId, 'A reply.', comment.id);
  await vote(server, cast.members[0], postId, 'UP');
});
afterAll(closeAll);

const QUERIES: [string, string, () => Record<string, unknown>][] = [
  [
    'a feed page with fragments, aliases and nested connections',
    `query ($slug: String!) {
      community(slug: $slug) {
        name
        top: posts(first: 5, orderBy: TOP) { edges { cursor node { ...P } } pageInfo { hasNextPage endCursor } }
        hot: posts(first: 5) { edges { node { id title viewerVote } } }
      }
    }
    fragment P on Post {
      id title body bodyHtml tags score commentCount createdAt editedAt pinned locked viewerVote
      author { handle } community { slug }
      comments(first: 3) { edges { node { body depth score author { handle } replies(first: 2) { edges { node { body parent { id } } } } } } }
    }`,
    () => ({ slug: cast.community.slug }),
  ],
  [
    'unions through node, with __typename and type conditions',
    `query ($post: ID!, $community: ID!, $missing: ID!) {
      a: node(id: $post) { __typename id ... on Post { title } ... on Comment { body } }
      b: node(id: $community) { __typename ... on Community { slug } }
      c: node(id: $missing) { id }
    }`,
    () => ({ post: postId, community: cast.community.id, missing: postId.slice(0, -2) + 'xx' }),
  ],
  [
    'errors: a bad cursor, and a field that needs a signed-in viewer',
    `query ($slug: String!) {
      community(slug: $slug) { posts(first: 2, after: "not-a-cursor") { edges { node { id } } } }
      feed(first: 2) { edges { node { id } } }
    }`,
    () => ({ slug: cast.community.slug }),
  ],
];

describe.each([
  ['anonymous', () => undefined],
  ['signed in', () => cast.members[0].token],
])('%s', (who, token) => {
  it.each(QUERIES)('answers %s the same compiled or not', async (_name, query, variables) => {
    const answers = [];
    const executors = [];
    for (let run = 0; run < 3; run++) {
      // A text of its own per viewer (a comment is enough), so each starts uncompiled.
      const res = await server.gql(`${query}\n# ${who}`, variables(), { token: token() });
      answers.push({ status: res.status, body: res.body });
      executors.push(res.headers.get('x-executor'));
    }
    // The first run interpreted, the next two compiled: otherwise this compares a path with itself.
    expect(executors).toEqual(['graphql-js', 'compiled', 'compiled']);
    // Something was answered, and the same thing each time.
    expect(answers[0].body.data ?? answers[0].body.errors).toBeTruthy();
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });
});
