import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import { fastSql, sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound } from '../../platform/errors';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { normalizeTag } from '../posts/posts.service';

/** How many members and tags one may follow. */
export const FOLLOW_LIMITS = { maxMembers: 1000, maxTags: 200 } as const;

/** A tag the viewer follows, with the follow's row id (its cursor). */
export interface FollowedTagRow {
  id: number;
  tag: string;
  createdAt: Date;
}

/**
 * Follows a member: their posts join the viewer's FOLLOWING feed (in the communities the viewer may
 * read). Following twice changes nothing. At most FOLLOW_LIMITS.maxMembers, counted under a lock on
 * the follower's row so the limit holds under concurrent follows.
 */
export async function followMember(ctx: Context, userId: number): Promise<void> {
  const me = requireUser(ctx.viewer);
  if (userId === me) throw new BadInput('You cannot follow yourself', 'userId');
  // An erased account is followed by no one (its erasure removed the follows; its sweep, a racing one).
  const user = await ctx.loaders.user.load(userId);
  if (!user || user.deletedAt) throw new NotFound('User');
  await write(ctx, async (tx) => {
    await sql(tx, 'select id from users where id = ? for update', [me]);
    const [{ n }] = await sql<{ n: number }[]>(
      tx,
      'select count(*)::int as n from member_follows where follower_id = ?',
      [me],
    );
    if (n >= FOLLOW_LIMITS.maxMembers)
      throw new BadInput(`You can follow at most ${FOLLOW_LIMITS.maxMembers} members`, 'userId');
    await sql(
      tx,
      `insert into member_follows (follower_id, followed_id, created_at) values (?, ?, now())
       on conflict (follower_id, followed_id) do nothing`,
      [me, userId],
      'run',
    );
  });
}

/** Stops following a member; false when the viewer did not follow them. */
export async function unfollowMember({ em, viewer }: Context, userId: number): Promise<boolean> {
  const me = requireUser(viewer);
  const rows = await sql<unknown[]>(
    em,
    'delete from member_follows where follower_id = ? and followed_id = ? returning id',
    [me, userId],
  );
  return rows.length > 0;
}

/** Follows a tag (normalized as posts' tags are; BAD_USER_INPUT on `tag` otherwise). Returns the tag. */
export async function followTag(ctx: Context, raw: string): Promise<string> {
  const me = requireUser(ctx.viewer);
  const tag = normalizeTag(raw, 'tag');
  if (!tag) throw new BadInput('tag must not be blank', 'tag');
  await write(ctx, async (tx) => {
    await sql(tx, 'select id from users where id = ? for update', [me]);
    const [{ n }] = await sql<{ n: number }[]>(tx, 'select count(*)::int as n from tag_follows where user_id = ?', [
      me,
    ]);
    if (n >= FOLLOW_LIMITS.maxTags) throw new BadInput(`You can follow at most ${FOLLOW_LIMITS.maxTags} tags`, 'tag');
    await sql(
      tx,
      `insert into tag_follows (user_id, tag, created_at) values (?, ?, now()) on conflict (user_id, tag) do nothing`,
      [me, tag],
      'run',
    );
  });
  return tag;
}

/** Stops following a tag; the normalized tag, and false when the viewer did not follow it. */
export async function unfollowTag({ em, viewer }: Context, raw: string): Promise<{ tag: string; unfollowed: boolean }> {
  const me = requireUser(viewer);
  const tag = normalizeTag(raw, 'tag');
  if (!tag) throw new BadInput('tag must not be blank', 'tag');
  const rows = await sql<unknown[]>(em, 'delete from tag_follows where user_id = ? and tag = ? returning id', [
    me,
    tag,
  ]);
  return { tag, unfollowed: rows.length > 0 };
}

function assertSelf(ctx: Context, userId: number): void {
  if (ctx.viewer.userId !== userId) throw new Forbidden('Only the member themself sees whom they follow');
}

/** `User.following`: the members the user follows, in the order they followed them (the user themself only). */
export async function following(ctx: Context, userId: number, args: PageArgsShape) {
  assertSelf(ctx, userId);
  const { em, loaders } = ctx;
  const page = idPage(args);
  const rows = await fastSql(
    em,
    `select f.id as follow_id, u.* from member_follows f join users u on u.id = f.followed_id
      where f.follower_id = $1 and f.id > $2 and f.id < $3 order by f.id ${page.fetch} limit $4`,
    [userId, page.above, page.below, page.size + 1],
  );
  const users = rows.map(({ follow_id: followId, ...row }) => ({
    followId: followId as number,
    user: em.map(User, row),
  }));
  const connection = toConnection(
    users,
    page,
    (u) => [u.followId],
    () => loaders.followingCount.load(userId),
  );
  return { ...connection, edges: connection.edges.map((e) => ({ node: e.node.user, cursor: e.cursor })) };
}

/** `User.followedTags`: the tags the user follows, in the order they followed them (the user themself only). */
export async function followedTags(ctx: Context, userId: number, args: PageArgsShape) {
  assertSelf(ctx, userId);
  const page = idPage(args);
  const rows = await fastSql<{ id: number; tag: string; created_at: Date }>(
    ctx.em,
    `select id, tag, created_at from tag_follows
      where user_id = $1 and id > $2 and id < $3 order by id ${page.fetch} limit $4`,
    [userId, page.above, page.below, page.size + 1],
  );
  const tags: FollowedTagRow[] = rows.map((r) => ({ id: r.id, tag: r.tag, createdAt: new Date(r.created_at) }));
  return toConnection(
    tags,
    page,
    (t) => [t.id],
    () => ctx.loaders.followedTagCount.load(userId),
  );
}

/** Whether the viewer follows each user (false for everyone when signed out): one statement per batch. */
export function viewerFollowsLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<number, boolean>(async (ids) => {
    if (viewer.userId === null) return ids.map(() => false);
    const rows = await fastSql<{ followed_id: number }>(
      em,
      'select followed_id from member_follows where follower_id = $1 and followed_id = any($2::int[])',
      [viewer.userId, ids],
    );
    const followed = new Set(rows.map((r) => r.followed_id));
    return ids.map((id) => followed.has(id));
  });
}
