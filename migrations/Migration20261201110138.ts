import { Migration } from '@mikro-orm/migrations';

export class Migration20261201110138 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "polls" ("id" serial primary key, "community_id" int not null, "created_by_id" int not null, "post_id" int null, "event_id" int null, "question" varchar(300) not null, "kind" text check ("kind" in ('SINGLE', 'MULTIPLE', 'RANKED')) not null, "max_choices" int null, "anonymous" boolean not null default false, "hide_results_until_closed" boolean not null default false, "closes_at" timestamptz null, "closed_at" timestamptz null, "close_announced_at" timestamptz null, "total_voters" int not null default 0, "created_at" timestamptz not null default now(), constraint polls_max_choices_check check (max_choices is null or (kind = 'MULTIPLE' and max_choices >= 1)), constraint polls_total_voters_check check (total_voters >= 0));`);
    this.addSql(`create index "polls_closing_index" on "polls" ("closes_at") where "close_announced_at" is null and "closes_at" is not null;`);
    this.addSql(`create index "polls_community_index" on "polls" ("community_id", "id");`);
    this.addSql(`create index "polls_event_index" on "polls" ("event_id", "id");`);
    this.addSql(`create index "polls_post_index" on "polls" ("post_id", "id");`);

    this.addSql(`create table "poll_options" ("id" serial primary key, "poll_id" int not null, "position" int not null, "text" varchar(200) not null, "votes" int not null default 0, constraint poll_options_votes_check check (votes >= 0));`);
    this.addSql(`alter table "poll_options" add constraint "poll_options_position_unique" unique ("poll_id", "position");`);

    this.addSql(`create table "ballots" ("id" serial primary key, "poll_id" int not null, "user_id" int not null, "cast_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`);
    this.addSql(`alter table "ballots" add constraint "ballots_member_unique" unique ("poll_id", "user_id");`);

    this.addSql(`create table "ballot_choices" ("id" serial primary key, "ballot_id" int not null, "option_id" int not null, "rank" int not null, constraint ballot_choices_rank_check check (rank >= 0));`);
    this.addSql(`create index "ballot_choices_voters_index" on "ballot_choices" ("option_id", "ballot_id");`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_rank_unique" unique ("ballot_id", "rank");`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_option_unique" unique ("ballot_id", "option_id");`);

    this.addSql(`alter table "polls" add constraint "polls_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "polls" add constraint "polls_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "polls" add constraint "polls_post_id_foreign" foreign key ("post_id") references "posts" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "polls" add constraint "polls_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "poll_options" add constraint "poll_options_poll_id_foreign" foreign key ("poll_id") references "polls" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ballots" add constraint "ballots_poll_id_foreign" foreign key ("poll_id") references "polls" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ballots" add constraint "ballots_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_ballot_id_foreign" foreign key ("ballot_id") references "ballots" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "ballot_choices" add constraint "ballot_choices_option_id_foreign" foreign key ("option_id") references "poll_options" ("id") on update cascade on delete cascade;`);

    // castVote writes a ballot with this function, in one round trip (src/modules/polls/polls.service.ts):
    // the poll's row lock, which serializes the poll's ballots, is held only inside PostgreSQL. Each
    // statement of a VOLATILE plpgsql function takes a fresh snapshot, so once the lock is held every
    // read sees the ballots committed before. Hand-written: MikroORM does not generate functions.
    this.addSql(`create or replace function cast_ballot(p_poll int, p_user int, p_options int[])
  returns table (result text, voters int) language plpgsql volatile as $fn$
declare
  v_kind text;
  v_closed boolean;
  v_ballot int;
  v_before int[] := '{}';
begin
  select p.kind, (p.closed_at is not null or (p.closes_at is not null and p.closes_at <= now()))
    into v_kind, v_closed from polls p where p.id = p_poll for no key update;
  if not found then
    return query select 'not_found'::text, 0;
    return;
  end if;
  if v_closed then
    return query select 'closed'::text, 0;
    return;
  end if;
  if cardinality(p_options) = 0
     or (select count(*) from poll_options o where o.poll_id = p_poll and o.id = any(p_options)) <> cardinality(p_options) then
    return query select 'bad_option'::text, 0;
    return;
  end if;
  select b.id into v_ballot from ballots b where b.poll_id = p_poll and b.user_id = p_user;
  if v_ballot is null then
    insert into ballots (poll_id, user_id, cast_at, updated_at) values (p_poll, p_user, now(), now()) returning id into v_ballot;
    update polls p set total_voters = p.total_voters + 1 where p.id = p_poll;
  else
    select coalesce(array_agg(c.option_id order by c.rank), '{}') into v_before from ballot_choices c where c.ballot_id = v_ballot;
    if v_before = p_options then
      return query select 'unchanged'::text, (select p.total_voters from polls p where p.id = p_poll);
      return;
    end if;
    delete from ballot_choices c where c.ballot_id = v_ballot;
    update ballots b set updated_at = now() where b.id = v_ballot;
  end if;
  insert into ballot_choices (ballot_id, option_id, rank)
    select v_ballot, x.option_id, (x.n - 1)::int from unnest(p_options) with ordinality as x(option_id, n);
  -- A RANKED ballot counts for its first choice only.
  update poll_options o set votes = o.votes + d.delta
    from (
      select m.id, sum(m.delta)::int as delta from (
        select unnest(case when v_kind = 'RANKED' then p_options[1:1] else p_options end) as id, 1 as delta
        union all
        select unnest(case when v_kind = 'RANKED' then v_before[1:1] else v_before end), -1
      ) m group by m.id having sum(m.delta) <> 0
    ) d
   where o.id = d.id and o.poll_id = p_poll;
  return query select 'cast'::text, (select p.total_voters from polls p where p.id = p_poll);
end
$fn$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists cast_ballot(int, int, int[]);`);

    this.addSql(`alter table "poll_options" drop constraint "poll_options_poll_id_foreign";`);

    this.addSql(`alter table "ballots" drop constraint "ballots_poll_id_foreign";`);

    this.addSql(`alter table "ballot_choices" drop constraint "ballot_choices_option_id_foreign";`);

    this.addSql(`alter table "ballot_choices" drop constraint "ballot_choices_ballot_id_foreign";`);

    this.addSql(`drop table if exists "polls" cascade;`);

    this.addSql(`drop table if exists "poll_options" cascade;`);

    this.addSql(`drop table if exists "ballots" cascade;`);

    this.addSql(`drop table if exists "ballot_choices" cascade;`);
  }

}
