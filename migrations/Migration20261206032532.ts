import { Migration } from '@mikro-orm/migrations';

export class Migration20261206032532 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "notification_preferences" ("id" serial primary key, "user_id" int not null, "kind" text check ("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED')) not null, "community_id" int null, "channel" text check ("channel" in ('IN_APP', 'EMAIL', 'DIGEST', 'OFF')) not null, "updated_at" timestamptz not null default now());`);
    this.addSql(`create unique index "notification_preferences_unique" on "notification_preferences" ("user_id", "kind", (coalesce(community_id, 0)));`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification_preferences" cascade;`);
  }

}
