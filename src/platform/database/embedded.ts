import { mkdirSync } from 'node:fs';
import type { Logger } from '../logger';

/** An embedded PostgreSQL (PGlite) served on a loopback TCP port for MikroORM's postgresql driver. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite with its data in `dataDir` (or in memory for `memory://`) behind
 * PGLiteSocketServer on 127.0.0.1 and a free port.
 * @param maxConnections must be at least the pool size: the socket server refuses, rather than queues, extra connections
 */
export async function startEmbeddedPostgres(dataDir: string, maxConnections: number, log?: Logger): Promise<EmbeddedPostgres> {
  const started = Date.now();
  // Loaded lazily so a server on a real PostgreSQL never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres`;
  log?.info({ dataDir, ms: Date.now() - started }, 'embedded PostgreSQL (PGlite) started');
  return {
    url,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
