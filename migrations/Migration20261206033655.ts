import { Migration } from '@mikro-orm/migrations';

export class Migration20261206033655 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "thread_mutes" ("user_id" int not null, "post_id" int not null, "created_at" timestamptz not null default now(), constraint "thread_mutes_pkey" primary key ("user_id", "post_id"));`);

    this.addSql(`alter table "thread_mutes" add constraint "thread_mutes_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "thread_mutes" add constraint "thread_mutes_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add column "event_id" int null, add column "occurrence_starts_at" timestamptz null, add column "lead_minutes" int null, add column "arrival" int null, add column "level" int null;`);
    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED'));`);
    this.addSql(`create unique index "notifications_level_unique" on "notifications" ("user_id", "community_id", "level") where kind = 'LEVEL_REACHED';`);
    this.addSql(`create unique index "notifications_promotion_unique" on "notifications" ("user_id", "event_id", "occurrence_starts_at", "arrival") where kind = 'WAITLIST_PROMOTED';`);
    this.addSql(`create unique index "notifications_reminder_unique" on "notifications" ("user_id", "event_id", "occurrence_starts_at", "lead_minutes") where kind = 'EVENT_REMINDER';`);

    // Reminders and waitlist promotions come from the RSVP rows themselves, whatever wrote them
    // (rsvp_answer, rsvp_fill_seats, updateEvent moving an occurrence, a member leaving), in the
    // writing transaction. A seat taken (or an occurrence moved) schedules the reminders 24 h and 1 h
    // before the occurrence's start, one waiting job per RSVP and lead (job_key: a move replaces it);
    // a reminder whose hour has passed is not scheduled. The job checks, at its hour, that the answer holds.
    this.addSql(`create function rsvps_notify() returns trigger language plpgsql as $$
      declare
        lead int;
        at timestamptz;
      begin
        if tg_op = 'UPDATE' and old.status = 'GOING' and not old.seated and new.status = 'GOING' and new.seated then
          perform graphile_worker.add_job('notifications.waitlistPromoted',
                                          json_build_object('rsvpId', new.id, 'arrival', new.arrival));
        end if;
        if new.status = 'GOING' and new.seated and (tg_op = 'INSERT' or not (old.status = 'GOING' and old.seated)
                                                    or old.occurrence_starts_at <> new.occurrence_starts_at) then
          foreach lead in array array[1440, 60] loop
            at := new.occurrence_starts_at - make_interval(mins => lead);
            if at > now() then
              perform graphile_worker.add_job('notifications.eventReminder',
                json_build_object('rsvpId', new.id, 'lead', lead,
                                  'startsAt', (extract(epoch from new.occurrence_starts_at) * 1000)::float8),
                run_at => at, job_key => 'reminder:' || new.id || ':' || lead, job_key_mode => 'replace');
            end if;
          end loop;
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger rsvps_notify after insert or update on "rsvps" for each row execute function rsvps_notify();`);

    // The level a reputation reaches (as levelOf in reputation/rules.ts): the thresholds a community
    // set, or the default ones (DEFAULT_RULES.levelThresholds; a test checks they agree).
    this.addSql(`create function reputation_level(reputation int, thresholds jsonb) returns int language sql immutable as $$
      select 1 + count(*)::int
        from jsonb_array_elements_text(coalesce(thresholds, '[0, 15, 50, 125, 500, 1000, 3000]'::jsonb)) with ordinality t(v, i)
       where t.i > 1 and reputation >= t.v::int
    $$;`);
    // A write that lifts a member's reputation past a threshold enqueues their LEVEL_REACHED notification.
    this.addSql(`create function members_level_notify() returns trigger language plpgsql as $$
      declare
        thresholds jsonb;
        reached int;
      begin
        select c.reputation_rules -> 'levelThresholds' into thresholds from communities c where c.id = new.community_id;
        reached := reputation_level(new.reputation, thresholds);
        if reached > reputation_level(old.reputation, thresholds) then
          perform graphile_worker.add_job('notifications.level',
            json_build_object('communityId', new.community_id, 'userId', new.user_id, 'level', reached));
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger members_level_notify after update of reputation on "members" for each row
      when (new.reputation > old.reputation) execute function members_level_notify();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists members_level_notify on "members";`);
    this.addSql(`drop function if exists members_level_notify();`);
    this.addSql(`drop function if exists reputation_level(int, jsonb);`);
    this.addSql(`drop trigger if exists rsvps_notify on "rsvps";`);
    this.addSql(`drop function if exists rsvps_notify();`);

    this.addSql(`drop table if exists "thread_mutes" cascade;`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`drop index "notifications_level_unique";`);
    this.addSql(`drop index "notifications_promotion_unique";`);
    this.addSql(`drop index "notifications_reminder_unique";`);
    this.addSql(`alter table "notifications" drop column "event_id", drop column "occurrence_starts_at", drop column "lead_minutes", drop column "arrival", drop column "level";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED'));`);
  }

}
