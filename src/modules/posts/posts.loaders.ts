import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql, sql } from '../../platform/database/sql';
import { byIdLoader } from '../../platform/by-id-loader';
import { idRange, idRangeKey, type IdRange } from '../../platform/pagination';
import { PrimedLoader } from '../../platform/primed-loader';
import type { Viewer } from '../identity/viewer';
import { Comment, Post } from './posts.entity';
import { POST_LIMITS, type ReactionCount } from './posts.inputs';
import { AUTHOR_COLUMNS, AUTHOR_HANDLE_COLUMNS } from '../identity/user-views';

/**
 * One page of a thread level: top-level comments of a post (`parentId` null) or replies to a
 * comment, of comment ids in the range (oldest first; read backwards, newest first).
 */
export interface CommentsPageKey extends IdRange {
  postId: number;
  parentId: number | null;
  /** Whether to read `body_html` (asked for by the selection); the comments' `bodyHtml` reads it when it was not. */
  html: boolean;
  /**
   * A preview's page (see `LEAN_COMMENT_FIELDS`): the rows hold LEAN_COMMENT_COLUMNS only, and
   * their authors' id and handle (AUTHOR_HANDLE_COLUMNS); such comments are not primed in the
   * request's comment and user loaders. False: whole rows.
   */
  lean: boolean;
}

/** How a comment page is read: `bodyHtml` or not, lean or not (see CommentsPageKey). */
export type CommentPageShape = Pick<CommentsPageKey, 'html' | 'lean'>;

/** A page's size, range and shape: what pages read in one statement share (see `commentsPageLoader`). */
const shapeKey = (k: CommentsPageKey) => `${idRangeKey(k)}:${k.html ? 'h' : ''}${k.lean ? 'l' : ''}`;

const pageKey = (k: CommentsPageKey) => `${k.postId}:${k.parentId ?? ''}:${shapeKey(k)}`;

/**
 * The fields of `Comment` a lean page (CommentsPageKey.lean) answers: every field but the
 * timestamps and the viewer's permissions (whose rules may read any column). `author` too, when it
 * is asked for LISTED_AUTHOR_FIELDS only.
 */
export const LEAN_COMMENT_FIELDS: ReadonlySet<string> = new Set([
  '__typename',
  'id',
  'hidden',
  'viewerBlockedAuthor',
  'cursor',
  'bodyHtml',
  'author',
  'post',
  'parent',
  'replies',
  'viewerVote',
  'reactions',
  'body',
  'depth',
  'score',
  'replyCount',
  'featured',
]);

/**
 * The columns of `comments` a lean page reads (`body_html` aside): those LEAN_COMMENT_FIELDS read,
 * whichever of them are asked for. One set, not one per selection: a statement's text must not
 * vary with what a client selects, or clients could fill the bounded table of prepared statement
 * names (see `preparedName` in sql.ts) with texts of their own.
 */
const LEAN_COMMENT_COLUMNS = [
  'id',
  'post_id',
  'parent_id',
  'author_id',
  'body',
  'depth',
  'score',
  'reply_count',
  'featured',
  'deleted_at',
  'hidden_at',
];

/** Every column of `comments` that a comment view reads but `body_html`. */
const COMMENT_COLUMNS_WITHOUT_HTML = [
  'id',
  'post_id',
  'parent_id',
  'author_id',
  'body',
  'depth',
  'score',
  'reply_count',
  'featured',
  'created_at',
  'edited_at',
  'deleted_at',
  'hidden_at',
]
  .map((c) => `c.${c}`)
  .join(', ');

/**
 * One page of a thread level, with its authors' `a__` columns: the comments whose `partition` column
 * (`post_id` for top-level comments, `parent_id` for replies) equals `of` (an SQL expression), with
 * an id above `above` and below `below` (SQL expressions), at most `limit` of them, oldest first
 * (`fetch` asc) or newest first (`desc`, a page read backwards). The one definition of a page's rows,
 * read by `commentsPageLoader` for many posts at once and by post listings with their posts.
 */
function commentsPageSql(
  partition: 'post_id' | 'parent_id',
  of: string,
  range: { above: string; below: string; limit: string; fetch: 'asc' | 'desc' },
  { html, lean }: CommentPageShape,
): string {
  const columns = !lean
    ? `${html ? 'c.*' : COMMENT_COLUMNS_WITHOUT_HTML}, ${AUTHOR_COLUMNS}`
    : [...LEAN_COMMENT_COLUMNS, ...(html ? ['body_html'] : [])]
        .map((c) => `c.${c}`)
        .concat(AUTHOR_HANDLE_COLUMNS)
        .join(', ');
  return `select ${columns}
            from comments c join users u on u.id = c.author_id
           where c.${partition} = ${of} ${partition === 'post_id' ? 'and c.parent_id is null' : ''}
             and c.id > ${range.above} and c.id < ${range.below}
           order by c.id ${range.fetch} limit ${range.limit}`;
}

/**
 * A post listing's column (alias `first_comments`) holding the first page of each post's top-level
 * comments (`p` is the post): a JSON array of the rows `commentsPageLoader` reads for that page
 * (`range`, whose `size` is the page's; `limit` one more than the page), for the listing to prime the
 * loader with. JSON's timestamps are ISO text, which `timestamp()` reads as well.
 */
export function firstCommentsColumn(limit: string, range: IdRange, shape: CommentPageShape): string {
  const bounds = { above: String(range.above), below: String(range.below), limit, fetch: range.fetch };
  return `(select coalesce(json_agg(fc order by fc.id ${range.fetch}), '[]'::json)
             from (${commentsPageSql('post_id', 'p.id', bounds, shape)}) fc) as first_comments`;
}

/**
 * Comment pages for many posts (or parents) in one statement, oldest first (newest first for pages
 * read backwards), with their authors joined (the rows carry `a__` columns).
 */
function commentsPageLoader(em: EntityManager) {
  return new PrimedLoader<CommentsPageKey, Record<string, unknown>[], string>(
    async (keys) => {
      const result = new Map<string, Record<string, unknown>[]>();
      const groups = new Map<string, CommentsPageKey[]>();
      for (const k of keys) {
        const g = `${k.parentId === null ? 'post' : 'parent'}:${shapeKey(k)}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      for (const group of groups.values()) {
        const { html, lean } = group[0];
        const range = idRange(group[0]);
        const topLevel = group[0].parentId === null;
        const ids = group.map((k) => (topLevel ? k.postId : k.parentId!));
        const partition = topLevel ? 'post_id' : 'parent_id';
        const bounds = { above: '$2', below: '$3', limit: '$4', fetch: range.fetch };
        // One index range scan per thread level (LATERAL … LIMIT), rather than numbering every
        // comment of every post with a window function: ~5x cheaper on long threads.
        const rows = await fastSql(
          em,
          `select p.* from unnest($1::int[]) as k(id)
             cross join lateral (${commentsPageSql(partition, 'k.id', bounds, { html, lean })}) p
            order by p.${partition}, p.id ${range.fetch}`,
          [ids, range.above, range.below, range.size + 1],
        );
        for (const row of rows) {
          const key = pageKey({
            postId: row.post_id as number,
            parentId: topLevel ? null : (row.parent_id as number),
            html,
            lean,
            ...range,
          });
          result.set(key, [...(result.get(key) ?? []), row]);
        }
      }
      return keys.map((k) => result.get(pageKey(k)) ?? []);
    },
    { cacheKeyFn: pageKey },
  );
}

/** The viewer's vote (-1, 0, 1) on each post or comment. */
function viewerVoteLoader(em: EntityManager, viewer: Viewer, column: 'post_id' | 'comment_id') {
  return new PrimedLoader<number, number>(async (ids) => {
    if (viewer.userId === null) return ids.map(() => 0);
    const rows: { subject: number; value: number }[] = await sql(
      em,
      `select ${column} as subject, value from votes where user_id = ? and ${column} in (${ids.map(() => '?').join(', ')})`,
      [viewer.userId, ...ids],
    );
    const map = new Map(rows.map((r) => [r.subject, r.value]));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/**
 * Reaction counts per emoji for each post or comment, with whether the viewer reacted: the
 * POST_LIMITS.reactionsShown most used emoji, most used first, ties in the order they were first used
 * (not by collation, which varies by database).
 */
function reactionsLoader(em: EntityManager, viewer: Viewer, column: 'post_id' | 'comment_id') {
  return new DataLoader<number, ReactionCount[]>(async (ids) => {
    const rows: { subject: number; emoji: string; count: number; mine: boolean }[] = await sql(
      em,
      `select subject, emoji, count, mine from (
         select ${column} as subject, emoji, count(*)::int as count, bool_or(user_id = ?) as mine,
                row_number() over (partition by ${column} order by count(*) desc, min(id)) as place
           from reactions where ${column} in (${ids.map(() => '?').join(', ')})
          group by ${column}, emoji
       ) counted where place <= ? order by subject, place`,
      [viewer.userId ?? 0, ...ids, POST_LIMITS.reactionsShown],
    );
    const map = new Map<number, ReactionCount[]>();
    for (const r of rows)
      map.set(r.subject, [...(map.get(r.subject) ?? []), { emoji: r.emoji, count: r.count, viewerReacted: r.mine }]);
    return ids.map((id) => map.get(id) ?? []);
  });
}

/** The texts of posts or comments by id, for views read without them (listings that did not ask for them). */
export interface Texts {
  body: string;
  bodyHtml: string;
}

function textsLoader(em: EntityManager, table: 'posts' | 'comments') {
  return new DataLoader<number, Texts>(async (ids) => {
    const rows = await fastSql<{ id: number; body: string; body_html: string }>(
      em,
      `select id, body, body_html from ${table} where id = any($1::int[])`,
      [[...ids]],
    );
    const texts = new Map(rows.map((r) => [r.id, { body: r.body, bodyHtml: r.body_html }]));
    return ids.map((id) => texts.get(id) ?? new Error(`No row ${id} in ${table}`));
  });
}

/** Per-request loaders of the posts domain. */
export function createPostLoaders(em: EntityManager, viewer: Viewer) {
  return {
    post: byIdLoader(em, Post),
    comment: byIdLoader(em, Comment),
    commentsPage: commentsPageLoader(em),
    postTexts: textsLoader(em, 'posts'),
    commentTexts: textsLoader(em, 'comments'),
    viewerPostVote: viewerVoteLoader(em, viewer, 'post_id'),
    viewerCommentVote: viewerVoteLoader(em, viewer, 'comment_id'),
    postReactions: reactionsLoader(em, viewer, 'post_id'),
    commentReactions: reactionsLoader(em, viewer, 'comment_id'),
  };
}
