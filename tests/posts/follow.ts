import { record, type Recording, type Subscriber } from '../support/subscription';

/** A comment as the `commentAdded` tests select it (subscription and `addComment` alike). */
export interface StreamedComment {
  id: string;
  body: string;
  cursor: string;
  author: { handle: string } | null;
}

/** A `commentAdded` recording, read as comments and their bodies. */
export interface Follow extends Recording<{ commentAdded: StreamedComment }> {
  comments(): StreamedComment[];
  bodies(): string[];
  /** Resolves once a comment with this body has arrived. */
  received(body: string, ms?: number): Promise<void>;
}

/** Follows `commentAdded` with `query` (selecting StreamedComment's fields) through a graphql-ws or graphql-sse client. */
export function follow(client: Subscriber, query: string, variables: { postId: string; after?: string }): Follow {
  const f = record<{ commentAdded: StreamedComment }>(client, { query, variables }, () => ({
    bodies: f.bodies(),
    errors: f.errorCodes(),
    failure: shown(f.failure),
    completed: f.completed,
  })) as Follow;
  f.comments = () => f.results.map((r) => r.data?.commentAdded).filter((c): c is StreamedComment => !!c);
  f.bodies = () => f.comments().map((c) => c.body);
  f.received = (body, ms) => f.until(() => f.bodies().includes(body), `the comment "${body}"`, ms);
  return f;
}

/**
 * Neither graphql-ws nor graphql-sse acknowledges a subscribe, and without `after` a subscription only
 * sees comments added once it is listening. Adds "probe N" comments until one comes back.
 */
export async function untilStreaming(f: Follow, add: (body: string) => Promise<unknown>): Promise<void> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    await add(`probe ${attempt}`);
    try {
      await f.until(() => f.comments().length > 0, 'a probe comment', 500);
      return;
    } catch {
      if (f.failure !== undefined || f.completed) break;
    }
  }
  throw new Error(
    `the subscription never received a probe: ${JSON.stringify({ results: f.results, failure: shown(f.failure), completed: f.completed })}`,
  );
}

/** The bodies received after the leading probes, checking that the probes came once each, in order, and only first. */
export function afterProbes(f: Follow): string[] {
  const bodies = f.bodies();
  const firstReal = bodies.findIndex((b) => !b.startsWith('probe '));
  const probes = firstReal === -1 ? bodies : bodies.slice(0, firstReal);
  const rest = firstReal === -1 ? [] : bodies.slice(firstReal);
  const numbers = probes.map((p) => Number(p.slice('probe '.length)));
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b).filter((n, i, all) => all.indexOf(n) === i));
  expect(rest.filter((b) => b.startsWith('probe '))).toEqual([]);
  return rest;
}

/** A failure as a timeout message shows it (graphql-sse fails with an Error, which JSON shows as `{}`). */
function shown(failure: unknown): unknown {
  return failure instanceof Error ? String(failure) : failure;
}
