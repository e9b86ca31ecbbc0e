import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { onCleanup, unique } from './server';

/** The compiled entry point that `npm start` runs; `npm test` builds it first (pretest). */
export const MAIN_JS = resolve(__dirname, '../../dist/src/main.js');

/** The compiled job worker that `npm run worker` runs. */
export const WORKER_JS = resolve(__dirname, '../../dist/src/cli/worker.js');

/** One line the process printed on stdout: pino's JSON, or `{ msg: <raw text> }` for anything else. */
export interface LogLine {
  msg: string;
  level?: number;
  [key: string]: unknown;
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node dist/src/main.js` running as a child process, its output collected as it arrives. */
export interface TownsquareProcess {
  child: ChildProcess;
  /** Sends a signal to the process (to its whole process group when it was started as a `command`, as a platform stopping `npm start` does). */
  signal(name: NodeJS.Signals): void;
  /** stdout lines so far, parsed. */
  readonly logs: LogLine[];
  /** stderr so far. */
  readonly stderr: string;
  /** Resolves with the first log line (past or future) that matches; rejects if the process exits first or after `ms`. */
  waitForLog(match: (line: LogLine) => boolean, ms?: number): Promise<LogLine>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
}

/**
 * Starts the built server (`node dist/src/main.js`, or another built `script`, or `options.command`
 * in `options.cwd`) with exactly `env` (plus PATH); it is killed in `closeAll` if it is still
 * running. Throws, telling what to do, when the build is missing.
 */
export function spawnTownsquare(
  env: Record<string, string | undefined>,
  script = MAIN_JS,
  options: { cwd?: string; command?: [string, ...string[]] } = {},
): TownsquareProcess {
  if (!options.command && !existsSync(script)) {
    throw new Error(`${script} is missing: run \`npm run build\` before these tests (\`npm test\` does it in pretest)`);
  }
  // `command` (e.g. ['npm', 'start'] in an installed copy) replaces `node <script>`.
  const [file, ...args] = options.command ?? [process.execPath, script];
  // A command runs in a process group of its own (npm, its shell, the server), signalled as a whole.
  const group = !!options.command;
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
  });
  const logs: LogLine[] = [];
  let stderr = '';
  let exit: Exit | undefined;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());

  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const text of lines.filter((l) => l.trim())) {
      try {
        logs.push(JSON.parse(text) as LogLine);
      } catch {
        logs.push({ msg: text });
      }
    }
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolvePromise) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      notify();
      resolvePromise(exit);
    });
  });

  const signal = (name: NodeJS.Signals) => {
    if (group) process.kill(-child.pid!, name);
    else child.kill(name);
  };
  onCleanup(async () => {
    if (!exit) {
      signal('SIGKILL');
      await exited;
    }
  });

  return {
    child,
    signal,
    logs,
    get stderr() {
      return stderr;
    },
    exited,
    waitForLog(match, ms = 15_000) {
      return new Promise<LogLine>((resolvePromise, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (found) return done(() => resolvePromise(found));
          if (exit)
            return done(() =>
              reject(
                new Error(
                  `process exited (${JSON.stringify(exit)}) before the expected log line;\nstdout: ${JSON.stringify(logs)}\nstderr: ${stderr}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(
                new Error(`no matching log line within ${ms} ms;\nstdout: ${JSON.stringify(logs)}\nstderr: ${stderr}`),
              ),
            ),
          ms,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** What a command printed, and how it ended. */
export interface CommandResult extends Exit {
  stdout: string;
  stderr: string;
}

/**
 * Runs a built command (`dist/src/cli/<name>.js`, as its npm script does after building) with exactly
 * `env` (plus PATH) and resolves when it has exited. Killed in `closeAll` if still running.
 */
export function runCli(name: string, args: string[], env: Record<string, string | undefined>): Promise<CommandResult> {
  const script = resolve(__dirname, `../../dist/src/cli/${name}.js`);
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run \`npm run build\` before these tests (\`npm test\` does it in pretest)`);
  }
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CommandResult>((resolvePromise) => {
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await done;
    }
  });
  return done;
}

/** A GraphQL answer as tests read it. */
export interface GqlBody {
  data?: any;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A GraphQL request over HTTP to a spawned server (`url` from its ready line), with its status. */
export async function requestAt(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ status: number; body: GqlBody }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlBody };
}

/** The answer alone of `requestAt`. */
export async function gqlAt(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlBody> {
  return (await requestAt(url, query, variables, token)).body;
}

/**
 * A new, empty database on the test suite's PostgreSQL server (TOWNSQUARE_TEST_DATABASE_URL, set
 * only when the suite runs with DATABASE_URL), dropped at cleanup: its URL.
 */
export async function freshDatabase(prefix: string): Promise<string> {
  const admin = new PgClient({ connectionString: process.env.TOWNSQUARE_TEST_DATABASE_URL });
  await admin.connect();
  const name = unique(prefix).replace(/[^a-z0-9_]/g, '_');
  await admin.query(`create database "${name}"`);
  onCleanup(async () => {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  return Object.assign(new URL(process.env.TOWNSQUARE_TEST_DATABASE_URL!), { pathname: `/${name}` }).toString();
}
