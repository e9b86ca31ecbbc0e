import type { WebSocket } from 'ws';
import type { Logger } from './logger';

/** A connection the cap counts: a WebSocket, or the response of a Server-Sent Events stream. */
export interface CountedConnection {
  once(event: 'close', listener: () => void): unknown;
}

/** Retry-After (seconds) of a socket upgrade or event stream refused by MAX_ANONYMOUS_SOCKETS_PER_CLIENT. */
export const ANONYMOUS_RETRY_AFTER_SECONDS = 10;

/**
 * Counts, per client address, the open sockets that are anonymous or not yet initialised, so that
 * one address cannot hold an unbounded number of sockets that cost no account (each may run
 * MAX_SUBSCRIPTIONS_PER_SOCKET subscriptions). A socket counts from its upgrade until it signs in
 * (connection_init with a valid token) or closes.
 *
 * The upgrade past the cap is refused with HTTP 429 (see server.ts), not accepted and then closed:
 * the refusal is decided before any WebSocket state exists (no socket, no graphql-ws bookkeeping,
 * no keep-alive timer), and it is the only point where a socket that has not sent connection_init
 * yet can be turned away. The condition is temporary (the address's other sockets close), so a
 * client that retries with backoff (graphql-ws's default, a bounded number of attempts) is doing
 * the right thing, whereas a close code it treats as final would leave a legitimate reader behind
 * a shared address disconnected for good.
 *
 * An anonymous Server-Sent Events stream (graphql-sse.ts) counts as one socket, against the same cap,
 * from its request until it ends; one past the cap is answered 429 with `Retry-After` too.
 */
export class AnonymousSocketCap {
  private readonly byAddress = new Map<string, number>();
  private readonly counted = new WeakMap<CountedConnection, string>();

  /** @param max sockets per address (0: no cap) */
  constructor(private readonly max: number) {}

  /** Whether one more socket from this address may open now. */
  admits(address: string): boolean {
    return this.max === 0 || (this.byAddress.get(address) ?? 0) < this.max;
  }

  /** A socket (or anonymous event stream) opened: it counts until it signs in or closes. */
  opened(socket: CountedConnection, address: string): void {
    this.counted.set(socket, address);
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    socket.once('close', () => this.release(socket));
  }

  /** The socket signed in (or closed): it no longer counts. */
  release(socket: CountedConnection): void {
    const address = this.counted.get(socket);
    if (address === undefined) return;
    this.counted.delete(socket);
    const n = (this.byAddress.get(address) ?? 1) - 1;
    if (n > 0) this.byAddress.set(address, n);
    else this.byAddress.delete(address);
  }
}

/**
 * Replaces graphql-ws's listener for a socket's `error` event, which prints a stack with
 * console.error. On a server, ws emits `error` only for a client's protocol violation (a frame
 * over `maxPayload`, invalid UTF-8, a bad opcode), after it has already begun closing the socket
 * with the matching code (1009, 1007, 1002): a client's mistake, logged as one structured line.
 * Call after graphql-ws has set up the socket (a `connection` listener added after `useServer`).
 */
export function logProtocolErrors(socket: WebSocket, log: Logger, address: string | undefined): void {
  socket.removeAllListeners('error');
  socket.on('error', (err: Error & { code?: string }) => {
    // ws keeps the close code it sent under a private symbol (kStatusCode).
    const status = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
    const closeCode = status ? (err as unknown as Record<symbol, unknown>)[status] : undefined;
    log.warn(
      { clientIp: address, code: err.code, closeCode, reason: err.message },
      'websocket protocol error; socket closed',
    );
  });
}
