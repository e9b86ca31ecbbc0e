/**
 * Every timestamp reaches clients as an ISO 8601 string, whichever way the server read its row:
 * through the ORM (single objects), through raw SQL (listings, feeds, chat history) or through a
 * live subscription (which re-reads rows with raw SQL). Raw rows hold the driver's text form
 * (`2026-11-23 19:24:46.332+00`), which the DateTimeISO scalar refuses, so each path is checked.
 */
import { graphql } from '../../codegen/index';
import { AddCommentDocument, castOf, CreatePostDocument } from '../posts/operations';
import { createEvent, hoursFromNow } from '../events/operations';
import { record } from '../support/subscription';
import { closeAll, errorCode, startTestServer, type TestServer } from '../support/server';

const Listings = graphql(`
  query TimestampsListings($slug: String!, $postId: ID!) {
    community(slug: $slug) {
      createdAt
      posts(first: 5, orderBy: NEW) {
        edges {
          node {
            createdAt
            editedAt
            deletedAt
            author {
              createdAt
            }
          }
        }
      }
    }
    post(id: $postId) {
      createdAt
      comments(first: 5) {
        edges {
          node {
            createdAt
            editedAt
            author {
              createdAt
            }
          }
        }
      }
    }
    feed(first: 5, orderBy: NEW) {
      edges {
        node {
          createdAt
        }
      }
    }
  }
`);
const StartLive = graphql(`
  mutation TimestampsStartLive($id: ID!) {
    startLiveStream(eventId: $id) {
      liveStartedAt
    }
  }
`);
const Send = graphql(`
  mutation TimestampsSend($input: SendChatMessageInput!) {
    sendChatMessage(input: $input) {
      createdAt
    }
  }
`);
const Answer = graphql(`
  mutation TimestampsAnswer($id: ID!) {
    markQuestionAnswered(id: $id) {
      answeredAt
    }
  }
`);
const Chat = graphql(`
  query TimestampsChat($id: ID!) {
    event(id: $id) {
      chatMessages(last: 5) {
        edges {
          node {
            createdAt
            answeredAt
            author {
              createdAt
            }
          }
        }
        pageInfo {
          startCursor
        }
      }
      questions {
        edges {
          node {
            createdAt
            answeredAt
          }
        }
      }
    }
  }
`);
const COMMENTS =
  'subscription TimestampsComments($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { createdAt author { createdAt } } }';
const MESSAGES =
  'subscription TimestampsMessages($id: ID!, $after: String) { chatMessageAdded(eventId: $id, after: $after) { createdAt author { createdAt } } }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

const started = Date.now() - 60_000;

/** Every value under a `…At` key of `value`, with its path. */
function timestamps(value: unknown, path = ''): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => timestamps(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k.endsWith('At') ? [[`${path}.${k}`, v] as [string, unknown]] : timestamps(v, `${path}.${k}`),
  );
}

/** Asserts the response has no errors, holds `count` non-null timestamps, and each is a recent ISO 8601 instant. */
function expectIsoTimestamps(data: unknown, count: number): void {
  const found = timestamps(data).filter(([, v]) => v !== null);
  expect(found.length).toBe(count);
  for (const [path, v] of found) {
    expect([path, typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v)]).toEqual([path, true]);
    const at = Date.parse(v as string);
    expect([path, at >= started && at <= Date.now() + 60_000]).toEqual([path, true]);
  }
}

it('serializes timestamps of listings read with raw SQL', async () => {
  const cast = await castOf(server, 1);
  const post = await server.gql(
    CreatePostDocument,
    { input: { communityId: cast.community.id, title: 'When', body: 'now' } },
    { token: cast.owner.token },
  );
  const postId = post.body.data!.createPost.id;
  const comment = await server.gql(
    AddCommentDocument,
    { input: { postId, body: 'then' } },
    { token: cast.members[0].token },
  );
  expect(errorCode(comment)).toBeUndefined();

  const res = await server.gql(Listings, { slug: cast.community.slug, postId }, { token: cast.owner.token });
  expect(res.body.errors).toBeUndefined();
  // community, post listing (+ author), post, comment (+ author), feed.
  expectIsoTimestamps(res.body.data, 7);
});

it('serializes timestamps of chat history, questions and live subscriptions', async () => {
  const cast = await castOf(server, 1);
  const event = await createEvent(server, cast.owner, cast.community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(0),
  });
  expectIsoTimestamps((await server.gql(StartLive, { id: event.id }, { token: cast.owner.token })).body.data, 1);
  const sent = await server.gql(
    Send,
    { input: { eventId: event.id, body: 'why?', isQuestion: true } },
    { token: cast.members[0].token },
  );
  expectIsoTimestamps(sent.body.data, 1);
  const history = await server.gql(Chat, { id: event.id }, { token: cast.owner.token });
  expect(history.body.errors).toBeUndefined();
  // message (+ author), question.
  expectIsoTimestamps(history.body.data, 3);
  const questionId = (
    await server.gql(
      graphql(`
        query TimestampsQuestionId($id: ID!) {
          event(id: $id) {
            questions {
              edges {
                node {
                  id
                }
              }
            }
          }
        }
      `),
      { id: event.id },
      { token: cast.owner.token },
    )
  ).body.data!.event!.questions.edges[0].node.id;
  expectIsoTimestamps((await server.gql(Answer, { id: questionId }, { token: cast.owner.token })).body.data, 1);
  const answered = await server.gql(Chat, { id: event.id }, { token: cast.owner.token });
  // message (+ answered, author), question (+ answered).
  expectIsoTimestamps(answered.body.data, 5);

  // Live: from the history's start cursor, so messages said before it listened are replayed, then live.
  const after = history.body.data!.event!.chatMessages.pageInfo.startCursor;
  const live = record<any>(server.ws({ token: cast.owner.token }), {
    query: MESSAGES,
    variables: { id: event.id, after },
  });
  for (let i = 0; live.results.length === 0 && i < 20; i++) {
    await server.gql(Send, { input: { eventId: event.id, body: `probe ${i}` } }, { token: cast.members[0].token });
    await live.until(() => live.results.length > 0, 'a live message', 500).catch(() => undefined);
  }
  expect(live.results.length).toBeGreaterThan(0);
  expect(live.errorCodes()).toEqual([]);
  expectIsoTimestamps(
    live.results.map((r) => r.data),
    live.results.length * 2,
  );
});

it('serializes timestamps of commentAdded', async () => {
  const cast = await castOf(server, 1);
  const post = await server.gql(
    CreatePostDocument,
    { input: { communityId: cast.community.id, title: 'Live', body: 'thread' } },
    { token: cast.owner.token },
  );
  const postId = post.body.data!.createPost.id;
  const live = record<any>(server.ws({ token: cast.owner.token }), { query: COMMENTS, variables: { postId } });
  for (let i = 0; live.results.length === 0 && i < 20; i++) {
    await server.gql(AddCommentDocument, { input: { postId, body: `probe ${i}` } }, { token: cast.members[0].token });
    await live.until(() => live.results.length > 0, 'a live comment', 500).catch(() => undefined);
  }
  expect(live.results.length).toBeGreaterThan(0);
  expect(live.errorCodes()).toEqual([]);
  expectIsoTimestamps(live.results[0].data, 2);
});
