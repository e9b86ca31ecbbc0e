import type { Logger } from '../logger';

/**
 * Why a read meant for a replica ran on the primary instead:
 * - `down`: the replica did not answer (refused, reset, timed out, shutting down, starting up); it is
 *   taken out until it answers again.
 * - `conflict`: the replica cancelled the statement for a conflict with the WAL it replays
 *   (SQLSTATE 40001 on a standby); the replica stays in.
 * - `read_only`: the statement wrote (SQLSTATE 25006 on a standby: a write in a query's path); it
 *   changed nothing there, and runs where writes go.
 */
export type FallbackReason = 'down' | 'conflict' | 'read_only';

/** Defaults of the read replicas, in one place. */
export const REPLICA_DEFAULTS = {
  /** How often a replica taken out is asked whether it answers (and has caught up) again. */
  probeMs: 1000,
  /** Longest wait for a new connection to a replica: an unreachable host is taken out this fast. */
  connectTimeoutMs: 2000,
} as const;

/** The name of the `index`th read replica (0-based) in logs and metrics: `replica-1`, `replica-2`… */
export function replicaName(index: number): string {
  return `replica-${index + 1}`;
}

/** A replica as the metrics and logs see it. */
export interface ReplicaStatus {
  name: string;
  /** In rotation: reads go to it. */
  up: boolean;
  /** Statements sent to it (those that then fell back included). */
  reads: number;
  /** Statements meant for it that ran on the primary, by reason. */
  fallbacks: Record<FallbackReason, number>;
}

interface Replica<C> extends ReplicaStatus {
  connection: C;
  timer?: NodeJS.Timeout;
}

/**
 * Whether a probe finds a replica fit to serve again: `true` when it answers and has caught up,
 * `false` when it answers but is still behind; a throw when it does not answer.
 */
export type ReplicaProbe<C> = (connection: C) => Promise<boolean>;

/**
 * The read replicas of one database: which are in rotation, and where the next read goes. Reads are
 * spread round robin over the replicas in rotation; with none in rotation they run on the primary.
 * A replica whose connection fails is taken out at once (the read that found it runs on the primary,
 * so the request does not fail) and asked every `probeMs` whether it answers again; it is put back
 * once the probe finds it answering and caught up. Each change is logged once.
 */
export class ReadReplicas<C> {
  private readonly replicas: Replica<C>[];
  private nextIndex = 0;
  private closed = false;

  /**
   * @param down replicas known not to answer yet (at start), by name, with the error: they begin out of rotation
   */
  constructor(
    targets: { name: string; connection: C }[],
    private readonly probe: ReplicaProbe<C>,
    private readonly log: Logger,
    private readonly probeMs: number = REPLICA_DEFAULTS.probeMs,
    down: ReadonlyMap<string, unknown> = new Map(),
  ) {
    this.replicas = targets.map((t) => ({
      ...t,
      up: true,
      reads: 0,
      fallbacks: { down: 0, conflict: 0, read_only: 0 },
    }));
    for (const replica of this.replicas) if (down.has(replica.name)) this.takeOut(replica, down.get(replica.name));
  }

  /** Whether any replica is in rotation (reads outside transactions would go to one). */
  get available(): boolean {
    return this.replicas.some((r) => r.up);
  }

  /**
   * Runs a read on the next replica in rotation, or on the primary when none is. A read the replica
   * cannot serve (see {@link FallbackReason}) runs on the primary; any other error is the read's own.
   */
  async read<T>(onReplica: (connection: C) => Promise<T>, onPrimary: () => Promise<T>): Promise<T> {
    const replica = this.next();
    if (!replica) return onPrimary();
    replica.reads++;
    try {
      return await onReplica(replica.connection);
    } catch (err) {
      const reason = fallbackReason(err);
      if (!reason) throw err;
      replica.fallbacks[reason]++;
      if (reason === 'down') this.takeOut(replica, err);
      return onPrimary();
    }
  }

  /** Each replica's state and counts. */
  status(): ReplicaStatus[] {
    return this.replicas.map(({ name, up, reads, fallbacks }) => ({ name, up, reads, fallbacks: { ...fallbacks } }));
  }

  /** Stops probing (the connections are closed with the ORM). */
  close(): void {
    this.closed = true;
    for (const replica of this.replicas) clearTimeout(replica.timer);
  }

  private next(): Replica<C> | undefined {
    const count = this.replicas.length;
    for (let i = 0; i < count; i++) {
      const replica = this.replicas[(this.nextIndex + i) % count];
      if (replica.up) {
        this.nextIndex = (this.nextIndex + i + 1) % count;
        return replica;
      }
    }
    return undefined;
  }

  private takeOut(replica: Replica<C>, err: unknown): void {
    if (!replica.up && replica.timer) return;
    replica.up = false;
    this.log.warn(
      { replica: replica.name, err: summary(err) },
      'read replica out of rotation: its reads go to the primary until it answers',
    );
    this.schedule(replica);
  }

  private schedule(replica: Replica<C>): void {
    if (this.closed) return;
    replica.timer = setTimeout(() => void this.check(replica), this.probeMs);
    replica.timer.unref();
  }

  private async check(replica: Replica<C>): Promise<void> {
    let fit = false;
    try {
      fit = await this.probe(replica.connection);
    } catch {
      // still down
    }
    if (this.closed) return;
    if (!fit) return this.schedule(replica);
    replica.timer = undefined;
    replica.up = true;
    this.log.info({ replica: replica.name }, 'read replica back in rotation: it answers and has caught up');
  }
}

/** Connection failures of node, node-postgres and knex's pool. */
const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now (starting up, or shutting down), too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** Why a failed read on a replica should run on the primary, or undefined when it is the read's own error. */
export function fallbackReason(err: unknown): FallbackReason | undefined {
  const { code, message, name } = (err ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  if (code === '40001') return 'conflict';
  if (code === '25006') return 'read_only';
  if (typeof code === 'string' && (DOWN_CODES.has(code) || code.startsWith('08'))) return 'down';
  if (name === 'KnexTimeoutError') return 'down';
  // node-postgres's own, without a code: a connection that ended, broke or could not be opened in time.
  if (
    typeof message === 'string' &&
    /Connection terminated|connection error|not queryable|timeout expired/i.test(message)
  )
    return 'down';
  return undefined;
}

function summary(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(' ') || String(err);
}
