/**
 * Townsquare on a Redis Cluster (issue 16, point 3, "Past one Redis"): with REDIS_CLUSTER_NODES,
 * pub/sub runs on sharded channels (SSUBSCRIBE / SPUBLISH) and a community's keys and channels carry
 * its hash tag, so they live in one slot. A three-node cluster on loopback (no replicas) carries two
 * instances: comments added through one reach a subscriber on the other in order, votes through one
 * move the leaderboard its watchers on the other see, a community's keys and channels sit in one
 * slot while communities spread over the nodes, and the response cache's keys share one slot. A
 * node that restarts, and a channel whose slot moves to another node (which node-redis 5.12 alone
 * would stop hearing: redis/node-redis#3311), lose no comment and repeat none; readiness reads
 * `degraded` meanwhile.
 */
import { createLogger } from '../../src/platform/logger';
import { communityTopics } from '../../src/modules/communities/communities.events';
import { moderationTopics } from '../../src/modules/moderation/moderation.events';
import { postTopics } from '../../src/modules/posts/posts.events';
import { reputationTopics } from '../../src/modules/reputation/reputation.events';
import { createPubSub, type PubSub } from '../../src/platform/pubsub/pubsub';
import { communityHashTag } from '../../src/platform/redis';
import { afterProbes, follow as followComments, untilStreaming } from '../posts/follow';
import { addComment, castOf, createPost, dbId, vote } from '../posts/operations';
import { LEADERBOARD_CHANGED, leaderboard } from '../reputation/operations';
import { startRedisCluster, type ClusterNode, type TestRedisCluster } from '../support/redis-cluster';
import { record } from '../support/subscription';
import { closeAll, onCleanup, startTestServer, type TestServer } from '../support/server';

afterAll(closeAll);

const silent = createLogger('silent');

const COMMENT_ADDED = `subscription ClusterCommentAdded($postId: ID!, $after: String) {
  commentAdded(postId: $postId, after: $after) { id body cursor author { handle } }
}`;

async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The hash tag Redis Cluster hashes a name by: what the first `{…}` holds, if anything. */
function hashTag(name: string): string | undefined {
  const open = name.indexOf('{');
  const close = name.indexOf('}', open + 1);
  return open !== -1 && close > open + 1 ? name.slice(open + 1, close) : undefined;
}

describe("a community's pub/sub topics", () => {
  it('carry its hash tag (so they share its slot), while a post hashes on its own topic', () => {
    for (const topic of [
      communityTopics.memberJoined(42),
      moderationTopics.queueChanged(42),
      reputationTopics.leaderboardChanged(42),
    ])
      expect(hashTag(topic)).toBe(hashTag(communityHashTag(42)));
    expect(hashTag(communityHashTag(42))).toBe('c42');
    expect(hashTag(reputationTopics.leaderboardChanged(7))).toBe('c7');
    expect(hashTag(postTopics.commentAdded(42))).toBeUndefined();
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('refuses to start when no seed node answers, naming REDIS_CLUSTER_NODES', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await expect(createPubSub({ clusterNodes: ['redis://127.0.0.1:1'] }, silent)).rejects.toThrow(
      /^Cannot connect the pubsub to the Redis cluster at REDIS_CLUSTER_NODES \(redis:\/\/127\.0\.0\.1:1\): .*ECONNREFUSED/,
    );
  });
});

// Its own Redis Cluster (redis-server 7+ and redis-cli, which .ci/run also runs the suite's Redis with) and the
// suite's PostgreSQL: defined only in CI's real-services pass, so nothing is skipped without it. Without them, it fails.
if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  describe('two instances on a three-node Redis Cluster', () => {
    let cluster: TestRedisCluster;
    let east: TestServer;
    let west: TestServer;

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
      const env = { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.urls.join(',') };
      [east, west] = await Promise.all([startTestServer(env), startTestServer(env)]);
    }, 30_000);

    const follow = (on: TestServer, postId: string) => followComments(on.ws(), COMMENT_ADDED, { postId });

    /** A public community with a post by its owner, and the post's topic. */
    async function thread(on: TestServer) {
      const cast = await castOf(on, 1);
      const post = await createPost(on, cast.owner, cast.community.id);
      return { ...cast, postId: post.id as string, topic: postTopics.commentAdded(dbId(post.id)) };
    }

    async function readiness(on: TestServer): Promise<{ status: string; pubsub: { state: string; kind: string } }> {
      return (await fetch(`${on.baseUrl}/readyz`)).json();
    }

    async function pubsubUp(on: TestServer): Promise<number> {
      const text = await (await fetch(`${on.baseUrl}/metrics`)).text();
      return Number(/^townsquare_pubsub_up (\S+)$/m.exec(text)?.[1]);
    }

    /** Subscribers of a sharded channel on the node that holds it. */
    async function shardSubscribers(node: ClusterNode, channel: string): Promise<number> {
      return (await node.admin.pubSubShardNumSub(channel))[channel] ?? 0;
    }

    it('runs its pub/sub on the cluster, ready, with every node answering', async () => {
      for (const on of [east, west]) {
        expect(await readiness(on)).toEqual(
          expect.objectContaining({ status: 'ready', pubsub: { state: 'ok', kind: 'redis-cluster' } }),
        );
        expect(await pubsubUp(on)).toBe(1);
      }
    });

    it('delivers every comment added through one instance to a subscriber on another, in order, on the node of its channel', async () => {
      const place = await thread(east);
      const f = follow(east, place.postId);
      await untilStreaming(f, (body) => addComment(west, place.owner, place.postId, body));
      const bodies = Array.from({ length: 20 }, (_, i) => `from the west ${i + 1}`);
      for (const body of bodies) await addComment(west, place.owner, place.postId, body);
      await f.received(bodies.at(-1)!);
      expect(afterProbes(f)).toEqual(bodies);
      expect(f.errorCodes()).toEqual([]);

      // A sharded subscription, on the node that holds the channel's slot (and on no other).
      const owner = await cluster.ownerOf(await cluster.slotOf(place.topic));
      expect(await shardSubscribers(owner, place.topic)).toBe(1);
      for (const node of cluster.nodes.filter((n) => n !== owner))
        expect(await node.admin.sendCommand(['PUBSUB', 'SHARDCHANNELS', place.topic])).toEqual([]);
      f.stop();
      await eventually(async () => (await shardSubscribers(owner, place.topic)) === 0, 'the SUNSUBSCRIBE');
    });

    it('moves the leaderboard watched on one instance with the votes cast through another', async () => {
      const cast = await castOf(east, 2);
      const [author, voter] = cast.members;
      const post = await createPost(east, author, cast.community.id);
      const rec = record<any>(west.ws(), {
        query: LEADERBOARD_CHANGED,
        variables: { id: cast.community.id, period: 'ALL_TIME' },
      });
      await rec.until(() => rec.results.length === 1, 'the first emission');
      await vote(east, voter, post.id, 'UP');
      await rec.until(() => rec.results.at(-1)?.data?.leaderboardChanged?.[0]?.score === 10, 'the vote', 10_000);
      expect(rec.results.at(-1)?.data?.leaderboardChanged[0].member.user.handle).toBe(author.user.handle);
      expect((await leaderboard(west, cast.community.slug, 'ALL_TIME'))[0]).toMatchObject({ score: 10 });
      expect(rec.errorCodes()).toEqual([]);
      rec.stop();
    });

    it("keeps each community's keys and channels in its slot, and spreads communities over the nodes", async () => {
      // Communities until two sit on different nodes (each lands on one of three, so this takes few).
      const places: { cast: Awaited<ReturnType<typeof castOf>>; id: number; node: ClusterNode }[] = [];
      while (new Set(places.map((p) => p.node)).size < 2) {
        if (places.length === 12) throw new Error('twelve communities on one node');
        const cast = await castOf(east, 2);
        const id = dbId(cast.community.id);
        places.push({ cast, id, node: await cluster.ownerOf(await cluster.slotOf(communityHashTag(id))) });
      }
      const [first, second] = [places[0], places.find((p) => p.node !== places[0].node)!];
      for (const { cast } of [first, second]) {
        const [author, voter] = cast.members;
        const post = await createPost(east, author, cast.community.id);
        const watch = record<any>(west.ws(), {
          query: LEADERBOARD_CHANGED,
          variables: { id: cast.community.id, period: 'WEEK' },
        });
        onCleanup(() => watch.stop());
        await watch.until(() => watch.results.length === 1, 'the first emission');
        await vote(west, voter, post.id, 'UP');
        await watch.until(() => watch.results.at(-1)?.data?.leaderboardChanged?.[0]?.score === 10, 'the vote');
      }

      for (const { id, node } of [first, second]) {
        const slot = await cluster.slotOf(communityHashTag(id));
        // Its boards, their versions and `ready`: all on its node, all in its slot.
        const keys = await cluster.keysByNode(`leaderboard:*:${communityHashTag(id)}:*`);
        const own = keys.get(node)!;
        const names = own.map((key) => key.slice(key.lastIndexOf(':') + 1)).sort();
        // The boards of all time, this month (2026-06) and this week (2026-W23), and `ready`.
        expect(names).toEqual([
          expect.stringMatching(/^\d{4}-\d{2}$/),
          expect.stringMatching(/^\d{4}-W\d{2}$/),
          'all',
          'ready',
        ]);
        for (const other of cluster.nodes.filter((n) => n !== node)) expect(keys.get(other)).toEqual([]);
        for (const key of own) expect(await cluster.slotOf(key)).toBe(slot);
        expect(await node.admin.clusterCountKeysInSlot(slot)).toBe(own.length);
        // Its leaderboard channel: on the same node, where the watching instance subscribed it.
        expect(await shardSubscribers(node, reputationTopics.leaderboardChanged(id))).toBe(1);
      }

      // The response cache's counter, incarnation and tags: one hash tag, one slot, one node.
      const cacheKeys = [...(await cluster.keysByNode('townsquare:{response-cache}:*')).entries()].filter(
        ([, keys]) => keys.length > 0,
      );
      expect(cacheKeys).toHaveLength(1);
      const [cacheNode, keys] = cacheKeys[0];
      expect(keys).toEqual(expect.arrayContaining(['townsquare:{response-cache}:epoch']));
      expect(new Set(await Promise.all(keys.map((k) => cluster.slotOf(k)))).size).toBe(1);
      expect(await cluster.ownerOf(await cluster.slotOf('{response-cache}'))).toBe(cacheNode);
      // Rate-limit counters are one key each: spread over the nodes.
      const counters = await cluster.keysByNode('ratelimit:*');
      expect([...counters.values()].filter((k) => k.length > 0).length).toBeGreaterThan(1);
    });

    it('loses no comment and repeats none while the node holding the channel restarts; degraded meanwhile', async () => {
      const place = await thread(west);
      const f = follow(east, place.postId);
      await untilStreaming(f, (body) => addComment(west, place.owner, place.postId, body));
      await addComment(west, place.owner, place.postId, 'before');
      await f.received('before');

      const node = await cluster.ownerOf(await cluster.slotOf(place.topic));
      await node.kill();
      await eventually(async () => (await readiness(east)).status === 'degraded', 'readiness to see the outage');
      expect(await pubsubUp(east)).toBe(0);
      // Each waits for its SPUBLISH up to the publish timeout (3 s), then commits without a notification.
      for (const body of ['during 1', 'during 2']) await addComment(west, place.owner, place.postId, body);

      await node.start(); // its nodes-<port>.conf: the same id and slots, no data
      // No new comment announces them: the stream catches up once its subscription is back.
      await f.received('during 2', 15_000);
      await addComment(west, place.owner, place.postId, 'after');
      await f.received('after', 10_000);
      await addComment(west, place.owner, place.postId, 'the end');
      await f.received('the end', 10_000);
      expect(afterProbes(f)).toEqual(['before', 'during 1', 'during 2', 'after', 'the end']);
      expect(f.errorCodes()).toEqual([]);
      expect(f.completed).toBe(false);
      await cluster.ready();
      await eventually(async () => (await readiness(east)).status === 'ready', 'readiness to recover');
      expect(await pubsubUp(east)).toBe(1);
      f.stop();
    }, 45_000);

    it('follows a channel whose slot moves to another node (node-redis 5.12 alone drops it: redis/node-redis#3311)', async () => {
      const place = await thread(west);
      const f = follow(east, place.postId);
      await untilStreaming(f, (body) => addComment(west, place.owner, place.postId, body));
      await addComment(west, place.owner, place.postId, 'before the move');
      await f.received('before the move');

      const slot = await cluster.slotOf(place.topic);
      const from = await cluster.ownerOf(slot);
      const to = cluster.nodes.find((n) => n !== from)!;
      await cluster.moveSlot(slot, to);
      expect(await cluster.ownerOf(slot)).toBe(to);
      await eventually(async () => (await shardSubscribers(to, place.topic)) === 1, 'the subscription on the new node');
      await addComment(west, place.owner, place.postId, 'after the move');
      await f.received('after the move', 10_000);
      expect(afterProbes(f)).toEqual(['before the move', 'after the move']);
      expect(await shardSubscribers(from, place.topic)).toBe(0);
      f.stop();
    });

    it('leaves no subscription behind when many topics come and go at once, and delivers to those that stay', async () => {
      const pubsub: PubSub = await createPubSub({ clusterNodes: cluster.urls }, silent);
      onCleanup(() => pubsub.close());
      // Two sets of topics over every node: one set leaves while the other joins, round after round
      // (a node's last unsubscribe closes its connection while new subscriptions arrive on it).
      const sets = [0, 1].map((k) => Array.from({ length: 60 }, (_, i) => `test:cluster-churn:${k}:${i}`));
      const channels = () =>
        Promise.all(
          cluster.nodes.map((n) => n.admin.sendCommand<string[]>(['PUBSUB', 'SHARDCHANNELS', 'test:cluster-churn:*'])),
        );
      let current = sets[0].map((t) => pubsub.subscribe<number>(t));
      await Promise.all(current.map((s) => s.ready));
      for (let round = 1; round <= 4; round++) {
        const next = sets[round % 2].map((t) => pubsub.subscribe<number>(t));
        await Promise.all([...current.map((s) => s.return!()), ...next.map((s) => s.ready)]);
        current = next;
      }
      await Promise.all(current.map((s) => s.return!()));
      await eventually(async () => (await channels()).every((c) => c.length === 0), 'every SUNSUBSCRIBE');

      // The set that left last, all at once (every node's connection closed under it), comes back.
      const topics = sets[0];
      const staying = topics.map((t) => pubsub.subscribe<number>(t));
      await Promise.all(staying.map((s) => s.ready));
      const perNode = (await channels()).map((c) => c.length);
      expect(perNode.reduce((a, b) => a + b)).toBe(topics.length);
      expect(perNode.every((n) => n > 0)).toBe(true); // the topics spread over all three nodes
      await Promise.all(topics.map((t, i) => pubsub.publish(t, i)));
      expect(await Promise.all(staying.map(async (s) => (await s.next()).value))).toEqual(topics.map((_, i) => i));
    });

    it('tells its reconnect listeners only once the subscriptions are back: not while a node is down', async () => {
      const [subscriber, publisher] = await Promise.all([
        createPubSub({ clusterNodes: cluster.urls }, silent),
        createPubSub({ clusterNodes: cluster.urls }, silent),
      ]);
      onCleanup(async () => void (await Promise.all([subscriber.close(), publisher.close()])));
      const topic = 'test:cluster-reconnect';
      const feed = subscriber.subscribe<string>(topic);
      await feed.ready;
      // What a replaying subscriber relies on: anything published once the listener runs is delivered.
      const sent: Promise<void>[] = [];
      subscriber.onReconnect(() => sent.push(publisher.publish(topic, `reconnected ${sent.length + 1}`)));

      const node = await cluster.ownerOf(await cluster.slotOf(topic));
      await node.kill();
      await new Promise((resolve) => setTimeout(resolve, 2500)); // several reconnection attempts
      expect(sent).toHaveLength(0);
      await node.start();
      await eventually(async () => sent.length > 0, 'the reconnect listener');
      await Promise.all(sent);
      // Each of the node's two connections (commands, subscriptions) reconnects on its own backoff, so
      // a loaded machine may hear the listener once per connection: every call comes after the
      // subscriptions are back, so each message it sends is delivered, in order.
      for (let i = 1; i <= sent.length; i++) expect((await feed.next()).value).toBe(`reconnected ${i}`);
      expect(sent.length).toBeLessThanOrEqual(2);
      await cluster.ready();
    });
  });
}
