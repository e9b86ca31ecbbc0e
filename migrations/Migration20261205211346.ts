import { Migration } from '@mikro-orm/migrations';

export class Migration20261205211346 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "community_rules" ("id" serial primary key, "community_id" int not null, "position" int not null, "title" varchar(100) not null, "description" text not null default '', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "archived_at" timestamptz null);`);
    this.addSql(`create index "community_rules_community_position_index" on "community_rules" ("community_id", "position", "id");`);

    this.addSql(`create table "moderation_log" ("id" serial primary key, "community_id" int not null, "actor_id" int null, "action" text check ("action" in ('SUBJECT_AUTO_HIDDEN', 'DECISION', 'RULE_CREATED', 'RULE_UPDATED', 'RULE_DELETED', 'ROLE_CHANGED', 'MEMBER_BANNED', 'MEMBER_UNBANNED', 'POST_DELETED', 'COMMENT_DELETED', 'THRESHOLD_CHANGED')) not null, "subject_type" text check ("subject_type" in ('POST', 'COMMENT', 'MEMBER')) null, "subject_id" int null, "rule_id" int null, "statement" text not null default '', "details" jsonb null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "moderation_log_community_index" on "moderation_log" ("community_id", "id");`);

    this.addSql(`create table "moderation_items" ("id" serial primary key, "community_id" int not null, "subject_type" text check ("subject_type" in ('POST', 'COMMENT', 'MEMBER')) not null, "subject_id" int not null, "subject_user_id" int not null, "status" text check ("status" in ('OPEN', 'DECIDED')) not null default 'OPEN', "open_weight" int not null default 0, "report_count" int not null default 0, "hidden_by_reports" boolean not null default false, "snapshot" jsonb not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "decided_at" timestamptz null, constraint moderation_items_weight_check check (open_weight >= 0));`);
    this.addSql(`create index "moderation_items_queue_index" on "moderation_items" ("community_id", "status", "id");`);
    this.addSql(`create unique index "moderation_items_open_subject_unique" on "moderation_items" ("community_id", "subject_type", "subject_id") where status = 'OPEN';`);

    this.addSql(`create table "reports" ("id" serial primary key, "item_id" int not null, "community_id" int not null, "reporter_id" int not null, "subject_type" text check ("subject_type" in ('POST', 'COMMENT', 'MEMBER')) not null, "subject_id" int not null, "reason" text check ("reason" in ('SPAM', 'HARASSMENT', 'OFF_TOPIC', 'ILLEGAL', 'OTHER')) not null, "note" varchar(1000) not null default '', "weight" smallint not null, "status" text check ("status" in ('OPEN', 'UPHELD', 'DISMISSED')) not null default 'OPEN', "snapshot" jsonb not null, "created_at" timestamptz not null default now(), "closed_at" timestamptz null, constraint reports_weight_check check (weight > 0));`);
    this.addSql(`create index "reports_reporter_index" on "reports" ("reporter_id", "id");`);
    this.addSql(`create index "reports_item_index" on "reports" ("item_id", "id");`);
    this.addSql(`create unique index "reports_open_reporter_subject_unique" on "reports" ("reporter_id", "community_id", "subject_type", "subject_id") where status = 'OPEN';`);

    this.addSql(`create table "moderation_decisions" ("id" serial primary key, "item_id" int not null, "community_id" int not null, "moderator_id" int not null, "action" text check ("action" in ('DISMISS', 'HIDE', 'REMOVE', 'WARN', 'MUTE', 'BAN')) not null, "rule_id" int null, "statement" text not null default '', "duration_seconds" int null, "ends_at" timestamptz null, "subject_type" text check ("subject_type" in ('POST', 'COMMENT', 'MEMBER')) not null, "subject_id" int not null, "affected_user_id" int not null, "before" jsonb null, "created_at" timestamptz not null default now(), "reversed_at" timestamptz null, constraint moderation_decisions_rule_check check (action = 'DISMISS' or (rule_id is not null and length(statement) > 0)));`);
    this.addSql(`create index "moderation_decisions_affected_index" on "moderation_decisions" ("affected_user_id", "id");`);
    this.addSql(`create index "moderation_decisions_community_index" on "moderation_decisions" ("community_id", "id");`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_id_moderator_unique" unique ("id", "moderator_id");`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_item_unique" unique ("item_id");`);

    this.addSql(`create table "community_mutes" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "muted_by_id" int not null, "decision_id" int null, "until" timestamptz not null, "created_at" timestamptz not null default now());`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_community_id_user_id_unique" unique ("community_id", "user_id");`);

    this.addSql(`alter table "community_rules" add constraint "community_rules_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "moderation_items" add constraint "moderation_items_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_items" add constraint "moderation_items_subject_user_id_foreign" foreign key ("subject_user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "reports" add constraint "reports_item_id_foreign" foreign key ("item_id") references "moderation_items" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reports" add constraint "reports_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reports" add constraint "reports_reporter_id_foreign" foreign key ("reporter_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_item_id_foreign" foreign key ("item_id") references "moderation_items" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_moderator_id_foreign" foreign key ("moderator_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_rule_id_foreign" foreign key ("rule_id") references "community_rules" ("id") on update cascade on delete restrict;`);
    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_affected_user_id_foreign" foreign key ("affected_user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "community_mutes" add constraint "community_mutes_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_muted_by_id_foreign" foreign key ("muted_by_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_decision_id_foreign" foreign key ("decision_id") references "moderation_decisions" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "communities" add column "report_threshold" int not null default 6;`);
    this.addSql(`alter table "communities" add constraint communities_report_threshold_check check(report_threshold > 0);`);

    this.addSql(`alter table "posts" add column "hidden_at" timestamptz null;`);

    this.addSql(`alter table "comments" add column "hidden_at" timestamptz null;`);

    // The moderation log is append-only: no role the application connects as may change or remove a row.
    this.addSql(`create function moderation_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'moderation_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
      end $$;`);
    this.addSql(`create trigger moderation_log_no_update before update or delete on "moderation_log"
      for each row execute function moderation_log_append_only();`);
    this.addSql(`create trigger moderation_log_no_truncate before truncate on "moderation_log"
      for each statement execute function moderation_log_append_only();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists moderation_log_no_truncate on "moderation_log";`);
    this.addSql(`drop trigger if exists moderation_log_no_update on "moderation_log";`);
    this.addSql(`drop function if exists moderation_log_append_only();`);
    this.addSql(`alter table "moderation_decisions" drop constraint "moderation_decisions_rule_id_foreign";`);

    this.addSql(`alter table "reports" drop constraint "reports_item_id_foreign";`);

    this.addSql(`alter table "moderation_decisions" drop constraint "moderation_decisions_item_id_foreign";`);

    this.addSql(`alter table "community_mutes" drop constraint "community_mutes_decision_id_foreign";`);

    this.addSql(`drop table if exists "community_rules" cascade;`);

    this.addSql(`drop table if exists "moderation_log" cascade;`);

    this.addSql(`drop table if exists "moderation_items" cascade;`);

    this.addSql(`drop table if exists "reports" cascade;`);

    this.addSql(`drop table if exists "moderation_decisions" cascade;`);

    this.addSql(`drop table if exists "community_mutes" cascade;`);

    this.addSql(`alter table "comments" drop column "hidden_at";`);

    this.addSql(`alter table "communities" drop constraint communities_report_threshold_check;`);
    this.addSql(`alter table "communities" drop column "report_threshold";`);

    this.addSql(`alter table "posts" drop column "hidden_at";`);
  }

}
