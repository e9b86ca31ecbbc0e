import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { currentMutationName } from '../deprecations';
import type { RateLimiter } from './rate-limit';

/** A limit: at most `limit` writes per `windowSeconds` (a fixed window). */
export interface WriteLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * Default write limits per member (anonymous callers run only signUp and signIn), one bucket per kind of
 * write. Generous for a person, tight for a script: a member may post 10 times in 10 minutes but not
 * 1,000. WRITE_RATE_LIMITS overrides any of them (`posts=5/60,votes=100/60`; `*` sets every bucket).
 * Sign-in and sign-up have AUTH_RATE_LIMIT, chat messages CHAT_RATE_LIMIT.
 */
export const WRITE_RATE_DEFAULTS = {
  /** createPost */
  posts: { limit: 10, windowSeconds: 600 },
  /** addComment */
  comments: { limit: 60, windowSeconds: 600 },
  /** updatePost, removePost, updateComment, removeComment */
  edits: { limit: 60, windowSeconds: 600 },
  /** setVote, castVote, setQuestionUpvote, castContestVote, retractContestVote */
  votes: { limit: 300, windowSeconds: 600 },
  /** setReaction */
  reactions: { limit: 120, windowSeconds: 600 },
  /** createPoll */
  polls: { limit: 10, windowSeconds: 600 },
  /** createEvent, updateEvent, cancelCommunityEvent, openLiveStream, closeLiveStream */
  events: { limit: 20, windowSeconds: 600 },
  /** setRsvp, checkInAttendee */
  rsvps: { limit: 60, windowSeconds: 600 },
  /** submitContestEntry, removeContestEntry */
  contests: { limit: 10, windowSeconds: 600 },
  /** createCommunity */
  communities: { limit: 5, windowSeconds: 3600 },
  /** requestMembership, endMembership, redeemInviteLink */
  memberships: { limit: 30, windowSeconds: 600 },
  /** inviteUser (each invite reaches someone else), issueInviteLink, deactivateInviteLink */
  invites: { limit: 50, windowSeconds: 3600 },
  /** followMember, unfollowMember, followTag, unfollowTag */
  follows: { limit: 60, windowSeconds: 600 },
  /** createApiKey */
  apiKeys: { limit: 10, windowSeconds: 3600 },
  /** Moderators' and admins' actions: roles, bans, mutes, pins, locks, join requests, community settings. Roomy for cleaning up a spam wave. */
  moderation: { limit: 300, windowSeconds: 600 },
  /** createReport, appealDecision: a member files at most this many (the queue is read by people) */
  reports: { limit: 20, windowSeconds: 3600 },
  /** rebuildCommunityReputation (reads a community's whole ledger) */
  rebuilds: { limit: 5, windowSeconds: 3600 },
  /** Every mutation not listed in MUTATION_BUCKETS (deactivateApiKey, and mutations added later). */
  other: { limit: 120, windowSeconds: 600 },
} satisfies Record<string, WriteLimit>;

export type WriteBucket = keyof typeof WRITE_RATE_DEFAULTS;
export type WriteLimits = Record<WriteBucket, WriteLimit>;
const WRITE_BUCKETS = Object.keys(WRITE_RATE_DEFAULTS) as WriteBucket[];

/**
 * The bucket of each mutation; `null`: not counted here, because it has its own limit (sign-in and
 * sign-up: AUTH_RATE_LIMIT; sendChatMessage: CHAT_RATE_LIMIT) or only ends a session (endSession).
 * A mutation missing from this table counts in `other`. A deprecated mutation counts as its
 * replacement (deprecations.ts), so only current names are listed.
 */
export const MUTATION_BUCKETS: Record<string, WriteBucket | null> = {
  signUp: null,
  signIn: null,
  endSession: null,
  sendChatMessage: null,
  createPost: 'posts',
  addComment: 'comments',
  updatePost: 'edits',
  removePost: 'edits',
  updateComment: 'edits',
  removeComment: 'edits',
  setVote: 'votes',
  castVote: 'votes',
  setQuestionUpvote: 'votes',
  castContestVote: 'votes',
  retractContestVote: 'votes',
  setReaction: 'reactions',
  createPoll: 'polls',
  createEvent: 'events',
  updateEvent: 'events',
  cancelCommunityEvent: 'events',
  openLiveStream: 'events',
  closeLiveStream: 'events',
  setRsvp: 'rsvps',
  checkInAttendee: 'rsvps',
  submitContestEntry: 'contests',
  removeContestEntry: 'contests',
  createCommunity: 'communities',
  requestMembership: 'memberships',
  endMembership: 'memberships',
  inviteUser: 'invites',
  issueInviteLink: 'invites',
  deactivateInviteLink: 'invites',
  redeemInviteLink: 'memberships',
  createApiKey: 'apiKeys',
  followMember: 'follows',
  unfollowMember: 'follows',
  followTag: 'follows',
  unfollowTag: 'follows',
  acceptJoinRequest: 'moderation',
  declineJoinRequest: 'moderation',
  banMember: 'moderation',
  liftBan: 'moderation',
  setMemberRole: 'moderation',
  moderatePost: 'moderation',
  moderateComment: 'moderation',
  muteLiveChatMember: 'moderation',
  unmuteLiveChatMember: 'moderation',
  removeChatMessage: 'moderation',
  setChatSlowMode: 'moderation',
  markQuestionAsAnswered: 'moderation',
  endPoll: 'moderation',
  updateCommunity: 'moderation',
  setReputationRules: 'moderation',
  rebuildCommunityReputation: 'rebuilds',
  createQuest: 'moderation',
  updateQuest: 'moderation',
  closeQuest: 'moderation',
  removeQuestCompletion: 'moderation',
  createReport: 'reports',
  decideModerationItem: 'moderation',
  decideAppeal: 'moderation',
  appealDecision: 'reports',
  createCommunityRule: 'moderation',
  updateCommunityRule: 'moderation',
  removeCommunityRule: 'moderation',
  addAutoModRule: 'moderation',
  updateAutoModRule: 'moderation',
  removeAutoModRule: 'moderation',
  createChannel: 'moderation',
  updateChannel: 'moderation',
  removeChannel: 'moderation',
  setChannelSubscription: 'other',
  // Also AUTH_RATE_LIMIT password tries per account (accounts.resolver.ts).
  requestAccountDeletion: 'other',
  cancelAccountDeletion: 'other',
};

/**
 * Parses WRITE_RATE_LIMITS (`bucket=limit/seconds`, comma-separated; `*` for every bucket) over the defaults.
 * @throws Error naming the entry at fault
 */
export function parseWriteLimits(value: string): WriteLimits {
  const limits: WriteLimits = { ...WRITE_RATE_DEFAULTS };
  for (const entry of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([\w*]+)\s*=\s*(\d+)\s*\/\s*(\d+)$/.exec(entry);
    if (!m) throw new Error(`"${entry}" is not bucket=limit/seconds`);
    const [, name, limit, seconds] = m;
    const limit_ = { limit: Number(limit), windowSeconds: Number(seconds) };
    if (limit_.limit < 1 || limit_.windowSeconds < 1 || limit_.windowSeconds > 86_400) {
      throw new Error(`"${entry}": the limit must be at least 1 and the window 1 to 86400 seconds`);
    }
    if (name === '*') for (const b of WRITE_BUCKETS) limits[b] = limit_;
    else if (Object.hasOwn(WRITE_RATE_DEFAULTS, name)) limits[name as WriteBucket] = limit_;
    else throw new Error(`unknown bucket "${name}" (buckets: ${WRITE_BUCKETS.join(', ')})`);
  }
  return limits;
}

/**
 * The names of an operation's top-level fields, once per occurrence: each alias is one more, fields
 * in fragments count as written inline (a fragment spread twice, twice), and `@skip`/`@include` are
 * ignored (a field that might run counts).
 */
export function rootFieldNames(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const names: string[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        names.push(s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet);
      } else {
        const fragment = fragments.get(s.name.value);
        // Validation forbids fragment cycles; `seen` only keeps a malformed document from looping.
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          walk(fragment.selectionSet);
          seen.delete(fragment.name.value);
        }
      }
    }
  };
  walk(operation.selectionSet);
  return names;
}

/** Counts the top-level fields of a mutation per bucket (see `rootFieldNames`). */
export function writesByBucket(document: DocumentNode, operation: OperationDefinitionNode): Map<WriteBucket, number> {
  const counts = new Map<WriteBucket, number>();
  for (const name of rootFieldNames(document, operation)) {
    if (name.startsWith('__')) continue;
    const current = currentMutationName(name);
    const bucket = Object.hasOwn(MUTATION_BUCKETS, current) ? MUTATION_BUCKETS[current] : 'other';
    if (bucket) counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }
  return counts;
}

/**
 * Counts a mutation's writes against the writer's buckets (one counter call per bucket it touches)
 * and throws RATE_LIMITED, with `retryAfter`, when one is over its limit. Queries and subscriptions pass.
 */
export async function assertWriteRate(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  userId: number | null,
  limits: WriteLimits,
  rateLimiter: RateLimiter,
): Promise<void> {
  // Anonymous callers run only signUp and signIn (assertAnonymousMayRun, before this), which have limits of their own.
  if (operation.operation !== 'mutation' || userId === null) return;
  const who = `user:${userId}`;
  const counts = writesByBucket(document, operation);
  await Promise.all(
    [...counts].map(([bucket, hits]) => {
      const { limit, windowSeconds } = limits[bucket];
      return rateLimiter.consume(`write:${bucket}:${who}`, limit, windowSeconds * 1000, hits);
    }),
  );
}
