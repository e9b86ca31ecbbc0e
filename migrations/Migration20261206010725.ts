import { Migration } from '@mikro-orm/migrations';

export class Migration20261206010725 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add column "join_request_id" int null;`);
    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED'));`);
    this.addSql(`create unique index "notifications_join_request_unique" on "notifications" ("user_id", "join_request_id") where kind = 'JOIN_REQUEST_DECIDED';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`drop index "notifications_join_request_unique";`);
    this.addSql(`alter table "notifications" drop column "join_request_id";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED'));`);
  }

}
