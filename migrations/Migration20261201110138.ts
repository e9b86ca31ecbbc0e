import { Migration } from '@mikro-orm/migrations';

export class Migration20261201110138 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "polls" ("id" serial primary key, "community_id" int not null, "created_by_id" int not null, "post_id" int null, "event_id" int null, "question" varchar(300) not null, "kind" text check ("kind" in ('SINGLE', 'MULTIPLE', 'RANKED')) not null, "max_choices" int null, "anonymous" boolean not null default false, "hide_results_until_closed" boolean not null default false, "closes_at" timestamptz null, "closed_at" timestamptz null, "close_announced_at" timestamptz null, "total_voters" int not null default 0, "created_at" timestamptz not null default now(), constraint polls_max_choices_check check (max_choices is null or (kind = 'MULTIPLE' and max_choices >= 1)), constraint polls_total_voters_check check (total_voters >= 0));`);
    this.addSql(`create index "polls_closing_index" on "polls" ("closes_at") where "close_announced_at" is null and "closes_at" is not null;`);
    this.addSql(`create index "polls_community_index" on "polls" ("community_id", "id");`);

    this.addSql(`create table "poll_options" ("id" serial primary key, "poll_id" int not null, "position" int not null, "text" varchar(200) not null, "votes" int not null default 0, constraint poll_options_votes_check check (votes >= 0));`);
    this.addSql(`alter table "poll_options" add constraint "poll_options_position_unique" unique ("poll_id", "position");`);

    this.addSql(`create table "ballots" ("id" serial primary key, "poll_id" int not null, "user_id" int not null, "cast_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "ballots" add constraint "ballots_member_unique" unique ("poll_id", "user_id");`);

    this.addSql(`create table "ballot_choices" ("id" serial primary key, "ballot_id" int not null, "option_id" int not null, "rank" int not null, constraint ballot_choices_rank_check check (rank >= 0));`);
    this.addSql(`create index "ballot_choices_voters_index" on "ballot_choices" ("option_id", "ballot_id");`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_rank_unique" unique ("ballot_id", "rank");`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_option_unique" unique ("ballot_id", "option_id");`);

    this.addSql(`alter table "polls" add constraint "polls_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "polls" add constraint "polls_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "polls" add constraint "polls_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "polls" add constraint "polls_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "poll_options" add constraint "poll_options_poll_id_foreign" foreign key ("poll_id") references "polls" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ballots" add constraint "ballots_poll_id_foreign" foreign key ("poll_id") references "polls" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ballots" add constraint "ballots_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_ballot_id_foreign" foreign key ("ballot_id") references "ballots" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_option_id_foreign" foreign key ("option_id") references "poll_options" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "poll_options" drop constraint "poll_options_poll_id_foreign";`);

    this.addSql(`alter table "ballots" drop constraint "ballots_poll_id_foreign";`);

    this.addSql(`alter table "ballot_choices" drop constraint "ballot_choices_option_id_foreign";`);

    this.addSql(`alter table "ballot_choices" drop constraint "ballot_choices_ballot_id_foreign";`);

    this.addSql(`drop table if exists "polls" cascade;`);

    this.addSql(`drop table if exists "poll_options" cascade;`);

    this.addSql(`drop table if exists "ballots" cascade;`);

    this.addSql(`drop table if exists "ballot_choices" cascade;`);
  }

}
