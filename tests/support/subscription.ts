import type { GraphQLFormattedError } from 'graphql';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import type { Client as SseClient } from 'graphql-sse';

/** What `record` subscribes through: a graphql-ws client, or a graphql-sse one (the same `subscribe`). */
export type Subscriber = Pick<Client, 'subscribe'> | Pick<SseClient, 'subscribe'>;

/** One operation's stream as a graphql-ws (or graphql-sse) client sees it: results, then a completion or an error. */
export interface Recording<T> {
  results: FormattedExecutionResult<T, unknown>[];
  /** What the sink's error got: GraphQL errors (an `error` message), a close event, or (graphql-sse) a network error. */
  failure: unknown;
  completed: boolean;
  /** Codes of every GraphQL error received, in an `error` message or in a result. */
  errorCodes(): unknown[];
  /** Resolves when `check` holds, re-checked after each message; rejects after `ms` naming `what` and what arrived. */
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
  /** Resolves when the operation has completed or failed. */
  settled(ms?: number): Promise<void>;
  /** Unsubscribes (graphql-ws `complete`). */
  stop(): void;
}

/**
 * Subscribes through `client` and records everything that arrives.
 * @param describe what a timeout message shows of the recording (default: all of it)
 */
export function record<T>(
  client: Subscriber,
  request: { query: string; variables?: Record<string, unknown> },
  describe?: () => unknown,
): Recording<T> {
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((listener) => listener());
  const r: Recording<T> = {
    results: [],
    failure: undefined,
    completed: false,
    errorCodes: () => {
      const fromError = Array.isArray(r.failure) ? (r.failure as GraphQLFormattedError[]) : [];
      return [...fromError, ...r.results.flatMap((result) => result.errors ?? [])].map((e) => e.extensions?.code);
    },
    until(check, what, ms = 5000) {
      return new Promise<void>((resolve, reject) => {
        const listener = () => {
          if (!check()) return;
          listeners.delete(listener);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(listener);
          const got = describe?.() ?? { results: r.results, failure: r.failure, completed: r.completed };
          reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(got)}`));
        }, ms);
        listeners.add(listener);
        listener();
      });
    },
    settled: (ms) => r.until(() => r.completed || r.failure !== undefined, 'the operation to end', ms),
    stop: () => unsubscribe(),
  };
  // Both clients' `subscribe` take the same request and sink.
  const unsubscribe = (client as Pick<Client, 'subscribe'>).subscribe<T>(request, {
    next: (result) => {
      r.results.push(result as FormattedExecutionResult<T, unknown>);
      changed();
    },
    error: (error) => {
      r.failure = error;
      changed();
    },
    complete: () => {
      r.completed = true;
      changed();
    },
  });
  return r;
}
