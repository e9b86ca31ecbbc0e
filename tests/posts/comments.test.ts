import { graphql } from '../../codegen/index';
import { POST_LIMITS } from '../../src/modules/posts/posts.inputs';
import { closeAll, errorCode, signUp, startTestServer, type TestServer } from '../support/server';
import { AddCommentDocument, LockPostDocument, addComment, castOf, createPost, dbId, dbQuery } from './operations';

const Thread = graphql(`
  query PostsThread($id: ID!, $first: Int, $after: String) {
    post(id: $id) {
      commentCount
      comments(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            body
            depth
            replyCount
            featured
            deletedAt
            author {
              handle
            }
            parent {
              id
            }
            replies(first: 10) {
              edges {
                node {
                  id
                  body
                  depth
                  parent {
                    id
                  }
                  replies(first: 10) {
                    edges {
                      node {
                        id
                        body
                        depth
                      }
                    }
                  }
                }
              }
              pageInfo {
                hasNextPage
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
    }
  }
`);
const Replies = graphql(`
  query PostsReplies($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      ... on Comment {
        replyCount
        replies(first: $first, after: $after) {
          edges {
            node {
              body
            }
          }
          pageInfo {
            hasNextPage
            hasPreviousPage
            endCursor
          }
        }
      }
    }
  }
`);
const UpdateComment = graphql(`
  mutation PostsUpdateComment($input: UpdateCommentInput!) {
    updateComment(input: $input) {
      id
      body
      bodyHtml
      editedAt
    }
  }
`);
const DeleteComment = graphql(`
  mutation PostsDeleteComment($id: ID!) {
    deleteComment(id: $id) {
      id
      body
      bodyHtml
      deletedAt
      author {
        handle
      }
    }
  }
`);
const FeatureComment = graphql(`
  mutation PostsFeatureComment($id: ID!, $featured: Boolean!) {
    featureComment(id: $id, featured: $featured) {
      id
      featured
    }
  }
`);
const CommentNode = graphql(`
  query PostsCommentNode($id: ID!) {
    node(id: $id) {
      __typename
      ... on Comment {
        body
      }
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('threaded comments', () => {
  it('nests replies under their parents, oldest first, with depths and reply counts', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const first = await addComment(server, bob, post.id, 'first');
    await addComment(server, ada, post.id, 'second');
    const reply = await addComment(server, ada, post.id, 'reply to first', first.id);
    const nested = await addComment(server, bob, post.id, 'reply to the reply', reply.id);
    expect([first.depth, reply.depth, nested.depth]).toEqual([0, 1, 2]);
    expect(nested.parent).toEqual({ id: reply.id });

    const res = await server.gql(Thread, { id: post.id, first: 10 });
    expect(res.body.errors).toBeUndefined();
    const thread = res.body.data!.post!;
    expect(thread.commentCount).toBe(4);
    expect(thread.comments.edges.map((e: any) => e.node.body)).toEqual(['first', 'second']);
    const top = thread.comments.edges[0].node;
    expect(top).toMatchObject({ depth: 0, replyCount: 1, parent: null, author: { handle: bob.user.handle } });
    expect(top.replies.edges).toEqual([
      {
        node: {
          id: reply.id,
          body: 'reply to first',
          depth: 1,
          parent: { id: first.id },
          replies: { edges: [{ node: { id: nested.id, body: 'reply to the reply', depth: 2 } }] },
        },
      },
    ]);
    expect(thread.comments.edges[1].node.replies.edges).toEqual([]);
  });

  it('pages through top-level comments and replies with cursors', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const parent = await addComment(server, ada, post.id, 'parent');
    for (let i = 1; i <= 4; i++) await addComment(server, bob, post.id, `top ${i}`);
    for (let i = 1; i <= 5; i++) await addComment(server, bob, post.id, `reply ${i}`, parent.id);

    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await server.gql(Thread, { id: post.id, first: 2, after });
      const { edges, pageInfo } = res.body.data!.post!.comments;
      seen.push(...edges.map((e: any) => e.node.body));
      expect(pageInfo.hasPreviousPage).toBe(page > 0);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(['parent', 'top 1', 'top 2', 'top 3', 'top 4']);

    const page1 = await server.gql(Replies, { id: parent.id, first: 3 });
    const replies1 = (page1.body.data!.node as any).replies;
    expect((page1.body.data!.node as any).replyCount).toBe(5);
    expect(replies1.edges.map((e: any) => e.node.body)).toEqual(['reply 1', 'reply 2', 'reply 3']);
    expect(replies1.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql(Replies, { id: parent.id, first: 3, after: replies1.pageInfo.endCursor });
    const replies2 = (page2.body.data!.node as any).replies;
    expect(replies2.edges.map((e: any) => e.node.body)).toEqual(['reply 4', 'reply 5']);
    expect(replies2.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it(`caps nesting at depth ${POST_LIMITS.maxCommentDepth}: a deeper reply is BAD_USER_INPUT on parentId`, async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id);
    let parent = await addComment(server, ada, post.id, 'depth 0');
    for (let depth = 1; depth <= POST_LIMITS.maxCommentDepth; depth++) {
      parent = await addComment(server, ada, post.id, `depth ${depth}`, parent.id);
      expect(parent.depth).toBe(depth);
    }
    const tooDeep = await server.gql(
      AddCommentDocument,
      { input: { postId: post.id, parentId: parent.id, body: 'one more' } },
      { token: ada.token },
    );
    expect(errorCode(tooDeep)).toBe('BAD_USER_INPUT');
    expect(tooDeep.body.errors![0].extensions!.field).toBe('parentId');
    const [{ count }] = await dbQuery(server, 'select comment_count as count from posts where id = ?', [dbId(post.id)]);
    expect(count).toBe(POST_LIMITS.maxCommentDepth + 1);
  });

  it('rejects a parent comment from another post with BAD_USER_INPUT on parentId', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const here = await createPost(server, ada, community.id, { title: 'here' });
    const there = await createPost(server, ada, community.id, { title: 'there' });
    const elsewhere = await addComment(server, ada, there.id, 'on the other post');
    const res = await server.gql(
      AddCommentDocument,
      { input: { postId: here.id, parentId: elsewhere.id, body: 'cross-thread' } },
      { token: ada.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('parentId');
  });

  it('rejects a blank comment with BAD_USER_INPUT on body', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id);
    const res = await server.gql(
      AddCommentDocument,
      { input: { postId: post.id, body: '  \n ' } },
      { token: ada.token },
    );
    expect(res.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
  });

  it('lets only members comment: non-members FORBIDDEN, anonymous UNAUTHENTICATED', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id);
    const outsider = await signUp(server, 'out');
    expect(
      errorCode(
        await server.gql(AddCommentDocument, { input: { postId: post.id, body: 'hi' } }, { token: outsider.token }),
      ),
    ).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(AddCommentDocument, { input: { postId: post.id, body: 'hi' } }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it("hides a private community's comments from non-members", async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1, 'PRIVATE');
    const post = await createPost(server, ada, community.id);
    const comment = await addComment(server, ada, post.id, 'members only');
    const outsider = await signUp(server, 'out');
    for (const token of [outsider.token, undefined]) {
      expect((await server.gql(CommentNode, { id: comment.id }, { token })).body.data!.node).toBeNull();
    }
    // To an outsider the post does not exist.
    expect(
      errorCode(
        await server.gql(
          AddCommentDocument,
          { input: { postId: post.id, body: 'let me in' } },
          { token: outsider.token },
        ),
      ),
    ).toBe('NOT_FOUND');
    expect((await server.gql(CommentNode, { id: comment.id }, { token: ada.token })).body.data!.node).toEqual({
      __typename: 'Comment',
      body: 'members only',
    });
  });
});

describe('locked posts', () => {
  it('lets a moderator lock a post, after which new comments are FORBIDDEN until it is unlocked', async () => {
    const {
      moderator,
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const before = await addComment(server, bob, post.id, 'before the lock');
    // Neither the author nor a plain member may lock.
    for (const who of [ada, bob]) {
      expect(errorCode(await server.gql(LockPostDocument, { id: post.id, locked: true }, { token: who.token }))).toBe(
        'FORBIDDEN',
      );
    }
    const locked = await server.gql(LockPostDocument, { id: post.id, locked: true }, { token: moderator.token });
    expect(locked.body.data!.lockPost.locked).toBe(true);
    for (const parentId of [undefined, before.id]) {
      const res = await server.gql(
        AddCommentDocument,
        { input: { postId: post.id, parentId, body: 'after the lock' } },
        { token: bob.token },
      );
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    await server.gql(LockPostDocument, { id: post.id, locked: false }, { token: moderator.token });
    await addComment(server, bob, post.id, 'after the unlock');
    const thread = await server.gql(Thread, { id: post.id, first: 10 });
    expect(thread.body.data!.post!.comments.edges.map((e: any) => e.node.body)).toEqual([
      'before the lock',
      'after the unlock',
    ]);
    expect(thread.body.data!.post!.commentCount).toBe(2);
  });
});

describe('comment counts under concurrency', () => {
  it('counts 20 comments written at once exactly, and 10 replies to one comment too', async () => {
    const { members, community } = await castOf(server, 5);
    const post = await createPost(server, members[0], community.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => addComment(server, members[i % members.length], post.id, `comment ${i}`)),
    );
    const parent = await addComment(server, members[0], post.id, 'popular');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        addComment(server, members[i % members.length], post.id, `reply ${i}`, parent.id),
      ),
    );

    const [row] = await dbQuery(
      server,
      `select p.comment_count, (select count(*)::int from comments c where c.post_id = p.id) as actual,
              p.top_level_comment_count as top_level,
              (select count(*)::int from comments c where c.post_id = p.id and c.parent_id is null) as actual_top_level,
              (select reply_count from comments where id = ?) as reply_count,
              (select count(*)::int from comments c where c.parent_id = ?) as actual_replies
         from posts p where p.id = ?`,
      [dbId(parent.id), dbId(parent.id), dbId(post.id)],
    );
    expect(row).toEqual({
      comment_count: 31,
      actual: 31,
      top_level: 21,
      actual_top_level: 21,
      reply_count: 10,
      actual_replies: 10,
    });
    const thread = await server.gql(Thread, { id: post.id, first: 1 });
    expect(thread.body.data!.post!.commentCount).toBe(31);
  });
});

describe('editing and deleting comments', () => {
  it('lets the author edit a comment, setting editedAt; others are FORBIDDEN', async () => {
    const {
      moderator,
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const comment = await addComment(server, bob, post.id, 'typo');
    const res = await server.gql(UpdateComment, { input: { id: comment.id, body: '*fixed*' } }, { token: bob.token });
    expect(res.body.data!.updateComment).toMatchObject({ body: '*fixed*', bodyHtml: '<p><em>fixed</em></p>\n' });
    expect(res.body.data!.updateComment.editedAt).not.toBeNull();
    for (const who of [ada, moderator]) {
      expect(
        errorCode(
          await server.gql(UpdateComment, { input: { id: comment.id, body: 'hijacked' } }, { token: who.token }),
        ),
      ).toBe('FORBIDDEN');
    }
  });

  it('soft-deletes a comment: body replaced and author hidden, its replies still in the thread', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const parent = await addComment(server, bob, post.id, 'I will delete this');
    await addComment(server, ada, post.id, 'a reply that stays', parent.id);
    const res = await server.gql(DeleteComment, { id: parent.id }, { token: bob.token });
    expect(res.body.data!.deleteComment).toMatchObject({ body: '[deleted]', author: null });
    expect(res.body.data!.deleteComment.deletedAt).not.toBeNull();

    const thread = await server.gql(Thread, { id: post.id, first: 10 });
    const [edge] = thread.body.data!.post!.comments.edges;
    expect(edge.node).toMatchObject({ id: parent.id, body: '[deleted]', author: null, replyCount: 1 });
    expect(edge.node.replies.edges.map((e: any) => e.node.body)).toEqual(['a reply that stays']);
    expect(thread.body.data!.post!.commentCount).toBe(2);
    const [row] = await dbQuery(server, 'select body, body_html from comments where id = ?', [dbId(parent.id)]);
    expect(`${row.body} ${row.body_html}`).not.toContain('delete this');
  });

  it("lets a moderator delete anyone's comment, but not a plain member (FORBIDDEN)", async () => {
    const {
      moderator,
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const comment = await addComment(server, bob, post.id, 'rude');
    expect(errorCode(await server.gql(DeleteComment, { id: comment.id }, { token: ada.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(DeleteComment, { id: comment.id }))).toBe('UNAUTHENTICATED');
    const res = await server.gql(DeleteComment, { id: comment.id }, { token: moderator.token });
    expect(res.body.data!.deleteComment).toMatchObject({ body: '[deleted]', author: null });
  });
});

describe('featured comments', () => {
  it('lets moderators feature and unfeature a comment; members are FORBIDDEN', async () => {
    const {
      moderator,
      owner,
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const comment = await addComment(server, bob, post.id, 'insightful');
    for (const who of [ada, bob]) {
      expect(
        errorCode(await server.gql(FeatureComment, { id: comment.id, featured: true }, { token: who.token })),
      ).toBe('FORBIDDEN');
    }
    expect(
      (await server.gql(FeatureComment, { id: comment.id, featured: true }, { token: moderator.token })).body.data!
        .featureComment.featured,
    ).toBe(true);
    const thread = await server.gql(Thread, { id: post.id, first: 10 });
    expect(thread.body.data!.post!.comments.edges[0].node.featured).toBe(true);
    expect(
      (await server.gql(FeatureComment, { id: comment.id, featured: false }, { token: owner.token })).body.data!
        .featureComment.featured,
    ).toBe(false);
  });
});
