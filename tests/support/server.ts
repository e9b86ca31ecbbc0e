import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino, { type Logger } from 'pino';
import { createClient, type Client } from 'graphql-ws';
import {
  createClient as createSseClient,
  type Client as SseClient,
  type ClientOptions as SseClientOptions,
} from 'graphql-sse';
import WebSocket from 'ws';
import { loadConfig, type Env } from '../../src/config';
import { createLogger } from '../../src/platform/logger';
import { setPlatformAdmin } from '../../src/modules/identity/identity.service';
import { startServer, type Townsquare } from '../../src/server';
import { CreateCommunityDocument, RequestMembershipDocument, SignUpDocument } from './operations';

/** A server booted in-process on a free port, talking to the suite's database (and Redis when REDIS_URL is set). */
export interface TestServer {
  app: Townsquare;
  httpUrl: string;
  wsUrl: string;
  baseUrl: string;
  /** Runs an operation over HTTP POST: a typed document (codegen) or a plain string. */
  gql<T = any, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    opts?: { token?: string; headers?: Record<string, string> },
  ): Promise<GqlResponse<T>>;
  /** A graphql-ws client (no retries); closed by `closeAll`. `onClosed` hears each close code of its socket. */
  ws(opts?: { token?: string; connectionParams?: Record<string, unknown>; onClosed?: (code: number) => void }): Client;
  /**
   * A graphql-sse client (distinct connections: one event stream per operation), with the token as
   * `Authorization: Bearer`; no retries unless told. Disposed by `closeAll`.
   */
  sse(opts?: {
    token?: string;
    headers?: Record<string, string>;
    retryAttempts?: number;
    on?: SseClientOptions['on'];
  }): SseClient;
  close(): Promise<void>;
}

// `T` names the operation's result for readers; `data` stays loosely typed so tests can probe errors.
// oxlint-disable-next-line no-unused-vars
export interface GqlResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: any; errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[] };
  /** SQL statements the request ran (X-SQL-Statements). */
  sqlStatements: number;
}

const cleanups: (() => Promise<void> | void)[] = [];

/** Registers something to undo in `closeAll` (afterAll). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** Closes every server, client and socket the test file opened, newest first. */
export async function closeAll(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!();
}

/** A new temporary folder, removed at cleanup. */
export function tempDir(prefix = 'townsquare-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment of a test server; `env` overrides any of it. */
export function testEnv(env: Partial<Record<keyof Env, string>> = {}): Record<string, string | undefined> {
  const dataDir = tempDir();
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: process.env.TOWNSQUARE_TEST_DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    DATA_DIR: dataDir,
    TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SEED_DEMO: 'false',
    EXPOSE_SQL_COUNT: 'true',
    SHUTDOWN_TIMEOUT_MS: '2000',
    // Every test signs up from 127.0.0.1: the auth rate limit has its own test.
    AUTH_RATE_LIMIT: '1000000',
    // Tests write far faster than members do: the write limits have their own tests (tests/platform/rate-limits.test.ts).
    WRITE_RATE_LIMITS: '*=1000000/60',
    // Every test's sockets come from 127.0.0.1 and stay open until closeAll: the cap has its own test.
    MAX_ANONYMOUS_SOCKETS_PER_CLIENT: '0',
    // The suite signs up thousands of users: a 2^10 scrypt hash takes ~2 ms of CPU where the default
    // 2^15 takes ~100 ms. Hashing at the default cost has its own test (tests/identity/identity.test.ts);
    // a server in production refuses less than 15, so one started so hashes at the default.
    PASSWORD_HASH_COST: env.NODE_ENV === 'production' ? undefined : '10',
    ...env,
  };
}

export async function startTestServer(
  env: Partial<Record<keyof Env, string>> = {},
  options: { embeddedDataDir?: string; log?: Logger } = {},
): Promise<TestServer> {
  const config = loadConfig(testEnv(env));
  const app = await startServer(config, { log: createLogger(config.LOG_LEVEL), ...options });
  const baseUrl = `http://127.0.0.1:${app.port}`;
  const httpUrl = `${baseUrl}/graphql`;
  const wsUrl = `ws://127.0.0.1:${app.port}/graphql`;
  let closed = false;
  const server: TestServer = {
    app,
    httpUrl,
    wsUrl,
    baseUrl,
    async gql(query, variables, opts = {}) {
      const res = await fetch(httpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
      });
      const body = await res.json();
      return {
        status: res.status,
        headers: res.headers,
        body,
        sqlStatements: Number(res.headers.get('x-sql-statements') ?? NaN),
      };
    },
    ws(opts = {}) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: opts.connectionParams ?? (opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        onNonLazyError: () => undefined,
        ...(opts.onClosed && { on: { closed: (event) => opts.onClosed!((event as { code: number }).code) } }),
      });
      onCleanup(() => client.dispose());
      return client;
    },
    sse(opts = {}) {
      const client = createSseClient({
        url: httpUrl,
        singleConnection: false,
        retryAttempts: opts.retryAttempts ?? 0,
        on: opts.on,
        headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      });
      onCleanup(() => client.dispose());
      return client;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.stop();
    },
  };
  onCleanup(() => server.close());
  return server;
}

let counter = 0;
/** A unique, valid handle / slug suffix for this test run. */
export function unique(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`.toLowerCase().slice(0, 30);
}

export interface TestUser {
  token: string;
  password: string;
  user: { id: string; handle: string; email: string };
}

/** Signs up a new user through the API. */
export async function signUp(server: TestServer, prefix = 'user'): Promise<TestUser> {
  const handle = unique(prefix.replace(/[^a-z0-9_]/gi, '').slice(0, 8) || 'user');
  const password = 'correct horse battery staple';
  const res = await server.gql(SignUpDocument, { input: { handle, email: `${handle}@example.test`, password } });
  if (!res.body.data) throw new Error(`signUp failed: ${JSON.stringify(res.body.errors)}`);
  return { ...res.body.data.signUp, password };
}

/**
 * Makes a user platform admin, as `npm run admin -- grant <email>` does (the command itself is
 * tested in tests/identity/admin.test.ts); nothing in the API grants it.
 */
export async function grantPlatformAdmin(server: TestServer, user: TestUser): Promise<void> {
  if (!(await setPlatformAdmin(server.app.db.orm.em.fork(), user.user.email, true)))
    throw new Error(`no user ${user.user.email}`);
}

/** Creates a community through the API as `owner`. */
export async function createCommunity(
  server: TestServer,
  owner: TestUser,
  visibility: 'PUBLIC' | 'RESTRICTED' | 'PRIVATE' = 'PUBLIC',
  name = 'Test community',
): Promise<{ id: string; slug: string }> {
  const slug = unique('c').replace(/_/g, '-');
  const res = await server.gql(
    CreateCommunityDocument,
    { input: { slug, name, description: 'for tests', visibility } },
    { token: owner.token },
  );
  if (!res.body.data) throw new Error(`createCommunity failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.createCommunity;
}

/** Joins a community through the API (`requestMembership`). */
export async function joinCommunity(server: TestServer, user: TestUser, communityId: string) {
  const res = await server.gql(RequestMembershipDocument, { id: communityId }, { token: user.token });
  if (!res.body.data) throw new Error(`requestMembership failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.requestMembership as {
    outcome: string;
    member: { id: string; role: string } | null;
    joinRequest: { id: string } | null;
  };
}

/** The code of the first error, or undefined. */
export function errorCode(res: GqlResponse<unknown>): string | undefined {
  return res.body.errors?.[0]?.extensions?.code;
}

/**
 * Opens every level-gated privilege (downvoting, creating polls and events) to new members of a
 * community: its level thresholds all become 0. For tests about something else than reputation
 * levels; tests/reputation covers the gates themselves.
 */
export async function openPrivileges(server: TestServer, admin: TestUser, communityId: string): Promise<void> {
  const res = await server.gql(
    'mutation($input: ReputationRulesInput!) { updateReputationRules(input: $input) { id } }',
    { input: { communityId, levelThresholds: [0, 0, 0, 0, 0, 0, 0] } },
    { token: admin.token },
  );
  if (res.body.errors) throw new Error(`updateReputationRules failed: ${JSON.stringify(res.body.errors)}`);
}

/** A pino logger at `level` whose JSON lines the test reads back from `lines` (pass it as startServer's `log`). */
export function capturingLogger(level: 'warn' | 'info' = 'info'): { log: Logger; lines: Record<string, any>[] } {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level }, stream), lines };
}
