import type { EntityManager } from '@mikro-orm/postgresql';
import { sql, sqlTransaction } from '../../platform/database/sql';
import { AffinityKind } from './feed.entity';

/**
 * The `feed.affinity` job: keeps `feed_affinities` and `feed_similar_members` in step with what
 * members do, from the rows that record it, so that no request computes them and no write pays for
 * them (a vote or a comment writes its row and nothing else; this job reads the rows later).
 *
 * Each run reads the rows of each source table whose id is above its watermark (the highest id the
 * last run took in) and at least `settleSeconds` old (so that a row of a transaction still open, with
 * a lower id than rows committed before it, is not passed over: a write transaction open longer than
 * that is the only way a row is missed), turns each into weighted actions on a community, an author
 * and the post's tags (FEED_AFFINITY.weights, each decayed from the row's time to now), and adds them
 * to the members' affinities, whose older score decays first (score · 0.5^(Δt / half-life)). Then,
 * for every member who acted, it recomputes their similar members. One transaction under an advisory
 * lock; running it again with nothing new changes nothing. An erased account's actions, and actions
 * on its kept content as an author, are left out. Withdrawn votes and deleted comments are
 * not taken back: they decay away like everything else.
 */
export const FEED_AFFINITY = {
  /** An action's weight halves every this many days. */
  halfLifeDays: 14,
  /** Rows younger than this are left for the next run (see above). */
  settleSeconds: 60,
  /** Similar members kept per member. */
  similarMembers: 20,
  /** A member's strongest author affinities compared with others' to find similar members. */
  similarityTargets: 20,
  /**
   * The weight of each action on each of its targets (a target absent: no weight). An upvote or a
   * reaction counts on the post's community, author and tags; a comment more; one's own post on its
   * community, channel and tags. Downvotes count for nothing. The channel counts as the community does.
   */
  weights: {
    post: { [AffinityKind.COMMUNITY]: 3, [AffinityKind.CHANNEL]: 3, [AffinityKind.TAG]: 2 },
    comment: {
      [AffinityKind.COMMUNITY]: 2,
      [AffinityKind.CHANNEL]: 2,
      [AffinityKind.AUTHOR]: 2,
      [AffinityKind.TAG]: 1,
    },
    postVote: {
      [AffinityKind.COMMUNITY]: 1,
      [AffinityKind.CHANNEL]: 1,
      [AffinityKind.AUTHOR]: 1,
      [AffinityKind.TAG]: 0.5,
    },
    commentVote: { [AffinityKind.COMMUNITY]: 0.5, [AffinityKind.CHANNEL]: 0.5, [AffinityKind.AUTHOR]: 1 },
    reaction: {
      [AffinityKind.COMMUNITY]: 0.5,
      [AffinityKind.CHANNEL]: 0.5,
      [AffinityKind.AUTHOR]: 1,
      [AffinityKind.TAG]: 0.5,
    },
  },
} as const;

type Weights = Partial<Record<AffinityKind, number>>;

/**
 * Each source of actions: the rows above the watermark (`s`) with the post they are on (`p`, joined by
 * `from`), the acting member, the author acted upon (null: none) and the weights.
 */
const SOURCES: readonly { table: string; from: string; user: string; author: string; weights: Weights }[] = [
  {
    table: 'posts',
    from: 'posts s join posts p on p.id = s.id',
    user: 's.author_id',
    author: 'null::int',
    weights: FEED_AFFINITY.weights.post,
  },
  {
    table: 'comments',
    from: 'comments s join posts p on p.id = s.post_id',
    user: 's.author_id',
    author: 'p.author_id',
    weights: FEED_AFFINITY.weights.comment,
  },
  {
    table: 'votes',
    from: 'votes s join posts p on p.id = s.post_id',
    user: 's.user_id',
    author: 'p.author_id',
    weights: FEED_AFFINITY.weights.postVote,
  },
  {
    table: 'votes',
    from: 'votes s join comments k on k.id = s.comment_id join posts p on p.id = k.post_id',
    user: 's.user_id',
    author: 'k.author_id',
    weights: FEED_AFFINITY.weights.commentVote,
  },
  {
    table: 'reactions',
    from: 'reactions s join posts p on p.id = coalesce(s.post_id, (select post_id from comments where id = s.comment_id))',
    user: 's.user_id',
    author: 'p.author_id',
    weights: FEED_AFFINITY.weights.reaction,
  },
];

const WATERMARKED = [...new Set(SOURCES.map((s) => s.table))];

/**
 * SQL: the decay factor of a score from instant `from` to instant `to` (SQL expressions), in double
 * precision: `extract` gives a numeric, and `power` of a numeric costs about 7.5 µs where a double's
 * costs nanoseconds (measured on 10,000 rows: 75 ms against 3.7 ms), once per affinity a feed reads.
 */
export const decay = (from: string, to: string) =>
  `power(0.5, extract(epoch from (${to} - ${from}))::float8 / ${FEED_AFFINITY.halfLifeDays * 86_400})`;

/** What a run did. */
export interface AffinityResult {
  /** Source rows taken in. */
  actions: number;
  /** Members whose affinities (and similar members) were updated. */
  members: number;
}

/** Runs the job once (see above). `settleSeconds`: 0 in tests and at seed time, to take in everything. */
export async function runAffinity(
  em: EntityManager,
  { settleSeconds = FEED_AFFINITY.settleSeconds }: { settleSeconds?: number } = {},
): Promise<AffinityResult> {
  return sqlTransaction(em, async (tx) => {
    await sql(tx, `select pg_advisory_xact_lock(hashtext('feed.affinity'))`);
    const marks = new Map<string, number>();
    for (const r of await sql<{ source: string; last_id: number }[]>(tx, 'select source, last_id from feed_watermarks'))
      marks.set(r.source, Number(r.last_id));
    // Each table's rows taken in this run: above the watermark, settled.
    const [tops] = await sql<Record<string, number | null>[]>(
      tx,
      `select ${WATERMARKED.map(
        (t) =>
          `(select max(id) from ${t} where id > ${marks.get(t) ?? 0} and created_at <= now() - make_interval(secs => ?))::int as "${t}"`,
      ).join(', ')}`,
      WATERMARKED.map(() => settleSeconds),
    );
    await sql(
      tx,
      'create temp table feed_acts (user_id int, kind text, target text, weight double precision) on commit drop',
    );
    let actions = 0;
    for (const source of SOURCES) {
      const top = tops[source.table];
      if (top === null) continue;
      const weight = (w: number) => `${w} * ${decay('a.created_at', 'now()')}`;
      const parts: string[] = [];
      const w = source.weights;
      if (w.COMMUNITY)
        parts.push(
          `select a.user_id, '${AffinityKind.COMMUNITY}', a.community_id::text, ${weight(w.COMMUNITY)} from a`,
        );
      if (w.CHANNEL)
        parts.push(`select a.user_id, '${AffinityKind.CHANNEL}', a.channel_id::text, ${weight(w.CHANNEL)} from a`);
      if (w.AUTHOR)
        parts.push(
          `select a.user_id, '${AffinityKind.AUTHOR}', a.author_id::text, ${weight(w.AUTHOR)} from a where a.author_id is not null and a.author_id <> a.user_id`,
        );
      if (w.TAG)
        parts.push(
          `select a.user_id, '${AffinityKind.TAG}', t.tag, ${weight(w.TAG)} from a cross join unnest(a.tags) t(tag)`,
        );
      const [{ n }] = await sql<{ n: number }[]>(
        tx,
        `with a as materialized (
           select ${source.user} as user_id, p.community_id, p.channel_id, ${source.author} as author_id, p.tags, s.created_at
             from ${source.from}
            where s.id > ? and s.id <= ?${source.table === 'votes' ? ' and s.value > 0' : ''}),
         ins as (insert into feed_acts ${parts.join(' union all ')} returning 1)
         select (select count(*) from a)::int as n`,
        [marks.get(source.table) ?? 0, top],
      );
      actions += n;
    }
    // Nothing of or about an erased account (its own rows, or others' on its kept [deleted] posts,
    // taken in after the erasure): the erasure and its sweep removed those affinities.
    await sql(
      tx,
      `delete from feed_acts a
        where exists (select 1 from users u where u.deleted_at is not null
                         and (u.id = a.user_id
                              or u.id = case when a.kind = '${AffinityKind.AUTHOR}' then a.target::int end))`,
    );
    await sql(
      tx,
      `insert into feed_affinities (user_id, kind, target, score, updated_at)
       select a.user_id, a.kind, a.target, sum(a.weight), now() from feed_acts a
         join users u on u.id = a.user_id
        group by a.user_id, a.kind, a.target
       on conflict (user_id, kind, target) do update
         set score = feed_affinities.score * ${decay('feed_affinities.updated_at', 'excluded.updated_at')} + excluded.score,
             updated_at = excluded.updated_at`,
    );
    await sql(tx, 'create temp table feed_touched on commit drop as select distinct user_id from feed_acts');
    const [{ members }] = await sql<{ members: number }[]>(tx, 'select count(*)::int as members from feed_touched');
    if (members > 0) await similarMembers(tx);
    for (const table of WATERMARKED) {
      const top = tops[table];
      if (top === null) continue;
      await sql(
        tx,
        `insert into feed_watermarks (source, last_id, last_run_at) values (?, ?, now())
         on conflict (source) do update set last_id = greatest(feed_watermarks.last_id, excluded.last_id),
                                            last_run_at = excluded.last_run_at`,
        [table, top],
      );
    }
    return { actions, members };
  });
}

/**
 * Recomputes the similar members of the members who acted (`feed_touched`): for each, their
 * FEED_AFFINITY.similarityTargets strongest author affinities (tags are too broad: a tag is shared by
 * most of a community, and comparing on them costs members² per tag), matched against every other
 * member's affinity to the same target; similarity is the sum over shared targets of the smaller of
 * the two scores; the FEED_AFFINITY.similarMembers most similar are kept.
 */
async function similarMembers(tx: EntityManager): Promise<void> {
  await sql(tx, 'delete from feed_similar_members s using feed_touched t where s.user_id = t.user_id');
  await sql(
    tx,
    `insert into feed_similar_members (user_id, similar_id, score)
     with mine as (
       select f.user_id, f.kind, f.target, f.score,
              row_number() over (partition by f.user_id, f.kind order by f.score desc) as rn
         from feed_touched t join feed_affinities f on f.user_id = t.user_id
        where f.kind = '${AffinityKind.AUTHOR}'),
     pairs as (
       select m.user_id, o.user_id as similar_id, sum(least(m.score, o.score)) as score
         from mine m join feed_affinities o on o.kind = m.kind and o.target = m.target and o.user_id <> m.user_id
        where m.rn <= ?
        group by m.user_id, o.user_id),
     ranked as (select *, row_number() over (partition by user_id order by score desc, similar_id) as rn from pairs)
     select user_id, similar_id, score from ranked where rn <= ?`,
    [FEED_AFFINITY.similarityTargets, FEED_AFFINITY.similarMembers],
  );
}
