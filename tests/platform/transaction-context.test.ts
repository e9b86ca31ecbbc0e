/**
 * MikroORM's transaction context (an AsyncLocalStorage) is on only while a transaction is in flight:
 * on Node 20 an AsyncLocalStorage that has run once keeps its promise hooks on for the whole process,
 * which every later request paid for (see `releaseTransactionContextWhenIdle`). Transactions still
 * see their context from start to end, however they overlap and whether they commit or roll back.
 */
import { TransactionContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openTransactions } from '../../src/platform/database/transaction-context';
import { closeAll, createCommunity, signUp, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
const em = () => server.app.db.orm.em.fork();
/** Node's own flag on an AsyncLocalStorage: whether its hooks are on. */
const storageOn = () => (TransactionContext as unknown as { storage: { enabled: boolean } }).storage.enabled;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => closeAll());

/** Resolves once `release` is called, so tests can hold a transaction open. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { opened, release };
}

/**
 * Waits until no transaction is open and the storage is off. The server in this process also runs
 * transactions of its own now and then (background work), so "off" is checked as the state it
 * returns to, not at one instant.
 */
async function eventuallyOff(ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (openTransactions() > 0 || storageOn()) {
    if (Date.now() > deadline)
      throw new Error(`still on after ${ms} ms: ${openTransactions()} transaction(s) open, storage ${storageOn()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('is off once the server has started (its migrations ran in transactions)', async () => {
  await eventuallyOff();
});

it('is on while transactions overlap, keeps each one its context, and is off once the last settles', async () => {
  const a = gate();
  const b = gate();
  const seen: Record<string, EntityManager | undefined> = {};
  try {
    const first = em().transactional(async (tx) => {
      await a.opened;
      seen.a = TransactionContext.getEntityManager(tx.name) as EntityManager | undefined;
      return tx;
    });
    const second = em().transactional(async (tx) => {
      await b.opened;
      seen.b = TransactionContext.getEntityManager(tx.name) as EntityManager | undefined;
      return tx;
    });
    expect(openTransactions()).toBeGreaterThanOrEqual(2);
    expect(storageOn()).toBe(true);
    a.release();
    const txA = await first;
    // The first one settled: the second, still open, runs inside its own context.
    expect(openTransactions()).toBeGreaterThanOrEqual(1);
    expect(storageOn()).toBe(true);
    b.release();
    const txB = await second;
    expect(seen.a).toBe(txA);
    expect(seen.b).toBe(txB);
  } finally {
    // Never leave a transaction open (the embedded database would wait for it).
    a.release();
    b.release();
  }
  await eventuallyOff();
});

it('is off again after a transaction that rolls back, and on again for the next one', async () => {
  await expect(
    em().transactional(async () => {
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  await eventuallyOff();
  const inside = await em().transactional(async (tx) => TransactionContext.getEntityManager(tx.name) === tx);
  expect(inside).toBe(true);
  await eventuallyOff();
});

it('is off after mutations over HTTP', async () => {
  const owner = await signUp(server, 'ctx');
  const community = await createCommunity(server, owner);
  expect(community.id).toBeTruthy();
  await eventuallyOff();
});
