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
  it('costs 3 statements: the session, one read (post, community, standing), and one write (comment, counters, badge)', async () => {
    const { comment, sql } = await statements({ postId, body: 'Counted.' });
    expect(comment).toMatchObject({ body: 'Counted.', depth: 0 });
    expect(sql).toBe(3);
  });

  it('costs as much for a reply: its parent is read with the post', async () => {
    const parent = await addComment(server, cast.members[1], postId, 'Parent.');
    const { comment, sql } = await statements({ postId, body: 'A reply.', parentId: parent.id });
    expect(comment).toMatchObject({ depth: 1 });
    expect(sql).toBe(3);
  });
});

const SQL_VOTE_CAST = 7;
const VOTE = `mutation($input: VoteInput!) { vote(input: $input) { __typename ... on Post { id score viewerVote } ... on Comment { id score viewerVote } } }`;
const REACT = `mutation($input: ReactInput!) { react(input: $input) { __typename ... on Post { id } ... on Comment { id } } }`;

async function counted(query: string, input: Record<string, unknown>, voter = cast.members[1]) {
  const res = await server.gql(query, { input }, { token: voter.token });
  expect(res.body.errors).toBeUndefined();
  return Number(res.headers.get('x-sql-statements'));
}

describe('vote and react', () => {
  it('read the subject, its community and the standing in one statement, on a post and on a comment', async () => {
    const comment = await addComment(server, cast.members[0], postId, 'Voted on.');
    // session + read + the vote's transaction: lock, delete, insert, ledger, score (BEGIN and COMMIT are not counted)
    expect(await counted(VOTE, { subjectId: postId, value: 'UP' })).toBe(SQL_VOTE_CAST);
    expect(await counted(VOTE, { subjectId: comment.id, value: 'UP' })).toBe(SQL_VOTE_CAST);
    // session + read + one insert
    expect(await counted(REACT, { subjectId: postId, emoji: '👍' })).toBe(3);
    expect(await counted(REACT, { subjectId: comment.id, emoji: '👍' })).toBe(3);
  });
});
