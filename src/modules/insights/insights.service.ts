import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { BadInput } from '../../platform/errors';
import { toGlobalId } from '../../platform/ids';
import {
  INSIGHTS_LIMITS,
  InsightsInterval,
  type InsightsBucket,
  type InsightsCohort,
  type InsightsContributor,
  type InsightsEventAttendance,
  type InsightsTag,
} from './insights.types';

/**
 * What an insights answer covers: one community (in its time zone) or the whole platform (UTC),
 * the calendar days [fromDay, toDay) and the buckets' size.
 */
export interface InsightsScope {
  /** null: every community (platform insights). */
  communityId: number | null;
  timeZone: string;
  fromDay: string;
  toDay: string;
  interval: InsightsInterval;
  /**
   * The range ends after today (`to: tomorrow`, the usual dashboard): no activity is dated in its
   * last bucket after `toDay`, so a bucket (or month) the end cuts is read whole from its rollup,
   * as if the range went on: one row instead of a count over its days.
   */
  ended: boolean;
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TRUNC: Record<InsightsInterval, string> = { DAY: 'day', WEEK: 'week', MONTH: 'month' };

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** How many buckets of `interval` the days [fromDay, toDay) touch. */
function bucketCount(fromDay: string, toDay: string, interval: InsightsInterval): number {
  const days = dayNumber(toDay) - dayNumber(fromDay);
  if (interval === InsightsInterval.DAY) return days;
  if (interval === InsightsInterval.WEEK) {
    // Day numbers count from a Thursday (1970-01-01): Monday-based weeks start at day n - (n + 3) % 7.
    const monday = (n: number) => n - ((((n + 3) % 7) + 7) % 7);
    return (monday(dayNumber(toDay) - 1) - monday(dayNumber(fromDay))) / 7 + 1;
  }
  const month = (day: string) => Number(day.slice(0, 4)) * 12 + Number(day.slice(5, 7)) - 1;
  const last = new Date((dayNumber(toDay) - 1) * DAY_MS).toISOString().slice(0, 10);
  return month(last) - month(fromDay) + 1;
}

/**
 * The scope of `Community.insights` or `platformInsights`: `from` and `to` read as calendar dates in
 * the time zone (their time of day ignored), `to`'s date excluded. BAD_USER_INPUT for an empty or
 * reversed range, one wider than INSIGHTS_LIMITS.maxDays, or one of more than
 * INSIGHTS_LIMITS.maxBuckets buckets.
 */
export function insightsScope(
  communityId: number | null,
  timeZone: string,
  { from, to, interval }: { from: Date; to: Date; interval: InsightsInterval },
): InsightsScope {
  const fromDay = localDate(from, timeZone);
  const toDay = localDate(to, timeZone);
  // Written into statements as literals: nothing but a date may pass.
  if (!DATE.test(fromDay) || !DATE.test(toDay))
    throw new BadInput('from and to must be dates from year 1 to 9999', 'from');
  const days = dayNumber(toDay) - dayNumber(fromDay);
  if (!(days > 0)) throw new BadInput('to must fall on a later day than from', 'to');
  if (days > INSIGHTS_LIMITS.maxDays)
    throw new BadInput(`The range covers at most ${INSIGHTS_LIMITS.maxDays} days`, 'from');
  if (bucketCount(fromDay, toDay, interval) > INSIGHTS_LIMITS.maxBuckets) {
    throw new BadInput(`The range covers at most ${INSIGHTS_LIMITS.maxBuckets} buckets of the interval`, 'interval');
  }
  // Ten minutes ahead, for a database clock a little ahead of this one.
  const ended = toDay > localDate(new Date(Date.now() + 10 * 60_000), timeZone);
  return { communityId, timeZone, fromDay, toDay, interval, ended };
}

/** `and <column> = <community>` for a community's scope, nothing for the platform's. */
const inScope = (s: InsightsScope, column: string) =>
  s.communityId === null ? '' : `and ${column} = ${Number(s.communityId)}`;

interface BucketRow {
  date: string;
  active: number;
  new_members: number;
  departed: number;
  posts: number;
  comments: number;
  interactions: number;
  replied: number;
  median_reply: number | null;
  going: number;
  checked_in: number;
}

/** The series, one statement: every bucket of the range, zeros included, oldest first. */
export async function insightsSeries(em: EntityManager, s: InsightsScope): Promise<InsightsBucket[]> {
  const unit = TRUNC[s.interval];
  // Both are YYYY-MM-DD strings of insightsScope (checked there), written into the statement.
  const f = `'${s.fromDay}'::date`;
  const t = `'${s.toDay}'::date`;
  const bucket = (day: string) => `greatest(date_trunc('${unit}', ${day})::date, ${f})`;
  const range = (column: string) => `${column} >= ${f} and ${column} < ${t}`;
  const rows = await sql<BucketRow[]>(
    em,
    `with b as (
       select distinct date_trunc('${unit}', d)::date as start
         from generate_series(${f}::timestamp, (${t} - 1)::timestamp, interval '1 day') d
     ), bb as (
       select start, greatest(start, ${f}) as date, (start + interval '1 ${unit}')::date as stop from b
     ), days as (
       select ${bucket('day')} as date, sum(posts)::int as posts, sum(comments)::int as comments,
              sum(interactions)::int as interactions, sum(new_members)::int as new_members,
              sum(departed_members)::int as departed
         from community_days where ${range('day')} ${inScope(s, 'community_id')} group by 1
     ), act as materialized (
       -- A whole day, week or month: its count kept by the rollup; a bucket the range cuts: counted here.
       select bb.date,
              case when bb.start >= ${f} and (bb.stop <= ${t} or ${s.ended})
                   then (select members from active_member_counts
                          where community_id = ${Number(s.communityId ?? 0)} and unit = '${unit}' and start = bb.start)
                   else (select count(distinct user_id) from member_activity_days
                          where day >= bb.date and day < least(bb.stop, ${t}) ${inScope(s, 'community_id')})
              end as active
         from bb
     ), rep as (
       select ${bucket('day')} as date, count(seconds)::int as replied,
              percentile_cont(0.5) within group (order by seconds) as median_reply
         from post_first_replies where ${range('day')} ${inScope(s, 'community_id')} and seconds is not null group by 1
     ), ev as (
       select ${bucket('x.day')} as date,
              count(*) filter (where x.status = 'GOING' and x.seated)::int as going,
              count(x.checked_in_at)::int as checked_in
         from (select r.status, r.seated, r.checked_in_at,
                      (r.occurrence_starts_at at time zone ${s.communityId === null ? `'UTC'` : 'c.time_zone'})::date as day
                 from rsvps r join events e on e.id = r.event_id join communities c on c.id = e.community_id
                where r.occurrence_starts_at >= (${f} - 1)::timestamp at time zone 'UTC'
                  and r.occurrence_starts_at < (${t} + 1)::timestamp at time zone 'UTC' ${inScope(s, 'e.community_id')}) x
        where ${range('x.day')}
        group by 1
     )
     select to_char(bb.date, 'YYYY-MM-DD') as date, coalesce(act.active, 0)::int as active,
            coalesce(days.new_members, 0) as new_members, coalesce(days.departed, 0) as departed,
            coalesce(days.posts, 0) as posts, coalesce(days.comments, 0) as comments,
            coalesce(days.interactions, 0) as interactions, coalesce(rep.replied, 0) as replied, rep.median_reply,
            coalesce(ev.going, 0) as going, coalesce(ev.checked_in, 0) as checked_in
       from bb left join days using (date) left join act using (date) left join rep using (date) left join ev using (date)
      order by bb.date`,
  );
  return rows.map((r) => ({
    date: r.date,
    activeMembers: r.active,
    newMembers: r.new_members,
    departedMembers: r.departed,
    posts: r.posts,
    comments: r.comments,
    interactions: r.interactions,
    interactionRate: r.active > 0 ? r.interactions / r.active : null,
    repliedPosts: r.replied,
    medianSecondsToFirstReply: r.median_reply === null ? null : Number(r.median_reply),
    rsvpsGoing: r.going,
    checkedIn: r.checked_in,
  }));
}

/** The first day of the month of a YYYY-MM-DD day, or of the next month when `next` and the day is not a first. */
function monthStart(day: string, next: boolean): string {
  if (!next || day.endsWith('-01')) return `${day.slice(0, 8)}01`;
  const d = new Date(`${day.slice(0, 8)}01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The INSIGHTS_LIMITS.top members with the most interactions in the range (ties: the lower user id
 * first): the whole months of the range from `member_activity_months`, its cut months' days from
 * `member_activity_days`.
 */
export async function topContributors(em: EntityManager, s: InsightsScope): Promise<InsightsContributor[]> {
  let monthsFrom = monthStart(s.fromDay, true);
  // A range that ends after today reads its last month whole: a row per member, not per member and day.
  let monthsTo = monthStart(s.toDay, s.ended);
  if (monthsFrom >= monthsTo) monthsFrom = monthsTo = s.toDay; // no whole month: days only
  const rows = await sql<{ user_id: number; posts: number; comments: number; interactions: number }[]>(
    em,
    `select user_id, sum(posts)::int as posts, sum(comments)::int as comments, sum(interactions)::int as interactions
       from (select user_id, posts, comments, interactions from member_activity_months
              where month >= ?::date and month < ?::date ${inScope(s, 'community_id')}
             union all
             select user_id, posts, comments, posts + comments + votes + reactions + rsvps + chat_messages + ballots
               from member_activity_days
              where ((day >= ?::date and day < ?::date) or (day >= ?::date and day < ?::date)) ${inScope(s, 'community_id')}) x
      group by user_id order by interactions desc, user_id limit ?`,
    [monthsFrom, monthsTo, s.fromDay, monthsFrom, monthsTo, s.toDay, INSIGHTS_LIMITS.top],
  );
  return rows.map((r) => ({ userId: r.user_id, posts: r.posts, comments: r.comments, interactions: r.interactions }));
}

/** The INSIGHTS_LIMITS.top tags on the most posts written in the range (ties: by tag). */
export async function topTags(em: EntityManager, s: InsightsScope): Promise<InsightsTag[]> {
  return sql<InsightsTag[]>(
    em,
    `select tag, sum(posts)::int as posts from community_tag_days
      where day >= ?::date and day < ?::date ${inScope(s, 'community_id')}
      group by tag order by posts desc, tag limit ?`,
    [s.fromDay, s.toDay, INSIGHTS_LIMITS.top],
  );
}

/**
 * The event occurrences starting in the range (the latest INSIGHTS_LIMITS.events first, then by
 * event id), with their seated GOING RSVPs and check-ins; cancelled events and occurrences without
 * any RSVP are left out.
 */
export async function eventAttendance(em: EntityManager, s: InsightsScope): Promise<InsightsEventAttendance[]> {
  const zone = s.communityId === null ? `'UTC'` : 'c.time_zone';
  const rows = await sql<{ event_id: number; title: string; starts_at: Date; going: number; checked_in: number }[]>(
    em,
    `select e.id as event_id, e.title, r.occurrence_starts_at as starts_at,
            count(*) filter (where r.status = 'GOING' and r.seated)::int as going,
            count(r.checked_in_at)::int as checked_in
       from rsvps r join events e on e.id = r.event_id join communities c on c.id = e.community_id
      where r.occurrence_starts_at >= (?::date - 1)::timestamp at time zone 'UTC'
        and r.occurrence_starts_at < (?::date + 1)::timestamp at time zone 'UTC'
        and (r.occurrence_starts_at at time zone ${zone})::date >= ?::date
        and (r.occurrence_starts_at at time zone ${zone})::date < ?::date
        and e.cancelled_at is null ${inScope(s, 'e.community_id')}
      group by e.id, e.title, r.occurrence_starts_at
      order by r.occurrence_starts_at desc, e.id limit ?`,
    [s.fromDay, s.toDay, s.fromDay, s.toDay, INSIGHTS_LIMITS.events],
  );
  return rows.map((r) => ({
    eventId: toGlobalId('Event', r.event_id),
    title: r.title,
    startsAt: new Date(r.starts_at),
    going: r.going,
    checkedIn: r.checked_in,
  }));
}

/**
 * Weekly retention cohorts: the members who joined (a community's: memberships, ended ones
 * included; the platform's: accounts created) in each week of the range (the latest
 * INSIGHTS_LIMITS.cohorts weeks), and the share of each active in each of the
 * INSIGHTS_LIMITS.cohortWeeks weeks after (activity after the range counts; a week not begun yet
 * is null). Someone who joined twice belongs to the week of their first join in the range.
 */
export async function cohorts(em: EntityManager, s: InsightsScope): Promise<InsightsCohort[]> {
  const weeks = INSIGHTS_LIMITS.cohortWeeks;
  const local = (column: string) => `(${column} at time zone ${s.communityId === null ? `'UTC'` : '?'})::date`;
  const zone = s.communityId === null ? [] : [s.timeZone];
  const joins =
    s.communityId === null
      ? `select id as user_id, ${local('created_at')} as day from users
          where created_at >= (?::date - 1)::timestamp at time zone 'UTC' and created_at < (?::date + 1)::timestamp at time zone 'UTC'`
      : `select user_id, ${local('joined_at')} as day from members
          where community_id = ${Number(s.communityId)}
            and joined_at >= (?::date - 1)::timestamp at time zone 'UTC' and joined_at < (?::date + 1)::timestamp at time zone 'UTC'
         union all
         select user_id, ${local('joined_at')} as day from member_departures
          where community_id = ${Number(s.communityId)}
            and joined_at >= (?::date - 1)::timestamp at time zone 'UTC' and joined_at < (?::date + 1)::timestamp at time zone 'UTC'`;
  const joinParams =
    s.communityId === null ? [s.fromDay, s.toDay] : [...zone, s.fromDay, s.toDay, ...zone, s.fromDay, s.toDay];
  const rows = await sql<{ week: string; size: number; retention: (number | null)[] }[]>(
    em,
    `with j as (
       select user_id, date_trunc('week', min(day))::date as week
         from (${joins}) x where day >= ?::date and day < ?::date group by user_id
     ), w as (
       select week, count(*)::int as size from j group by week order by week desc limit ?
     ), aw as materialized (
       -- Each member's active weeks over the cohorts' following weeks, then matched with their cohort
       -- (the platform's: one row per user and week, whatever the communities).
       select ${s.communityId === null ? 'distinct' : ''} user_id, week as active_week
         from member_activity_weeks
        where week >= (select min(week) from w) + 7 and week < (select max(week) from w) + 7 * (? + 1)
              ${inScope(s, 'community_id')}
     ), a as materialized (
       select j.week, (aw.active_week - j.week) / 7 as k, count(*)::int as n
         from aw join j on j.user_id = aw.user_id
        where j.week in (select week from w) and aw.active_week > j.week
        group by 1, 2
     ), today as (select ${s.communityId === null ? `(now() at time zone 'UTC')::date` : '(now() at time zone ?)::date'} as d)
     select to_char(w.week, 'YYYY-MM-DD') as week, w.size,
            array(select case when w.week + 7 * g.i > (select d from today) then null
                              else coalesce((select n from a where a.week = w.week and a.k = g.i), 0)::float8 / w.size
                         end
                    from generate_series(1, ?) as g(i) order by g.i) as retention
       from w order by w.week`,
    [...joinParams, s.fromDay, s.toDay, INSIGHTS_LIMITS.cohorts, weeks, ...zone, weeks],
  );
  return rows.map((r) => ({
    week: r.week,
    size: r.size,
    retention: r.retention.map((v) => (v === null ? null : Number(v))),
  }));
}

/** When the rollup last ran (null: never): insights include the activity up to then. */
export async function computedThrough(em: EntityManager): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>(em, 'select max(last_run_at) as at from insights_watermarks');
  return row?.at ? new Date(row.at) : null;
}
