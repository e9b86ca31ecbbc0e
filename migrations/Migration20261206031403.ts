import { Migration } from '@mikro-orm/migrations';

export class Migration20261206031403 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoints" ("id" serial primary key, "community_id" int not null, "created_by_id" int null, "url" varchar(2000) not null, "event_types" text[] not null, "secret_sealed" text not null, "enabled" boolean not null default true, "failing_since" timestamptz null, "disabled_at" timestamptz null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "webhook_endpoints_enabled_index" on "webhook_endpoints" ("community_id") include ("event_types") where enabled;`);
    this.addSql(`create index "webhook_endpoints_community_index" on "webhook_endpoints" ("community_id", "id");`);

    this.addSql(`create table "webhook_events" ("id" serial primary key, "community_id" int not null, "type" text check ("type" in ('POST_CREATED', 'COMMENT_ADDED', 'MEMBER_JOINED', 'RSVP_CHANGED', 'POLL_CLOSED', 'MODERATION_DECISION')) not null, "subject_id" int not null, "created_at" timestamptz not null default now());`);
    this.addSql(`create index "webhook_events_community_index" on "webhook_events" ("community_id", "id");`);

    this.addSql(`create table "webhook_deliveries" ("id" serial primary key, "endpoint_id" int not null, "event_id" int not null, "redelivery_of_id" int null, "status" text check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "response_status" int null, "latency_ms" int null, "response_excerpt" text null, "error" text null, "created_at" timestamptz not null default now(), "last_attempt_at" timestamptz null, "next_attempt_at" timestamptz null, "delivered_at" timestamptz null);`);
    this.addSql(`create unique index "webhook_deliveries_first_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where redelivery_of_id is null;`);
    this.addSql(`create index "webhook_deliveries_endpoint_index" on "webhook_deliveries" ("endpoint_id", "id");`);

    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_endpoints" add constraint "webhook_endpoints_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "webhook_events" add constraint "webhook_events_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoints" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "webhook_deliveries" add constraint "webhook_deliveries_event_id_foreign" foreign key ("event_id") references "webhook_events" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "notifications" add column "webhook_endpoint_id" int null;`);
    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'WEBHOOK_DISABLED'));`);
    this.addSql(`create unique index "notifications_webhook_unique" on "notifications" ("user_id", "webhook_endpoint_id") where kind = 'WEBHOOK_DISABLED' and read_at is null;`);

    // Webhook events (issue 15, point 5) recorded by triggers in the transaction of the write that causes
    // them, only when the community has an enabled endpoint for the type (an index-only check otherwise):
    // a webhook_events row and its fan-out job, or nothing.
    this.addSql(`create function webhook_events_record() returns trigger language plpgsql as $$
      declare
        kind text := tg_argv[0];
        community int;
        event_id int;
      begin
        -- One branch per table (plpgsql resolves new's fields only in the branch that runs).
        if tg_table_name = 'comments' then
          select p.community_id into community from posts p where p.id = new.post_id;
        elsif tg_table_name = 'rsvps' then
          select e.community_id into community from events e where e.id = new.event_id;
        else
          community := new.community_id;
        end if;
        if exists (select 1 from webhook_endpoints w
                    where w.community_id = community and w.enabled and kind = any(w.event_types)) then
          insert into webhook_events (community_id, type, subject_id, created_at)
          values (community, kind, new.id, now()) returning id into event_id;
          perform graphile_worker.add_job('webhooks.fanout', json_build_object('eventId', event_id), max_attempts => 5);
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger webhook_post_created after insert on "posts"
      for each row execute function webhook_events_record('POST_CREATED');`);
    this.addSql(`create trigger webhook_comment_added after insert on "comments"
      for each row execute function webhook_events_record('COMMENT_ADDED');`);
    this.addSql(`create trigger webhook_member_joined after insert on "members"
      for each row execute function webhook_events_record('MEMBER_JOINED');`);
    this.addSql(`create trigger webhook_rsvp_added after insert on "rsvps"
      for each row execute function webhook_events_record('RSVP_CHANGED');`);
    this.addSql(`create trigger webhook_rsvp_changed after update of status, seated on "rsvps"
      for each row when (old.status is distinct from new.status or old.seated is distinct from new.seated)
      execute function webhook_events_record('RSVP_CHANGED');`);
    this.addSql(`create trigger webhook_poll_closed after update of closed_at on "polls"
      for each row when (old.closed_at is null and new.closed_at is not null)
      execute function webhook_events_record('POLL_CLOSED');`);
    this.addSql(`create trigger webhook_moderation_decision after insert on "moderation_decisions"
      for each row execute function webhook_events_record('MODERATION_DECISION');`);
  }

  override async down(): Promise<void> {
    for (const [trigger, table] of [
      ['webhook_post_created', 'posts'],
      ['webhook_comment_added', 'comments'],
      ['webhook_member_joined', 'members'],
      ['webhook_rsvp_added', 'rsvps'],
      ['webhook_rsvp_changed', 'rsvps'],
      ['webhook_poll_closed', 'polls'],
      ['webhook_moderation_decision', 'moderation_decisions'],
    ]) {
      this.addSql(`drop trigger if exists ${trigger} on "${table}";`);
    }
    this.addSql(`drop function if exists webhook_events_record();`);
    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_endpoint_id_foreign";`);

    this.addSql(`alter table "webhook_deliveries" drop constraint "webhook_deliveries_event_id_foreign";`);

    this.addSql(`drop table if exists "webhook_endpoints" cascade;`);

    this.addSql(`drop table if exists "webhook_events" cascade;`);

    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`drop index "notifications_webhook_unique";`);
    this.addSql(`alter table "notifications" drop column "webhook_endpoint_id";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED'));`);
  }

}
