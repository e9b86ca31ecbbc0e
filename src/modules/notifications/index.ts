import { pruneInBatches } from '../../platform/database/prune';
import { fastSql } from '../../platform/database/sql';
import type { ModuleManifest } from '../../platform/module';
import { byIdLoader } from '../../platform/by-id-loader';
import { MemberBadge } from '../reputation/reputation.entity';
import type { Viewer } from '../identity/viewer';
import { NotificationResolver, PostThreadMuteResolver, UserNotificationsResolver } from './notifications.resolver';
import { NotificationPreferenceResolver, UserNotificationPreferencesResolver } from './preferences.resolver';
import { enqueueDigests, sendDigest, sendNotificationEmail } from './preferences.service';
import {
  notifyAppeal,
  notifyBadge,
  notifyDecision,
  notifyEventReminder,
  notifyLevel,
  notifyWaitlistPromoted,
  notifyJoinRequest,
  notifyMention,
  notifyPollClosed,
  notifyReply,
  viewerThreadMutedLoader,
  notifyWebhookDisabled,
  notifyQuestCompleted,
  notificationCountLoader,
} from './notifications.service';

/** Per request: the awards BADGE_AWARDED notifications name, by id (a page of them in one statement), the viewer's thread mutes, and notification counts. */
const createNotificationLoaders = (em: Parameters<typeof byIdLoader>[0], viewer: Viewer) => ({
  memberBadge: byIdLoader(em, MemberBadge),
  /** Whether the viewer muted each post's thread. */
  viewerThreadMuted: viewerThreadMutedLoader(em, viewer),
  /** How many notifications (or unread ones) each user has. */
  notificationCount: notificationCountLoader(em),
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
    /** An occurrence a member is seated for starts in `lead` minutes (scheduled by a trigger on rsvps; `startsAt` in ms). */
    'notifications.eventReminder': { rsvpId: number; startsAt: number; lead: number };
    /** A waiting member got a seat (enqueued by a trigger on rsvps in the transaction that seated them). */
    'notifications.waitlistPromoted': { rsvpId: number; arrival: number };
    /** A member's reputation reached a level (enqueued by a trigger on members in the write's transaction). */
    'notifications.level': { communityId: number; userId: number; level: number };
    /** Email one notification to its recipient (channel EMAIL; enqueued in the transaction that wrote it). */
    'notifications.email': { notificationId: number };
    /** Daily: enqueue a digest email for each user who chose DIGEST for some kind. */
    'notifications.digest': Record<string, never>;
    /** Email a user the digest of their unread DIGEST notifications of the last day. */
    'notifications.digestEmail': { userId: number };
    /** A webhook endpoint was disabled for failing: notify its community's admins (enqueued in the disabling transaction). */
    'notifications.webhookDisabled': { webhookEndpointId: number };
    /** A member completed a quest: notify them (enqueued by `quest_record` in the completing action's transaction). */
    'notifications.quest': { questCompletionId: number };
    /** Daily: deletes notifications read more than `notificationDays` (retention settings; default NOTIFICATION_RETENTION_DAYS) ago (LEVEL_REACHED kept). */
    'notifications.prune': Record<string, never>;
  }
}

/** Notifications: written by jobs enqueued with the writes that cause them, read and followed by their recipient. */
export const notifications: ModuleManifest = {
  name: 'notifications',
  resolvers: [
    UserNotificationsResolver,
    NotificationResolver,
    PostThreadMuteResolver,
    NotificationPreferenceResolver,
    UserNotificationPreferencesResolver,
  ],
  loaders: (em, viewer) => createNotificationLoaders(em, viewer),
  tasks: {
    'notifications.reply': (payload, ctx) => notifyReply(ctx, payload.commentId),
    'notifications.mention': (payload, ctx) => notifyMention(ctx, payload),
    'notifications.decision': (payload, ctx) => notifyDecision(ctx, payload.decisionId),
    'notifications.appeal': (payload, ctx) => notifyAppeal(ctx, payload.appealId),
    'notifications.joinRequest': (payload, ctx) => notifyJoinRequest(ctx, payload.joinRequestId),
    'notifications.badge': (payload, ctx) => notifyBadge(ctx, payload.memberBadgeId),
    'notifications.pollClosed': (payload, ctx) => notifyPollClosed(ctx, payload.pollId),
    'notifications.eventReminder': (payload, ctx) => notifyEventReminder(ctx, payload),
    'notifications.waitlistPromoted': (payload, ctx) => notifyWaitlistPromoted(ctx, payload),
    'notifications.level': (payload, ctx) => notifyLevel(ctx, payload),
    'notifications.email': (payload, ctx) => sendNotificationEmail(ctx, payload.notificationId),
    'notifications.digest': (_payload, ctx) => enqueueDigests(ctx),
    'notifications.digestEmail': (payload, ctx) => sendDigest(ctx, payload.userId),
    'notifications.webhookDisabled': (payload, ctx) => notifyWebhookDisabled(ctx, payload.webhookEndpointId),
    'notifications.quest': (payload, ctx) => notifyQuestCompleted(ctx, payload.questCompletionId),
    async 'notifications.prune'(_payload, { em, config, log, responseCache }) {
      // The platform's setting (retentionSettings.notificationDays, changed by its admins), else the environment's.
      const [{ days }] = await fastSql<{ days: number }>(
        em,
        'select coalesce((select notification_days from retention_settings where id = 1), $1)::int as days',
        [config.NOTIFICATION_RETENTION_DAYS],
      );
      const notifications = await pruneInBatches(
        em,
        'notifications',
        `read_at < now() - make_interval(days => $1) and kind <> 'LEVEL_REACHED'`,
        [days],
      );
      if (!notifications) return;
      log.info({ notifications, days }, 'read notifications pruned');
      // Once a day: cached answers listing them are dropped (all of them, rather than tracking whose).
      await responseCache.invalidate();
    },
  },
  // The daily digest at 07:00 UTC; a day missed while no worker ran is made up at start. Pruning at 03:20.
  schedules: [
    { task: 'notifications.digest', cron: '0 7 * * *', backfillHours: 24 },
    { task: 'notifications.prune', cron: '20 3 * * *', backfillHours: 24 },
  ],
  // Only their recipient reads them: never shared between sockets.
  viewerFields: ['notifications', 'unreadNotificationCount', 'notificationPreferences'],
};
