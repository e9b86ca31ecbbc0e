import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print } from 'graphql';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { fromGlobalId } from '../../src/platform/ids';
import { encodeCursor } from '../../src/platform/pagination';
import { spawnTownsquare } from '../support/process';
import {
  closeAll,
  createCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * Issue 12, point 2: `commentAdded(after:)` replays in pages, each read once the socket has taken
 * the previous one, so a replay of a long thread to slow readers holds a page per reader, not the
 * thread; comments that arrive during a replay are neither lost nor repeated, even when the reader
 * is too slow for its queue (which then sends it back to the database rather than dropping rows).
 */

const SEEDED = 20_000;
const COMMENT_ADDED =
  'subscription($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { id body } }';
const COMMENT_IDS =
  'subscription($postId: ID!, $after: String) { commentAdded(postId: $postId, after: $after) { id } }';
const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { id cursor } }';

afterAll(closeAll);

/**
 * A graphql-transport-ws client written by hand, so the test decides when it reads: `pause()`
 * stops reading the TCP socket, as a reader on a slow network would.
 */
class Reader {
  /** Comment ids received, in order. */
  readonly ids: number[] = [];
  failure: unknown;
  completed = false;
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'next') {
        if (message.payload.errors) this.failure = message.payload.errors;
        else this.ids.push(fromGlobalId('Comment', message.payload.data.commentAdded.id));
      } else if (message.type === 'error') this.failure = message.payload;
      else if (message.type === 'complete') this.completed = true;
      this.listeners.forEach((l) => l());
    });
    socket.on('close', (code) => {
      this.failure ??= { closed: code };
      this.listeners.forEach((l) => l());
    });
  }

  /** Connects, initialises and subscribes. */
  static async open(wsUrl: string, query: string, variables: Record<string, unknown>): Promise<Reader> {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    onCleanup(() => socket.terminate());
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise((resolve) => socket.once('message', resolve));
    const reader = new Reader(socket);
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
    return reader;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves once `n` comments have arrived; rejects on a failure or after `ms`. */
  received(n: number, ms = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.ids.length >= n) done(resolve);
        else if (this.failure !== undefined || this.completed)
          done(() => reject(new Error(`the subscription ended: ${JSON.stringify(this.failure)}`)));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${this.ids.length} of ${n} comments after ${ms} ms`))),
        ms,
      );
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }
}

/** A PUBLIC community's post by a fresh owner, with one comment whose cursor starts the replays. */
async function thread(gql: TestServer['gql']) {
  const ownerServer = { gql } as TestServer;
  const owner = await signUp(ownerServer, 'owner');
  const community = await createCommunity(ownerServer, owner);
  const post = await gql(
    'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
    { input: { communityId: community.id, title: 'A long thread', body: 'Everyone has something to say' } },
    { token: owner.token },
  );
  const postId: string = post.body.data.createPost.id;
  const first = await gql(ADD_COMMENT, { input: { postId, body: 'the cursor' } }, { token: owner.token });
  return { owner, postId, cursor: first.body.data.addComment.cursor as string };
}

/**
 * Inserts `count` comments by the post's author in one statement; each body is `seed <n>` padded to
 * `bodyChars`. Then refreshes the table's statistics, as autovacuum would soon do: with none, the
 * planner takes the post for a few rows and sorts all of them for each page.
 */
async function seedComments(
  run: (sql: string, params: unknown[]) => Promise<unknown>,
  postId: string,
  count: number,
  bodyChars: number,
) {
  await run(
    `insert into comments (post_id, author_id, body, body_html)
     select p.id, p.author_id, b.text, '<p>' || b.text || '</p>'
       from posts p, generate_series(1, ?::int) g, lateral (select rpad('seed ' || g || ' ', ?::int, 'x') as text) b
      where p.id = ? order by g`,
    [count, bodyChars, fromGlobalId('Post', postId)],
  );
  await run('analyze comments', []);
  // 20,000 rows would weigh on the suite's other tests (the database is shared): gone after the file.
  onCleanup(async () => {
    await run('delete from comments where post_id = ?', [fromGlobalId('Post', postId)]);
  });
}

/** The post's comment ids after the cursor's, as the database has them. */
async function commentIdsAfter(
  run: (sql: string, params: unknown[]) => Promise<unknown>,
  postId: string,
  afterCursorId: number,
): Promise<number[]> {
  const rows = (await run('select id from comments where post_id = ? and id > ? and deleted_at is null order by id', [
    fromGlobalId('Post', postId),
    afterCursorId,
  ])) as { id: number }[];
  return rows.map((r) => r.id);
}

function cursorId(cursor: string): number {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString())[0];
}

async function addComment(gql: TestServer['gql'], as: TestUser, postId: string, body: string) {
  const res = await gql(ADD_COMMENT, { input: { postId, body } }, { token: as.token });
  expect(res.body.errors).toBeUndefined();
  return res.body.data.addComment as { id: string; cursor: string };
}

describe('commentAdded(after:) over a long thread (issue 12, point 2)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  const run = (sql: string, params: unknown[]) => server.app.db.orm.em.fork().getConnection().execute(sql, params);

  it('replays 20,000 comments in order to a reader paused mid-way, then what was added meanwhile, each once', async () => {
    const { owner, postId, cursor } = await thread(server.gql);
    // Bodies of 1 KB: the paused reader's socket buffers fill up long before the replay ends.
    await seedComments(run, postId, SEEDED, 1_000);

    const reader = await Reader.open(server.wsUrl, COMMENT_ADDED, { postId, after: cursor });
    // Only live comments: it tells when the server's feed of the post has read what comes next.
    const live = await Reader.open(server.wsUrl, COMMENT_IDS, { postId });
    await reader.received(2_000);
    reader.pause();

    // While it does not read: 600 more comments than its queue holds (500 rows), written at once
    // as a burst would be, then one through the API, whose notification wakes the feed.
    await seedComments(run, postId, 600, 40);
    await untilStreaming(live, () => addComment(server.gql, owner, postId, 'probe'));
    await addComment(server.gql, owner, postId, 'added while paused');
    reader.resume();

    const expected = await commentIdsAfter(run, postId, cursorId(cursor));
    expect(expected.length).toBeGreaterThan(SEEDED + 600);
    await reader.received(expected.length, 60_000);
    // Anything repeated late would come before this one.
    const last = await addComment(server.gql, owner, postId, 'the end');
    await reader.received(expected.length + 1);
    expect(reader.ids).toEqual([...expected, fromGlobalId('Comment', last.id)]);
    expect(reader.failure).toBeUndefined();
  }, 120_000);
});

/** Adds comments (`add`) until a live-only reader has one: its subscription is then running. */
async function untilStreaming(reader: Reader, add: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    await add();
    if (
      await reader.received(1, 500).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  throw new Error('the live reader never received a comment');
}

/** Resident memory of a process, in MiB (Linux). */
function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

const redisUrl = process.env.REDIS_URL;
const databaseUrl = process.env.TOWNSQUARE_TEST_DATABASE_URL;

// A separate server process, so that its memory is its own: heavy, so it runs once in CI, against
// the real services. Defined only with REDIS_URL, so nothing is skipped without it.
if (redisUrl) {
  describe('memory of replays to slow readers (issue 12, point 2)', () => {
    /**
     * The ceiling: 20,000 comments of 2 KB (plus their 2 KB of HTML) weigh 80 MB as text, so four
     * readers replaying them whole would hold over 320 MB (measured before the fix: +407 MB). Paged,
     * each reader holds one page (100 rows, 400 KB) and its socket's 64 KiB; 64 MB over the
     * baseline leaves room for the heap's own growth on a loaded machine (measured: about +16 MB).
     */
    const CEILING_MB = 64;
    const READERS = 4;

    it(`keeps the server within ${CEILING_MB} MB of its baseline while ${READERS} paused readers replay 20,000 comments of 4 KB`, async () => {
      const pg = new PgClient({ connectionString: databaseUrl });
      await pg.connect();
      onCleanup(() => pg.end());
      const run = async (sql: string, params: unknown[]) => {
        let n = 0;
        return (
          await pg.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows;
      };
      const proc = spawnTownsquare({
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        LOG_LEVEL: 'info',
        SEED_DEMO: 'false',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'townsquare-replay-')),
        TOKEN_SECRET: 'replay-secret-replay-secret-0123456789',
        AUTH_RATE_LIMIT: '1000000',
      });
      const url = String((await proc.waitForLog((line) => line.msg === 'Townsquare ready', 60_000)).url);
      const wsUrl = url.replace(/^http/, 'ws');
      const gql: TestServer['gql'] = async (query, variables, opts = {}) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          },
          body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
        });
        return { status: res.status, headers: res.headers, body: await res.json(), sqlStatements: NaN };
      };
      const { postId, cursor } = await thread(gql);
      await seedComments(run, postId, SEEDED, 2_000);
      const expected = await commentIdsAfter(run, postId, cursorId(cursor));

      // Warm-up before the baseline (pools, JIT): a reader that reads the last 2,000, once each, in order.
      const tail = expected.slice(-2_000);
      const reader = await Reader.open(wsUrl, COMMENT_IDS, { postId, after: encodeCursor([expected.at(-2_001)!]) });
      await reader.received(tail.length);
      expect(reader.ids).toEqual(tail);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const baseline = rssMb(proc.child.pid!);

      const slow = await Promise.all(
        Array.from({ length: READERS }, () => Reader.open(wsUrl, COMMENT_ADDED, { postId, after: cursor })),
      );
      slow.forEach((r) => r.pause());
      let peak = baseline;
      for (const until = Date.now() + 8_000; Date.now() < until;) {
        peak = Math.max(peak, rssMb(proc.child.pid!));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // On failure this shows by how much the server grew (MiB).
      expect(Math.round(peak - baseline)).toBeLessThanOrEqual(CEILING_MB);
    }, 90_000);
  });
}
