import { Migration } from '@mikro-orm/migrations';

export class Migration20261206204932 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "channel_subscription_state" as enum ('FOLLOWING', 'MUTED');`);
    this.addSql(`create table "channels" ("id" serial primary key, "community_id" int not null, "name" varchar(100) not null, "slug" varchar(50) not null, "description" text not null default '', "position" int not null default 0, "read_role" "member_role" null, "read_level" int not null default 1, "post_role" "member_role" null, "post_level" int not null default 1, "created_at" timestamptz not null default now(), constraint channels_post_level_check check (post_level >= 1), constraint channels_read_level_check check (read_level >= 1));`);
    this.addSql(`create index "channels_community_position_index" on "channels" ("community_id", "position", "id");`);
    this.addSql(`alter table "channels" add constraint "channels_community_slug_unique" unique ("community_id", "slug");`);

    this.addSql(`create table "channel_subscriptions" ("id" serial primary key, "user_id" int not null, "channel_id" int not null, "state" "channel_subscription_state" not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "channel_subscriptions_channel_index" on "channel_subscriptions" ("channel_id");`);
    this.addSql(`alter table "channel_subscriptions" add constraint "channel_subscriptions_user_channel_unique" unique ("user_id", "channel_id");`);

    this.addSql(`alter table "channels" add constraint "channels_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "channel_subscriptions" add constraint "channel_subscriptions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "channel_subscriptions" add constraint "channel_subscriptions_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "communities" add column "default_channel_id" int null, add column "restricted_channels" boolean not null default false;`);

    // Every community gets its default channel (README, Channels), and every post moves into it;
    // only then does posts.channel_id become not null.
    this.addSql(`insert into "channels" ("community_id", "name", "slug", "description", "position", "created_at") select id, 'General', 'general', 'Everything else.', 0, created_at from communities order by id;`);
    this.addSql(`update "communities" c set "default_channel_id" = ch.id from "channels" ch where ch.community_id = c.id and ch.slug = 'general';`);
    this.addSql(`alter table "posts" add column "channel_id" int null;`);
    this.addSql(`update "posts" p set "channel_id" = c.default_channel_id from "communities" c where c.id = p.community_id;`);
    this.addSql(`alter table "posts" alter column "channel_id" set not null;`);
    this.addSql(`alter table "posts" add constraint "posts_channel_id_foreign" foreign key ("channel_id") references "channels" ("id") on update cascade on delete restrict;`);
    this.addSql(`create index "posts_channel_hot_index" on "posts" ("channel_id", "pinned", "hot", "id");`);
    this.addSql(`create index "posts_channel_top_index" on "posts" ("channel_id", "pinned", "score", "id");`);
    this.addSql(`create index "posts_channel_new_index" on "posts" ("channel_id", "pinned", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "posts" drop constraint "posts_channel_id_foreign";`);

    this.addSql(`alter table "channel_subscriptions" drop constraint "channel_subscriptions_channel_id_foreign";`);

    this.addSql(`drop table if exists "channels" cascade;`);

    this.addSql(`drop table if exists "channel_subscriptions" cascade;`);

    this.addSql(`alter table "communities" drop column "default_channel_id", drop column "restricted_channels";`);

    this.addSql(`drop index "posts_channel_hot_index";`);
    this.addSql(`drop index "posts_channel_top_index";`);
    this.addSql(`drop index "posts_channel_new_index";`);
    this.addSql(`alter table "posts" drop column "channel_id";`);

    this.addSql(`drop type "channel_subscription_state";`);
  }

}
