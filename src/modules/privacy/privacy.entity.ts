import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { NodeType } from '../../platform/ids';
import { Node } from '../../platform/node';
import { User } from '../identity/identity.entity';

/** Where a data export stands. */
export enum DataExportStatus {
  PENDING = 'PENDING',
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(DataExportStatus, {
  name: 'DataExportStatus',
  description: 'Where a data export stands.',
  valuesConfig: {
    PENDING: { description: 'Requested: a background job is building the archive.' },
    READY: { description: 'Built: `downloadUrl` serves the archive until `expiresAt`.' },
    FAILED: { description: 'The archive could not be built; request another export.' },
  },
});

/**
 * A member's request for a copy of their data (`requestDataExport`): a job builds the JSON archive
 * (exports.ts) and stores it in the row, served at `/exports/<token>` until `expiresAt`
 * (DATA_EXPORT_TTL_HOURS); the daily `privacy.pruneExports` job deletes the archive once expired.
 * The download token is not stored: it is derived from `tokenSalt` and TOKEN_SECRET (so the owner's
 * list can show the link again), and found by its SHA-256 (`tokenHash`).
 */
@Entity({ tableName: 'data_exports' })
@Index({ name: 'data_exports_user_index', properties: ['user', 'id'] })
@Index({
  name: 'data_exports_pending_unique',
  expression:
    'create unique index "data_exports_pending_unique" on "data_exports" ("user_id") where status = \'PENDING\'',
})
@Unique({ name: 'data_exports_token_unique', properties: ['tokenHash'] })
@ObjectType('DataExport', {
  implements: Node,
  simpleResolvers: true,
  description:
    'A copy of everything you created and everything about you, as one JSON archive (`requestDataExport`). Only its owner reads it.',
})
export class DataExport extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'DataExport';
  }

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => DataExportStatus, { description: 'Where it stands.' })
  @Enum({ items: () => DataExportStatus, default: DataExportStatus.PENDING })
  status: DataExportStatus = DataExportStatus.PENDING;

  @Field({ description: 'When it was requested.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  requestedAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When the archive was built (or failed); null while pending.' })
  @Property({ type: 'datetime', nullable: true })
  completedAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Until when `downloadUrl` serves the archive (DATA_EXPORT_TTL_HOURS after it was built).',
  })
  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null;

  @Field(() => Int, { nullable: true, description: 'The size of the archive in bytes; null until it is built.' })
  @Property({ type: 'integer', nullable: true })
  byteSize?: number | null;

  /** 16 random bytes: the download token is HMAC(TOKEN_SECRET, salt) (see exports.ts). */
  @Property({ type: 'blob' })
  tokenSalt!: Buffer;

  /** SHA-256 of the download token (hex): how a download finds its export. */
  @Property({ length: 64 })
  tokenHash!: string;

  /** The archive (UTF-8 JSON) while it may be downloaded; null before and after. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  archive?: Buffer | null;
}

/**
 * How long this platform keeps what only grows and what names people (one row, id 1, made by its
 * migration; platform admins change it with `updateRetentionSettings`). Read by the retention jobs
 * when they run and, cached for a minute, by the rate limits (retention.ts).
 */
@Entity({ tableName: 'retention_settings' })
@Check({ name: 'retention_settings_single_row_check', expression: 'id = 1' })
@Check({
  name: 'retention_settings_ranges_check',
  expression:
    '((chat_message_days IS NULL) OR ((chat_message_days >= 1) AND (chat_message_days <= 36500))) AND ((notification_days IS NULL) OR ((notification_days >= 1) AND (notification_days <= 3650))) AND ((ip_address_hours >= 1) AND (ip_address_hours <= 8760))',
})
@ObjectType('RetentionSettings', {
  simpleResolvers: true,
  description:
    'How long this platform keeps chat messages, notifications and client IP addresses (README, Privacy). Platform admins read and change them.',
})
export class RetentionSettings {
  @PrimaryKey({ autoincrement: false })
  id: number = 1;

  @Field(() => Int, {
    nullable: true,
    description:
      'Live-stream chat messages older than this many days are deleted by the daily `privacy.pruneChat` job (except those under an open moderation item); null: kept.',
  })
  @Property({ type: 'integer', nullable: true })
  chatMessageDays?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Notifications read more than this many days ago are deleted by the daily `notifications.prune` job; null: NOTIFICATION_RETENTION_DAYS.',
  })
  @Property({ type: 'integer', nullable: true })
  notificationDays?: number | null;

  @Field(() => Int, {
    description:
      'The longest a client IP address is kept, in hours: a rate-limit key that names an address (by its keyed hash) expires within it. No table stores addresses; logs take them as LOG_IP says.',
  })
  @Property({ type: 'integer', default: 24 })
  ipAddressHours: number = 24;

  @Field(() => Date, { nullable: true, description: 'When a platform admin last changed them; null: never.' })
  @Property({ type: 'datetime', nullable: true })
  updatedAt?: Date | null;
}
