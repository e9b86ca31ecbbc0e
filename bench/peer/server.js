#!/usr/bin/env node
/**
 * The peer of `bench/feed.js --peer` and `bench/ops.js --peer`: PostGraphile 4 (installed in this
 * bench-only folder, never a dependency of Townsquare) serving the schema `public` of DATABASE_URL,
 * the same database the benched Townsquare uses, through its plain Node http handler:
 * anonymous (no JWT, no pgSettings, no role switch), no GraphiQL, no query log, no schema watch,
 * no subscriptions, default mutations on (the ops bench uses `createComment`).
 *
 * Its pg pool has 10 connections (PG_POOL_SIZE), like Townsquare's default DATABASE_POOL_SIZE, and
 * pg's default idle timeout (10 s: the bench warms each side up again before measuring it).
 * Every statement sent to PostgreSQL is counted (begin, commit and set_config included, as
 * Townsquare's X-SQL-Statements counts what its ORM sends): GET /_bench/sql-statements answers
 * `{"statements": N}`, the count since start, which the bench reads around one request.
 *
 * Environment: DATABASE_URL (required), PORT (default 5678), HOST (default 127.0.0.1),
 * PG_POOL_SIZE (default 10); PGAPPNAME names its PostgreSQL backends (the bench measures their CPU).
 * Prints `listening on http://HOST:PORT/graphql` on stderr once the http server listens (the
 * schema is introspected meanwhile: the first request waits for it).
 */
const http = require('node:http');
const { Pool } = require('pg');
const { postgraphile } = require('postgraphile');
const { makeJSONPgSmartTagsPlugin } = require('graphile-utils');

if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is required');
  process.exit(1);
}
const PORT = Number(process.env.PORT || 5678);
const HOST = process.env.HOST || '127.0.0.1';

let statements = 0;
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_SIZE || 10) });
pool.on('connect', (client) => {
  const query = client.query;
  client.query = function countedQuery(...args) {
    statements++;
    return query.apply(this, args);
  };
});
pool.on('error', (err) => console.error('pg pool:', err.message));

/**
 * Smart tags (kept here, not as comments in the database): reputation_events.reverses_id is a
 * unique self-reference, whose forward and backward relations would both be named
 * `reputationEventByReversesId`, a naming conflict PostGraphile refuses to start with.
 */
const smartTags = makeJSONPgSmartTagsPlugin({
  version: 1,
  config: { constraint: { reputation_events_reverses_id_foreign: { tags: { foreignSingleFieldName: 'reversedBy' } } } },
});

const handler = postgraphile(pool, 'public', {
  appendPlugins: [smartTags],
  graphqlRoute: '/graphql',
  graphiql: false,
  enhanceGraphiql: false,
  disableQueryLog: true,
  watchPg: false,
  subscriptions: false,
  live: false,
  dynamicJson: false,
  setofFunctionsContainNulls: false,
  legacyRelations: 'omit',
  enableQueryBatching: false,
  showErrorStack: false,
  extendedErrors: [],
  retryOnInitFail: false,
});

const server = http.createServer((req, res) => {
  if (req.url === '/_bench/sql-statements') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ statements }));
    return;
  }
  handler(req, res);
});
server.listen(PORT, HOST, () => process.stderr.write(`listening on http://${HOST}:${PORT}/graphql\n`));

const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
