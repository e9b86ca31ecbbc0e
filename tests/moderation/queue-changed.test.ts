/**
 * `moderationQueueChanged(communityId)` over graphql-ws (issue 14): moderators receive each item as
 * reports arrive and as it is decided; members are refused; a moderator who loses the role stops
 * receiving at once. With REDIS_URL: a report through one instance reaches a moderator subscribed on
 * another.
 */
import { record } from '../support/subscription';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

afterAll(closeAll);

const QUEUE_CHANGED = `subscription($c: ID!) { moderationQueueChanged(communityId: $c) {
  status reportCount openWeight snapshot { title } decision { action } } }`;

interface Place {
  community: { id: string; slug: string };
  owner: TestUser;
  moderator: TestUser;
  reporter: TestUser;
  author: TestUser;
  postId: string;
}

async function must(server: TestServer, who: TestUser, query: string, variables: Record<string, unknown> = {}) {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

async function place(server: TestServer): Promise<Place> {
  const [owner, moderator, reporter, author] = await Promise.all(
    ['owner', 'mod', 'rep', 'author'].map((p) => signUp(server, p)),
  );
  const community = await createCommunity(server, owner);
  for (const u of [moderator, reporter, author]) await joinCommunity(server, u, community.id);
  await must(
    server,
    owner,
    'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
    { c: community.id, u: moderator.user.id },
  );
  await must(server, owner, 'mutation($i: ReputationRulesInput!) { updateReputationRules(input: $i) { id } }', {
    i: { communityId: community.id, levelThresholds: [0, 0, 1000] },
  });
  const post = await must(
    server,
    author,
    'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Pills", body: "Cheap" }) { id } }',
    { c: community.id },
  );
  return { community, owner, moderator, reporter, author, postId: post.createPost.id };
}

/**
 * Reports new comments of the author until `stream` receives one: it listens from then on. The
 * comments' items have no title in their snapshot, which tells them from the post's.
 */
async function untilListening(server: TestServer, p: Place, stream: { results: unknown[] }) {
  for (let i = 0; i < 100 && !stream.results.length; i++) {
    const c = await must(
      server,
      p.author,
      'mutation($p: ID!) { addComment(input: { postId: $p, body: "Ping" }) { id } }',
      {
        p: p.postId,
      },
    );
    await report(server, p.reporter, c.addComment.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!stream.results.length) throw new Error('the subscription never received an item');
}

const ofPost = (results: any[]) =>
  results.map((r) => r.data?.moderationQueueChanged).filter((item) => item?.snapshot.title === 'Pills');

const report = (server: TestServer, who: TestUser, subjectId: string) =>
  must(server, who, 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { id } }', { s: subjectId });

describe('moderationQueueChanged', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });

  it('gives moderators each item as it is reported and decided', async () => {
    const p = await place(server);
    const stream = record<any>(server.ws({ token: p.moderator.token }), {
      query: QUEUE_CHANGED,
      variables: { c: p.community.id },
    });
    await untilListening(server, p, stream);
    await report(server, p.reporter, p.postId);
    await stream.until(() => ofPost(stream.results).length === 1, 'the reported item');
    expect(ofPost(stream.results)[0]).toEqual({
      status: 'OPEN',
      reportCount: 1,
      openWeight: 2,
      snapshot: { title: 'Pills' },
      decision: null,
    });
    const queue = await must(
      server,
      p.moderator,
      'query($s: String!) { community(slug: $s) { moderationQueue(first: 100) { edges { node { id snapshot { title } } } } } }',
      { s: p.community.slug },
    );
    const item = queue.community.moderationQueue.edges.find((e: any) => e.node.snapshot.title === 'Pills');
    await must(server, p.moderator, 'mutation($i: ID!) { decide(input: { itemId: $i, action: DISMISS }) { id } }', {
      i: item.node.id,
    });
    await stream.until(() => ofPost(stream.results).length === 2, 'the decided item');
    expect(ofPost(stream.results)[1]).toMatchObject({
      status: 'DECIDED',
      decision: { action: 'DISMISS' },
    });
    stream.stop();
  });

  it('refuses members, and ends at once for a moderator who loses the role', async () => {
    const p = await place(server);
    const refused = record<any>(server.ws({ token: p.reporter.token }), {
      query: QUEUE_CHANGED,
      variables: { c: p.community.id },
    });
    await refused.settled();
    expect(refused.errorCodes()).toEqual(['FORBIDDEN']);

    const stream = record<any>(server.ws({ token: p.moderator.token }), {
      query: QUEUE_CHANGED,
      variables: { c: p.community.id },
    });
    await untilListening(server, p, stream);
    const received = stream.results.length;
    await must(
      server,
      p.owner,
      'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MEMBER }) { role } }',
      { c: p.community.id, u: p.moderator.user.id },
    );
    await stream.settled();
    expect(stream.completed).toBe(true);
    await report(server, p.reporter, p.postId);
    expect(stream.results).toHaveLength(received);
    // Over HTTP too.
    const queue = await server.gql(
      'query($s: String!) { community(slug: $s) { moderationQueue(first: 1) { edges { node { id } } } } }',
      { s: p.community.slug },
      { token: p.moderator.token },
    );
    expect(errorCode(queue)).toBe('FORBIDDEN');
  });
});

// Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (process.env.REDIS_URL) {
  describe('moderationQueueChanged over Redis', () => {
    it('reaches a moderator on one instance from a report through another', async () => {
      const [east, west] = await Promise.all([startTestServer(), startTestServer()]);
      const p = await place(west);
      const stream = record<any>(east.ws({ token: p.moderator.token }), {
        query: QUEUE_CHANGED,
        variables: { c: p.community.id },
      });
      await untilListening(west, p, stream);
      await report(west, p.reporter, p.postId);
      await stream.until(() => ofPost(stream.results).length === 1, 'the item reported through the other instance');
      expect(ofPost(stream.results)[0]).toMatchObject({ status: 'OPEN', reportCount: 1 });
      stream.stop();
    });
  });
}
