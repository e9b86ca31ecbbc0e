import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../logger';
import { readsFromReplica } from './query-stats';
import { ReadReplicas, REPLICA_DEFAULTS, replicaName } from './replicas';

/**
 * Where statements run with DATABASE_REPLICA_URLS set. Writes, transactions and every read of an
 * EntityManager whose request did not choose a replica (subscriptions, jobs, mutations, commands) run
 * on the primary. The reads of an HTTP query outside transactions (`QueryStats.reads === 'replica'`,
 * set by the request rules) go to the replicas in rotation: the ORM's through its connection (below),
 * the raw statements of sql.ts through {@link replicasOf}.
 */

/** A MikroORM connection, as far as routing uses it. */
export interface RoutedConnection {
  execute(
    query: unknown,
    params?: unknown[],
    method?: 'all' | 'get' | 'run',
    ctx?: unknown,
    loggerContext?: object,
  ): Promise<unknown>;
  getKnex(): { client: unknown };
}

/** Each ORM's replicas, by its configuration (as sql.ts's modes are). */
const replicaSets = new WeakMap<object, ReadReplicas<RoutedConnection>>();

/** The replicas of the ORM with this configuration, when it has any. */
export function replicasOf(config: object): ReadReplicas<RoutedConnection> | undefined {
  return replicaSets.get(config);
}

/**
 * Routes the reads of requests that chose a replica (see the module comment) to the ORM's replicas,
 * when it has any; returns them (their state feeds the metrics), or undefined without replicas.
 * @param down replicas that did not answer at start (by name, with the error): they begin out of rotation
 */
export function routeReads(
  orm: MikroORM,
  log: Logger,
  down: ReadonlyMap<string, unknown>,
): ReadReplicas<RoutedConnection> | undefined {
  const driver = orm.em.getDriver();
  // Protected in MikroORM's types: the connections it made from the `replicas` option, in its order.
  const connections = (driver as unknown as { replicas: RoutedConnection[] }).replicas;
  if (!connections.length) return undefined;
  const primary = driver.getConnection('write') as unknown as RoutedConnection;
  const replicas = new ReadReplicas(
    connections.map((connection, i) => ({ name: replicaName(i), connection })),
    caughtUpProbe(primary),
    log,
    REPLICA_DEFAULTS.probeMs,
    down,
  );
  replicaSets.set(orm.config, replicas);
  // Every ORM statement reaches the primary connection's `execute` with its EntityManager's logger
  // context (the request's QueryStats): a read outside a transaction of a request that chose a replica
  // runs there instead. `run` is a write (MikroORM's own rule); ORM writes never get here without one.
  const execute = primary.execute.bind(primary);
  primary.execute = (query, params, method = 'all', ctx, loggerContext) =>
    ctx || method === 'run' || !readsFromReplica(loggerContext)
      ? execute(query, params, method, ctx, loggerContext)
      : replicas.read(
          (replica) => replica.execute(query, params, method, undefined, loggerContext),
          () => execute(query, params, method, ctx, loggerContext),
        );
  return replicas;
}

/**
 * A replica is fit to serve again when it answers and has replayed everything the primary had
 * written one probe earlier (on the first probe: what it has written now). A replica that was down
 * for minutes answers long before it has caught up: until then it would serve minutes-old data.
 */
function caughtUpProbe(primary: RoutedConnection): (replica: RoutedConnection) => Promise<boolean> {
  const targets = new Map<RoutedConnection, string>();
  return async (replica) => {
    const [{ lsn }] = (await primary.execute('select pg_current_wal_lsn()::text as lsn')) as { lsn: string }[];
    const target = targets.get(replica) ?? lsn;
    targets.set(replica, lsn);
    // Null on a server that is not a standby (replays nothing): it is as fresh as it gets.
    const [{ caught_up: caughtUp }] = (await replica.execute(
      'select coalesce(pg_last_wal_replay_lsn() >= ?::pg_lsn, true) as caught_up',
      [target],
    )) as { caught_up: boolean }[];
    if (caughtUp) targets.delete(replica);
    return caughtUp;
  };
}
