import { Kind, getOperationAST, print, valueFromASTUntyped, visit, type ExecutionArgs } from 'graphql';
import type { Context } from '../../platform/context';
import { parseGlobalId } from '../../platform/ids';
import { VIEWER_DEPENDENT_FIELDS, type ShareKey } from '../../platform/shared-subscriptions';
import { Visibility } from '../communities/communities.entity';
import { readablePost } from './posts.service';

/** Whether the document selects anything whose value depends on the viewer. */
function selectsViewerFields(args: ExecutionArgs): boolean {
  let found = false;
  visit(args.document, {
    Field(node) {
      if (VIEWER_DEPENDENT_FIELDS.has(node.name.value)) found = true;
    },
  });
  return found;
}

/**
 * `commentAdded(postId)` without a cursor, on a PUBLIC community's post, selecting nothing
 * viewer-dependent, gives every subscriber the same results: such subscriptions share one
 * execution per (document, variables) on this instance. With a cursor each client has its own
 * replay, and on a private community each its own access, so those run per socket.
 */
export const commentAddedShareKey: ShareKey = async (args: ExecutionArgs, ctx: Context) => {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return null;
  const field = operation.selectionSet.selections[0];
  if (field.kind !== Kind.FIELD || field.name.value !== 'commentAdded') return null;
  const vars = (args.variableValues ?? {}) as Record<string, unknown>;
  const argValue = (name: string) => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    return arg ? valueFromASTUntyped(arg.value, vars) : undefined;
  };
  const after = argValue('after');
  if (after !== undefined && after !== null) return null;
  const postRef = parseGlobalId(String(argValue('postId') ?? ''));
  if (postRef?.type !== 'Post' || selectsViewerFields(args)) return null;
  const { community } = await readablePost(ctx.loaders, ctx.viewer, postRef.id);
  if (community.visibility !== Visibility.PUBLIC) return null;
  return `commentAdded:${postRef.id}:${args.operationName ?? ''}:${print(args.document)}:${JSON.stringify(vars)}`;
};
