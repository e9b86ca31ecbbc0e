import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { record } from '../support/subscription';
import { afterProbes, follow as followComments, untilStreaming, type Follow, type StreamedComment } from './follow';
import { createClient as createRedisClient } from 'redis';
import { graphql } from '../../codegen/index';
import { communityTopics } from '../../src/modules/communities/communities.events';
import { postTopics } from '../../src/modules/posts/posts.events';
import { fromGlobalId } from '../../src/platform/ids';
import { startPrivateRedis } from '../support/redis-server';
import { BLOCKED_TEXT } from '../../src/modules/posts/hidden-content';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * `commentAdded(postId, after)` over graphql-ws: live comments in order with their authors, only for
 * readers of the post (ending when a member leaves or is banned), replay from a cursor with no gap or
 * duplicate while comments keep coming, deleted comments left out. With REDIS_URL: two instances,
 * freeing the Redis subscriptions on unsubscribe, and a Redis restart in the middle of a thread.
 */

const CommentAddedDocument = graphql(`
  subscription CommentAddedStream($postId: ID!, $after: String) {
    commentAdded(postId: $postId, after: $after) {
      id
      body
      cursor
      author {
        handle
      }
    }
  }
`);

const CreatePostDocument = graphql(`
  mutation CommentAddedCreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      id
    }
  }
`);

const AddCommentDocument = graphql(`
  mutation CommentAddedAddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
      body
      cursor
      author {
        handle
      }
    }
  }
`);

const DeleteCommentDocument = graphql(`
  mutation CommentAddedDeleteComment($id: ID!) {
    deleteComment(id: $id) {
      id
      deletedAt
    }
  }
`);

const InviteDocument = graphql(`
  mutation CommentAddedInvite($input: MemberRefInput!) {
    inviteMember(input: $input) {
      id
    }
  }
`);

const LeaveDocument = graphql(`
  mutation CommentAddedLeave($id: ID!) {
    leaveCommunity(communityId: $id)
  }
`);

const BanDocument = graphql(`
  mutation CommentAddedBan($input: BanMemberInput!) {
    banMember(input: $input) {
      reason
    }
  }
`);

const SUBSCRIPTION = print(CommentAddedDocument);

const follow = (client: Client, variables: { postId: string; after?: string }): Follow =>
  followComments(client, SUBSCRIPTION, variables);

/** Adds a comment over HTTP and returns it as the mutation saw it. */
async function addComment(on: TestServer, as: TestUser, postId: string, body: string): Promise<StreamedComment> {
  const res = await on.gql(AddCommentDocument, { input: { postId, body } }, { token: as.token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.addComment;
}

/** A community (PUBLIC unless told) owned by a fresh user, with one post by them. */
async function thread(on: TestServer, visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC') {
  const owner = await signUp(on, 'owner');
  const community = await createCommunity(on, owner, visibility);
  const res = await on.gql(
    CreatePostDocument,
    { input: { communityId: community.id, title: 'Live thread', body: 'Talk here' } },
    { token: owner.token },
  );
  expect(res.body.errors).toBeUndefined();
  return { owner, community, postId: res.body.data.createPost.id as string };
}

/** A fresh user who joins the thread's community (with the owner's invite when it is PRIVATE). */
async function member(on: TestServer, place: Awaited<ReturnType<typeof thread>>, prefix: string): Promise<TestUser> {
  const user = await signUp(on, prefix);
  const invite = await on.gql(
    InviteDocument,
    { input: { communityId: place.community.id, userId: user.user.id } },
    { token: place.owner.token },
  );
  expect(invite.body.errors).toBeUndefined();
  expect((await joinCommunity(on, user, place.community.id)).outcome).toBe('JOINED');
  return user;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

describe('commentAdded', () => {
  it('delivers the comments added over HTTP to a subscriber, in order, with their authors', async () => {
    const place = await thread(server);
    const bob = await member(server, place, 'bob');
    const reader = await signUp(server, 'reader');
    const f = follow(server.ws({ token: reader.token }), { postId: place.postId });
    await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));

    const added = [
      await addComment(server, bob, place.postId, 'First, from Bob'),
      await addComment(server, place.owner, place.postId, 'Then the owner'),
      await addComment(server, bob, place.postId, 'Bob again'),
    ];
    await f.received('Bob again');
    expect(afterProbes(f)).toEqual(['First, from Bob', 'Then the owner', 'Bob again']);
    expect(f.comments().slice(-3)).toEqual(added);
    expect(
      f
        .comments()
        .slice(-3)
        .map((c) => c.author?.handle),
    ).toEqual([bob.user.handle, place.owner.user.handle, bob.user.handle]);
    expect(f.errorCodes()).toEqual([]);
    expect(f.completed).toBe(false);
  });

  it("masks a blocked member's comments for the subscriber who blocked them, while another subscriber reads them", async () => {
    // Both subscribe to one PUBLIC post with the same document: subscribers who blocked nobody share an
    // execution; one who blocked someone runs their own, which masks as every listing does.
    const place = await thread(server);
    const bob = await member(server, place, 'bob');
    const blocker = await signUp(server, 'blocker');
    const other = await signUp(server, 'other');
    const block = await server.gql(
      'mutation($u: ID!) { blockUser(userId: $u) }',
      { u: bob.user.id },
      { token: blocker.token },
    );
    expect(block.body.errors).toBeUndefined();
    const mine = follow(server.ws({ token: blocker.token }), { postId: place.postId });
    const theirs = follow(server.ws({ token: other.token }), { postId: place.postId });
    await untilStreaming(mine, (body) => addComment(server, place.owner, place.postId, body));
    await untilStreaming(theirs, (body) => addComment(server, place.owner, place.postId, body));

    await addComment(server, bob, place.postId, 'Bob speaks');
    await addComment(server, place.owner, place.postId, 'The owner answers');
    await theirs.received('The owner answers');
    await mine.received('The owner answers');
    const real = (f: Follow) => f.bodies().filter((b) => !b.startsWith('probe '));
    expect(real(theirs)).toEqual(['Bob speaks', 'The owner answers']);
    expect(real(mine)).toEqual([BLOCKED_TEXT, 'The owner answers']);
    expect([mine.errorCodes(), theirs.errorCodes()]).toEqual([[], []]);
  });

  describe('on a PRIVATE community', () => {
    it('refuses a non-member and an anonymous client with NOT_FOUND, with or without a cursor', async () => {
      const place = await thread(server, 'PRIVATE');
      const secret = await addComment(server, place.owner, place.postId, 'members only');
      const outsider = await signUp(server, 'outsider');

      const attempts = [
        follow(server.ws({ token: outsider.token }), { postId: place.postId }),
        follow(server.ws({ token: outsider.token }), { postId: place.postId, after: secret.cursor }),
        follow(server.ws(), { postId: place.postId }),
      ];
      for (const f of attempts) {
        await f.settled();
        expect(f.errorCodes()).toEqual(['NOT_FOUND']);
        expect(f.comments()).toEqual([]);
      }
    });

    it('streams to a member', async () => {
      const place = await thread(server, 'PRIVATE');
      const ada = await member(server, place, 'ada');
      const f = follow(server.ws({ token: ada.token }), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));
      await addComment(server, place.owner, place.postId, 'welcome, Ada');
      await f.received('welcome, Ada');
      expect(afterProbes(f)).toEqual(['welcome, Ada']);
    });

    it('completes the subscription of a member who leaves, though no comment follows', async () => {
      const place = await thread(server, 'PRIVATE');
      const leaver = await member(server, place, 'leaver');
      const f = follow(server.ws({ token: leaver.token }), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));

      const left = await server.gql(LeaveDocument, { id: place.community.id }, { token: leaver.token });
      expect(left.body.data).toEqual({ leaveCommunity: true });
      await f.until(() => f.completed, 'the subscription to complete');
      expect(f.failure).toBeUndefined();
      expect(afterProbes(f)).toEqual([]);
    });

    it('completes the subscription of a member the owner bans, though no comment follows', async () => {
      const place = await thread(server, 'PRIVATE');
      const troll = await member(server, place, 'troll');
      const f = follow(server.ws({ token: troll.token }), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(server, place.owner, place.postId, body));

      const ban = await server.gql(
        BanDocument,
        { input: { communityId: place.community.id, userId: troll.user.id, reason: 'spam' } },
        { token: place.owner.token },
      );
      expect(ban.body.data).toEqual({ banMember: { reason: 'spam' } });
      await f.until(() => f.completed, 'the subscription to complete');
      expect(f.failure).toBeUndefined();
      expect(afterProbes(f)).toEqual([]);
    });
  });

  describe('with a cursor (`after`)', () => {
    it('replays what came after the cursor, then streams live, with no gap and no duplicate while comments keep coming', async () => {
      const place = await thread(server);
      const total = 40;
      // Clients subscribe from these comments' cursors while the writer goes on adding.
      const startAt = [1, 5, 12, 20, 27, 33];
      const written: StreamedComment[] = [];
      const followers: { k: number; f: Follow }[] = [];
      for (let i = 1; i <= total; i++) {
        written.push(await addComment(server, place.owner, place.postId, `comment ${i}`));
        if (startAt.includes(i))
          followers.push({ k: i, f: follow(server.ws(), { postId: place.postId, after: written[i - 1].cursor }) });
      }
      // And one from the cursor of comment 36 once the writer has stopped: only the replay can bring it 37..40.
      followers.push({ k: 36, f: follow(server.ws(), { postId: place.postId, after: written[35].cursor }) });
      await Promise.all(followers.map(({ f }) => f.received(`comment ${total}`, 10_000)));
      // One more, so that anything a follower might still repeat has arrived before it.
      await addComment(server, place.owner, place.postId, 'the end');
      for (const { k, f } of followers) {
        await f.received('the end');
        expect({ k, bodies: f.bodies() }).toEqual({
          k,
          bodies: [...range(k + 1, total).map((n) => `comment ${n}`), 'the end'],
        });
        expect(f.comments().slice(0, total - k)).toEqual(written.slice(k));
        expect(f.errorCodes()).toEqual([]);
      }
    });

    it("never repeats the cursor's comment, an older one, or one already delivered when its notification comes late", async () => {
      const place = await thread(server);
      const older = await addComment(server, place.owner, place.postId, 'older');
      const last = await addComment(server, place.owner, place.postId, "the client's last");
      await addComment(server, place.owner, place.postId, 'missed');
      const f = follow(server.ws(), { postId: place.postId, after: last.cursor });
      await f.received('missed');

      // What a publish delayed past the client's read would deliver (e.g. one queued while Redis reconnects),
      // sent through the server's own pub/sub like addComment's.
      const topic = postTopics.commentAdded(fromGlobalId('Post', place.postId));
      for (const late of [last, older, f.comments()[0]]) {
        await server.app.pubsub.publish(topic, { commentId: fromGlobalId('Comment', late.id) });
      }
      await addComment(server, place.owner, place.postId, 'live');
      await f.received('live');
      expect(f.bodies()).toEqual(['missed', 'live']);
    });

    it('does not replay deleted comments', async () => {
      const place = await thread(server);
      const seen = await addComment(server, place.owner, place.postId, 'seen before the reconnect');
      const regretted = await addComment(server, place.owner, place.postId, 'regretted');
      await addComment(server, place.owner, place.postId, 'kept');
      const deleted = await server.gql(DeleteCommentDocument, { id: regretted.id }, { token: place.owner.token });
      expect(deleted.body.errors).toBeUndefined();

      const f = follow(server.ws(), { postId: place.postId, after: seen.cursor });
      await f.received('kept');
      await addComment(server, place.owner, place.postId, 'live');
      await f.received('live');
      expect(f.bodies()).toEqual(['kept', 'live']);
    });
  });
});

const redisUrl = process.env.REDIS_URL;

// Stories that need a broker between instances. Defined only with REDIS_URL, so nothing is skipped without it.
if (redisUrl) {
  describe('commentAdded over Redis', () => {
    const admin = createRedisClient({ url: redisUrl });
    admin.on('error', () => {});
    let east: TestServer;
    let west: TestServer;

    beforeAll(async () => {
      await admin.connect();
      onCleanup(() => admin.destroy());
      [east, west] = await Promise.all([startTestServer(), startTestServer()]);
    });

    async function redisSubscribers(topic: string): Promise<number> {
      return (await admin.pubSubNumSub(topic))[topic] ?? 0;
    }

    async function eventually(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    it('delivers every comment added through one instance to a subscriber on another, in order', async () => {
      const place = await thread(east);
      const bob = await member(east, place, 'bob');
      const f = follow(east.ws({ token: bob.token }), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(west, place.owner, place.postId, body));

      const bodies = range(1, 20).map((n) => `from the west ${n}`);
      for (const [i, body] of bodies.entries()) await addComment(west, i % 2 ? bob : place.owner, place.postId, body);
      await f.received(bodies.at(-1)!);
      expect(afterProbes(f)).toEqual(bodies);
      expect(
        f
          .comments()
          .slice(-2)
          .map((c) => c.author?.handle),
      ).toEqual([place.owner.user.handle, bob.user.handle]);
    });

    it.each([
      ['unsubscribes', (f: Follow, _client: Client) => f.stop()],
      ['disconnects', (_f: Follow, client: Client) => void client.dispose()],
    ])('frees its Redis subscriptions when the client %s, though no comment arrives', async (_how, leave) => {
      // PRIVATE: each subscription runs on its own, with the viewer's membership topic.
      const place = await thread(east, 'PRIVATE');
      const reader = await member(east, place, 'reader');
      const client = east.ws({ token: reader.token });
      const f = follow(client, { postId: place.postId });
      await untilStreaming(f, (body) => addComment(east, place.owner, place.postId, body));
      const postTopic = postTopics.commentAdded(fromGlobalId('Post', place.postId));
      const membershipTopic = communityTopics.membershipChanged(fromGlobalId('User', reader.user.id));
      expect(await redisSubscribers(postTopic)).toBe(1);
      expect(await redisSubscribers(membershipTopic)).toBe(1);

      leave(f, client);
      await eventually(async () => (await redisSubscribers(postTopic)) === 0, `no subscriber to ${postTopic}`);
      await eventually(
        async () => (await redisSubscribers(membershipTopic)) === 0,
        `no subscriber to ${membershipTopic}`,
      );
      expect(f.failure).toBeUndefined();
    });

    it('runs one shared execution for every subscriber of a public post, and frees it when the last leaves', async () => {
      const place = await thread(east);
      const readers = await Promise.all([signUp(east, 'r1'), signUp(east, 'r2')]);
      const follows = [undefined, ...readers].map((r) =>
        follow(east.ws(r ? { token: r.token } : {}), { postId: place.postId }),
      );
      for (const f of follows) await untilStreaming(f, (body) => addComment(east, place.owner, place.postId, body));
      const postTopic = postTopics.commentAdded(fromGlobalId('Post', place.postId));
      expect(await redisSubscribers(postTopic)).toBe(1);
      for (const r of readers) {
        expect(await redisSubscribers(communityTopics.membershipChanged(fromGlobalId('User', r.user.id)))).toBe(0);
      }
      await addComment(west, place.owner, place.postId, 'to everyone');
      for (const f of follows) await f.received('to everyone');
      for (const f of follows) expect(f.bodies().filter((b) => b === 'to everyone')).toHaveLength(1);
      follows[0].stop();
      follows[1].stop();
      await addComment(east, place.owner, place.postId, 'to the last one');
      await follows[2].received('to the last one');
      follows[2].stop();
      await eventually(async () => (await redisSubscribers(postTopic)) === 0, `no subscriber to ${postTopic}`);
    });

    it('hands a subscription with a cursor on a public post over to the shared execution once its replay is done', async () => {
      const place = await thread(east);
      const reader = await signUp(east, 'late');
      const membershipTopic = communityTopics.membershipChanged(fromGlobalId('User', reader.user.id));
      const seen = await addComment(east, place.owner, place.postId, 'seen');
      await addComment(east, place.owner, place.postId, 'missed 1');
      await addComment(west, place.owner, place.postId, 'missed 2');
      const f = follow(east.ws({ token: reader.token }), { postId: place.postId, after: seen.cursor });
      await f.received('missed 2');
      // Its own stream listened to the reader's memberships; the shared execution (anonymous) does not.
      await eventually(async () => (await redisSubscribers(membershipTopic)) === 0, 'the handover');
      const postTopic = postTopics.commentAdded(fromGlobalId('Post', place.postId));
      expect(await redisSubscribers(postTopic)).toBe(1); // one feed on this instance, the group's
      await addComment(west, place.owner, place.postId, 'live 1');
      await addComment(east, place.owner, place.postId, 'live 2');
      await f.received('live 2');
      expect(f.bodies()).toEqual(['missed 1', 'missed 2', 'live 1', 'live 2']);
      expect(f.errorCodes()).toEqual([]);
      expect(f.completed).toBe(false);
      f.stop();
      await eventually(async () => (await redisSubscribers(postTopic)) === 0, `no subscriber to ${postTopic}`);
    });

    it('keeps a subscription with a cursor on its own where it may not share: a private post, a viewer-dependent field', async () => {
      const place = await thread(east, 'PRIVATE');
      const reader = await member(east, place, 'priv');
      const membershipTopic = communityTopics.membershipChanged(fromGlobalId('User', reader.user.id));
      const seen = await addComment(east, place.owner, place.postId, 'seen');
      await addComment(east, place.owner, place.postId, 'missed');
      const f = follow(east.ws({ token: reader.token }), { postId: place.postId, after: seen.cursor });
      await f.received('missed');
      await addComment(east, place.owner, place.postId, 'live');
      await f.received('live');
      expect(await redisSubscribers(membershipTopic)).toBe(1);
      expect(f.bodies()).toEqual(['missed', 'live']);

      const open = await thread(east);
      const voter = await signUp(east, 'voter');
      const voterTopic = communityTopics.membershipChanged(fromGlobalId('User', voter.user.id));
      const first = await addComment(east, open.owner, open.postId, 'first');
      await addComment(east, open.owner, open.postId, 'second');
      const withVote = record<{ commentAdded: { body: string; viewerVote: string } }>(east.ws({ token: voter.token }), {
        query: `subscription ($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { body viewerVote } }`,
        variables: { postId: open.postId, after: first.cursor },
      });
      await withVote.until(() => withVote.results.length > 0, 'the replay');
      await addComment(east, open.owner, open.postId, 'third');
      await withVote.until(() => withVote.results.length > 1, 'a live comment');
      expect(await redisSubscribers(voterTopic)).toBe(1);
      expect(withVote.results.map((r) => r.data?.commentAdded.body)).toEqual(['second', 'third']);
      f.stop();
      withVote.stop();
    });

    it('loses nothing and repeats nothing when Redis restarts between comments', async () => {
      const redis = await startPrivateRedis();
      const [a, b] = await Promise.all([
        startTestServer({ REDIS_URL: redis.url }),
        startTestServer({ REDIS_URL: redis.url }),
      ]);
      const place = await thread(b);
      const f = follow(a.ws(), { postId: place.postId });
      await untilStreaming(f, (body) => addComment(b, place.owner, place.postId, body));

      await addComment(b, place.owner, place.postId, 'before 1');
      await addComment(b, place.owner, place.postId, 'before 2');
      await f.received('before 2');

      await redis.kill();
      // Each waits for pub/sub up to its publish timeout (3 s), then commits without a notification.
      const during = [
        await addComment(b, place.owner, place.postId, 'during 1'),
        await addComment(b, place.owner, place.postId, 'during 2'),
      ];
      expect(during.map((c) => c.body)).toEqual(['during 1', 'during 2']);

      await redis.start();
      // No new comment announces them: the stream must catch up when its pub/sub connection comes back.
      await f.received('during 2', 15_000);
      await addComment(b, place.owner, place.postId, 'after');
      await f.received('after', 10_000);
      // Anything repeated late would arrive after a last live comment: make sure it had the chance.
      await addComment(b, place.owner, place.postId, 'the end');
      await f.received('the end', 10_000);
      expect(afterProbes(f)).toEqual(['before 1', 'before 2', 'during 1', 'during 2', 'after', 'the end']);
      expect(f.errorCodes()).toEqual([]);
      expect(f.completed).toBe(false);
    }, 60_000);
  });
}
