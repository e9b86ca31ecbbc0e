/**
 * The production install (issue 16, points 1 and 2), the steps the Dockerfile runs, outside a
 * container: the repository's files copied to a temporary folder, `npm ci`, `npm run build`, then
 * `npm ci --omit=dev` (no dev dependencies left). With MIGRATE_ON_START=false an instance refuses a
 * database with pending migrations; `npm run migrate:status` lists them, `npm run migrate` applies
 * them. `npm start` then serves from dist/ without compiling; and with the sources removed (the
 * image holds dist/ alone) `node dist/src/main.js` serves too. Each drains on SIGTERM.
 * Slow (two installs): it runs once, in the pass against the real PostgreSQL and Redis.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { freshDatabase, gqlAt, spawnTownsquare, type LogLine, type TownsquareProcess } from '../support/process';
import { closeAll, tempDir } from '../support/server';

afterAll(closeAll);

const ROOT = resolve(__dirname, '../..');
const READY = (line: LogLine) => line.msg === 'Townsquare ready';

/** Runs a command in `cwd`; resolves with its output, rejects with it when it fails. */
function sh(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('close', (code) => {
      if (code === 0) resolvePromise({ stdout, stderr, code });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
    });
  });
}

/** Copies the repository's files (tracked, and new ones not ignored), as a clone would have them. */
function copyRepository(to: string): void {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(to, file));
  }
}

/** Serves one request and stops with SIGTERM (to the process group): the server drains and logs "shutdown complete". */
async function servesAndStops(app: TownsquareProcess): Promise<void> {
  const ready = await app.waitForLog(READY, 60_000);
  const answer = await gqlAt(String(ready.url), '{ communities(first: 1) { edges { node { id } } } }');
  expect(answer).toEqual({ data: { communities: { edges: [] } } });
  app.signal('SIGTERM');
  await app.exited;
  expect(app.logs.map((l) => l.msg)).toContain('shutdown complete');
}

describe('npm start on a built checkout', () => {
  it('compiles nothing when dist/ is newer than every source (what npm start and npm test run first)', () => {
    // `npm test` built dist/ before this file runs (pretest), so it is current here.
    const started = Date.now();
    const run = spawnSync(process.execPath, [join(ROOT, 'src/cli/build-if-stale.cjs')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  describe('the production install', () => {
    it('builds once, starts from dist/ with production dependencies only, and migrates as a step of its own', async () => {
      const dir = tempDir('townsquare-install-');
      copyRepository(dir);
      const npm = ['--no-audit', '--no-fund', '--prefer-offline'];
      await sh(dir, 'npm', ['ci', ...npm]);
      await sh(dir, 'npm', ['run', 'build']);
      await sh(dir, 'npm', ['ci', '--omit=dev', ...npm]);
      // Dev dependencies are gone (TypeScript stays: graphile-worker's cosmiconfig asks for it as a peer).
      for (const dev of ['jest', '@graphql-codegen/cli', 'oxlint'])
        expect([dev, existsSync(join(dir, 'node_modules', dev))]).toEqual([dev, false]);
      expect(existsSync(join(dir, 'dist/src/main.js'))).toBe(true);

      const env = {
        NODE_ENV: 'production',
        TOKEN_SECRET: 'install-secret-install-secret-0123456789',
        DATABASE_URL: await freshDatabase('install'),
        REDIS_URL: process.env.REDIS_URL,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        MIGRATE_ON_START: 'false',
        SHUTDOWN_DELAY_MS: '0',
      };
      // Pending migrations and MIGRATE_ON_START=false: refused, naming the command.
      const refused = spawnTownsquare(env, undefined, { cwd: dir, command: ['npm', 'start', '--silent'] });
      expect((await refused.exited).code).not.toBe(0);
      expect(refused.stderr).toMatch(
        /pending migrations? \(.*Migration\d+.*\) and MIGRATE_ON_START=false: run `npm run migrate` first/,
      );

      const before = await sh(dir, 'npm', ['run', '--silent', 'migrate:status'], env);
      expect(before.stdout).toMatch(/^applied: 0$/m);
      expect(before.stdout).toMatch(/^pending: [1-9]\d*$/m);
      expect(before.stdout).toMatch(/^job queue schema: pending$/m);
      await sh(dir, 'npm', ['run', '--silent', 'migrate'], env);
      const after = await sh(dir, 'npm', ['run', '--silent', 'migrate:status'], env);
      expect(after.stdout).toMatch(/^pending: 0$/m);
      expect(after.stdout).toMatch(/^job queue schema: installed$/m);

      // npm start: dist/ is current, nothing compiles.
      const started = spawnTownsquare(env, undefined, { cwd: dir, command: ['npm', 'start', '--silent'] });
      await servesAndStops(started);
      expect(started.stderr).not.toContain('Building dist/');

      // The image: dist/ and the production dependencies, no sources.
      for (const sources of ['src', 'migrations', 'seed', 'tests', 'bench']) {
        rmSync(join(dir, sources), { recursive: true, force: true });
      }
      const bare = spawnTownsquare(env, join(dir, 'dist/src/main.js'), { cwd: dir });
      await servesAndStops(bare);
      expect(await bare.exited).toEqual({ code: 0, signal: null });
    }, 600_000);
  });
}
