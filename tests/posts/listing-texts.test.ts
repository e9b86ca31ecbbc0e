/**
 * Post and comment listings read the texts (`body`, `bodyHtml`) only when the selection asks for
 * them (most of a feed's bytes otherwise). Whatever shape the selection takes (fragments, aliases,
 * the same object reached again by id), every text asked for arrives, equal to what the object
 * gives when read alone, and the statements a listing costs do not grow.
 */
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { addComment, castOf, createPost, type Cast } from './operations';

let server: TestServer;
let cast: Cast;
let postId: string;
let commentId: string;
const BODY = 'Some **bold** words.';
const HTML = '<p>Some <strong>bold</strong> words.</p>';

beforeAll(async () => {
  server = await startTestServer();
  cast = await castOf(server, 1);
  const post = await createPost(server, cast.owner, cast.community.id, { title: 'Texts', body: BODY });
  postId = post.id;
  commentId = (await addComment(server, cast.members[0], postId, BODY)).id;
  await addComment(server, cast.owner, postId, 'A reply.', commentId);
});
afterAll(closeAll);

async function read(query: string, variables: Record<string, unknown> = {}) {
  const res = await server.gql(query, { slug: cast.community.slug, ...variables }, { token: cast.owner.token });
  expect(res.body.errors).toBeUndefined();
  return { data: res.body.data, statements: res.sqlStatements };
}

const firstPost = (data: any, alias = 'posts') => data.community[alias].edges[0].node;

it('gives the texts a post listing is asked for, through fragments and inline fragments', async () => {
  const { data } = await read(`
    query ($slug: String!) {
      community(slug: $slug) {
        posts(first: 5) { edges { node { ...PostTexts ... on Post { comments(first: 5) { edges { node { ... on Comment { bodyHtml } } } } } } } }
      }
    }
    fragment PostTexts on Post { title body bodyHtml }`);
  const post = firstPost(data);
  expect(post).toMatchObject({ title: 'Texts', body: BODY });
  expect(post.bodyHtml.trim()).toBe(HTML);
  expect(post.comments.edges[0].node.bodyHtml.trim()).toBe(HTML);
});

it('gives each alias of the same listing what it asks for', async () => {
  const { data } = await read(`
    query ($slug: String!) {
      community(slug: $slug) {
        bare: posts(first: 5) { edges { node { title comments(first: 5) { edges { node { body } } } } } }
        full: posts(first: 5) { edges { node { body comments(first: 5) { edges { node { body bodyHtml } } } } } }
      }
    }`);
  expect(firstPost(data, 'bare')).toEqual({ title: 'Texts', comments: { edges: [{ node: { body: BODY } }] } });
  const full = firstPost(data, 'full');
  expect(full.body).toBe(BODY);
  expect(full.comments.edges[0].node.bodyHtml.trim()).toBe(HTML);
});

it('reads the texts of an object a text-less listing already brought, when it is asked for again', async () => {
  // The comments page brings the comment without its HTML; the reply's `parent` then finds it loaded.
  const { data } = await read(
    `query ($slug: String!, $post: ID!) {
      community(slug: $slug) { posts(first: 5) { edges { node { id } } } }
      post(id: $post) {
        body
        bodyHtml
        comments(first: 5) { edges { node { id replies(first: 5) { edges { node { parent { body bodyHtml } } } } } } }
      }
    }`,
    { post: postId },
  );
  expect(data.post.body).toBe(BODY);
  expect(data.post.bodyHtml.trim()).toBe(HTML);
  const parent = data.post.comments.edges[0].node.replies.edges[0].node.parent;
  expect(parent.body).toBe(BODY);
  expect(parent.bodyHtml.trim()).toBe(HTML);
});

it('costs the same statements with or without the texts', async () => {
  const listing = (fields: string) => `
    query ($slug: String!) {
      community(slug: $slug) { posts(first: 5) { edges { node { title ${fields} comments(first: 3) { edges { node { body ${fields.includes('bodyHtml') ? 'bodyHtml' : ''} } } } } } } }
    }`;
  const bare = await read(listing(''));
  const full = await read(listing('body bodyHtml'));
  expect(bare.statements).toBeGreaterThan(0);
  expect(full.statements).toBe(bare.statements);
});
