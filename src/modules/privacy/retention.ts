import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { pruneInBatches } from '../../platform/database/prune';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { requirePlatformAdmin } from '../identity/identity.service';
import { RetentionSettings } from './privacy.entity';

interface SettingsRow {
  chat_message_days: number | null;
  notification_days: number | null;
  ip_address_hours: number;
  updated_at: Date | null;
}

function settingsFromRow(r: SettingsRow): RetentionSettings {
  const s = new RetentionSettings();
  s.chatMessageDays = r.chat_message_days;
  s.notificationDays = r.notification_days;
  s.ipAddressHours = r.ip_address_hours;
  s.updatedAt = r.updated_at && new Date(r.updated_at);
  return s;
}

/** The platform's retention settings (the one row its migration made). */
export async function readRetentionSettings(em: EntityManager): Promise<RetentionSettings> {
  const [row] = await sql<SettingsRow[]>(
    em,
    'select chat_message_days, notification_days, ip_address_hours, updated_at from retention_settings where id = 1',
  );
  return settingsFromRow(row);
}

/** `retentionSettings`. */
export function retentionSettings(ctx: Context): Promise<RetentionSettings> {
  requirePlatformAdmin(ctx.viewer, 'read or change the retention settings');
  return readRetentionSettings(ctx.em);
}

/** What `updateRetentionSettings` changes: a field left undefined stays; null clears a nullable one. */
export interface RetentionChange {
  chatMessageDays?: number | null;
  notificationDays?: number | null;
  ipAddressHours?: number;
}

/** `updateRetentionSettings`: the next run of each retention job, and the rate limits within a minute, follow it. */
export async function updateRetentionSettings(ctx: Context, change: RetentionChange): Promise<RetentionSettings> {
  requirePlatformAdmin(ctx.viewer, 'read or change the retention settings');
  const sets: string[] = [];
  const params: unknown[] = [];
  const column = {
    chatMessageDays: 'chat_message_days',
    notificationDays: 'notification_days',
    ipAddressHours: 'ip_address_hours',
  };
  for (const [field, name] of Object.entries(column) as [keyof RetentionChange, string][]) {
    if (change[field] === undefined) continue;
    sets.push(`${name} = ?`);
    params.push(change[field]);
  }
  const row = await write(
    ctx,
    async (tx) => {
      const [updated] = await sql<SettingsRow[]>(
        tx,
        `update retention_settings set ${[...sets, 'updated_at = now()'].join(', ')} where id = 1
         returning chat_message_days, notification_days, ip_address_hours, updated_at`,
        params,
      );
      return updated;
    },
    { mode: 'statement' },
  );
  ctx.log.info({ change, by: ctx.viewer.userId }, 'retention settings changed');
  // This instance at once; the others within a minute (the privacy module reads them again).
  ctx.rateLimiter.addressRetentionMs = row.ip_address_hours * 3_600_000;
  return settingsFromRow(row);
}

/**
 * The daily `privacy.pruneChat` job: live-stream chat messages older than `chatMessageDays` are
 * deleted (their question upvotes with them), except a message a moderation item is still open
 * about: the moderators deciding it need it. Null: nothing is deleted.
 */
export async function pruneChat(em: EntityManager): Promise<{ days: number | null; deleted: number }> {
  const { chatMessageDays: days } = await readRetentionSettings(em);
  if (!days) return { days: null, deleted: 0 };
  const deleted = await pruneInBatches(
    em,
    'chat_messages',
    `created_at < now() - make_interval(days => $1)
     and not exists (select 1 from moderation_items i
                      where i.subject_type = 'CHAT_MESSAGE' and i.subject_id = chat_messages.id and i.status = 'OPEN')`,
    [days],
  );
  return { days, deleted };
}
