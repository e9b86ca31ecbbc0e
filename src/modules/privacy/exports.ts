import { createHash, createHmac, randomBytes } from 'node:crypto';
import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../../config';
import type { Context } from '../../platform/context';
import { fastSql, sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { Conflict, Forbidden, RateLimited } from '../../platform/errors';
import { enqueue, type JobContext } from '../../platform/jobs/jobs';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { requireUser } from '../identity/identity.service';
import { buildArchive } from './archive';
import { DataExport, DataExportStatus } from './privacy.entity';

/** Where downloads are served (the Express route in index.ts). */
export const EXPORTS_PATH = '/exports';

/** The key that derives download tokens from their salts: TOKEN_SECRET's, for this use only. */
function tokenKey(tokenSecret: string): Buffer {
  return createHash('sha256').update(`townsquare:data-exports:${tokenSecret}`).digest();
}

/**
 * An export's download token: HMAC(TOKEN_SECRET, its random salt), 43 base64url characters. The
 * table holds the salt and the token's SHA-256, so a copy of it alone gives no link.
 */
export function downloadToken(salt: Buffer, tokenSecret: string): string {
  return createHmac('sha256', tokenKey(tokenSecret)).update(salt).digest('base64url');
}

/** SHA-256 of a token (hex): the `token_hash` a download is looked up by. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** `DataExport.downloadUrl`: while the archive is READY and not expired. */
export function downloadUrl(
  exp: DataExport,
  config: Pick<Config, 'TOKEN_SECRET' | 'API_PUBLIC_URL' | 'PUBLIC_URL'>,
  now = new Date(),
): string | null {
  if (exp.status !== DataExportStatus.READY || !exp.expiresAt || exp.expiresAt <= now) return null;
  const base = (config.API_PUBLIC_URL ?? config.PUBLIC_URL).replace(/\/+$/, '');
  return `${base}${EXPORTS_PATH}/${downloadToken(exp.tokenSalt, config.TOKEN_SECRET)}`;
}

interface ExportRow {
  id: number;
  user_id: number;
  status: DataExportStatus;
  requested_at: Date;
  completed_at: Date | null;
  expires_at: Date | null;
  byte_size: number | null;
  token_salt: Buffer | Uint8Array | string;
}

const COLUMNS = 'id, user_id, status, requested_at, completed_at, expires_at, byte_size, token_salt';

/** A row as the GraphQL type (the archive itself is never loaded here). */
function exportFromRow(em: EntityManager, r: ExportRow): DataExport {
  const exp = new DataExport();
  Object.assign(exp, {
    id: r.id,
    user: em.getReference('User', r.user_id) as DataExport['user'],
    status: r.status,
    requestedAt: new Date(r.requested_at),
    completedAt: r.completed_at && new Date(r.completed_at),
    expiresAt: r.expires_at && new Date(r.expires_at),
    byteSize: r.byte_size,
    tokenSalt: Buffer.isBuffer(r.token_salt)
      ? r.token_salt
      : typeof r.token_salt === 'string'
        ? Buffer.from(r.token_salt.replace(/^\\x/, ''), 'hex')
        : Buffer.from(r.token_salt),
  });
  return exp;
}

/**
 * `requestDataExport`: a session's user (not an API key: the archive holds everything about them)
 * asks for a new archive. At most one pending per user (a partial unique index: CONFLICT) and
 * DATA_EXPORT_DAILY_LIMIT a day (RATE_LIMITED), counted in the table so every instance agrees. The
 * job that builds it is enqueued in the same transaction.
 */
export async function requestDataExport(ctx: Context): Promise<DataExport> {
  const userId = requireUser(ctx.viewer);
  if (ctx.viewer.apiKeyId) throw new Forbidden('Data exports are requested with a session, not an API key');
  const id = await write(ctx, async (tx) => {
    const [recent] = await sql<{ n: number; oldest: Date | null; pending: boolean }[]>(
      tx,
      `select count(*)::int as n, min(requested_at) as oldest, bool_or(status = 'PENDING') as pending
         from data_exports where user_id = ? and requested_at > now() - interval '1 day'`,
      [userId],
    );
    if (recent.pending) throw new Conflict('An export is already being built: wait for it to be ready');
    if (recent.n >= ctx.config.DATA_EXPORT_DAILY_LIMIT) {
      const retry = Math.ceil((new Date(recent.oldest!).getTime() + 86_400_000 - Date.now()) / 1000);
      throw new RateLimited(Math.max(1, retry), `At most ${ctx.config.DATA_EXPORT_DAILY_LIMIT} data exports a day`);
    }
    const salt = randomBytes(16);
    const [row] = await sql<{ id: number }[]>(
      tx,
      `insert into data_exports (user_id, status, token_salt, token_hash)
       values (?, 'PENDING', decode(?, 'hex'), ?) returning id`,
      [userId, salt.toString('hex'), tokenHash(downloadToken(salt, ctx.config.TOKEN_SECRET))],
    );
    await enqueue(tx, 'privacy.buildExport', { exportId: row.id }, { maxAttempts: 5 });
    return row.id;
  });
  const [row] = await sql<ExportRow[]>(ctx.em, `select ${COLUMNS} from data_exports where id = ?`, [id]);
  return exportFromRow(ctx.em, row);
}

/** `User.dataExports`: the user's own, newest first. */
export async function dataExports(ctx: Context, userId: number, args: PageArgsShape) {
  if (ctx.viewer.userId !== userId) throw new Forbidden('Only their owner reads data exports');
  ctx.loaders.cacheScope.member(userId);
  const page = idPage(args, 'desc');
  const rows = await sql<ExportRow[]>(
    ctx.em,
    `select ${COLUMNS} from data_exports where user_id = ? and id > ? and id < ? order by id ${page.fetch} limit ?`,
    [userId, page.above, page.below, page.size + 1],
  );
  return toConnection(
    rows.map((r) => exportFromRow(ctx.em, r)),
    page,
    (e) => [e.id],
    async () => {
      const [{ n }] = await sql<{ n: number }[]>(
        ctx.em,
        'select count(*)::int as n from data_exports where user_id = ?',
        [userId],
      );
      return n;
    },
  );
}

/** `node(id)` for a DataExport: its owner's alone. */
export async function ownDataExport(ctx: Context, id: number): Promise<DataExport | null> {
  if (ctx.viewer.userId === null) return null;
  const [row] = await sql<ExportRow[]>(ctx.em, `select ${COLUMNS} from data_exports where id = ? and user_id = ?`, [
    id,
    ctx.viewer.userId,
  ]);
  return row ? exportFromRow(ctx.em, row) : null;
}

/**
 * The `privacy.buildExport` job: reads every section in one REPEATABLE READ, read-only transaction
 * (one moment of the database), then stores the archive in the row (READY, expiring in
 * DATA_EXPORT_TTL_HOURS). PostgreSQL holds it, so whichever instance serves the link has it. The
 * last attempt's failure marks the export FAILED, which frees the user to ask again.
 */
export async function buildExport(ctx: JobContext, exportId: number): Promise<void> {
  const [row] = await sql<{ user_id: number; status: string }[]>(
    ctx.em,
    'select user_id, status from data_exports where id = ?',
    [exportId],
  );
  if (!row || row.status !== DataExportStatus.PENDING) return;
  let archive: Buffer;
  try {
    archive = await ctx.em.fork().transactional((tx) => buildArchive(tx as EntityManager, row.user_id, exportId), {
      isolationLevel: IsolationLevel.REPEATABLE_READ,
      readOnly: true,
    });
  } catch (err) {
    if (ctx.job.attempts >= ctx.job.max_attempts) {
      await sql(ctx.em, `update data_exports set status = 'FAILED', completed_at = now() where id = ?`, [exportId]);
      await ctx.responseCache.invalidate({ communities: [], members: [row.user_id] });
    }
    throw err;
  }
  await fastSql(
    ctx.em,
    `update data_exports set status = 'READY', completed_at = now(), expires_at = now() + make_interval(hours => $2),
            byte_size = $3, archive = convert_to($4, 'UTF8')
      where id = $1 and status = 'PENDING'`,
    [exportId, ctx.config.DATA_EXPORT_TTL_HOURS, archive.length, archive.toString('utf8')],
  );
  ctx.log.info({ exportId, bytes: archive.length }, 'data export built');
  await ctx.responseCache.invalidate({ communities: [], members: [row.user_id] });
}

/** What a download serves: the archive and the name to save it as, or null (unknown, not ready, expired). */
export async function archiveForToken(
  em: EntityManager,
  token: string,
): Promise<{ body: string; fileName: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const [row] = await fastSql<{ id: number; body: string; requested_at: Date }>(
    em,
    `select id, convert_from(archive, 'UTF8') as body, requested_at from data_exports
      where token_hash = $1 and status = 'READY' and expires_at > now() and archive is not null`,
    [tokenHash(token)],
  );
  if (!row) return null;
  const day = new Date(row.requested_at).toISOString().slice(0, 10);
  return { body: row.body, fileName: `townsquare-export-${day}-${row.id}.json` };
}

/**
 * The daily `privacy.pruneExports` job: expired archives are dropped (their rows stay 30 days, for
 * the owner's list and the daily count); rows older than that go.
 */
export async function pruneExports(em: EntityManager): Promise<{ archives: number; rows: number }> {
  const archives = await sql<{ id: number }[]>(
    em,
    'update data_exports set archive = null where archive is not null and expires_at <= now() returning id',
  );
  const rows = await sql<{ id: number }[]>(
    em,
    `delete from data_exports where status <> 'PENDING' and requested_at < now() - interval '30 days' returning id`,
  );
  return { archives: archives.length, rows: rows.length };
}
