import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 12, hand-written (MikroORM does not generate functions or data changes):
 * - `reputation_award` takes the reasons counted toward the daily cap as a parameter, so the list
 *   lives in one place (`REASONS` in src/modules/reputation/rules.ts); it used to be written here
 *   too, as upvotes only.
 * - Ballots of anonymous polls no longer earn reputation: their ledger row appeared in the voter's
 *   public history at the moment the poll's counts moved. The rows written before go, and their
 *   points with them (ballots are never reversed, but a reversal row would match and go too).
 *   Leaderboards kept in Redis are a cache of the ledger: `npm run reputation:rebuild` refreshes them.
 */
export class Migration20261204163000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop function if exists reputation_award(int, int, int, reputation_reason, varchar, reputation_subject_type, int, int, int, timestamptz);`);
    // As in Migration20261201134202, with the capped reasons passed in `p_capped_reasons`.
    this.addSql(`create or replace function reputation_award(
        p_community int, p_user int, p_delta int, p_reason reputation_reason, p_cause varchar,
        p_subject_type reputation_subject_type, p_subject_id int, p_actor int, p_cap int, p_capped_since timestamptz,
        p_capped_reasons reputation_reason[])
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
          -- Points from capped reasons already recorded today (reversals included), community time.
          select coalesce(sum(e.delta), 0) into v_earned from reputation_events e
           where e.community_id = p_community and e.user_id = p_user and e.created_at >= p_capped_since
             and e.reason = any(p_capped_reasons);
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
    this.addSql(`with gone as (
        delete from reputation_events e using polls p
         where e.reason = 'POLL_VOTE' and e.subject_type = 'POLL' and p.id = e.subject_id and p.anonymous
        returning e.community_id, e.user_id, e.delta)
      update members m set reputation = m.reputation - g.total
        from (select community_id, user_id, sum(delta)::int as total from gone group by community_id, user_id) g
       where m.community_id = g.community_id and m.user_id = g.user_id;`);
  }

  override async down(): Promise<void> {
    // The removed ballot rows are not restored: they were a leak, and no ballot earns in an anonymous poll.
    this.addSql(`drop function if exists reputation_award(int, int, int, reputation_reason, varchar, reputation_subject_type, int, int, int, timestamptz, reputation_reason[]);`);
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
        if v_id is null then return; end if;
        update members set reputation = reputation + v_grant where community_id = p_community and user_id = p_user;
        return query select v_id, p_community, p_user, v_grant, v_at, found;
      end $$;`);
  }

}
