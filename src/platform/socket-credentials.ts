import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { credentialKey, type CredentialRef, type Viewer } from './viewer';
import type { Logger } from './logger';
import type { PubSub, Subscription } from './pubsub/pubsub';

/** Ids of revoked credentials, as published on `CredentialAuthority.revokedTopic`. */
export interface CredentialsRevokedEvent {
  sessionIds?: number[];
  apiKeyIds?: number[];
}

/** What the identity module tells the WebSocket server about credentials (server.ts wires it). */
export interface CredentialAuthority {
  /** The viewer a connection's `authorization` stands for (ANONYMOUS without one); an AppError refuses it. */
  authenticate(em: EntityManager, authorization: unknown, config: Config): Promise<Viewer>;
  /** The viewers of still-valid credentials, as they are now, by `credentialKey` (missing: no longer valid). */
  currentViewers(em: EntityManager, refs: CredentialRef[]): Promise<Map<string, Viewer>>;
  /** Where revocations are announced (endSession, deactivateApiKey), with a `CredentialsRevokedEvent`. */
  revokedTopic: string;
}

export interface CredentialWatchOptions {
  orm: MikroORM;
  authority: CredentialAuthority;
  pubsub: PubSub;
  log: Logger;
  /** Longest a socket acts on a credential checked this long ago (CREDENTIAL_RECHECK_SECONDS × 1000); sweeps run twice as often. */
  recheckMs: number;
}

/** What the watch does to a socket; graphql-ws.ts supplies both. */
export interface SocketActions {
  /** The credential is no longer valid: close the socket with 4401 and stop its operations. */
  revoke(): void;
  /** The credential is valid but may do less than before (admin revoked, scopes narrowed): end the socket's open operations. */
  narrowed(): void;
}

/** One open socket signed in with a session or an API key. */
export interface WatchedSocket {
  /** The viewer as of the last check. */
  readonly viewer: Viewer;
}

interface Entry extends WatchedSocket {
  viewer: Viewer;
  key: string;
  ref: CredentialRef;
  /** Date.now() when the last successful check started. */
  checkedAt: number;
  checking: Promise<Viewer | null> | null;
  actions: SocketActions;
  revoked: boolean;
}

function refOf(viewer: Viewer): CredentialRef | null {
  if (viewer.sessionId !== undefined) return { sessionId: viewer.sessionId };
  if (viewer.apiKeyId !== undefined) return { apiKeyId: viewer.apiKeyId };
  return null;
}

/** Whether `now` may do less than `before`: admin rights or an API key scope taken away. */
function narrowed(before: Viewer, now: Viewer): boolean {
  return (before.isAdmin && !now.isAdmin) || [...before.scopes].some((scope) => !now.scopes.has(scope));
}

/**
 * Keeps every open WebSocket of this instance acting with a credential that is still valid
 * (issue 12): a socket authenticates once, in connection_init, but its session may be signed out,
 * expire or lose its user, and its API key may be revoked, while it stays open.
 *
 * - Revocation messages (on `authority.revokedTopic`: endSession, deactivateApiKey on any instance) close the
 *   named credentials' sockets at once, with 4401, which graphql-ws clients do not retry.
 * - A sweep every `recheckMs / 2` re-reads the credentials of all the instance's signed-in sockets
 *   in one statement (by primary key) and closes those no longer valid: pub/sub is at most once, so
 *   this is what guarantees the close (within `recheckMs / 2` plus the statement), an expiry
 *   included. It also refreshes each socket's viewer (isAdmin, scopes).
 * - {@link current} gives an operation the socket's viewer, checked again first when the last
 *   check is older than `recheckMs`, which only happens when sweeps are late or failing (so
 *   operations cost no statement otherwise): one statement, shared by the socket's operations.
 *
 * The sweep's timer does not keep the process alive; `stop()` clears it.
 */
export class CredentialWatch {
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly log: Logger;
  private readonly revocations: Subscription<CredentialsRevokedEvent>;
  private readonly stopReconnect: () => void;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly o: CredentialWatchOptions) {
    this.log = o.log.child({ component: 'credential-watch' });
    const revocations = o.pubsub.subscribe<CredentialsRevokedEvent>(o.authority.revokedTopic);
    this.revocations = revocations;
    void (async () => {
      for await (const event of revocations) this.revokeNamed(event);
    })();
    // Revocations published while pub/sub was away are lost: look at every credential now.
    this.stopReconnect = o.pubsub.onReconnect(() => void this.sweep());
    this.schedule();
  }

  /** Sockets watched (signed in and open). */
  get size(): number {
    let n = 0;
    for (const entries of this.byKey.values()) n += entries.size;
    return n;
  }

  /**
   * Starts watching a socket that just authenticated as `viewer`; anonymous viewers have nothing to
   * revoke (null). Call {@link unwatch} when the socket closes.
   */
  watch(viewer: Viewer, actions: SocketActions): WatchedSocket | null {
    const ref = refOf(viewer);
    if (!ref || this.stopped) return null;
    const key = credentialKey(ref);
    const entry: Entry = { viewer, key, ref, checkedAt: Date.now(), checking: null, actions, revoked: false };
    let entries = this.byKey.get(key);
    if (!entries) this.byKey.set(key, (entries = new Set()));
    entries.add(entry);
    return entry;
  }

  unwatch(socket: WatchedSocket): void {
    const entry = socket as Entry;
    const entries = this.byKey.get(entry.key);
    if (!entries?.delete(entry)) return;
    if (!entries.size) this.byKey.delete(entry.key);
  }

  /**
   * The socket's viewer for a new operation: as of the last check if it is recent enough,
   * otherwise checked again first. Null once the credential is no longer valid (the socket is
   * then being closed with 4401). Rejects if the database cannot be reached.
   */
  async current(socket: WatchedSocket): Promise<Viewer | null> {
    const entry = socket as Entry;
    if (entry.revoked) return null;
    if (Date.now() - entry.checkedAt < this.o.recheckMs) return entry.viewer;
    entry.checking ??= this.check([entry])
      .then(() => (entry.revoked ? null : entry.viewer))
      .finally(() => {
        entry.checking = null;
      });
    return entry.checking;
  }

  /** Checks every watched socket's credential now (one statement); closes the revoked ones. */
  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // `.finally` runs after the assignment even when there is nothing to check (an async body could finish first).
    this.sweeping ??= (async () => {
      const entries = [...this.byKey.values()].flatMap((set) => [...set]);
      if (entries.length) await this.check(entries);
    })()
      .catch((err) => this.log.error({ err }, 'credential sweep failed; retrying at the next one'))
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  /** Clears the timer and stops listening; sockets are closed by the server's shutdown. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopReconnect();
    await this.revocations.return?.();
    await this.sweeping;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sweep().finally(() => this.schedule());
    }, this.o.recheckMs / 2);
    this.timer.unref();
  }

  /** Reads the entries' credentials (one statement), refreshes their viewers and revokes the missing. */
  private async check(entries: Entry[]): Promise<void> {
    const startedAt = Date.now();
    const refs = new Map(entries.map((e) => [e.key, e.ref]));
    const viewers = await this.o.authority.currentViewers(this.o.orm.em.fork(), [...refs.values()]);
    for (const entry of entries) {
      if (entry.revoked) continue;
      const now = viewers.get(entry.key);
      if (!now) {
        this.revoke(entry, 'credential no longer valid');
        continue;
      }
      const before = entry.viewer;
      entry.viewer = now;
      entry.checkedAt = startedAt;
      if (narrowed(before, now)) {
        this.log.info({ userId: now.userId }, 'websocket credential narrowed; ending its operations');
        entry.actions.narrowed();
      }
    }
  }

  private revokeNamed(event: CredentialsRevokedEvent): void {
    const refs: CredentialRef[] = [
      ...(event.sessionIds ?? []).map((sessionId) => ({ sessionId })),
      ...(event.apiKeyIds ?? []).map((apiKeyId) => ({ apiKeyId })),
    ];
    for (const ref of refs) {
      for (const entry of this.byKey.get(credentialKey(ref)) ?? []) this.revoke(entry, 'credential revoked');
    }
  }

  private revoke(entry: Entry, reason: string): void {
    if (entry.revoked) return;
    entry.revoked = true;
    this.unwatch(entry);
    this.log.info({ userId: entry.viewer.userId, reason }, 'closing websocket: its credential is no longer valid');
    entry.actions.revoke();
  }
}
