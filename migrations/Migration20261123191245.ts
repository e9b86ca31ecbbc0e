import { Migration } from '@mikro-orm/migrations';

export class Migration20261123191245 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "chat_mutes" ("id" serial primary key, "event_id" int not null, "user_id" int not null, "muted_by_id" int not null, "until" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "chat_mutes" add constraint "chat_mutes_member_unique" unique ("event_id", "user_id");`);

    this.addSql(`create table "chat_messages" ("id" serial primary key, "event_id" int not null, "author_id" int not null, "body" varchar(1000) not null, "is_question" boolean not null default false, "upvotes" int not null default 0, "answered_at" timestamptz null, "deleted_at" timestamptz null, "created_at" timestamptz not null default now(), constraint chat_messages_upvotes_check check (upvotes >= 0));`);
    this.addSql(`create index "chat_messages_questions_index" on "chat_messages" ("event_id", "is_question", "upvotes", "id");`);
    this.addSql(`create index "chat_messages_event_index" on "chat_messages" ("event_id", "id");`);

    this.addSql(`create table "question_upvotes" ("id" serial primary key, "message_id" int not null, "user_id" int not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "question_upvotes" add constraint "question_upvotes_member_unique" unique ("message_id", "user_id");`);

    this.addSql(`alter table "chat_mutes" add constraint "chat_mutes_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chat_mutes" add constraint "chat_mutes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chat_mutes" add constraint "chat_mutes_muted_by_id_foreign" foreign key ("muted_by_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "chat_messages" add constraint "chat_messages_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "chat_messages" add constraint "chat_messages_author_id_foreign" foreign key ("author_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "question_upvotes" add constraint "question_upvotes_message_id_foreign" foreign key ("message_id") references "chat_messages" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "question_upvotes" add constraint "question_upvotes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "events" add column "live_started_at" timestamptz null, add column "live_ended_at" timestamptz null, add column "slow_mode_seconds" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "question_upvotes" drop constraint "question_upvotes_message_id_foreign";`);

    this.addSql(`drop table if exists "chat_mutes" cascade;`);

    this.addSql(`drop table if exists "chat_messages" cascade;`);

    this.addSql(`drop table if exists "question_upvotes" cascade;`);

    this.addSql(`alter table "events" drop column "live_started_at", drop column "live_ended_at", drop column "slow_mode_seconds";`);
  }

}
