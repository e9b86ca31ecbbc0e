import { graphql } from '../../codegen/index';
import { closeAll, errorCode, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';
import { DeletePostDocument, VoteDocument, addComment, castOf, createPost, dbId, dbQuery, vote } from './operations';

const PostScore = graphql(`
  query PostsPostScore($id: ID!) {
    post(id: $id) {
      score
      viewerVote
      reactions {
        emoji
        count
        viewerReacted
      }
    }
  }
`);
const CommentScore = graphql(`
  query PostsCommentScore($id: ID!) {
    node(id: $id) {
      ... on Comment {
        score
        viewerVote
        reactions {
          emoji
          count
          viewerReacted
        }
      }
    }
  }
`);
const React = graphql(`
  mutation PostsReact($input: ReactInput!) {
    react(input: $input) {
      ... on Post {
        reactions {
          emoji
          count
          viewerReacted
        }
      }
      ... on Comment {
        reactions {
          emoji
          count
          viewerReacted
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

/** The score stored on the post next to the sum of its vote rows, and rows per voter, straight from the database. */
async function recountPost(postId: string) {
  const [row] = await dbQuery(
    server,
    `select p.score, coalesce(sum(v.value), 0)::int as sum, count(v.id)::int as votes, count(distinct v.user_id)::int as voters
       from posts p left join votes v on v.post_id = p.id where p.id = ? group by p.id`,
    [dbId(postId)],
  );
  return row as { score: number; sum: number; votes: number; voters: number };
}

describe('voting on posts', () => {
  it('moves the score with UP, DOWN and NONE, one vote per member, and tells each viewer their vote', async () => {
    const {
      members: [ada, bob, cy],
      community,
    } = await castOf(server, 3);
    const post = await createPost(server, ada, community.id);
    expect(await vote(server, bob, post.id, 'UP')).toMatchObject({ __typename: 'Post', score: 1, viewerVote: 'UP' });
    expect(await vote(server, bob, post.id, 'UP')).toMatchObject({ score: 1, viewerVote: 'UP' }); // a second UP counts once
    expect(await vote(server, cy, post.id, 'UP')).toMatchObject({ score: 2, viewerVote: 'UP' });
    expect(await vote(server, bob, post.id, 'DOWN')).toMatchObject({ score: 0, viewerVote: 'DOWN' });
    expect(await vote(server, bob, post.id, 'NONE')).toMatchObject({ score: 1, viewerVote: 'NONE' });
    expect(await vote(server, bob, post.id, 'NONE')).toMatchObject({ score: 1, viewerVote: 'NONE' });

    const views = async (user?: TestUser) =>
      (await server.gql(PostScore, { id: post.id }, { token: user?.token })).body.data!.post;
    expect(await views(bob)).toMatchObject({ score: 1, viewerVote: 'NONE' });
    expect(await views(cy)).toMatchObject({ score: 1, viewerVote: 'UP' });
    expect(await views(ada)).toMatchObject({ score: 1, viewerVote: 'NONE' });
    expect(await views()).toMatchObject({ score: 1, viewerVote: 'NONE' });
    expect(await recountPost(post.id)).toEqual({ score: 1, sum: 1, votes: 1, voters: 1 });
  });

  it('does not let members vote on their own post, nor non-members or anonymous callers vote at all', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id);
    const outsider = await signUp(server, 'out');
    const ask = (token?: string) => server.gql(VoteDocument, { input: { subjectId: post.id, value: 'UP' } }, { token });
    expect(errorCode(await ask(ada.token))).toBe('FORBIDDEN');
    expect(errorCode(await ask(outsider.token))).toBe('FORBIDDEN');
    expect(errorCode(await ask())).toBe('UNAUTHENTICATED');
    expect(await recountPost(post.id)).toEqual({ score: 0, sum: 0, votes: 0, voters: 0 });
  });

  it('rejects a subject that is neither a post nor a comment with BAD_USER_INPUT on subjectId', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const res = await server.gql(
      VoteDocument,
      { input: { subjectId: community.id, value: 'UP' } },
      { token: ada.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('subjectId');
  });

  it('keeps the score exact when 24 members vote at once', async () => {
    const { members, community } = await castOf(server, 25);
    const [author, ...voters] = members;
    const post = await createPost(server, author, community.id);
    const values = voters.map((_, i): 'UP' | 'DOWN' => (i % 3 === 0 ? 'DOWN' : 'UP'));
    await Promise.all(voters.map((v, i) => vote(server, v, post.id, values[i])));
    const expected = values.reduce((s, v) => s + (v === 'UP' ? 1 : -1), 0);
    expect(expected).toBe(8);
    expect(await recountPost(post.id)).toEqual({ score: expected, sum: expected, votes: 24, voters: 24 });
    expect((await server.gql(PostScore, { id: post.id })).body.data!.post!.score).toBe(expected);
  });

  it('keeps one vote row and an exact score when the same members flip their votes concurrently', async () => {
    const {
      members: [author, ...voters],
      community,
    } = await castOf(server, 5);
    const post = await createPost(server, author, community.id);
    const cycle = ['UP', 'DOWN', 'NONE', 'UP', 'DOWN', 'UP', 'NONE', 'DOWN', 'UP', 'UP'] as const;
    await Promise.all(voters.flatMap((v) => cycle.map((value) => vote(server, v, post.id, value))));
    const recount = await recountPost(post.id);
    expect(recount.score).toBe(recount.sum);
    expect(recount.votes).toBe(recount.voters); // never two rows for one voter
    const perVoter = await dbQuery(
      server,
      'select user_id, count(*)::int as n from votes where post_id = ? group by user_id',
      [dbId(post.id)],
    );
    for (const row of perVoter) expect(row.n).toBe(1);
    // Each voter's viewerVote agrees with the rows.
    const views = await Promise.all(
      voters.map(
        async (v) => (await server.gql(PostScore, { id: post.id }, { token: v.token })).body.data!.post!.viewerVote,
      ),
    );
    const fromViews = views.reduce((s, v) => s + (v === 'UP' ? 1 : v === 'DOWN' ? -1 : 0), 0);
    expect(fromViews).toBe(recount.sum);
  });

  it('refuses a second vote row for the same member and post at the database level', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    await vote(server, bob, post.id, 'UP');
    const [{ user_id: userId }] = await dbQuery(server, 'select user_id from votes where post_id = ?', [dbId(post.id)]);
    await expect(
      dbQuery(server, 'insert into votes (user_id, post_id, value, created_at) values (?, ?, 1, now())', [
        userId,
        dbId(post.id),
      ]),
    ).rejects.toThrow(/votes_user_post_unique/);
    await expect(
      dbQuery(server, 'insert into votes (user_id, post_id, value, created_at) values (?, ?, 2, now())', [
        userId,
        dbId(post.id),
      ]),
    ).rejects.toThrow(/votes_value_check|votes_user_post_unique/);
  });
});

describe('voting on comments', () => {
  it("scores comments like posts, never one's own, exactly under concurrent votes", async () => {
    const {
      members: [author, ...voters],
      community,
    } = await castOf(server, 8);
    const post = await createPost(server, author, community.id);
    const comment = await addComment(server, author, post.id, 'vote on me');
    expect(
      errorCode(
        await server.gql(VoteDocument, { input: { subjectId: comment.id, value: 'UP' } }, { token: author.token }),
      ),
    ).toBe('FORBIDDEN');
    await Promise.all(voters.map((v, i) => vote(server, v, comment.id, i < 5 ? 'UP' : 'DOWN')));
    expect(await vote(server, voters[0], comment.id, 'DOWN')).toMatchObject({
      __typename: 'Comment',
      score: 1,
      viewerVote: 'DOWN',
    });
    const [row] = await dbQuery(
      server,
      'select c.score, (select coalesce(sum(value), 0)::int from votes where comment_id = c.id) as sum from comments c where c.id = ?',
      [dbId(comment.id)],
    );
    expect(row).toEqual({ score: 1, sum: 1 });
    const seen = await server.gql(CommentScore, { id: comment.id }, { token: voters[1].token });
    expect(seen.body.data!.node).toMatchObject({ score: 1, viewerVote: 'UP' });
    // The post's own score is untouched by votes on its comments.
    expect(await recountPost(post.id)).toMatchObject({ score: 0, sum: 0 });
  });
});

describe('reactions', () => {
  it('counts reactions per emoji, most used first then first used first, and tells each viewer whether they reacted', async () => {
    const {
      members: [ada, bob, cy],
      community,
    } = await castOf(server, 3);
    const post = await createPost(server, ada, community.id);
    const react = (u: TestUser, emoji: string, remove = false) =>
      server.gql(React, { input: { subjectId: post.id, emoji, remove } }, { token: u.token });
    await react(bob, '🎉');
    await react(cy, '🎉');
    await react(cy, '👍🏽');
    await react(ada, '❤️'); // reacting to one's own post is fine
    const asBob = await server.gql(PostScore, { id: post.id }, { token: bob.token });
    expect(asBob.body.data!.post!.reactions).toEqual([
      { emoji: '🎉', count: 2, viewerReacted: true },
      { emoji: '👍🏽', count: 1, viewerReacted: false },
      { emoji: '❤️', count: 1, viewerReacted: false },
    ]);
    const anonymous = await server.gql(PostScore, { id: post.id });
    expect(anonymous.body.data!.post!.reactions.every((r: any) => !r.viewerReacted)).toBe(true);
  });

  it('adds a reaction once however often it is sent, even at once, and removes it', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const comment = await addComment(server, ada, post.id, 'react here');
    const react = (remove: boolean) =>
      server.gql(React, { input: { subjectId: comment.id, emoji: '🔥', remove } }, { token: bob.token });
    const results = await Promise.all(Array.from({ length: 6 }, () => react(false)));
    for (const r of results) expect(r.body.errors).toBeUndefined();
    const [{ count }] = await dbQuery(server, 'select count(*)::int as count from reactions where comment_id = ?', [
      dbId(comment.id),
    ]);
    expect(count).toBe(1);
    const seen = await server.gql(CommentScore, { id: comment.id }, { token: bob.token });
    expect((seen.body.data!.node as any).reactions).toEqual([{ emoji: '🔥', count: 1, viewerReacted: true }]);
    const removed = await react(true);
    expect(removed.body.data!.react).toEqual({ reactions: [] });
    expect((await react(true)).body.errors).toBeUndefined(); // removing again is harmless
  });

  it('shows each reaction of one request its own fresh counts (regression: aliased reacts read stale counts)', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    const res = await server.gql(
      `mutation($id: ID!) {
        first: react(input: { subjectId: $id, emoji: "🎉" }) { ... on Post { reactions { emoji count } } }
        second: react(input: { subjectId: $id, emoji: "👀" }) { ... on Post { reactions { emoji count } } }
      }`,
      { id: post.id },
      { token: bob.token },
    );
    expect(res.body.data.first.reactions).toEqual([{ emoji: '🎉', count: 1 }]);
    expect(res.body.data.second.reactions).toEqual([
      { emoji: '🎉', count: 1 },
      { emoji: '👀', count: 1 },
    ]);
  });

  it('takes no new reactions or votes on deleted content (BAD_USER_INPUT), but lets one withdraw a reaction', async () => {
    const {
      members: [ada, bob],
      community,
    } = await castOf(server, 2);
    const post = await createPost(server, ada, community.id);
    await server.gql(React, { input: { subjectId: post.id, emoji: '🎉' } }, { token: bob.token });
    await server.gql(DeletePostDocument, { id: post.id }, { token: ada.token });
    const add = await server.gql(React, { input: { subjectId: post.id, emoji: '👀' } }, { token: bob.token });
    expect(add.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectId' });
    const up = await server.gql(VoteDocument, { input: { subjectId: post.id, value: 'UP' } }, { token: bob.token });
    expect(up.body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subjectId' });
    const withdraw = await server.gql(
      React,
      { input: { subjectId: post.id, emoji: '🎉', remove: true } },
      { token: bob.token },
    );
    expect(withdraw.body.data!.react).toEqual({ reactions: [] });
  });

  it('rejects anything but a single emoji with BAD_USER_INPUT on emoji, and non-members with FORBIDDEN', async () => {
    const {
      members: [ada],
      community,
    } = await castOf(server, 1);
    const post = await createPost(server, ada, community.id);
    for (const emoji of ['lol', '🎉🎉', '', '<b>', ':)']) {
      const res = await server.gql(React, { input: { subjectId: post.id, emoji } }, { token: ada.token });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.body.errors![0].extensions!.field).toBe('emoji');
    }
    const outsider = await signUp(server, 'out');
    expect(
      errorCode(await server.gql(React, { input: { subjectId: post.id, emoji: '🎉' } }, { token: outsider.token })),
    ).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(React, { input: { subjectId: post.id, emoji: '🎉' } }))).toBe('UNAUTHENTICATED');
  });
});
