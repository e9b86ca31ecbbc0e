import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { freshDatabase, gqlAt, spawnTownsquare, type TownsquareProcess } from '../support/process';
import { closeAll, tempDir, unique } from '../support/server';

/**
 * Several processes on one database (issue 12, point 13): instances starting together on an empty
 * PostgreSQL database seed the demo data once (under the migration lock) instead of crashing; a second
 * process on one embedded data folder is refused at start (the folder is locked), and a crashed first
 * process does not keep it locked.
 */

afterAll(closeAll);

const PASSWORD = 'correct horse battery staple';
const READY = (line: { msg: string }) => line.msg === 'Townsquare ready';

/** The environment of a real process: nothing inherited from jest but PATH. */
function processEnv(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    TOKEN_SECRET: 'instances-secret-instances-secret-0123',
    AUTH_RATE_LIMIT: '1000000',
    ...overrides,
  };
}

async function stop(proc: TownsquareProcess) {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

// A new database on the PostgreSQL server: defined only with DATABASE_URL (CI runs the suite with it), so nothing is
// skipped without it. (Embedded, the database belongs to one process, whose servers migrate one after another.)
if (process.env.DATABASE_URL) {
  describe('instances starting together on an empty PostgreSQL database', () => {
    it('all come up, and the demo data is there once', async () => {
      const url = await freshDatabase('townsquare_fresh_');

      const procs = [0, 1, 2].map(() =>
        spawnTownsquare(
          processEnv({
            DATABASE_URL: url,
            REDIS_URL: process.env.REDIS_URL,
            SEED_DEMO: 'true',
            DATA_DIR: tempDir('townsquare-fresh-'),
          }),
        ),
      );
      const ready = await Promise.all(procs.map((p) => p.waitForLog(READY, 120_000)));

      const seeded = procs.filter((p) => p.logs.some((l) => l.msg === 'demo data loaded'));
      const skipped = procs.filter((p) =>
        p.logs.some((l) => l.msg === 'demo data skipped' && l.reason === 'the database already has users'),
      );
      expect([seeded.length, skipped.length]).toEqual([1, 2]);
      const db = new PgClient({ connectionString: url });
      await db.connect();
      try {
        const { rows } =
          await db.query(`select (select count(*) from users where email = 'admin@townsquare.dev')::int as admins,
          (select count(*) from communities where slug = 'typescript')::int as typescript`);
        expect(rows[0]).toEqual({ admins: 1, typescript: 1 });
      } finally {
        await db.end();
      }
      for (const r of ready) {
        expect((await gqlAt(String(r.url), '{ community(slug: "typescript") { slug } }')).data.community).toEqual({
          slug: 'typescript',
        });
      }
      for (const proc of procs) expect(await stop(proc)).toEqual({ code: 0, signal: null });
    }, 240_000);
  });
}

// PGlite cannot start inside a jest test file (see tests/platform/lifecycle.test.ts): real processes, as users run them.
describe('one embedded data folder (DATA_DIR) and two processes', () => {
  it('refuses the second at start, naming DATA_DIR and the first one, and lets a new process in once the first has crashed', async () => {
    const dataDir = tempDir('townsquare-shared-');
    const env = processEnv({ DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir });
    const first = spawnTownsquare(env);
    const url = String((await first.waitForLog(READY, 120_000)).url);

    const second = spawnTownsquare(env);
    expect((await second.exited).code).toBe(78);
    expect(second.stderr).toMatch(
      new RegExp(
        `^DATA_DIR: the embedded database folder ${join(dataDir, 'pgdata')} is in use by another Townsquare process \\(pid ${first.child.pid} on `,
        'm',
      ),
    );
    expect(second.logs).not.toContainEqual(expect.objectContaining({ msg: 'embedded PostgreSQL (PGlite) started' }));

    // The first one serves on, its writes safe.
    const handle = unique('ada');
    const email = `${handle}@example.test`;
    const signedUp = await gqlAt(url, 'mutation($input: SignUpInput!) { signUp(input: $input) { token } }', {
      input: { handle, email, password: PASSWORD },
    });
    expect(signedUp.errors).toBeUndefined();

    // A crash leaves the lock file behind; the next process sees that its owner is gone.
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dataDir, 'pgdata.lock'))).toBe(true);
    const third = spawnTownsquare(env);
    const thirdUrl = String((await third.waitForLog(READY, 120_000)).url);
    const signIn = await gqlAt(
      thirdUrl,
      'mutation($input: SignInInput!) { signIn(input: $input) { user { handle } } }',
      { input: { email, password: PASSWORD } },
    );
    expect(signIn.data?.signIn.user.handle).toBe(handle);
    expect(await stop(third)).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, 'pgdata.lock'))).toBe(false);
  }, 300_000);
});
