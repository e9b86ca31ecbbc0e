import { Migration } from '@mikro-orm/migrations';

export class Migration20261205220233 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "automod_rules" ("id" serial primary key, "community_id" int not null, "position" int not null, "name" varchar(100) not null, "conditions" jsonb not null, "action" text check ("action" in ('BLOCK', 'HOLD', 'REPORT', 'MUTE')) not null, "duration_seconds" int null, "enabled" boolean not null default false, "rule_id" int null, "created_by_id" int not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`create index "automod_rules_community_index" on "automod_rules" ("community_id", "position", "id");`);

    this.addSql(`alter table "automod_rules" add constraint "automod_rules_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "automod_rules" add constraint "automod_rules_rule_id_foreign" foreign key ("rule_id") references "community_rules" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "automod_rules" add constraint "automod_rules_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_action_check";`);

    this.addSql(`alter table "community_mutes" drop constraint "community_mutes_muted_by_id_foreign";`);

    this.addSql(`alter table "communities" add column "auto_mod_version" int not null default 0;`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_action_check" check("action" in ('SUBJECT_AUTO_HIDDEN', 'DECISION', 'RULE_CREATED', 'RULE_UPDATED', 'RULE_DELETED', 'ROLE_CHANGED', 'MEMBER_BANNED', 'MEMBER_UNBANNED', 'POST_DELETED', 'COMMENT_DELETED', 'THRESHOLD_CHANGED', 'APPEAL_DECIDED', 'AUTOMOD_MATCH', 'AUTOMOD_RULE_CHANGED'));`);

    this.addSql(`create index "posts_author_created_index" on "posts" ("author_id", "created_at");`);

    this.addSql(`create index "comments_author_created_index" on "comments" ("author_id", "created_at");`);

    this.addSql(`alter table "moderation_items" add column "auto_mod_rule_id" int null, add column "auto_mod_reasons" jsonb null;`);
    this.addSql(`alter table "moderation_items" add constraint "moderation_items_auto_mod_rule_id_foreign" foreign key ("auto_mod_rule_id") references "automod_rules" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "community_mutes" alter column "muted_by_id" type int using ("muted_by_id"::int);`);
    this.addSql(`alter table "community_mutes" alter column "muted_by_id" drop not null;`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_muted_by_id_foreign" foreign key ("muted_by_id") references "users" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "moderation_items" drop constraint "moderation_items_auto_mod_rule_id_foreign";`);

    this.addSql(`drop table if exists "automod_rules" cascade;`);

    this.addSql(`alter table "community_mutes" drop constraint "community_mutes_muted_by_id_foreign";`);

    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_action_check";`);

    this.addSql(`drop index "comments_author_created_index";`);

    this.addSql(`alter table "communities" drop column "auto_mod_version";`);

    this.addSql(`alter table "community_mutes" alter column "muted_by_id" type int4 using ("muted_by_id"::int4);`);
    this.addSql(`alter table "community_mutes" alter column "muted_by_id" set not null;`);
    this.addSql(`alter table "community_mutes" add constraint "community_mutes_muted_by_id_foreign" foreign key ("muted_by_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "moderation_items" drop column "auto_mod_rule_id", drop column "auto_mod_reasons";`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_action_check" check("action" in ('SUBJECT_AUTO_HIDDEN', 'DECISION', 'RULE_CREATED', 'RULE_UPDATED', 'RULE_DELETED', 'ROLE_CHANGED', 'MEMBER_BANNED', 'MEMBER_UNBANNED', 'POST_DELETED', 'COMMENT_DELETED', 'THRESHOLD_CHANGED', 'APPEAL_DECIDED'));`);

    this.addSql(`drop index "posts_author_created_index";`);
  }

}
