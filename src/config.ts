import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseTrustProxy } from './platform/client-address';
import { parseWriteLimits, WRITE_RATE_DEFAULTS } from './platform/guards/write-limits';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
/** A Redis URL names no database other than 0 (the only one a Redis Cluster has). */
function noDatabase(url: string): boolean {
  try {
    return ['', '/', '/0'].includes(new URL(url).pathname);
  } catch {
    return true; // not a URL: z.url() says so
  }
}
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A string turned into a value by `parse`, whose thrown message becomes the variable's error. */
const parsed = <T>(parse: (value: string) => T) =>
  z.string().transform((v, ctx) => {
    try {
      return parse(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

/**
 * Every setting Townsquare reads, from environment variables. README.md has the same table.
 * Each entry documents its default; `loadConfig` fails fast naming any bad variable.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Port of the HTTP and WebSocket server. Default 4000; 0 picks a free one. */
  PORT: int(0, 65535).default(4000),
  /** Interface to listen on. Default 0.0.0.0. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Worker processes serving HOST:PORT together (node:cluster). Default 1: the process serves alone, with
   * no cluster primary. More than 1 needs DATABASE_URL and REDIS_URL (see `checkWebConcurrency`).
   */
  WEB_CONCURRENCY: int(1, 64).default(1),
  /** PostgreSQL URL. Unset: an embedded PostgreSQL (PGlite) keeps its data under DATA_DIR. */
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * Read replicas of DATABASE_URL (comma-separated PostgreSQL URLs, same database name): the reads of
   * HTTP queries outside transactions go to them, round robin (see src/platform/database/routing.ts).
   * Needs DATABASE_URL. Default none.
   */
  DATABASE_REPLICA_URLS: list.pipe(z.array(z.url({ protocol: /^postgres(ql)?$/ }))).default([]),
  /**
   * Milliseconds after a mutation during which its user's reads go to the primary rather than a
   * replica (read-your-writes; shared through Redis with REDIS_URL). 0: no such window. Default 5000.
   */
  DATABASE_REPLICA_STICKY_MS: int(0, 3_600_000).default(5000),
  /** Connections in the database pool. Default 10. */
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  /**
   * Runs the hot statements as named prepared statements (parsed and planned once per connection).
   * false behind a pooler in transaction mode that does not keep prepared statements (PgBouncer
   * before 1.21, or without max_prepared_statements). Default true.
   */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  /**
   * Redis URL (one node) for pub/sub across instances, rate limits, leaderboards, the response cache's
   * counter and tags, and APQ. Unset (and no REDIS_CLUSTER_NODES): all of them in process (one instance only).
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /**
   * Seed nodes of a Redis Cluster (comma-separated redis:// or rediss:// URLs; a few are enough, the
   * others are discovered), in place of REDIS_URL: sharded pub/sub (Redis 7), keys hash-tagged per
   * community. Their credentials and TLS apply to every node. Default none.
   */
  REDIS_CLUSTER_NODES: list
    .pipe(
      z
        .array(
          z.url({ protocol: /^rediss?$/ }).refine(noDatabase, 'a cluster has only database 0: drop the /<db> path'),
        )
        .min(1, 'names no node'),
    )
    .optional(),
  /** Folder for the embedded database and the development token secret. Default .townsquare. */
  DATA_DIR: z.string().min(1).default('.townsquare'),
  /** Secret that keys token and API key hashes (32+ chars). Required in production; elsewhere one is generated into DATA_DIR. */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of a session token in days. Default 30. */
  TOKEN_TTL_DAYS: int(1, 3650).default(30),
  /**
   * Cost of new password hashes: log2 of scrypt's N (memory 128 × r × 2^cost bytes). Default 15 (32 MiB,
   * about 100 ms of CPU a hash); at least 15 when NODE_ENV=production. Lower only for test suites, which
   * sign up thousands of users: a hash records its cost, so it is checked at the cost it was made with.
   */
  PASSWORD_HASH_COST: int(10, 20).default(15),
  /**
   * Addresses whose owner becomes platform admin once they have verified the address (comma-separated,
   * case-insensitive): at `verifyEmailAddress`, and at start for accounts verified before the address was listed.
   * An unverified sign-up with a listed address is not an admin. Default none.
   */
  ADMIN_EMAILS: list.transform((emails) => emails.map((e) => e.toLowerCase())).default([]),
  /**
   * SMTP server that sends mail, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`.
   * Unset: every message is written as an .eml file to DATA_DIR/outbox instead (warned at start when
   * NODE_ENV=production).
   */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** The From of every message. Default `Townsquare <no-reply@localhost>`. */
  MAIL_FROM: z.string().min(3).default('Townsquare <no-reply@localhost>'),
  /**
   * Where people open Townsquare's web client: the links in emails start with it (`/verify-email?token=…`,
   * `/reset-password?token=…`). Default `http://localhost:4000`.
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:4000'),
  /**
   * Where clients reach this server, when not at PUBLIC_URL: links the server itself serves
   * (`DataExport.downloadUrl`, `/exports/<token>`) start with it. Default PUBLIC_URL.
   */
  API_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Seconds an email verification link works. Default 86400 (a day). */
  EMAIL_VERIFICATION_TTL_SECONDS: int(1, 30 * 86_400).default(86_400),
  /** Seconds a password reset link works. Default 3600 (an hour). */
  PASSWORD_RESET_TTL_SECONDS: int(1, 7 * 86_400).default(3600),
  /**
   * `sendVerificationEmail` and `sendPasswordResetEmail` calls per account or address in
   * EMAIL_RATE_WINDOW_SECONDS (ten times as many per client address). Default 3.
   */
  EMAIL_RATE_LIMIT: int(1, 1_000_000).default(3),
  /** The window of EMAIL_RATE_LIMIT, in seconds. Default 3600. */
  EMAIL_RATE_WINDOW_SECONDS: int(1, 86_400).default(3600),
  /**
   * Seconds between `requestAccountDeletion` and the erasure of the account, during which
   * `cancelAccountDeletion` stops it. 0: erased at once, in the request. Default 604800 (7 days).
   */
  ACCOUNT_DELETION_GRACE_SECONDS: int(0, 365 * 86_400).default(7 * 86_400),
  /** pino log level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Browser origins allowed for CORS and WebSocket upgrades (comma-separated). Default: same origin only. */
  CORS_ORIGINS: list.default([]),
  /** Deepest selection set a query may have. Default 12. */
  MAX_QUERY_DEPTH: int(1, 100).default(12),
  /** Highest estimated cost of one operation (list fields multiply by their page size). Default 10000. */
  MAX_QUERY_COST: int(1, 10_000_000).default(10_000),
  /** Most aliases in one operation. Default 20. */
  MAX_ALIASES: int(0, 1000).default(20),
  /** Most directives in one operation. Default 20. */
  MAX_DIRECTIVES: int(0, 1000).default(20),
  /** Most lexical tokens in one document. Default 3000. */
  MAX_TOKENS: int(10, 1_000_000).default(3000),
  /** Most operations in one batched HTTP request. Default 5. */
  MAX_BATCH_SIZE: int(1, 100).default(5),
  /** Largest request body in bytes. Default 102400 (100 KiB). */
  MAX_BODY_BYTES: int(1024, 50 * 1024 * 1024).default(100 * 1024),
  /** Most concurrent subscriptions on one WebSocket. Default 25. */
  MAX_SUBSCRIPTIONS_PER_SOCKET: int(1, 10_000).default(25),
  /**
   * Open WebSockets per client address that are anonymous or not yet initialised (connection_init not
   * received, or received without a token). An upgrade past it is refused with HTTP 429 and Retry-After.
   * Sockets that signed in do not count. Default 50; 0 turns the cap off (only behind a proxy that
   * caps clients itself: until the client address comes from X-Forwarded-For, all its clients share one).
   */
  MAX_ANONYMOUS_SOCKETS_PER_CLIENT: int(0, 1_000_000).default(50),
  /**
   * Longest a WebSocket acts on a credential checked this many seconds ago. Every instance re-checks
   * the session or API key of each of its open sockets twice in this time (one statement for all of
   * them) and closes with 4401 the sockets whose credential was revoked, expired or deleted; an
   * operation on a socket whose last check is older re-checks first. Revocations also close sockets
   * at once through pub/sub; this bounds the case where that message is lost. Default 2; at most 4,
   * so a revoked credential's sockets are closed within 5 s.
   */
  CREDENTIAL_RECHECK_SECONDS: int(1, 4).default(2),
  /** Sign-in attempts per email (and sign-ups per client address) in AUTH_RATE_WINDOW_SECONDS. Default 10. */
  AUTH_RATE_LIMIT: int(1, 1_000_000).default(10),
  /** The window of AUTH_RATE_LIMIT, in seconds. Default 60. */
  AUTH_RATE_WINDOW_SECONDS: int(1, 86_400).default(60),
  /** Chat messages one member may send to one stream in CHAT_RATE_WINDOW_SECONDS, whatever the slow mode. Default 20. */
  CHAT_RATE_LIMIT: int(1, 1_000_000).default(20),
  /** The window of CHAT_RATE_LIMIT, in seconds. Default 10. */
  CHAT_RATE_WINDOW_SECONDS: int(1, 3600).default(10),
  /**
   * Shortest time between two `pollUpdated` emissions of one poll on one instance: ballots arriving
   * faster are coalesced, and the last state is always emitted at the end of the window. Default 250 ms.
   */
  POLL_UPDATE_INTERVAL_MS: int(10, 60_000).default(250),
  /**
   * Shortest time between two `leaderboardChanged` emissions of one board on one instance: changes
   * arriving faster are coalesced, and the last state is always emitted. Default 500 ms.
   */
  LEADERBOARD_UPDATE_INTERVAL_MS: int(10, 60_000).default(500),
  /** Days an invite link works when `issueInviteLink` is given no `expiresAt`. Default 7 (at most 365). */
  INVITE_LINK_DEFAULT_DAYS: int(1, 365).default(7),
  /**
   * Background job workers in each instance (see README, Background jobs). 0: this instance only
   * enqueues, and `npm run worker` runs the jobs in a process of its own. Default 2.
   */
  JOB_CONCURRENCY: int(0, 100).default(2),
  /** How often idle workers look for due jobs, besides PostgreSQL's notifications, in ms. Default 1000. */
  JOB_POLL_MS: int(100, 60_000).default(1000),
  /**
   * How often each process that runs job workers records that they are alive, in seconds (and sweeps
   * for the jobs of dead workers). Default 5.
   */
  JOB_HEARTBEAT_SECONDS: int(1, 3600).default(5),
  /**
   * Seconds after which a job locked by a worker that has sent no heartbeat for as long (its process
   * was killed) is released and runs again on another worker; at least twice JOB_HEARTBEAT_SECONDS.
   * Default 30 (graphile-worker alone waits 4 hours).
   */
  JOB_LOCK_TIMEOUT_SECONDS: int(2, 86_400).default(30),
  /**
   * Hosts that webhook deliveries may reach even at a private, loopback or link-local address
   * (comma-separated host names or IP literals, as written in the URL). Default none: every delivery
   * goes to a public address only (the SSRF guard, src/modules/webhooks/ssrf.ts).
   */
  WEBHOOK_ALLOWED_HOSTS: list.default([]),
  /** Milliseconds a webhook delivery waits for its answer. Default 10000. */
  WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /**
   * Delay before a failed webhook delivery's first retry, in ms; each next retry waits twice as long
   * (at most 6 hours). Default 5000 (5 s, 10 s, 20 s … about 17 attempts in a day).
   */
  WEBHOOK_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
  /**
   * Seconds a failing webhook delivery is retried, and an endpoint may fail without a success before
   * it is disabled (and its community's admins notified). Default 86400 (a day).
   */
  WEBHOOK_FAILURE_WINDOW_SECONDS: int(1, 30 * 86_400).default(86_400),
  /**
   * Days webhook events (and their deliveries' log) are kept, for `webhookEvents` catch-up and
   * `webhookDeliveries`; an event with a delivery still being retried is kept until it is settled.
   * Pruned daily. Default 30.
   */
  WEBHOOK_RETENTION_DAYS: int(1, 3650).default(30),
  /**
   * Days a notification is kept once read (unread ones are kept; LEVEL_REACHED ones too: they say
   * once per level). Pruned daily. Default 90.
   */
  NOTIFICATION_RETENTION_DAYS: int(1, 3650).default(90),
  /**
   * Hours a data export's download link (`DataExport.downloadUrl`, `/exports/<token>`) serves its
   * archive once built; the archive is deleted by the daily `privacy.pruneExports` job after. Default 48.
   */
  DATA_EXPORT_TTL_HOURS: int(1, 720).default(48),
  /** Data exports one user may request per day (and at most one pending at a time). Default 3. */
  DATA_EXPORT_DAILY_LIMIT: int(1, 100).default(3),
  /**
   * How the client's IP address appears in log lines (they leave the process, so what they keep is
   * the log store's retention): `full`, `truncated` (IPv4 to its /24, IPv6 to its /48: the network,
   * not the machine) or `none`. Default truncated.
   */
  LOG_IP: z.enum(['full', 'truncated', 'none']).default('truncated'),
  /** Operations (queries, mutations, subscriptions) one bot may run per BOT_RATE_WINDOW_SECONDS. Default 120. */
  BOT_RATE_LIMIT: int(1, 1_000_000).default(120),
  /** The window of BOT_RATE_LIMIT, in seconds. Default 60. */
  BOT_RATE_WINDOW_SECONDS: int(1, 86_400).default(60),
  /**
   * Loads the demo data (whose passwords README.md publishes) when the database has no users.
   * Default true, but false when NODE_ENV=production: there it loads only if set to true explicitly.
   */
  SEED_DEMO: bool.optional(),
  /**
   * Who may query the schema (`__schema`, `__type`; `__typename` is always allowed): `all`, `admins`
   * (platform admins, e.g. in GraphiQL with their token) or `off`. Default `all`, but `admins` when NODE_ENV=production.
   */
  INTROSPECTION: z.enum(['all', 'admins', 'off']).optional(),
  /**
   * Proxies whose X-Forwarded-For names the client (for rate limits), on HTTP and WebSocket alike:
   * `false` (default: the TCP peer is the client), a number of proxies in front of the server (e.g. `1`),
   * or their addresses / CIDR ranges (comma-separated; `loopback`, `linklocal`, `uniquelocal` too).
   */
  TRUST_PROXY: parsed(parseTrustProxy).default(false),
  /**
   * Overrides of the write rate limits per member, as
   * `bucket=limit/seconds` comma-separated (`*` sets every bucket), e.g. `posts=5/600,votes=100/60`.
   * Defaults: WRITE_RATE_DEFAULTS in src/platform/guards/write-limits.ts (README lists them).
   */
  WRITE_RATE_LIMITS: parsed(parseWriteLimits).default({ ...WRITE_RATE_DEFAULTS }),
  /**
   * Whether an instance applies pending migrations when it starts (under an advisory lock, so many
   * instances starting together migrate once). `false`: it refuses to start while any is pending,
   * and `npm run migrate` is run as a deploy step of its own. Default true.
   */
  MIGRATE_ON_START: bool.default(true),
  /**
   * Milliseconds that shutdown waits for in-flight requests before closing them, and then for the
   * running jobs, which are failed back into the queue (retried by another worker) past it. Default 10000.
   */
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
  /**
   * Trusted documents (operations built ahead of time, by graphql-codegen's persisted documents):
   * `off` (default), `allow` (a request may send `documentId` instead of `query`, and any text still
   * runs) or `only` (only the manifest's documents run, by id or text, except for platform admins;
   * automatic persisted queries are off). See README, Trusted documents.
   */
  TRUSTED_DOCUMENTS: z.enum(['off', 'allow', 'only']).default('off'),
  /** The manifest of trusted documents (`{ "<sha256>": "<document>" }`): required unless TRUSTED_DOCUMENTS=off. */
  TRUSTED_DOCUMENTS_FILE: z.string().min(1).optional(),
  /**
   * OpenTelemetry tracing (see README, Metrics, logs and traces), off unless one of these says so:
   * `otlp` turns it on (with OTLP's default endpoint unless one is set), `none` keeps it off.
   */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  /** Where spans go over OTLP/HTTP: `<endpoint>/v1/traces`. Setting it turns tracing on. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** The full URL spans are posted to (instead of OTEL_EXPORTER_OTLP_ENDPOINT's). Setting it turns tracing on. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** The traces' `service.name`. Default townsquare. */
  OTEL_SERVICE_NAME: z.string().min(1).default('townsquare'),
  /** `true` keeps tracing off whatever else is set. */
  OTEL_SDK_DISABLED: bool.default(false),
  /** Resolvers that take at least this many milliseconds get a span of their own. Default 10. */
  TRACE_RESOLVER_MS: int(0, 60_000).default(10),
  /**
   * The bearer token that reads GET /metrics (16+ characters). Without it the metrics are open, except
   * when NODE_ENV=production, where they are not served.
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * Milliseconds between SIGTERM and the end of accepting work: readiness (`/readyz`) answers 503 at
   * once while requests and WebSocket upgrades are still served, so a load balancer takes the
   * instance out before its listener closes. Default 5000 when NODE_ENV=production, else 0.
   */
  SHUTDOWN_DELAY_MS: int(0, 120_000).optional(),
  /**
   * Seconds a cached query response lives at most (0 turns the response cache off). Every
   * mutation invalidates the cache at once; this bounds only changes that come with time. Default 10.
   */
  RESPONSE_CACHE_SECONDS: int(0, 3600).default(10),
  /** Memory the response cache may take on each instance, in MiB. Default 64. */
  RESPONSE_CACHE_MB: int(1, 65_536).default(64),
  /**
   * Adds diagnostic headers to HTTP responses: X-SQL-Statements (SQL statements the request ran) and
   * X-Executor (`compiled` or `graphql-js`: which executor ran the operation). Default false.
   */
  EXPOSE_SQL_COUNT: bool.default(false),
  /**
   * Runs HTTP queries compiled by graphql-jit (src/platform/compiled-execution.ts); false runs every
   * operation on graphql-js. Default true.
   */
  GRAPHQL_JIT: bool.default(true),
});

export type Env = z.input<typeof envSchema>;
export type Config = Omit<
  z.output<typeof envSchema>,
  'TOKEN_SECRET' | 'SEED_DEMO' | 'INTROSPECTION' | 'SHUTDOWN_DELAY_MS'
> & {
  TOKEN_SECRET: string;
  SEED_DEMO: boolean;
  INTROSPECTION: 'all' | 'admins' | 'off';
  SHUTDOWN_DELAY_MS: number;
};

/** Raised when the environment is invalid; its message names each bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Refuses WEB_CONCURRENCY > 1 without DATABASE_URL and REDIS_URL (or REDIS_CLUSTER_NODES): worker
 * processes share nothing else. The embedded database's folder belongs to one process, and in-process
 * pub/sub, leaderboards and rate limits would each see one worker's share. Only the server checks it
 * (src/main.ts): the commands (migrate, seed, admin…) run one process whatever WEB_CONCURRENCY says.
 */
export function checkWebConcurrency(
  config: Pick<Config, 'WEB_CONCURRENCY' | 'DATABASE_URL' | 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
): void {
  if (config.WEB_CONCURRENCY === 1) return;
  const missing = (['DATABASE_URL', 'REDIS_URL'] as const).filter((name) =>
    name === 'REDIS_URL' ? !config.REDIS_URL && !config.REDIS_CLUSTER_NODES?.length : !config[name],
  );
  if (!missing.length) return;
  throw new ConfigError(
    `Invalid environment:\n  WEB_CONCURRENCY: ${config.WEB_CONCURRENCY} worker processes need DATABASE_URL and REDIS_URL ` +
      `(${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} unset): they share nothing but PostgreSQL and Redis. ` +
      'The embedded database belongs to one process, and in-process pub/sub, leaderboards and rate limits would not be shared. ' +
      'Set them (REDIS_CLUSTER_NODES in place of REDIS_URL for a Redis Cluster), or WEB_CONCURRENCY=1.',
  );
}

/**
 * Parses and validates the environment once. Empty strings count as unset.
 * @param env the variables to read (default `process.env`)
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k in envSchema.shape && v !== undefined && v !== ''),
  );
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const cfg = result.data;
  if (cfg.REDIS_URL && cfg.REDIS_CLUSTER_NODES) {
    throw new ConfigError(
      'Invalid environment:\n  REDIS_CLUSTER_NODES: set together with REDIS_URL; set one: REDIS_URL for one Redis, ' +
        'REDIS_CLUSTER_NODES for a Redis Cluster',
    );
  }
  if (cfg.TRUSTED_DOCUMENTS !== 'off' && !cfg.TRUSTED_DOCUMENTS_FILE) {
    throw new ConfigError(
      `Invalid environment:\n  TRUSTED_DOCUMENTS_FILE: required when TRUSTED_DOCUMENTS=${cfg.TRUSTED_DOCUMENTS}`,
    );
  }
  if (cfg.DATABASE_REPLICA_URLS.length && !cfg.DATABASE_URL) {
    throw new ConfigError(
      'Invalid environment:\n  DATABASE_REPLICA_URLS: needs DATABASE_URL, the primary they replicate (the embedded database has no replicas)',
    );
  }
  if (cfg.JOB_LOCK_TIMEOUT_SECONDS < 2 * cfg.JOB_HEARTBEAT_SECONDS) {
    throw new ConfigError(
      `Invalid environment:\n  JOB_LOCK_TIMEOUT_SECONDS: must be at least twice JOB_HEARTBEAT_SECONDS (${cfg.JOB_HEARTBEAT_SECONDS})`,
    );
  }
  if (cfg.NODE_ENV === 'production' && cfg.PASSWORD_HASH_COST < 15) {
    throw new ConfigError('Invalid environment:\n  PASSWORD_HASH_COST: at least 15 when NODE_ENV=production');
  }
  let secret = cfg.TOKEN_SECRET;
  if (!secret) {
    if (cfg.NODE_ENV === 'production') {
      throw new ConfigError('Invalid environment:\n  TOKEN_SECRET: required when NODE_ENV=production');
    }
    secret = developmentSecret(cfg.DATA_DIR);
  }
  // Production never loads the published demo accounts nor shows its schema to strangers unless told to.
  const production = cfg.NODE_ENV === 'production';
  return {
    ...cfg,
    DATA_DIR: resolve(cfg.DATA_DIR),
    TOKEN_SECRET: secret,
    SEED_DEMO: cfg.SEED_DEMO ?? !production,
    INTROSPECTION: cfg.INTROSPECTION ?? (production ? 'admins' : 'all'),
    SHUTDOWN_DELAY_MS: cfg.SHUTDOWN_DELAY_MS ?? (production ? 5000 : 0),
  };
}

/** A secret generated once per data folder, so a fresh clone runs with no setup and tokens survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'token-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
