import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
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
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    exitOnConfigError(err);
  }
  const log = createLogger(config.LOG_LEVEL);
  const server = await startServer(config, { log }).catch(exitOnConfigError);
  log.info(`GraphiQL: open ${server.url} in a browser`);
  /**
   * Ends the process once pino has written its last lines. pino writes stdout asynchronously, and
   * process.exit() with a write in flight loses or reorders the last lines ('shutdown complete' among
   * them); pino's flush() does not wait for it. After stop() nothing holds the event loop, so Node exits
   * by itself once the writes land; the unref'd timer only covers a handle that something leaked.
   */
  const exit = (code: number) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 1000).unref();
  };
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    log.info({ signal }, 'signal received');
    server.stop().then(
      () => exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
