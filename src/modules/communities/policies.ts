import { Forbidden } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import type { Viewer } from '../identity/viewer';
import { actorIn } from './communities.service';
import { assertNotBanned, can, isBanned, isMuted, type Actor } from './permissions';

/** A reference to a row (a MikroORM `Ref`, or the row itself). */
interface Ref {
  id: number;
}

/** What the record rules look at, as the services hold it (entities satisfy these shapes). */
export interface Records {
  post: { community: Ref; author: Ref };
  comment: { comment: { author: Ref }; post: { community: Ref } };
  event: { community: Ref; organizer: Ref };
  chatMessage: { message: { author: Ref }; event: { community: Ref; organizer: Ref } };
  poll: { community: Ref; createdBy: Ref };
  contestEntry: { entry: { user: Ref }; event: { community: Ref } };
}

/** One record rule: the community the record lives in, who may act on it, and why not otherwise. */
interface Policy<R> {
  community(record: R): number;
  allow(actor: Actor, record: R): boolean;
  /** The FORBIDDEN message. */
  refusal: string;
}

const policy = <K extends keyof Records>(_kind: K, p: Policy<Records[K]>): Policy<Records[K]> => p;

const is = (actor: Actor, user: Ref) => actor.userId !== null && actor.userId === user.id;
const runs = (actor: Actor, event: Records['event']) => is(actor, event.organizer) || can(actor, 'events.manage');
/** A rule on an event for whoever runs it (its organizer, or `events.manage`). */
const runsEvent = (refusal: string) =>
  policy('event', { community: (event) => event.community.id, allow: runs, refusal });

/**
 * The record-level rules, beside the permission table (permissions.ts) that they build on: who may
 * act on a record because of their part in it (its author, organizer, creator) or their role.
 * Mutations call `authorize`, `viewerCan…` fields call `allowed`: one rule for both. Every rule
 * first applies the ban rule: a user banned from the record's community may act on nothing there,
 * whatever they authored or organized.
 */
export const POLICIES = {
  /** Edit a post: its author. */
  'post.update': policy('post', {
    community: (post) => post.community.id,
    allow: (actor, post) => is(actor, post.author),
    refusal: 'Only the author can edit a post',
  }),
  /** Delete a post: its author, or `posts.moderate`. */
  'post.delete': policy('post', {
    community: (post) => post.community.id,
    allow: (actor, post) => is(actor, post.author) || can(actor, 'posts.moderate'),
    refusal: 'Only the author or a moderator can delete a post',
  }),
  /** Edit a comment: its author. */
  'comment.update': policy('comment', {
    community: ({ post }) => post.community.id,
    allow: (actor, { comment }) => is(actor, comment.author),
    refusal: 'Only the author can edit a comment',
  }),
  /** Delete a comment: its author, or `posts.moderate`. */
  'comment.delete': policy('comment', {
    community: ({ post }) => post.community.id,
    allow: (actor, { comment }) => is(actor, comment.author) || can(actor, 'posts.moderate'),
    refusal: 'Only the author or a moderator can delete a comment',
  }),
  /** Edit or cancel an event: its organizer, or `events.manage`. */
  'event.update': runsEvent('Only the organizer or a moderator can change this event'),
  /** Check attendees in (which earns them reputation): the organizer, or `events.manage`. */
  'event.checkIn': runsEvent('Only the organizer or a moderator can check attendees in'),
  /**
   * Run a live stream: start and end it, set slow mode, mute and unmute, answer questions (and be
   * spared slow mode): its organizer, or `events.manage`.
   */
  'event.runStream': runsEvent('Only the organizer or a moderator can run this stream'),
  /** Remove a chat message: its author, or whoever runs the stream. */
  'chatMessage.delete': policy('chatMessage', {
    community: ({ event }) => event.community.id,
    allow: (actor, { message, event }) => is(actor, message.author) || runs(actor, event),
    refusal: 'Only its author, the organizer or a moderator can remove a message',
  }),
  /** Mark a question answered: whoever runs the stream. */
  'chatMessage.answer': policy('chatMessage', {
    community: ({ event }) => event.community.id,
    allow: (actor, { event }) => runs(actor, event),
    refusal: 'Only the organizer or a moderator can answer questions',
  }),
  /** Close a poll by hand: its creator, or `polls.close`. */
  'poll.close': policy('poll', {
    community: (poll) => poll.community.id,
    allow: (actor, poll) => is(actor, poll.createdBy) || can(actor, 'polls.close'),
    refusal: 'Only the creator or a moderator can close this poll',
  }),
  /** Withdraw a contest entry: its author. */
  'contestEntry.withdraw': policy('contestEntry', {
    community: ({ event }) => event.community.id,
    allow: (actor, { entry }) => is(actor, entry.user),
    refusal: 'Only its author can withdraw an entry',
  }),
} as const;

export type PolicyAction = keyof typeof POLICIES;

/** Actions that say something: refused under a mute, as the SPEAKING permissions are (permissions.ts). */
const SPEAKING_ACTIONS: ReadonlySet<PolicyAction> = new Set<PolicyAction>(['post.update', 'comment.update']);

const silenced = (action: PolicyAction, actor: Actor) => SPEAKING_ACTIONS.has(action) && isMuted(actor);
/** The record an action's rule looks at. */
export type RecordOf<A extends PolicyAction> = Parameters<(typeof POLICIES)[A]['allow']>[1];

/** Who asks: the request's loaders and viewer. */
export interface PolicyContext {
  loaders: Loaders;
  viewer: Viewer;
}

function policyOf<A extends PolicyAction>(action: A): Policy<RecordOf<A>> {
  return POLICIES[action] as unknown as Policy<RecordOf<A>>;
}

/**
 * FORBIDDEN unless the viewer may do `action` on `record`: first the ban rule ("You are banned from
 * this community"), then the action's rule. The caller has already checked that the viewer is
 * signed in and may read the record. Returns the viewer's standing in the record's community.
 */
export async function authorize<A extends PolicyAction>(
  ctx: PolicyContext,
  action: A,
  record: RecordOf<A>,
): Promise<Actor> {
  const rule = policyOf(action);
  const actor = await actorIn(ctx.loaders, ctx.viewer, rule.community(record));
  assertNotBanned(actor);
  if (silenced(action, actor))
    throw new Forbidden(`You are muted in this community until ${actor.mutedUntil!.toISOString()}`);
  if (!rule.allow(actor, record)) throw new Forbidden(rule.refusal);
  return actor;
}

/** Whether `authorize` would let the viewer do `action` on `record` (for `viewerCan…` fields). Anonymous: false, with no statement. */
export async function allowed<A extends PolicyAction>(
  ctx: PolicyContext,
  action: A,
  record: RecordOf<A>,
): Promise<boolean> {
  if (ctx.viewer.userId === null) return false;
  const rule = policyOf(action);
  const actor = await actorIn(ctx.loaders, ctx.viewer, rule.community(record));
  return !isBanned(actor) && !silenced(action, actor) && rule.allow(actor, record);
}
