import { Migration } from '@mikro-orm/migrations';

export class Migration20261201134202 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "reputation_reason" as enum ('POST_UPVOTED', 'POST_DOWNVOTED', 'COMMENT_UPVOTED', 'COMMENT_DOWNVOTED', 'COMMENT_FEATURED', 'EVENT_CHECK_IN', 'POLL_VOTE');`);
    this.addSql(`create type "reputation_subject_type" as enum ('POST', 'COMMENT', 'EVENT', 'POLL');`);
    this.addSql(`create table "reputation_events" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "delta" int not null, "reason" "reputation_reason" not null, "cause" varchar(100) not null, "subject_type" "reputation_subject_type" not null, "subject_id" int not null, "actor_id" int null, "reverses_id" int null, "created_at" timestamptz not null default now());`);
    this.addSql(`create unique index "reputation_events_cause_unique" on "reputation_events" ("cause") where "reverses_id" is null;`);
    this.addSql(`create index "reputation_events_subject_index" on "reputation_events" ("subject_type", "subject_id");`);
    this.addSql(`create index "reputation_events_community_index" on "reputation_events" ("community_id", "created_at");`);
    this.addSql(`create index "reputation_events_member_index" on "reputation_events" ("community_id", "user_id", "created_at");`);
    this.addSql(`alter table "reputation_events" add constraint "reputation_events_reverses_unique" unique ("reverses_id");`);

    this.addSql(`create table "member_badges" ("id" serial primary key, "community_id" int not null, "user_id" int not null, "badge" varchar(40) not null, "awarded_at" timestamptz not null default now());`);
    this.addSql(`alter table "member_badges" add constraint "member_badges_unique" unique ("community_id", "user_id", "badge");`);

    this.addSql(`alter table "reputation_events" add constraint "reputation_events_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reputation_events" add constraint "reputation_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "reputation_events" add constraint "reputation_events_actor_id_foreign" foreign key ("actor_id") references "users" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "reputation_events" add constraint "reputation_events_reverses_id_foreign" foreign key ("reverses_id") references "reputation_events" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "member_badges" add constraint "member_badges_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "member_badges" add constraint "member_badges_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "communities" add column "time_zone" varchar(64) not null default 'UTC', add column "reputation_rules" jsonb null, add column "top_month_awarded" varchar(7) null;`);

    this.addSql(`alter table "members" add column "reputation" int not null default 0;`);

    this.addSql(`alter table "comments" add column "featured_count" int not null default 0;`);
    this.addSql(`create index "comments_author_index" on "comments" ("author_id", "id");`);

    // The ledger is written by these two functions, one round trip each (src/modules/reputation/ledger.ts).
    // Each takes a transaction-scoped advisory lock on (community, user): a member's ledger writes
    // serialize, so the daily cap holds under concurrent votes, and a member who rejoins reads a
    // complete sum (insertMember takes the same lock). Each statement of a VOLATILE plpgsql function
    // takes a fresh snapshot, so once the lock is held every read sees the rows committed before.
    // Hand-written: MikroORM does not generate functions.
    this.addSql(`create or replace function reputation_award(
        p_community int, p_user int, p_delta int, p_reason reputation_reason, p_cause varchar,
        p_subject_type reputation_subject_type, p_subject_id int, p_actor int, p_cap int, p_capped_since timestamptz)
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language plpgsql volatile as $$
      declare
        v_grant int := p_delta;
        v_earned int;
        v_id int;
        v_at timestamptz;
      begin
        perform pg_advisory_xact_lock(p_community, p_user);
        if p_cap is not null and p_delta > 0 then
          -- Points from upvotes already recorded today (reversals included), community time.
          select coalesce(sum(e.delta), 0) into v_earned from reputation_events e
           where e.community_id = p_community and e.user_id = p_user and e.created_at >= p_capped_since
             and e.reason in ('POST_UPVOTED', 'COMMENT_UPVOTED');
          v_grant := least(p_delta, greatest(0, p_cap - v_earned));
        end if;
        if v_grant = 0 then return; end if;
        insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, actor_id, created_at)
        values (p_community, p_user, v_grant, p_reason, p_cause, p_subject_type, p_subject_id, p_actor, now())
        on conflict (cause) where reverses_id is null do nothing
        returning id, created_at into v_id, v_at;
        if v_id is null then return; end if; -- this cause was counted already
        update members set reputation = reputation + v_grant where community_id = p_community and user_id = p_user;
        return query select v_id, p_community, p_user, v_grant, v_at, found;
      end $$;`);
    this.addSql(`create or replace function reputation_reverse(p_cause varchar, p_actor int)
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language plpgsql volatile as $$
      declare
        r reputation_events%rowtype;
        v_id int;
        v_at timestamptz;
      begin
        select * into r from reputation_events where cause = p_cause and reverses_id is null;
        if not found then return; end if;
        perform pg_advisory_xact_lock(r.community_id, r.user_id);
        insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, actor_id, reverses_id, created_at)
        values (r.community_id, r.user_id, -r.delta, r.reason, r.cause, r.subject_type, r.subject_id, p_actor, r.id, now())
        on conflict (reverses_id) do nothing
        returning id, created_at into v_id, v_at;
        if v_id is null then return; end if; -- reversed already
        update members set reputation = reputation - r.delta where community_id = r.community_id and user_id = r.user_id;
        return query select v_id, r.community_id, r.user_id, -r.delta, v_at, found;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists reputation_award(int, int, int, reputation_reason, varchar, reputation_subject_type, int, int, int, timestamptz);`);
    this.addSql(`drop function if exists reputation_reverse(varchar, int);`);
    this.addSql(`alter table "reputation_events" drop constraint "reputation_events_reverses_id_foreign";`);

    this.addSql(`drop table if exists "reputation_events" cascade;`);

    this.addSql(`drop table if exists "member_badges" cascade;`);

    this.addSql(`drop index "comments_author_index";`);
    this.addSql(`alter table "comments" drop column "featured_count";`);

    this.addSql(`alter table "communities" drop column "time_zone", drop column "reputation_rules", drop column "top_month_awarded";`);

    this.addSql(`alter table "members" drop column "reputation";`);

    this.addSql(`drop type "reputation_reason";`);
    this.addSql(`drop type "reputation_subject_type";`);
  }

}
