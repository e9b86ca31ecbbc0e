import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import { fastSql, sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound } from '../../platform/errors';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import { mentionedHandles } from './automod-engine';

/** How many users one may block. */
export const BLOCK_LIMITS = { maxBlocks: 1000 } as const;

/**
 * Blocks a user: from the next request on, their posts and comments read as hidden to the viewer
 * (`viewerBlockedAuthor`), and they cannot reply to the viewer's posts and comments nor mention
 * them. Blocking twice changes nothing; true once blocked.
 */
export async function blockUser(ctx: Context, userId: number): Promise<boolean> {
  const { loaders, viewer } = ctx;
  const me = requireUser(viewer);
  if (userId === me) throw new BadInput('You cannot block yourself', 'userId');
  if (!(await loaders.user.load(userId))) throw new NotFound('User');
  await write(ctx, async (tx) => {
    // Serialized per blocker, so the limit holds under concurrent blocks.
    await sql(tx, 'select id from users where id = ? for update', [me]);
    const [{ n }] = await sql<{ n: number }[]>(tx, 'select count(*)::int as n from user_blocks where blocker_id = ?', [
      me,
    ]);
    if (n >= BLOCK_LIMITS.maxBlocks)
      throw new BadInput(`You can block at most ${BLOCK_LIMITS.maxBlocks} users`, 'userId');
    await sql(
      tx,
      `insert into user_blocks (blocker_id, blocked_id, created_at) values (?, ?, now())
       on conflict (blocker_id, blocked_id) do nothing`,
      [me, userId],
      'run',
    );
  });
  return true;
}

/** Lifts a block; false when there was none. */
export async function unblockUser({ em, viewer }: Context, userId: number): Promise<boolean> {
  const me = requireUser(viewer);
  const rows = await sql<unknown[]>(
    em,
    'delete from user_blocks where blocker_id = ? and blocked_id = ? returning id',
    [me, userId],
  );
  return rows.length > 0;
}

/** `viewerBlockedUsers`: the users the viewer blocked, in the order they were blocked (paged both ways). */
export async function viewerBlockedUsers({ em, loaders, viewer }: Context, args: PageArgsShape) {
  const me = requireUser(viewer);
  const page = idPage(args);
  const rows = await fastSql(
    em,
    `select b.id as block_id, u.* from user_blocks b join users u on u.id = b.blocked_id
      where b.blocker_id = $1 and b.id > $2 and b.id < $3 order by b.id ${page.fetch} limit $4`,
    [me, page.above, page.below, page.size + 1],
  );
  const users = rows.map(({ block_id: blockId, ...row }) => ({ blockId: blockId as number, user: em.map(User, row) }));
  const connection = toConnection(
    users,
    page,
    (u) => [u.blockId],
    () => loaders.blockCount.load(me),
  );
  return { ...connection, edges: connection.edges.map((e) => ({ node: e.node.user, cursor: e.cursor })) };
}

/**
 * FORBIDDEN when `text` mentions a user who blocked the author: one statement, only when the text
 * mentions anyone.
 */
export async function assertMentionsAllowed(em: EntityManager, authorId: number, text: string): Promise<void> {
  const handles = mentionedHandles(text);
  if (!handles.length) return;
  const [blocker] = await fastSql<{ handle: string }>(
    em,
    `select u.handle from user_blocks b join users u on u.id = b.blocker_id
      where b.blocked_id = $1 and lower(u.handle) = any($2::text[]) limit 1`,
    [authorId, handles],
  );
  if (blocker) throw new Forbidden(`You cannot mention @${blocker.handle}: they blocked you`);
}

/** SQL: whether the user `blocker` (an SQL expression) blocked the user `blocked`. */
export const blocks = (blocker: string, blocked: string) =>
  `exists (select 1 from user_blocks b where b.blocked_id = ${blocked} and b.blocker_id = ${blocker})`;
