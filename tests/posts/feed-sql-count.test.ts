import { graphql } from '../../codegen/index';
import { closeAll, createCommunity, errorCode, signUp, startTestServer, type TestServer } from '../support/server';
import { addComment, castOf, createPost, vote } from './operations';

/** Issue 3's feed query: each post with author, community, score, viewerVote, commentCount, tags and its first 3 comments with their authors (and how many there are). */
const CommunityFeedPage = graphql(`
  query PostsCommunityFeedPage($slug: String!, $first: Int!) {
    community(slug: $slug) {
      posts(first: $first, orderBy: HOT) {
        edges {
          node {
            id
            title
            score
            viewerVote
            commentCount
            tags
            author {
              handle
            }
            community {
              slug
            }
            comments(first: 3) {
              totalCount
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
      }
    }
  }
`);
/** The same page through the viewer's own feed (posts from several communities). */
const ViewerFeedPage = graphql(`
  query PostsViewerFeedPage($first: Int!) {
    feed(first: $first, orderBy: NEW) {
      edges {
        node {
          id
          title
          score
          viewerVote
          commentCount
          tags
          author {
            handle
          }
          community {
            slug
          }
          comments(first: 3) {
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
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('SQL statements per feed page (no N+1)', () => {
  it('costs the same number of statements for 5 posts as for 20, each with its first 3 comments and their authors', async () => {
    const { owner, members, community } = await castOf(server, 5);
    // 20 posts by different authors, each with 4 comments by different members; the owner votes on half of them.
    for (let i = 0; i < 20; i++) {
      const author = members[i % members.length];
      const post = await createPost(server, author, community.id, { title: `post ${i}`, tags: [`t${i % 3}`, 'feed'] });
      for (let c = 0; c < 4; c++)
        await addComment(server, members[(i + c + 1) % members.length], post.id, `comment ${c}`);
      if (i % 2 === 0) await vote(server, owner, post.id, i % 4 === 0 ? 'UP' : 'DOWN');
    }

    const counts: Record<string, number> = {};
    for (const token of [undefined, owner.token]) {
      for (const first of [5, 20]) {
        const res = await server.gql(CommunityFeedPage, { slug: community.slug, first }, { token });
        expect(res.body.errors).toBeUndefined();
        const edges = res.body.data!.community!.posts.edges;
        expect(edges).toHaveLength(first);
        for (const { node } of edges) {
          expect(node.author).not.toBeNull();
          expect(node.community.slug).toBe(community.slug);
          expect(node.commentCount).toBe(4);
          expect(node.comments.totalCount).toBe(4); // kept on the post: no statement more
          expect(node.tags).toContain('feed');
          expect(node.comments.edges.map((e: any) => e.node.body)).toEqual(['comment 0', 'comment 1', 'comment 2']);
          for (const c of node.comments.edges) expect(c.node.author!.handle).toMatch(/^m\d/);
        }
        const votes = edges.map((e: any) => e.node.viewerVote);
        if (token) expect(votes).toContain('DOWN');
        else expect(new Set(votes)).toEqual(new Set(['NONE']));
        counts[`community feed, ${token ? 'signed in' : 'anonymous'}, first ${first}`] = res.sqlStatements;
      }
    }
    for (const first of [5, 20]) {
      const res = await server.gql(ViewerFeedPage, { first }, { token: owner.token });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.feed.edges).toHaveLength(first);
      counts[`viewer feed, signed in, first ${first}`] = res.sqlStatements;
    }
    console.log('SQL statements per feed page:', counts);
    // The community by slug with its page of posts (read in the same statement: the community is
    // PUBLIC), their authors, the viewer's votes and each post's first 3 comments with their
    // authors; a signed-in request also looks its token up. The viewer's feed loads the posts'
    // communities instead of one by slug.
    expect(counts).toEqual({
      'community feed, anonymous, first 5': 1,
      'community feed, anonymous, first 20': 1,
      'community feed, signed in, first 5': 2,
      'community feed, signed in, first 20': 2,
      'viewer feed, signed in, first 5': 3,
      'viewer feed, signed in, first 20': 3,
    });
  });
});

describe("a listing's first comments, read with its posts", () => {
  /** Every field of a comment page that comes from its rows. */
  const PAGE = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount
    edges { cursor node { id body bodyHtml depth score replyCount featured createdAt editedAt deletedAt
      author { id handle } parent { id } } } nodes { id body depth author { handle } }`;
  const listing = (comments: string) => `query ($slug: String!) {
    community(slug: $slug) { posts(first: 10, orderBy: NEW) { edges { node { id ${comments} } } } }
  }`;
  const alone = (page: string) => `query ($id: ID!) { post(id: $id) { comments(${page}) { ${PAGE} } } }`;

  it("answers exactly as each post's comments field alone, whatever the page, and costs one statement fewer only when one page is asked", async () => {
    const { owner, members, community } = await castOf(server, 3);
    // Posts with no comment, fewer comments than a page, exactly a page, and more; replies, an edited and a deleted comment.
    for (const [i, n] of [0, 2, 3, 5].entries()) {
      const post = await createPost(server, members[i % 3], community.id, { title: `thread ${i}` });
      const ids: string[] = [];
      for (let c = 0; c < n; c++) ids.push((await addComment(server, members[c % 3], post.id, `**c${c}** of ${i}`)).id);
      if (n) await addComment(server, owner, post.id, 'a reply', ids[0]);
      if (n >= 3) {
        const edited = await server.gql(
          'mutation ($input: UpdateCommentInput!) { updateComment(input: $input) { id } }',
          { input: { id: ids[1], body: 'edited' } },
          { token: members[1].token },
        );
        expect(edited.body.errors).toBeUndefined();
        const deleted = await server.gql(
          'mutation ($id: ID!) { deleteComment(id: $id) { id } }',
          { id: ids[2] },
          {
            token: members[2].token,
          },
        );
        expect(deleted.body.errors).toBeUndefined();
      }
    }
    const cases: { comments: string; pages: Record<string, string>; statements: number }[] = [
      // One page: read with the posts (the community by slug with its posts: one statement).
      { comments: `comments(first: 3) { ${PAGE} }`, pages: { comments: 'first: 3' }, statements: 1 },
      { comments: `comments { ${PAGE} }`, pages: { comments: 'first: 20' }, statements: 1 },
      // The same page twice under two names (both with bodyHtml): still one.
      {
        comments: `comments(first: 2) { ${PAGE} } again: comments(first: 2) { edges { node { id bodyHtml } } }`,
        pages: { comments: 'first: 2' },
        statements: 1,
      },
      // The same page, one with bodyHtml and one without: the loader's two statements (it reads the
      // page with and without body_html apart).
      {
        comments: `comments(first: 2) { ${PAGE} } again: comments(first: 2) { edges { node { id } } }`,
        pages: { comments: 'first: 2' },
        statements: 3,
      },
      // Two different pages: each from the comments loader.
      {
        comments: `comments(first: 2) { ${PAGE} } more: comments(first: 4) { ${PAGE} }`,
        pages: { comments: 'first: 2', more: 'first: 4' },
        statements: 3,
      },
      // The last page, read backwards: from the comments loader, in one statement for every post.
      { comments: `comments(last: 2) { ${PAGE} }`, pages: { comments: 'last: 2' }, statements: 2 },
    ];
    for (const { comments, pages, statements } of cases) {
      const res = await server.gql(listing(comments), { slug: community.slug }, { token: owner.token });
      expect(res.body.errors).toBeUndefined();
      const posts = res.body.data.community.posts.edges.map((e: any) => e.node);
      expect(posts).toHaveLength(4);
      for (const post of posts)
        for (const [name, page] of Object.entries(pages)) {
          const single = await server.gql(alone(page), { id: post.id }, { token: owner.token });
          expect(single.body.errors).toBeUndefined();
          const expected = single.body.data.post.comments;
          // (`again` is checked below, against the first.)
          expect(post[name]).toEqual(expected);
        }
      // `again` is the same page as `comments`, with the fields it selects.
      for (const post of posts)
        if (post.again) {
          expect(post.again.edges).toHaveLength(post.comments.edges.length);
          for (const [k, { node }] of post.again.edges.entries())
            expect(node).toEqual(Object.fromEntries(Object.keys(node).map((f) => [f, post.comments.edges[k].node[f]])));
        }
      expect({ comments, statements: res.sqlStatements }).toEqual({ comments, statements: statements + 1 }); // + the token
    }
  });
});

describe('a preview listing (authors asked for their handle, comments for no timestamp)', () => {
  /** The feed's shape: authors by handle only, comments without timestamps (read lean: see CommentsPageKey.lean). */
  const PREVIEW = `edges { node { id title author { id handle }
    comments(first: 3) { edges { node { id body score author { id handle }
      replies(first: 2) { edges { node { id parent { id createdAt } } } } } } } } }`;
  /** The same posts and comments with every field of their authors, and the comments' timestamps. */
  const WHOLE = `edges { node { id title createdAt author { id handle isAdmin createdAt }
    comments(first: 3) { edges { node { id createdAt editedAt author { id handle isAdmin createdAt } } } } } }`;

  it('answers as the whole listing does, and its partial authors and comments never reach another field of the request', async () => {
    const { owner, members, community } = await castOf(server, 3);
    for (const i of [0, 1, 2]) {
      const post = await createPost(server, members[i], community.id, { title: `preview ${i}` });
      const ids: string[] = [];
      for (const m of [0, 1, 2, 0])
        ids.push((await addComment(server, members[(i + m) % 3], post.id, `c${m} on ${i}`)).id);
      await addComment(server, owner, post.id, `reply on ${i}`, ids[0]);
    }
    const whole = await server.gql(
      `query ($slug: String!) { community(slug: $slug) { posts(first: 10, orderBy: NEW) { ${WHOLE} } } }`,
      { slug: community.slug },
      { token: owner.token },
    );
    expect(whole.body.errors).toBeUndefined();
    const expected = whole.body.data.community.posts.edges.map((e: any) => e.node);
    expect(expected).toHaveLength(3);
    const firstComment = expected[0].comments.edges[0].node;

    // The preview and the whole listing in one request, in both orders, with the first comment by id:
    // every author and comment asked for more than a preview holds is answered whole.
    for (const [a, b] of [
      [PREVIEW, WHOLE],
      [WHOLE, PREVIEW],
    ]) {
      const res = await server.gql(
        `query ($slug: String!, $comment: ID!) {
          community(slug: $slug) { a: posts(first: 10, orderBy: NEW) { ${a} } b: posts(first: 10, orderBy: NEW) { ${b} } }
          comment: node(id: $comment) { ... on Comment { id createdAt author { id handle createdAt } } }
        }`,
        { slug: community.slug, comment: firstComment.id },
        { token: owner.token },
      );
      expect(res.body.errors).toBeUndefined();
      const { community: c, comment } = res.body.data;
      const [preview, full] = a === PREVIEW ? [c.a, c.b] : [c.b, c.a];
      expect(full.edges.map((e: any) => e.node)).toEqual(expected);
      expect(comment).toEqual({
        id: firstComment.id,
        createdAt: firstComment.createdAt,
        author: {
          id: firstComment.author.id,
          handle: firstComment.author.handle,
          createdAt: firstComment.author.createdAt,
        },
      });
      for (const [k, { node }] of preview.edges.entries()) {
        const post = expected[k];
        expect(node.title).toBe(post.title);
        expect(node.author).toEqual({ id: post.author.id, handle: post.author.handle });
        expect(node.comments.edges.map((e: any) => [e.node.id, e.node.author])).toEqual(
          post.comments.edges.map((e: any) => [e.node.id, { id: e.node.author.id, handle: e.node.author.handle }]),
        );
        for (const e of node.comments.edges) expect(e.node.body).toMatch(/^c\d on \d$/);
        // A reply's parent, read by id after the preview's comments were built, is the whole comment.
        const [first] = post.comments.edges;
        expect(node.comments.edges[0].node.replies.edges.map((e: any) => e.node.parent)).toEqual([
          { id: first.node.id, createdAt: first.node.createdAt },
        ]);
      }
    }
  });
});

describe('community(slug) reads its page of posts with the community (PUBLIC only)', () => {
  const PAGE =
    'edges { cursor node { id title tags score } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
  const after = (args: string) =>
    `${args.includes('$after') ? ', $after: String' : ''}${args.includes('$before') ? ', $before: String' : ''}`;
  const bySlug = (args: string) =>
    `query ($slug: String!${after(args)}) { community(slug: $slug) { posts(${args}) { ${PAGE} } } }`;
  const byId = (args: string) =>
    `query ($id: ID!${after(args)}) { node(id: $id) { ... on Community { posts(${args}) { ${PAGE} } } } }`;

  it('answers as the field alone does, for every ordering, tag and page, in one statement for an anonymous reader', async () => {
    const { owner, members, community } = await castOf(server, 2);
    for (let i = 0; i < 7; i++) {
      const post = await createPost(server, members[i % 2], community.id, {
        title: `fold ${i}`,
        tags: i % 2 ? ['odd'] : ['even'],
      });
      if (i % 3 === 0) await vote(server, owner, post.id, 'UP');
    }
    for (const args of [
      'first: 3',
      'first: 3, orderBy: NEW',
      'first: 3, orderBy: TOP',
      'first: 2, orderBy: HOT, tag: "odd"',
      'first: 3, after: $after',
      'first: 3, orderBy: NEW, after: $after',
      'last: 3',
      'last: 2, orderBy: TOP, before: $before',
      'last: 3, orderBy: NEW, tag: "even", before: $before',
    ]) {
      // Page through with each shape: the folded page (by slug) and the field's own (by node id) agree.
      const backward = args.includes('$before');
      let cursor: unknown = null;
      for (let page = 0; page < 4; page++) {
        const folded = await server.gql(bySlug(args), { slug: community.slug, after: cursor, before: cursor });
        const alone = await server.gql(byId(args), { id: community.id, after: cursor, before: cursor });
        expect(folded.body.errors).toBeUndefined();
        expect(alone.body.errors).toBeUndefined();
        const posts: {
          pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
        } = folded.body.data.community.posts;
        expect({ args, page, posts }).toEqual({ args, page, posts: alone.body.data.node.posts });
        expect({ args, statements: folded.sqlStatements }).toEqual({ args, statements: 1 });
        if (!/\$after|\$before/.test(args) || !(backward ? posts.pageInfo.hasPreviousPage : posts.pageInfo.hasNextPage))
          break;
        cursor = backward ? posts.pageInfo.startCursor : posts.pageInfo.endCursor;
      }
    }
    // A cursor of another ordering is refused as the field refuses it.
    const first = await server.gql(bySlug('first: 1, orderBy: NEW'), { slug: community.slug });
    const wrong = await server.gql(bySlug('first: 1, orderBy: TOP, after: $after'), {
      slug: community.slug,
      after: first.body.data.community.posts.pageInfo.endCursor,
    });
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
  });

  it('gives each community its own page when one selection serves several, and leaves RESTRICTED and PRIVATE communities to the field and its access check', async () => {
    const { owner, community } = await castOf(server, 1);
    const other = await createCommunity(server, owner, 'PUBLIC');
    await createPost(server, owner, community.id, { title: 'in the first' });
    await createPost(server, owner, other.id, { title: 'in the second' });
    const both = await server.gql(
      `query ($a: String!, $b: String!) { a: community(slug: $a) { ...P } b: community(slug: $b) { ...P } }
       fragment P on Community { posts(first: 5) { edges { node { title } } } }`,
      { a: community.slug, b: other.slug },
    );
    expect(both.body.errors).toBeUndefined();
    expect(both.body.data.a.posts.edges.map((e: any) => e.node.title)).toEqual(['in the first']);
    expect(both.body.data.b.posts.edges.map((e: any) => e.node.title)).toEqual(['in the second']);

    const outsider = await signUp(server, 'outsider');
    for (const visibility of ['RESTRICTED', 'PRIVATE'] as const) {
      const closed = await createCommunity(server, owner, visibility);
      await createPost(server, owner, closed.id, { title: `${visibility} post` });
      const member = await server.gql(bySlug('first: 5'), { slug: closed.slug }, { token: owner.token });
      expect(member.body.data.community.posts.edges.map((e: any) => e.node.title)).toEqual([`${visibility} post`]);
      for (const token of [undefined, outsider.token]) {
        const res = await server.gql(bySlug('first: 5'), { slug: closed.slug }, { token });
        if (visibility === 'PRIVATE') expect(res.body.data.community).toBeNull();
        else expect(errorCode(res)).toBe('FORBIDDEN');
        expect(JSON.stringify(res.body)).not.toContain(`${visibility} post`);
      }
    }
  });
});
