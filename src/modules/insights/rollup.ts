import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, sqlTransaction } from '../../platform/database/sql';

/**
 * The `insights.rollup` job: keeps the rollup tables (insights.entity.ts) in step with the rows that
 * record each activity. Hourly, idempotent.
 *
 * Each run finds the (community, day) pairs touched since the last run: the days of the rows whose
 * id is above the source's watermark (the highest id the last run saw), and of the rows whose time is
 * at most ROLLUP.lateMinutes older than the last run (rows of transactions that committed after it
 * with a lower id, RSVPs and ballots changed in place). It then recomputes those days whole from the
 * source rows (delete and insert in one transaction), so running it twice gives the same rows, and
 * today's partial day is recomputed by every run that finds something new in it. Days are calendar
 * days in the community's time zone. A post's first reply is recomputed for the posts written or
 * commented on since. `{ rebuild: true }` recomputes everything (after a time zone change, or to
 * drop what was deleted since: a vote withdrawn or an account deleted leaves past days as they were
 * counted until they are recomputed; an account's own rows go with it, see the migration).
 */
export const ROLLUP = {
  /** Rows this much older than the last run are looked at again (transactions still open then). */
  lateMinutes: 10,
  /** Time zones are at most this many hours ahead of UTC … */
  aheadHours: 14,
  /** … or behind it. */
  behindHours: 12,
} as const;

/** A source whose rows are on a post or on a comment (`post_id` or `comment_id`): its community is the post's. */
function onPostOrComment(table: string, kind: string) {
  return {
    table,
    kind,
    from: `${table} s left join posts p on p.id = s.post_id
           left join comments k on k.id = s.comment_id left join posts kp on kp.id = k.post_id`,
    community: 'coalesce(p.community_id, kp.community_id)',
    user: 's.user_id',
    at: 's.created_at',
    ref: 's.id',
  };
}

/**
 * Each source of activity: its table, the community it belongs to, the user, the time of the
 * activity (joins bring what they need), and the kind it counts as.
 */
const SOURCES = [
  {
    table: 'posts',
    kind: 'post',
    from: 'posts s',
    community: 's.community_id',
    user: 's.author_id',
    at: 's.created_at',
    ref: 's.id',
  },
  {
    table: 'comments',
    kind: 'comment',
    from: 'comments s join posts p on p.id = s.post_id',
    community: 'p.community_id',
    user: 's.author_id',
    at: 's.created_at',
    ref: 's.post_id',
  },
  onPostOrComment('votes', 'vote'),
  onPostOrComment('reactions', 'reaction'),
  {
    table: 'rsvps',
    kind: 'rsvp',
    from: 'rsvps s join events e on e.id = s.event_id',
    community: 'e.community_id',
    user: 's.user_id',
    at: 's.responded_at',
    ref: 's.id',
  },
  {
    table: 'chat_messages',
    kind: 'chat',
    from: 'chat_messages s join events e on e.id = s.event_id',
    community: 'e.community_id',
    user: 's.author_id',
    at: 's.created_at',
    ref: 's.id',
  },
  {
    table: 'ballots',
    kind: 'ballot',
    from: 'ballots s join polls o on o.id = s.poll_id',
    community: 'o.community_id',
    user: 's.user_id',
    at: 's.updated_at',
    ref: 's.id',
  },
  {
    table: 'members',
    kind: 'join',
    from: 'members s',
    community: 's.community_id',
    user: 's.user_id',
    at: 's.joined_at',
    ref: 's.id',
  },
  {
    table: 'member_departures',
    kind: 'leave',
    from: 'member_departures s',
    community: 's.community_id',
    user: 's.user_id',
    at: 's.left_at',
    ref: 's.id',
  },
  // A departed member's join still counts on the day they joined (their `members` row is gone).
  {
    table: 'member_departures',
    kind: 'join',
    from: 'member_departures s',
    community: 's.community_id',
    user: 's.user_id',
    at: 's.joined_at',
    ref: 's.id',
  },
] as const;

const WATERMARKED = [...new Set(SOURCES.map((s) => s.table))];

/** What a run did. */
export interface RollupResult {
  /** (community, day) pairs recomputed. */
  days: number;
  /** Posts whose first reply was recomputed. */
  posts: number;
}

/**
 * Runs the rollup once (see above), in one transaction under an advisory lock (two runs at once
 * take turns).
 */
export async function runRollup(
  em: EntityManager,
  { rebuild = false }: { rebuild?: boolean } = {},
): Promise<RollupResult> {
  const result = await sqlTransaction(em, async (tx) => {
    await sql(tx, `select pg_advisory_xact_lock(hashtext('insights.rollup'))`);
    const marks = new Map<string, { lastId: number; lastRunAt: string | null }>();
    if (!rebuild) {
      const rows = await sql<{ source: string; last_id: number; last_run_at: string | null }[]>(
        tx,
        `select source, last_id, to_char(last_run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as last_run_at
           from insights_watermarks`,
      );
      for (const r of rows) marks.set(r.source, { lastId: Number(r.last_id), lastRunAt: r.last_run_at });
    }
    // The ids to move the watermarks to, read before the scan (a row added meanwhile is seen twice: harmless).
    const [tops] = await sql<Record<string, number>[]>(
      tx,
      `select ${WATERMARKED.map((t) => `(select coalesce(max(id), 0) from ${t})::int as "${t}"`).join(', ')}`,
    );

    const since = (table: string, alias = 's') => {
      const mark = marks.get(table);
      const clauses = [`${alias}.id > ${Number(mark?.lastId ?? 0)}`];
      return { clauses, lastRunAt: mark?.lastRunAt ?? null };
    };
    const newRows = (source: (typeof SOURCES)[number]) => {
      const { clauses, lastRunAt } = since(source.table);
      const params: unknown[] = [];
      if (lastRunAt) {
        clauses.push(`${source.at} >= ?::timestamptz - make_interval(mins => ?)`);
        params.push(lastRunAt, ROLLUP.lateMinutes);
      }
      return { where: clauses.join(' or '), params };
    };

    await sql(
      tx,
      'create temp table insights_touched (community_id int, day date, primary key (community_id, day)) on commit drop',
    );
    await sql(tx, 'create temp table insights_posts (post_id int primary key) on commit drop');
    if (rebuild) {
      await sql(tx, 'delete from member_activity_days');
      await sql(tx, 'delete from community_days');
      await sql(tx, 'delete from community_tag_days');
      await sql(tx, 'delete from post_first_replies');
      await sql(tx, 'delete from member_activity_months');
      await sql(tx, 'delete from member_activity_weeks');
      await sql(tx, 'delete from active_member_counts');
    }
    for (const source of SOURCES) {
      const { where, params } = newRows(source);
      await sql(
        tx,
        `insert into insights_touched (community_id, day)
         select distinct x.community_id, (x.at at time zone c.time_zone)::date
           from (select ${source.community} as community_id, ${source.at} as at from ${source.from} where ${where}) x
           join communities c on c.id = x.community_id
         on conflict do nothing`,
        params,
      );
    }
    // Posts whose first reply may have changed: new posts and posts with new comments.
    for (const source of SOURCES.filter((s) => s.kind === 'post' || s.kind === 'comment')) {
      const { where, params } = newRows(source);
      await sql(
        tx,
        `insert into insights_posts (post_id) select distinct ${source.ref} from ${source.from} where ${where} on conflict do nothing`,
        params,
      );
    }

    // Disjoint UTC windows covering the touched days in any time zone: days at most 2 apart share one.
    await sql(
      tx,
      `create temp table insights_windows on commit drop as
       with d as (select distinct day from insights_touched),
            g as (select day, case when day - lag(day) over (order by day) <= 2 then 0 else 1 end as brk from d),
            i as (select day, sum(brk) over (order by day) as grp from g)
       select (min(day)::timestamp - make_interval(hours => ?)) at time zone 'UTC' as lo,
              ((max(day) + 1)::timestamp + make_interval(hours => ?)) at time zone 'UTC' as hi
         from i group by grp`,
      [ROLLUP.aheadHours, ROLLUP.behindHours],
    );
    // Every activity of the touched days.
    await sql(
      tx,
      `create temp table insights_acts on commit drop as
       select x.community_id, x.user_id, x.day, x.kind, x.ref from (${SOURCES.map(
         (s) =>
           `select ${s.community} as community_id, ${s.user} as user_id,
                   (${s.at} at time zone c.time_zone)::date as day, '${s.kind}'::text as kind, ${s.ref} as ref
              from insights_windows w join ${s.from} on ${s.at} >= w.lo and ${s.at} < w.hi
              join communities c on c.id = ${s.community}`,
       ).join(' union all ')}) x
       join insights_touched t on t.community_id = x.community_id and t.day = x.day`,
    );

    await sql(
      tx,
      'delete from member_activity_days m using insights_touched t where m.community_id = t.community_id and m.day = t.day',
    );
    await sql(
      tx,
      `insert into member_activity_days (community_id, day, user_id, posts, comments, votes, reactions, rsvps, chat_messages, ballots)
       select a.community_id, a.day, a.user_id,
              count(*) filter (where kind = 'post'), count(*) filter (where kind = 'comment'),
              count(*) filter (where kind = 'vote'), count(*) filter (where kind = 'reaction'),
              count(*) filter (where kind = 'rsvp'), count(*) filter (where kind = 'chat'),
              count(*) filter (where kind = 'ballot')
         from insights_acts a
         -- Rows of accounts deleted since (their user_id is gone) are not kept.
         join users u on u.id = a.user_id
        where a.kind not in ('join', 'leave')
        group by a.community_id, a.day, a.user_id`,
    );
    // The months of the touched days, summed again from the days.
    await sql(
      tx,
      `create temp table insights_months on commit drop as
       select distinct community_id, date_trunc('month', day)::date as month from insights_touched`,
    );
    await sql(
      tx,
      'delete from member_activity_months m using insights_months t where m.community_id = t.community_id and m.month = t.month',
    );
    await sql(
      tx,
      `insert into member_activity_months (community_id, month, user_id, posts, comments, interactions)
       select d.community_id, t.month, d.user_id, sum(d.posts), sum(d.comments),
              sum(d.posts + d.comments + d.votes + d.reactions + d.rsvps + d.chat_messages + d.ballots)
         from insights_months t
         join member_activity_days d on d.community_id = t.community_id and d.day >= t.month
                                    and d.day < (t.month + interval '1 month')::date
        group by d.community_id, t.month, d.user_id`,
    );
    // The weeks of the touched days: who was active in each, again from the days.
    await sql(
      tx,
      `create temp table insights_weeks on commit drop as
       select distinct community_id, date_trunc('week', day)::date as week from insights_touched`,
    );
    await sql(
      tx,
      'delete from member_activity_weeks m using insights_weeks t where m.community_id = t.community_id and m.week = t.week',
    );
    await sql(
      tx,
      `insert into member_activity_weeks (community_id, week, user_id)
       select distinct d.community_id, t.week, d.user_id
         from insights_weeks t
         join member_activity_days d on d.community_id = t.community_id and d.day >= t.week and d.day < t.week + 7`,
    );
    // Distinct active members of the touched days, weeks and months, the community's and every community's (0).
    await sql(
      tx,
      `create temp table insights_periods on commit drop as
       select distinct t.community_id, u.unit, date_trunc(u.unit, t.day)::date as start
         from insights_touched t cross join (values ('day'), ('week'), ('month')) u(unit)`,
    );
    await sql(tx, 'insert into insights_periods select distinct 0, unit, start from insights_periods');
    await sql(
      tx,
      `delete from active_member_counts a using insights_periods p
        where a.community_id = p.community_id and a.unit = p.unit and a.start = p.start`,
    );
    const periodEnd = `(p.start + ('1 ' || p.unit)::interval)::date`;
    await sql(
      tx,
      `insert into active_member_counts (community_id, unit, start, members)
       select p.community_id, p.unit, p.start,
              (select count(distinct m.user_id) from member_activity_days m
                where m.community_id = p.community_id and m.day >= p.start and m.day < ${periodEnd})
         from insights_periods p where p.community_id <> 0`,
    );
    await sql(
      tx,
      `insert into active_member_counts (community_id, unit, start, members)
       select 0, p.unit, p.start,
              (select count(distinct m.user_id) from member_activity_days m where m.day >= p.start and m.day < ${periodEnd})
         from insights_periods p where p.community_id = 0`,
    );
    await sql(
      tx,
      'delete from community_days d using insights_touched t where d.community_id = t.community_id and d.day = t.day',
    );
    await sql(
      tx,
      `insert into community_days (community_id, day, active_members, posts, comments, interactions, new_members, departed_members)
       select t.community_id, t.day,
              count(distinct a.user_id) filter (where a.kind not in ('join', 'leave')),
              count(*) filter (where a.kind = 'post'), count(*) filter (where a.kind = 'comment'),
              count(*) filter (where a.kind not in ('join', 'leave')),
              count(*) filter (where a.kind = 'join'), count(*) filter (where a.kind = 'leave')
         from insights_touched t left join insights_acts a on a.community_id = t.community_id and a.day = t.day
        group by t.community_id, t.day`,
    );
    await sql(
      tx,
      'delete from community_tag_days d using insights_touched t where d.community_id = t.community_id and d.day = t.day',
    );
    await sql(
      tx,
      `insert into community_tag_days (community_id, day, tag, posts)
       select a.community_id, a.day, tag, count(*)::int
         from insights_acts a join posts p on p.id = a.ref cross join unnest(p.tags) as tag
        where a.kind = 'post'
        group by a.community_id, a.day, tag`,
    );
    const [{ n: posts }] = await sql<{ n: number }[]>(
      tx,
      `with up as (
         insert into post_first_replies (post_id, community_id, day, seconds)
         select p.id, p.community_id, (p.created_at at time zone c.time_zone)::date,
                -- greatest() would turn no reply (null) into 0.
                (select (case when min(k.created_at) is null then null
                              else greatest(0, extract(epoch from min(k.created_at) - p.created_at)) end)::int
                   from comments k where k.post_id = p.id and k.author_id is distinct from p.author_id)
           from insights_posts i join posts p on p.id = i.post_id join communities c on c.id = p.community_id
         on conflict (post_id) do update
           set community_id = excluded.community_id, day = excluded.day, seconds = excluded.seconds
         returning 1)
       select count(*)::int as n from up`,
    );
    const [{ n: days }] = await sql<{ n: number }[]>(tx, 'select count(*)::int as n from insights_touched');

    for (const table of WATERMARKED) {
      await sql(
        tx,
        `insert into insights_watermarks (source, last_id, last_run_at) values (?, ?, now())
         on conflict (source) do update set last_id = greatest(insights_watermarks.last_id, excluded.last_id),
                                            last_run_at = excluded.last_run_at`,
        [table, tops[table]],
      );
    }
    return { days, posts };
  });
  // The rows just written are not all-visible until a vacuum marks their pages: until then an
  // index-only scan (cohorts, cut buckets) fetches every row from the heap (on the bench community,
  // 117,000 heap fetches made cohorts 250 ms instead of 120). Vacuumed now, outside the transaction,
  // instead of whenever autovacuum comes by; only the pages written since are visited. A rebuild also
  // leaves stale statistics: analyzed with it.
  if (result.days > 0 || result.posts > 0) {
    await sql(
      em,
      'vacuum (analyze) member_activity_days, member_activity_weeks, member_activity_months, community_days, community_tag_days, post_first_replies, active_member_counts',
    );
  }
  return result;
}
