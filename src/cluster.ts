import cluster, { type Worker } from 'node:cluster';
import type { Readable } from 'node:stream';
import pino from 'pino';
import type { Config } from './config';
import { createLogger } from './platform/logger';
import { prepareDatabase } from './server';

/**
 * WEB_CONCURRENCY > 1: this process becomes a node:cluster primary that serves nothing itself. It
 * migrates the database (and loads the demo data) once, forks WEB_CONCURRENCY workers that each run
 * `startServer` on the same HOST:PORT (the primary holds the listening socket and hands connections
 * to the workers in turn), restarts a worker that dies, and on SIGTERM/SIGINT has every worker shut
 * down gracefully. The workers share nothing but PostgreSQL and Redis, exactly as instances behind a
 * load balancer do (config.ts `checkWebConcurrency` requires both).
 */

/** A worker tells its primary that it serves, and on which URL. */
export interface ReadyMessage {
  townsquare: 'ready';
  url: string;
}

/** The primary asks a worker to shut down gracefully (what SIGTERM does to a lone process). */
export interface ShutdownMessage {
  townsquare: 'shutdown';
}

export const isReadyMessage = (message: unknown): message is ReadyMessage =>
  (message as ReadyMessage | null)?.townsquare === 'ready';
export const isShutdownMessage = (message: unknown): message is ShutdownMessage =>
  (message as ShutdownMessage | null)?.townsquare === 'shutdown';

/** Wait before restarting a worker that died; doubled for each other death in the last CRASH_WINDOW_MS. */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
const CRASH_WINDOW_MS = 60_000;
/** Workers in a row that die before they are ready (none becoming ready in between): then the primary gives up. */
const MAX_START_FAILURES = 5;
/** EX_CONFIG: what a worker exits with when the environment is wrong (src/main.ts). */
const EX_CONFIG = 78;

interface WorkerState {
  worker: Worker;
  pid: number | undefined;
  ready: boolean;
}

/**
 * Runs the cluster primary: resolves once the database is prepared and the workers are forked (the rest
 * is driven by their events and by signals); rejects, before forking anything, when the database cannot
 * be prepared (a ConfigError for a database that does not exist).
 */
export async function runPrimary(config: Config): Promise<void> {
  const started = Date.now();
  // One writer for stdout: the primary's own lines and its workers' lines (relayed whole, see relayLines),
  // so that lines written at once by several processes are never torn into each other.
  const out = pino.destination(1);
  const log = createLogger(config.LOG_LEVEL, out);
  const count = config.WEB_CONCURRENCY;
  log.info({ workers: count, pid: process.pid }, 'cluster primary started');

  // Once, before any worker: the workers start on an up-to-date database and skip the demo seed. (They
  // still check the migrations under their PostgreSQL lock: a no-op.)
  await prepareDatabase(config, log);

  const workers = new Map<number, WorkerState>();
  const restarts = new Set<NodeJS.Timeout>();
  let crashes: number[] = [];
  let startFailures = 0;
  let allReadyLogged = false;
  let stopping = false;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork();
    const state: WorkerState = { worker, pid: worker.process.pid, ready: false };
    workers.set(worker.id, state);
    log.info({ worker: worker.id, pid: state.pid }, 'worker started');
    relayLines(worker.process.stdout!, out);
    worker.on('message', (message: unknown) => {
      if (isReadyMessage(message)) onReady(state, message.url);
    });
    // A send to a worker that has just died: its exit is handled below.
    worker.on('error', (err: Error) => log.warn({ err, worker: worker.id }, 'worker channel error'));
    // 'close', not 'exit': the worker's last lines have been relayed by then.
    worker.process.once('close', (code, signal) => onExit(state, code, signal));
  };

  const onReady = (state: WorkerState, url: string) => {
    state.ready = true;
    startFailures = 0;
    if (stopping || allReadyLogged || [...workers.values()].filter((w) => w.ready).length < count) return;
    allReadyLogged = true;
    log.info({ workers: count, url, ms: Date.now() - started }, 'all workers ready');
    log.info(`GraphiQL: open ${url} in a browser`);
  };

  const onExit = (state: WorkerState, code: number | null, signal: NodeJS.Signals | null) => {
    workers.delete(state.worker.id);
    const fields = { worker: state.worker.id, pid: state.pid, code, signal };
    if (stopping) {
      log.info(fields, 'worker exited');
      if (code !== 0) exitCode ||= 1;
      if (!workers.size) finish();
      return;
    }
    if (!state.ready && ++startFailures >= MAX_START_FAILURES) {
      log.fatal(
        { ...fields, startFailures },
        `worker exited before it was ready, ${startFailures} times in a row: giving up`,
      );
      stop(code === EX_CONFIG ? EX_CONFIG : 1);
      return;
    }
    const now = Date.now();
    crashes = [...crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
    const restartInMs = Math.min(MAX_RESTART_DELAY_MS, RESTART_DELAY_MS * 2 ** (crashes.length - 1));
    // Exit code 0 is a worker told to stop on its own (a SIGTERM sent to it alone): replaced all the same.
    log[code === 0 ? 'warn' : 'error'](
      { ...fields, restartInMs },
      state.ready ? 'worker exited: restarting it' : 'worker exited before it was ready: restarting it',
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, restartInMs);
    restarts.add(timer);
  };

  /** Asks every worker to shut down gracefully; the primary exits with `code` once they all have exited. */
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    restarts.forEach((timer) => clearTimeout(timer));
    restarts.clear();
    const message: ShutdownMessage = { townsquare: 'shutdown' };
    for (const { worker } of workers.values()) {
      // A worker no longer connected is already on its way out.
      if (worker.isConnected()) worker.send(message, () => undefined);
    }
    if (!workers.size) finish();
  };

  /** Ends the primary once pino has written its last lines (see main.ts: nothing else holds the event loop). */
  const finish = () => {
    log.info({ code: exitCode }, 'shutdown complete');
    process.exitCode = exitCode;
    setTimeout(() => process.exit(exitCode), 1000).unref();
  };

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: killing the workers and exiting now');
      for (const { worker } of workers.values()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    log.info({ signal, workers: workers.size }, 'signal received: shutting the workers down');
    stop(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Workers write their pino lines to a pipe that the primary relays; stderr (a crash's stack) is theirs.
  cluster.setupPrimary({ stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  for (let i = 0; i < count; i++) fork();
}

/**
 * Copies a worker's stdout to `to` in whole lines only: a line is written once its end has arrived,
 * so `to`, written by no one else, never has a line cut by another.
 */
function relayLines(from: Readable, to: { write(chunk: string): unknown }): void {
  let partial = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const end = chunk.lastIndexOf('\n') + 1;
    if (!end) {
      partial += chunk;
      return;
    }
    to.write(partial + chunk.slice(0, end));
    partial = chunk.slice(end);
  });
  from.on('end', () => {
    if (partial) to.write(`${partial}\n`);
  });
}
