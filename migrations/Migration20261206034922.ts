import { Migration } from '@mikro-orm/migrations';

export class Migration20261206034922 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notification_preferences" drop constraint if exists "notification_preferences_kind_check";`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED'));`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "notification_preferences" drop constraint if exists "notification_preferences_kind_check";`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED'));`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED'));`);
  }

}
