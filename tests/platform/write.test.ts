/**
 * The one write path (issue 15, point 2): what a write publishes or runs after its commit happens
 * once the outermost transaction has committed, never before it and never after a rollback. Run on
 * the test server's own database and pub/sub (PGlite and in-process pub/sub, or PostgreSQL and
 * Redis under CI), with a table of its own.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../src/platform/database/sql';
import { write, type WriteDeps } from '../../src/platform/database/write';
import type { Logger } from '../../src/platform/logger';
import type { Subscription } from '../../src/platform/pubsub/pubsub';
import { closeAll, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let topicNo = 0;
const warnings: unknown[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await sql(
    server.app.db.orm.em.fork(),
    'create table if not exists write_probe (id serial primary key, label text not null unique)',
    [],
    'run',
  );
});
afterAll(() => closeAll());

/** A fresh EntityManager with the server's pub/sub, and a logger that keeps its warnings. */
function deps(): WriteDeps {
  const log = server.app.log.child({});
  const keeping = Object.create(log, {
    warn: { value: (...args: unknown[]) => warnings.push(args) },
  }) as Logger;
  return { em: server.app.db.orm.em.fork(), pubsub: server.app.pubsub, log: keeping };
}

interface Listener {
  topic: string;
  /** The next message, or 'nothing' if none arrives within `ms`. */
  next(ms?: number): Promise<{ label: string } | 'nothing'>;
  stop(): Promise<void>;
}

/** A topic of this test's own, subscribed to (and ready) before the write; messages are kept in order. */
async function listen(): Promise<Listener> {
  const topic = `test:write:${process.pid}:${++topicNo}`;
  const sub: Subscription<{ label: string }> = server.app.pubsub.subscribe<{ label: string }>(topic);
  await sub.ready;
  const received: { label: string }[] = [];
  let wake: (() => void) | undefined;
  void (async () => {
    for await (const message of sub) {
      received.push(message);
      wake?.();
    }
  })();
  return {
    topic,
    async next(ms = 1000) {
      if (!received.length) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return received.shift() ?? 'nothing';
    },
    stop: async () => void (await sub.return?.()),
  };
}

/** Whether another connection sees the probe row (i.e. it is committed). */
async function committed(label: string): Promise<boolean> {
  const rows = await sql<unknown[]>(server.app.db.orm.em.fork(), 'select 1 from write_probe where label = ?', [label]);
  return rows.length === 1;
}

const insertProbe = (tx: EntityManager, label: string) =>
  sql(tx, 'insert into write_probe (label) values (?)', [label], 'run');

let labelNo = 0;
const label = () => `probe-${process.pid}-${Date.now()}-${++labelNo}`;

it.each(['orm', 'sql'] as const)('publishes once the transaction has committed, not before (%s mode)', async (mode) => {
  const sub = await listen();
  const { topic } = sub;
  const name = label();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let seenBeforeCommit: unknown;
  const writing = write(
    deps(),
    async (tx, after) => {
      await insertProbe(tx, name);
      after.publish(topic, { label: name });
      await held;
      return name;
    },
    { mode },
  );
  // The transaction is open and its publish queued: nobody hears of it yet.
  seenBeforeCommit = await sub.next(300);
  release();
  await expect(writing).resolves.toBe(name);
  const message = await sub.next();
  expect(seenBeforeCommit).toBe('nothing');
  expect(message).toEqual({ label: name });
  // Heard only after the commit: a subscriber reading the row then finds it.
  expect(await committed(name)).toBe(true);
  expect(await sub.next(200)).toBe('nothing'); // once
  await sub.stop();
});

it('publishes nothing and runs no step for a write that rolls back', async () => {
  const sub = await listen();
  const { topic } = sub;
  const name = label();
  let ran = false;
  await expect(
    write(deps(), async (tx, after) => {
      await insertProbe(tx, name);
      after.publish(topic, { label: name });
      after.run(() => (ran = true));
      throw new Error('the write fails after its publish was queued');
    }),
  ).rejects.toThrow('the write fails');
  // A sentinel published afterwards is the first thing the subscriber hears.
  await server.app.pubsub.publish(topic, { label: 'sentinel' });
  expect(await sub.next()).toEqual({ label: 'sentinel' });
  expect(ran).toBe(false);
  expect(await committed(name)).toBe(false);
  await sub.stop();
});

it('a statement that fails publishes nothing (statement mode: a unique violation)', async () => {
  const sub = await listen();
  const { topic } = sub;
  const name = label();
  await write(deps(), (tx) => insertProbe(tx, name), { mode: 'statement' });
  await expect(
    write(
      deps(),
      async (tx, after) => {
        after.publish(topic, { label: 'duplicate' });
        await insertProbe(tx, name);
      },
      { mode: 'statement' },
    ),
  ).rejects.toThrow();
  await server.app.pubsub.publish(topic, { label: 'sentinel' });
  expect(await sub.next()).toEqual({ label: 'sentinel' });
  await sub.stop();
});

it('a nested write joins the outer one: its steps wait for the outer commit, and die with its rollback', async () => {
  const sub = await listen();
  const { topic } = sub;
  const inner = label();
  const outer = label();
  const order: string[] = [];
  await write(deps(), async (tx, after) => {
    await insertProbe(tx, outer);
    await write({ ...deps(), em: tx }, async (innerTx, innerAfter) => {
      expect(innerTx).toBe(tx); // the same transaction
      await insertProbe(innerTx, inner);
      innerAfter.publish(topic, { label: inner });
      innerAfter.run(() => order.push('inner step'));
    });
    // The inner write has returned, but the outer has not committed: nothing was published.
    expect(await sub.next(200)).toBe('nothing');
    after.run(() => order.push('outer step'));
  });
  expect(await sub.next()).toEqual({ label: inner });
  expect(order).toEqual(['inner step', 'outer step']);
  expect(await committed(inner)).toBe(true);

  const rolledBack = label();
  await expect(
    write(deps(), async (tx) => {
      await write({ ...deps(), em: tx }, async (innerTx, innerAfter) => {
        await insertProbe(innerTx, rolledBack);
        innerAfter.publish(topic, { label: rolledBack });
      });
      throw new Error('the outer write fails after the inner one returned');
    }),
  ).rejects.toThrow('the outer write fails');
  await server.app.pubsub.publish(topic, { label: 'sentinel' });
  expect(await sub.next()).toEqual({ label: 'sentinel' });
  expect(await committed(rolledBack)).toBe(false);
  await sub.stop();
});

it('a failing step is logged, not thrown: the write is committed and the later steps run', async () => {
  const sub = await listen();
  const { topic } = sub;
  const name = label();
  warnings.length = 0;
  await expect(
    write(deps(), async (tx, after) => {
      await insertProbe(tx, name);
      after.run(() => {
        throw new Error('leaderboards are down');
      });
      after.publish(topic, { label: name });
      return 'done';
    }),
  ).resolves.toBe('done');
  expect(await sub.next()).toEqual({ label: name });
  expect(warnings).toHaveLength(1);
  await sub.stop();
});

it('refuses to run inside a transaction it did not open (it could not see that commit)', async () => {
  await expect(
    server.app.db.orm.em
      .fork()
      .transactional((tx) => write({ ...deps(), em: tx }, async (_tx, after) => after.publish('test:write:never', {}))),
  ).rejects.toThrow('write() inside a transaction that was not opened by write()');
});
