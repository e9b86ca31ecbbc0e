/**
 * Fields that answer null for what is missing or hidden (`post(id)`, `event(id)`, `poll(id)`,
 * `node(id)`) must not answer null when the database is down: a client would take a live post for
 * a deleted one. They answer INTERNAL_SERVER_ERROR, as every other field does.
 */
import { closeAll, createCommunity, signUp, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
const ids: Record<'post' | 'event' | 'poll', string> = { post: '', event: '', poll: '' };

beforeAll(async () => {
  server = await startTestServer();
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
});
