import { Migration } from '@mikro-orm/migrations';

export class Migration20261206011624 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add column "member_badge_id" int null;`);
    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED'));`);
    this.addSql(`create unique index "notifications_badge_unique" on "notifications" ("user_id", "member_badge_id") where kind = 'BADGE_AWARDED';`);

    // A badge awarded (whatever awards it) enqueues its member's notification in the awarding transaction.
    this.addSql(`create function member_badges_notify() returns trigger language plpgsql as $$
      begin
        perform graphile_worker.add_job('notifications.badge', json_build_object('memberBadgeId', new.id));
        return null;
      end $$;`);
    this.addSql(`create trigger member_badges_notify after insert on "member_badges"
      for each row execute function member_badges_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists member_badges_notify on "member_badges";`);
    this.addSql(`drop function if exists member_badges_notify();`);
    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`drop index "notifications_badge_unique";`);
    this.addSql(`alter table "notifications" drop column "member_badge_id";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED'));`);
  }

}
