import { Migration } from '@mikro-orm/migrations';

export class Migration20261206143418 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "active_member_counts" ("community_id" int not null, "unit" text not null, "start" date not null, "members" int not null, constraint "active_member_counts_pkey" primary key ("community_id", "unit", "start"));`);

    this.addSql(`create table "community_days" ("community_id" int not null, "day" date not null, "active_members" int not null default 0, "posts" int not null default 0, "comments" int not null default 0, "interactions" int not null default 0, "new_members" int not null default 0, "departed_members" int not null default 0, constraint "community_days_pkey" primary key ("community_id", "day"));`);

    this.addSql(`create table "community_tag_days" ("community_id" int not null, "day" date not null, "tag" text not null, "posts" int not null, constraint "community_tag_days_pkey" primary key ("community_id", "day", "tag"));`);

    this.addSql(`create table "insights_watermarks" ("source" text not null, "last_id" int not null default 0, "last_run_at" timestamptz null, constraint "insights_watermarks_pkey" primary key ("source"));`);

    this.addSql(`create table "member_departures" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "joined_at" timestamptz not null, "left_at" timestamptz not null default now());`);
    this.addSql(`create index "member_departures_joined_at_index" on "member_departures" ("joined_at");`);
    this.addSql(`create index "member_departures_left_at_index" on "member_departures" ("left_at");`);

    this.addSql(`create table "post_first_replies" ("post_id" int not null, "community_id" int not null, "day" date not null, "seconds" int null, constraint "post_first_replies_pkey" primary key ("post_id"));`);
    this.addSql(`create index "post_first_replies_community_day_index" on "post_first_replies" ("community_id", "day");`);

    this.addSql(`create table "member_activity_months" ("community_id" int not null, "month" date not null, "user_id" int not null, "posts" int not null, "comments" int not null, "interactions" int not null, constraint "member_activity_months_pkey" primary key ("community_id", "month", "user_id"));`);

    this.addSql(`create table "member_activity_days" ("community_id" int not null, "day" date not null, "user_id" int not null, "posts" int not null default 0, "comments" int not null default 0, "votes" int not null default 0, "reactions" int not null default 0, "rsvps" int not null default 0, "chat_messages" int not null default 0, "ballots" int not null default 0, constraint "member_activity_days_pkey" primary key ("community_id", "day", "user_id"));`);
    this.addSql(`create index "member_activity_days_day_index" on "member_activity_days" ("day");`);
    this.addSql(`create index "member_activity_days_user_index" on "member_activity_days" ("user_id");`);

    this.addSql(`alter table "community_days" add constraint "community_days_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "community_tag_days" add constraint "community_tag_days_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "post_first_replies" add constraint "post_first_replies_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "post_first_replies" add constraint "post_first_replies_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "member_activity_months" add constraint "member_activity_months_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "member_activity_months" add constraint "member_activity_months_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "member_activity_days" add constraint "member_activity_days_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "member_activity_days" add constraint "member_activity_days_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`create index "posts_created_at_index" on "posts" ("created_at");`);

    this.addSql(`create index "members_joined_at_index" on "members" ("joined_at");`);

    this.addSql(`create index "rsvps_responded_at_index" on "rsvps" ("responded_at");`);

    this.addSql(`create index "comments_created_at_index" on "comments" ("created_at");`);

    this.addSql(`create index "reactions_created_at_index" on "reactions" ("created_at");`);

    this.addSql(`create index "chat_messages_created_at_index" on "chat_messages" ("created_at");`);

    this.addSql(`create index "ballots_updated_at_index" on "ballots" ("updated_at");`);

    this.addSql(`create index "votes_created_at_index" on "votes" ("created_at");`);

    // Hand-written (issue 17, insights): a membership's end is not otherwise recorded (its row is
    // deleted), so a trigger keeps it, for the departures and the cohorts of the insights. Leaving,
    // a ban, and a deleted account (or community) end memberships alike.
    this.addSql(`create function members_record_departure() returns trigger language plpgsql as $$
      begin
        insert into member_departures (community_id, user_id, joined_at, left_at)
        values (old.community_id, old.user_id, old.joined_at, now());
        return null;
      end $$;`);
    this.addSql(`create trigger members_record_departure after delete on "members" for each row execute function members_record_departure();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists members_record_departure on "members";`);
    this.addSql(`drop function if exists members_record_departure();`);

    this.addSql(`drop table if exists "active_member_counts" cascade;`);

    this.addSql(`drop table if exists "community_days" cascade;`);

    this.addSql(`drop table if exists "community_tag_days" cascade;`);

    this.addSql(`drop table if exists "insights_watermarks" cascade;`);

    this.addSql(`drop table if exists "member_departures" cascade;`);

    this.addSql(`drop table if exists "post_first_replies" cascade;`);

    this.addSql(`drop table if exists "member_activity_months" cascade;`);

    this.addSql(`drop table if exists "member_activity_days" cascade;`);

    this.addSql(`drop index "ballots_updated_at_index";`);

    this.addSql(`drop index "chat_messages_created_at_index";`);

    this.addSql(`drop index "comments_created_at_index";`);

    this.addSql(`drop index "members_joined_at_index";`);

    this.addSql(`drop index "posts_created_at_index";`);

    this.addSql(`drop index "reactions_created_at_index";`);

    this.addSql(`drop index "rsvps_responded_at_index";`);

    this.addSql(`drop index "votes_created_at_index";`);
  }

}
