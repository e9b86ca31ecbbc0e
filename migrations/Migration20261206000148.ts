import { Migration } from '@mikro-orm/migrations';

export class Migration20261206000148 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_subject_type_check";`);

    this.addSql(`alter table "moderation_items" drop constraint if exists "moderation_items_subject_type_check";`);

    this.addSql(`alter table "reports" drop constraint if exists "reports_subject_type_check";`);

    this.addSql(`alter table "moderation_decisions" drop constraint if exists "moderation_decisions_subject_type_check";`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER', 'CHAT_MESSAGE', 'EVENT', 'POLL'));`);

    this.addSql(`alter table "events" add column "hidden_at" timestamptz null;`);

    this.addSql(`alter table "polls" add column "hidden_at" timestamptz null;`);

    this.addSql(`alter table "chat_messages" add column "hidden_at" timestamptz null;`);

    this.addSql(`alter table "moderation_items" add constraint "moderation_items_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER', 'CHAT_MESSAGE', 'EVENT', 'POLL'));`);

    this.addSql(`alter table "reports" add constraint "reports_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER', 'CHAT_MESSAGE', 'EVENT', 'POLL'));`);

    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER', 'CHAT_MESSAGE', 'EVENT', 'POLL'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "moderation_decisions" drop constraint if exists "moderation_decisions_subject_type_check";`);

    this.addSql(`alter table "moderation_items" drop constraint if exists "moderation_items_subject_type_check";`);

    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_subject_type_check";`);

    this.addSql(`alter table "reports" drop constraint if exists "reports_subject_type_check";`);

    this.addSql(`alter table "chat_messages" drop column "hidden_at";`);

    this.addSql(`alter table "events" drop column "hidden_at";`);

    this.addSql(`alter table "moderation_decisions" add constraint "moderation_decisions_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER'));`);

    this.addSql(`alter table "moderation_items" add constraint "moderation_items_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER'));`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER'));`);

    this.addSql(`alter table "polls" drop column "hidden_at";`);

    this.addSql(`alter table "reports" add constraint "reports_subject_type_check" check("subject_type" in ('POST', 'COMMENT', 'MEMBER'));`);
  }

}
