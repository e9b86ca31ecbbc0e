/**
 * `sqlTransaction`, the light transaction of the hot writes (vote): what it writes commits together
 * or not at all, database errors keep the ORM's classes, and a failed transaction returns its
 * connection to the pool. Against the configured database (PostgreSQL in CI, else the embedded one).
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { sql, sqlTransaction } from '../../src/platform/database/sql';
import { closeAll, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
const table = `sql_transaction_test_${process.pid}`;

beforeAll(async () => {
  server = await startTestServer();
  await sql(server.app.db.orm.em.fork(), `create table ${table} (id int primary key, note text not null)`, [], 'run');
});
afterAll(async () => {
  await sql(server.app.db.orm.em.fork(), `drop table if exists ${table}`, [], 'run');
  await closeAll();
});

const ids = async () =>
  (await sql<{ id: number }[]>(server.app.db.orm.em.fork(), `select id from ${table} order by id`)).map((r) => r.id);

it('commits every statement of the function together', async () => {
  const em = server.app.db.orm.em.fork();
  const result = await sqlTransaction(em, async (tx) => {
    await sql(tx, `insert into ${table} values (?, ?)`, [1, 'one'], 'run');
    await sql(tx, `insert into ${table} values (?, ?)`, [2, 'two'], 'run');
    // Inside, the transaction sees its own writes. (Not read from outside meanwhile: the embedded
    // database runs one session, so another connection would wait for this transaction to end.)
    expect((await sql<unknown[]>(tx, `select 1 from ${table}`)).length).toBe(2);
    return 'done';
  });
  expect(result).toBe('done');
  expect(await ids()).toEqual([1, 2]);
});

it('writes nothing when the function throws, and rethrows its error', async () => {
  const em = server.app.db.orm.em.fork();
  const failure = new Error('changed my mind');
  await expect(
    sqlTransaction(em, async (tx) => {
      await sql(tx, `insert into ${table} values (?, ?)`, [3, 'three'], 'run');
      throw failure;
    }),
  ).rejects.toBe(failure);
  expect(await ids()).toEqual([1, 2]);
});

it('converts database errors as the ORM does and rolls back the statements before them', async () => {
  const em = server.app.db.orm.em.fork();
  await expect(
    sqlTransaction(em, async (tx) => {
      await sql(tx, `insert into ${table} values (?, ?)`, [4, 'four'], 'run');
      await sql(tx, `insert into ${table} values (?, ?)`, [1, 'one again'], 'run');
    }),
  ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  expect(await ids()).toEqual([1, 2]);
});

it('returns its connection to the pool after every failure', async () => {
  // More failed transactions than the pool has connections: a leak would leave the last ones waiting.
  for (let i = 0; i < 30; i++) {
    await expect(
      sqlTransaction(server.app.db.orm.em.fork(), async (tx) => {
        await sql(tx, `insert into ${table} values (?, ?)`, [1, 'duplicate'], 'run');
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  }
  await sqlTransaction(server.app.db.orm.em.fork(), (tx) =>
    sql(tx, `insert into ${table} values (?, ?)`, [5, 'five'], 'run'),
  );
  expect(await ids()).toEqual([1, 2, 5]);
});
