import { randomBytes } from 'node:crypto';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  openPrivileges,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { addComment, createPost, dbId, dbQuery } from '../posts/operations';

const SEARCH = `query Search($query: String!, $communityId: ID, $types: [SearchType!], $tag: String, $authorId: ID,
    $from: DateTimeISO, $to: DateTimeISO, $first: Int, $after: String) {
  search(query: $query, communityId: $communityId, types: $types, tag: $tag, authorId: $authorId, from: $from, to: $to,
         first: $first, after: $after) {
    edges {
      cursor
      snippet
      score
      node {
        __typename
        ... on Post { id title author { handle } }
        ... on Comment { id body }
        ... on Event { id title }
        ... on Poll { id question }
        ... on Member { id user { handle } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Hit {
  cursor: string;
  snippet: string;
  score: number;
  node: { __typename: string; id: string; title?: string; body?: string; question?: string; user?: { handle: string } };
}

let server: TestServer;
let owner: TestUser;
let community: { id: string; slug: string };
/** A word no other test file writes, so that each test's results are its own. */
/**
 * A word no other text holds, nor looks like: random letters. (`unique` starts with the clock, so two of
 * its words share a long prefix, and a fuzzy title match found one from the other.)
 */
const word = () => Array.from(randomBytes(12), (b) => String.fromCharCode(97 + (b % 26))).join('');

async function search(variables: Record<string, unknown>, token?: string) {
  const res = await server.gql(SEARCH, variables, { token });
  return res;
}
async function hits(variables: Record<string, unknown>, token?: string): Promise<Hit[]> {
  const res = await search(variables, token);
  if (!res.body.data) throw new Error(`search failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.search.edges;
}

beforeAll(async () => {
  server = await startTestServer();
  owner = await signUp(server, 'srch');
  community = await createCommunity(server, owner, 'PUBLIC', 'Search community');
  await openPrivileges(server, owner, community.id);
});
afterAll(closeAll);

describe('search', () => {
  it('ranks a title hit above a body hit, and highlights the match in an escaped snippet', async () => {
    const w = word();
    const inBody = await createPost(server, owner, community.id, {
      title: 'Plain title',
      body: `Some <b>bold</b> ${w} text`,
    });
    const inTitle = await createPost(server, owner, community.id, { title: `About ${w}`, body: 'Nothing else.' });
    const found = await hits({ query: w, communityId: community.id });
    expect(found.map((h) => h.node.id)).toEqual([inTitle.id, inBody.id]);
    expect(found[0].score).toBeGreaterThan(found[1].score);
    expect(found[1].snippet).toContain(`<mark>${w}</mark>`);
    expect(found[1].snippet).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(found[1].snippet).not.toContain('<b>');
  });

  it('finds posts, comments, events, polls and members, and filters by type', async () => {
    const w = word();
    const member = await signUp(server, `${w.slice(0, 6)}`);
    await joinCommunity(server, member, community.id);
    const post = await createPost(server, owner, community.id, { title: `Post on ${w}` });
    const comment = await addComment(server, owner, post.id, `A comment on ${w}`);
    const event = await server.gql(
      'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
      {
        input: {
          communityId: community.id,
          title: `Meetup ${w}`,
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        },
      },
      { token: owner.token },
    );
    const poll = await server.gql(
      'mutation($input: CreatePollInput!) { createPoll(input: $input) { id } }',
      { input: { communityId: community.id, question: `Which ${w}?`, options: ['a', 'b'] } },
      { token: owner.token },
    );
    const all = await hits({ query: w, communityId: community.id });
    const ids = all.map((h) => h.node.id);
    expect(ids).toEqual(
      expect.arrayContaining([post.id, comment.id, event.body.data.createEvent.id, poll.body.data.createPoll.id]),
    );
    const onlyComments = await hits({ query: w, communityId: community.id, types: ['COMMENT'] });
    expect(onlyComments.map((h) => h.node.id)).toEqual([comment.id]);
    // A member by their handle, with a typo (one letter dropped).
    const handle = member.user.handle;
    const members = await hits({
      query: handle.slice(0, 3) + handle.slice(4),
      communityId: community.id,
      types: ['MEMBER'],
    });
    expect(members.map((h) => h.node.user?.handle)).toContain(handle);
  });

  it('filters by tag, author and date range', async () => {
    const w = word();
    const other = await signUp(server, 'srchb');
    await joinCommunity(server, other, community.id);
    const tagged = await createPost(server, owner, community.id, { title: `Tagged ${w}`, tags: ['gardening'] });
    const byOther = await createPost(server, other, community.id, { title: `By other ${w}` });
    const old = await createPost(server, owner, community.id, { title: `Old ${w}` });
    await dbQuery(server, `update posts set created_at = now() - interval '400 days' where id = ?`, [dbId(old.id)]);
    const ids = async (v: Record<string, unknown>) =>
      (await hits({ query: w, communityId: community.id, ...v })).map((h) => h.node.id).sort();
    expect(await ids({ tag: 'gardening' })).toEqual([tagged.id]);
    expect(await ids({ authorId: other.user.id })).toEqual([byOther.id]);
    expect(await ids({ to: new Date(Date.now() - 100 * 86_400_000).toISOString() })).toEqual([old.id]);
    expect(await ids({ from: new Date(Date.now() - 86_400_000).toISOString() })).toEqual(
      [tagged.id, byOther.id].sort(),
    );
  });

  it("never shows a private community's content to non-members or anonymous readers, but finds it for members", async () => {
    const w = word();
    const secret = await createCommunity(server, owner, 'PRIVATE', 'Secret');
    const post = await createPost(server, owner, secret.id, { title: `Secret ${w}` });
    await addComment(server, owner, post.id, `hush ${w}`);
    const stranger = await signUp(server, 'srchs');
    expect(await hits({ query: w }, stranger.token)).toEqual([]);
    expect(await hits({ query: w })).toEqual([]);
    expect(errorCode(await search({ query: w, communityId: secret.id }, stranger.token))).toBe('NOT_FOUND');
    expect(errorCode(await search({ query: w, communityId: secret.id }))).toBe('NOT_FOUND');
    const found = await hits({ query: w }, owner.token);
    expect(found.map((h) => h.node.__typename).sort()).toEqual(['Comment', 'Post']);
    // Anonymous readers search PUBLIC communities.
    const open = await createPost(server, owner, community.id, { title: `Open ${w}` });
    expect((await hits({ query: w })).map((h) => h.node.id)).toEqual([open.id]);
  });

  it('excludes deleted and hidden content, and content by users the viewer blocked', async () => {
    const w = word();
    const reader = await signUp(server, 'srchr');
    const writer = await signUp(server, 'srchw');
    await joinCommunity(server, writer, community.id);
    const kept = await createPost(server, owner, community.id, { title: `Kept ${w}` });
    const removed = await createPost(server, owner, community.id, { title: `Removed ${w}` });
    const hidden = await createPost(server, owner, community.id, { title: `Hidden ${w}` });
    const blocked = await createPost(server, writer, community.id, { title: `Blocked ${w}` });
    const comment = await addComment(server, owner, kept.id, `comment ${w}`);
    const onRemoved = await addComment(server, owner, removed.id, `orphan ${w}`);
    const res = await server.gql(
      'mutation($id: ID!) { removePost(input: { id: $id }) { id } }',
      { id: removed.id },
      {
        token: owner.token,
      },
    );
    expect(res.body.errors).toBeUndefined();
    await dbQuery(server, 'update posts set hidden_at = now() where id = ?', [dbId(hidden.id)]);
    await dbQuery(server, 'update comments set hidden_at = now() where id = ?', [dbId(comment.id)]);
    const block = await server.gql(
      'mutation($id: ID!) { blockAccount(input: { userId: $id }) { __typename } }',
      {
        id: writer.user.id,
      },
      { token: reader.token },
    );
    expect(block.body.errors).toBeUndefined();
    const ids = (await hits({ query: w, communityId: community.id }, reader.token)).map((h) => h.node.id);
    expect(ids).toEqual([kept.id]);
    expect(ids).not.toContain(onRemoved.id);
    // Someone who did not block the writer finds their post.
    expect((await hits({ query: w, communityId: community.id })).map((h) => h.node.id)).toContain(blocked.id);
  });

  it('finds CJK text by a query of two characters inside a longer run (Chinese, Japanese, Korean)', async () => {
    const w = word();
    const zh = await createPost(server, owner, community.id, {
      title: `${w} 今天`,
      body: '我们在社区花园种植番茄和黄瓜',
    });
    const ja = await createPost(server, owner, community.id, { title: `${w} 日本`, body: '東京で勉強会を開催します' });
    const ko = await createPost(server, owner, community.id, {
      title: `${w} 한국`,
      body: '주말에 등산모임이 있습니다',
    });
    const ids = async (query: string) => (await hits({ query, communityId: community.id })).map((h) => h.node.id);
    expect(await ids('番茄')).toContain(zh.id);
    expect(await ids('花园种植')).toContain(zh.id);
    expect(await ids('勉強')).toContain(ja.id);
    expect(await ids('등산')).toContain(ko.id);
    // In order: the characters of a post, in another order, do not match.
    expect(await ids('茄番')).not.toContain(zh.id);
    const [hit] = await hits({ query: `番茄 ${w}`, communityId: community.id });
    expect(hit.node.id).toBe(zh.id);
    expect(hit.snippet).toContain('<mark>番茄</mark>');
  });

  it('finds a post title with a typo (fuzzy match)', async () => {
    const w = word();
    const post = await createPost(server, owner, community.id, { title: `Composting ${w}` });
    // One transposed pair in the unique word.
    const typo = w.slice(0, 3) + w[4] + w[3] + w.slice(5);
    const found = await hits({ query: typo, communityId: community.id, types: ['POST'] });
    expect(found.map((h) => h.node.id)).toContain(post.id);
  });

  it('pages without duplicates, in a constant number of SQL statements whatever the page size', async () => {
    const w = word();
    const posts = [];
    for (let i = 0; i < 7; i += 1) {
      const post = await createPost(server, owner, community.id, { title: `Page ${w} ${i}` });
      await addComment(server, owner, post.id, `reply ${w} ${i}`);
      posts.push(post);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = await search({ query: w, communityId: community.id, first: 4, after });
      const { edges, pageInfo } = res.body.data.search;
      seen.push(...edges.map((e: Hit) => e.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toHaveLength(14);
    expect(new Set(seen).size).toBe(14);
    // Both pages hold posts and comments (each kind's nodes come from its loader: one statement per kind).
    const small = await search({ query: w, communityId: community.id, first: 8 }, owner.token);
    const large = await search({ query: w, communityId: community.id, first: 14 }, owner.token);
    expect(large.body.data.search.edges).toHaveLength(14);
    expect(large.sqlStatements).toBe(small.sqlStatements);
  });

  it('sees a write in the next search (the index is kept in the write)', async () => {
    const w = word();
    expect(await hits({ query: w, communityId: community.id }, owner.token)).toEqual([]);
    const post = await createPost(server, owner, community.id, { title: 'Edited later' });
    const edit = await server.gql(
      'mutation($input: UpdatePostInput!) { updatePost(input: $input) { id } }',
      { input: { id: post.id, body: `now about ${w}` } },
      { token: owner.token },
    );
    expect(edit.body.errors).toBeUndefined();
    expect((await hits({ query: w, communityId: community.id }, owner.token)).map((h) => h.node.id)).toEqual([post.id]);
  });

  it('rejects blank and over-long queries and hostile cursors with BAD_USER_INPUT', async () => {
    expect(errorCode(await search({ query: '   ' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await search({ query: 'x'.repeat(201) }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await search({ query: 'a b c d e f g h i' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await search({ query: 'x', after: 'nope' }))).toBe('BAD_USER_INPUT');
    const forged = Buffer.from(JSON.stringify([Date.now(), 1, 9, 1])).toString('base64url');
    expect(errorCode(await search({ query: 'x', after: forged }))).toBe('BAD_USER_INPUT');
  });
});
