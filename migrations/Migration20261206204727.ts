import { Migration } from '@mikro-orm/migrations';

/**
 * Quests (issue 18, point 1): quests, their goals, members' progress, contributions (what counted,
 * once per cause and goal) and completions (once per quest, member and period start); the
 * QUEST_COMPLETED ledger reason and notification kind; `communities.quest_version`; and the hot-path
 * functions `quest_record` and `quest_unrecord` (written by hand below).
 */
export class Migration20261206204727 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "quest_period" as enum ('ONE_OFF', 'DAILY', 'WEEKLY', 'MONTHLY');`);
    this.addSql(`create type "quest_action" as enum ('POST', 'COMMENT', 'UPVOTE_RECEIVED', 'RSVP_CHECKED_IN', 'POLL_BALLOT', 'CHAT_MESSAGE');`);
    this.addSql(`create table "quests" ("id" serial primary key, "community_id" int not null, "title" varchar(120) not null, "description" text not null, "period" "quest_period" not null, "starts_at" timestamptz not null, "ends_at" timestamptz null, "reward_points" int not null, "archived_at" timestamptz null, "created_by_id" int null, "created_at" timestamptz not null default now(), constraint quests_reward_check check (reward_points >= 0));`);
    this.addSql(`create index "quests_community_index" on "quests" ("community_id", "id");`);

    this.addSql(`create table "quest_completions" ("id" serial primary key, "quest_id" int not null, "user_id" int not null, "period_start" timestamptz not null, "completed_at" timestamptz not null default now(), "revoked_at" timestamptz null, "revoked_by_id" int null);`);
    this.addSql(`alter table "quest_completions" add constraint "quest_completions_unique" unique ("quest_id", "user_id", "period_start");`);

    this.addSql(`create table "quest_goals" ("id" serial primary key, "quest_id" int not null, "action" "quest_action" not null, "target" int not null, "tag" varchar(40) null, "event_id" int null, constraint quest_goals_target_check check (target >= 1));`);
    this.addSql(`create index "quest_goals_quest_index" on "quest_goals" ("quest_id", "id");`);

    this.addSql(`create table "quest_progress" ("id" serial primary key, "quest_id" int not null, "goal_id" int not null, "user_id" int not null, "period_start" timestamptz not null, "count" int not null default 0, constraint quest_progress_count_check check (count >= 0));`);
    this.addSql(`create index "quest_progress_member_index" on "quest_progress" ("quest_id", "user_id", "period_start");`);
    this.addSql(`alter table "quest_progress" add constraint "quest_progress_unique" unique ("goal_id", "user_id", "period_start");`);

    this.addSql(`create table "quest_contributions" ("id" serial primary key, "goal_id" int not null, "user_id" int not null, "period_start" timestamptz not null, "cause" varchar(100) not null);`);
    this.addSql(`alter table "quest_contributions" add constraint "quest_contributions_unique" unique ("cause", "goal_id");`);

    this.addSql(`alter table "quests" add constraint "quests_community_id_foreign" foreign key ("community_id") references "communities" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quests" add constraint "quests_created_by_id_foreign" foreign key ("created_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "quest_completions" add constraint "quest_completions_quest_id_foreign" foreign key ("quest_id") references "quests" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_completions" add constraint "quest_completions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_completions" add constraint "quest_completions_revoked_by_id_foreign" foreign key ("revoked_by_id") references "users" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "quest_goals" add constraint "quest_goals_quest_id_foreign" foreign key ("quest_id") references "quests" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_goals" add constraint "quest_goals_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "quest_progress" add constraint "quest_progress_quest_id_foreign" foreign key ("quest_id") references "quests" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_progress" add constraint "quest_progress_goal_id_foreign" foreign key ("goal_id") references "quest_goals" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_progress" add constraint "quest_progress_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "quest_contributions" add constraint "quest_contributions_goal_id_foreign" foreign key ("goal_id") references "quest_goals" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "quest_contributions" add constraint "quest_contributions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "notification_preferences" drop constraint if exists "notification_preferences_kind_check";`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "communities" add column "quest_version" int not null default 0;`);

    this.addSql(`alter type "reputation_reason" add value if not exists 'QUEST_COMPLETED' after 'POLL_VOTE';`);

    this.addSql(`alter type "reputation_subject_type" add value if not exists 'QUEST' after 'POLL';`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED', 'QUEST_COMPLETED'));`);

    this.addSql(`alter table "notifications" add column "quest_completion_id" int null;`);
    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED', 'QUEST_COMPLETED'));`);
    this.addSql(`create unique index "notifications_quest_unique" on "notifications" ("user_id", "quest_completion_id") where kind = 'QUEST_COMPLETED';`);

    // Added by hand (MikroORM does not write functions): the quest hot path, one statement per action.
    // `quest_record` counts a cause toward goals of a member (each with its period's start, worked out
    // by the application in the community's time zone), under the member's reputation lock (the one
    // `reputation_award` takes, so the two never wait on each other in opposite orders): a cause counts
    // once per goal (quest_contributions' unique key), never toward a period already completed;
    // progress rows move; each quest touched whose goals are all reached is completed once (the unique
    // key on quest, member and period start), its notification job enqueued and its points awarded
    // through `reputation_award` (reason QUEST_COMPLETED, not capped: see REASONS in rules.ts).
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
    // `quest_unrecord` takes back what causes counted for a member toward periods not completed
    // (deleted content, a withdrawn upvote), under the same lock.
    this.addSql(`create or replace function quest_unrecord(p_community int, p_user int, p_causes varchar[])
      returns void language plpgsql volatile as $$
      begin
        perform pg_advisory_xact_lock(p_community, p_user);
        with gone as (
          delete from quest_contributions c using quest_goals g
           where c.cause = any(p_causes) and c.user_id = p_user and g.id = c.goal_id
             and not exists (select 1 from quest_completions k
                              where k.quest_id = g.quest_id and k.user_id = c.user_id and k.period_start = c.period_start)
          returning c.goal_id, c.user_id, c.period_start)
        update quest_progress p set count = p.count - n.n
          from (select goal_id, user_id, period_start, count(*)::int as n from gone group by 1, 2, 3) n
         where p.goal_id = n.goal_id and p.user_id = n.user_id and p.period_start = n.period_start;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists quest_record(int, int, varchar, int[], timestamptz[]);`);
    this.addSql(`drop function if exists quest_unrecord(int, int, varchar[]);`);
    this.addSql(`alter table "quest_completions" drop constraint "quest_completions_quest_id_foreign";`);

    this.addSql(`alter table "quest_goals" drop constraint "quest_goals_quest_id_foreign";`);

    this.addSql(`alter table "quest_progress" drop constraint "quest_progress_quest_id_foreign";`);

    this.addSql(`alter table "quest_progress" drop constraint "quest_progress_goal_id_foreign";`);

    this.addSql(`alter table "quest_contributions" drop constraint "quest_contributions_goal_id_foreign";`);

    this.addSql(`drop table if exists "quests" cascade;`);

    this.addSql(`drop table if exists "quest_completions" cascade;`);

    this.addSql(`drop table if exists "quest_goals" cascade;`);

    this.addSql(`drop table if exists "quest_progress" cascade;`);

    this.addSql(`drop table if exists "quest_contributions" cascade;`);

    this.addSql(`alter table "notification_preferences" drop constraint if exists "notification_preferences_kind_check";`);

    this.addSql(`alter table "notifications" drop constraint if exists "notifications_kind_check";`);

    this.addSql(`alter table "communities" drop column "quest_version";`);

    this.addSql(`alter table "notification_preferences" add constraint "notification_preferences_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED'));`);

    this.addSql(`drop index "notifications_quest_unique";`);
    this.addSql(`alter table "notifications" drop column "quest_completion_id";`);

    this.addSql(`alter table "notifications" add constraint "notifications_kind_check" check("kind" in ('REPLY', 'MENTION', 'MODERATION_DECISION', 'APPEAL_DECIDED', 'JOIN_REQUEST_DECIDED', 'BADGE_AWARDED', 'POLL_CLOSED', 'EVENT_REMINDER', 'WAITLIST_PROMOTED', 'LEVEL_REACHED', 'WEBHOOK_DISABLED'));`);

    this.addSql(`drop type "quest_period";`);
    this.addSql(`drop type "quest_action";`);
  }

}
