import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../logger';
import { lockFolder, type FolderLock } from './folder-lock';

/** An embedded PostgreSQL (PGlite) served on a loopback TCP port for MikroORM's postgresql driver. */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite with its data in `dataDir` (or in memory for `memory://`) behind
 * PGLiteSocketServer on 127.0.0.1 and a free port. The folder is locked for this process until
 * `stop()` (see folder-lock.ts): a second process on it fails here, naming DATA_DIR.
 * @param maxConnections must be at least the pool size: the socket server refuses, rather than queues, extra connections
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  maxConnections: number,
  log?: Logger,
): Promise<EmbeddedPostgres> {
  const started = Date.now();
  // Loaded lazily so a server on a real PostgreSQL never pays for the WASM build.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // Search's fuzzy matching (README, Search): the migrations create the extension, PGlite must ship it.
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  let lock: FolderLock | undefined;
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    lock = lockFolder(resolve(dataDir));
  }
  let db: InstanceType<typeof PGlite> | undefined;
  let server: InstanceType<typeof PGLiteSocketServer>;
  try {
    db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
  } catch (err) {
    await db?.close().catch(() => undefined);
    lock?.release();
    throw err;
  }
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres`;
  log?.info({ dataDir, ms: Date.now() - started }, 'embedded PostgreSQL (PGlite) started');
  return {
    url,
    async stop() {
      try {
        await server.stop();
        await db!.close();
      } finally {
        lock?.release();
      }
    },
  };
}
