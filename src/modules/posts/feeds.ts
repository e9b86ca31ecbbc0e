import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from '../../platform/database/sql';
import { BadInput, Unauthenticated } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import {
  decodeCursor,
  idRange,
  pageRequest,
  toConnection,
  type ConnectionShape,
  type IdRange,
} from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { assertCanReadContent } from '../communities/communities.service';
import type { Viewer } from '../identity/viewer';
import { Post } from './posts.entity';
import { PostOrder, type PostsArgs } from './posts.inputs';
import { normalizeTag } from './posts.service';
import { AUTHOR_COLUMNS, AUTHOR_HANDLE_COLUMNS, handleAuthor, takeAuthor } from '../identity/user-views';
import { postView } from './rows';
import type { Channel } from '../channels/channels.entity';
import { channelNotInSql, mutedChannelsSql, unreadableChannelsSql } from '../channels/channels.service';
import { firstCommentsColumn, type CommentPageShape } from './posts.loaders';

/** The sort key of each ordering, after `pinned` and before `id` (all descending). */
const SORT_COLUMN: Record<PostOrder, string | null> = {
  [PostOrder.NEW]: null,
  [PostOrder.TOP]: 'score',
  [PostOrder.HOT]: 'hot',
};

/** Every column of `posts` that a post view reads but its texts (`body`, `body_html`). */
const POST_COLUMNS_WITHOUT_TEXT = [
  'id',
  'community_id',
  'channel_id',
  'author_id',
  'title',
  'tags',
  'score',
  'hot',
  'comment_count',
  'top_level_comment_count',
  'pinned',
  'locked',
  'created_at',
  'edited_at',
  'deleted_at',
  'hidden_at',
]
  .map((c) => `p.${c}`)
  .join(', ');

/** What a listing's selection asks of its posts beyond their columns (see `listingReads` in posts.resolver.ts). */
export interface ListingReads {
  /** Their texts (`body`, `bodyHtml`). */
  text: boolean;
  /**
   * Their `author` is asked for its id and handle at most (LISTED_AUTHOR_FIELDS): the posts read
   * those two columns of it (AUTHOR_HANDLE_COLUMNS) and keep it on their views (LISTED_AUTHOR).
   * Posts whose texts are read are primed in the post loader, so they read their authors whole.
   */
  authorHandles: boolean;
  /**
   * They ask for LEAN_POST_FIELDS only: the posts read LEAN_POST_COLUMNS. Posts read without their
   * texts are primed in no loader, so the page's fields are all that reads them.
   */
  lean: boolean;
  /**
   * The first page of top-level comments that the listing's nodes select (`comments(first)` with no
   * `after`, `last` or `before`), read in the posts' statement and primed in the comments page loader;
   * null when they select none, or several different ones (each page then comes from the loader's own
   * statement).
   */
  firstComments: (IdRange & CommentPageShape) | null;
}

/** Everything a post view holds, and no comments. */
const READ_POSTS: ListingReads = { text: true, authorHandles: false, lean: false, firstComments: null };

/**
 * The fields of `Post` a lean listing (ListingReads.lean) answers: not the timestamps, nor the
 * viewer's permissions (whose rules may read any column), nor the texts (whose posts are read whole).
 */
export const LEAN_POST_FIELDS: ReadonlySet<string> = new Set([
  '__typename',
  'id',
  'hidden',
  'viewerBlockedAuthor',
  'author',
  'community',
  'comments',
  'viewerVote',
  'reactions',
  'title',
  'tags',
  'score',
  'commentCount',
  'pinned',
  'locked',
]);

/**
 * The columns of `posts` a lean listing reads: its keyset, its relations and those of
 * LEAN_POST_FIELDS, whichever are asked for (one set: see LEAN_COMMENT_COLUMNS on why).
 */
const LEAN_POST_COLUMNS = [
  'id',
  'community_id',
  'channel_id',
  'author_id',
  'title',
  'tags',
  'score',
  'hot',
  'comment_count',
  'top_level_comment_count',
  'pinned',
  'locked',
  'deleted_at',
  'hidden_at',
]
  .map((c) => `p.${c}`)
  .join(', ');

/**
 * Which posts a listing covers: a community's (less the channels the viewer may not read, and those
 * they muted), a channel's, or those of every community a member belongs to (less the channels
 * they may not read there).
 */
export type PostScope =
  | {
      communityId: number;
      /** The community has channels that restrict something (`restrictedChannels`): leave out those the viewer may not read. */
      restrictedChannels?: boolean;
    }
  | { channelId: number }
  | { memberUserId: number };

/** A post's cursor: the ordering it belongs to, then its keyset (pinned, key, id). */
function keyOf(order: PostOrder, post: Post): (string | number)[] {
  const column = SORT_COLUMN[order];
  const pinned = post.pinned ? 1 : 0;
  return column ? [order, pinned, Number(post[column as 'score' | 'hot']), post.id] : [order, pinned, post.id];
}

/** The keyset of a cursor (`field`: `after` or `before`); BAD_USER_INPUT naming it when it is not a cursor of this ordering. */
function keysetOf(order: PostOrder, cursor: string, field: 'after' | 'before'): number[] {
  // TOP's key is an int score, HOT's a double.
  const sortKey = order === PostOrder.HOT ? 'float' : 'number';
  const [cursorOrder, ...key] = decodeCursor(
    cursor,
    SORT_COLUMN[order] ? ['string', 'flag', sortKey, 'number'] : ['string', 'flag', 'number'],
    field,
  );
  if (cursorOrder !== order)
    throw new BadInput(`This cursor belongs to the ${String(cursorOrder)} ordering, not ${order}`, field);
  return key as number[];
}

/** `Community.posts`: members only for a RESTRICTED or PRIVATE community (FORBIDDEN for who sees its profile only, NOT_FOUND for who does not see it). */
export async function communityPosts(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  args: PostsArgs,
  reads = READ_POSTS,
) {
  await assertCanReadContent(loaders, viewer, community);
  const restrictedChannels = community.restrictedChannels && !viewer.isAdmin;
  return listPosts(em, loaders, viewer, { communityId: community.id, restrictedChannels }, args, reads);
}

/** `Channel.posts`: the channel's posts; the caller checked that the viewer may read the channel (`readableChannel`). */
export async function channelPosts(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  channel: Channel,
  args: PostsArgs,
  reads = READ_POSTS,
) {
  loaders.cacheScope.community(channel.community.id);
  return listPosts(em, loaders, viewer, { channelId: channel.id }, args, reads);
}

/** `feed`: posts from every community the signed-in viewer belongs to. */
export async function viewerFeed(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  args: PostsArgs,
  reads = READ_POSTS,
) {
  if (viewer.userId === null) throw new Unauthenticated('Sign in to see your feed');
  return listPosts(em, loaders, viewer, { memberUserId: viewer.userId }, args, reads);
}

/**
 * One page of posts, pinned first, then by the ordering, then newest: keyset pagination on
 * (pinned, key, id), so posts arriving meanwhile never repeat or skip an item across pages. Every
 * ordering pages both ways: its key is a column (`score`, `hot`), read up the same index backwards.
 * One statement brings the posts, their authors and the viewer's votes (priming the loaders).
 * Deleted posts are left out of listings (they stay reachable by id, with their thread).
 * Without `reads.text` (no `body` or `bodyHtml` asked for), the texts are not read: most of a
 * feed's bytes, which the driver would decode for nothing. Such posts are not primed in the post
 * loader, and `Post.body`/`bodyHtml` read the texts of any that reach them (see `postText`).
 * With `reads.firstComments`, each post's first page of comments comes in the same statement, as
 * JSON (one statement fewer per listing, and parsed natively rather than field by field).
 */
export async function listPosts(
  em: EntityManager,
  loaders: Loaders,
  viewer: Viewer,
  scope: PostScope,
  args: PostsArgs,
  reads = READ_POSTS,
) {
  const params: unknown[] = [];
  const listing = postListing(loaders, viewer, scope, args, reads, params);
  return listing.finish(await fastSql(em, listing.sql, params));
}

/** A page of posts as one statement (`sql`, its parameters appended to `params`) and what makes the connection of its rows. */
export interface PostListing {
  sql: string;
  /** The keyset of the page's rows, as `sql` orders them, for wrapping it (`l` being its rows). */
  order: string;
  finish(rows: Record<string, unknown>[]): ConnectionShape<Post>;
}

/**
 * The statement of `listPosts` and how its rows become the page (priming the request's loaders),
 * for `listPosts` itself and for reading the page inside another statement: `{ communitySql }`
 * lists the posts of the community that SQL expression names (see `communityPostsRider`). Throws
 * BAD_USER_INPUT for a cursor of another ordering or a malformed tag, before anything is read.
 */
export function postListing(
  loaders: Loaders,
  viewer: Viewer,
  scope: PostScope | { communitySql: string },
  args: PostsArgs,
  reads: ListingReads,
  params: unknown[],
): PostListing {
  const withText = reads.text;
  const authorHandles = reads.authorHandles && !withText;
  const lean = reads.lean && !withText;
  const order = args.orderBy ?? PostOrder.HOT;
  const column = SORT_COLUMN[order];
  const page = pageRequest(args);
  // The viewer's votes: none for an anonymous reader.
  let votes = '';
  if (viewer.userId !== null) {
    params.push(viewer.userId);
    votes = `left join votes v on v.post_id = p.id and v.user_id = $${params.length}`;
  }
  const where = ['p.deleted_at is null'];
  /** The feed's answer depends on every community of the viewer, not only those on the page (response cache): listed in each row. */
  let feedCommunities = '';
  // A community's feeds leave out the channels the viewer muted (an InitPlan: no statement more).
  const muted = () => {
    if (viewer.userId === null) return;
    params.push(viewer.userId);
    where.push(channelNotInSql('p.channel_id', mutedChannelsSql(`$${params.length}`)));
  };
  if ('communitySql' in scope) {
    where.push(`p.community_id = ${scope.communitySql}`);
    // Read with the community (its row not yet in hand): the channels the viewer may not read, in SQL.
    if (!viewer.isAdmin) {
      let user: string | null = null;
      if (viewer.userId !== null) {
        params.push(viewer.userId);
        user = `$${params.length}`;
      }
      where.push(
        channelNotInSql(
          'p.channel_id',
          unreadableChannelsSql(user, (c) => `${c} = ${scope.communitySql}`),
        ),
      );
    }
    muted();
  } else if ('communityId' in scope) {
    where.push(`p.community_id = $${params.length + 1}`);
    params.push(scope.communityId);
    if (scope.restrictedChannels) {
      // In SQL (an InitPlan over the community's few channels): no statement more.
      const community = `$${params.length}`;
      let user: string | null = null;
      if (viewer.userId !== null) {
        params.push(viewer.userId);
        user = `$${params.length}`;
      }
      where.push(
        channelNotInSql(
          'p.channel_id',
          unreadableChannelsSql(user, (c) => `${c} = ${community}`),
        ),
      );
    }
    muted();
  } else if ('channelId' in scope) {
    where.push(`p.channel_id = $${params.length + 1}`);
    params.push(scope.channelId);
  } else {
    const member = `$${params.length + 1}`;
    where.push(`p.community_id in (select m.community_id from members m where m.user_id = ${member})`);
    feedCommunities = `, (select array_agg(m.community_id) from members m where m.user_id = ${member}) as feed_communities`;
    params.push(scope.memberUserId);
    if (!viewer.isAdmin)
      where.push(
        channelNotInSql(
          'p.channel_id',
          unreadableChannelsSql(
            member,
            (c) => `${c} in (select m.community_id from members m where m.user_id = ${member})`,
          ),
        ),
      );
  }
  const tag = args.tag ? normalizeTag(args.tag, 'tag') : null;
  if (tag) {
    where.push(`p.tags @> array[$${params.length + 1}]::text[]`);
    params.push(tag);
  }
  // The list runs down the keyset: `after` a cursor is below it, `before` one above it.
  for (const [field, cursor, op] of [
    ['after', page.after, '<'],
    ['before', page.before, '>'],
  ] as const) {
    if (cursor === null) continue;
    const key = keysetOf(order, cursor, field);
    const [a, b, c] = [params.length + 1, params.length + 2, params.length + 3];
    where.push(
      column
        ? `(p.pinned, p.${column}, p.id) ${op} ($${a}::int::boolean, $${b}, $${c})`
        : `(p.pinned, p.id) ${op} ($${a}::int::boolean, $${b})`,
    );
    params.push(...key);
  }
  params.push(page.size + 1);
  const limit = `$${params.length}`;
  const comments = reads.firstComments;
  let firstComments = '';
  if (comments) {
    params.push(comments.size + 1); // one more than the page, as the loader reads it (hasNextPage)
    firstComments = `, ${firstCommentsColumn(`$${params.length}`, comments, comments)}`;
  }
  // Read backwards, up the keyset (`toConnection` puts the page back in order).
  const dir = page.backward ? 'asc' : 'desc';
  const keyset = (alias: string) =>
    `${alias}.pinned ${dir}, ${column ? `${alias}.${column} ${dir}, ` : ''}${alias}.id ${dir}`;
  const columns = lean ? LEAN_POST_COLUMNS : withText ? 'p.*' : POST_COLUMNS_WITHOUT_TEXT;
  const sql = `select ${columns}, ${votes ? 'v.value' : 'null::int'} as viewer_vote, ${authorHandles ? AUTHOR_HANDLE_COLUMNS : AUTHOR_COLUMNS}${feedCommunities}${firstComments}
       from posts p
       join users u on u.id = p.author_id
       ${votes}
      where ${where.join(' and ')}
      order by ${keyset('p')}
      limit ${limit}`;
  const finish = (rows: Record<string, unknown>[]) => {
    if ('memberUserId' in scope) {
      // No row, no list of communities: the empty page depends on every write.
      if (!rows.length) loaders.cacheScope.everything();
      for (const id of (rows[0]?.feed_communities as number[] | undefined) ?? []) loaders.cacheScope.community(id);
      loaders.cacheScope.member(scope.memberUserId);
    }
    const posts = rows.map((row) => {
      const post = authorHandles ? postView(row, handleAuthor(row)) : postView(takeAuthor(loaders, row));
      const vote = row.viewer_vote;
      if (withText) loaders.post.prime(post.id, post);
      if (viewer.userId !== null) loaders.viewerPostVote.prime(post.id, (vote as number | null) ?? 0);
      if (comments)
        loaders.commentsPage.prime(
          { postId: post.id, parentId: null, html: comments.html, lean: comments.lean, ...idRange(comments) },
          row.first_comments as Record<string, unknown>[],
        );
      return post;
    });
    return toConnection(posts, page, (p) => keyOf(order, p));
  };
  return { sql, order: keyset('l'), finish };
}
