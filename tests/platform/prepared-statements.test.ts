/**
 * `fastSql` runs its statements as named prepared statements on PostgreSQL (parsed and planned
 * once per connection) and inlines their values on the embedded PGlite, whose socket server cannot
 * keep two connections' extended-protocol messages apart. A prepared `select *` whose table gains a
 * column (another instance migrating during a rolling deploy) is prepared again rather than failing.
 * Against the configured database (PostgreSQL in CI, else the embedded one).
 */
import { fastSql, sql, sqlTransaction } from '../../src/platform/database/sql';
import { closeAll, startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let pglite: boolean;
const table = `prepared_test_${process.pid}`;
const em = () => server.app.db.orm.em.fork();

beforeAll(async () => {
  server = await startTestServer();
  const [{ version }] = await sql<{ version: string }[]>(em(), 'select version() as version');
  pglite = /PGlite/i.test(version);
  await sql(em(), `create table ${table} (id int primary key, note text not null)`, [], 'run');
  await sql(em(), `insert into ${table} values (1, 'one'), (2, 'two')`, [], 'run');
});
afterAll(async () => {
  await sql(em(), `drop table if exists ${table}`, [], 'run');
  await closeAll();
});

it('prepares a statement once per connection on PostgreSQL, and inlines its values on PGlite', async () => {
  const text = `select note from ${table} where id = $1`;
  const prepared = await sqlTransaction(em(), async (tx) => {
    // One connection for the whole function: the statement, then what that session has prepared.
    expect(await fastSql(tx, text, [1])).toEqual([{ note: 'one' }]);
    expect(await fastSql(tx, text, [2])).toEqual([{ note: 'two' }]);
    return sql<{ n: number }[]>(tx, 'select count(*)::int as n from pg_prepared_statements where statement = ?', [
      text,
    ]);
  });
  expect(prepared).toEqual([{ n: pglite ? 0 : 1 }]);
});

it('still answers a prepared select * after the table gains a column, with the new column', async () => {
  const text = `select * from ${table} where id = $1`;
  // Several at once, so that several pooled connections hold the statement prepared.
  const before = await Promise.all([1, 2, 1, 2].map((id) => fastSql(em(), text, [id])));
  expect(before.map((rows) => rows[0].note)).toEqual(['one', 'two', 'one', 'two']);
  await sql(em(), `alter table ${table} add column added text not null default 'new'`, [], 'run');
  const after = await Promise.all([1, 2, 1, 2, 1, 2].map((id) => fastSql(em(), text, [id])));
  expect(after.map((rows) => rows[0])).toEqual(
    [1, 2, 1, 2, 1, 2].map((id) => ({ id, note: id === 1 ? 'one' : 'two', added: 'new' })),
  );
});

it('prepares nothing with DATABASE_PREPARED_STATEMENTS=false (behind a pooler in transaction mode)', async () => {
  const unprepared = await startTestServer({ DATABASE_PREPARED_STATEMENTS: 'false' });
  const text = `select note from ${table} where id = $1 and note <> 'unprepared'`;
  const prepared = await sqlTransaction(unprepared.app.db.orm.em.fork(), async (tx) => {
    expect(await fastSql(tx, text, [1])).toEqual([{ note: 'one' }]);
    return sql<{ n: number }[]>(tx, 'select count(*)::int as n from pg_prepared_statements where statement = ?', [
      text,
    ]);
  });
  expect(prepared).toEqual([{ n: 0 }]);
});
