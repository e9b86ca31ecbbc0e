import { Migration } from '@mikro-orm/migrations';

export class Migration20261206004055 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "notifications" ("id" serial primary key, "user_id" int not null, "kind" text check ("kind" in ('REPLY', 'MODERATION_DECISION', 'APPEAL_DECIDED')) not null, "community_id" int null, "actor_id" int null, "post_id" int null, "comment_id" int null, "latest_comment_id" int null, "decision_id" int null, "appeal_id" int null, "since_comment_id" int null, "group_key" varchar(100) null, "count" int not null default 1, "read_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`create unique index "notifications_appeal_unique" on "notifications" ("user_id", "appeal_id") where kind = 'APPEAL_DECIDED';`);
    this.addSql(`create unique index "notifications_decision_unique" on "notifications" ("user_id", "decision_id") where kind = 'MODERATION_DECISION';`);
    this.addSql(`create index "notifications_unread_index" on "notifications" ("user_id", "id") where read_at is null;`);
    this.addSql(`create unique index "notifications_unread_group_unique" on "notifications" ("user_id", "group_key") where read_at is null and group_key is not null;`);
    this.addSql(`create index "notifications_user_index" on "notifications" ("user_id", "id");`);

    this.addSql(`alter table "notifications" add constraint "notifications_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notifications" add constraint "notifications_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notifications" add constraint "notifications_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notifications" cascade;`);
  }

}
