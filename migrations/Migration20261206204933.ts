import { Migration } from '@mikro-orm/migrations';

export class Migration20261206204933 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "feed_watermarks" ("source" text not null, "last_id" int not null default 0, "last_run_at" timestamptz null, constraint "feed_watermarks_pkey" primary key ("source"));`);

    this.addSql(`create table "tag_follows" ("id" serial primary key, "user_id" int not null, "tag" text not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "tag_follows" add constraint "tag_follows_user_tag_unique" unique ("user_id", "tag");`);

    this.addSql(`create table "member_follows" ("id" serial primary key, "follower_id" int not null, "followed_id" int not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "member_follows_followed_index" on "member_follows" ("followed_id");`);
    this.addSql(`alter table "member_follows" add constraint "member_follows_pair_unique" unique ("follower_id", "followed_id");`);

    this.addSql(`create table "feed_similar_members" ("user_id" int not null, "similar_id" int not null, "score" double precision not null, constraint "feed_similar_members_pkey" primary key ("user_id", "similar_id"));`);

    this.addSql(`create table "feed_affinities" ("user_id" int not null, "kind" text check ("kind" in ('COMMUNITY', 'TAG', 'AUTHOR')) not null, "target" text not null, "score" double precision not null, "updated_at" timestamptz not null, constraint "feed_affinities_pkey" primary key ("user_id", "kind", "target"));`);
    this.addSql(`create index "feed_affinities_target_index" on "feed_affinities" ("kind", "target", "score");`);

    this.addSql(`alter table "tag_follows" add constraint "tag_follows_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "member_follows" add constraint "member_follows_follower_id_foreign" foreign key ("follower_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "member_follows" add constraint "member_follows_followed_id_foreign" foreign key ("followed_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "feed_similar_members" add constraint "feed_similar_members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "feed_similar_members" add constraint "feed_similar_members_similar_id_foreign" foreign key ("similar_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "feed_affinities" add constraint "feed_affinities_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "feed_watermarks" cascade;`);

    this.addSql(`drop table if exists "tag_follows" cascade;`);

    this.addSql(`drop table if exists "member_follows" cascade;`);

    this.addSql(`drop table if exists "feed_similar_members" cascade;`);

    this.addSql(`drop table if exists "feed_affinities" cascade;`);
  }

}
