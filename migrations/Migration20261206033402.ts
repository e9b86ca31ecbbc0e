import { Migration } from '@mikro-orm/migrations';

export class Migration20261206033402 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "notification_preferences" ("id" serial primary key, "user_id" int not null, "kind" text check ("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED')) not null, "community_id" int null, "channel" text check ("channel" in ('IN_APP', 'EMAIL', 'DIGEST', 'OFF')) not null, "updated_at" timestamptz not null default now());`);
    this.addSql(`create unique index "notification_preferences_unique" on "notification_preferences" ("user_id", "kind", (coalesce(community_id, 0)));`);

    this.addSql(`create table "email_tokens" ("id" serial primary key, "user_id" int not null, "purpose" text check ("purpose" in ('VERIFY_EMAIL', 'RESET_PASSWORD')) not null, "email" varchar(254) not null, "seed" varchar(64) not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "used_at" timestamptz null);`);
    this.addSql(`create index "email_tokens_user_id_index" on "email_tokens" ("user_id");`);
    this.addSql(`alter table "email_tokens" add constraint "email_tokens_token_hash_unique" unique ("token_hash");`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "email_tokens" add constraint "email_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "users" add column "email_verified_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification_preferences" cascade;`);

    this.addSql(`drop table if exists "email_tokens" cascade;`);

    this.addSql(`alter table "users" drop column "email_verified_at";`);
  }

}
