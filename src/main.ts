import 'reflect-metadata';
import cluster from 'node:cluster';
import { isShutdownMessage, runPrimary, type ReadyMessage } from './cluster';
import { checkWebConcurrency, ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './platform/logger';
import { startServer } from './server';

/** Exits with EX_CONFIG (78) and the message alone (no stack) for a ConfigError; rethrows anything else. */
function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

/**
 * `npm start`: serves Townsquare until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
 * A bad environment, found when it is read or at start (a database that does not exist, a data
 * folder another process holds), exits 78 with a message naming the variable.
 * With WEB_CONCURRENCY > 1 this process is the cluster primary (src/cluster.ts), and each of its
 * workers runs this file again, to serve.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    checkWebConcurrency(config);
  } catch (err) {
    exitOnConfigError(err);
  }
  // The primary reads the environment first (a generated development TOKEN_SECRET is on disk before
  // its workers, which read it again, start).
  if (config.WEB_CONCURRENCY > 1 && cluster.isPrimary) {
    await runPrimary(config).catch(exitOnConfigError);
    return;
  }
  await serve(config);
}

/** Serves alone (WEB_CONCURRENCY=1) or as a cluster worker. */
async function serve(config: Config): Promise<void> {
  const worker = cluster.isWorker ? cluster.worker : undefined;
  // Every line of a worker names it (its cluster id; the primary logs each worker's id with its pid).
  const log = worker ? createLogger(config.LOG_LEVEL).child({ worker: worker.id }) : createLogger(config.LOG_LEVEL);
  // The primary's request to shut down may arrive while the server starts: it is acted on once it has.
  let shutdownRequested = false;
  let onShutdownRequest = () => {
    shutdownRequested = true;
  };
  const onMessage = (message: unknown) => {
    if (isShutdownMessage(message)) onShutdownRequest();
  };
  if (worker) process.on('message', onMessage);

  const server = await startServer(config, { log, prepared: !!worker }).catch(exitOnConfigError);
  // A worker's primary logs the GraphiQL line once, when all its workers are ready.
  if (!worker) log.info(`GraphiQL: open ${server.url} in a browser`);
  /**
   * Ends the process once pino has written its last lines. pino writes stdout asynchronously, and
   * process.exit() with a write in flight loses or reorders the last lines ('shutdown complete' among
   * them); pino's flush() does not wait for it. After stop() nothing holds the event loop, so Node exits
   * by itself once the writes land; the unref'd timer only covers a handle that something leaked.
   * A worker also leaves the cluster: its IPC channel to the primary would otherwise keep it running.
   */
  const exit = (code: number) => {
    process.exitCode = code;
    if (worker) {
      process.off('message', onMessage);
      worker.disconnect();
    }
    setTimeout(() => process.exit(code), 1000).unref();
  };
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'signal received');
    stop();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  if (worker) {
    // Not a signal: a Ctrl-C in a terminal signals the workers too, and the primary's request that
    // follows must not count as a second one.
    onShutdownRequest = () => {
      if (!stopping) log.info('shutdown requested by the cluster primary');
      stop();
    };
    if (shutdownRequested) onShutdownRequest();
    else process.send?.({ townsquare: 'ready', url: server.url } satisfies ReadyMessage);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
