import type { ModuleManifest } from '../../platform/module';
import { byIdLoader } from '../../platform/by-id-loader';
import { MemberBadge } from '../reputation/reputation.entity';
import { NotificationResolver, UserNotificationsResolver } from './notifications.resolver';
import {
  notifyAppeal,
  notifyBadge,
  notifyDecision,
  notifyJoinRequest,
  notifyMention,
  notifyPollClosed,
  notifyReply,
  notifyWebhookDisabled,
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
    /** A webhook endpoint was disabled for failing: notify its community's admins (enqueued in the disabling transaction). */
    'notifications.webhookDisabled': { webhookEndpointId: number };
  }
}

/** Notifications: written by jobs enqueued with the writes that cause them, read and followed by their recipient. */
export const notifications: ModuleManifest = {
  name: 'notifications',
  resolvers: [UserNotificationsResolver, NotificationResolver],
  loaders: (em) => createNotificationLoaders(em),
  tasks: {
    'notifications.reply': (payload, ctx) => notifyReply(ctx, payload.commentId),
    'notifications.mention': (payload, ctx) => notifyMention(ctx, payload),
    'notifications.decision': (payload, ctx) => notifyDecision(ctx, payload.decisionId),
    'notifications.appeal': (payload, ctx) => notifyAppeal(ctx, payload.appealId),
    'notifications.joinRequest': (payload, ctx) => notifyJoinRequest(ctx, payload.joinRequestId),
    'notifications.badge': (payload, ctx) => notifyBadge(ctx, payload.memberBadgeId),
    'notifications.pollClosed': (payload, ctx) => notifyPollClosed(ctx, payload.pollId),
    'notifications.webhookDisabled': (payload, ctx) => notifyWebhookDisabled(ctx, payload.webhookEndpointId),
  },
  // Only their recipient reads them: never shared between sockets.
  viewerFields: ['notifications', 'unreadNotificationCount'],
};
