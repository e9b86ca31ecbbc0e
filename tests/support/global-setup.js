/**
 * Without DATABASE_URL the suite runs on one embedded PostgreSQL (PGlite behind its socket server)
 * shared by every test file; with it, on that PostgreSQL. This module imports neither MikroORM nor
 * entities (MetadataDiscovery must happen inside the test runtime).
 */
module.exports = async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.TOWNSQUARE_TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const { PGlite } = require('@electric-sql/pglite');
  const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');
  const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm');
  // The search migration creates pg_trgm: PGlite loads it at creation (as src/platform/database/embedded.ts).
  const db = await PGlite.create('memory://', { extensions: { pg_trgm } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 100 });
  await server.start();
  process.env.TOWNSQUARE_TEST_DATABASE_URL = `postgresql://postgres:postgres@${server.getServerConn()}/postgres`;
  globalThis.__TOWNSQUARE_PGLITE__ = { db, server };
};
