import { Migration } from '@mikro-orm/migrations';

export class Migration20261123163119 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "posts" ("id" serial primary key, "community_id" int not null, "author_id" int not null, "title" varchar(300) not null, "body" text not null, "body_html" text not null, "tags" text[] not null default '{}', "score" int not null default 0, "hot" double precision not null default 0, "comment_count" int not null default 0, "pinned" boolean not null default false, "locked" boolean not null default false, "created_at" timestamptz not null default now(), "edited_at" timestamptz null, "deleted_at" timestamptz null);`);
    this.addSql(`create index "posts_tags_index" on "posts" using gin ("tags");`);
    this.addSql(`create index "posts_community_hot_index" on "posts" ("community_id", "pinned", "hot", "id");`);
    this.addSql(`create index "posts_community_top_index" on "posts" ("community_id", "pinned", "score", "id");`);
    this.addSql(`create index "posts_community_new_index" on "posts" ("community_id", "pinned", "id");`);

    this.addSql(`create table "comments" ("id" serial primary key, "post_id" int not null, "parent_id" int null, "author_id" int not null, "body" text not null, "body_html" text not null, "depth" smallint not null default 0, "score" int not null default 0, "reply_count" int not null default 0, "featured" boolean not null default false, "created_at" timestamptz not null default now(), "edited_at" timestamptz null, "deleted_at" timestamptz null);`);
    this.addSql(`create index "comments_parent_index" on "comments" ("parent_id", "id");`);
    this.addSql(`create index "comments_post_id_index" on "comments" ("post_id", "id");`);
    this.addSql(`create index "comments_post_thread_index" on "comments" ("post_id", "parent_id", "id");`);

    this.addSql(`create table "reactions" ("id" serial primary key, "user_id" int not null, "post_id" int null, "comment_id" int null, "emoji" varchar(32) not null, "created_at" timestamptz not null default now(), constraint reactions_one_subject_check check (num_nonnulls(post_id, comment_id) = 1));`);
    this.addSql(`alter table "reactions" add constraint "reactions_user_comment_emoji_unique" unique ("user_id", "comment_id", "emoji");`);
    this.addSql(`alter table "reactions" add constraint "reactions_user_post_emoji_unique" unique ("user_id", "post_id", "emoji");`);

    this.addSql(`create table "votes" ("id" serial primary key, "user_id" int not null, "post_id" int null, "comment_id" int null, "value" smallint not null, "created_at" timestamptz not null default now(), constraint votes_value_check check (value in (-1, 1)), constraint votes_one_subject_check check (num_nonnulls(post_id, comment_id) = 1));`);
    this.addSql(`alter table "votes" add constraint "votes_user_comment_unique" unique ("user_id", "comment_id");`);
    this.addSql(`alter table "votes" add constraint "votes_user_post_unique" unique ("user_id", "post_id");`);

    this.addSql(`alter table "posts" add constraint "posts_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "posts" add constraint "posts_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "comments" add constraint "comments_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "comments" add constraint "comments_parent_id_foreign" foreign key ("parent_id") references "comments" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "comments" add constraint "comments_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "reactions" add constraint "reactions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reactions" add constraint "reactions_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reactions" add constraint "reactions_comment_id_foreign" foreign key ("comment_id") references "comments" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "votes" add constraint "votes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "votes" add constraint "votes_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "votes" add constraint "votes_comment_id_foreign" foreign key ("comment_id") references "comments" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "comments" drop constraint "comments_post_id_foreign";`);

    this.addSql(`alter table "reactions" drop constraint "reactions_post_id_foreign";`);

    this.addSql(`alter table "votes" drop constraint "votes_post_id_foreign";`);

    this.addSql(`alter table "comments" drop constraint "comments_parent_id_foreign";`);

    this.addSql(`alter table "reactions" drop constraint "reactions_comment_id_foreign";`);

    this.addSql(`alter table "votes" drop constraint "votes_comment_id_foreign";`);

    this.addSql(`drop table if exists "posts" cascade;`);

    this.addSql(`drop table if exists "comments" cascade;`);

    this.addSql(`drop table if exists "reactions" cascade;`);

    this.addSql(`drop table if exists "votes" cascade;`);
  }

}
