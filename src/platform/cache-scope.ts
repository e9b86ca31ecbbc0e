import type { DocumentNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { currentMutationName } from './deprecations';

/**
 * What one operation read or wrote, for the response cache (response-cache.ts): the communities
 * whose content it touched and the users whose set of memberships it touched. Each request's
 * loaders hold one (`loaders.cacheScope`), filled where every community read passes anyway: the
 * community loader, the visibility checks (`canSeeCommunity`, `canReadContent`) and `actorIn`, which
 * the permission table and the record policies go through. A query's kept answer depends on these
 * (and on every write that names no scope); a mutation's write touches them.
 */
export class CacheScope {
  readonly communities = new Set<number>();
  /** Users whose memberships changed (a write) or whose whole set of memberships was read (`feed`). */
  readonly members = new Set<number>();
  /** Read or wrote something no tag names: depends on, or touches, everything. */
  unscoped = false;

  community(id: number): void {
    this.communities.add(id);
  }

  member(userId: number): void {
    this.members.add(userId);
  }

  everything(): void {
    this.unscoped = true;
  }
}

/**
 * Root fields of Query whose answers are scoped: each reads one community's content (or, for
 * `feed`, the content of the viewer's communities and their memberships), through the checks that
 * note it, plus user-level data (User: handle, isAdmin…) that only unscoped writes change. Any
 * other root field (`viewer`, `communities`, introspection, fields added later) makes the answer
 * depend on every write.
 */
const SCOPED_QUERY_FIELDS: ReadonlySet<string> = new Set([
  'community',
  'node',
  'post',
  'event',
  'poll',
  'feed',
  '__typename',
]);

/**
 * Root fields of Mutation that write only in the community (or communities) whose content they
 * check, through the checks that note it. Any other mutation (sign-up, sign-in, sign-out, API keys,
 * `createCommunity`, fields added later) touches everything. A deprecated mutation is scoped as its
 * replacement (deprecations.ts), so only current names are listed.
 */
const SCOPED_MUTATION_FIELDS: ReadonlySet<string> = new Set([
  'addComment',
  'updateComment',
  'removeComment',
  'moderateComment',
  'createPost',
  'updatePost',
  'removePost',
  'moderatePost',
  'setVote',
  'setReaction',
  'updateCommunity',
  'requestMembership',
  'endMembership',
  'setMemberRole',
  'banMember',
  'liftBan',
  'inviteUser',
  'acceptJoinRequest',
  'declineJoinRequest',
  'issueInviteLink',
  'deactivateInviteLink',
  'redeemInviteLink',
  'createEvent',
  'updateEvent',
  'cancelCommunityEvent',
  'setRsvp',
  'checkInAttendee',
  'openLiveStream',
  'closeLiveStream',
  'setChatSlowMode',
  'sendChatMessage',
  'removeChatMessage',
  'muteLiveChatMember',
  'unmuteLiveChatMember',
  'setQuestionUpvote',
  'markQuestionAsAnswered',
  'submitContestEntry',
  'removeContestEntry',
  'castContestVote',
  'retractContestVote',
  'createPoll',
  'castVote',
  'endPoll',
  'setReputationRules',
  'rebuildCommunityReputation',
  'createQuest',
  'updateQuest',
  'closeQuest',
  'removeQuestCompletion',
]);

/** The names of the fields an operation selects at its root, fragments included (whatever their directives). */
export function rootFields(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === 'Field') names.push(selection.name.value);
      else if (selection.kind === 'InlineFragment') walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = document.definitions.find(
          (d) => d.kind === 'FragmentDefinition' && d.name.value === selection.name.value,
        );
        // A spread of an unknown fragment never passes validation; counted as unscoped all the same.
        if (fragment?.kind === 'FragmentDefinition') walk(fragment.selectionSet);
        else names.push(`...${selection.name.value}`);
      }
    }
  };
  walk(operation.selectionSet);
  return names;
}

/** What a response cache entry depends on: `all` (every write), or the writes that touch these tags (and unscoped ones). */
export interface ReadDependencies {
  all: boolean;
  communities: number[];
  members: number[];
}

const ALL: ReadDependencies = { all: true, communities: [], members: [] };

/**
 * What a query's answer depends on. Every write when it selects an unscoped root field, when one of
 * its root fields answered null (a missing object may appear later through a write in a community
 * no one can name yet), or when its resolvers said so; otherwise the communities and memberships
 * its resolvers noted.
 */
export function readDependencies(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  data: Record<string, unknown>,
  scope: CacheScope | undefined,
): ReadDependencies {
  if (!scope || scope.unscoped) return ALL;
  if (rootFields(document, operation).some((name) => !SCOPED_QUERY_FIELDS.has(name))) return ALL;
  for (const key in data) if (data[key] === null || data[key] === undefined) return ALL;
  return { all: false, communities: [...scope.communities], members: [...scope.members] };
}

/** What a write touches: null for everything. */
export interface WriteScope {
  communities: Iterable<number>;
  members?: Iterable<number>;
}

/**
 * What a mutation touched: the communities and memberships its resolvers noted when every root
 * field is a scoped mutation (SCOPED_MUTATION_FIELDS) and at least one community was noted;
 * otherwise everything (null).
 */
export function writeScope(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  scope: CacheScope | undefined,
): WriteScope | null {
  if (!scope || scope.unscoped || scope.communities.size === 0) return null;
  if (rootFields(document, operation).some((name) => !SCOPED_MUTATION_FIELDS.has(currentMutationName(name))))
    return null;
  return { communities: [...scope.communities], members: [...scope.members] };
}
