import { createHash } from 'node:crypto';
import {
  Kind,
  createSourceEventStream,
  execute,
  getOperationAST,
  print,
  subscribe,
  valueFromASTUntyped,
  visit,
  type DocumentNode,
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
) => Promise<Share | null>;

/** A subscription's group. */
export interface Share {
  key: string;
  /**
   * A subscription with a cursor: it replays on its own, then continues in the group that runs
   * `args` (its operation without the cursor), once it has caught up (see `Context.liveHandover`).
   * `idOf` names the row behind each event of the group, so the rows it already delivered are skipped.
   */
  handover?: { args: Pick<ExecutionArgs, 'document' | 'variableValues'>; idOf(payload: unknown): number | undefined };
}

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
  /** Still replaying on its own (a handover): sent nothing yet. */
  pending?: boolean;
  /** Rows its own stream delivered before the handover, or would never deliver: not sent again. */
  skip?(id: number): boolean;
}

/** Per-group state: the one execution, and the sockets it feeds. */
interface Group {
  members: Set<Member>;
  source: AsyncIterator<unknown> | null;
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
    let share: Share | null = null;
    if (send) {
      for (const shareKey of this.shareKeys) {
        share = await shareKey(args, ctx, this.viewerFields).catch(() => null); // on error, the per-socket path reports it
        if (share) break;
      }
    }
    if (!share || !send) return subscribe(args);
    const groupId = createHash('sha256').update(share.key).digest('base64url').slice(0, 16);
    const groupArgs = share.handover ? { ...args, ...share.handover.args } : args;
    for (;;) {
      let pending = this.groups.get(groupId);
      if (!pending) {
        const idOf = share.handover?.idOf;
        pending = this.start(groupId, { ...groupArgs, contextValue: this.anonymousContext(groupId) }, idOf);
        this.groups.set(groupId, pending);
      }
      const group = await pending;
      if (!('members' in group)) return share.handover ? subscribe(args) : group;
      if (group.closed) {
        if (this.groups.get(groupId) === pending) this.groups.delete(groupId);
        continue;
      }
      if (share.handover) return this.handOver(groupId, group, args, send);
      ctx.release(); // this socket's own EntityManager and loaders are not needed while it shares
      return this.join(groupId, group, { send });
    }
  };

  /**
   * Starts a group's execution (graphql-js's `subscribe`, one event at a time, so that each result
   * is known with the row behind it); a subscription that fails to start fails for the sockets that asked.
   */
  private async start(
    groupId: string,
    args: ExecutionArgs,
    idOf?: (payload: unknown) => number | undefined,
  ): Promise<Group | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) {
      this.groups.delete(groupId);
      return stream;
    }
    const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const group: Group = { members: new Set(), source, closed: false };
    void (async () => {
      try {
        for await (const payload of { [Symbol.asyncIterator]: () => source }) {
          const json = this.serialize(await execute({ ...args, rootValue: payload }), groupId);
          const id = idOf?.(payload);
          for (const member of group.members) {
            if (member.pending || (id !== undefined && member.skip?.(id))) continue;
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

  /**
   * A subscription with a cursor: it runs on its own (its replay, then live rows) until its stream
   * has delivered everything the feed offered it, then hands the rest to the group, which the
   * socket joins. The group has followed the same feed since before this subscription started, so
   * every row after that point reaches the socket once: from its own stream up to the handover,
   * from the group after it, minus what its own stream already delivered. graphql-ws iterates the
   * socket's own results until then, and nothing after (the group writes to the socket directly).
   */
  private handOver(
    groupId: string,
    group: Group,
    args: ExecutionArgs,
    send: DirectSend,
  ): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
    const ctx = args.contextValue as Context;
    const member: Omit<Member, 'end'> = { send, pending: true };
    const shared = this.join(groupId, group, member);
    ctx.liveHandover = ({ floor, delivered }) => {
      if (group.closed || !group.members.has(member as Member)) return false; // `join` made it a Member
      // The stream ends here and never changes `delivered` again: no copy needed.
      member.skip = (id) => id <= floor || delivered.has(id);
      member.pending = false;
      ctx.liveHandover = undefined;
      return true;
    };
    return (async () => {
      let own: AsyncIterable<ExecutionResult> | ExecutionResult;
      try {
        own = await subscribe(args);
      } catch (err) {
        void shared.return!();
        throw err;
      }
      if (!(Symbol.asyncIterator in own)) {
        void shared.return!();
        return own;
      }
      const results = own[Symbol.asyncIterator]();
      const iterator: AsyncIterableIterator<ExecutionResult> = {
        async next() {
          if (!member.pending) return shared.next();
          let result: IteratorResult<ExecutionResult>;
          try {
            result = await results.next();
          } catch (err) {
            void shared.return!(); // its own stream failed: the operation ends, and leaves the group
            throw err;
          }
          if (!result.done) return result;
          if (!member.pending) {
            ctx.release(); // handed over: the socket's own EntityManager and loaders are not needed
            return shared.next();
          }
          void shared.return!(); // its own stream ended (access lost, the chat closed): so does the operation
          return result;
        },
        async return() {
          await Promise.all([results.return?.(), shared.return!()]);
          return { done: true, value: undefined };
        },
        async throw(error?: unknown) {
          await Promise.all([results.return?.(), shared.return!()]);
          throw error;
        },
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    })();
  }

  /** Adds a socket to a group: the iterator graphql-ws gets yields nothing and ends with the group or on `return()`. */
  private join(groupId: string, group: Group, joining: Omit<Member, 'end'>): AsyncIterableIterator<ExecutionResult> {
    let finish!: () => void;
    const ended = new Promise<IteratorResult<ExecutionResult>>((resolve) => {
      finish = () => resolve({ done: true, value: undefined });
    });
    const member: Member = Object.assign(joining, { end: () => finish() });
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
 * an operation made of that one field, selecting nothing viewer-dependent, on a subject anyone may
 * read (`isPublic`; private subjects each have their own access), shares one execution per
 * (document, variables) on this instance. With an `after` cursor (each has its own replay), it
 * shares only with `handover`: it replays on its own, then joins the group of the same operation
 * without the cursor (see `SharedSubscriptions.handOver`); `handover` names the row behind an event.
 * A viewer who blocked someone never shares: every listing masks the texts of the members they
 * blocked (hidden-content.ts), so their results are their own.
 */
export function liveFieldShareKey(
  field: string,
  subjectArg: string,
  subjectType: NodeType,
  isPublic: (ctx: Context, id: number) => Promise<boolean>,
  handover?: (payload: unknown) => number | undefined,
): ShareKey {
  return async (args, ctx, viewerFields) => {
    if (ctx.viewer.blocked.size > 0) return null;
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
    const cursor = after !== undefined && after !== null;
    if (cursor && !handover) return null;
    const ref = parseGlobalId(String(argValue(subjectArg) ?? ''));
    if (ref?.type !== subjectType || selectsViewerFields(args, viewerFields)) return null;
    if (!(await isPublic(ctx, ref.id))) return null;
    const shared = cursor ? withoutArgument(args.document, field, 'after', vars) : null;
    if (cursor && !shared) return null;
    const document = shared?.document ?? args.document;
    const variables = shared?.variableValues ?? vars;
    return {
      key: `${field}:${ref.id}:${args.operationName ?? ''}:${print(document)}:${JSON.stringify(variables)}`,
      handover: shared && handover ? { args: shared, idOf: handover } : undefined,
    };
  };
}

/**
 * The operation without `field`'s argument `name`, and without its variable when that argument was
 * the variable's only use: the same subscription with no cursor. Null when the variable is used elsewhere.
 */
function withoutArgument(
  document: DocumentNode,
  field: string,
  name: string,
  vars: Record<string, unknown>,
): { document: DocumentNode; variableValues: Record<string, unknown> } | null {
  let variable: string | null = null;
  let stripped = visit(document, {
    Field(node) {
      if (node.name.value !== field) return undefined;
      const arg = node.arguments?.find((a) => a.name.value === name);
      if (arg?.value.kind === Kind.VARIABLE) variable = arg.value.name.value;
      return { ...node, arguments: node.arguments?.filter((a) => a.name.value !== name) };
    },
  });
  const variableValues = { ...vars };
  if (variable !== null) {
    const dropped: string = variable;
    let used = false;
    visit(stripped, {
      Variable(node) {
        used ||= node.name.value === dropped;
      },
      VariableDefinition: () => false, // the definition itself is not a use
    });
    if (used) return null;
    stripped = visit(stripped, {
      VariableDefinition: (node) => (node.variable.name.value === dropped ? null : undefined),
    });
    delete variableValues[dropped];
  }
  return { document: stripped, variableValues };
}
