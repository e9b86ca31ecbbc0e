/**
 * SQL statements of the hot write paths (issue 13): each folds its checks and side effects into as
 * few statements as it can, and a change that adds a round trip should be seen here first. Counted
 * with X-SQL-Statements (EXPOSE_SQL_COUNT, on in test servers); the selection reads only the
 * written row, so the count is the write's own.
 */
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { addComment, castOf, createPost, type Cast } from './operations';

let server: TestServer;
let cast: Cast;
let postId: string;

beforeAll(async () => {
  server = await startTestServer();
  cast = await castOf(server, 2);
  postId = (await createPost(server, cast.owner, cast.community.id)).id;
});
afterAll(closeAll);

const ADD_COMMENT = `mutation($input: AddCommentInput!) { addComment(input: $input) { id body depth } }`;

async function statements(input: Record<string, unknown>) {
  const res = await server.gql(ADD_COMMENT, { input }, { token: cast.members[0].token });
  expect(res.body.errors).toBeUndefined();
  return { comment: res.body.data.addComment, sql: Number(res.headers.get('x-sql-statements')) };
}

describe('addComment', () => {
  it('costs 5 statements: the session, the post, its community, the standing, and one write (comment, counters, badge)', async () => {
    const { comment, sql } = await statements({ postId, body: 'Counted.' });
    expect(comment).toMatchObject({ body: 'Counted.', depth: 0 });
    expect(sql).toBe(5);
  });

  it('costs one more for a reply (its parent, checked for the post and the depth)', async () => {
    const parent = await addComment(server, cast.members[1], postId, 'Parent.');
    const { comment, sql } = await statements({ postId, body: 'A reply.', parentId: parent.id });
    expect(comment).toMatchObject({ depth: 1 });
    expect(sql).toBe(6);
  });
});
