import { Migration } from '@mikro-orm/migrations';

/**
 * Quest badges (issue 18, point 1): a quest may name a badge (`quests.reward_badge`); a member's first
 * completion of it earns a QUEST badge tied to the quest (`member_badges.quest_id`, its title kept in
 * `member_badges.title`), once per member and quest: the badges' unique key takes the quest, nulls
 * not distinct (the other badges have none). `quest_record` (written by hand below) awards it.
 */
export class Migration20261206212621 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "quests" add column "reward_badge" varchar(60) null;`);

    this.addSql(`alter table "member_badges" drop constraint "member_badges_unique";`);

    this.addSql(`alter table "member_badges" add column "quest_id" int null, add column "title" varchar(60) null;`);
    this.addSql(`alter table "member_badges" add constraint "member_badges_quest_id_foreign" foreign key ("quest_id") references "quests" ("id") on update cascade on delete cascade;`);
    this.addSql(`create unique index "member_badges_award_unique" on "member_badges" ("community_id", "user_id", "badge", "quest_id") nulls not distinct;`);

    // Added by hand (MikroORM does not write functions): `quest_record` as in Migration20261206204727,
    // and a completion of a quest naming a badge awards it (once per member and quest; the trigger on
    // member_badges enqueues its BADGE_AWARDED notification).
    this.addSql(`create or replace function quest_record(
        p_community int, p_user int, p_cause varchar, p_goals int[], p_periods timestamptz[])
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language plpgsql volatile as $$
      declare
        v_quest int;
        v_period timestamptz;
        v_points int;
        v_completion int;
        v_badge varchar;
      begin
        perform pg_advisory_xact_lock(p_community, p_user);
        with g as (select * from unnest(p_goals, p_periods) as t(goal_id, period_start)),
        added as (
          insert into quest_contributions (goal_id, user_id, period_start, cause)
          select g.goal_id, p_user, g.period_start, p_cause from g join quest_goals qg on qg.id = g.goal_id
           where not exists (select 1 from quest_completions c
                              where c.quest_id = qg.quest_id and c.user_id = p_user and c.period_start = g.period_start)
          on conflict (cause, goal_id) do nothing
          returning goal_id, period_start)
        insert into quest_progress (quest_id, goal_id, user_id, period_start, count)
        select qg.quest_id, a.goal_id, p_user, a.period_start, 1 from added a join quest_goals qg on qg.id = a.goal_id
        on conflict (goal_id, user_id, period_start) do update set count = quest_progress.count + 1;
        for v_quest, v_period, v_points, v_badge in
          select distinct qg.quest_id, g.period_start, q.reward_points, q.reward_badge
            from unnest(p_goals, p_periods) as g(goal_id, period_start)
            join quest_goals qg on qg.id = g.goal_id join quests q on q.id = qg.quest_id
           where not exists (
             select 1 from quest_goals g2
               left join quest_progress p on p.goal_id = g2.id and p.user_id = p_user and p.period_start = g.period_start
              where g2.quest_id = qg.quest_id and coalesce(p.count, 0) < g2.target)
        loop
          v_completion := null;
          insert into quest_completions (quest_id, user_id, period_start, completed_at)
          values (v_quest, p_user, v_period, now())
          on conflict (quest_id, user_id, period_start) do nothing
          returning id into v_completion;
          continue when v_completion is null;
          perform graphile_worker.add_job('notifications.quest', json_build_object('questCompletionId', v_completion));
          if v_badge is not null then
            insert into member_badges (community_id, user_id, badge, quest_id, title, awarded_at)
            values (p_community, p_user, 'QUEST', v_quest, v_badge, now())
            on conflict (community_id, user_id, badge, quest_id) do nothing;
          end if;
          if v_points > 0 then
            return query select * from reputation_award(p_community, p_user, v_points, 'QUEST_COMPLETED'::reputation_reason,
              ('quest:' || v_completion)::varchar, 'QUEST'::reputation_subject_type, v_quest, null::int, null::int,
              null::timestamptz, '{}'::reputation_reason[]);
          end if;
        end loop;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from member_badges where quest_id is not null;`);
    this.addSql(`alter table "member_badges" drop constraint "member_badges_quest_id_foreign";`);

    this.addSql(`drop index "member_badges_award_unique";`);
    this.addSql(`alter table "member_badges" drop column "quest_id", drop column "title";`);

    this.addSql(`alter table "member_badges" add constraint "member_badges_unique" unique ("community_id", "user_id", "badge");`);

    // `quest_record` as Migration20261206204727 wrote it (without the badge).
    this.addSql(`create or replace function quest_record(
        p_community int, p_user int, p_cause varchar, p_goals int[], p_periods timestamptz[])
      returns table (o_id int, o_community int, o_user int, o_delta int, o_at timestamptz, o_member boolean)
      language plpgsql volatile as $$
      declare
        v_quest int;
        v_period timestamptz;
        v_points int;
        v_completion int;
      begin
        perform pg_advisory_xact_lock(p_community, p_user);
        with g as (select * from unnest(p_goals, p_periods) as t(goal_id, period_start)),
        added as (
          insert into quest_contributions (goal_id, user_id, period_start, cause)
          select g.goal_id, p_user, g.period_start, p_cause from g join quest_goals qg on qg.id = g.goal_id
           where not exists (select 1 from quest_completions c
                              where c.quest_id = qg.quest_id and c.user_id = p_user and c.period_start = g.period_start)
          on conflict (cause, goal_id) do nothing
          returning goal_id, period_start)
        insert into quest_progress (quest_id, goal_id, user_id, period_start, count)
        select qg.quest_id, a.goal_id, p_user, a.period_start, 1 from added a join quest_goals qg on qg.id = a.goal_id
        on conflict (goal_id, user_id, period_start) do update set count = quest_progress.count + 1;
        for v_quest, v_period, v_points in
          select distinct qg.quest_id, g.period_start, q.reward_points
            from unnest(p_goals, p_periods) as g(goal_id, period_start)
            join quest_goals qg on qg.id = g.goal_id join quests q on q.id = qg.quest_id
           where not exists (
             select 1 from quest_goals g2
               left join quest_progress p on p.goal_id = g2.id and p.user_id = p_user and p.period_start = g.period_start
              where g2.quest_id = qg.quest_id and coalesce(p.count, 0) < g2.target)
        loop
          v_completion := null;
          insert into quest_completions (quest_id, user_id, period_start, completed_at)
          values (v_quest, p_user, v_period, now())
          on conflict (quest_id, user_id, period_start) do nothing
          returning id into v_completion;
          continue when v_completion is null;
          perform graphile_worker.add_job('notifications.quest', json_build_object('questCompletionId', v_completion));
          if v_points > 0 then
            return query select * from reputation_award(p_community, p_user, v_points, 'QUEST_COMPLETED'::reputation_reason,
              ('quest:' || v_completion)::varchar, 'QUEST'::reputation_subject_type, v_quest, null::int, null::int,
              null::timestamptz, '{}'::reputation_reason[]);
          end if;
        end loop;
      end $$;`);
    this.addSql(`alter table "quests" drop column "reward_badge";`);
  }

}
