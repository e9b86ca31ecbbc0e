/**
 * What bench:feed and bench:comments share: the database they run against, the large community
 * (seed-large.js), session tokens, the server child process and a few measurements.
 *
 * Database, in this order:
 * - DATABASE_URL if set (never dropped; the large community is reused when already seeded);
 * - BENCH_EMBEDDED=1: the embedded PGlite in a data folder (single-threaded: not what production runs);
 * - otherwise the local PostgreSQL (BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres):
 *   a fresh database created for the run and dropped after it.
 * BENCH_KEEP=1 keeps the bench database (`townsquare_bench`, or the folder `.townsquare/bench`) for the
 * next run, which then skips seeding. REDIS_URL, when set, is handed to the server.
 *
 * The peer (`--peer` of bench:feed and bench:ops): PostGraphile 4, installed on demand into the
 * bench-only folder bench/peer/ (ensurePeer) and started as a child on the same database (startPeer).
 * Each server's PostgreSQL connections carry their own application_name (PGAPPNAME), so the CPU
 * of one server's backends can be told from the other's (cpuMeter).
 */
require('reflect-metadata');
const { fork, spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, rmSync, mkdtempSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const MIGRATE = join(ROOT, 'dist', 'src', 'cli', 'migrate.js');
const { hashSecret, newSecret, TOKEN_PREFIX } = require(
  join(ROOT, 'dist', 'src', 'modules', 'identity', 'credentials.js'),
);

/** Progress on stderr, so stdout holds only the figures. */
const progress = (text) => process.stderr.write(`${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads one value of a `--name=value` flag or of an environment variable. */
function option(name, env, fallback) {
  const flag = process.argv.findLast((a) => a.startsWith(`--${name}=`)); // the last wins: `npm run x -- --n=…` overrides a script's own
  if (flag) return flag.slice(name.length + 3);
  return process.env[env] || fallback;
}

/** A pg-like client (`query(text, params) → { rows }`) on a PostgreSQL URL. */
async function pgClient(url) {
  const client = new Client({ connectionString: url });
  await client.connect();
  return { query: (text, params) => client.query(text, params), close: () => client.end() };
}

/** A pg-like client on an embedded PGlite data folder (the server must not be running on it). */
async function pgliteClient(dataDir) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const db = await PGlite.create(join(dataDir, 'pgdata'), { extensions: { pg_trgm } });
  return { query: (text, params) => db.query(text, params), close: () => db.close() };
}

/**
 * The server's own global ID functions (dist/src/platform/ids.js) keyed with the bench database's key,
 * read through `client` (global IDs are encrypted: nothing outside the server can make or read them
 * without it). Call once the database is migrated.
 * @returns `{ toGlobalId(type, id), fromGlobalId(type, globalId) }`
 */
async function globalIds(client) {
  const ids = require(join(ROOT, 'dist', 'src', 'platform', 'ids.js'));
  const { GLOBAL_ID_KEY_SQL } = require(join(ROOT, 'dist', 'src', 'platform', 'settings.entity.js'));
  const {
    rows: [row],
  } = await client.query(GLOBAL_ID_KEY_SQL);
  ids.installGlobalIdKey(Buffer.from(row.global_id_key));
  return { toGlobalId: ids.toGlobalId, fromGlobalId: ids.fromGlobalId };
}

/**
 * Picks the database (see the top of this file), creates it if it is the bench's own, and applies
 * the migrations (the server's `migrate` CLI). Prints which one on stdout.
 * @returns `{ env, connect(), drop() }`: the server's environment for it, a seeding client, cleanup
 */
async function openBenchDatabase() {
  const keep = process.env.BENCH_KEEP === '1';
  let db;
  if (process.env.DATABASE_URL) {
    const url = process.env.DATABASE_URL;
    db = {
      label: `PostgreSQL from DATABASE_URL (${redact(url)}), kept`,
      env: { DATABASE_URL: url },
      connect: () => pgClient(url),
      drop: async () => {},
    };
  } else if (process.env.BENCH_EMBEDDED === '1') {
    const dir = keep ? join(ROOT, '.townsquare', 'bench') : mkdtempSync(join(tmpdir(), 'townsquare-bench-'));
    db = {
      label: `embedded PGlite in ${dir}${keep ? ', kept' : ', removed after the run'} (single-threaded: not what production runs)`,
      embedded: true,
      env: { DATABASE_URL: '', DATA_DIR: dir },
      connect: () => pgliteClient(dir),
      drop: async () => keep || rmSync(dir, { recursive: true, force: true }),
    };
  } else {
    const admin = process.env.BENCH_PG_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
    const name = keep ? 'townsquare_bench' : `townsquare_bench_${process.pid}_${Date.now()}`;
    const url = Object.assign(new URL(admin), { pathname: `/${name}` }).toString();
    const c = await pgClient(admin).catch((err) => {
      throw new Error(
        `cannot reach the local PostgreSQL at ${redact(admin)} (${err.message}): start it, or set DATABASE_URL, or BENCH_EMBEDDED=1`,
      );
    });
    const exists = (await c.query('select 1 from pg_database where datname = $1', [name])).rows.length > 0;
    if (!exists) await c.query(`create database "${name}"`);
    await c.close();
    db = {
      label: `local PostgreSQL, database ${name} (${keep ? 'kept for the next run' : 'created for this run, dropped after it'})`,
      env: { DATABASE_URL: url },
      connect: () => pgClient(url),
      drop: async () => {
        if (keep) return;
        const c2 = await pgClient(admin);
        await c2.query(`drop database if exists "${name}" with (force)`);
        await c2.close();
      },
    };
  }
  console.log(`database: ${db.label}`);
  console.log(
    `pub/sub:  ${process.env.REDIS_URL ? `Redis (${redact(process.env.REDIS_URL)})` : 'in-process (REDIS_URL unset)'}`,
  );
  progress('migrating the bench database…');
  const migrated = spawnSync(process.execPath, [MIGRATE], {
    // A throwaway TOKEN_SECRET: without one the CLI would write a development secret into DATA_DIR.
    env: { ...process.env, ...db.env, LOG_LEVEL: 'warn', TOKEN_SECRET: newTokenSecret() },
    stdio: ['ignore', 2, 2],
  });
  if (migrated.status !== 0) {
    await db.drop();
    throw new Error(`migrations failed (exit ${migrated.status})`);
  }
  return db;
}

function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * Session tokens for these users, inserted straight into `sessions` (hashed with `secret`, as
 * the server does), so the bench needs no sign-in and meets no sign-in rate limit.
 */
/**
 * Gives a community a bench inserted with SQL its default channel (`DEFAULT_CHANNEL`, from the
 * build), as `createCommunity` does (README, Channels): every post belongs to a channel. Returns the
 * channel's id.
 */
async function addDefaultChannel(client, communityId) {
  const { DEFAULT_CHANNEL } = require(join(ROOT, 'dist', 'src', 'modules', 'channels', 'channels.inputs.js'));
  const { rows } = await client.query(
    `insert into channels (community_id, name, slug, description, position) values ($1, $2, $3, $4, 0) returning id`,
    [communityId, DEFAULT_CHANNEL.name, DEFAULT_CHANNEL.slug, DEFAULT_CHANNEL.description],
  );
  await client.query('update communities set default_channel_id = $2 where id = $1', [communityId, rows[0].id]);
  return rows[0].id;
}

async function createSessions(client, userIds, secret) {
  const tokens = userIds.map(() => newSecret(TOKEN_PREFIX.session));
  for (let i = 0; i < tokens.length; i += 5000) {
    await client.query(
      `insert into sessions (user_id, token_hash, created_at, expires_at)
       select unnest($1::int[]), unnest($2::text[]), now(), now() + interval '1 day'`,
      [userIds.slice(i, i + 5000), tokens.slice(i, i + 5000).map((t) => hashSecret(t, secret))],
    );
  }
  return tokens;
}

/** A free TCP port on loopback (the server then runs at LOG_LEVEL=warn, which does not log its URL). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The soft and hard limits on open files of this process, from /proc/self/limits. */
function openFileLimits() {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = line
    .trim()
    .split(/\s+/)
    .slice(3, 5)
    .map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft, hard };
}

/**
 * Throws, with what to do, when a process cannot get `files` open files: Node raises its own soft
 * limit to the hard one at start, and children inherit that, so the hard limit is what counts
 * (unless `ulimit -n` in a child shell may raise it, as root usually can).
 */
function assertFileLimit(files) {
  const { hard } = openFileLimits();
  if (files <= hard || spawnSync('sh', ['-c', `ulimit -n ${files}`]).status === 0) return;
  throw Object.assign(
    new Error(
      `open-file limit too low: this run needs about ${files} file descriptors in one process, and the hard limit (ulimit -Hn) is ${hard}.\n` +
        `Raise it (as root: ulimit -n ${files}, or "nofile" in /etc/security/limits.conf), or run fewer subscribers.`,
    ),
    { name: 'FileLimitError' },
  );
}

/**
 * How to start a child that needs `files` open files: directly when this process's limit allows,
 * else through `sh -c 'ulimit -n N && exec …'` (exec keeps the pid), after assertFileLimit.
 */
function withFileLimit(files, command, args) {
  if (files <= openFileLimits().soft) return { command, args };
  assertFileLimit(files);
  return { command: 'sh', args: ['-c', `ulimit -n ${files} && exec "$0" "$@"`, command, ...args] };
}

/**
 * Starts `node dist/src/main.js` as a child: PORT chosen here, LOG_LEVEL=warn (no access log in
 * the figures), SEED_DEMO=false, EXPOSE_SQL_COUNT=true, NODE_ENV=production, and write limits out of
 * the way (WRITE_RATE_LIMITS=*=1000000/60: a few members write as fast as they can). Its PostgreSQL
 * connections are named `townsquare-bench-<port>` (PGAPPNAME, read by pg). Resolves once /readyz
 * answers 200.
 * @returns `{ url, pid, application, stop() }`: `application` is that name, for cpuMeter
 */
async function startServer(dbEnv, { tokenSecret, files = 1024, env: extraEnv = {} } = {}) {
  const port = await freePort();
  const application = `townsquare-bench-${port}`;
  const env = {
    ...process.env,
    ...dbEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    EXPOSE_SQL_COUNT: 'true',
    NODE_ENV: 'production',
    TOKEN_SECRET: tokenSecret,
    REDIS_URL: process.env.REDIS_URL || '',
    WRITE_RATE_LIMITS: '*=1000000/60',
    PGAPPNAME: application,
    ...extraEnv,
  };
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server alone.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS || '').split(/\s+/).filter(Boolean);
  const { command, args } = withFileLimit(files, process.execPath, [...nodeArgs, MAIN]);
  // The server's log lines (warnings and errors only) go to stderr: stdout holds the figures.
  const child = spawn(command, args, { env, stdio: ['ignore', 2, 2] });
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; await sleep(100)) {
    if (exited) throw new Error(`the server exited while starting (${JSON.stringify(exited)})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server was not ready within 60 s');
    }
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
  }
  return {
    url: `${base}/graphql`,
    pid: child.pid,
    application,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}

/** Resident memory of a process in KiB (VmRSS in /proc/<pid>/status). */
function rssKb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]);
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Every process, from /proc/<pid>/stat: pid → { ppid, ticks } (ticks: utime + stime + cutime + cstime). */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(') ') + 2).split(' '); // after "pid (comm) ": state, ppid, …
      table.set(Number(name), {
        ppid: Number(f[1]),
        ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** A process and all its descendants (pids, the root first); [] once it is gone. */
function processTree(rootPid, table = processTable()) {
  if (!table.has(rootPid)) return [];
  const children = new Map();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree = [];
  for (const queue = [rootPid]; queue.length;) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU seconds of a process and of all its descendants (e.g. the workers of a node:cluster primary):
 * each one's own user + system time (its threads included) plus that of its children that have
 * exited and been reaped (cutime, cstime), so a child ending between two readings keeps counting.
 * 0 once the process is gone.
 */
function treeCpuSeconds(rootPid) {
  const table = processTable();
  return processTree(rootPid, table).reduce((ticks, pid) => ticks + table.get(pid).ticks, 0) / 100; // USER_HZ = 100
}

/**
 * The PostgreSQL backends serving the bench database, when PostgreSQL runs on this machine, so their
 * CPU time can be read from /proc; null otherwise (embedded, or remote). With `application`, only the
 * connections of that application_name (one server's pool, see startServer and startPeer); without,
 * every backend of the database but this query's.
 */
async function databaseBackends(db, application) {
  if (db.embedded) return null;
  const client = await db.connect();
  try {
    const { rows } = await client.query(
      `select pid from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and ($1::text is null or application_name = $1)`,
      [application ?? null],
    );
    const pids = rows.map((r) => r.pid);
    return pids.length && pids.every((pid) => cpuSeconds(pid) > 0 || existsSync(`/proc/${pid}`)) ? pids : null;
  } finally {
    await client.close();
  }
}

/**
 * Starts measuring the CPU time of the server process and its descendants (treeCpuSeconds: the
 * workers of WEB_CONCURRENCY>1 count) and of its PostgreSQL backends (see `databaseBackends`; pass the
 * server's `application` to count its own only, when another server shares the database). The
 * backends are listed now: warm the server up first, so its pool is open. `perRequest(n)` gives
 * milliseconds per request since the start: `server`, and `db` (null when the backends cannot be read);
 * `total()` the same in milliseconds, not divided.
 */
async function cpuMeter(db, serverPid, { application } = {}) {
  const backends = await databaseBackends(db, application);
  const dbSeconds = () => (backends ?? []).reduce((total, pid) => total + cpuSeconds(pid), 0);
  const start = { server: treeCpuSeconds(serverPid), db: dbSeconds() };
  const total = () => ({
    server: (treeCpuSeconds(serverPid) - start.server) * 1000,
    db: backends && (dbSeconds() - start.db) * 1000,
  });
  return {
    total,
    perRequest: (requests) => {
      const t = total();
      return { server: t.server / requests, db: t.db === null ? null : t.db / requests };
    },
  };
}

/** One autocannon run with these options (autocannon's own, see its README); resolves with its result. */
function autocannonRun(opts) {
  const autocannon = require('autocannon');
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** One autocannon run whose raw result mergeRuns can merge with others (skipAggregateResult). */
function autocannonRaw(opts) {
  return autocannonRun({ ...opts, skipAggregateResult: true });
}

/**
 * Raw runs (autocannonRaw) of one side taken as one: `requests` completed, `seconds` summed,
 * `rps` = requests / seconds, latency p50, p99 and max in ms over all their requests (autocannon
 * merges its histograms), `errors` (socket errors, timeouts, non-2xx).
 */
function mergeRuns(raws, url) {
  const merged = require('autocannon').aggregateResult(raws, { url });
  const seconds = raws.reduce((total, r) => total + r.duration, 0);
  return {
    requests: merged.requests.total,
    seconds,
    rps: merged.requests.total / seconds,
    p50: merged.latency.p50,
    p99: merged.latency.p99,
    max: merged.latency.max,
    errors: merged.errors + merged.timeouts + merged.non2xx,
  };
}

/** The bench-only folder of the peer (PostGraphile 4): its package.json, lockfile and server.js. */
const PEER_DIR = join(__dirname, 'peer');

/**
 * Installs the peer into bench/peer/node_modules when a dependency of bench/peer/package.json is
 * missing there (`npm install --prefix bench/peer --no-audit --no-fund`, output on stderr).
 * @returns the installed versions: `{ postgraphile, graphql }`
 */
function ensurePeer() {
  const { dependencies } = JSON.parse(readFileSync(join(PEER_DIR, 'package.json'), 'utf8'));
  const installed = (name) => join(PEER_DIR, 'node_modules', name, 'package.json');
  const missing = Object.keys(dependencies).filter((name) => !existsSync(installed(name)));
  if (missing.length) {
    progress(
      `peer: ${missing.join(', ')} missing in bench/peer/node_modules: npm install --prefix bench/peer --no-audit --no-fund…`,
    );
    const started = Date.now();
    const npm = spawnSync('npm', ['install', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], {
      stdio: ['ignore', 2, 2],
    });
    if (npm.status !== 0)
      throw new Error(`npm install --prefix bench/peer failed (${npm.error?.message ?? `exit ${npm.status}`})`);
    progress(`peer: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const version = (name) => JSON.parse(readFileSync(installed(name), 'utf8')).version;
  return { postgraphile: version('postgraphile'), graphql: version('graphql') };
}

/**
 * Starts the peer, bench/peer/server.js (PostGraphile 4, anonymous, schema `public`), as a child on
 * the bench's PostgreSQL database, NODE_ENV=production, its connections named
 * `postgraphile-bench-<port>`. Resolves once `{ __typename }` answers (its schema is built).
 * @returns `{ url, pid, application, statements(), stop() }`: `statements()` resolves with the count
 *   of SQL statements it has sent since it started
 */
async function startPeer(dbEnv) {
  if (!dbEnv.DATABASE_URL) throw new Error('the peer (PostGraphile) needs PostgreSQL: not with BENCH_EMBEDDED=1');
  const port = await freePort();
  const application = `postgraphile-bench-${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: dbEnv.DATABASE_URL,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    PGAPPNAME: application,
  };
  const child = spawn(process.execPath, [join(PEER_DIR, 'server.js')], { cwd: PEER_DIR, env, stdio: ['ignore', 2, 2] });
  let exited = null;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exited = { code, signal }))));
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/graphql`;
  for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
    if (exited) throw new Error(`the peer exited while starting (${JSON.stringify(exited)})`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the peer was not ready within 60 s');
    }
    const ready = await gql(url, '{ __typename }').then(
      () => true,
      () => false,
    );
    if (ready) break;
  }
  return {
    url,
    pid: child.pid,
    application,
    statements: async () => (await (await fetch(`${base}/_bench/sql-statements`)).json()).statements,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}

/** CPU load of the machine (1-minute average from /proc/loadavg) and its core count, for the report. */
function machineLoad() {
  const [one] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `load average ${one} on ${require('node:os').availableParallelism()} cores`;
}

/** POSTs one GraphQL operation; throws on GraphQL errors. */
async function gql(url, query, variables = {}, token) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return { data: body.data, headers: res.headers };
}

/** A random TOKEN_SECRET for one run's server. */
const newTokenSecret = () => randomBytes(32).toString('base64url');

/** The value at quantile q (0..1) of numbers sorted ascending. */
function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Forks a client script (the viewers, subscribers or watchers of a bench) with an open-file limit
 * of `files`, talking over IPC with structured-clone serialization.
 * @returns `{ child, send(msg), next(type), ask(msg, type), listen(f) }`: `next` resolves with the
 *   child's next message of a type, `ask` sends and awaits the reply, `listen` sees every message
 */
function startWorker(script, files) {
  const { command, args } = withFileLimit(files, process.execPath, [script]);
  const options = { stdio: ['ignore', 2, 2, 'ipc'], serialization: 'advanced' };
  const child =
    command === process.execPath
      ? fork(script, [], options)
      : fork(args[args.length - 1], [], { ...options, execPath: command, execArgv: args.slice(0, -1) });
  const waiting = new Map();
  const listeners = new Set();
  child.on('message', (msg) => {
    listeners.forEach((f) => f(msg));
    const w = waiting.get(msg.type);
    if (w) {
      waiting.delete(msg.type);
      w(msg);
    }
  });
  const next = (type) => new Promise((resolve) => waiting.set(type, resolve));
  return {
    child,
    send: (msg) => child.send(msg),
    next,
    ask: (msg, type) => {
      const reply = next(type);
      child.send(msg);
      return reply;
    },
    listen: (f) => listeners.add(f),
  };
}

/**
 * A graphql-ws client signed in with `token` that connects at once and never retries (a bench counts
 * failures instead of hiding them). `fail` hears every socket error and any close but a normal one
 * (1000) while `closing()` is false. Subscribe on `client` at once; `connected` resolves once the
 * socket is up, or once it has failed.
 */
function connectClient(url, token, fail, closing) {
  const { createClient } = require('graphql-ws');
  const WebSocket = require('ws');
  let client;
  const connected = new Promise((resolve) => {
    client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      on: {
        connected: () => resolve(),
        closed: (event) => {
          if (event?.code !== 1000 && !closing())
            fail(new Error(`socket closed: ${event?.code} ${event?.reason ?? ''}`));
          resolve();
        },
        error: (err) => {
          fail(err);
          resolve();
        },
      },
    });
  });
  return { client, connected };
}

/** Closes worker processes (`startWorker`): asks each to close its clients, kills one whose IPC is gone, and waits until all exited. */
function closeWorkers(workers) {
  return Promise.all(
    workers.map(
      (w) =>
        new Promise((resolve) => {
          w.child.once('exit', resolve);
          if (w.child.connected) w.send({ type: 'close' });
          else w.child.kill();
        }),
    ),
  );
}

/** Samples a process's VmRSS every 250 ms: `peak()` is the highest seen (at least `startKb`), `stop()` ends the sampling. */
function sampleRssPeak(pid, startKb) {
  let peak = startKb;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssKb(pid));
    } catch {
      // the process is gone: its owner reports that
    }
  }, 250);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

module.exports = {
  ROOT,
  progress,
  sleep,
  option,
  openBenchDatabase,
  globalIds,
  createSessions,
  addDefaultChannel,
  startServer,
  startWorker,
  connectClient,
  closeWorkers,
  sampleRssPeak,
  withFileLimit,
  assertFileLimit,
  openFileLimits,
  rssKb,
  cpuSeconds,
  processTree,
  treeCpuSeconds,
  databaseBackends,
  cpuMeter,
  autocannonRun,
  autocannonRaw,
  mergeRuns,
  ensurePeer,
  startPeer,
  machineLoad,
  gql,
  newTokenSecret,
  quantile,
};
