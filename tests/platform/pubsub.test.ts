import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createClient } from 'redis';
import { createLogger } from '../../src/platform/logger';
import { createPubSub, type PubSub } from '../../src/platform/pubsub/pubsub';
import type { RedisTarget } from '../../src/platform/redis';

const silent = createLogger('silent');
const redisUrl = process.env.REDIS_URL;

interface Backend {
  kind: PubSub['kind'];
  redis: RedisTarget | undefined;
}
// Redis joins the list only when there is one to talk to; every backend runs the same stories.
const backends: Backend[] = [
  { kind: 'memory', redis: undefined },
  ...(redisUrl ? [{ kind: 'redis' as const, redis: { url: redisUrl } }] : []),
];

/** Topic names are unique per test: the Redis may be shared with other runs. */
function uniqueTopic(name: string): string {
  return `test:pubsub:${name}:${randomUUID()}`;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next `count` payloads (fewer if the iterator ends). */
async function take<T>(iterator: AsyncIterator<T>, count: number, ms = 3000): Promise<T[]> {
  const values: T[] = [];
  const collect = async () => {
    while (values.length < count) {
      const result = await iterator.next();
      if (result.done) return;
      values.push(result.value);
    }
  };
  await withTimeout(collect(), ms, `waiting for ${count} messages (got ${values.length})`);
  return values;
}

async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

describe.each(backends)('$kind pub/sub', ({ kind, redis }) => {
  const opened: PubSub[] = [];
  async function open(options?: Parameters<typeof createPubSub>[2], log = silent): Promise<PubSub> {
    const pubsub = await createPubSub(redis, log, options);
    opened.push(pubsub);
    return pubsub;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()));
  });

  it(`is the ${kind} backend and answers its readiness probe`, async () => {
    const pubsub = await open();
    expect(pubsub.kind).toBe(kind);
    await expect(pubsub.ping()).resolves.toBeUndefined();
  });

  it('delivers a member’s messages to a subscriber in publish order', async () => {
    const pubsub = await open();
    const topic = uniqueTopic('order');
    const feed = pubsub.subscribe<{ seq: number }>(topic);
    await feed.ready;

    // Fired together, not awaited one by one: order must hold without the caller serializing.
    await Promise.all(Array.from({ length: 200 }, (_, seq) => pubsub.publish(topic, { seq })));

    const received = await take(feed, 200);
    expect(received.map((message) => message.seq)).toEqual(Array.from({ length: 200 }, (_, seq) => seq));
  });

  it('gives every subscriber of a topic every message', async () => {
    const pubsub = await open();
    const topic = uniqueTopic('fanout');
    const alice = pubsub.subscribe<string>(topic);
    const bob = pubsub.subscribe<string>(topic);
    await Promise.all([alice.ready, bob.ready]);

    for (const text of ['hello', 'welcome', 'bye']) await pubsub.publish(topic, text);

    expect(await take(alice, 3)).toEqual(['hello', 'welcome', 'bye']);
    expect(await take(bob, 3)).toEqual(['hello', 'welcome', 'bye']);
  });

  it('does not deliver another topic’s messages', async () => {
    const pubsub = await open();
    const general = uniqueTopic('general');
    const random = uniqueTopic('random');
    const generalFeed = pubsub.subscribe<string>(general);
    const randomFeed = pubsub.subscribe<string>(random);
    await Promise.all([generalFeed.ready, randomFeed.ready]);

    // Published first: had it leaked into the general feed it would arrive before "for general".
    await pubsub.publish(random, 'for random');
    await pubsub.publish(general, 'for general');

    expect(await take(generalFeed, 1)).toEqual(['for general']);
    expect(await take(randomFeed, 1)).toEqual(['for random']);
  });

  it('delivers the JSON form of a payload, as it would cross Redis', async () => {
    const pubsub = await open();
    const topic = uniqueTopic('json');
    const feed = pubsub.subscribe<unknown>(topic);
    await feed.ready;

    await pubsub.publish(topic, { at: new Date(0), skipped: undefined, tags: ['a'] });

    expect(await take(feed, 1)).toEqual([{ at: '1970-01-01T00:00:00.000Z', tags: ['a'] }]);
    await expect(pubsub.publish(topic, undefined)).rejects.toThrow(/not JSON-serializable/);
    await expect(pubsub.publish(topic, { big: 1n })).rejects.toThrow(TypeError);
  });

  it('stops a subscriber that calls return(), ending its pending next(), while others keep receiving', async () => {
    const pubsub = await open();
    const topic = uniqueTopic('return');
    const leaving = pubsub.subscribe<string>(topic);
    const staying = pubsub.subscribe<string>(topic);
    await Promise.all([leaving.ready, staying.ready]);

    const pending = leaving.next();
    await expect(leaving.return!()).resolves.toEqual({ value: undefined, done: true });
    await expect(pending).resolves.toEqual({ value: undefined, done: true });

    await pubsub.publish(topic, 'after leaving');
    expect(await take(staying, 1)).toEqual(['after leaving']);
    await expect(leaving.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('ends a for-await loop when the consumer breaks out of it', async () => {
    const pubsub = await open();
    const topic = uniqueTopic('break');
    const feed = pubsub.subscribe<number>(topic);
    await feed.ready;
    await pubsub.publish(topic, 1);

    for await (const value of feed) {
      expect(value).toBe(1);
      break;
    }

    await expect(feed.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('drops the oldest messages of a subscriber that falls behind, and says so in the log', async () => {
    const { log, lines } = capturingLogger();
    const pubsub = await open({}, log);
    const topic = uniqueTopic('backpressure');
    const slow = pubsub.subscribe<number>(topic, { maxBuffered: 3 });
    const fast = pubsub.subscribe<number>(topic);
    await Promise.all([slow.ready, fast.ready]);

    for (let seq = 0; seq < 6; seq++) await pubsub.publish(topic, seq);
    // Delivery fans out to both in one go: once the fast one has all six, the slow one's buffer is final.
    await take(fast, 6);

    expect(await take(slow, 3)).toEqual([3, 4, 5]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ msg: expect.stringMatching(/too slow/), topic, maxBuffered: 3 }),
        expect.objectContaining({ msg: expect.stringMatching(/caught up/), topic, dropped: 3 }),
      ]),
    );
  });

  it('ends every open iterator on close, and refuses work afterwards', async () => {
    const pubsub = await createPubSub(redis, silent);
    const topic = uniqueTopic('close');
    const feed = pubsub.subscribe<string>(topic);
    await feed.ready;
    const pending = feed.next();

    await pubsub.close();
    await pubsub.close();

    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await expect(pubsub.publish(topic, 'too late')).rejects.toThrow(/closed/);
    await expect(pubsub.ping()).rejects.toThrow(/closed/);
    const late = pubsub.subscribe<string>(topic);
    await expect(late.ready).resolves.toBeUndefined();
    await expect(late.next()).resolves.toEqual({ value: undefined, done: true });
  });
});

describe('createPubSub', () => {
  it('runs in memory when REDIS_URL is not set', async () => {
    const pubsub = await createPubSub(undefined, silent);
    expect(pubsub.kind).toBe('memory');
    await pubsub.close();
  });

  it('refuses to start when Redis is unreachable, naming REDIS_URL', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await expect(createPubSub({ url: 'redis://127.0.0.1:1' }, silent)).rejects.toThrow(
      /^Cannot connect the pubsub publisher to Redis at REDIS_URL \(redis:\/\/127\.0\.0\.1:1\): .*ECONNREFUSED/,
    );
  });

  it('rejects a malformed REDIS_URL without repeating its password', async () => {
    const attempt = createPubSub({ url: 'http://user:hunter2@127.0.0.1:6379' }, silent);
    await expect(attempt).rejects.toThrow(/^REDIS_URL is not a valid Redis URL/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});

// Stories that only make sense with a broker between instances.
if (redisUrl) {
  describe('redis pub/sub across instances', () => {
    const opened: PubSub[] = [];
    const admin = createClient({ url: redisUrl });
    admin.on('error', () => {});

    async function open(options?: Parameters<typeof createPubSub>[2]): Promise<PubSub> {
      const pubsub = await createPubSub({ url: redisUrl! }, silent, options);
      opened.push(pubsub);
      return pubsub;
    }

    async function redisSubscriberCount(topic: string): Promise<number> {
      return (await admin.pubSubNumSub(topic))[topic] ?? 0;
    }

    beforeAll(async () => {
      await admin.connect();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()));
    });

    afterAll(async () => {
      admin.destroy();
    });

    it('delivers between two server instances in both directions', async () => {
      const east = await open();
      const west = await open();
      const topic = uniqueTopic('instances');
      const eastFeed = east.subscribe<string>(topic);
      const westFeed = west.subscribe<string>(topic);
      await Promise.all([eastFeed.ready, westFeed.ready]);

      await east.publish(topic, 'from east');
      await west.publish(topic, 'from west');

      expect(await take(eastFeed, 2)).toEqual(['from east', 'from west']);
      expect(await take(westFeed, 2)).toEqual(['from east', 'from west']);
    });

    it('holds one Redis subscription per topic and drops it when the last local subscriber leaves', async () => {
      const pubsub = await open();
      const topic = uniqueTopic('refcount');
      const first = pubsub.subscribe<string>(topic);
      const second = pubsub.subscribe<string>(topic);
      await Promise.all([first.ready, second.ready]);
      expect(await redisSubscriberCount(topic)).toBe(1);

      await first.return!();
      await pubsub.publish(topic, 'still here');
      expect(await take(second, 1)).toEqual(['still here']);
      expect(await redisSubscriberCount(topic)).toBe(1);

      await second.return!();
      await eventually(async () => (await redisSubscriberCount(topic)) === 0);

      // A newcomer after the UNSUBSCRIBE gets a fresh subscription.
      const third = pubsub.subscribe<string>(topic);
      await third.ready;
      expect(await redisSubscriberCount(topic)).toBe(1);
      await pubsub.publish(topic, 'welcome back');
      expect(await take(third, 1)).toEqual(['welcome back']);
    });

    it('keeps the subscription when a subscriber leaves and another joins at once', async () => {
      const pubsub = await open();
      const topic = uniqueTopic('churn');
      const leaving = pubsub.subscribe<string>(topic);
      await leaving.ready;

      await leaving.return!();
      const joining = pubsub.subscribe<string>(topic);
      await joining.ready;

      await pubsub.publish(topic, 'hello newcomer');
      expect(await take(joining, 1)).toEqual(['hello newcomer']);
      expect(await redisSubscriberCount(topic)).toBe(1);
    });

    it('reconnects after losing the subscriber connection, tells onReconnect listeners, and delivers again', async () => {
      const clientName = `test-${randomUUID()}`;
      const pubsub = await open({ clientName });
      const other = await open();
      const topic = uniqueTopic('reconnect');
      const feed = pubsub.subscribe<string>(topic);
      await feed.ready;

      const reconnects: string[] = [];
      let announce!: () => void;
      const reconnected = new Promise<void>((resolve) => (announce = resolve));
      pubsub.onReconnect(() => {
        reconnects.push('replayer');
        announce();
      });
      const unsubscribe = pubsub.onReconnect(() => reconnects.push('removed'));
      unsubscribe();

      // Only our own subscriber connection: other processes may share this Redis.
      const victim = (await admin.clientList({ TYPE: 'PUBSUB' })).find(
        (client) => client.name === `${clientName}:subscriber`,
      );
      expect(victim).toBeDefined();
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(victim!.id)]);

      await withTimeout(reconnected, 5000, 'waiting for onReconnect');
      expect(reconnects).toEqual(['replayer']);
      await expect(pubsub.ping()).resolves.toBeUndefined();
      expect(await redisSubscriberCount(topic)).toBe(1);

      await other.publish(topic, 'after the reconnect');
      expect(await take(feed, 1)).toEqual(['after the reconnect']);

      // The new connection is named again, so operators can still tell it apart in CLIENT LIST.
      const names = (await admin.clientList({ TYPE: 'PUBSUB' })).map((client) => client.name);
      expect(names).toContain(`${clientName}:subscriber`);
    });

    it('subscribes a topic whose first subscriber arrived while the connection was down', async () => {
      const clientName = `test-${randomUUID()}`;
      const pubsub = await open({ clientName });
      const topic = uniqueTopic('offline-join');
      let announce!: () => void;
      const reconnected = new Promise<void>((resolve) => (announce = resolve));
      pubsub.onReconnect(() => announce());

      const victim = (await admin.clientList({ TYPE: 'PUBSUB' })).find(
        (client) => client.name === `${clientName}:subscriber`,
      );
      // Not a pubsub connection yet (no topic): look among normal ones.
      const subscriber =
        victim ??
        (await admin.clientList({ TYPE: 'NORMAL' })).find((client) => client.name === `${clientName}:subscriber`);
      await admin.sendCommand(['CLIENT', 'KILL', 'ID', String(subscriber!.id)]);
      const feed = pubsub.subscribe<string>(topic);

      await withTimeout(Promise.all([reconnected, feed.ready]), 5000, 'waiting for the reconnect');
      await pubsub.publish(topic, 'made it');
      expect(await take(feed, 1)).toEqual(['made it']);
    });
  });
}
