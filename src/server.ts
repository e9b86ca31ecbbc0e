import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { WebSocketServer } from 'ws';
import { ConfigError, type Config } from './config';
import {
  buildSchema,
  createLoaders,
  httpRoutes,
  jobSchedules,
  jobTasks,
  shareKeys,
  startModules,
  viewerFields,
  type StartedModules,
} from './app';
import { startJobs, type Jobs } from './platform/jobs/jobs';
import { credentialAuthority } from './modules/identity';
import { authenticate } from './modules/identity/identity.service';
import { ANONYMOUS } from './platform/viewer';
import { townsquarePlugin } from './platform/apollo';
import { addressForLog, clientAddress } from './platform/client-address';
import { createResponseCache, responseCachePlugin, type ResponseCache } from './platform/response-cache';
import { createContext, forkEm, type Context, type ContextDeps } from './platform/context';
import { openDatabase, type AfterMigrate, type Database } from './platform/database/database';
import { QueryStats } from './platform/database/query-stats';
import { AppError } from './platform/errors';
import { compiledGateway } from './platform/compiled-execution';
import { graphiqlHandler } from './platform/graphiql';
import { insightsPageHandler } from './platform/insights-page';
import { graphqlHttp } from './platform/http-graphql';
import { serveGraphqlWs } from './platform/graphql-ws';
import { serveGraphqlSse } from './platform/graphql-sse';
import { ANONYMOUS_RETRY_AFTER_SECONDS } from './platform/socket-limits';
import { createLiveOperations } from './platform/live-operations';
import { limitRules, queryLimits } from './platform/guards/limits';
import { createRateLimiter, type RateLimiter } from './platform/guards/rate-limit';
import { createLogger, type Logger } from './platform/logger';
import { createPubSub, type PubSub } from './platform/pubsub/pubsub';
import { Metrics, tokenMatches } from './platform/metrics';
import { requestLog } from './platform/request-log';
import { connectRedis, redisTarget, type RedisClient } from './platform/redis';
import { RedisApqCache, TrustedDocuments } from './platform/trusted-documents';
import { Tracing } from './platform/tracing';
import { createRequestRules } from './platform/request-rules';
import { createRecentWriters, type RecentWriters } from './platform/database/recent-writers';
import { databaseIdentity } from './modules/reputation/leaderboards';
import { seedDemoIfEmpty } from '../seed/demo';

/** A running Townsquare instance. */
export interface Townsquare {
  /** http://host:port/graphql */
  url: string;
  port: number;
  db: Database;
  /** The settings it runs with. */
  config: Config;
  pubsub: PubSub;
  schema: GraphQLSchema;
  log: Logger;
  /** Graceful shutdown: stop accepting, finish in-flight requests, close sockets (1001) and end event streams, database and Redis. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Where the embedded PostgreSQL keeps its files (default DATA_DIR/pgdata; `memory://` for none). */
  embeddedDataDir?: string;
  /**
   * The database was migrated and given its demo data (SEED_DEMO) before this server started, by
   * `prepareDatabase` in the cluster primary: the demo seed is not tried again. The migrations are still
   * checked, under their lock (a no-op).
   */
  prepared?: boolean;
}

const GRAPHQL_PATH = '/graphql';

/** Whether a browser Origin may open a WebSocket: same host as the request, or listed in CORS_ORIGINS. */
function originAllowed(origin: string | undefined, req: IncomingMessage, allowed: string[]): boolean {
  if (!origin) return true; // not a browser: the bearer token is what protects it
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * The demo seed, to run after the migrations under their lock (instances starting together on an empty
 * database seed it once), or undefined when SEED_DEMO is false (logged).
 */
function demoSeed(config: Config, log: Logger): AfterMigrate | undefined {
  if (!config.SEED_DEMO) {
    const reason =
      config.NODE_ENV === 'production'
        ? 'SEED_DEMO is not true (false by default when NODE_ENV=production)'
        : 'SEED_DEMO=false';
    log.info({ reason }, 'demo data skipped');
    return undefined;
  }
  return async (orm) => {
    if (!(await seedDemoIfEmpty(orm, log))) log.info({ reason: 'the database already has users' }, 'demo data skipped');
  };
}

/**
 * Migrates the configured PostgreSQL database and loads the demo data (SEED_DEMO) as `startServer` would,
 * then closes it: the cluster primary does it once before forking its workers, which start with
 * `prepared`. A database that does not exist is a ConfigError, as in `startServer`.
 */
export async function prepareDatabase(config: Config, log: Logger): Promise<void> {
  const db = await openDatabase(config, log, undefined, demoSeed(config, log));
  await db.close();
}

/**
 * Opens the database (migrating it) and pub/sub, then serves HTTP and WebSocket on one port.
 * The caller owns signals: call `stop()` on SIGTERM/SIGINT.
 */
export async function startServer(config: Config, options: StartOptions = {}): Promise<Townsquare> {
  const started = Date.now();
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const db = await openDatabase(
    config,
    log,
    options.embeddedDataDir,
    options.prepared ? undefined : demoSeed(config, log),
  );
  let pubsub: PubSub | undefined;
  let rateLimiter: RateLimiter | undefined;
  let responseCache: ResponseCache | undefined;
  let modules: StartedModules | undefined;
  let jobs: Jobs | undefined;
  let schema: GraphQLSchema;
  let apqRedis: RedisClient | undefined;
  let recentWriters: RecentWriters | undefined;
  /** Redis keys of this database (see `databaseIdentity`). */
  let namespace = '';
  let trusted: TrustedDocuments;
  /** Closes what started, in reverse order, when the start fails part-way. */
  const closeStarted = async () => {
    apqRedis?.destroy();
    await recentWriters?.close();
    await jobs?.stop();
    await modules?.stop();
    await responseCache?.close();
    await rateLimiter?.close();
    await pubsub?.close();
    await db.close();
  };
  // One node (REDIS_URL), a cluster (REDIS_CLUSTER_NODES) or none: every Redis user connects through it.
  const redis = redisTarget(config);
  try {
    pubsub = await createPubSub(redis, log);
    // Rate-limit keys in a shared Redis are namespaced by the database, as the leaderboards are.
    namespace = redis ? await databaseIdentity(db.orm.em.fork()) : '';
    rateLimiter = await createRateLimiter(redis, log, namespace, config.TOKEN_SECRET);
    responseCache = await createResponseCache({
      seconds: config.RESPONSE_CACHE_SECONDS,
      megabytes: config.RESPONSE_CACHE_MB,
      redis,
      log,
    });
    // The modules' services (leaderboards) and background work. These run
    // in every instance, and so in every WEB_CONCURRENCY worker: each claims its work in SQL, so any
    // number of them at once still act once.
    modules = await startModules({ orm: db.orm, pubsub, responseCache, config, log, namespace, rateLimiter });
    // Background jobs (JOB_CONCURRENCY workers here): any number of instances share the queue.
    jobs = await startJobs({
      url: db.url,
      preparedStatements: db.preparedStatements,
      orm: db.orm,
      pubsub,
      responseCache,
      services: modules.services,
      config,
      log,
      tasks: jobTasks,
      schedules: jobSchedules,
      embedded: db.embedded,
    });
    schema = await buildSchema(pubsub);
    trusted = TrustedDocuments.load(config.TRUSTED_DOCUMENTS, config.TRUSTED_DOCUMENTS_FILE, log);
    // Automatic persisted queries: shared by every instance through Redis (off under TRUSTED_DOCUMENTS=only).
    if (redis && config.TRUSTED_DOCUMENTS !== 'only') apqRedis = await connectRedis(redis, 'townsquare:apq', log);
    // With read replicas: who wrote recently reads the primary (read-your-writes), on every instance.
    if (db.replicas)
      recentWriters = await createRecentWriters(redis, config.DATABASE_REPLICA_STICKY_MS, log, namespace);
  } catch (err) {
    await closeStarted();
    throw err;
  }
  // One set of request rules for HTTP and WebSocket (admission, error masking, cache invalidation).
  const replicas = db.replicas;
  const rules = createRequestRules({
    config,
    responseCache,
    trusted,
    replicas: replicas && recentWriters && { available: () => replicas.available, writers: recentWriters },
  });
  const deps: ContextDeps = {
    orm: db.orm,
    pubsub,
    rateLimiter,
    services: modules.services,
    createLoaders,
    responseCache,
    config,
    log,
  };

  const app = express();
  app.disable('x-powered-by');
  // No ETag: hashing every GraphQL response costs CPU on each request and no client revalidates POSTs.
  app.set('etag', false);
  const tracing = Tracing.start(config, log);
  const metrics = new Metrics({
    orm: db.orm,
    pubsub,
    replicas: () => replicas?.status() ?? [],
    sockets: () => wsServer?.counts() ?? { connections: 0, subscriptions: 0 },
  });
  const logRequest = requestLog(log, metrics);
  // JSON POSTs to /graphql skip Express (set once Apollo has started); Express serves the rest,
  // event streams (Accept: text/event-stream) included.
  let graphqlPost: ReturnType<typeof graphqlHttp<Context>> | undefined;
  const corsOn = config.CORS_ORIGINS.length > 0;
  const httpServer: Server = createServer((req, res) => {
    if (
      graphqlPost?.handles(req, GRAPHQL_PATH) &&
      !(corsOn && req.headers.origin !== undefined) &&
      !sseServer.wants(req)
    ) {
      const serve = graphqlPost.serve;
      logRequest(req, res, () => serve(req, res));
    } else app(req, res);
  });
  // Idle keep-alive connections stay open longer than a balancer's (HAProxy's `timeout server` in
  // deploy/haproxy.cfg, 60 s; cloud balancers' idle timeouts, 60 s): with Node's 5 s, a proxy or
  // client may send a request on a connection the server is closing, and get a reset instead of an
  // answer. Headers must arrive within a longer limit than that (Node requires it).
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  /** SIGTERM received: readiness fails while requests are still served (SHUTDOWN_DELAY_MS). */
  let leaving = false;
  /** Past the delay: no new connection or upgrade is taken, in-flight work drains. */
  let draining = false;

  app.use(logRequest);

  // Prometheus metrics (see metrics.ts). With METRICS_TOKEN, only `Authorization: Bearer <METRICS_TOKEN>`
  // reads them; without it they are open, except in production, where they are not served at all.
  app.get('/metrics', async (req, res) => {
    if (!config.METRICS_TOKEN && config.NODE_ENV === 'production') {
      res.status(404).json({ error: 'metrics are served only with METRICS_TOKEN set' });
      return;
    }
    if (config.METRICS_TOKEN && !tokenMatches(req.headers.authorization, config.METRICS_TOKEN)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'unauthorized' });
      return;
    }
    const { contentType, body } = await metrics.expose();
    res.set('content-type', contentType).send(body);
  });

  // The modules' plain HTTP routes (data export downloads): each request with an EntityManager of its own.
  for (const route of httpRoutes) {
    app.get(route.path, (req, res) => {
      route.handle(req, res, { em: db.orm.em.fork(), config, log: req.log }).catch((err: unknown) => {
        req.log.error({ err }, 'route failed');
        if (!res.headersSent) res.status(500).json({ error: 'internal error' });
      });
    });
  }
  // The insights page (charts of Community.insights and platformInsights), for browsers; data only through /graphql.
  app.get('/insights', insightsPageHandler({ endpoint: GRAPHQL_PATH, graphiqlPath: GRAPHQL_PATH }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready while this instance can serve: the database answers and it is not shutting down. A pub/sub
  // (Redis) outage leaves it serving queries and mutations, with live updates and the shared caches
  // degraded: `degraded` in the body (and 200), rather than taking every instance out of the balancer at once.
  app.get('/readyz', async (_req, res) => {
    if (leaving) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const check = async (fn: () => Promise<void>) =>
      fn().then(
        () => 'ok',
        (e: Error) => `error: ${e.message}`,
      );
    const [database, pubsubState] = await Promise.all([check(() => db.ping()), check(() => pubsub.ping())]);
    const ok = database === 'ok';
    res.status(ok ? 200 : 503).json({
      status: !ok ? 'not ready' : pubsubState === 'ok' ? 'ready' : 'degraded',
      database: { state: database, embedded: db.embedded },
      pubsub: { state: pubsubState, kind: pubsub.kind },
    });
  });

  const wss = new WebSocketServer({
    server: httpServer,
    path: GRAPHQL_PATH,
    maxPayload: config.MAX_BODY_BYTES,
    verifyClient: ({ origin, req }, done) => {
      const ok = !draining && originAllowed(origin, req, config.CORS_ORIGINS);
      if (!ok) {
        log.warn({ origin }, 'websocket upgrade refused');
        return done(false, 403, 'Forbidden');
      }
      // Counted synchronously with the 'connection' that follows: no two upgrades race past the cap.
      if (!wsServer.admits(req)) {
        log.info(
          { clientIp: addressForLog(clientAddress(req, config.TRUST_PROXY), config.LOG_IP) },
          'websocket upgrade refused: too many anonymous sockets from this address',
        );
        return done(false, 429, 'Too Many Requests', { 'Retry-After': String(ANONYMOUS_RETRY_AFTER_SECONDS) });
      }
      done(true);
    },
  });
  // What WebSocket and Server-Sent Events share: document checks, rules, contexts, shared executions, the credential watch.
  const live = createLiveOperations(schema, deps, rules, {
    credentials: credentialAuthority,
    shareKeys,
    viewerFields,
    metrics,
  });
  const wsServer = serveGraphqlWs(wss, schema, live, deps, rules, { credentials: credentialAuthority });
  const sseServer = serveGraphqlSse(live, deps, { credentials: credentialAuthority });

  const apollo = new ApolloServer<Context>({
    ...(config.GRAPHQL_JIT ? { gateway: compiledGateway(schema) } : { schema }),
    csrfPrevention: true,
    allowBatchedHttpRequests: true,
    persistedQueries:
      config.TRUSTED_DOCUMENTS === 'only' ? false : apqRedis ? { cache: new RedisApqCache(apqRedis, namespace) } : {},
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT. Apollo's own handlers (on unless NODE_ENV=test) re-raise the signal once
    // apollo.stop() returns, which main.ts takes for a second signal: exit 1 before pub/sub and the database close.
    stopOnTerminationSignals: false,
    validationRules: limitRules(queryLimits(config)),
    parseOptions: { maxTokens: config.MAX_TOKENS },
    stringifyResult: (value) => responseCache.stringify(value),
    formatError: (formatted, error) => {
      const out = rules.maskError(error as GraphQLError);
      return { ...out, locations: out.locations ?? formatted.locations, path: out.path ?? formatted.path };
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.SHUTDOWN_TIMEOUT_MS }),
      ApolloServerPluginLandingPageDisabled(),
      // Installed by default, it hooks every field resolution; we set no cache hints (HTTP caching is off anyway).
      ApolloServerPluginCacheControlDisabled(),
      townsquarePlugin(config, () => schema, rules, tracing),
      responseCachePlugin(responseCache, rules),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              // The sockets' 1001 close frames first, before anything here awaits: the HTTP drain
              // (its Stopper, run beside this) ends every socket without a request in flight one
              // turn of the event loop after draining starts, upgraded WebSockets included, and a
              // socket ended before its close frame left reaches its client as 1006. (Stopping the
              // credential watch waits for a sweep in progress: that wait let the end come first.)
              const sockets = Promise.all([wsServer.dispose(), sseServer.dispose()]);
              await live.stop();
              await sockets;
            },
          };
        },
      },
    ],
  });
  try {
    await apollo.start();
  } catch (err) {
    await closeStarted();
    throw err;
  }

  /** A request's context: its viewer (from the Authorization header), with the EntityManager made when first used. */
  const requestContext = async (req: IncomingMessage): Promise<Context> => {
    const requestId = req.id;
    const stats = new QueryStats();
    // The EntityManager is forked when first used: an anonymous request that reads nothing never needs one.
    let em: EntityManager | undefined;
    const requestEm = () => (em ??= forkEm(db.orm, requestId, stats));
    try {
      const { authorization } = req.headers;
      // The access log line and the metrics read the operation and credential from here.
      req.stats = stats;
      const viewer = authorization === undefined ? ANONYMOUS : await authenticate(requestEm(), authorization, config);
      stats.userId = viewer.userId;
      if (viewer.apiKeyId) stats.apiKeyId = viewer.apiKeyId;
      return createContext(
        deps,
        viewer,
        requestId,
        () => req.log,
        requestEm,
        stats,
        clientAddress(req, config.TRUST_PROXY),
      );
    } catch (err) {
      if (err instanceof AppError) {
        throw new GraphQLError(err.message, { extensions: { ...err.extensions, http: { status: 401 } } });
      }
      req.log.error({ err }, 'unexpected error while authenticating');
      throw err;
    }
  };
  graphqlPost = graphqlHttp(apollo, {
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxBatchSize: config.MAX_BATCH_SIZE,
    context: requestContext,
    expandBody: (body) => trusted.expand(body),
  });

  app.use(
    GRAPHQL_PATH,
    // Without CORS_ORIGINS no browser origin is allowed, which cors({ origin: false }) does by passing every request on.
    ...(config.CORS_ORIGINS.length ? [cors({ origin: config.CORS_ORIGINS, maxAge: 600 })] : []),
    // Subscriptions over Server-Sent Events (graphql-sse): a POST or GET that accepts text/event-stream.
    (req: Request, res: Response, next: NextFunction) => {
      if (!sseServer.wants(req)) return next();
      const serve = () => sseServer.serve(req, res, req.body).catch(next);
      if (req.method === 'POST') graphqlPost!.parseJson(req, res, (err?: unknown) => (err ? next(err) : serve()));
      else void serve();
    },
    graphiqlHandler({ endpoint: GRAPHQL_PATH, title: 'Townsquare' }),
    graphqlPost.parseJson,
    (req: Request, res: Response, next: NextFunction) => graphqlPost!.refusesBatch(req, res) || next(),
    (req: Request, res: Response, next: NextFunction) => graphqlPost!.expands(req, res) && next(),
    expressMiddleware(apollo, { context: ({ req }) => requestContext(req) }),
  );

  // Body too large, malformed JSON: answered as GraphQL errors, not HTML.
  app.use((err: Error, req: Request, res: Response, _next: NextFunction) => graphqlPost!.fail(err, req, res));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (err) {
    wss.close();
    await apollo.stop().catch(() => undefined); // its drain plugin finds no listener to close
    await closeStarted();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new ConfigError(
        code === 'EADDRINUSE'
          ? `PORT: ${config.HOST}:${config.PORT} is already in use by another process`
          : `PORT/HOST: cannot listen on ${config.HOST}:${config.PORT} (${code})`,
      );
    }
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `http://${host}:${port}${GRAPHQL_PATH}`;
  log.info(
    {
      url,
      ms: Date.now() - started,
      database: db.embedded ? 'embedded' : 'postgresql',
      pubsub: pubsub.kind,
      responseCache: responseCache.kind,
    },
    'Townsquare ready',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      leaving = true;
      if (config.SHUTDOWN_DELAY_MS > 0) {
        log.info(
          { ms: config.SHUTDOWN_DELAY_MS },
          'shutting down: readiness fails, still serving until the delay ends',
        );
        await new Promise((resolve) => setTimeout(resolve, config.SHUTDOWN_DELAY_MS));
      }
      draining = true;
      log.info('shutting down: draining HTTP, WebSocket and event streams');
      await apollo.stop(); // stops accepting, waits for in-flight requests, then drainServer closes sockets with 1001
      wss.close();
      // The running jobs finish (those still running past the timeout are failed back into the queue);
      // the others wait in the queue for another worker.
      await jobs.stop(config.SHUTDOWN_TIMEOUT_MS);
      await modules.stop();
      // destroy, not quit: quit waits for Redis's answer, which never comes while Redis is down.
      apqRedis?.destroy();
      await recentWriters?.close();
      await responseCache.close();
      await rateLimiter.close();
      await pubsub.close();
      await db.close();
      await tracing?.shutdown().catch((err: unknown) => log.warn({ err }, 'the last spans could not be sent'));
      log.info('shutdown complete');
    })();
    return stopping;
  };

  return { url, port, db, config, pubsub, schema, log, stop };
}
