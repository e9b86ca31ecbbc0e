import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { freshDatabase, gqlAt, runCli, spawnTownsquare, type TownsquareProcess } from '../support/process';
import { closeAll, onCleanup, tempDir, unique } from '../support/server';

/**
 * Scale-out behind a real load balancer (issue 16, point 3): three instances (real processes on one
 * PostgreSQL database and one Redis) behind HAProxy from the OS packages, running deploy/haproxy.cfg
 * (leastconn, health checks on /readyz, WebSocket tunnels) moved to loopback, with checks every 500 ms
 * instead of 2 s so the test stays short. Subscribers and the writer go through
 * HAProxy only; every live comment reaches every subscriber exactly once, in order. One instance gets
 * SIGTERM mid-stream: HAProxy takes it out while /readyz fails (SHUTDOWN_DELAY_MS), it closes its
 * sockets with 1001, and its subscribers reconnect through HAProxy with the cursor of the last comment
 * they received, to the other two, missing nothing.
 */

afterAll(closeAll);

const PASSWORD = 'correct horse battery staple';
const SUBSCRIBERS = 30;
const COMMENTS = 60;
/** The real comment after which one instance gets SIGTERM. */
const STOP_AFTER = 20;
const WRITE_EVERY_MS = 80;
const SHUTDOWN_DELAY_MS = 1500;
/** How long a subscriber whose socket closed waits before it reconnects: comments written meanwhile come from the replay. */
const RECONNECT_DELAY_MS = 500;

const SIGN_UP = 'mutation BalancerSignUp($input: SignUpInput!) { signUp(input: $input) { token user { id } } }';
const CREATE_COMMUNITY =
  'mutation BalancerCreateCommunity($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }';
const CREATE_POST = 'mutation BalancerCreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }';
const ADD_COMMENT =
  'mutation BalancerAddComment($input: AddCommentInput!) { addComment(input: $input) { id body cursor } }';
const COMMENT_ADDED =
  'subscription BalancerCommentAdded($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { id body cursor } }';

interface Comment {
  id: string;
  body: string;
  cursor: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms; rejects after `ms`, naming `what` and what `describe` tells. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms: number, describe?: () => unknown) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}` + (describe ? `: ${JSON.stringify(describe())}` : ''),
      );
    await sleep(50);
  }
}

/** haproxy from the OS packages (Debian puts it in /usr/sbin, which a non-root PATH may lack). */
function haproxyPath(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    try {
      accessSync(join(dir, 'haproxy'), constants.X_OK);
      return join(dir, 'haproxy');
    } catch {
      // not here
    }
  }
  throw new Error('haproxy is not installed: `apt-get install haproxy` (.ci/run installs it)');
}

/**
 * deploy/haproxy.cfg for this test: its frontend on `127.0.0.1:<port>`, its three servers on the instances'
 * loopback addresses, checks every 500 ms (one failed check takes a server out, one passed puts it back),
 * a modest maxconn (no raised file limit needed) and an admin socket to read the servers' status from.
 * Everything else (leastconn, the /readyz check, timeouts, the WebSocket tunnel timeout) is kept.
 */
function haproxyConfig(port: number, servers: string[], adminSocket: string): string {
  const swap = (text: string, pattern: RegExp, replacement: string) => {
    if (!pattern.test(text)) throw new Error(`deploy/haproxy.cfg has no line matching ${pattern}`);
    return text.replace(pattern, replacement);
  };
  let cfg = readFileSync(resolve(__dirname, '../../deploy/haproxy.cfg'), 'utf8');
  cfg = swap(cfg, /^ {2}maxconn \d+$/m, `  maxconn 1000\n  stats socket ${adminSocket} mode 600 level admin`);
  cfg = swap(cfg, /^ {2}bind :\d+$/m, `  bind 127.0.0.1:${port}`);
  cfg = swap(cfg, /^ {2}default-server check .*$/m, '  default-server check inter 500ms fall 1 rise 1');
  cfg = swap(
    cfg,
    /^ {2}server townsquare-1 .*\n {2}server townsquare-2 .*\n {2}server townsquare-3 .*$/m,
    servers.map((address, i) => `  server townsquare-${i + 1} ${address}`).join('\n'),
  );
  return cfg;
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** HAProxy's view of each server of the `instances` backend (`show stat` on its admin socket): name to status. */
function haproxyStatus(socket: string): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const conn = createConnection(socket);
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => (text += chunk));
    conn.on('error', reject);
    conn.on('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const columns = header.replace(/^# /, '').split(',');
      const at = (name: string) => columns.indexOf(name);
      const status: Record<string, string> = {};
      for (const row of rows.map((r) => r.split(','))) {
        if (row[at('pxname')] === 'instances' && !['FRONTEND', 'BACKEND'].includes(row[at('svname')]))
          status[row[at('svname')]] = row[at('status')];
      }
      resolve(status);
    });
    conn.write('show stat\n');
  });
}

/** An instance's open WebSocket connections, from its /metrics (open outside production). */
async function websocketConnections(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^townsquare_websocket_connections (\d+)$/m.exec(text);
  if (!match) throw new Error(`no townsquare_websocket_connections in ${base}/metrics`);
  return Number(match[1]);
}

/**
 * One subscriber through the balancer: a graphql-ws client subscribed to `commentAdded(postId)`.
 * When its socket closes (or a connection attempt fails), it opens a new client subscribing with
 * `after:` the cursor of the last comment it received, as an application would.
 */
class Subscriber {
  readonly received: Comment[] = [];
  /** Close codes of the sockets that ended after their connection was acknowledged. */
  readonly closes: number[] = [];
  /** Connections acknowledged (connection_ack). */
  connections = 0;
  /** Connection attempts that failed before an acknowledgement. */
  failedAttempts = 0;
  /** The `after` of each subscription, in order (undefined: live only). */
  readonly afters: (string | undefined)[] = [];
  /** When each subscription after the first was opened (Date.now()), and how many comments had come by then. */
  readonly reopenedAt: number[] = [];
  readonly receivedBefore: number[] = [];
  /** Anything unexpected: GraphQL errors, completion, too many failed attempts. */
  problem: unknown;
  private client?: Client;
  private stopped = false;

  constructor(
    private readonly wsUrl: string,
    private readonly token: string,
    private readonly postId: string,
  ) {}

  open(): void {
    let acknowledged = false;
    const after = this.received.at(-1)?.cursor;
    if (this.afters.length) {
      this.reopenedAt.push(Date.now());
      this.receivedBefore.push(this.received.length);
    }
    this.afters.push(after);
    const client = createClient({
      url: this.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${this.token}` },
      on: {
        connected: () => {
          acknowledged = true;
          this.connections += 1;
        },
      },
    });
    this.client = client;
    client.subscribe<{ commentAdded: Comment }>(
      { query: COMMENT_ADDED, variables: { postId: this.postId, after } },
      {
        next: (result) => {
          if (result.errors || !result.data) this.problem ??= { errors: result.errors };
          else this.received.push(result.data.commentAdded);
        },
        error: (error) => {
          void client.dispose();
          if (this.stopped) return;
          const code = (error as { code?: unknown }).code;
          if (!acknowledged || typeof code !== 'number') {
            this.failedAttempts += 1;
            if (this.failedAttempts > 20) {
              this.problem ??= { failedAttempts: this.failedAttempts, last: String(error) };
              return;
            }
          } else {
            this.closes.push(code);
          }
          setTimeout(() => this.stopped || this.open(), acknowledged ? RECONNECT_DELAY_MS : 200);
        },
        complete: () => {
          this.problem ??= 'the subscription completed';
        },
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }
}

describe('the HAProxy configuration the test runs', () => {
  it('is deploy/haproxy.cfg on loopback with quicker checks: leastconn, the /readyz check and the tunnel timeout kept', () => {
    const cfg = haproxyConfig(4567, ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], '/tmp/admin.sock');
    const lines = cfg.split('\n').map((l) => l.trim());
    for (const kept of [
      'balance leastconn',
      'option httpchk GET /readyz',
      'http-check expect status 200',
      'timeout tunnel 1h',
    ])
      expect(lines).toContain(kept);
    expect(lines).toContain('bind 127.0.0.1:4567');
    expect(lines).toContain('default-server check inter 500ms fall 1 rise 1');
    expect(lines.filter((l) => l.startsWith('server '))).toEqual([
      'server townsquare-1 127.0.0.1:1',
      'server townsquare-2 127.0.0.1:2',
      'server townsquare-3 127.0.0.1:3',
    ]);
  });
});

// A new database on the PostgreSQL server, and Redis: defined only with both (CI runs the suite with them, with
// HAProxy installed by .ci/run), so nothing is skipped without them. Without haproxy there, it fails.
if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  describe('three instances behind HAProxy', () => {
    it('deliver every live comment to every subscriber once, in order, across a SIGTERM with reconnection by cursor', async () => {
      const haproxy = haproxyPath();
      const started = Date.now();
      const databaseUrl = await freshDatabase('townsquare_balancer_');
      const env = {
        NODE_ENV: 'development',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SEED_DEMO: 'false',
        DATABASE_URL: databaseUrl,
        REDIS_URL: process.env.REDIS_URL,
        MIGRATE_ON_START: 'false',
        TOKEN_SECRET: 'balancer-secret-balancer-secret-0123456',
        AUTH_RATE_LIMIT: '1000000',
        WRITE_RATE_LIMITS: '*=1000000/60',
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: '5000',
      };

      // Migrate once (as deploy/compose.yaml's one-off step), then three instances.
      const migrated = await runCli('migrate', [], { ...env, DATA_DIR: tempDir('townsquare-balancer-') });
      expect(migrated).toMatchObject({ code: 0 });
      const instances: TownsquareProcess[] = [1, 2, 3].map(() =>
        spawnTownsquare({ ...env, DATA_DIR: tempDir('townsquare-balancer-') }),
      );
      const bases = (
        await Promise.all(instances.map((p) => p.waitForLog((l) => l.msg === 'Townsquare ready', 60_000)))
      ).map((line) => new URL(String(line.url)).origin);

      // HAProxy in front, configured as deploy/haproxy.cfg but on loopback, with quick checks.
      const dir = tempDir('townsquare-haproxy-');
      const port = await freePort();
      const admin = join(dir, 'admin.sock');
      const config = join(dir, 'haproxy.cfg');
      writeFileSync(
        config,
        haproxyConfig(
          port,
          bases.map((base) => new URL(base).host),
          admin,
        ),
      );
      const balancer = spawn(haproxy, ['-f', config, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let balancerOutput = '';
      balancer.stdout.setEncoding('utf8').on('data', (chunk: string) => (balancerOutput += chunk));
      balancer.stderr.setEncoding('utf8').on('data', (chunk: string) => (balancerOutput += chunk));
      const balancerExited = new Promise((resolve) => balancer.once('close', resolve));
      onCleanup(async () => {
        if (balancer.exitCode === null && balancer.signalCode === null) balancer.kill('SIGTERM');
        await balancerExited;
      });
      const status = () => haproxyStatus(admin).catch(() => ({}) as Record<string, string>);
      let seen: Record<string, string> = {};
      await waitFor(
        async () => {
          seen = await status();
          return Object.values(seen).length === 3 && Object.values(seen).every((s) => s === 'UP');
        },
        'HAProxy to see the three instances up',
        15_000,
        () => ({ seen, balancerOutput }),
      );
      const httpUrl = `http://127.0.0.1:${port}/graphql`;
      const wsUrl = `ws://127.0.0.1:${port}/graphql`;

      // Set-up through the balancer: a writer, a public community and a post, a reader.
      const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
        const body = await gqlAt(httpUrl, query, variables, token);
        if (body.errors || !body.data) throw new Error(`${query.split('(')[0]}: ${JSON.stringify(body.errors)}`);
        return body.data;
      };
      const signUp = async (prefix: string) => {
        const handle = unique(prefix);
        return (await gql(SIGN_UP, { input: { handle, email: `${handle}@example.test`, password: PASSWORD } }))
          .signUp as { token: string };
      };
      const writer = await signUp('writer');
      const reader = await signUp('reader');
      const slug = unique('c').replace(/_/g, '-');
      const community = (
        await gql(
          CREATE_COMMUNITY,
          { input: { slug, name: 'Balanced', description: 'behind HAProxy', visibility: 'PUBLIC' } },
          writer.token,
        )
      ).createCommunity as { id: string };
      const postId = (
        await gql(
          CREATE_POST,
          { input: { communityId: community.id, title: 'Live thread', body: 'Talk here', tags: [] } },
          writer.token,
        )
      ).createPost.id as string;
      const written: Comment[] = [];
      const writtenAt = new Map<string, number>();
      const addComment = async (body: string) => {
        const comment = (await gql(ADD_COMMENT, { input: { postId, body } }, writer.token)).addComment as Comment;
        written.push(comment);
        writtenAt.set(comment.id, Date.now());
        return comment;
      };

      // The subscribers, one socket each, opened one after another: leastconn spreads them evenly.
      const subscribers: Subscriber[] = [];
      onCleanup(() => Promise.all(subscribers.map((s) => s.stop())).then(() => undefined));
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const subscriber = new Subscriber(wsUrl, reader.token, postId);
        subscribers.push(subscriber);
        subscriber.open();
        await waitFor(
          () => subscriber.connections === 1,
          `subscriber ${i} to connect`,
          10_000,
          () => subscriber,
        );
      }
      const spread = await Promise.all(bases.map(websocketConnections));
      expect(spread.reduce((a, b) => a + b, 0)).toBe(SUBSCRIBERS);
      for (const n of spread) expect(n).toBeGreaterThanOrEqual(SUBSCRIBERS / 3 - 2);

      // graphql-ws does not acknowledge a subscribe: probe comments until every subscriber has one.
      for (let probe = 1; !subscribers.every((s) => s.received.length > 0); probe++) {
        if (probe > 30) throw new Error(`subscribers never live: ${JSON.stringify(subscribers)}`);
        await addComment(`probe ${probe}`);
        await sleep(200);
      }
      const lastProbe = written.at(-1)!.id;
      await waitFor(
        () => subscribers.every((s) => s.received.at(-1)?.id === lastProbe),
        'every subscriber to receive the last probe',
        5000,
      );
      const probes = written.length;

      // The writer, at a steady pace through the balancer; one instance gets SIGTERM midway.
      const victim = 1;
      const onVictim = spread[victim];
      expect(onVictim).toBeGreaterThan(0);
      let stoppedAt = 0;
      for (let n = 1; n <= COMMENTS; n++) {
        await addComment(`comment ${n}`);
        if (n === STOP_AFTER) {
          instances[victim].signal('SIGTERM');
          stoppedAt = Date.now();
        }
        await sleep(WRITE_EVERY_MS);
      }
      const writingDone = Date.now();

      // HAProxy took the draining instance out, and its subscribers reconnected with their cursors.
      let exit: unknown;
      void instances[victim].exited.then((e) => (exit = e));
      await waitFor(() => exit !== undefined, 'the stopped instance to exit', 15_000);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(instances[victim].logs).toContainEqual(expect.objectContaining({ msg: 'shutdown complete' }));
      expect((await status())[`townsquare-${victim + 1}`]).toMatch(/^DOWN/);
      const moved = subscribers.filter((s) => s.closes.length > 0);
      expect(moved).toHaveLength(onVictim);
      for (const s of moved) {
        expect(s.closes).toEqual([1001]);
        expect(s.connections).toBe(2);
        // Mid-stream: with the cursor of a comment received before, while the writer was still writing.
        expect(s.afters[1]).toBeDefined();
        expect(s.reopenedAt[0]).toBeLessThan(writingDone);
      }

      // Every subscriber: everything written from its first probe on, once each, in order.
      const ids = written.map((c) => c.id);
      await waitFor(
        () => subscribers.every((s) => s.received.length >= ids.length - ids.indexOf(s.received[0]?.id)),
        'every subscriber to receive every comment',
        15_000,
        () => subscribers.map((s) => ({ received: s.received.length, problem: s.problem })),
      );
      await sleep(300); // anything extra (a duplicate) would arrive now
      for (const s of subscribers) {
        expect(s.problem).toBeUndefined();
        const first = ids.indexOf(s.received[0].id);
        expect(first).toBeGreaterThanOrEqual(0);
        expect(first).toBeLessThan(probes);
        expect(s.received.map((c) => c.id)).toEqual(ids.slice(first));
        expect(s.failedAttempts).toBe(0);
      }
      // The moved subscribers' replays: comments written before they resubscribed, received after.
      const replayed = moved.map(
        (s) => s.received.slice(s.receivedBefore[0]).filter((c) => writtenAt.get(c.id)! < s.reopenedAt[0]).length,
      );
      for (const n of replayed) expect(n).toBeGreaterThan(0);
      const stillOn = await Promise.all(bases.filter((_, i) => i !== victim).map(websocketConnections));
      expect(stillOn.reduce((a, b) => a + b, 0)).toBe(SUBSCRIBERS);

      // The writes went through the balancer to every instance (the stopped one until it was taken out).
      const writes = instances.map(
        (p) =>
          p.logs.filter((l) => (l.graphql as { operation?: string } | undefined)?.operation === 'BalancerAddComment')
            .length,
      );
      expect(writes.reduce((a, b) => a + b, 0)).toBe(written.length);
      for (const n of writes) expect(n).toBeGreaterThan(0);

      console.log(
        JSON.stringify({
          spread,
          writes,
          moved: moved.length,
          replayed,
          comments: written.length,
          msFromSigtermToReconnects: [
            Math.min(...moved.map((s) => s.reopenedAt[0])) - stoppedAt,
            Math.max(...moved.map((s) => s.reopenedAt[0])) - stoppedAt,
          ],
          msFromSigtermToWritesDone: writingDone - stoppedAt,
          msTotal: Date.now() - started,
        }),
      );
    }, 90_000);
  });
}
