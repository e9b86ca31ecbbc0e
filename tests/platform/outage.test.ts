/**
 * Fields that answer null for what is missing or hidden (`post(id)`, `event(id)`, `poll(id)`,
 * `node(id)`) must not answer null when the database is down: a client would take a live post for
 * a deleted one. They answer INTERNAL_SERVER_ERROR, as every other field does.
 */
import { communityTopics } from '../../src/modules/communities/communities.events';
import { dbId } from '../posts/operations';
import { closeAll, createCommunity, signUp, startTestServer, type TestServer } from '../support/server';
import { record, type Recording } from '../support/subscription';

let server: TestServer;
const ids: Record<'post' | 'event' | 'poll', string> = { post: '', event: '', poll: '' };
/** A member's live comments of a post in a PRIVATE community: a stream of its own, which re-checks access. */
let live: Recording<{ commentAdded: { id: string } }>;
let memberId = 0;

beforeAll(async () => {
  // No job worker: the tests close the database under the server, and a job another file left (or a
  // cron run) picked up then would hold the shutdown until it fails (it did once, past the hook's 30 s).
  server = await startTestServer({ JOB_CONCURRENCY: '0' });
  const owner = await signUp(server, 'outage');
  const community = await createCommunity(server, owner);
  const made = await server.gql(
    `mutation($post: CreatePostInput!, $event: CreateEventInput!, $poll: CreatePollInput!) {
      createPost(input: $post) { id }
      createEvent(input: $event) { id }
      createPoll(input: $poll) { id }
    }`,
    {
      post: { communityId: community.id, title: 'Still here', body: 'A post that exists.' },
      event: {
        communityId: community.id,
        title: 'Meetup',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      },
      poll: { communityId: community.id, question: 'Tea or coffee?', options: ['Tea', 'Coffee'] },
    },
    { token: owner.token },
  );
  expect(made.body.errors).toBeUndefined();
  ids.post = made.body.data.createPost.id;
  ids.event = made.body.data.createEvent.id;
  ids.poll = made.body.data.createPoll.id;

  const member = await signUp(server, 'live');
  memberId = dbId(member.user.id);
  const hidden = await createCommunity(server, member, 'PRIVATE');
  const post = await server.gql(
    'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
    { input: { communityId: hidden.id, title: 'Live', body: 'Watched.' } },
    { token: member.token },
  );
  const postId = post.body.data.createPost.id;
  live = record(server.ws({ token: member.token }), {
    query: 'subscription($id: ID!) { commentAdded(postId: $id) { id } }',
    variables: { id: postId },
  });
  // A comment until one arrives: the subscription is running (it may still be starting when the first is sent).
  for (let i = 0; i < 50 && live.results.length === 0; i++) {
    await server.gql(
      'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
      { input: { postId, body: 'Hello' } },
      { token: member.token },
    );
    await live.until(() => live.results.length > 0, 'a comment', 200).catch(() => undefined);
  }
});
afterAll(closeAll);

describe('a database outage', () => {
  it('reads as found while the database is up', async () => {
    const res = await server.gql(
      'query($p: ID!, $e: ID!, $q: ID!) { post(id: $p) { id } event(id: $e) { id } poll(id: $q) { id } node(id: $p) { id } }',
      {
        p: ids.post,
        e: ids.event,
        q: ids.poll,
      },
    );
    expect(res.body).toEqual({
      data: { post: { id: ids.post }, event: { id: ids.event }, poll: { id: ids.poll }, node: { id: ids.post } },
    });
  });

  it('answers post, event, poll and node with INTERNAL_SERVER_ERROR, not null, once the database is gone', async () => {
    await server.app.db.orm.close(true);
    for (const [field, id] of [
      ['post', ids.post],
      ['event', ids.event],
      ['poll', ids.poll],
      ['node', ids.post],
      ['node', ids.poll],
    ] as const) {
      const res = await server.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id });
      expect([field, res.body.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)]).toEqual([
        field,
        ['INTERNAL_SERVER_ERROR'],
      ]);
      expect([field, res.body.data?.[field] ?? null]).toEqual([field, null]);
    }
  });

  it('ends a live subscription with an error, not a quiet completion that reads as lost access, when its access re-check fails', async () => {
    expect(live.results.length).toBeGreaterThan(0);
    expect(live.completed || live.failure !== undefined).toBe(false);
    // (The database was closed by the test above.) A membership change makes the stream re-check access.
    await server.app.pubsub.publish(communityTopics.membershipChanged(memberId), {});
    await live.settled(10_000);
    expect(live.completed).toBe(false);
    expect(live.failure).toBeDefined();
  });
});
