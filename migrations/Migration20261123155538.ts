import { Migration } from '@mikro-orm/migrations';

export class Migration20261123155538 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "visibility" as enum ('PUBLIC', 'PRIVATE');`);
    this.addSql(`create type "member_role" as enum ('OWNER', 'ADMIN', 'MODERATOR', 'MEMBER');`);
    this.addSql(`create type "join_request_status" as enum ('PENDING', 'APPROVED', 'REJECTED');`);
    this.addSql(`create table "communities" ("id" serial primary key, "slug" varchar(50) not null, "name" varchar(100) not null, "description" text not null default '', "visibility" "visibility" not null, "member_count" int not null default 0, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint communities_member_count_check check (member_count >= 0));`);
    this.addSql(`alter table "communities" add constraint "communities_slug_unique" unique ("slug");`);

    this.addSql(`create table "users" ("id" serial primary key, "handle" varchar(30) not null, "email" varchar(254) not null, "password_hash" varchar(200) not null, "is_admin" boolean not null default false, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "users" add constraint "users_handle_unique" unique ("handle");`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`create table "sessions" ("id" serial primary key, "user_id" int not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null);`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);

    this.addSql(`create table "members" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "role" "member_role" not null, "joined_at" timestamptz not null default now());`);
    this.addSql(`create index "members_user_id_index" on "members" ("user_id");`);
    this.addSql(`alter table "members" add constraint "members_community_id_user_id_unique" unique ("community_id", "user_id");`);

    this.addSql(`create table "join_requests" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "status" "join_request_status" not null default 'PENDING', "created_at" timestamptz not null default now(), "decided_at" timestamptz null);`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_community_id_user_id_unique" unique ("community_id", "user_id");`);

    this.addSql(`create table "invites" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "invited_by_id" int not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "invites" add constraint "invites_community_id_user_id_unique" unique ("community_id", "user_id");`);

    this.addSql(`create table "bans" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "banned_by_id" int not null, "reason" varchar(500) not null default '', "until" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "bans" add constraint "bans_community_id_user_id_unique" unique ("community_id", "user_id");`);

    this.addSql(`create table "api_keys" ("id" serial primary key, "user_id" int not null, "name" varchar(100) not null, "prefix" varchar(16) not null, "secret_hash" varchar(64) not null, "scopes" text[] not null, "created_at" timestamptz not null default now(), "last_used_at" timestamptz null, "revoked_at" timestamptz null);`);
    this.addSql(`create index "api_keys_user_id_index" on "api_keys" ("user_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "members" add constraint "members_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "members" add constraint "members_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "join_requests" add constraint "join_requests_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "join_requests" add constraint "join_requests_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "invites" add constraint "invites_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invites" add constraint "invites_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "invites" add constraint "invites_invited_by_id_foreign" foreign key ("invited_by_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "bans" add constraint "bans_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "bans" add constraint "bans_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "bans" add constraint "bans_banned_by_id_foreign" foreign key ("banned_by_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

}
