import { Migration } from '@mikro-orm/migrations';

export class Migration20261123192608 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "contest_entries" ("id" serial primary key, "event_id" int not null, "post_id" int not null, "user_id" int not null, "votes" int not null default 0, "submitted_at" timestamptz not null, constraint contest_entries_votes_check check (votes >= 0));`);
    this.addSql(`create index "contest_entries_submitted_index" on "contest_entries" ("event_id", "submitted_at", "id");`);
    this.addSql(`create index "contest_entries_ranking_index" on "contest_entries" ("event_id", "votes" desc, "submitted_at", "id");`);
    this.addSql(`alter table "contest_entries" add constraint "contest_entries_post_unique" unique ("post_id", "event_id");`);
    this.addSql(`alter table "contest_entries" add constraint "contest_entries_member_unique" unique ("event_id", "user_id");`);

    this.addSql(`create table "contest_votes" ("id" serial primary key, "event_id" int not null, "entry_id" int not null, "user_id" int not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "contest_votes_entry_index" on "contest_votes" ("entry_id");`);
    this.addSql(`alter table "contest_votes" add constraint "contest_votes_member_unique" unique ("event_id", "user_id");`);

    this.addSql(`alter table "contest_entries" add constraint "contest_entries_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contest_entries" add constraint "contest_entries_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contest_entries" add constraint "contest_entries_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "contest_votes" add constraint "contest_votes_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contest_votes" add constraint "contest_votes_entry_id_foreign" foreign key ("entry_id") references "contest_entries" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "contest_votes" add constraint "contest_votes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "contest_votes" drop constraint "contest_votes_entry_id_foreign";`);

    this.addSql(`drop table if exists "contest_entries" cascade;`);

    this.addSql(`drop table if exists "contest_votes" cascade;`);
  }

}
