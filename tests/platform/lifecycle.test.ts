import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { requestAt, spawnTownsquare } from '../support/process';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  tempDir,
  unique,
  type TestServer,
} from '../support/server';

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id handle } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { token user { handle isAdmin } } }`;
const COMMUNITY_SLUGS = `{ communities(first: 100) { edges { node { slug } } } }`;
const PASSWORD = 'correct horse battery staple';

afterAll(closeAll);

/** A temporary folder, removed in afterAll. */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens a TCP connection to the port; rejects with the socket error (e.g. ECONNREFUSED). */
function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves once nothing listens on the port any more (connections are refused). */
async function untilRefused(port: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      (await openSocket(port)).destroy();
    } catch (err) {
      const { code } = err as NodeJS.ErrnoException;
      if (code === 'ECONNREFUSED') return;
      // Accepted into the backlog just as the listener closed: not refused yet, try again.
      if (code !== 'ECONNRESET') throw err;
    }
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections after ${ms} ms`);
    await sleep(10);
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  json: any;
}

/**
 * One HTTP/1.1 connection written by hand, so the test decides when each byte reaches the server:
 * `Expect: 100-continue` tells exactly when a request is in flight, and a second request can be
 * sent on the same kept-alive connection after shutdown has begun (when new connections are refused).
 */
class HandWrittenHttp {
  private received = '';
  private closed = false;
  private readonly changed = new Set<() => void>();

  private constructor(private readonly socket: Socket) {
    // latin1 keeps one character per byte, so Content-Length can be counted in characters.
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.received += chunk;
      this.changed.forEach((f) => f());
    });
    socket.on('error', (err) => {
      this.received += `\n[socket error: ${err.message}]`;
    });
    socket.on('close', () => {
      this.closed = true;
      this.changed.forEach((f) => f());
    });
    onCleanup(() => {
      socket.destroy();
    });
  }

  static async open(port: number): Promise<HandWrittenHttp> {
    return new HandWrittenHttp(await openSocket(port));
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** Every complete response received so far, interim `100 Continue` ones included. */
  responses(): RawResponse[] {
    const out: RawResponse[] = [];
    let at = 0;
    for (;;) {
      const headEnd = this.received.indexOf('\r\n\r\n', at);
      if (headEnd < 0) return out;
      const [statusLine, ...headerLines] = this.received.slice(at, headEnd).split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const headers = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? 0);
      const bodyStart = headEnd + 4;
      if (this.received.length < bodyStart + length) return out;
      const body = Buffer.from(this.received.slice(bodyStart, bodyStart + length), 'latin1').toString('utf8');
      out.push({ status, headers, json: body ? JSON.parse(body) : undefined });
      at = bodyStart + length;
    }
  }

  /** Waits until `count` responses have arrived (or fails, showing what did). */
  waitForResponses(count: number, ms = 10_000): Promise<RawResponse[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const responses = this.responses();
        if (responses.length >= count) finish(() => resolve(responses));
        else if (this.closed)
          finish(() =>
            reject(new Error(`connection closed after ${responses.length} of ${count} responses:\n${this.received}`)),
          );
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`${count} responses not received within ${ms} ms:\n${this.received}`))),
        ms,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.changed.delete(check);
        settle();
      };
      this.changed.add(check);
      check();
    });
  }
}

describe('health and readiness probes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });

  it('answers /healthz with 200 and status ok', async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 once the database and pub/sub respond, naming the backends it checked', async () => {
    const res = await fetch(`${server.baseUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ready',
      database: { state: 'ok', embedded: false },
      pubsub: { state: 'ok', kind: process.env.REDIS_URL ? 'redis' : 'memory' },
    });
  });
});

describe('graceful shutdown of a running server', () => {
  it('lets a sign-up already in flight finish with 200 and its data, and reports 503 to a readiness probe arriving after stop() began', async () => {
    const server = await startTestServer();
    const http = await HandWrittenHttp.open(server.app.port);
    const handle = unique('late');
    const body = JSON.stringify({
      query: SIGN_UP,
      variables: { input: { handle, email: `${handle}@example.test`, password: PASSWORD } },
    });
    http.write(
      'POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    // "100 Continue" means the server has taken the request in: from here on it is in flight.
    const [interim] = await http.waitForResponses(1);
    expect(interim.status).toBe(100);

    const stopping = server.app.stop();
    await untilRefused(server.app.port);
    // The server no longer takes connections; on the one already open come the body (the sign-up runs
    // scrypt, ~100 ms) and then a readiness probe.
    http.write(`${body}GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const [, signedUp, readiness] = await http.waitForResponses(3);

    expect(signedUp.status).toBe(200);
    expect(signedUp.json.errors).toBeUndefined();
    expect(signedUp.json.data.signUp.user.handle).toBe(handle);
    expect(signedUp.json.data.signUp.token).toMatch(/^tsq_/);
    expect(readiness.status).toBe(503);
    expect(readiness.json).toEqual({ status: 'draining' });
    await stopping;

    // The sign-up was committed before the database closed: another server on the same database knows the account.
    const other = await startTestServer();
    const signIn = await other.gql(SIGN_IN, { input: { email: `${handle}@example.test`, password: PASSWORD } });
    expect(signIn.body.data.signIn.user.handle).toBe(handle);
  });

  it("closes an open subscription's WebSocket with 1001 Going Away", async () => {
    const server = await startTestServer();
    const owner = await signUp(server, 'owner');
    const ada = await signUp(server, 'ada');
    const community = await createCommunity(server, owner);

    const client = server.ws({ token: owner.token });
    const closeCode = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const joined: string[] = [];
    const ended = new Promise<unknown>((resolve) => {
      client.subscribe<{ memberJoined: { user: { handle: string } } }>(
        {
          query: 'subscription($id: ID!) { memberJoined(communityId: $id) { user { handle } } }',
          variables: { id: community.id },
        },
        {
          next: (r) => joined.push(r.data!.memberJoined.user.handle),
          error: resolve,
          complete: () => resolve('completed'),
        },
      );
    });
    // The subscription is live once it delivers an event; Ada joins again if her first join raced ahead of it.
    for (let attempt = 0; attempt < 20 && joined.length === 0; attempt++) {
      await joinCommunity(server, ada, community.id);
      await sleep(100);
      if (joined.length === 0) {
        await server.gql(
          'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
          { id: community.id },
          { token: ada.token },
        );
      }
    }
    expect(joined[0]).toBe(ada.user.handle);

    await server.app.stop();
    expect(await closeCode).toBe(1001);
    expect(await ended).toMatchObject({ code: 1001 });
  });

  it('refuses new connections once stopped, and stop() can be called again safely', async () => {
    const server = await startTestServer();
    const { port } = server.app;
    await expect(Promise.all([server.app.stop(), server.app.stop()])).resolves.toEqual([undefined, undefined]);
    await expect(server.app.stop()).resolves.toBeUndefined();
    await expect(openSocket(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(fetch(`${server.baseUrl}/healthz`)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });
});

/** The environment of a real process: nothing inherited from jest but PATH. */
function processEnv(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.TOWNSQUARE_TEST_DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'false',
    DATA_DIR: tempDir('townsquare-process-'),
    TOKEN_SECRET: 'process-secret-process-secret-0123456789',
    // With Redis the sign-up counter of 127.0.0.1 is shared with every other test server.
    AUTH_RATE_LIMIT: '1000000',
    ...overrides,
  };
}

/** Starts `node dist/src/main.js` and waits for its "Townsquare ready" line. */
async function startProcess(env: Record<string, string | undefined>) {
  const spawnedAt = Date.now();
  const proc = spawnTownsquare(env);
  const ready = await proc.waitForLog((line) => line.msg === 'Townsquare ready', 60_000);
  return {
    proc,
    url: String(ready.url),
    /** From spawn to the ready line, Node's own start-up and module loading included. */
    startMs: Date.now() - spawnedAt,
    /** What the server reports itself: startServer() from opening the database to listening. */
    readyMs: Number(ready.ms),
    /** SIGTERM, then the exit. */
    async stop() {
      proc.child.kill('SIGTERM');
      return proc.exited;
    },
  };
}

describe('the server process (node dist/src/main.js)', () => {
  it('serves until SIGTERM, then drains and exits 0 logging "shutdown complete"', async () => {
    const server = await startProcess(processEnv());
    const url = new URL(server.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);

    const handle = unique('proc');
    const res = await requestAt(server.url, SIGN_UP, {
      input: { handle, email: `${handle}@example.test`, password: PASSWORD },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.signUp.user.handle).toBe(handle);

    expect(await server.stop()).toEqual({ code: 0, signal: null });
    expect(server.proc.logs).toContainEqual(expect.objectContaining({ msg: 'signal received', signal: 'SIGTERM' }));
    expect(server.proc.logs.at(-1)).toMatchObject({ msg: 'shutdown complete' });
    expect(server.proc.stderr).toBe('');
  });

  it('refuses to start with an invalid environment, naming the bad variable on stderr', async () => {
    const proc = spawnTownsquare(processEnv({ PORT: 'abc' }));
    const exit = await proc.exited;
    expect(exit.code).toBe(78); // EX_CONFIG: a configuration error, not a crash
    expect(proc.stderr).toMatch(/^\s*PORT: /m);
    expect(proc.logs).toEqual([]);
  });

  it('exits 78 naming PORT when the port is taken, never logging ready', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const proc = spawnTownsquare(processEnv({ PORT: String(port) }));
    const exit = await proc.exited;
    expect(exit.code).toBe(78);
    expect(proc.stderr).toMatch(new RegExp(`^\\s*PORT: 127\\.0\\.0\\.1:${port} is already in use`, 'm'));
    expect(proc.logs).not.toContainEqual(expect.objectContaining({ msg: 'Townsquare ready' }));
  });
});

// PGlite cannot start inside a jest test file (it loads Node built-ins with dynamic import(), which
// jest's VM refuses without --experimental-vm-modules), so the embedded database is tested as users
// meet it: the real process with no DATABASE_URL, keeping its data under DATA_DIR/pgdata.
describe('the embedded database (no DATABASE_URL)', () => {
  it('migrates a new data folder, serves from it, and still has its users after a restart on the same folder', async () => {
    const env = processEnv({ DATABASE_URL: '' });
    const first = await startProcess(env);
    const readiness = await (await fetch(new URL('/readyz', first.url))).json();
    expect(readiness.database).toEqual({ state: 'ok', embedded: true });
    expect(first.proc.logs).toContainEqual(expect.objectContaining({ msg: 'migrations applied' }));
    const handle = unique('ada');
    const email = `${handle}@example.test`;
    const signedUp = await requestAt(first.url, SIGN_UP, { input: { handle, email, password: PASSWORD } });
    const { token, user } = signedUp.body.data.signUp;
    // PGlite's folder belongs to one process at a time: the first server lets go of it before the second opens it.
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const second = await startProcess(env);
    expect(second.proc.logs).not.toContainEqual(expect.objectContaining({ msg: 'migrations applied' }));
    const signIn = await requestAt(second.url, SIGN_IN, { input: { email, password: PASSWORD } });
    expect(signIn.body.data.signIn.user.handle).toBe(handle);
    const viewer = await requestAt(second.url, '{ viewer { id } }', {}, token);
    expect(viewer.body.data.viewer).toEqual({ id: user.id });
    expect(await second.stop()).toEqual({ code: 0, signal: null });

    // Start-up figures for the README.
    console.log(
      [
        'embedded PostgreSQL start (spawn to ready / startServer as logged):',
        `  new folder      ${first.startMs} ms / ${first.readyMs} ms`,
        `  existing folder ${second.startMs} ms / ${second.readyMs} ms`,
      ].join('\n'),
    );
  }, 120_000);
});

const DEMO_EVENTS = `query DemoEvents {
  community(slug: "typescript") {
    events(first: 10) { edges { node { title recurrence goingCount waitlistCount live chatMessages(last: 10) { edges { node { body } } } contest { phase entryCount } } } }
  }
}`;

const DEMO_INSIGHTS = `query DemoInsights($from: DateTimeISO!, $to: DateTimeISO!) {
  community(slug: "typescript") {
    insights(from: $from, to: $to, interval: WEEK) {
      computedThrough series { activeMembers newMembers departedMembers } topTags { tag } events { checkedIn }
      cohorts { retention }
    }
  }
}`;

const DEMO_POLLS = `query DemoPolls {
  community(slug: "typescript") {
    polls(first: 10) { edges { node { question kind anonymous closed totalVoters options { text votes voters(first: 5) { edges { node { handle } } } } winner { text } event { title } } } }
  }
}`;

const DEMO_PRIVATE_POLLS = `query DemoPrivatePolls {
  community(slug: "founders-circle") { polls(first: 10) { edges { node { question resultsVisible totalVoters options { votes } } } } }
}`;

const DEMO_MODERATION = `query DemoModeration { community(slug: "typescript") {
  rules(first: 10) { edges { node { title } } }
  autoModRules(first: 10) { edges { node { name action enabled } } }
  moderationQueue(first: 10) { edges { node { reportCount subjectUser { handle } } } }
  appeals(first: 10) { edges { node { status decision { action rule { title } } } } }
} }`;

describe('the demo seed (SEED_DEMO=true)', () => {
  const slugs = (res: { body: { data?: any } }) =>
    (res.body.data.communities.edges as { node: { slug: string } }[]).map((e) => e.node.slug);
  const demoLoaded = expect.objectContaining({ msg: 'demo data loaded' });

  it('fills an empty database once: an admin to sign in as, public and restricted communities listed for everyone, a private one for members', async () => {
    // A fresh embedded folder is the only database sure to be empty: the suite's shared one has other files' users.
    const env = processEnv({ DATABASE_URL: '', SEED_DEMO: 'true' });
    const first = await startProcess(env);
    expect(first.proc.logs).toContainEqual(demoLoaded);

    const admin = await requestAt(first.url, SIGN_IN, {
      input: { email: 'admin@townsquare.dev', password: 'townsquare-admin' },
    });
    expect(admin.body.data.signIn.user).toEqual({ handle: 'admin', isAdmin: true });
    const adminToken: string = admin.body.data.signIn.token;

    const anonymous = slugs(await requestAt(first.url, COMMUNITY_SLUGS));
    expect(anonymous).toEqual(expect.arrayContaining(['typescript', 'gardening', 'book-club'])); // book-club is RESTRICTED: listed
    expect(anonymous).not.toContain('founders-circle');
    const asAdmin = slugs(await requestAt(first.url, COMMUNITY_SLUGS, {}, adminToken));
    expect(asAdmin).toContain('founders-circle');
    // Events: a full recurring meetup with someone waiting, a live stream with its chat, a contest in its voting week.
    const events = await requestAt(first.url, DEMO_EVENTS);
    const byTitle = new Map(
      (events.body.data.community.events.edges as { node: any }[]).map((e) => [e.node.title, e.node]),
    );
    expect(byTitle.get('TypeScript Tuesday')).toMatchObject({
      recurrence: 'FREQ=WEEKLY;COUNT=12',
      goingCount: 3,
      waitlistCount: 1,
    });
    expect(byTitle.get('Live: type-level programming')).toMatchObject({ live: true });
    expect(byTitle.get('Live: type-level programming').chatMessages.edges).toHaveLength(5);
    expect(byTitle.get('Type trick of the month').contest).toEqual({ phase: 'VOTING', entryCount: 3 });
    // Polls: an open public one listing its voters, an anonymous ranked one on the meetup; a private one hiding its results.
    const polls = await requestAt(first.url, DEMO_POLLS);
    const [ranked, single] = (polls.body.data.community.polls.edges as { node: any }[]).map((e) => e.node);
    expect(single).toMatchObject({ kind: 'SINGLE', closed: false, totalVoters: 4 });
    expect(single.options.map((o: any) => o.votes)).toEqual([2, 2, 0, 0]);
    expect(single.options[0].voters.edges.map((e: any) => e.node.handle)).toEqual(['bob', 'carol']);
    expect(ranked).toMatchObject({
      kind: 'RANKED',
      anonymous: true,
      totalVoters: 4,
      winner: { text: 'Type-level parsers' },
      event: { title: 'TypeScript Tuesday' },
    });
    expect(ranked.options.map((o: any) => [o.votes, o.voters])).toEqual([
      [1, null],
      [0, null],
      [1, null],
      [2, null],
    ]);
    expect((await requestAt(first.url, DEMO_PRIVATE_POLLS)).body.data.community).toBeNull();
    const hidden = (await requestAt(first.url, DEMO_PRIVATE_POLLS, {}, adminToken)).body.data.community.polls.edges[0]
      .node;
    expect(hidden).toEqual({
      question: 'Where should the next offsite be?',
      resultsVisible: false,
      totalVoters: 2,
      options: [{ votes: null }, { votes: null }, { votes: null }],
    });
    // Moderation: rules, two AutoMod rules on, an open item with two reports, an appeal waiting.
    const moderation = await requestAt(first.url, DEMO_MODERATION, {}, adminToken);
    const demo = moderation.body.data.community;
    expect(demo.rules.edges.map((e: any) => e.node.title)).toEqual([
      'Be respectful',
      'No spam or self-promotion',
      'Stay on topic',
    ]);
    expect(demo.autoModRules.edges.map((e: any) => e.node)).toEqual([
      { name: 'Spam links', action: 'BLOCK', enabled: true },
      { name: 'Sales talk from new accounts', action: 'HOLD', enabled: true },
    ]);
    expect(demo.moderationQueue.edges).toHaveLength(1);
    expect(demo.moderationQueue.edges[0].node).toMatchObject({ reportCount: 2, subjectUser: { handle: 'dave' } });
    expect(demo.appeals.edges.map((e: any) => e.node)).toEqual([
      { status: 'PENDING', decision: { action: 'REMOVE', rule: { title: 'No spam or self-promotion' } } },
    ]);
    // Threads: each post's comment counts as the server keeps them (the seed derives them from its rows).
    for (const slug of ['typescript', 'gardening']) {
      const threads = await requestAt(
        first.url,
        `{ community(slug: "${slug}") { posts(first: 10) { nodes { commentCount
            comments(first: 20) { totalCount nodes { replyCount replies(first: 10) { totalCount nodes { id } } } } } } } }`,
      );
      expect(threads.body.errors).toBeUndefined();
      const posts = threads.body.data.community.posts.nodes as any[];
      expect(posts.some((p) => p.comments.totalCount > 0)).toBe(true);
      for (const post of posts) {
        expect(post.comments.totalCount).toBe(post.comments.nodes.length);
        for (const c of post.comments.nodes)
          expect([c.replyCount, c.replies.totalCount]).toEqual([c.replies.nodes.length, c.replies.nodes.length]);
      }
    }
    // Notifications: the demo's jobs (replies, badges, the removal under appeal) run once the server is up.
    const dave = await requestAt(first.url, SIGN_IN, {
      input: { email: 'dave@townsquare.dev', password: 'townsquare-demo' },
    });
    const daveToken: string = dave.body.data.signIn.token;
    let kinds: string[] = [];
    for (const started = Date.now(); !kinds.includes('MODERATION_DECISION') && Date.now() - started < 20_000;) {
      await new Promise((r) => setTimeout(r, 200));
      const inbox = await requestAt(
        first.url,
        '{ viewer { notifications(first: 20) { edges { node { kind } } } } }',
        {},
        daveToken,
      );
      kinds = inbox.body.data.viewer.notifications.edges.map((e: any) => e.node.kind);
    }
    expect(kinds).toContain('MODERATION_DECISION');
    // Insights: six months of history (seed/demo-history.ts), rolled up by the run the seed enqueued.
    const alice = await requestAt(first.url, SIGN_IN, {
      input: { email: 'alice@townsquare.dev', password: 'townsquare-demo' },
    });
    const aliceToken: string = alice.body.data.signIn.token;
    const range = { from: new Date(Date.now() - 182 * 86_400_000).toISOString(), to: new Date().toISOString() };
    let insights: any;
    for (const started = Date.now(); !insights?.computedThrough && Date.now() - started < 20_000;) {
      await new Promise((r) => setTimeout(r, 200));
      const res = await requestAt(first.url, DEMO_INSIGHTS, range, aliceToken);
      expect(res.body.errors).toBeUndefined();
      insights = res.body.data.community.insights;
    }
    expect(insights.computedThrough).not.toBeNull();
    const weeks = insights.series as { activeMembers: number; newMembers: number; departedMembers: number }[];
    const sum = (key: keyof (typeof weeks)[number]) => weeks.reduce((n, w) => n + w[key], 0);
    expect(weeks.filter((w) => w.activeMembers > 0).length).toBeGreaterThanOrEqual(15);
    expect(sum('newMembers')).toBeGreaterThanOrEqual(20);
    expect(sum('departedMembers')).toBeGreaterThanOrEqual(1);
    expect(Math.max(...weeks.map((w) => w.activeMembers))).toBeGreaterThanOrEqual(8);
    expect(insights.topTags.length).toBeGreaterThanOrEqual(8);
    expect(insights.events.filter((e: any) => e.checkedIn > 0).length).toBeGreaterThanOrEqual(3);
    expect(
      insights.cohorts.filter((c: any) => c.retention.some((share: number | null) => share! > 0)).length,
    ).toBeGreaterThanOrEqual(10);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    // The database has users now: a second start with SEED_DEMO=true leaves it as it is.
    const second = await startProcess(env);
    expect(second.proc.logs).not.toContainEqual(demoLoaded);
    expect(slugs(await requestAt(second.url, COMMUNITY_SLUGS, {}, adminToken))).toEqual(asAdmin);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  }, 120_000);
});
