import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { fallbackReason, ReadReplicas } from '../../src/platform/database/replicas';
import { record } from '../support/subscription';
import {
  capturingLogger,
  closeAll,
  createCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * Read replicas (issue 16, point 3). The reads of HTTP queries outside transactions go to the
 * replicas (DATABASE_REPLICA_URLS); a member who just ran a mutation reads the primary for
 * DATABASE_REPLICA_STICKY_MS, on every instance (the mark is in Redis); subscriptions read the
 * primary; a replica that stops answering is taken out (its reads run on the primary, the instance
 * keeps serving) and put back once it answers and has caught up.
 *
 * In the real-services pass, against a streaming replica of the suite's own PostgreSQL, made here on
 * loopback: `pg_basebackup -R` (with a replication slot) into a temporary folder, a second postmaster
 * on a free port, `pg_wal_replay_pause()` to make it lag at will. The cluster must accept replication
 * connections from 127.0.0.1: .ci/run adds that pg_hba.conf line when it is missing.
 */

afterAll(closeAll);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms; rejects after `ms`, naming `what`. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A silent logger for the unit below. */
const quiet = () => capturingLogger('warn');

describe('ReadReplicas (the rotation, without a database)', () => {
  /** A real connection failure: node-postgres connecting to a port nobody listens on. */
  async function refused(): Promise<unknown> {
    const port = await freePort();
    const client = new PgClient({ host: '127.0.0.1', port });
    client.on('error', () => undefined);
    return client.connect().then(
      () => {
        throw new Error(`something listens on ${port}`);
      },
      (err: unknown) => err,
    );
  }

  it('spreads reads round robin over the replicas in rotation, and runs them on the primary when there is none', async () => {
    const replicas = new ReadReplicas(
      ['a', 'b', 'c'].map((name) => ({ name, connection: name })),
      async () => true,
      quiet().log,
    );
    onCleanup(() => replicas.close());
    const served: string[] = [];
    for (let i = 0; i < 6; i++)
      served.push(
        await replicas.read(
          async (c) => c,
          async () => 'primary',
        ),
      );
    expect(served).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(replicas.status().map((r) => [r.name, r.reads])).toEqual([
      ['a', 2],
      ['b', 2],
      ['c', 2],
    ]);
    const none = new ReadReplicas<string>([], async () => true, quiet().log);
    expect(none.available).toBe(false);
    expect(
      await none.read(
        async (c) => c,
        async () => 'primary',
      ),
    ).toBe('primary');
  });

  it('runs a read whose replica does not answer on the primary, takes the replica out, and puts it back once a probe finds it answering and caught up', async () => {
    const down = await refused();
    expect(fallbackReason(down)).toBe('down');
    let answers = false;
    let caughtUp = false;
    const probes: string[] = [];
    const { log, lines } = capturingLogger('info');
    const replicas = new ReadReplicas(
      [{ name: 'replica-1', connection: 'replica-1' }],
      async () => {
        probes.push(answers ? (caughtUp ? 'fit' : 'behind') : 'no answer');
        if (!answers) throw down;
        return caughtUp;
      },
      log,
      20,
    );
    onCleanup(() => replicas.close());

    expect(
      await replicas.read(
        async () => {
          throw down;
        },
        async () => 'primary',
      ),
    ).toBe('primary');
    expect(replicas.available).toBe(false);
    expect(replicas.status()[0]).toMatchObject({ up: false, reads: 1, fallbacks: { down: 1 } });
    // Out of rotation: reads go straight to the primary.
    expect(
      await replicas.read(
        async () => 'replica',
        async () => 'primary',
      ),
    ).toBe('primary');

    await waitFor(() => probes.length >= 2, 'two probes while it does not answer', 2000);
    answers = true; // answers, but has not replayed what the primary wrote: not yet
    await waitFor(() => probes.includes('behind'), 'a probe that finds it behind', 2000);
    expect(replicas.available).toBe(false);
    caughtUp = true;
    await waitFor(() => replicas.available, 'the replica back in rotation', 2000);
    expect(
      await replicas.read(
        async () => 'replica',
        async () => 'primary',
      ),
    ).toBe('replica');
    expect(lines.filter((l) => l.replica === 'replica-1').map((l) => l.msg)).toEqual([
      'read replica out of rotation: its reads go to the primary until it answers',
      'read replica back in rotation: it answers and has caught up',
    ]);
  });

  it("keeps a replica in for the read's own error, which is thrown, and runs a read cancelled by a recovery conflict on the primary", async () => {
    const replicas = new ReadReplicas([{ name: 'replica-1', connection: 'replica-1' }], async () => true, quiet().log);
    onCleanup(() => replicas.close());
    const syntax = Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' });
    await expect(
      replicas.read(
        async () => {
          throw syntax;
        },
        async () => 'primary',
      ),
    ).rejects.toBe(syntax);
    const conflict = Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' });
    expect(
      await replicas.read(
        async () => {
          throw conflict;
        },
        async () => 'primary',
      ),
    ).toBe('primary');
    expect(replicas.status()[0]).toMatchObject({ up: true, fallbacks: { down: 0, conflict: 1, read_only: 0 } });
  });
});

/** A TCP port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs one statement on `url` with a connection of its own. */
async function query<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new PgClient({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const run = promisify(execFile);
/** Replication slots this test makes are named `<prefix><epoch seconds>_<pid>`. */
const SLOT_PREFIX = 'townsquare_replica_test_';

/**
 * A streaming replica of the PostgreSQL at `primaryUrl`, started on a free loopback port: a base
 * backup with `-R` and a replication slot in a temporary folder, then its own postmaster. PostgreSQL
 * refuses to run as root: as root, everything runs as the `postgres` user, in a folder it owns.
 */
async function startReplica(primaryUrl: string) {
  const primary = new URL(primaryUrl);
  const [settings] = await query<Record<string, string>>(
    primaryUrl,
    `select current_setting('server_version_num') as version,
            (select count(*) from pg_hba_file_rules where 'replication' = any(database) and address = '127.0.0.1')::text as hba,
            current_setting('max_connections') as max_connections,
            current_setting('max_worker_processes') as max_worker_processes,
            current_setting('max_wal_senders') as max_wal_senders,
            current_setting('max_prepared_transactions') as max_prepared_transactions,
            current_setting('max_locks_per_transaction') as max_locks_per_transaction`,
  );
  if (settings.hba === '0')
    throw new Error(
      'PostgreSQL does not accept replication connections from 127.0.0.1: add `host replication all 127.0.0.1/32 trust` ' +
        'to its pg_hba.conf and reload (.ci/run does)',
    );
  const bin = process.env.PG_BIN ?? `/usr/lib/postgresql/${Math.floor(Number(settings.version) / 10000)}/bin`;
  if (!existsSync(join(bin, 'pg_basebackup')))
    throw new Error(`no pg_basebackup in ${bin}: install PostgreSQL's server binaries or set PG_BIN`);
  const root = process.getuid?.() === 0;
  /** Runs a PostgreSQL binary, as the postgres user when this process is root. */
  const pg = (name: string, args: string[]) =>
    root ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args]) : run(join(bin, name), args);

  // Slots of earlier runs that died before their cleanup (older than 10 minutes, unused) hold WAL forever: drop them.
  await query(
    primaryUrl,
    `select pg_drop_replication_slot(slot_name) from pg_replication_slots
      where slot_name like $1 and not active
        and split_part(substr(slot_name, length($1) + 1), '_', 1)::bigint < extract(epoch from now()) - 600`,
    [`${SLOT_PREFIX}%`],
  );
  const slot = `${SLOT_PREFIX}${Math.floor(Date.now() / 1000)}_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'townsquare-replica-'));
  const data = join(dir, 'data');
  const owner = root
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (!started) return;
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    started = false;
  };
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-w', '-t', '30', 'start']);
    started = true;
  };
  onCleanup(async () => {
    await stop().catch(() => undefined);
    // The slot can be dropped once the replica's walsender has exited.
    for (let i = 0; i < 50; i++) {
      await query(
        primaryUrl,
        'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active',
        [slot],
      );
      const [{ left }] = await query<{ left: number }>(
        primaryUrl,
        'select count(*)::int as left from pg_replication_slots where slot_name = $1',
        [slot],
      );
      if (left === 0) break;
      await sleep(100);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  await pg('pg_basebackup', [
    ...['-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username || 'postgres')],
    ...['-D', data, '-R', '-X', 'stream', '-C', '-S', slot, '--checkpoint=fast', '--no-sync'],
  ]);
  // Debian keeps the cluster's configuration outside its data folder: the replica gets its own. A hot
  // standby needs these limits at least as high as its primary's; fsync is off (a throwaway copy), so it
  // also skips syncing the copied folder when it starts.
  const write = (file: string, text: string) => {
    writeFileSync(file, text);
    if (owner) chownSync(file, owner.uid, owner.gid);
  };
  write(join(dir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  write(join(dir, 'pg_ident.conf'), '');
  write(
    join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      `hba_file = '${join(dir, 'pg_hba.conf')}'`,
      `ident_file = '${join(dir, 'pg_ident.conf')}'`,
      'hot_standby = on',
      'fsync = off',
      'shared_buffers = 32MB',
      ...[
        'max_connections',
        'max_worker_processes',
        'max_wal_senders',
        'max_prepared_transactions',
        'max_locks_per_transaction',
      ].map((name) => `${name} = ${settings[name]}`),
      '',
    ].join('\n'),
  );
  await start();

  /** The suite's database on the replica. */
  const url = Object.assign(new URL(primaryUrl), { port: String(port) }).toString();
  const replica = {
    url,
    port,
    stop,
    start,
    /** Resolves once the replica streams from the primary. */
    async streaming(): Promise<void> {
      await waitFor(
        async () =>
          (await query<{ status: string }>(url, 'select status from pg_stat_wal_receiver').catch(() => []))[0]
            ?.status === 'streaming',
        'the replica to stream from the primary',
        20_000,
      );
    },
    /** Resolves once the replica has replayed everything the primary has written now. */
    async caughtUp(): Promise<void> {
      const [{ lsn }] = await query<{ lsn: string }>(primaryUrl, 'select pg_current_wal_lsn()::text as lsn');
      await waitFor(
        async () =>
          (await query<{ ok: boolean }>(url, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [lsn]))[0].ok,
        'the replica to catch up',
      );
    },
    /** Stops replaying WAL: the replica keeps answering, with the data it had (it lags at will). */
    async pause(): Promise<void> {
      await query(url, 'select pg_wal_replay_pause()');
      await waitFor(
        async () =>
          (await query<{ state: string }>(url, 'select pg_get_wal_replay_pause_state() as state'))[0].state ===
          'paused',
        'replay to pause',
      );
    },
    async resume(): Promise<void> {
      await query(url, 'select pg_wal_replay_resume()');
      await replica.caughtUp();
    },
  };
  await replica.streaming();
  return replica;
}

/** Metrics as `series -> value` (`name{labels}` as printed). */
async function metrics(server: TestServer): Promise<Map<string, number>> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

// The suite's PostgreSQL and Redis: defined only with both (CI's real-services pass), so nothing is
// skipped without them. Without replication allowed from loopback or PostgreSQL's binaries, it fails.
if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  const STICKY_MS = 2500;
  const primaryUrl = process.env.TOWNSQUARE_TEST_DATABASE_URL!;

  describe('a streaming replica of the suite database', () => {
    let replica: Awaited<ReturnType<typeof startReplica>>;
    /** Two instances sharing the primary, the replica and Redis; `a` logs into `lines`. */
    let a: TestServer;
    let b: TestServer;
    let lines: Record<string, any>[];
    let alice: TestUser;
    let bob: TestUser;
    let community: { id: string; slug: string };
    let post: { id: string };
    let firstComment: { id: string; cursor: string };
    /** When the last set-up mutation ran: bob's own mark lasts STICKY_MS from then. */
    let setUpAt: number;

    const COMMUNITY = 'query ReplicaCommunity($slug: String!) { community(slug: $slug) { name } }';
    const POSTS =
      'query ReplicaPosts($slug: String!) { community(slug: $slug) { posts(first: 20) { edges { node { id title } } } } }';
    const titles = async (server: TestServer, token?: string) => {
      const res = await server.gql(POSTS, { slug: community.slug }, { token });
      expect(res.body.errors).toBeUndefined();
      return (res.body.data.community.posts.edges as { node: { title: string } }[]).map((e) => e.node.title);
    };
    const nameOf = async (server: TestServer, token?: string) => {
      const res = await server.gql(COMMUNITY, { slug: community.slug }, { token });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.community.name as string;
    };
    /** Renames the community straight on the primary, past the API (no mark, no event). */
    const renameOnPrimary = (name: string) =>
      query(primaryUrl, 'update communities set name = $1 where slug = $2', [name, community.slug]);

    beforeAll(async () => {
      replica = await startReplica(primaryUrl);
      const env = {
        DATABASE_REPLICA_URLS: replica.url,
        DATABASE_REPLICA_STICKY_MS: String(STICKY_MS),
        // What a read returns is the database's answer, not a kept one (the cache has its own tests).
        RESPONSE_CACHE_SECONDS: '0',
        JOB_CONCURRENCY: '0',
      };
      const captured = capturingLogger('info');
      lines = captured.lines;
      a = await startTestServer(env, { log: captured.log });
      b = await startTestServer(env);
      alice = await signUp(a, 'alice');
      bob = await signUp(b, 'bob');
      community = await createCommunity(a, alice, 'PUBLIC', 'Before');
      const joined = await b.gql(
        'mutation($c: ID!) { joinCommunity(communityId: $c) { outcome } }',
        { c: community.id },
        { token: bob.token },
      );
      expect(joined.body.errors).toBeUndefined();
      const created = await a.gql(
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { communityId: community.id, title: 'Set-up post', body: 'Hello.' } },
        { token: alice.token },
      );
      post = created.body.data.createPost;
      const commented = await a.gql(
        'mutation($input: AddCommentInput!) { addComment(input: $input) { id cursor } }',
        { input: { postId: post.id, body: 'First.' } },
        { token: alice.token },
      );
      firstComment = commented.body.data.addComment;
      setUpAt = Date.now();
      await replica.caughtUp();
    }, 60_000);

    it('sends the reads of HTTP queries outside transactions to the replica: a row written while it does not replay is not seen until it does', async () => {
      expect(await nameOf(b)).toBe('Before');
      const before = (await metrics(a)).get('townsquare_database_replica_reads_total{replica="replica-1"}') ?? 0;
      await replica.pause();
      await renameOnPrimary('After');
      expect((await query(primaryUrl, 'select name from communities where slug = $1', [community.slug]))[0]).toEqual({
        name: 'After',
      });
      // Anonymous, on both instances: what the replica has.
      expect(await nameOf(a)).toBe('Before');
      expect(await nameOf(b)).toBe('Before');
      expect((await metrics(a)).get('townsquare_database_replica_reads_total{replica="replica-1"}')).toBeGreaterThan(
        before,
      );
      await replica.resume();
      expect(await nameOf(a)).toBe('After');
      expect(await nameOf(b)).toBe('After');
    });

    it('lets a member read their own write at once, on every instance, while the replica lags; others see it once it replays, and the member reads the replica again after DATABASE_REPLICA_STICKY_MS', async () => {
      await sleep(Math.max(0, setUpAt + STICKY_MS + 200 - Date.now())); // bob's own marks have expired
      await replica.pause();
      const created = await a.gql(
        'mutation ReplicaCreatePost($input: CreatePostInput!) { createPost(input: $input) { id title } }',
        { input: { communityId: community.id, title: 'Written while the replica lags', body: 'Read it back.' } },
        { token: alice.token },
      );
      expect(created.body.errors).toBeUndefined();
      const wroteAt = Date.now();
      // The author, on the instance that wrote and on the other one (the mark is in Redis).
      expect(await titles(a, alice.token)).toContain('Written while the replica lags');
      expect(await titles(b, alice.token)).toContain('Written while the replica lags');
      // Anyone else reads the replica, which has not replayed it.
      expect(await titles(b, bob.token)).not.toContain('Written while the replica lags');
      expect(await titles(b)).not.toContain('Written while the replica lags');
      expect(Date.now() - wroteAt).toBeLessThan(STICKY_MS); // all of the above inside the window

      await sleep(Math.max(0, wroteAt + STICKY_MS + 200 - Date.now()));
      expect(await titles(b, alice.token)).not.toContain('Written while the replica lags');
      await replica.resume();
      expect(await titles(b, bob.token)).toContain('Written while the replica lags');
      expect(await titles(a, alice.token)).toContain('Written while the replica lags');
    });

    it('serves subscriptions from the primary: a comment written while the replica lags reaches a subscriber at once', async () => {
      await replica.pause();
      const feed = record<{ commentAdded: { id: string; body: string } }>(b.ws({ token: bob.token }), {
        query: 'subscription($p: ID!, $after: String) { commentAdded(postId: $p, after: $after) { id body } }',
        variables: { p: post.id, after: firstComment.cursor },
      });
      const added = await a.gql(
        'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
        { input: { postId: post.id, body: 'Written while the replica lags.' } },
        { token: alice.token },
      );
      expect(added.body.errors).toBeUndefined();
      await feed.until(() => feed.results.length === 1, 'the comment, read from the primary');
      expect(feed.results[0].data?.commentAdded).toEqual({
        id: added.body.data.addComment.id,
        body: 'Written while the replica lags.',
      });
      feed.stop();
      await replica.resume();
    });

    it('keeps serving when the replica goes away, from the primary, and reads from it again once it is back and caught up', async () => {
      await replica.stop();
      for (let i = 0; i < 3; i++) {
        expect(await nameOf(a)).toBe('After');
        expect(await nameOf(b)).toBe('After');
        expect(await titles(b, bob.token)).toContain('Set-up post');
      }
      const out = lines.find(
        (l) => l.msg === 'read replica out of rotation: its reads go to the primary until it answers',
      );
      expect(out).toMatchObject({ level: 40, replica: 'replica-1' });
      let samples = await metrics(a);
      expect(samples.get('townsquare_database_replica_up{replica="replica-1"}')).toBe(0);
      expect(
        samples.get('townsquare_database_replica_fallbacks_total{replica="replica-1",reason="down"}'),
      ).toBeGreaterThanOrEqual(1);
      // Readiness looks at the primary only.
      const ready = await fetch(`${a.baseUrl}/readyz`);
      expect(ready.status).toBe(200);

      await replica.start();
      await replica.streaming();
      await waitFor(
        async () =>
          (await metrics(a)).get('townsquare_database_replica_up{replica="replica-1"}') === 1 &&
          (await metrics(b)).get('townsquare_database_replica_up{replica="replica-1"}') === 1,
        'both instances to put the replica back in rotation',
        15_000,
      );
      expect(lines.find((l) => l.msg === 'read replica back in rotation: it answers and has caught up')).toMatchObject({
        level: 30,
        replica: 'replica-1',
      });
      samples = await metrics(a);
      const readsBefore = samples.get('townsquare_database_replica_reads_total{replica="replica-1"}')!;
      await replica.pause();
      await renameOnPrimary('Back');
      expect(await nameOf(a)).toBe('After');
      expect(await nameOf(b)).toBe('After');
      expect((await metrics(a)).get('townsquare_database_replica_reads_total{replica="replica-1"}')).toBeGreaterThan(
        readsBefore,
      );
      await replica.resume();
      expect(await nameOf(a)).toBe('Back');
    }, 40_000);
  });
}
