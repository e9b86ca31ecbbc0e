import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { PubSub } from './pubsub/pubsub';
import type { QueryStats } from './database/query-stats';
import type { ReplicaStatus } from './database/replicas';

interface JobCounts {
  due: number;
  scheduled: number;
  running: number;
  failed: number;
}

interface Probe {
  pingSeconds: number | null;
  jobs: JobCounts | null;
}

/** The job queue by state, in one read (also what tells that the database answers). */
const JOB_COUNTS = `
  select count(*) filter (where locked_at is null and run_at <= now() and attempts < max_attempts)::int as due,
         count(*) filter (where locked_at is null and run_at > now() and attempts < max_attempts)::int as scheduled,
         count(*) filter (where locked_at is not null)::int as running,
         count(*) filter (where locked_at is null and attempts >= max_attempts)::int as failed
    from graphile_worker.jobs`;

/** Distinct operation names a label takes at most; later new names count as `other` (a client names its operations). */
export const MAX_OPERATION_NAMES = 200;

/** What the instance's metrics read when Prometheus scrapes. */
export interface MetricSources {
  orm: MikroORM;
  pubsub: PubSub;
  /** Open WebSocket connections, and subscriptions running on them. */
  sockets(): { connections: number; subscriptions: number };
  /** The read replicas' state and counts (none without DATABASE_REPLICA_URLS). */
  replicas(): ReplicaStatus[];
}

/**
 * The instance's Prometheus metrics (prom-client, a registry per server): Node's default metrics,
 * GraphQL operations over HTTP by name, type and outcome with their latency, SQL statements and SQL
 * time, response-cache outcomes, WebSocket connections and subscriptions, subscriptions started and
 * refused, pub/sub health, reconnects and ping time, the job queue's depth, the database's health, and
 * each read replica's rotation state, reads and fallbacks to the primary.
 * Served on GET /metrics (see server.ts for who may read it).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly operations: Counter<'operation' | 'type' | 'outcome'>;
  private readonly duration: Histogram<'operation' | 'type'>;
  private readonly sqlStatements: Histogram<'operation' | 'type'>;
  private readonly sqlSeconds: Histogram<'operation' | 'type'>;
  private readonly cache: Counter<'outcome'>;
  private readonly subscriptions: Counter<'operation' | 'outcome'>;
  private readonly reconnects: Counter;

  constructor(sources: MetricSources) {
    const registry = this.registry;
    this.operations = new Counter({
      name: 'townsquare_graphql_operations_total',
      help: 'GraphQL operations answered over HTTP, by operation name, type (query, mutation; invalid for documents refused before an operation was chosen) and outcome (ok, error).',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'townsquare_graphql_operation_duration_seconds',
      help: 'Time from receiving an HTTP GraphQL request to the end of its response, by operation name and type.',
      labelNames: ['operation', 'type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.sqlStatements = new Histogram({
      name: 'townsquare_graphql_sql_statements',
      help: 'SQL statements one HTTP GraphQL operation ran, by operation name and type.',
      labelNames: ['operation', 'type'],
      buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
      registers: [registry],
    });
    this.sqlSeconds = new Histogram({
      name: 'townsquare_graphql_sql_seconds',
      help: 'Time one HTTP GraphQL operation spent waiting for its SQL statements, by operation name and type.',
      labelNames: ['operation', 'type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.cache = new Counter({
      name: 'townsquare_response_cache_total',
      help: 'Cacheable HTTP queries by response-cache outcome: hit (kept answer), shared (joined another execution), miss (executed).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.subscriptions = new Counter({
      name: 'townsquare_subscriptions_started_total',
      help: 'Operations asked for over WebSocket, by operation name and outcome (started, refused).',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    this.reconnects = new Counter({
      name: 'townsquare_pubsub_reconnects_total',
      help: 'Times pub/sub (Redis) reconnected after losing its connection.',
      registers: [registry],
    });
    sources.pubsub.onReconnect(() => this.reconnects.inc());
    new Gauge({
      name: 'townsquare_websocket_connections',
      help: 'Open WebSocket connections.',
      registers: [registry],
      collect() {
        this.set(sources.sockets().connections);
      },
    });
    new Gauge({
      name: 'townsquare_subscriptions_active',
      help: 'Operations running on the open WebSocket connections: their subscriptions, and a query or mutation sent over one until it answers.',
      registers: [registry],
      collect() {
        this.set(sources.sockets().subscriptions);
      },
    });
    // prom-client collects the metrics concurrently: the gauges below read what `expose` probed once
    // for this scrape (one pub/sub ping, one read of the database).
    const probe = () => this.probe!;
    new Gauge({
      name: 'townsquare_pubsub_up',
      help: '1 when pub/sub answers a ping (always, in process), 0 while Redis does not (on a cluster: while any master does not, or subscriptions are being restored): the instance then serves degraded.',
      registers: [registry],
      async collect() {
        this.set((await probe()).pingSeconds === null ? 0 : 1);
      },
    });
    new Gauge({
      name: 'townsquare_pubsub_ping_seconds',
      help: 'Round trip of a pub/sub ping at this scrape (Redis PING, to every master of a cluster; about 0 in process); absent while it fails.',
      registers: [registry],
      async collect() {
        this.reset();
        const { pingSeconds } = await probe();
        if (pingSeconds !== null) this.set(pingSeconds);
      },
    });
    new Gauge({
      name: 'townsquare_pubsub_kind',
      help: 'Which pub/sub the instance uses (label kind: memory, redis or redis-cluster), always 1.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.set({ kind: sources.pubsub.kind }, 1);
      },
    });
    new Gauge({
      name: 'townsquare_database_up',
      help: '1 when the database answers, 0 when it does not (readiness fails then).',
      registers: [registry],
      async collect() {
        this.set((await probe()).jobs === null ? 0 : 1);
      },
    });
    new Gauge({
      name: 'townsquare_jobs',
      help: 'Background jobs in the queue by state: due (waiting for a worker), scheduled (due later), running, failed (no attempt left); absent while the database does not answer.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        this.reset();
        const { jobs } = await probe();
        if (jobs)
          for (const state of ['due', 'scheduled', 'running', 'failed'] as const) this.set({ state }, jobs[state]);
      },
    });
    new Gauge({
      name: 'townsquare_database_replica_up',
      help: 'Per read replica (DATABASE_REPLICA_URLS, label replica: replica-1, replica-2…): 1 while in rotation, 0 while out of it (it did not answer, or has not caught up since); its reads go to the primary meanwhile.',
      labelNames: ['replica'],
      registers: [registry],
      collect() {
        for (const r of sources.replicas()) this.set({ replica: r.name }, r.up ? 1 : 0);
      },
    });
    new Counter({
      name: 'townsquare_database_replica_reads_total',
      help: 'SQL statements sent to each read replica (the reads of HTTP queries outside transactions).',
      labelNames: ['replica'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of sources.replicas()) this.inc({ replica: r.name }, r.reads);
      },
    });
    new Counter({
      name: 'townsquare_database_replica_fallbacks_total',
      help: 'Statements meant for a read replica that ran on the primary, by replica and reason: down (no answer: the replica is taken out), conflict (cancelled by the WAL replay), read_only (a write).',
      labelNames: ['replica', 'reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of sources.replicas())
          for (const [reason, n] of Object.entries(r.fallbacks)) this.inc({ replica: r.name, reason }, n);
      },
    });
    this.read = async () => {
      const started = performance.now();
      const [pingSeconds, jobs] = await Promise.all([
        sources.pubsub.ping().then(
          () => (performance.now() - started) / 1000,
          () => null,
        ),
        sources.orm.em
          .fork()
          .getConnection('write')
          .execute<JobCounts[]>(JOB_COUNTS)
          .then(
            ([row]) => row,
            () => null,
          ),
      ]);
      return { pingSeconds, jobs };
    };
  }

  /** One scrape's probes: pub/sub's ping time (null: no answer) and the job counts (null: the database did not answer). */
  private probe?: Promise<Probe>;
  private readonly read: () => Promise<Probe>;

  /** The label of an operation name: its own for the first MAX_OPERATION_NAMES seen, `other` after. */
  private label(name: string | undefined): string {
    const value = name || 'anonymous';
    if (this.names.has(value)) return value;
    if (this.names.size >= MAX_OPERATION_NAMES) return 'other';
    this.names.add(value);
    return value;
  }

  /** Records one HTTP GraphQL request once its response is sent (request-log.ts calls it). */
  httpOperation(stats: QueryStats, res: ServerResponse, seconds: number): void {
    if (!stats.operationType) {
      // Refused before an operation was chosen: a syntax or validation error, a bad body.
      this.operations.inc({ operation: 'invalid', type: 'invalid', outcome: 'error' });
      return;
    }
    const labels = { operation: this.label(stats.operationName), type: stats.operationType };
    const ok = !stats.errors && res.statusCode < 400;
    this.operations.inc({ ...labels, outcome: ok ? 'ok' : 'error' });
    this.duration.observe(labels, seconds);
    this.sqlStatements.observe(labels, stats.statements);
    this.sqlSeconds.observe(labels, stats.sqlMs / 1000);
    const cache = res.getHeader('x-response-cache');
    if (typeof cache === 'string') this.cache.inc({ outcome: cache });
  }

  /** Records an operation asked for over WebSocket: started, or refused by a guard. */
  socketOperation(name: string | undefined, started: boolean): void {
    this.subscriptions.inc({ operation: this.label(name), outcome: started ? 'started' : 'refused' });
  }

  private defaults = false;

  /**
   * The Prometheus text exposition. Node's default metrics start with the first scrape: they keep
   * process-wide monitors (event-loop delay sampling, a GC observer) that nothing stops, which a
   * server that is never scraped (every test server) should not leave behind.
   */
  async expose(): Promise<{ contentType: string; body: string }> {
    if (!this.defaults) {
      this.defaults = true;
      collectDefaultMetrics({ register: this.registry });
    }
    this.probe = this.read();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Whether an Authorization header is `Bearer <token>`, compared in constant time. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}
