import { graphql } from '../../codegen/index';
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { addComment, castOf, createPost, vote } from './operations';

/** Issue 3's feed query: each post with author, community, score, viewerVote, commentCount, tags and its first 3 comments with their authors. */
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
    // The community by slug + one page of posts with their authors (and the viewer's votes)
    // + one windowed page of comments with their authors for all posts; a signed-in request
    // also looks its token up. The viewer's feed loads the posts' communities instead of one by slug.
    expect(counts).toEqual({
      'community feed, anonymous, first 5': 3,
      'community feed, anonymous, first 20': 3,
      'community feed, signed in, first 5': 4,
      'community feed, signed in, first 20': 4,
      'viewer feed, signed in, first 5': 4,
      'viewer feed, signed in, first 20': 4,
    });
  });
});
