import { Migration } from '@mikro-orm/migrations';

export class Migration20261123190414 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "events" ("id" serial primary key, "community_id" int not null, "organizer_id" int not null, "kind" text check ("kind" in ('MEETUP', 'LIVE_STREAM', 'CONTEST')) not null, "title" varchar(300) not null, "description" text not null, "starts_at" timestamptz not null, "ends_at" timestamptz not null, "time_zone" varchar(64) not null, "location" varchar(300) null, "online_url" varchar(2000) null, "capacity" int null, "recurrence" text null, "series_ends_at" timestamptz null, "cancelled_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint events_capacity_check check (capacity > 0), constraint events_times_check check (ends_at > starts_at));`);
    this.addSql(`create index "events_community_starts_index" on "events" ("community_id", "starts_at", "id");`);

    this.addSql(`create table "rsvps" ("id" serial primary key, "event_id" int not null, "occurrence_starts_at" timestamptz not null, "user_id" int not null, "status" text check ("status" in ('GOING', 'INTERESTED', 'NOT_GOING')) not null, "seated" boolean not null default false, "arrival" int null, "responded_at" timestamptz not null default now(), "checked_in_at" timestamptz null, constraint rsvps_going_check check ((arrival is not null) = (status = 'GOING') and (seated = false or arrival is not null)));`);
    this.addSql(`create index "rsvps_seats_index" on "rsvps" ("event_id", "occurrence_starts_at", "seated", "arrival");`);
    this.addSql(`alter table "rsvps" add constraint "rsvps_arrival_unique" unique ("event_id", "occurrence_starts_at", "arrival");`);
    this.addSql(`alter table "rsvps" add constraint "rsvps_member_unique" unique ("event_id", "occurrence_starts_at", "user_id");`);

    this.addSql(`alter table "events" add constraint "events_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "events" add constraint "events_organizer_id_foreign" foreign key ("organizer_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "rsvps" add constraint "rsvps_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "rsvps" add constraint "rsvps_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "rsvps" drop constraint "rsvps_event_id_foreign";`);

    this.addSql(`drop table if exists "events" cascade;`);

    this.addSql(`drop table if exists "rsvps" cascade;`);
  }

}
