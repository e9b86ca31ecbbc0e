import { Migration } from '@mikro-orm/migrations';

export class Migration20261205212748 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "moderation_appeals" ("id" serial primary key, "decision_id" int not null, "community_id" int not null, "appellant_id" int not null, "decision_moderator_id" int not null, "text" text not null, "status" text check ("status" in ('PENDING', 'UPHELD', 'REVERSED')) not null default 'PENDING', "decided_by_id" int null, "statement" text not null default '', "created_at" timestamptz not null default now(), "decided_at" timestamptz null, constraint moderation_appeals_other_moderator_check check (decided_by_id is null or decided_by_id <> decision_moderator_id));`);
    this.addSql(`create index "moderation_appeals_community_index" on "moderation_appeals" ("community_id", "status", "id");`);
    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_decision_unique" unique ("decision_id");`);

    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_decision_id_foreign" foreign key ("decision_id") references "moderation_decisions" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_appellant_id_foreign" foreign key ("appellant_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_decision_moderator_id_foreign" foreign key ("decision_moderator_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "moderation_appeals" add constraint "moderation_appeals_decided_by_id_foreign" foreign key ("decided_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_action_check";`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_action_check" check("action" in ('SUBJECT_AUTO_HIDDEN', 'DECISION', 'RULE_CREATED', 'RULE_UPDATED', 'RULE_DELETED', 'ROLE_CHANGED', 'MEMBER_BANNED', 'MEMBER_UNBANNED', 'POST_DELETED', 'COMMENT_DELETED', 'THRESHOLD_CHANGED', 'APPEAL_DECIDED'));`);

    // The appeal's copy of its decision's moderator is set from the decision, whatever the writer
    // sends: the CHECK above then refuses any appeal decided by the moderator who decided.
    this.addSql(`create function moderation_appeals_decision_moderator() returns trigger language plpgsql as $$
      begin
        select moderator_id into new.decision_moderator_id from moderation_decisions where id = new.decision_id;
        return new;
      end $$;`);
    this.addSql(`create trigger moderation_appeals_decision_moderator before insert or update on "moderation_appeals"
      for each row execute function moderation_appeals_decision_moderator();`);

    // A cause's rows form a chain: its award, the reversal of the award, the restoration of that
    // reversal (an appeal that reverses a removal), and so on, each row reversing the one before.
    // The award is in force when the chain's length is odd. reputation_reverse reverses the chain's
    // last row when the award is in force; reputation_restore reverses it when it is not.
    this.addSql(`create or replace function reputation_chain_step(p_cause varchar, p_actor int, p_restore boolean)
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language plpgsql volatile as $$
      declare
        r reputation_events%rowtype;
        last_id int;
        next_id int;
        n int := 1;
        v_delta int;
        v_id int;
        v_at timestamptz;
      begin
        select * into r from reputation_events where cause = p_cause and reverses_id is null;
        if not found then return; end if;
        perform pg_advisory_xact_lock(r.community_id, r.user_id);
        last_id := r.id;
        loop
          select id into next_id from reputation_events where reverses_id = last_id;
          exit when not found;
          last_id := next_id;
          n := n + 1;
        end loop;
        if (n % 2 = 1) = p_restore then return; end if; -- in force and restoring, or reversed and reversing
        v_delta := case when p_restore then r.delta else -r.delta end;
        insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, actor_id, reverses_id, created_at)
        values (r.community_id, r.user_id, v_delta, r.reason, r.cause, r.subject_type, r.subject_id, p_actor, last_id, now())
        on conflict (reverses_id) do nothing
        returning id, created_at into v_id, v_at;
        if v_id is null then return; end if; -- another transaction took this step
        update members set reputation = reputation + v_delta where community_id = r.community_id and user_id = r.user_id;
        return query select v_id, r.community_id, r.user_id, v_delta, v_at, found;
      end $$;`);
    this.addSql(`create or replace function reputation_reverse(p_cause varchar, p_actor int)
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language sql volatile as $$ select * from reputation_chain_step(p_cause, p_actor, false) $$;`);
    this.addSql(`create or replace function reputation_restore(p_cause varchar, p_actor int)
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language sql volatile as $$ select * from reputation_chain_step(p_cause, p_actor, true) $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists reputation_restore(varchar, int);`);
    this.addSql(`drop trigger if exists moderation_appeals_decision_moderator on "moderation_appeals";`);
    this.addSql(`drop function if exists moderation_appeals_decision_moderator();`);
    this.addSql(`drop table if exists "moderation_appeals" cascade;`);

    this.addSql(`alter table "moderation_log" drop constraint if exists "moderation_log_action_check";`);

    this.addSql(`alter table "moderation_log" add constraint "moderation_log_action_check" check("action" in ('SUBJECT_AUTO_HIDDEN', 'DECISION', 'RULE_CREATED', 'RULE_UPDATED', 'RULE_DELETED', 'ROLE_CHANGED', 'MEMBER_BANNED', 'MEMBER_UNBANNED', 'POST_DELETED', 'COMMENT_DELETED', 'THRESHOLD_CHANGED'));`);
  }

}
