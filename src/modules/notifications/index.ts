import type { JobContext, JobTask } from '../../platform/jobs/jobs';
import type { ModuleManifest } from '../../platform/module';
import { byIdLoader } from '../../platform/by-id-loader';
import { MemberBadge } from '../reputation/reputation.entity';
import { NotificationResolver, UserNotificationsResolver } from './notifications.resolver';
import { NotificationPreferenceResolver, UserNotificationPreferencesResolver } from './preferences.resolver';
import { enqueueDigests, sendDigest, sendNotificationEmail } from './preferences.service';
import {
  notifyAppeal,
  notifyBadge,
  notifyDecision,
  notifyJoinRequest,
  notifyMention,
  notifyPollClosed,
  notifyReply,
  type Deps,
} from './notifications.service';

/** Per request: the awards BADGE_AWARDED notifications name, by id (a page of them in one statement). */
const createNotificationLoaders = (em: Parameters<typeof byIdLoader>[0]) => ({
  memberBadge: byIdLoader(em, MemberBadge),
});
type NotificationLoaders = ReturnType<typeof createNotificationLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends NotificationLoaders {}
}

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** A comment was added: notify who it answers (enqueued in the comment's transaction). */
    'notifications.reply': { commentId: number };
    /** A post or comment was written: notify the members it @mentions (enqueued in its transaction when it mentions any). */
    'notifications.mention': { postId?: number; commentId?: number };
    /** A moderation decision restricted a member: notify them (enqueued in the decision's transaction). */
    'notifications.decision': { decisionId: number };
    /** An appeal was decided: notify the appellant (enqueued in the appeal decision's transaction). */
    'notifications.appeal': { appealId: number };
    /** A join request was approved or rejected: notify the requester (enqueued in the decision's transaction). */
    'notifications.joinRequest': { joinRequestId: number };
    /** A badge was awarded: notify its member (enqueued by a trigger on member_badges, in the awarding transaction). */
    'notifications.badge': { memberBadgeId: number };
    /** A poll closed (by hand or by time): notify its voters (enqueued with the close's claim). */
    'notifications.pollClosed': { pollId: number };
    /** Email one notification to its recipient (channel EMAIL; enqueued in the transaction that wrote it). */
    'notifications.email': { notificationId: number };
    /** Daily: enqueue a digest email for each user who chose DIGEST for some kind. */
    'notifications.digest': Record<string, never>;
    /** Email a user the digest of their unread DIGEST notifications of the last day. */
    'notifications.digestEmail': { userId: number };
  }
}

/**
 * A notification job in one transaction: the rows it writes, its recipients' preferences applied to
 * them and the emails that enqueues commit together (a retry after a crash finds all or nothing);
 * subscribers hear of the rows once it has committed.
 */
function inTransaction<P>(run: (deps: Deps, payload: P) => Promise<void>): JobTask<P> {
  return async (payload: P, ctx: JobContext) => {
    const afterCommit: (() => Promise<void>)[] = [];
    await ctx.em.transactional((tx) => run({ ...ctx, em: tx, afterCommit }, payload));
    for (const announce of afterCommit) await announce();
  };
}

/** Notifications: written by jobs enqueued with the writes that cause them, read and followed by their recipient. */
export const notifications: ModuleManifest = {
  name: 'notifications',
  resolvers: [
    UserNotificationsResolver,
    NotificationResolver,
    NotificationPreferenceResolver,
    UserNotificationPreferencesResolver,
  ],
  loaders: (em) => createNotificationLoaders(em),
  tasks: {
    'notifications.reply': inTransaction((deps, payload) => notifyReply(deps, payload.commentId)),
    'notifications.mention': inTransaction((deps, payload) => notifyMention(deps, payload)),
    'notifications.decision': inTransaction((deps, payload) => notifyDecision(deps, payload.decisionId)),
    'notifications.appeal': inTransaction((deps, payload) => notifyAppeal(deps, payload.appealId)),
    'notifications.joinRequest': inTransaction((deps, payload) => notifyJoinRequest(deps, payload.joinRequestId)),
    'notifications.badge': inTransaction((deps, payload) => notifyBadge(deps, payload.memberBadgeId)),
    'notifications.pollClosed': inTransaction((deps, payload) => notifyPollClosed(deps, payload.pollId)),
    'notifications.email': (payload, ctx) => sendNotificationEmail(ctx, payload.notificationId),
    'notifications.digest': (_payload, ctx) => enqueueDigests(ctx),
    'notifications.digestEmail': (payload, ctx) => sendDigest(ctx, payload.userId),
  },
  // The daily digest at 07:00 UTC; a day missed while no worker ran is made up at start.
  schedules: [{ task: 'notifications.digest', cron: '0 7 * * *', backfillHours: 24 }],
  // Only their recipient reads them: never shared between sockets.
  viewerFields: ['notifications', 'unreadNotificationCount', 'notificationPreferences'],
};
