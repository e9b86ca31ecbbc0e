import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from '../../platform/database/sql';
import { BadInput, Forbidden, Unauthenticated } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import { INT_MAX } from '../../platform/cursors';
import { decodeCursor, encodeCursor, forwardPage, type ConnectionShape, type Edge } from '../../platform/pagination';
import type { Viewer } from '../identity/viewer';
import { AUTHOR_COLUMNS, takeAuthor } from '../identity/user-views';
import { channelNotInSql, mutedChannelsSql, readableChannelSql } from '../channels/channels.service';
import type { Post } from '../posts/posts.entity';
import { postView } from '../posts/rows';
import { decay } from './affinity';
import { AffinityKind } from './feed.entity';

/** The two personal feeds. */
export enum FeedMode {
  FOLLOWING = 'FOLLOWING',
  FOR_YOU = 'FOR_YOU',
}

/**
 * Why an item is in a personal feed (machine-readable; `FeedReason.text` says it for people). A
 * channel's follow and affinity join as FOLLOWED_CHANNEL and AFFINITY_CHANNEL.
 */
export enum FeedReasonKind {
  /** From a community the member belongs to (a member follows the communities they belong to). */
  MEMBER_OF_COMMUNITY = 'MEMBER_OF_COMMUNITY',
  /** By a member they follow. */
  FOLLOWED_MEMBER = 'FOLLOWED_MEMBER',
  /** With a tag they follow. */
  FOLLOWED_TAG = 'FOLLOWED_TAG',
  /** In a channel they follow. */
  FOLLOWED_CHANNEL = 'FOLLOWED_CHANNEL',
  /** By an author they often engage with. */
  AFFINITY_AUTHOR = 'AFFINITY_AUTHOR',
  /** With a tag they often engage with. */
  AFFINITY_TAG = 'AFFINITY_TAG',
  /** Upvoted lately by members whose interests are like theirs. */
  SIMILAR_MEMBERS = 'SIMILAR_MEMBERS',
  /** Among the most upvoted posts of one of their communities this week. */
  POPULAR_IN_COMMUNITY = 'POPULAR_IN_COMMUNITY',
}

/** Why an item is there. */
export interface FeedReasonView {
  kind: FeedReasonKind;
  text: string;
}

/** One item of a personal feed: a post and why it is there. */
export interface FeedItemView {
  post: Post;
  reason: FeedReasonView;
}

/** The ranking of FOR_YOU, in one place (README, Feeds, writes the formula out). */
export const FEED_RANKING = {
  /** Candidates are posts of this many days before the as-of time. */
  windowDays: 7,
  /** At most this many candidates from each source (the query's cost does not grow with a community). */
  candidatesPerSource: 120,
  /** The most upvoted posts of the viewer's communities in the window (at least this score) are candidates, POPULAR_IN_COMMUNITY. */
  popularPosts: 30,
  popularMinScore: 2,
  /** The recency factor halves every this many hours of a post's age. */
  halfLifeHours: 24,
  /** An affinity `a` counts as weight · a / (a + affinityScale). */
  affinityScale: 5,
  /** The weights of the affinities to the post's community, its channel, its author and its strongest tag. */
  affinityWeights: {
    [AffinityKind.COMMUNITY]: 0.5,
    [AffinityKind.CHANNEL]: 0.5,
    [AffinityKind.AUTHOR]: 1,
    [AffinityKind.TAG]: 0.75,
  },
  /** Added when the post comes from a followed member, tag or channel. */
  followBonus: 1,
  /** Added per similar member who upvoted it, up to similarCap of them. */
  similarBonus: 0.25,
  similarCap: 4,
  /** No more than this many items in a row from one author (DIVERSITY). */
  maxRun: 2,
  /** No more than this many items in a row from one channel (DIVERSITY). */
  maxChannelRun: 3,
  /** Items held back for diversity and carried in the cursor, at most (past it, the rule yields). */
  maxDeferred: 6,
  /** An affinity this strong (decayed score) names the item's reason (AFFINITY_AUTHOR, AFFINITY_TAG). */
  reasonAffinity: 2,
} as const;

/**
 * What "in a row" compares for the diversity rule, most binding first: the author, then the channel.
 * When every item at hand breaks a rule, the channel's yields before the author's.
 */
const DIVERSITY = [
  { run: 'author', column: 'author_id', max: FEED_RANKING.maxRun },
  { run: 'channel', column: 'channel_id', max: FEED_RANKING.maxChannelRun },
] as const;

/** A candidate row as the statements return it. */
type Row = Record<string, unknown>;

/**
 * The sources of FOLLOWING (and of FOR_YOU's followed candidates): each an SQL condition on a post
 * `p` over the viewer's follows (CTEs `mine`, `fm`, `ft`), with its reason. A channel is one more entry.
 */
const FOLLOW_SOURCES: Record<
  'COMMUNITY' | 'MEMBER' | 'TAG' | 'CHANNEL',
  {
    where: string;
    reason: FeedReasonKind;
    /**
     * Whether the viewer follows anything of this kind: an uncorrelated condition, so a source read
     * down the time index is skipped (a one-time filter) for a viewer who follows nothing of it.
     */
    any?: string;
    /** Read per followed thing (`from` a CTE, `on` the post's link to it), each down its own index, newest first. */
    per?: { from: string; on: string };
    /** False: FOLLOWING reads no branch of it (its posts are another source's), only names it as the reason. */
    followingBranch?: false;
  }
> = {
  MEMBER: {
    where: 'p.author_id in (select followed_id from fm)',
    reason: FeedReasonKind.FOLLOWED_MEMBER,
    per: { from: 'fm f', on: 'p.author_id = f.followed_id' },
  },
  // `is true`: read down the posts' time index, not the tags' GIN index (a followed tag is on many
  // posts: the GIN scan reads them all before the newest are picked; measured 12 to 130 ms on the bench).
  TAG: {
    where: '(p.tags && (select tags from ft)) is true',
    reason: FeedReasonKind.FOLLOWED_TAG,
    any: 'cardinality((select tags from ft)) > 0',
  },
  // A followed channel is one of the member's communities' (`fc`), whose posts COMMUNITY reads:
  // FOLLOWING names it as the reason; FOR_YOU takes its posts as candidates and adds the follow bonus.
  CHANNEL: {
    where: '(p.channel_id in (select channel_id from fc)) is true',
    reason: FeedReasonKind.FOLLOWED_CHANNEL,
    any: 'exists (select 1 from fc)',
    followingBranch: false,
  },
  COMMUNITY: {
    where: 'p.community_id in (select community_id from mine)',
    reason: FeedReasonKind.MEMBER_OF_COMMUNITY,
    per: { from: 'mine m', on: 'p.community_id = m.community_id' },
  },
};

/**
 * The viewer's follows and memberships as CTEs (`$1`: the viewer): `mine` their communities (not
 * banned from), `fm` the members they follow, `ft` the tags they follow (one array), `fc` the
 * channels they follow in those communities (following a channel takes membership: a follow left
 * from before a member left counts for nothing).
 */
const FOLLOW_CTES = `mine as (select m.community_id from members m where m.user_id = $1
                      and not exists (select 1 from bans b where b.community_id = m.community_id and b.user_id = $1
                                        and (b.until is null or b.until > now()))),
  fm as (select followed_id from member_follows where follower_id = $1),
  ft as (select coalesce(array_agg(tag), '{}'::text[]) as tags from tag_follows where user_id = $1),
  fc as (select cs.channel_id from channel_subscriptions cs join channels ch on ch.id = cs.channel_id
          where cs.user_id = $1 and cs.state = 'FOLLOWING' and ch.community_id in (select community_id from mine))`;

/**
 * What no personal feed lists (`p` a post, `c` its community, `$1` the viewer): deleted and hidden
 * posts, posts of communities the viewer may not read (readable: PUBLIC, as for anyone, or one they
 * belong to and are not banned from: `mine`), posts in channels whose reading gate the viewer does
 * not pass (the rule of `canReadChannel`, looked up by the post's channel: only communities with a
 * restricted channel read more than the channel's row) and in channels they muted (see
 * `channelNotInSql`), posts by members they blocked, posts whose thread they muted.
 */
const READABLE = `p.deleted_at is null and p.hidden_at is null
  and (c.visibility = 'PUBLIC' or p.community_id in (select community_id from mine))
  and (not c.restricted_channels or ${readableChannelSql('$1', 'p.channel_id')})
  and ${channelNotInSql('p.channel_id', mutedChannelsSql('$1'))}
  and not exists (select 1 from user_blocks k where k.blocker_id = $1 and k.blocked_id = p.author_id)
  and not exists (select 1 from thread_mutes t where t.user_id = $1 and t.post_id = p.id)`;

/** Columns every page reads: the post, its author (primed in the user loader), the viewer's vote, the reason's names. */
const PAGE_COLUMNS = `p.*, ${AUTHOR_COLUMNS}, v.value as viewer_vote, c.name as community_name,
  (select t from unnest(p.tags) t where t = any((select tags from ft)::text[]) limit 1) as followed_tag,
  p.author_id in (select followed_id from fm) as followed_author,
  (select ch.name from channels ch where ch.id = p.channel_id and ch.id in (select channel_id from fc)) as followed_channel`;

/** The post of a row, primed in the request's loaders. */
function postOf(loaders: Loaders, row: Row): Post {
  const post = postView(takeAuthor(loaders, row));
  loaders.post.prime(post.id, post);
  loaders.viewerPostVote.prime(post.id, (row.viewer_vote as number | null) ?? 0);
  return post;
}

const handleOf = (row: Row) => String(row.a__handle);

/** The reason of a FOLLOWING row: a followed member first, then a followed tag, a followed channel, the community. */
function followingReason(row: Row): FeedReasonView {
  if (row.followed_author) return { kind: FeedReasonKind.FOLLOWED_MEMBER, text: `You follow @${handleOf(row)}` };
  if (row.followed_tag) return { kind: FeedReasonKind.FOLLOWED_TAG, text: `You follow #${String(row.followed_tag)}` };
  if (row.followed_channel)
    return {
      kind: FeedReasonKind.FOLLOWED_CHANNEL,
      text: `You follow ${String(row.followed_channel)} in ${String(row.community_name)}`,
    };
  return { kind: FeedReasonKind.MEMBER_OF_COMMUNITY, text: `You are a member of ${String(row.community_name)}` };
}

/** The reason of a FOR_YOU row, in this order: follows, strong affinities, similar members, popularity, membership. */
function forYouReason(row: Row): FeedReasonView {
  if (row.followed_author || row.followed_tag || row.followed_channel) return followingReason(row);
  const strong = FEED_RANKING.reasonAffinity;
  if (Number(row.a_author) >= strong)
    return { kind: FeedReasonKind.AFFINITY_AUTHOR, text: `You often engage with @${handleOf(row)}` };
  if (Number(row.a_tag) >= strong && row.top_tag)
    return { kind: FeedReasonKind.AFFINITY_TAG, text: `You often engage with #${String(row.top_tag)}` };
  const similar = Number(row.sims);
  if (similar > 0)
    return {
      kind: FeedReasonKind.SIMILAR_MEMBERS,
      text: `Upvoted by ${similar} member${similar === 1 ? '' : 's'} with interests like yours`,
    };
  if (row.popular)
    return { kind: FeedReasonKind.POPULAR_IN_COMMUNITY, text: `Popular in ${String(row.community_name)} this week` };
  return { kind: FeedReasonKind.MEMBER_OF_COMMUNITY, text: `You are a member of ${String(row.community_name)}` };
}

/** The signed-in member the feed is for; bots (acting in one community) have none. */
function feedReader(viewer: Viewer): number {
  if (viewer.userId === null) throw new Unauthenticated('Sign in to see your feed');
  if (viewer.communityScope !== undefined) throw new Forbidden('A bot has no personal feed');
  return viewer.userId;
}

/** The arguments of `personalFeed`. */
export interface PersonalFeedArgs {
  mode: FeedMode;
  first?: number | null;
  after?: string | null;
}

/** `personalFeed`: FOLLOWING or FOR_YOU (see each). One statement either way, whatever `first`. */
export function personalFeed(em: EntityManager, loaders: Loaders, viewer: Viewer, args: PersonalFeedArgs) {
  const userId = feedReader(viewer);
  return args.mode === FeedMode.FOLLOWING
    ? followingFeed(em, loaders, userId, args)
    : forYouFeed(em, loaders, userId, args);
}

/** SQL: an instant from its microseconds since 1970 (a cursor's text), exactly. */
const fromMicros = (param: string) => `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;
const MICROS = `(extract(epoch from p.created_at) * 1000000)::bigint::text as at_us`;

/**
 * FOLLOWING: the posts of every source (FOLLOW_SOURCES), newest first by (created_at, id), keyset
 * paged: a cursor is the last item's (created_at in microseconds, id), so posts arriving meanwhile
 * (newer than page 1) never shift page 2. Each source reads its newest `first + 1` posts below the
 * cursor (its own index), and the merge keeps the newest `first + 1`.
 */
async function followingFeed(
  em: EntityManager,
  loaders: Loaders,
  userId: number,
  args: PersonalFeedArgs,
): Promise<ConnectionShape<FeedItemView>> {
  const page = forwardPage(args);
  const params: unknown[] = [userId, page.size + 1];
  let keyset = 'true';
  if (page.after !== null) {
    const [mode, at, id] = decodeCursor(page.after, ['string', 'string', 'number']);
    if (mode !== FeedMode.FOLLOWING || !/^-?\d{1,17}$/.test(String(at)))
      throw new BadInput('This cursor is not one of the FOLLOWING feed', 'after');
    params.push(at, id);
    keyset = `(p.created_at, p.id) < (${fromMicros('$3')}, $4)`;
  }
  const newest = (where: string) =>
    `select p.id, p.created_at from posts p join communities c on c.id = p.community_id
      where ${where} and ${keyset} and ${READABLE} order by p.created_at desc, p.id desc limit $2`;
  const branches = Object.values(FOLLOW_SOURCES)
    .filter((s) => s.followingBranch !== false)
    .map((s) =>
      s.per
        ? `(select x.id, x.created_at from ${s.per.from} cross join lateral (${newest(s.per.on)}) x
           order by x.created_at desc, x.id desc limit $2)`
        : `(${newest(s.where)})`,
    );
  const rows = await fastSql(
    em,
    `with ${FOLLOW_CTES},
       cand as (select distinct id, created_at from (${branches.join(' union all ')}) b
                 order by created_at desc, id desc limit $2)
     select ${PAGE_COLUMNS}, ${MICROS}
       from cand x join posts p on p.id = x.id join users u on u.id = p.author_id
       join communities c on c.id = p.community_id
       left join votes v on v.post_id = p.id and v.user_id = $1
      order by p.created_at desc, p.id desc`,
    params,
  );
  const more = rows.length > page.size;
  const items = rows.slice(0, page.size).map((row) => ({
    node: { post: postOf(loaders, row), reason: followingReason(row) },
    cursor: encodeCursor([FeedMode.FOLLOWING, String(row.at_us), Number(row.id)]),
  }));
  return connection(items, more, page.after !== null);
}

function connection(edges: Edge<FeedItemView>[], hasNextPage: boolean, hasPreviousPage: boolean) {
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** Where a FOR_YOU page starts: the ranking's as-of time, the last (rank, id) read, the ids held back. */
interface ForYouCursor {
  asOf: number;
  rank: number | null;
  id: number;
  deferred: number[];
  /** The runs the page ended on: its author and its channel (DIVERSITY) with their lengths, so the rule holds across pages. */
  runAuthor: number;
  runLength: number;
  runChannel: number;
  runChannelLength: number;
}

function encodeForYou(c: ForYouCursor): string {
  const deferred = c.deferred.map((i) => i.toString(36)).join('.');
  return encodeCursor([
    FeedMode.FOR_YOU,
    c.asOf,
    c.rank ?? 0,
    c.id,
    deferred,
    c.runAuthor,
    c.runLength,
    c.runChannel,
    c.runChannelLength,
  ]);
}

function decodeForYou(cursor: string): ForYouCursor {
  const [mode, asOf, rank, id, deferred, runAuthor, runLength, runChannel, runChannelLength] = decodeCursor(cursor, [
    'string',
    'timestamp',
    'float',
    'number',
    'string',
    'number',
    'number',
    'number',
    'number',
  ]);
  if (mode !== FeedMode.FOR_YOU || !/^([0-9a-z]{1,7}(\.[0-9a-z]{1,7})*)?$/.test(String(deferred)))
    throw new BadInput('This cursor is not one of the FOR_YOU feed', 'after');
  const held = String(deferred)
    ? String(deferred)
        .split('.')
        .map((s) => parseInt(s, 36))
    : [];
  if (held.some((i) => i > INT_MAX)) throw new BadInput('This cursor is not one of the FOR_YOU feed', 'after');
  return {
    asOf: asOf as number,
    rank: rank as number,
    id: id as number,
    deferred: held,
    runAuthor: runAuthor as number,
    runLength: runLength as number,
    runChannel: runChannel as number,
    runChannelLength: runChannelLength as number,
  };
}

/**
 * FOR_YOU: candidates from the viewer's follows and communities (their most upvoted of the week
 * among them), and the posts their similar members upvoted, all of the FEED_RANKING.windowDays
 * before the as-of time; ranked (README, Feeds):
 *
 *   rank = (1 + A + F + S) · ln(2 + max(score, 0) + comments / 2) · 0.5 ^ (age in hours / 24)
 *
 * A: the viewer's affinities to the post's community, author and strongest tag, each as
 * weight · a / (a + 5); F: 1 from a followed member or tag; S: 0.25 per similar member who upvoted
 * it (at most 4). The rank is computed in double precision (float8): the cursor carries it exactly
 * (a JavaScript number is a double), and ln and power of a double cost nanoseconds where a numeric's
 * cost microseconds (9 of the 24 ms the statement took on the bench database). Then the diversity rule: no more than FEED_RANKING.maxRun items in a row from one
 * author; an item that would break it is held back until another author's item has come. The page
 * is one statement: the cursor carries the as-of time (page 2 ranks at the same instant, over the
 * posts written before it, so new posts shift nothing), the last (rank, id) taken from the ranked
 * list and the ids held back, so that page 2 is what ranks below plus what was held back: nothing
 * repeats, nothing is skipped as posts arrive. The ranking is not frozen otherwise: a post whose
 * score (or the viewer's affinity to it) changes between two requests enough to cross the cursor's
 * rank may be listed twice or not at all.
 */
async function forYouFeed(
  em: EntityManager,
  loaders: Loaders,
  userId: number,
  args: PersonalFeedArgs,
): Promise<ConnectionShape<FeedItemView>> {
  const page = forwardPage(args);
  const start: ForYouCursor =
    page.after !== null
      ? decodeForYou(page.after)
      : {
          asOf: Date.now(),
          rank: null,
          id: 0,
          deferred: [],
          runAuthor: 0,
          runLength: 0,
          runChannel: 0,
          runChannelLength: 0,
        };
  const asOf = new Date(start.asOf);
  // Enough to fill the page while some items are held back; constant statements whatever `first`.
  const fetch = page.size * 2 + FEED_RANKING.maxDeferred + 1;
  const R = FEED_RANKING;
  const since = `$2::timestamptz - make_interval(days => ${R.windowDays})`;
  const inWindow = `p.created_at > ${since} and p.created_at <= $2::timestamptz`;
  const cap = R.candidatesPerSource;
  // The viewer's affinity of a kind to the candidate's target, decayed to the as-of time: a lookup in
  // the primary key per candidate (tags: the strongest of the post's, from `ta`).
  const affinityOf = (kind: AffinityKind, target: string) =>
    `select f.score * ${decay('f.updated_at', '$2::timestamptz')} as s from feed_affinities f
      where f.user_id = $1 and f.kind = '${kind}' and f.target = ${target}`;
  const affinity = (alias: string, kind: AffinityKind) =>
    `${R.affinityWeights[kind]} * coalesce(${alias}, 0) / (coalesce(${alias}, 0) + ${R.affinityScale})`;
  const sources = [
    ...Object.entries(FOLLOW_SOURCES).map(
      ([name, s]) =>
        `(select p.id, false as popular, 0 as sims from posts p where ${s.where} and ${inWindow}${s.any ? ` and ${s.any}` : ''}
           order by p.${name === 'COMMUNITY' ? 'hot' : 'created_at'} desc limit ${cap})`,
    ),
    `(select p.id, true, 0 from posts p where p.community_id in (select community_id from mine) and ${inWindow}
       and p.score >= ${R.popularMinScore} order by p.score desc limit ${R.popularPosts})`,
    `(select v.post_id, false, 1 from feed_similar_members s join votes v on v.user_id = s.similar_id
       where s.user_id = $1 and v.post_id is not null and v.value > 0 and v.created_at > ${since}
         and v.created_at <= $2::timestamptz limit ${cap})`,
  ];
  const rows = await fastSql(
    em,
    `with ${FOLLOW_CTES},
       -- The viewer's tag affinities, as two arrays (a post's tags are looked up in them).
       ta as materialized (select coalesce(array_agg(target), '{}') as tags,
                     coalesce(array_agg(score * ${decay('updated_at', '$2::timestamptz')}), '{}') as s
                from feed_affinities where user_id = $1 and kind = '${AffinityKind.TAG}'),
       cand as (select id, bool_or(popular) as popular, sum(sims)::int as sims
                  from (${sources.join(' union all ')}) x group by id),
       ranked as (
         select p.id, x.popular, x.sims, ac.s as a_community, aa.s as a_author, at.s as a_tag, at.tag as top_tag,
                (1 + ${affinity('ac.s', AffinityKind.COMMUNITY)} + ${affinity('ach.s', AffinityKind.CHANNEL)}
                   + ${affinity('aa.s', AffinityKind.AUTHOR)}
                   + ${affinity('at.s', AffinityKind.TAG)}
                   + case when ${FOLLOW_SOURCES.MEMBER.where} or ${FOLLOW_SOURCES.TAG.where}
                            or ${FOLLOW_SOURCES.CHANNEL.where} then ${R.followBonus} else 0 end
                   + ${R.similarBonus} * least(x.sims, ${R.similarCap}))
                * ln(2 + greatest(p.score, 0) + p.comment_count / 2.0::float8)
                * power(0.5, extract(epoch from ($2::timestamptz - p.created_at))::float8 / ${R.halfLifeHours * 3600}) as rank
           from cand x join posts p on p.id = x.id join communities c on c.id = p.community_id
           left join lateral (${affinityOf(AffinityKind.COMMUNITY, 'p.community_id::text')}) ac on true
           left join lateral (${affinityOf(AffinityKind.CHANNEL, 'p.channel_id::text')}) ach on true
           left join lateral (${affinityOf(AffinityKind.AUTHOR, 'p.author_id::text')}) aa on true
           left join lateral (select ta.s[array_position(ta.tags, t.tag)] as s, t.tag from ta cross join unnest(p.tags) t(tag)
                               where t.tag = any(ta.tags) order by 1 desc limit 1) at on true
          where p.author_id <> $1 and ${inWindow} and ${READABLE}),
       page as (select * from ranked
                 where ($3::float8 is null or (rank, id) < ($3::float8, $4::int)) or id = any($5::int[])
                 order by rank desc, id desc limit $6)
     select ${PAGE_COLUMNS}, r.rank, r.popular, r.sims, r.a_author, r.a_tag, r.top_tag
       from page r join posts p on p.id = r.id join users u on u.id = p.author_id
       join communities c on c.id = p.community_id
       left join votes v on v.post_id = p.id and v.user_id = $1
      order by r.rank desc, r.id desc`,
    [userId, asOf, start.rank, start.id, start.deferred, fetch],
  );
  const held = new Set(start.deferred);
  const pending = rows.filter((r) => held.has(Number(r.id)));
  const stream = rows.filter((r) => !held.has(Number(r.id)));
  const exhausted = rows.length < fetch;
  const edges: Edge<FeedItemView>[] = [];
  let boundary = { rank: start.rank, id: start.id };
  // The runs of items by one author and in one channel so far (carried over from the page before).
  const runs = {
    author: { key: start.runAuthor, length: start.runLength },
    channel: { key: start.runChannel, length: start.runChannelLength },
  };
  /** The rules `row` would break if taken now: 0 none, 1 the channel's only, 2 the author's. */
  const breaks = (row: Row) => {
    const broken = DIVERSITY.filter((d) => runs[d.run].length >= d.max && Number(row[d.column]) === runs[d.run].key);
    return broken.some((d) => d.run === 'author') ? 2 : broken.length ? 1 : 0;
  };
  const take = (row: Row) => {
    for (const d of DIVERSITY) {
      const run = runs[d.run];
      const key = Number(row[d.column]);
      if (key === run.key) run.length += 1;
      else Object.assign(run, { key, length: 1 });
    }
    edges.push({
      node: { post: postOf(loaders, row), reason: forYouReason(row) },
      cursor: '', // set below, once the state after this item is known
    });
  };
  /** Takes the held item that breaks the least (the highest ranked among equals): the rules yield, the channel's first. */
  const yieldTo = () => {
    let best = 0;
    for (let i = 1; i < pending.length; i++) if (breaks(pending[i]) < breaks(pending[best])) best = i;
    take(pending.splice(best, 1)[0]);
  };
  const cursorNow = () =>
    encodeForYou({
      asOf: start.asOf,
      rank: boundary.rank,
      id: boundary.id,
      deferred: pending.map((r) => Number(r.id)),
      runAuthor: runs.author.key,
      runLength: runs.author.length,
      runChannel: runs.channel.key,
      runChannelLength: runs.channel.length,
    });
  while (edges.length < page.size) {
    const fits = pending.findIndex((r) => breaks(r) === 0);
    if (fits >= 0) {
      take(pending.splice(fits, 1)[0]);
    } else if (stream.length) {
      const row = stream.shift()!;
      boundary = { rank: Number(row.rank), id: Number(row.id) };
      if (breaks(row) === 0) take(row);
      else {
        pending.push(row); // held, ranked below every held item
        if (pending.length > R.maxDeferred) yieldTo();
      }
    } else if (pending.length && exhausted) {
      // Nothing else is left to put between them: the rules yield.
      yieldTo();
    } else break;
    if (edges.length) edges[edges.length - 1].cursor = cursorNow();
  }
  const hasNextPage = pending.length > 0 || stream.length > 0 || !exhausted;
  return connection(edges, hasNextPage, page.after !== null);
}
