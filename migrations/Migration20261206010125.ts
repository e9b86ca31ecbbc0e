import { Migration } from '@mikro-orm/migrations';

export class Migration20261206010125 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED'));`);
    this.addSql(`create unique index "notifications_mention_unique" on "notifications" ("user_id", "post_id", (coalesce(latest_comment_id, 0))) where kind = 'MENTION';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`drop index "notifications_mention_unique";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MODERATION_DECISION', 'APPEAL_DECIDED'));`);
  }

}
