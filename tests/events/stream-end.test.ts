/**
 * A live stream's chat closes when the stream ends and when it is cancelled while live (issue 12,
 * point 13): no more messages, `live` false, and every `chatMessageAdded` subscription completes
 * after the messages said before the end, whether it shares its execution (no cursor, PUBLIC) or
 * runs on its own (with a cursor).
 */
import { castOf } from '../posts/operations';
import { record } from '../support/subscription';
import { closeAll, errorCode, startTestServer, type TestServer, type TestUser } from '../support/server';
import { createEvent, hoursFromNow } from './operations';

const Start = 'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }';
const End = 'mutation($id: ID!) { endLiveStream(eventId: $id) { live } }';
const Cancel = 'mutation($id: ID!) { cancelEvent(id: $id) { cancelledAt live } }';
const Send = 'mutation($id: ID!, $body: String!) { sendChatMessage(input: { eventId: $id, body: $body }) { id } }';
const Live = 'query($id: ID!) { event(id: $id) { live cancelledAt liveEndedAt } }';
const Cursor = 'query($id: ID!) { event(id: $id) { chatMessages(last: 1) { pageInfo { endCursor } } } }';
const MESSAGES =
  'subscription StreamEndFollow($id: ID!, $after: String) { chatMessageAdded(eventId: $id, after: $after) { body } }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A live stream of a PUBLIC community, started by its owner, with two members to talk and watch. */
async function liveStream() {
  const cast = await castOf(server, 2);
  const event = await createEvent(server, cast.owner, cast.community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(0),
  });
  expect(errorCode(await server.gql(Start, { id: event.id }, { token: cast.owner.token }))).toBeUndefined();
  return { ...cast, eventId: event.id as string };
}

async function say(who: TestUser, eventId: string, body: string) {
  return server.gql(Send, { id: eventId, body }, { token: who.token });
}

/** Two watchers: one without a cursor (a shared execution) and one with the history's end cursor (its own). */
async function watchers(eventId: string, viewer: TestUser) {
  const cursor = (await server.gql(Cursor, { id: eventId }, { token: viewer.token })).body.data.event.chatMessages
    .pageInfo.endCursor;
  return [
    record<any>(server.ws({ token: viewer.token }), { query: MESSAGES, variables: { id: eventId } }),
    record<any>(server.ws({ token: viewer.token }), { query: MESSAGES, variables: { id: eventId, after: cursor } }),
  ];
}

/** Says probes until every watcher has heard one: their subscriptions are then listening. */
async function untilListening(talker: TestUser, eventId: string, watching: ReturnType<typeof record<any>>[]) {
  for (let i = 0; ; i++) {
    expect(errorCode(await say(talker, eventId, `probe ${i}`))).toBeUndefined();
    const heard = await Promise.all(
      watching.map((w) =>
        w
          .until(() => w.results.length > 0, 'a probe', 300)
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    if (heard.every(Boolean)) return;
    if (i === 20) throw new Error('the watchers never heard a probe');
  }
}

const bodies = (w: ReturnType<typeof record<any>>) => w.results.map((r) => r.data.chatMessageAdded.body);

describe('the end of a live stream', () => {
  it('closes the chat of a stream cancelled while live: live false, no more messages, and every watcher completes', async () => {
    const {
      owner,
      members: [talker, viewer],
      eventId,
    } = await liveStream();
    const watching = await watchers(eventId, viewer);
    await untilListening(talker, eventId, watching);
    expect(errorCode(await say(talker, eventId, 'last words'))).toBeUndefined();

    const cancelled = await server.gql(Cancel, { id: eventId }, { token: owner.token });
    expect(cancelled.body.data.cancelEvent).toMatchObject({ live: false });
    const read = (await server.gql(Live, { id: eventId }, { token: viewer.token })).body.data.event;
    expect(read).toMatchObject({ live: false });
    expect(read.liveEndedAt).toBe(read.cancelledAt);

    const refused = await say(talker, eventId, 'after the cancel');
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    for (const w of watching) {
      await w.settled();
      expect(w.completed).toBe(true);
      expect(bodies(w)).toContain('last words');
      expect(bodies(w)).not.toContain('after the cancel');
    }
  });

  it('completes every watcher once the organizer ends the stream, after the messages said before the end', async () => {
    const {
      owner,
      members: [talker, viewer],
      eventId,
    } = await liveStream();
    const watching = await watchers(eventId, viewer);
    await untilListening(talker, eventId, watching);
    expect(errorCode(await say(talker, eventId, 'goodbye'))).toBeUndefined();
    expect((await server.gql(End, { id: eventId }, { token: owner.token })).body.data.endLiveStream.live).toBe(false);
    for (const w of watching) {
      await w.settled();
      expect(w.completed).toBe(true);
      expect(bodies(w)[bodies(w).length - 1]).toBe('goodbye');
    }
  });

  it('replays the history to a watcher who arrives after the end, then completes', async () => {
    const {
      owner,
      members: [talker, viewer],
      eventId,
    } = await liveStream();
    const cursor = (await server.gql(Cursor, { id: eventId }, { token: viewer.token })).body.data.event.chatMessages
      .pageInfo.endCursor;
    for (const body of ['one', 'two']) expect(errorCode(await say(talker, eventId, body))).toBeUndefined();
    await server.gql(End, { id: eventId }, { token: owner.token });
    const late = record<any>(server.ws({ token: viewer.token }), {
      query: MESSAGES,
      variables: { id: eventId, after: cursor },
    });
    await late.settled();
    expect(late.completed).toBe(true);
    expect(bodies(late)).toEqual(['one', 'two']);
  });
});
