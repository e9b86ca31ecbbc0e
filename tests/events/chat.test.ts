/**
 * Live streams and their chat through the public API: opening and closing the chat, history then
 * live with no gap (`chatMessages(last)` + `chatMessageAdded(after)`), removals, slow mode, mutes,
 * bans, the live Q&A under concurrent upvotes, privacy. With REDIS_URL: a viewer on one instance
 * gets every message sent through another, in order.
 */
import { createClient as createRedisClient } from 'redis';
import { graphql } from '../../codegen/index';
import { chatTopics } from '../../src/modules/events/chat.events';
import { communityTopics } from '../../src/modules/communities/communities.events';
import { castOf, dbId, dbQuery, type Cast } from '../posts/operations';
import { startPrivateRedis } from '../support/redis-server';
import { record } from '../support/subscription';
import {
  closeAll,
  errorCode,
  onCleanup,
  startTestServer,
  signUp,
  type TestServer,
  type TestUser,
} from '../support/server';
import { createEvent, hoursFromNow } from './operations';

const StartLive = graphql(`
  mutation ChatStartLive($id: ID!) {
    startLiveStream(eventId: $id) {
      id
      live
      liveStartedAt
    }
  }
`);
const EndLive = graphql(`
  mutation ChatEndLive($id: ID!) {
    endLiveStream(eventId: $id) {
      id
      live
      liveEndedAt
    }
  }
`);
const SlowMode = graphql(`
  mutation ChatSlowMode($id: ID!, $seconds: Int!) {
    setSlowMode(eventId: $id, seconds: $seconds) {
      slowModeSeconds
    }
  }
`);
const Send = graphql(`
  mutation ChatSend($input: SendChatMessageInput!) {
    sendChatMessage(input: $input) {
      id
      body
      isQuestion
      cursor
      author {
        handle
      }
    }
  }
`);
const Remove = graphql(`
  mutation ChatRemove($id: ID!) {
    deleteChatMessage(id: $id)
  }
`);
const Mute = graphql(`
  mutation ChatMute($input: MuteChatMemberInput!) {
    muteChatMember(input: $input)
  }
`);
const Unmute = graphql(`
  mutation ChatUnmute($eventId: ID!, $userId: ID!) {
    unmuteChatMember(eventId: $eventId, userId: $userId)
  }
`);
const Upvote = graphql(`
  mutation ChatUpvote($id: ID!) {
    upvoteQuestion(id: $id) {
      id
      upvotes
    }
  }
`);
const Answer = graphql(`
  mutation ChatAnswer($id: ID!) {
    markQuestionAnswered(id: $id) {
      id
      answeredAt
    }
  }
`);
const Ban = graphql(`
  mutation ChatBan($input: BanMemberInput!) {
    banMember(input: $input) {
      reason
    }
  }
`);
const History = graphql(`
  query ChatHistory($id: ID!, $last: Int, $before: String) {
    event(id: $id) {
      chatMessages(last: $last, before: $before) {
        edges {
          cursor
          node {
            body
          }
        }
        pageInfo {
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);
const Questions = graphql(`
  query ChatQuestions($id: ID!, $answered: Boolean) {
    event(id: $id) {
      questions(answered: $answered) {
        edges {
          node {
            body
            upvotes
            answeredAt
          }
        }
      }
    }
  }
`);
const MESSAGES =
  'subscription ChatFollow($id: ID!, $after: String) { chatMessageAdded(eventId: $id, after: $after) { body author { handle } } }';
const REMOVALS = 'subscription ChatRemovals($id: ID!) { chatMessageRemoved(eventId: $id) }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A live stream of a community (started unless told), run by its owner. */
async function stream(visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC', start = true): Promise<Cast & { eventId: string }> {
  const cast = await castOf(server, 3, visibility);
  const event = await createEvent(server, cast.owner, cast.community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(0),
  });
  if (start)
    expect(errorCode(await server.gql(StartLive, { id: event.id }, { token: cast.owner.token }))).toBeUndefined();
  return { ...cast, eventId: event.id };
}

function say(who: TestUser, eventId: string, body: string, isQuestion = false, on = server) {
  return on.gql(Send, { input: { eventId, body, isQuestion } }, { token: who.token });
}

async function said(who: TestUser, eventId: string, body: string, isQuestion = false, on = server) {
  const res = await say(who, eventId, body, isQuestion, on);
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.sendChatMessage;
}

/** The history's end cursor: where a live subscription starts without a gap. */
async function endCursor(who: TestUser, eventId: string, on = server): Promise<string> {
  const res = await on.gql(History, { id: eventId, last: 1 }, { token: who.token });
  return res.body.data!.event!.chatMessages.pageInfo.endCursor!;
}

describe('opening and closing the chat', () => {
  it('opens the chat only while the organizer has the stream live', async () => {
    const {
      owner,
      members: [member],
      eventId,
      community,
    } = await stream('PUBLIC', false);
    expect(errorCode(await say(member, eventId, 'too early'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.gql(StartLive, { id: eventId }, { token: member.token }))).toBe('FORBIDDEN');
    expect((await server.gql(StartLive, { id: eventId }, { token: owner.token })).body.data!.startLiveStream.live).toBe(
      true,
    );
    await said(member, eventId, 'hello');
    expect((await server.gql(EndLive, { id: eventId }, { token: owner.token })).body.data!.endLiveStream.live).toBe(
      false,
    );
    expect(errorCode(await say(member, eventId, 'too late'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await server.gql(StartLive, { id: eventId }, { token: owner.token }))).toBe('BAD_USER_INPUT');

    const meetup = await createEvent(server, owner, community.id, { kind: 'MEETUP' });
    expect(errorCode(await server.gql(StartLive, { id: meetup.id }, { token: owner.token }))).toBe('BAD_USER_INPUT');
  });
});

describe('history and live messages', () => {
  it('continues live exactly where the history stops: no gap, no duplicate', async () => {
    const {
      members: [a, b],
      eventId,
    } = await stream();
    for (const body of ['one', 'two', 'three']) await said(a, eventId, body);
    const history = (await server.gql(History, { id: eventId, last: 2 }, { token: b.token })).body.data!.event!
      .chatMessages;
    expect(history.edges.map((e: any) => e.node.body)).toEqual(['two', 'three']);
    expect(history.pageInfo.hasPreviousPage).toBe(true);
    const older = await server.gql(
      History,
      { id: eventId, last: 2, before: history.pageInfo.startCursor },
      { token: b.token },
    );
    expect(older.body.data!.event!.chatMessages.edges.map((e: any) => e.node.body)).toEqual(['one']);

    // Said between loading the history and subscribing: replayed, then live ones follow.
    await said(a, eventId, 'four');
    const live = record<any>(server.ws({ token: b.token }), {
      query: MESSAGES,
      variables: { id: eventId, after: history.pageInfo.endCursor },
    });
    await live.until(() => live.results.length === 1, 'the replayed message');
    await said(b, eventId, 'five');
    await said(a, eventId, 'six');
    await live.until(() => live.results.length === 3, 'three messages');
    expect(live.results.map((r) => r.data.chatMessageAdded.body)).toEqual(['four', 'five', 'six']);
    // Each with its own author, replayed and live.
    expect(live.results.map((r) => r.data.chatMessageAdded.author.handle)).toEqual([
      a.user.handle,
      b.user.handle,
      a.user.handle,
    ]);
  });

  it('tells everyone watching when a message is removed, and leaves it out of the history', async () => {
    const {
      owner,
      members: [a, b],
      eventId,
    } = await stream();
    const before = await said(a, eventId, 'first');
    const message = await said(a, eventId, 'oops');
    await said(a, eventId, 'fine');
    const removals = record<any>(server.ws({ token: b.token }), { query: REMOVALS, variables: { id: eventId } });
    expect(errorCode(await server.gql(Remove, { id: message.id }, { token: b.token }))).toBe('FORBIDDEN');
    expect((await server.gql(Remove, { id: message.id }, { token: owner.token })).body.data!.deleteChatMessage).toBe(
      true,
    );
    // The subscription starts asynchronously: authors remove probes of their own until the watcher hears one.
    for (let i = 0; ; i++) {
      const probe = await said(a, eventId, `probe ${i}`);
      await server.gql(Remove, { id: probe.id }, { token: a.token });
      const heard = await removals
        .until(() => removals.results.some((r) => r.data.chatMessageRemoved === probe.id), 'a removal', 300)
        .then(
          () => true,
          () => false,
        );
      if (heard) break;
      if (i === 20) throw new Error('the watcher never heard of a removal');
    }
    const history = await server.gql(History, { id: eventId, last: 10 }, { token: b.token });
    expect(history.body.data!.event!.chatMessages.edges.map((e: any) => e.node.body)).toEqual(['first', 'fine']);
    // A replay from before it leaves it out too.
    const replay = record<any>(server.ws({ token: b.token }), {
      query: MESSAGES,
      variables: { id: eventId, after: before.cursor },
    });
    await replay.until(() => replay.results.length >= 1, 'the replayed message');
    await said(a, eventId, 'after');
    await replay.until(() => replay.results.some((r) => r.data.chatMessageAdded.body === 'after'), 'the live message');
    expect(replay.results.map((r) => r.data.chatMessageAdded.body)).toEqual(['fine', 'after']);
  });
});

describe('moderation', () => {
  it('holds members to slow mode with RATE_LIMITED and retryAfter, but not moderators', async () => {
    const {
      owner,
      moderator,
      members: [a],
      eventId,
    } = await stream();
    expect(
      (await server.gql(SlowMode, { id: eventId, seconds: 30 }, { token: owner.token })).body.data!.setSlowMode
        .slowModeSeconds,
    ).toBe(30);
    await said(a, eventId, 'first');
    const second = await say(a, eventId, 'second');
    expect(errorCode(second)).toBe('RATE_LIMITED');
    expect(second.body.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    await said(moderator, eventId, 'mod one');
    await said(moderator, eventId, 'mod two');
    expect(errorCode(await server.gql(SlowMode, { id: eventId, seconds: 30 }, { token: a.token }))).toBe('FORBIDDEN');
  });

  it('rejects muted and banned members', async () => {
    const {
      owner,
      moderator,
      members: [a, b],
      eventId,
      community,
    } = await stream();
    expect(
      (await server.gql(Mute, { input: { eventId, userId: a.user.id, minutes: 10 } }, { token: moderator.token })).body
        .data!.muteChatMember,
    ).toBe(true);
    const muted = await say(a, eventId, 'hi');
    expect(errorCode(muted)).toBe('FORBIDDEN');
    expect(muted.body.errors![0].message).toMatch(/muted/);
    expect(
      errorCode(await server.gql(Mute, { input: { eventId, userId: owner.user.id } }, { token: moderator.token })),
    ).toBe('FORBIDDEN');
    expect(
      (await server.gql(Unmute, { eventId, userId: a.user.id }, { token: moderator.token })).body.data!
        .unmuteChatMember,
    ).toBe(true);
    await said(a, eventId, 'back');

    await server.gql(
      Ban,
      { input: { communityId: community.id, userId: b.user.id, reason: 'spam' } },
      { token: owner.token },
    );
    expect(errorCode(await say(b, eventId, 'let me in'))).toBe('FORBIDDEN');
    expect(
      await dbQuery(server, 'select count(*)::int as n from chat_messages where event_id = ? and author_id = ?', [
        dbId(eventId),
        dbId(b.user.id),
      ]),
    ).toEqual([{ n: 0 }]);
  });
});

describe('live Q&A', () => {
  it('keeps upvote counts exact under concurrent upvotes, and lists questions by upvotes', async () => {
    const {
      owner,
      members: [asker, other],
      eventId,
      community,
    } = await stream();
    const crowd = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp(server, `qa${i}`)));
    for (const u of crowd)
      await server.gql(
        'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
        { id: community.id },
        { token: u.token },
      );
    const popular = await said(asker, eventId, 'Will there be a recording?', true);
    const quiet = await said(other, eventId, 'Which camera is that?', true);
    await said(other, eventId, 'not a question');

    const upvotes = await Promise.all(
      [...crowd, ...crowd].map((u) => server.gql(Upvote, { id: popular.id }, { token: u.token })),
    );
    expect(upvotes.map(errorCode)).toEqual(upvotes.map(() => undefined));
    await server.gql(Upvote, { id: quiet.id }, { token: asker.token });
    expect(errorCode(await server.gql(Upvote, { id: popular.id }, { token: asker.token }))).toBe('FORBIDDEN');
    const [recount] = await dbQuery(server, 'select count(*)::int as n from question_upvotes where message_id = ?', [
      dbId(popular.id),
    ]);
    const [stored] = await dbQuery(server, 'select upvotes from chat_messages where id = ?', [dbId(popular.id)]);
    expect([recount.n, stored.upvotes]).toEqual([10, 10]);

    const open = await server.gql(Questions, { id: eventId }, { token: other.token });
    expect(open.body.data!.event!.questions.edges.map((e: any) => [e.node.body, e.node.upvotes])).toEqual([
      ['Will there be a recording?', 10],
      ['Which camera is that?', 1],
    ]);
    expect(errorCode(await server.gql(Answer, { id: popular.id }, { token: other.token }))).toBe('FORBIDDEN');
    expect(
      (await server.gql(Answer, { id: popular.id }, { token: owner.token })).body.data!.markQuestionAnswered.answeredAt,
    ).not.toBeNull();
    const unanswered = await server.gql(Questions, { id: eventId, answered: false }, { token: other.token });
    expect(unanswered.body.data!.event!.questions.edges.map((e: any) => e.node.body)).toEqual([
      'Which camera is that?',
    ]);
  });
});

describe('privacy', () => {
  it("keeps a private community's chat from non-members, and ends a leaver's subscription", async () => {
    const {
      members: [a, leaver],
      eventId,
      community,
    } = await stream('PRIVATE');
    const outsider = await signUp(server, 'outsider');
    await said(a, eventId, 'members only');
    const cursor = await endCursor(a, eventId);
    const refused = record<any>(server.ws({ token: outsider.token }), {
      query: MESSAGES,
      variables: { id: eventId, after: cursor },
    });
    await refused.settled();
    expect(refused.errorCodes()).toEqual(['NOT_FOUND']);
    expect(errorCode(await say(outsider, eventId, 'hi'))).toBe('NOT_FOUND');

    const follow = record<any>(server.ws({ token: leaver.token }), {
      query: MESSAGES,
      variables: { id: eventId, after: cursor },
    });
    await said(a, eventId, 'still here');
    await follow.until(() => follow.results.length === 1, 'a message');
    await server.gql(
      'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
      { id: community.id },
      { token: leaver.token },
    );
    await follow.settled();
    await said(a, eventId, 'after the leaver left');
    expect(follow.results.map((r) => r.data.chatMessageAdded.body)).toEqual(['still here']);
  });
});

const redisUrl = process.env.REDIS_URL;
// Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (redisUrl) {
  describe('across instances (REDIS_URL)', () => {
    it('delivers every message sent through one instance to a viewer on another, in order', async () => {
      const other = await startTestServer();
      const {
        members: [a, b],
        eventId,
      } = await stream();
      const cursor = await endCursor(b, eventId, other);
      const live = record<any>(other.ws({ token: b.token }), {
        query: MESSAGES,
        variables: { id: eventId, after: cursor },
      });
      const bodies = Array.from({ length: 15 }, (_, i) => `m${i}`);
      for (const body of bodies) await said(a, eventId, body);
      await live.until(() => live.results.length === bodies.length, 'every message', 10_000);
      expect(live.results.map((r) => r.data.chatMessageAdded.body)).toEqual(bodies);
    });

    it('runs one execution for every viewer of a public stream without a cursor', async () => {
      const admin = createRedisClient({ url: redisUrl });
      admin.on('error', () => {});
      await admin.connect();
      onCleanup(() => admin.destroy());
      const subscribers = async (topic: string) => (await admin.pubSubNumSub(topic))[topic] ?? 0;
      const {
        members: [a, b, c],
        eventId,
      } = await stream();
      // Live only (no `after`): each viewer probes until its subscription hears a message.
      const viewers = [undefined, b, c].map((v) =>
        record<any>(server.ws(v ? { token: v.token } : {}), { query: MESSAGES, variables: { id: eventId } }),
      );
      for (let i = 0; !viewers.every((v) => v.results.length > 0); i++) {
        if (i === 50) throw new Error('the viewers never heard a message');
        await said(a, eventId, `probe ${i}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // One shared execution, run anonymously: one chat topic subscription, none on the members' own topics.
      expect(await subscribers(chatTopics.messageAdded(dbId(eventId)))).toBe(1);
      for (const v of [b, c]) expect(await subscribers(communityTopics.membershipChanged(dbId(v.user.id)))).toBe(0);
      await said(a, eventId, 'to everyone');
      for (const v of viewers)
        await v.until(() => v.results.some((r) => r.data.chatMessageAdded.body === 'to everyone'), 'the message');
    });

    it('tells a viewer of the messages removed while Redis was down, once it is back', async () => {
      const redis = await startPrivateRedis();
      const on = await startTestServer({ REDIS_URL: redis.url });
      const cast = await castOf(on, 1);
      const event = await createEvent(on, cast.owner, cast.community.id, {
        kind: 'LIVE_STREAM',
        startsAt: hoursFromNow(0),
      });
      expect(errorCode(await on.gql(StartLive, { id: event.id }, { token: cast.owner.token }))).toBeUndefined();
      const [member] = cast.members;
      const removals = record<any>(on.ws({ token: member.token }), { query: REMOVALS, variables: { id: event.id } });
      const removed = () => removals.results.map((r) => r.data.chatMessageRemoved);
      // Subscriptions are not acknowledged: the owner removes probes until the viewer hears one.
      for (let i = 0; ; i++) {
        const probe = await said(cast.owner, event.id, `probe ${i}`, false, on);
        await on.gql(Remove, { id: probe.id }, { token: cast.owner.token });
        if (
          await removals
            .until(() => removed().includes(probe.id), 'a removal', 300)
            .then(
              () => true,
              () => false,
            )
        )
          break;
        if (i === 20) throw new Error('the viewer never heard of a removal');
      }
      const doomed = await said(member, event.id, 'taken down while Redis is away', false, on);

      await redis.kill();
      // The removal commits; its announcement is lost (publish times out).
      expect((await on.gql(Remove, { id: doomed.id }, { token: cast.owner.token })).body.data!.deleteChatMessage).toBe(
        true,
      );
      await redis.start();
      await removals.until(() => removed().includes(doomed.id), 'the removal made while Redis was down', 15_000);
      expect(removed().filter((id: string) => id === doomed.id)).toHaveLength(1);
      expect(removals.errorCodes()).toEqual([]);
    }, 60_000);
  });
}
