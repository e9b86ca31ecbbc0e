import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { fastSql, sql } from '../../platform/database/sql';
import type { JobContext } from '../../platform/jobs/jobs';
import { ref, timestamp, view } from '../../platform/views';
import { visibleCommunity } from '../communities/communities.service';
import { BadInput } from '../../platform/errors';
import { requireUser } from '../identity/identity.service';
import type { NotificationKind } from './notifications.entity';
import { digestMail, notificationMail, type NotificationSummary } from './notifications.mail';
import { NotificationChannel, NotificationPreference } from './preferences.entity';

/** The daily digest lists at most this many notifications (and says how many more). */
export const DIGEST_MAX_ITEMS = 20;

/**
 * SQL: the channel through which `user` hears of notifications of `kind` in `community` (SQL
 * expressions): their preference for that community, else their preference for every community, else IN_APP.
 */
export const channelOf = (user: string, kind: string, community: string) => `coalesce(
  (select p.channel from notification_preferences p where p.user_id = ${user} and p.kind = ${kind} and p.community_id = ${community}),
  (select p.channel from notification_preferences p where p.user_id = ${user} and p.kind = ${kind} and p.community_id is null),
  'IN_APP')`;

/**
 * Applies their recipients' preferences to notifications just written, in the writing job's
 * transaction and in one statement however many there are (a poll's close notifies every voter):
 * those whose channel is OFF are deleted, an email is enqueued for each whose channel is EMAIL.
 * Returns the notifications kept (to announce).
 */
export async function applyPreferences<R extends { id: number; user_id: number }>(
  em: EntityManager,
  rows: readonly R[],
): Promise<R[]> {
  if (!rows.length) return [];
  // One statement: the channels read, the OFF rows deleted, and an email enqueued for each EMAIL row
  // (`emailed` is counted so that it runs).
  const channels = await fastSql<{ id: number; channel: NotificationChannel }>(
    em,
    `with n as (
       select n.id, ${channelOf('n.user_id', 'n.kind', 'n.community_id')} as channel
         from notifications n where n.id = any($1::int[])
     ), off as (
       delete from notifications d using n where d.id = n.id and n.channel = 'OFF' returning d.id
     ), emailed as (
       select graphile_worker.add_job('notifications.email', json_build_object('notificationId', n.id)) as job
         from n where n.channel = 'EMAIL'
     )
     select n.id, n.channel, (select count(*) from emailed) as emailed from n`,
    [rows.map((r) => r.id)],
  );
  const channel = new Map(channels.map((c) => [c.id, c.channel]));
  return rows.filter((r) => channel.get(r.id) !== NotificationChannel.OFF);
}

/** A preference view from its row. */
function preferenceFromRow(r: Record<string, unknown>): NotificationPreference {
  return view(NotificationPreference, {
    id: r.id,
    user: ref(r.user_id),
    kind: r.kind,
    community: r.community_id == null ? null : ref(r.community_id),
    channel: r.channel,
    updatedAt: timestamp(r.updated_at),
  });
}

/**
 * `setNotificationPreferences`: sets the viewer's channel for some kinds, everywhere or in one
 * community they can see (NOT_FOUND otherwise), in one statement; a null channel removes the
 * preference (the kind is then IN_APP everywhere, or in the community as everywhere). Returns the
 * viewer's preferences of that scope after the change.
 */
export async function updatePreferences(
  ctx: Context,
  communityId: number | null,
  changes: readonly { kind: NotificationKind; channel: NotificationChannel | null }[],
): Promise<NotificationPreference[]> {
  const userId = requireUser(ctx.viewer);
  if (communityId !== null) await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  const kinds = changes.map((c) => c.kind);
  if (new Set(kinds).size !== kinds.length) throw new BadInput('Name each kind once', 'preferences');
  const set = changes.filter((c) => c.channel !== null);
  const removed = changes.filter((c) => c.channel === null).map((c) => c.kind);
  // One statement (one transaction): the removals and the upserts of the scope.
  await fastSql(
    ctx.em,
    `with removed as (
       delete from notification_preferences
        where user_id = $1 and coalesce(community_id, 0) = coalesce($2::int, 0) and kind = any($3::text[])
     )
     insert into notification_preferences (user_id, kind, community_id, channel, updated_at)
     select $1, k, $2::int, c, now() from unnest($4::text[], $5::text[]) as t(k, c)
     on conflict (user_id, kind, (coalesce(community_id, 0))) do update set channel = excluded.channel, updated_at = now()`,
    [userId, communityId, removed, set.map((c) => c.kind), set.map((c) => c.channel)],
  );
  return preferences(ctx, userId, communityId);
}

/** `User.notificationPreferences(communityId)`: the user's preferences everywhere, or in one community. */
export async function preferences(
  ctx: Context,
  userId: number,
  communityId: number | null,
): Promise<NotificationPreference[]> {
  const rows = await sql<Record<string, unknown>[]>(
    ctx.em,
    `select * from notification_preferences where user_id = ? and ${communityId === null ? 'community_id is null' : 'community_id = ?'}
      order by kind`,
    communityId === null ? [userId] : [userId, communityId],
  );
  return rows.map(preferenceFromRow);
}

/** What an email says of notifications: their rows with the names they point to. */
const SUMMARY = `select n.id, n.kind, n.count, a.handle as actor, c.name as community, p.title as post, q.title as quest
                   from notifications n left join users a on a.id = n.actor_id
                   left join communities c on c.id = n.community_id left join posts p on p.id = n.post_id
                   left join quest_completions qc on qc.id = n.quest_completion_id left join quests q on q.id = qc.quest_id`;

/**
 * Job `notifications.email`: emails one notification to its recipient, if it is still there and
 * unread (a newer reply's row may have replaced it: that one has its own email) and their address is
 * verified (no mail to an address nobody proved).
 */
export async function sendNotificationEmail(ctx: JobContext, notificationId: number): Promise<void> {
  const [row] = await sql<(NotificationSummary & { handle: string; email: string })[]>(
    ctx.em,
    `select s.*, u.handle, u.email from (${SUMMARY} where n.id = ? and n.read_at is null) s
       join notifications n on n.id = s.id join users u on u.id = n.user_id
      where u.email_verified_at is not null`,
    [notificationId],
  );
  if (!row) return;
  await ctx.services.mailer.send(notificationMail(ctx.config, row, row));
}

/**
 * Job `notifications.digest` (daily): enqueues, in one transaction, a digest email for each user with
 * a verified address who chose DIGEST for some kind (at most one waiting per user: a job key).
 */
export async function enqueueDigests(ctx: JobContext): Promise<void> {
  await sql(
    ctx.em,
    `select graphile_worker.add_job('notifications.digestEmail', json_build_object('userId', u.id),
                                    job_key => 'notifications.digest:' || u.id, max_attempts => 5)
       from users u
      where u.email_verified_at is not null
        and exists (select 1 from notification_preferences p where p.user_id = u.id and p.channel = 'DIGEST')`,
  );
}

/**
 * Job `notifications.digestEmail`: emails a user the notifications of the last day still unread whose
 * channel is DIGEST (newest first, at most DIGEST_MAX_ITEMS listed); nothing when there are none.
 */
export async function sendDigest(ctx: JobContext, userId: number): Promise<void> {
  const [user] = await sql<{ handle: string; email: string }[]>(
    ctx.em,
    'select handle, email from users where id = ? and email_verified_at is not null',
    [userId],
  );
  if (!user) return;
  const rows = await sql<(NotificationSummary & { total: number })[]>(
    ctx.em,
    `select s.*, count(*) over ()::int as total from (${SUMMARY}
        where n.user_id = ? and n.read_at is null and n.created_at > now() - interval '1 day'
          and ${channelOf('n.user_id', 'n.kind', 'n.community_id')} = 'DIGEST') s
      order by s.id desc limit ?`,
    [userId, DIGEST_MAX_ITEMS],
  );
  if (!rows.length) return;
  await ctx.services.mailer.send(digestMail(ctx.config, user, rows, rows[0].total - rows.length));
}
