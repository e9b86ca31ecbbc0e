import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 13, hand-written (MikroORM does not generate functions): an RSVP in one statement.
 * - `rsvp_fill_seats` gives the free seats of one occurrence to its waitlist, first arrived first
 *   (what `fillSeats` in src/modules/events/rsvps.service.ts ran as its own statement).
 * - `rsvp_answer` is the whole of `rsvp`'s transaction: it locks the event's row, reads the
 *   member's answer, takes a seat or a place on the waitlist, writes the answer and, when a seat
 *   was given up, fills it. Each statement inside takes its own snapshot after the lock (READ
 *   COMMITTED), so the seats it counts are those committed by the answers served before it. It
 *   returns the member's row, or nothing when the event is cancelled or gone.
 */
export class Migration20261205021500 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function rsvp_fill_seats(p_event int, p_capacity int, p_at timestamptz)
      returns void language plpgsql volatile as $$
      begin
        update rsvps set seated = true
         where id in (
           select r.id from rsvps r
            where r.event_id = p_event and r.occurrence_starts_at = p_at and r.arrival is not null and not r.seated
            order by r.arrival
            limit greatest(coalesce(p_capacity - (select count(*) from rsvps s
                                                   where s.event_id = p_event and s.occurrence_starts_at = p_at and s.seated), 1000000), 0));
      end $$;`);
    this.addSql(`create or replace function rsvp_answer(p_event int, p_at timestamptz, p_user int, p_status text)
      returns setof rsvps language plpgsql volatile rows 1 as $$
      declare
        v_capacity int;
        v_cancelled boolean;
        v_mine rsvps%rowtype;
        v_seated boolean := false;
        v_arrival int;
        v_taken int;
        v_last int;
        v_id int;
      begin
        select e.capacity, e.cancelled_at is not null into v_capacity, v_cancelled from events e where e.id = p_event for update;
        if not found or v_cancelled then return; end if;
        select * into v_mine from rsvps r where r.event_id = p_event and r.occurrence_starts_at = p_at and r.user_id = p_user;
        if found and v_mine.status = p_status then
          return query select * from rsvps r where r.id = v_mine.id;
          return;
        end if;
        if p_status = 'GOING' then
          select count(*) filter (where r.seated)::int, coalesce(max(r.arrival), 0)::int into v_taken, v_last
            from rsvps r where r.event_id = p_event and r.occurrence_starts_at = p_at;
          v_seated := v_capacity is null or v_taken < v_capacity;
          v_arrival := v_last + 1;
        end if;
        insert into rsvps (event_id, occurrence_starts_at, user_id, status, seated, arrival, responded_at)
        values (p_event, p_at, p_user, p_status, v_seated, v_arrival, now())
        on conflict (event_id, occurrence_starts_at, user_id)
        do update set status = excluded.status, seated = excluded.seated, arrival = excluded.arrival, responded_at = now()
        returning id into v_id;
        if v_mine.seated then perform rsvp_fill_seats(p_event, v_capacity, p_at); end if;
        return query select * from rsvps r where r.id = v_id;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists rsvp_answer(int, timestamptz, int, text);`);
    this.addSql(`drop function if exists rsvp_fill_seats(int, int, timestamptz);`);
  }
}
