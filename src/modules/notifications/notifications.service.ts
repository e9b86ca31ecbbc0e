import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { fastSql, sql } from '../../platform/database/sql';
import { BadInput, Forbidden } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { write } from '../../platform/database/write';
import { timestamp, view, ref } from '../../platform/views';
import type { Row } from '../../platform/live-feed';
import type { ResponseCache } from '../../platform/response-cache';
import DataLoader from 'dataloader';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { actorIn } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import type { Post } from '../posts/posts.entity';
import { readablePost } from '../posts/posts.service';
import { unreadableChannelsSql } from '../channels/channels.service';
import { mentionedHandles } from '../moderation/automod-engine';
import { Notification } from './notifications.entity';
import { notificationTopics, type NotificationAddedEvent } from './notifications.events';
import { applyPreferences } from './preferences.service';

/** A notification view from its row. */
export function notificationFromRow(r: Record<string, unknown>): Notification {
  return view(Notification, {
    id: r.id,
    user: ref(r.user_id),
    kind: r.kind,
    community: r.community_id == null ? null : ref(r.community_id),
    actor: r.actor_id == null ? null : ref(r.actor_id),
    postId: r.post_id ?? null,
    commentId: r.comment_id ?? null,
    latestCommentId: r.latest_comment_id ?? null,
    decisionId: r.decision_id ?? null,
    appealId: r.appeal_id ?? null,
    joinRequestId: r.join_request_id ?? null,
    memberBadgeId: r.member_badge_id ?? null,
    pollId: r.poll_id ?? null,
    eventId: r.event_id ?? null,
    occurrenceStartsAt: timestamp(r.occurrence_starts_at),
    leadMinutes: r.lead_minutes ?? null,
    arrival: r.arrival ?? null,
    level: r.level ?? null,
    webhookEndpointId: r.webhook_endpoint_id ?? null,
    questCompletionId: r.quest_completion_id ?? null,
    sinceCommentId: r.since_comment_id ?? null,
    groupKey: r.group_key ?? null,
    count: r.count,
    readAt: timestamp(r.read_at),
    createdAt: timestamp(r.created_at),
  });
}

/** What a job that writes notifications needs. */
export interface Deps {
  em: EntityManager;
  pubsub: PubSub;
  log: Logger;
  responseCache: Pick<ResponseCache, 'invalidate'>;
}

/**
 * Writes notifications with one `insert into notifications … returning id, user_id` statement (`$n`
 * parameters), applies their recipients' preferences in the same transaction (`applyPreferences`:
 * OFF ones are deleted, EMAIL ones get their email enqueued), and after it commits announces the
 * rows kept: cached answers that read their recipients' notifications (noted with their user tags:
 * see `readsNotifications`) are invalidated, and `notificationAdded` hears of each.
 */
async function insertAndAnnounce(deps: Deps, statement: string, params: unknown[]): Promise<void> {
  await write(
    deps,
    async (tx, after) => {
      const rows = await applyPreferences(tx, await fastSql<{ id: number; user_id: number }>(tx, statement, params));
      if (!rows.length) return;
      after.run(() =>
        deps.responseCache.invalidate({ communities: [], members: [...new Set(rows.map((r) => r.user_id))] }),
      );
      for (const row of rows) {
        after.publish<NotificationAddedEvent>(notificationTopics.added(row.user_id), { notificationId: row.id });
      }
    },
    { mode: 'sql' },
  );
}

/**
 * Notes, for the response cache, that the request read `userId`'s notifications: its answer is kept
 * until a write touches that user's tag (a notification written for them: `announce`; a membership
 * change, which shares the tag).
 */
function readsNotifications(ctx: Context, userId: number): void {
  ctx.loaders.cacheScope.member(userId);
}

/**
 * SQL: the user reads the community's content: it is PUBLIC, or they are a member (a ban ends the
 * membership), or a platform admin (both SQL expressions).
 */
const readsCommunity = (user: string, community: string) => `(
  exists (select 1 from communities k where k.id = ${community} and k.visibility = 'PUBLIC')
  or exists (select 1 from members m where m.community_id = ${community} and m.user_id = ${user})
  or exists (select 1 from users a where a.id = ${user} and a.is_admin))`;

/**
 * SQL: the user reads the channel of the post (README, Channels), a platform admin every one (all
 * three SQL expressions): no one hears of a post or comment in a channel they may not read.
 */
const readsChannel = (user: string, post: string, community: string) => `(
  (select cp.channel_id from posts cp where cp.id = ${post}) <> all(${unreadableChannelsSql(user, (c) => `${c} = ${community}`)})
  or exists (select 1 from users ca where ca.id = ${user} and ca.is_admin))`;

/**
 * `notifications.reply`: tells the author of the post a comment answers (a top-level comment) or
 * of the comment it replies to. One unread notification per post or comment replied to: a new
 * reply replaces it by a row with the next id whose `count` is recounted from the group's first
 * unread reply, so a job that runs twice (a worker killed after its write) counts each reply once.
 * Nobody hears of their own replies, of replies by members they blocked, of replies hidden by
 * moderation or deleted, nor of anything in a community they can no longer read.
 */
export async function notifyReply(deps: Deps, commentId: number): Promise<void> {
  const [c] = await sql<
    {
      author_id: number;
      post_id: number;
      parent_id: number | null;
      community_id: number;
      recipient: number | null;
      live: boolean;
    }[]
  >(
    deps.em,
    `select c.author_id, c.post_id, c.parent_id, p.community_id,
            case when c.parent_id is null then p.author_id else pc.author_id end as recipient,
            (c.deleted_at is null and c.hidden_at is null
              and case when c.parent_id is null then p.deleted_at is null else pc.deleted_at is null end) as live
       from comments c join posts p on p.id = c.post_id left join comments pc on pc.id = c.parent_id
      where c.id = ?`,
    [commentId],
  );
  if (!c || !c.live || c.recipient === null || c.recipient === c.author_id) return;
  const groupKey = c.parent_id === null ? `reply:post:${c.post_id}` : `reply:comment:${c.parent_id}`;
  const inGroup = c.parent_id === null ? 'r.post_id = $4 and r.parent_id is null' : 'r.parent_id = $5';
  for (let attempt = 1; ; attempt++) {
    try {
      // Its own transaction per attempt: a unique violation spoils only the attempt.
      await insertAndAnnounce(
        deps,
        `with old as (
           delete from notifications where user_id = $1::int and group_key = $3::text and read_at is null returning since_comment_id
         ), anchor as (
           select least(coalesce((select min(since_comment_id) from old), $6::int), $6::int) as since
         ), replies as (
           select count(*)::int as n, max(r.id) as latest from comments r, anchor
            where ${inGroup} and r.id >= anchor.since and r.author_id <> $1
              and r.deleted_at is null and r.hidden_at is null
              and not exists (select 1 from user_blocks b where b.blocker_id = $1 and b.blocked_id = r.author_id)
         )
         insert into notifications (user_id, kind, community_id, actor_id, post_id, comment_id, latest_comment_id,
                                    since_comment_id, group_key, count, created_at)
         select $1::int, 'REPLY', $2::int, (select author_id from comments where id = replies.latest), $4::int, $5::int,
                replies.latest, anchor.since, $3::text, replies.n, now()
           from anchor, replies
          where replies.n > 0 and ${readsCommunity('$1::int', '$2::int')} and ${readsChannel('$1::int', '$4::int', '$2::int')}
            and not exists (select 1 from thread_mutes t where t.user_id = $1::int and t.post_id = $4::int)
         returning id, user_id`,
        [c.recipient, c.community_id, groupKey, c.post_id, c.parent_id, commentId],
      );
      return;
    } catch (err) {
      // Two replies' jobs writing one group at once: the second meets the first's new row; it recounts.
      if (!(err instanceof UniqueConstraintViolationException) || attempt === 3) throw err;
    }
  }
}

/** At most this many members are notified of one text's mentions (the first ones written). */
export const MAX_MENTIONS_NOTIFIED = 20;

/** The @handles a Markdown text mentions outside code (fenced blocks and inline code spans left out). */
export function mentionsInMarkdown(text: string): string[] {
  const prose = text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ').replace(/(`+)[^`]*?\1/g, ' ');
  return mentionedHandles(prose).slice(0, MAX_MENTIONS_NOTIFIED);
}

/**
 * `notifications.mention`: tells the members a post or comment @mentions, once each (a unique key):
 * only those who read the community, not its author, not those who blocked the author; none for a
 * deleted or hidden text.
 */
export async function notifyMention(deps: Deps, ref: { postId?: number; commentId?: number }): Promise<void> {
  const [w] = ref.commentId
    ? await sql<{ text: string; author_id: number; post_id: number; community_id: number; live: boolean }[]>(
        deps.em,
        `select c.body as text, c.author_id, c.post_id, p.community_id,
                (c.deleted_at is null and c.hidden_at is null and p.deleted_at is null) as live
           from comments c join posts p on p.id = c.post_id where c.id = ?`,
        [ref.commentId],
      )
    : await sql<{ text: string; author_id: number; post_id: number; community_id: number; live: boolean }[]>(
        deps.em,
        `select p.title || E'\\n' || p.body as text, p.author_id, p.id as post_id, p.community_id,
                (p.deleted_at is null and p.hidden_at is null) as live
           from posts p where p.id = ?`,
        [ref.postId],
      );
  if (!w || !w.live) return;
  const handles = mentionsInMarkdown(w.text);
  if (!handles.length) return;
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, actor_id, post_id, latest_comment_id, count, created_at)
     select u.id, 'MENTION', $1::int, $2::int, $3::int, $4::int, 1, now() from users u
      where lower(u.handle) = any($5::text[]) and u.id <> $2::int and ${readsCommunity('u.id', '$1::int')}
        and ${readsChannel('u.id', '$3::int', '$1::int')}
        and not exists (select 1 from user_blocks b where b.blocker_id = u.id and b.blocked_id = $2::int)
        and not exists (select 1 from thread_mutes t where t.user_id = u.id and t.post_id = $3::int)
     on conflict (user_id, post_id, (coalesce(latest_comment_id, 0))) where kind = 'MENTION' do nothing
     returning id, user_id`,
    [w.community_id, w.author_id, w.post_id, ref.commentId ?? null, handles],
  );
}

/** `notifications.decision`: tells the affected member of a decision that restricted them (once: a unique key). */
export async function notifyDecision(deps: Deps, decisionId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, decision_id, count, created_at)
     select d.affected_user_id, 'MODERATION_DECISION', d.community_id, d.id, 1, now()
       from moderation_decisions d where d.id = $1::int and d.action <> 'DISMISS'
     on conflict (user_id, decision_id) where kind = 'MODERATION_DECISION' do nothing
     returning id, user_id`,
    [decisionId],
  );
}

/** `notifications.appeal`: tells the appellant their appeal was decided (once: a unique key). */
export async function notifyAppeal(deps: Deps, appealId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, appeal_id, decision_id, count, created_at)
     select a.appellant_id, 'APPEAL_DECIDED', a.community_id, a.id, a.decision_id, 1, now()
       from moderation_appeals a where a.id = $1::int and a.status <> 'PENDING'
     on conflict (user_id, appeal_id) where kind = 'APPEAL_DECIDED' do nothing
     returning id, user_id`,
    [appealId],
  );
}

/** `notifications.joinRequest`: tells the requester their request was approved or rejected (once: a unique key). */
export async function notifyJoinRequest(deps: Deps, joinRequestId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, join_request_id, count, created_at)
     select r.user_id, 'JOIN_REQUEST_DECIDED', r.community_id, r.id, 1, now()
       from join_requests r where r.id = $1::int and r.status <> 'PENDING'
     on conflict (user_id, join_request_id) where kind = 'JOIN_REQUEST_DECIDED' do nothing
     returning id, user_id`,
    [joinRequestId],
  );
}

/**
 * `notifications.badge`: tells a member of a badge they earned (once: a unique key), while they
 * are still a member. Enqueued by a trigger on `member_badges` in the awarding transaction, whatever
 * awarded it (a write's badge, the monthly top 10).
 */
export async function notifyBadge(deps: Deps, memberBadgeId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, member_badge_id, count, created_at)
     select b.user_id, 'BADGE_AWARDED', b.community_id, b.id, 1, now()
       from member_badges b
      where b.id = $1::int and exists (select 1 from members m where m.community_id = b.community_id and m.user_id = b.user_id)
     on conflict (user_id, member_badge_id) where kind = 'BADGE_AWARDED' do nothing
     returning id, user_id`,
    [memberBadgeId],
  );
}

/**
 * `notifications.pollClosed`: tells everyone who holds a ballot in a poll that it closed (once each: a
 * unique key), if they still read its community. Enqueued where the close is claimed: by closePoll,
 * or by the closer's claim of a poll closed by time, in the same statement or transaction.
 */
export async function notifyPollClosed(deps: Deps, pollId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, poll_id, count, created_at)
     select b.user_id, 'POLL_CLOSED', p.community_id, p.id, 1, now()
       from polls p join ballots b on b.poll_id = p.id
      where p.id = $1::int and ${readsCommunity('b.user_id', 'p.community_id')}
     on conflict (user_id, poll_id) where kind = 'POLL_CLOSED' do nothing
     returning id, user_id`,
    [pollId],
  );
}

/**
 * `notifications.eventReminder`: reminds a member of an occurrence they are GOING to, `lead` minutes
 * before it starts (once per occurrence and lead: a unique key). Scheduled by a trigger on `rsvps`
 * in the transaction of the answer that seated them (or of the change that moved the occurrence),
 * at the occurrence's start less the lead — an instant, so a recurring event's occurrences, placed in
 * its time zone, are reminded at the right hour across DST. At its hour the job checks the answer
 * still holds (GOING, seated, the same occurrence, the event not cancelled, the community readable).
 */
export async function notifyEventReminder(
  deps: Deps,
  job: { rsvpId: number; startsAt: number; lead: number },
): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, event_id, occurrence_starts_at, lead_minutes, count, created_at)
     select r.user_id, 'EVENT_REMINDER', e.community_id, e.id, r.occurrence_starts_at, $3::int, 1, now()
       from rsvps r join events e on e.id = r.event_id
      where r.id = $1::int and r.status = 'GOING' and r.seated and e.cancelled_at is null
        and (extract(epoch from r.occurrence_starts_at) * 1000)::float8 = $2::float8 and r.occurrence_starts_at > now()
        and ${readsCommunity('r.user_id', 'e.community_id')}
     on conflict (user_id, event_id, occurrence_starts_at, lead_minutes) where kind = 'EVENT_REMINDER' do nothing
     returning id, user_id`,
    [job.rsvpId, job.startsAt, job.lead],
  );
}

/**
 * `notifications.waitlistPromoted`: tells a member waiting for a seat that they got one (once per
 * GOING answer: its arrival number is in the unique key). Enqueued by a trigger on `rsvps` in the
 * transaction that seated them (someone gave up a seat, the capacity grew, a member left).
 */
export async function notifyWaitlistPromoted(deps: Deps, job: { rsvpId: number; arrival: number }): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, event_id, occurrence_starts_at, arrival, count, created_at)
     select r.user_id, 'WAITLIST_PROMOTED', e.community_id, e.id, r.occurrence_starts_at, r.arrival, 1, now()
       from rsvps r join events e on e.id = r.event_id
      where r.id = $1::int and r.arrival = $2::int and r.status = 'GOING' and r.seated and e.cancelled_at is null
        and ${readsCommunity('r.user_id', 'e.community_id')}
     on conflict (user_id, event_id, occurrence_starts_at, arrival) where kind = 'WAITLIST_PROMOTED' do nothing
     returning id, user_id`,
    [job.rsvpId, job.arrival],
  );
}

/**
 * `notifications.level`: tells a member their reputation reached a level in a community, once per
 * level (a unique key: falling back and climbing again tells nothing new). Enqueued by a trigger on
 * `members` when a write moves their reputation past a threshold, in that write's transaction.
 */
export async function notifyLevel(deps: Deps, job: { communityId: number; userId: number; level: number }) {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, level, count, created_at)
     select m.user_id, 'LEVEL_REACHED', m.community_id, $3::int, 1, now()
       from members m where m.community_id = $1::int and m.user_id = $2::int
     on conflict (user_id, community_id, level) where kind = 'LEVEL_REACHED' do nothing
     returning id, user_id`,
    [job.communityId, job.userId, job.level],
  );
}

/**
 * `notifications.webhookDisabled`: tells the community's owners and admins that one of its webhook
 * endpoints was disabled for failing (once while unread: a unique key), if it is still disabled.
 */
export async function notifyWebhookDisabled(deps: Deps, webhookEndpointId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, webhook_endpoint_id, count, created_at)
     select m.user_id, 'WEBHOOK_DISABLED', w.community_id, w.id, 1, now()
       from webhook_endpoints w join members m on m.community_id = w.community_id and m.role in ('OWNER', 'ADMIN')
      where w.id = $1::int and not w.enabled and w.disabled_at is not null
     on conflict (user_id, webhook_endpoint_id) where kind = 'WEBHOOK_DISABLED' and read_at is null do nothing
     returning id, user_id`,
    [webhookEndpointId],
  );
}

/**
 * `notifications.quest`: tells a member they completed a quest (once per completion: a unique key),
 * while they are still a member. Enqueued by `quest_record` in the transaction of the action that
 * completed it.
 */
export async function notifyQuestCompleted(deps: Deps, questCompletionId: number): Promise<void> {
  await insertAndAnnounce(
    deps,
    `insert into notifications (user_id, kind, community_id, quest_completion_id, count, created_at)
     select c.user_id, 'QUEST_COMPLETED', q.community_id, c.id, 1, now()
       from quest_completions c join quests q on q.id = c.quest_id
      where c.id = $1::int and c.revoked_at is null
        and exists (select 1 from members m where m.community_id = q.community_id and m.user_id = c.user_id)
     on conflict (user_id, quest_completion_id) where kind = 'QUEST_COMPLETED' do nothing
     returning id, user_id`,
    [questCompletionId],
  );
}

/** FORBIDDEN unless `userId` is the viewer: notifications are their recipient's alone. */
export function assertSelf(ctx: Context, userId: number): void {
  if (ctx.viewer.userId !== userId) throw new Forbidden('Only the recipient reads their notifications');
}

/** `User.notifications`: newest first, paged both ways; `unreadOnly` leaves out those read. */
export async function notifications(
  ctx: Context,
  userId: number,
  args: PageArgsShape & { unreadOnly?: boolean | null },
) {
  assertSelf(ctx, userId);
  readsNotifications(ctx, userId);
  const page = idPage(args, 'desc');
  const unreadOnly = !!args.unreadOnly;
  const rows = await sql<Row[]>(
    ctx.em,
    `select * from notifications where user_id = ? and id > ? and id < ? ${unreadOnly ? 'and read_at is null' : ''}
      order by id ${page.fetch} limit ?`,
    [userId, page.above, page.below, page.size + 1],
  );
  return toConnection(
    rows.map(notificationFromRow),
    page,
    (n) => [n.id],
    () => ctx.loaders.notificationCount.load({ userId, unreadOnly }),
  );
}

/** `User.unreadNotificationCount`. */
export async function unreadCount(ctx: Context, userId: number): Promise<number> {
  assertSelf(ctx, userId);
  readsNotifications(ctx, userId);
  return ctx.loaders.notificationCount.load({ userId, unreadOnly: true });
}

/** Whose notifications to count: all of a user's, or their unread ones. */
export interface NotificationCountKey {
  userId: number;
  unreadOnly: boolean;
}

/**
 * How many notifications users have (`unreadOnly`: unread), per request: an index-only count on
 * `notifications_unread_index` (unread) or `notifications_user_index` (all), bounded by the user:
 * read notifications are pruned after NOTIFICATION_RETENTION_DAYS, unread ones of a thread are
 * grouped into one. For `unreadNotificationCount` and `notifications { totalCount }` alike.
 */
export function notificationCountLoader(em: EntityManager) {
  const keyOf = (k: NotificationCountKey) => `${k.userId}:${k.unreadOnly ? 'u' : ''}`;
  return new DataLoader<NotificationCountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      for (const unreadOnly of [true, false]) {
        const users = keys.filter((k) => k.unreadOnly === unreadOnly).map((k) => k.userId);
        if (!users.length) continue;
        const rows = await fastSql<{ user_id: number; n: number }>(
          em,
          `select user_id, count(*)::int as n from notifications
            where user_id = any($1::int[]) ${unreadOnly ? 'and read_at is null' : ''} group by user_id`,
          [users],
        );
        for (const r of rows) counts.set(keyOf({ userId: r.user_id, unreadOnly }), r.n);
      }
      return keys.map((k) => counts.get(keyOf(k)) ?? 0);
    },
    { cacheKeyFn: keyOf },
  );
}

/** `markNotificationsAsRead(input: { upTo })`: the viewer's unread notifications up to `upTo` (all without it). */
export async function markRead(ctx: Context, upTo: number | null): Promise<number> {
  const userId = requireUser(ctx.viewer);
  if (upTo !== null && upTo < 1) throw new BadInput('upTo must be a notification ID', 'upTo');
  const rows = await sql<unknown[]>(
    ctx.em,
    `update notifications set read_at = now() where user_id = ? and read_at is null and id <= ? returning id`,
    [userId, upTo ?? 2 ** 31 - 1],
  );
  ctx.loaders.notificationCount.clearAll(); // the mutation's selection counts again
  return rows.length;
}

/** A notification of the viewer's, by id (null otherwise: `node`). */
export async function ownNotification(ctx: Context, id: number): Promise<Notification | null> {
  if (ctx.viewer.userId === null) return null;
  readsNotifications(ctx, ctx.viewer.userId);
  const [row] = await sql<Row[]>(ctx.em, 'select * from notifications where id = ? and user_id = ?', [
    id,
    ctx.viewer.userId,
  ]);
  return row ? notificationFromRow(row) : null;
}

/**
 * `mutePostThread(input: { postId, muted })`: a member of the post's community mutes (or unmutes) its thread for
 * themself: no REPLY or MENTION notification of it reaches them while it is muted. Idempotent.
 */
export async function muteThread(ctx: Context, postId: number, muted: boolean): Promise<Post> {
  const userId = requireUser(ctx.viewer);
  const { post } = await readablePost(ctx.loaders, ctx.viewer, postId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, post.community.id), 'threads.mute');
  await sql(
    ctx.em,
    muted
      ? 'insert into thread_mutes (user_id, post_id, created_at) values (?, ?, now()) on conflict do nothing'
      : 'delete from thread_mutes where user_id = ? and post_id = ?',
    [userId, post.id],
    'run',
  );
  ctx.loaders.viewerThreadMuted.clear(post.id).prime(post.id, muted);
  return post;
}

/** Per request: whether the viewer muted each post's thread (false for anonymous viewers). */
export function viewerThreadMutedLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<number, boolean>(async (ids) => {
    if (viewer.userId === null) return ids.map(() => false);
    const rows = await fastSql<{ post_id: number }>(
      em,
      'select post_id from thread_mutes where user_id = $1 and post_id = any($2::int[])',
      [viewer.userId, ids],
    );
    const muted = new Set(rows.map((r) => r.post_id));
    return ids.map((id) => muted.has(id));
  });
}
