import { createHash } from 'node:crypto';
import {
  Kind,
  getOperationAST,
  print,
  subscribe,
  valueFromASTUntyped,
  visit,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Context } from './context';
import { parseGlobalId, type NodeType } from './ids';
import type { Logger } from './logger';

/**
 * Decides whether a subscription may share its execution with others, and with whom: returns the
 * group key, or null to run it on its own. A key must capture everything the results depend on
 * (document, variables, and the visibility class of the data); a module returns one only when the
 * results are the same for every viewer who may subscribe (no viewer-dependent fields, data every
 * such viewer may read).
 */
export type ShareKey = (
  args: ExecutionArgs,
  ctx: Context,
  /** Fields whose value depends on the viewer, besides `viewer…` ones (every module's). */
  viewerFields: ReadonlySet<string>,
) => Promise<string | null>;

/**
 * How a socket receives its shared results: writes one graphql-ws `next` message whose payload is
 * this JSON (already serialized, once per result for the whole group).
 */
export type DirectSend = (payloadJson: string) => void;

/** One socket's place in a group. */
interface Member {
  send: DirectSend;
  /** Ends the socket's operation (graphql-ws then sends `complete`). */
  end(): void;
}

/** Per-group state: the one execution, and the sockets it feeds. */
interface Group {
  members: Set<Member>;
  source: AsyncIterator<ExecutionResult> | null;
  /** Its execution has ended or been stopped: a socket that finds it must start a new group. */
  closed: boolean;
}

/**
 * Runs a live subscription once per distinct (operation, variables, visibility) on this instance
 * and fans each result out to every socket in the group, instead of executing it once per socket.
 * The group's execution runs as an anonymous viewer, so it can only ever see what anonymous users
 * see; `ShareKey` only groups operations whose results do not depend on who the viewer is.
 * Everything else runs per socket, as graphql-ws would.
 *
 * Each result is serialized once and written straight to every member's socket (`DirectSend`), in
 * the order the execution yields them: per delivery that is one string concatenation and one
 * WebSocket frame, not an async iteration, a serialization and a promise per socket. graphql-ws
 * still owns each member's operation: the iterator it gets yields nothing and ends when the group
 * does (graphql-ws then sends `complete`), and its `return()` (the client's `complete`, or the
 * socket closing) takes the member out of the group.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, Promise<Group | ExecutionResult>>();

  /**
   * @param shareKeys one function per shareable subscription field
   * @param viewerFields fields whose value depends on the viewer (the modules mark theirs)
   * @param anonymousContext a fresh context for a group's execution
   * @param serialize a result's `next` payload as JSON (errors masked as the per-socket path masks them)
   */
  constructor(
    private readonly shareKeys: readonly ShareKey[],
    private readonly viewerFields: ReadonlySet<string>,
    private readonly anonymousContext: (groupId: string) => Context,
    private readonly log: Logger,
    private readonly serialize: (result: ExecutionResult, groupId: string) => string,
  ) {}

  /**
   * graphql-ws's `subscribe`: never throws (that would close the socket); failures are results.
   * @param send how to reach the socket directly; without it the operation runs on its own
   */
  subscribe = async (
    args: ExecutionArgs,
    send?: DirectSend,
  ): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> => {
    const ctx = args.contextValue as Context;
    let key: string | null = null;
    if (send) {
      for (const shareKey of this.shareKeys) {
        key = await shareKey(args, ctx, this.viewerFields).catch(() => null); // on error, the per-socket path reports it
        if (key) break;
      }
    }
    if (!key || !send) return subscribe(args);
    const groupId = createHash('sha256').update(key).digest('base64url').slice(0, 16);
    for (;;) {
      let pending = this.groups.get(groupId);
      if (!pending) {
        pending = this.start(groupId, { ...args, contextValue: this.anonymousContext(groupId) });
        this.groups.set(groupId, pending);
      }
      const group = await pending;
      if (!('members' in group)) return group;
      if (group.closed) {
        if (this.groups.get(groupId) === pending) this.groups.delete(groupId);
        continue;
      }
      ctx.release(); // this socket's own EntityManager and loaders are not needed while it shares
      return this.join(groupId, group, send);
    }
  };

  /** Starts a group's execution; a subscription that fails to start fails for the sockets that asked. */
  private async start(groupId: string, args: ExecutionArgs): Promise<Group | ExecutionResult> {
    const result = await subscribe(args);
    if (!(Symbol.asyncIterator in result)) {
      this.groups.delete(groupId);
      return result;
    }
    const group: Group = { members: new Set(), source: result[Symbol.asyncIterator](), closed: false };
    void (async () => {
      try {
        for await (const value of { [Symbol.asyncIterator]: () => group.source! }) {
          const json = this.serialize(value, groupId);
          for (const member of group.members) {
            try {
              member.send(json);
            } catch (err) {
              this.log.warn({ err, groupId }, 'shared subscription: a socket refused a result');
            }
          }
        }
      } catch (err) {
        this.log.error({ err, groupId }, 'shared subscription failed');
      } finally {
        this.close(groupId, group);
        for (const member of group.members) member.end();
      }
    })();
    this.log.debug({ groupId }, 'shared subscription started');
    return group;
  }

  /** Adds a socket to a group: the iterator graphql-ws gets yields nothing and ends with the group or on `return()`. */
  private join(groupId: string, group: Group, send: DirectSend): AsyncIterableIterator<ExecutionResult> {
    let finish!: () => void;
    const ended = new Promise<IteratorResult<ExecutionResult>>((resolve) => {
      finish = () => resolve({ done: true, value: undefined });
    });
    const member: Member = { send, end: () => finish() };
    group.members.add(member);
    const leave = () => {
      if (!group.members.delete(member)) return;
      finish();
      if (group.members.size === 0) this.close(groupId, group);
    };
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => ended,
      async return() {
        leave();
        return { done: true, value: undefined };
      },
      async throw(error?: unknown) {
        leave();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private close(groupId: string, group: Group): void {
    if (group.closed) return;
    group.closed = true;
    void this.groups.get(groupId)?.then((g) => g === group && this.groups.delete(groupId));
    void group.source?.return?.();
  }

  /** Groups running now (for tests and metrics). */
  get size(): number {
    return this.groups.size;
  }
}

/** Whether the document selects anything whose value depends on the viewer: `viewer…` fields and `viewerFields`. */
function selectsViewerFields(args: ExecutionArgs, viewerFields: ReadonlySet<string>): boolean {
  let found = false;
  visit(args.document, {
    Field(node) {
      if (node.name.value.startsWith('viewer') || viewerFields.has(node.name.value)) found = true;
    },
  });
  return found;
}

/**
 * The share key of a live field such as `commentAdded(postId)` or `chatMessageAdded(eventId)`:
 * an operation made of that one field, without an `after` cursor (each cursor has its own replay),
 * selecting nothing viewer-dependent, on a subject anyone may read (`isPublic`; private subjects
 * each have their own access), shares one execution per (document, variables) on this instance.
 */
export function liveFieldShareKey(
  field: string,
  subjectArg: string,
  subjectType: NodeType,
  isPublic: (ctx: Context, id: number) => Promise<boolean>,
): ShareKey {
  return async (args, ctx, viewerFields) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return null;
    const selection = operation.selectionSet.selections[0];
    if (selection.kind !== Kind.FIELD || selection.name.value !== field) return null;
    const vars = (args.variableValues ?? {}) as Record<string, unknown>;
    const argValue = (name: string) => {
      const arg = selection.arguments?.find((a) => a.name.value === name);
      return arg ? valueFromASTUntyped(arg.value, vars) : undefined;
    };
    const after = argValue('after');
    if (after !== undefined && after !== null) return null;
    const ref = parseGlobalId(String(argValue(subjectArg) ?? ''));
    if (ref?.type !== subjectType || selectsViewerFields(args, viewerFields)) return null;
    if (!(await isPublic(ctx, ref.id))) return null;
    return `${field}:${ref.id}:${args.operationName ?? ''}:${print(args.document)}:${JSON.stringify(vars)}`;
  };
}
