import { request } from 'node:http';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { freshDatabase, spawnTownsquare, type GqlBody, type LogLine, type TownsquareProcess } from '../support/process';
import { closeAll, onCleanup, tempDir, unique } from '../support/server';
import { record } from '../support/subscription';

/**
 * WEB_CONCURRENCY=N: `node dist/src/main.js` becomes a cluster primary whose N workers serve one port.
 * Real processes, as users run them: the primary migrates once, every worker comes up and answers, an
 * event crosses from one worker to another through Redis, a killed worker is replaced, SIGTERM drains
 * them all; without PostgreSQL and Redis to share, or with workers that cannot start, it refuses.
 */

afterAll(closeAll);

const PASSWORD = 'correct horse battery staple';
const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { handle } } }';
const CREATE_COMMUNITY = 'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }';
const JOIN = 'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }';
const LEAVE = 'mutation($id: ID!) { leaveCommunity(communityId: $id) }';
const MEMBER_JOINED = 'subscription($id: ID!) { memberJoined(communityId: $id) { user { handle } } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isReady = (line: LogLine) => line.msg === 'Townsquare ready';
/** Lines a worker wrote (they name it); the primary's own lines about a worker are told apart by msg. */
const fromWorker = (line: LogLine) => typeof line.worker === 'number' && line.pid === undefined;

/** The environment of a real process: nothing inherited from jest but PATH. */
function processEnv(overrides: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    DATA_DIR: tempDir('townsquare-cluster-'),
    TOKEN_SECRET: 'cluster-secret-cluster-secret-0123456789',
    AUTH_RATE_LIMIT: '1000000',
    WRITE_RATE_LIMITS: '*=1000000/60',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...overrides,
  };
}

/** Resolves once `count` lines match (waitForLog's own rules: rejects if the process exits first or after `ms`). */
async function untilLines(
  proc: TownsquareProcess,
  match: (line: LogLine) => boolean,
  count: number,
  ms = 60_000,
): Promise<LogLine[]> {
  await proc.waitForLog(() => proc.logs.filter(match).length >= count, ms);
  return proc.logs.filter(match);
}

describe('WEB_CONCURRENCY above 1 without DATABASE_URL and REDIS_URL', () => {
  // Which of the two is missing is told too: tests/platform/config.test.ts.
  it('exits 78 before forking anything, naming WEB_CONCURRENCY, DATABASE_URL and REDIS_URL', async () => {
    const proc = spawnTownsquare(processEnv({ WEB_CONCURRENCY: '2', DATABASE_URL: '', REDIS_URL: '' }));
    expect(await proc.exited).toEqual({ code: 78, signal: null });
    expect(proc.stderr).toMatch(
      /^ {2}WEB_CONCURRENCY: 2 worker processes need DATABASE_URL and REDIS_URL \(DATABASE_URL and REDIS_URL are unset\)/m,
    );
    expect(proc.logs).toEqual([]);
  });
});

describe('workers that cannot start', () => {
  it('are restarted with a growing delay, until 5 in a row have failed: then the primary gives up and exits 1', async () => {
    // Port 1: nothing listens there, so each worker fails to connect to Redis at start (after opening the database).
    const proc = spawnTownsquare(
      processEnv({
        WEB_CONCURRENCY: '3',
        DATABASE_URL: process.env.TOWNSQUARE_TEST_DATABASE_URL,
        REDIS_URL: 'redis://127.0.0.1:1',
      }),
    );
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    const restarted = proc.logs.filter((l) => l.msg === 'worker exited before it was ready: restarting it');
    expect(restarted.map((l) => [l.code, l.restartInMs])).toEqual([
      [1, 500],
      [1, 1000],
      [1, 2000],
      [1, 4000],
    ]);
    expect(proc.logs).toContainEqual(
      expect.objectContaining({
        msg: 'worker exited before it was ready, 5 times in a row: giving up',
        startFailures: 5,
      }),
    );
    // A restart already under way when the primary gives up is shut down, not left behind.
    const started = proc.logs.filter((l) => l.msg === 'worker started').map((l) => l.worker);
    const ended = proc.logs.filter((l) => l.msg.startsWith('worker exited')).map((l) => l.worker);
    expect(started.length).toBeGreaterThanOrEqual(5);
    expect([...ended].sort()).toEqual([...started].sort());
    expect(proc.logs.filter(isReady)).toEqual([]);
    expect(proc.logs.at(-1)).toMatchObject({ msg: 'shutdown complete', code: 1 });
    expect(proc.stderr).toContain('Cannot connect the pubsub publisher to Redis at REDIS_URL');
  }, 90_000);
});

// A new database on the PostgreSQL server, and Redis: defined only with both (CI runs the suite with them),
// so nothing is skipped without them.
if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  describe('WEB_CONCURRENCY=2 on a new PostgreSQL database, with Redis', () => {
    let proc: TownsquareProcess;
    let url: string;
    let workerIds: number[];

    /**
     * A GraphQL request on a connection of its own (no keep-alive), so the primary hands each to a
     * worker in turn. Which worker answered is read from its request log line, found by the request id.
     */
    async function post(
      query: string,
      variables: Record<string, unknown> = {},
      token?: string,
    ): Promise<{ body: GqlBody; worker: number }> {
      const id = unique('req');
      const payload = JSON.stringify({ query, variables });
      const body = await new Promise<GqlBody>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent: false,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              connection: 'close',
              'x-request-id': id,
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (res) => {
            let text = '';
            res
              .setEncoding('utf8')
              .on('data', (chunk: string) => (text += chunk))
              .on('end', () => resolve(JSON.parse(text) as GqlBody));
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
      const line = await proc.waitForLog(
        (l) => l.msg === 'request completed' && (l.req as { id?: string } | undefined)?.id === id,
      );
      return { body, worker: Number(line.worker) };
    }

    beforeAll(async () => {
      const databaseUrl = await freshDatabase('townsquare_cluster_');
      proc = spawnTownsquare(
        processEnv({
          WEB_CONCURRENCY: '2',
          DATABASE_URL: databaseUrl,
          REDIS_URL: process.env.REDIS_URL,
          SEED_DEMO: 'true',
        }),
      );
      const ready = await untilLines(proc, isReady, 2);
      url = String(ready[0].url);
      workerIds = ready.map((l) => Number(l.worker));
    }, 90_000);

    it('migrates and seeds once in the primary, then both workers come up on one port', async () => {
      const workersStarted = proc.logs.filter((l) => l.msg === 'worker started');
      const primaryPid = proc.child.pid;
      expect(proc.logs[0]).toMatchObject({ msg: 'cluster primary started', workers: 2, pid: primaryPid });
      expect(new Set(workerIds).size).toBe(2);
      expect(workersStarted.map((l) => l.worker).sort()).toEqual([...workerIds].sort());
      const pids = workersStarted.map((l) => l.pid);
      expect(new Set([primaryPid, ...pids]).size).toBe(3);
      expect(proc.logs.filter(isReady).map((l) => l.url)).toEqual([url, url]);
      expect(new URL(url).port).not.toBe('0');

      for (const msg of ['migrations applied', 'demo data loaded']) {
        const lines = proc.logs.filter((l) => l.msg === msg);
        expect(lines).toHaveLength(1);
        expect(lines[0].worker).toBeUndefined(); // the primary's
      }
      expect(proc.logs.filter((l) => l.msg === 'demo data skipped')).toEqual([]);
      await untilLines(proc, (l) => l.msg === 'all workers ready', 1);
    });

    it('hands connections to both workers', async () => {
      const answered: number[] = [];
      for (let i = 0; i < 6; i++) {
        const { body, worker } = await post('{ __typename }');
        expect(body).toEqual({ data: { __typename: 'Query' } });
        answered.push(worker);
      }
      expect(new Set(answered)).toEqual(new Set(workerIds));
      // The demo data the primary loaded is there for every worker.
      const { body } = await post('{ community(slug: "typescript") { slug } }');
      expect(body.data.community).toEqual({ slug: 'typescript' });
    });

    it('delivers to one socket the events of mutations answered by either worker (through Redis)', async () => {
      const signUp = async () => {
        const handle = unique('w');
        const { body } = await post(SIGN_UP, {
          input: { handle, email: `${handle}@example.test`, password: PASSWORD },
        });
        return { token: body.data.signUp.token as string, handle };
      };
      const owner = await signUp();
      const prober = await signUp();
      const joiners: { token: string; handle: string }[] = [];
      for (let i = 0; i < 6; i++) joiners.push(await signUp());
      const slug = unique('c').replace(/_/g, '-');
      const created = await post(
        CREATE_COMMUNITY,
        { input: { slug, name: 'Cluster', description: 'two workers', visibility: 'PUBLIC' } },
        owner.token,
      );
      const communityId: string = created.body.data.createCommunity.id;

      // One WebSocket, hence one worker.
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${owner.token}` },
        onNonLazyError: () => undefined,
      });
      onCleanup(() => client.dispose());
      const joined = record<{ memberJoined: { user: { handle: string } } }>(client, {
        query: MEMBER_JOINED,
        variables: { id: communityId },
      });
      const handles = () => joined.results.map((r) => r.data?.memberJoined.user.handle);

      // Live once it has delivered an event (Redis has its SUBSCRIBE then); the prober joins again if its join raced ahead.
      for (let attempt = 0; attempt < 50 && !handles().includes(prober.handle); attempt++) {
        await post(JOIN, { id: communityId }, prober.token);
        await sleep(100);
        if (!handles().includes(prober.handle)) await post(LEAVE, { id: communityId }, prober.token);
      }
      expect(handles()).toContain(prober.handle);

      // Each join on a connection of its own: both workers answer some, and the socket gets every one.
      const answeredBy: number[] = [];
      for (const joiner of joiners) {
        const { body, worker } = await post(JOIN, { id: communityId }, joiner.token);
        expect(body.data.joinCommunity.outcome).toBe('JOINED');
        answeredBy.push(worker);
      }
      expect(new Set(answeredBy)).toEqual(new Set(workerIds));
      await joined.until(() => joiners.every((j) => handles().includes(j.handle)), 'every join', 10_000);
      expect(joined.errorCodes()).toEqual([]);
    });

    it('replaces a worker killed with SIGKILL, on the same port', async () => {
      const [killed, survivor] = workerIds;
      const { pid } = proc.logs.find((l) => l.msg === 'worker started' && l.worker === killed)!;
      process.kill(Number(pid), 'SIGKILL');
      const exited = await proc.waitForLog((l) => l.msg === 'worker exited: restarting it' && l.worker === killed);
      expect(exited).toMatchObject({ pid, code: null, signal: 'SIGKILL', restartInMs: 500 });
      const started = await proc.waitForLog((l) => l.msg === 'worker started' && !workerIds.includes(Number(l.worker)));
      const replacement = Number(started.worker);
      expect(started.pid).not.toBe(pid);
      const ready = await proc.waitForLog((l) => isReady(l) && l.worker === replacement, 60_000);
      expect(ready.url).toBe(url);
      workerIds = [survivor, replacement];

      const answered = new Set<number>();
      for (let i = 0; i < 4; i++) answered.add((await post('{ __typename }')).worker);
      expect(answered).toEqual(new Set(workerIds));
    }, 90_000);

    it('on SIGTERM, shuts every worker down gracefully and exits 0', async () => {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      const complete = proc.logs.filter((l) => l.msg === 'shutdown complete');
      expect(
        complete
          .filter(fromWorker)
          .map((l) => l.worker)
          .sort(),
      ).toEqual([...workerIds].sort());
      expect(proc.logs.filter((l) => l.msg === 'worker exited').map((l) => [l.worker, l.code])).toEqual(
        expect.arrayContaining(workerIds.map((id) => [id, 0])),
      );
      // The primary's last line, after its workers'.
      expect(proc.logs.at(-1)).toMatchObject({ msg: 'shutdown complete', code: 0 });
      expect(proc.logs.at(-1)!.worker).toBeUndefined();
      expect(proc.stderr).toBe('');
    }, 30_000);
  });
}
