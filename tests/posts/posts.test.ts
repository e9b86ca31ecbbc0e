import { graphql } from '../../codegen/index';
import { closeAll, createCommunity, errorCode, signUp, startTestServer, type TestServer } from '../support/server';
import { CreatePostDocument, DeletePostDocument, addComment, castOf, createPost, dbId, dbQuery } from './operations';

const PostById = graphql(`
  query PostsPostById($id: ID!) {
    post(id: $id) {
      id
      title
      body
      bodyHtml
      tags
      editedAt
      deletedAt
      commentCount
      author {
        handle
      }
      community {
        slug
      }
      comments(first: 10) {
        edges {
          node {
            body
            author {
              handle
            }
          }
        }
      }
    }
  }
`);
const PostNode = graphql(`
  query PostsPostNode($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on Post {
        title
      }
    }
  }
`);
const UpdatePost = graphql(`
  mutation PostsUpdatePost($input: UpdatePostInput!) {
    updatePost(input: $input) {
      id
      title
      body
      bodyHtml
      tags
      editedAt
    }
  }
`);
const CommunityPostTitles = graphql(`
  query PostsCommunityPostTitles($slug: String!) {
    community(slug: $slug) {
      posts(first: 50, orderBy: NEW) {
        edges {
          node {
            title
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

describe('writing posts', () => {
  it('lets a member write a post that shows up with its author and community', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id, { title: '  Hello square  ', body: 'First **post**.' });
    expect(post).toMatchObject({
      title: 'Hello square',
      body: 'First **post**.',
      bodyHtml: '<p>First <strong>post</strong>.</p>\n',
      score: 0,
      commentCount: 0,
      editedAt: null,
      deletedAt: null,
      author: { handle: ada.user.handle },
    });
    const read = await server.gql(PostById, { id: post.id });
    expect(read.body.data!.post).toMatchObject({ title: 'Hello square', community: { slug: community.slug } });
  });

  it('refuses posts from non-members (FORBIDDEN) and anonymous callers (UNAUTHENTICATED), writing nothing', async () => {
    const { community } = await castOf(server, 0);
    const outsider = await signUp(server, 'out');
    const input = { communityId: community.id, title: 'Drive-by', body: 'spam', tags: [] };
    expect(errorCode(await server.gql(CreatePostDocument, { input }, { token: outsider.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(CreatePostDocument, { input }))).toBe('UNAUTHENTICATED');
    const [{ count }] = await dbQuery(server, 'select count(*)::int as count from posts where community_id = ?', [
      dbId(community.id),
    ]);
    expect(count).toBe(0);
  });

  it('rejects a blank title or body with BAD_USER_INPUT on that field', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const blankTitle = await server.gql(
      CreatePostDocument,
      { input: { communityId: community.id, title: '   ', body: 'x', tags: [] } },
      { token: ada.token },
    );
    expect(errorCode(blankTitle)).toBe('BAD_USER_INPUT');
    expect(blankTitle.body.errors![0].extensions!.field).toBe('title');
    const blankBody = await server.gql(
      CreatePostDocument,
      { input: { communityId: community.id, title: 'x', body: ' \n\t ', tags: [] } },
      { token: ada.token },
    );
    expect(errorCode(blankBody)).toBe('BAD_USER_INPUT');
    expect(blankBody.body.errors![0].extensions!.field).toBe('body');
    const post = await createPost(server, ada, community.id);
    const blankEdit = await server.gql(UpdatePost, { input: { id: post.id, body: '   ' } }, { token: ada.token });
    expect(blankEdit.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
  });
});

describe('Markdown bodies', () => {
  it('renders Markdown to HTML with no script, event handler, javascript: or data: link, and raw HTML shown as text', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const body = [
      '# Title',
      '',
      '<script>alert("x")</script>',
      '',
      '<img src=x onerror="alert(1)"> <a href="https://evil.test" onclick="alert(1)">raw link</a>',
      '',
      '[one](javascript:alert(1)) [two](JaVaScRiPt:alert(2)) [three](jav&#x61;script:alert(3)) <javascript:alert(4)>',
      '',
      '[four](data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==) [five](data:image/png;base64,iVBORw0KGgo=)',
      '',
      '![pic](https://example.test/x.png "a picture")',
    ].join('\n');
    const post = await createPost(server, ada, community.id, { body });
    const html: string = post.bodyHtml;

    expect(html).toContain('<h1>Title</h1>');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert("x")&lt;/script&gt;'); // raw HTML is escaped, not dropped silently
    expect(html).not.toMatch(/<img/i);
    // No element carries an on* attribute (the escaped text may mention "onerror", as text).
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    // Every real link (escaped markup is text) points to http(s) or has no href at all.
    const anchors = html.match(/<a\s[^>]*>/gi) ?? [];
    expect(anchors.length).toBeGreaterThan(0);
    for (const a of anchors) {
      const href = /\shref="([^"]*)"/.exec(a)?.[1];
      if (href !== undefined) expect(href).toMatch(/^https?:\/\//);
    }
    expect(html).not.toMatch(/<a\s[^>]*href="\s*(javascript|data|vbscript):/i);
    // The body the author wrote is kept as Markdown source.
    expect(post.body).toBe(body);
  });

  it('gives a normal link rel="nofollow noopener noreferrer"', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id, {
      body: 'See [the docs](https://example.test/docs "Docs") or https://example.test/auto.',
    });
    const anchors = post.bodyHtml.match(/<a [^>]*>/g) ?? [];
    expect(anchors).toHaveLength(2);
    for (const a of anchors) expect(a).toContain('rel="nofollow noopener noreferrer"');
    expect(anchors[0]).toContain('href="https://example.test/docs"');
    expect(anchors[0]).toContain('title="Docs"');
    expect(anchors[1]).toContain('href="https://example.test/auto"');
  });
});

describe('tags', () => {
  it('normalizes tags: lower case, spaces to dashes, duplicates removed', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id, {
      tags: ['Type Script', '  news ', 'NEWS', 'type   script', 'Été'],
    });
    expect(post.tags).toEqual(['type-script', 'news', 'été']);
  });

  it('treats a decomposed accent (as macOS keyboards send it) as the same tag as a composed one', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id, { tags: ['E\u0301te\u0301', '\u00e9t\u00e9'] });
    expect(post.tags).toEqual(['\u00e9t\u00e9']);
  });

  it('rejects a tag with other characters with BAD_USER_INPUT on the tags field', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    for (const bad of ['c++', 'under_score', '-dash', 'x'.repeat(31)]) {
      const res = await server.gql(
        CreatePostDocument,
        { input: { communityId: community.id, title: 't', body: 'b', tags: [bad] } },
        { token: ada.token },
      );
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0].extensions!.field).toBe('tags');
    }
  });

  it('rejects more than five tags with BAD_USER_INPUT', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const res = await server.gql(
      CreatePostDocument,
      { input: { communityId: community.id, title: 't', body: 'b', tags: ['a', 'b', 'c', 'd', 'e', 'f'] } },
      { token: ada.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('tags');
  });
});

describe('editing posts', () => {
  it('lets the author edit title, body and tags, re-rendering the body and setting editedAt', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id, { title: 'Draft', body: 'old', tags: ['one'] });
    const before = Date.now();
    const res = await server.gql(
      UpdatePost,
      { input: { id: post.id, title: 'Final', body: '_new_', tags: ['Two Words'] } },
      { token: ada.token },
    );
    expect(res.body.errors).toBeUndefined();
    const updated = res.body.data!.updatePost;
    expect(updated).toMatchObject({
      title: 'Final',
      body: '_new_',
      bodyHtml: '<p><em>new</em></p>\n',
      tags: ['two-words'],
    });
    expect(new Date(updated.editedAt!).getTime()).toBeGreaterThanOrEqual(before - 1000);
    const read = await server.gql(PostById, { id: post.id });
    expect(read.body.data!.post).toMatchObject({ title: 'Final', editedAt: updated.editedAt });
  });

  it('lets nobody but the author edit, not even a moderator (FORBIDDEN)', async () => {
    const {
      owner,
      moderator,
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id, { title: 'Mine' });
    for (const who of [bob, moderator, owner]) {
      expect(
        errorCode(await server.gql(UpdatePost, { input: { id: post.id, title: 'Theirs' } }, { token: who.token })),
      ).toBe('FORBIDDEN');
    }
    expect(errorCode(await server.gql(UpdatePost, { input: { id: post.id, title: 'Anon' } }))).toBe('UNAUTHENTICATED');
    const read = await server.gql(PostById, { id: post.id });
    expect(read.body.data!.post).toMatchObject({ title: 'Mine', editedAt: null });
  });
});

describe('deleting posts', () => {
  it('lets the author delete a post: body replaced, author hidden, comments still readable', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id, { title: 'Regrets', body: 'something I regret' });
    await addComment(server, bob, post.id, 'a reply worth keeping');
    const res = await server.gql(DeletePostDocument, { id: post.id }, { token: ada.token });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.deletePost).toMatchObject({ body: '[deleted]', author: null });
    expect(res.body.data!.deletePost.deletedAt).not.toBeNull();
    expect(res.body.data!.deletePost.bodyHtml).not.toContain('regret');

    const read = await server.gql(PostById, { id: post.id }, { token: bob.token });
    expect(read.body.data!.post).toMatchObject({
      body: '[deleted]',
      author: null,
      commentCount: 1,
      comments: { edges: [{ node: { body: 'a reply worth keeping', author: { handle: bob.user.handle } } }] },
    });
    // The original text is gone from the database, not just hidden.
    const [row] = await dbQuery(server, 'select body, body_html from posts where id = ?', [dbId(post.id)]);
    expect(`${row.body} ${row.body_html}`).not.toContain('regret');
    // It has left the community's listing.
    const list = await server.gql(CommunityPostTitles, { slug: community.slug });
    expect(list.body.data!.community!.posts.edges).toEqual([]);
  });

  it("lets a moderator delete anyone's post, but not a moderator of another community", async () => {
    const {
      moderator,
      members: [ada],
      community,
    } = await castOf(server, 1);
    const elsewhere = await castOf(server, 0);
    const post = await createPost(server, ada, community.id);
    expect(errorCode(await server.gql(DeletePostDocument, { id: post.id }, { token: elsewhere.moderator.token }))).toBe(
      'FORBIDDEN',
    );
    const res = await server.gql(DeletePostDocument, { id: post.id }, { token: moderator.token });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.deletePost).toMatchObject({ body: '[deleted]', author: null });
  });

  it("does not let a plain member delete someone else's post (FORBIDDEN)", async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id, { body: 'still here' });
    expect(errorCode(await server.gql(DeletePostDocument, { id: post.id }, { token: bob.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(DeletePostDocument, { id: post.id }))).toBe('UNAUTHENTICATED');
    const read = await server.gql(PostById, { id: post.id });
    expect(read.body.data!.post).toMatchObject({
      body: 'still here',
      deletedAt: null,
      author: { handle: ada.user.handle },
    });
  });
});

describe('private communities', () => {
  it('hides their posts from non-members and anonymous readers, through post(id) and node(id)', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1, 'PRIVATE');
    const post = await createPost(server, ada, community.id, { title: 'Members only' });
    const outsider = await signUp(server, 'out');
    for (const token of [outsider.token, undefined]) {
      expect((await server.gql(PostById, { id: post.id }, { token })).body.data!.post).toBeNull();
      expect((await server.gql(PostNode, { id: post.id }, { token })).body.data!.node).toBeNull();
    }
    expect((await server.gql(PostById, { id: post.id }, { token: ada.token })).body.data!.post!.title).toBe(
      'Members only',
    );
    expect((await server.gql(PostNode, { id: post.id }, { token: ada.token })).body.data!.node).toMatchObject({
      __typename: 'Post',
      title: 'Members only',
    });
  });

  it('answers a non-member writing into one as if it did not exist (NOT_FOUND)', async () => {
    const owner = await signUp(server, 'own');
    const community = await createCommunity(server, owner, 'PRIVATE');
    const outsider = await signUp(server, 'out');
    const res = await server.gql(
      CreatePostDocument,
      { input: { communityId: community.id, title: 't', body: 'b', tags: [] } },
      { token: outsider.token },
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
  });
});

describe('listings and writes in one operation', () => {
  // Regression: listings build read-only views of posts (not ORM-managed); an edit later in the
  // same operation must still change the stored post, not a view of it.
  it('keeps an edit made after the same mutation listed the post', async () => {
    const ada = await signUp(server, 'ada');
    const community = await createCommunity(server, ada);
    const first = await server.gql(
      CreatePostDocument,
      { input: { communityId: community.id, title: 'Before', body: 'b', tags: [] } },
      { token: ada.token },
    );
    const postId = first.body.data.createPost.id;
    const res = await server.gql(
      `mutation($communityId: ID!, $postId: ID!) {
        listed: createPost(input: { communityId: $communityId, title: "Second", body: "b" }) {
          community { posts(first: 5, orderBy: NEW) { edges { node { id title } } } }
        }
        edited: updatePost(input: { id: $postId, title: "After" }) { title }
        deleted: deletePost(id: $postId) { deletedAt }
      }`,
      { communityId: community.id, postId },
      { token: ada.token },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.listed.community.posts.edges.map((e: any) => e.node.title)).toContain('Before');
    expect(res.body.data.edited.title).toBe('After');
    const stored = await server.gql(PostById, { id: postId }, { token: ada.token });
    expect(stored.body.data.post).toMatchObject({ title: 'After' });
    expect(stored.body.data.post.deletedAt).toBeTruthy();
  });
});
