import { createHmac, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { BadInput, Conflict } from '../../platform/errors';
import { enqueue, type JobContext } from '../../platform/jobs/jobs';
import type { Viewer } from '../../platform/viewer';
import { hashPassword, hashSecret } from '../identity/credentials';
import { User } from '../identity/identity.entity';
import { requireUser, revokeAllCredentials, type RevocationDeps } from '../identity/identity.service';
import { write } from '../../platform/database/write';
import { EmailTokenPurpose } from './accounts.entity';
import { passwordChangedMail, passwordResetMail, verificationMail, type AccountMailSettings } from './accounts.mail';

/** What the account rules need from the configuration. */
export interface AccountSettings extends AccountMailSettings {
  TOKEN_SECRET: string;
  EMAIL_VERIFICATION_TTL_SECONDS: number;
  PASSWORD_RESET_TTL_SECONDS: number;
  ADMIN_EMAILS: string[];
  /** log2 of scrypt's N for new password hashes (see `PASSWORD_HASHING`). */
  PASSWORD_HASH_COST: number;
}

/** What the `accounts.email` job sends: a message about a token, or the password-changed notice. */
export type AccountEmail =
  { message: 'verifyEmail' | 'passwordReset'; tokenId: number } | { message: 'passwordChanged'; userId: number };

/** Prefixes that tell an email token's purpose at a glance (and from session tokens: see TOKEN_PREFIX). */
const PREFIX: Record<EmailTokenPurpose, string> = {
  [EmailTokenPurpose.VERIFY_EMAIL]: 'tsv_',
  [EmailTokenPurpose.RESET_PASSWORD]: 'tsr_',
};

/** The token of a seed: an HMAC keyed by TOKEN_SECRET, so the database alone (seed and hash) never gives it. */
function tokenOf(purpose: EmailTokenPurpose, seed: string, secret: string): string {
  return PREFIX[purpose] + createHmac('sha256', secret).update(`email-token:${purpose}:${seed}`).digest('base64url');
}

/** Writes a new token for the user's current address in `tx`; returns its id. */
async function issueToken(
  tx: EntityManager,
  user: { id: number; email: string },
  purpose: EmailTokenPurpose,
  ttlSeconds: number,
  secret: string,
): Promise<number> {
  const seed = randomBytes(32).toString('base64url');
  const [row] = await sql<{ id: number }[]>(
    tx,
    `insert into email_tokens (user_id, purpose, email, seed, token_hash, created_at, expires_at)
     values (?, ?, ?, ?, ?, now(), now() + make_interval(secs => ?)) returning id`,
    [user.id, purpose, user.email, seed, hashSecret(tokenOf(purpose, seed, secret), secret), ttlSeconds],
  );
  return row.id;
}

/**
 * Uses a token: one conditional update marks it used if it is unused and unexpired, so that of two
 * concurrent uses exactly one gets the row (the other waits for the first to commit, then finds it
 * used). Unknown, used or expired: BAD_USER_INPUT on `token`, and the caller's transaction rolls back.
 */
async function consumeToken(
  tx: EntityManager,
  token: string,
  purpose: EmailTokenPurpose,
  secret: string,
): Promise<{ user_id: number; email: string }> {
  const hash = hashSecret(token, secret);
  const [row] = await sql<{ user_id: number; email: string }[]>(
    tx,
    `update email_tokens set used_at = now()
      where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
      returning user_id, email`,
    [hash, purpose],
  );
  if (row) return row;
  const [known] = await sql<{ used_at: Date | null }[]>(
    tx,
    'select used_at from email_tokens where token_hash = ? and purpose = ?',
    [hash, purpose],
  );
  const what = purpose === EmailTokenPurpose.VERIFY_EMAIL ? 'verification' : 'password reset';
  const why = !known ? 'is not valid' : known.used_at ? 'was already used' : 'has expired';
  throw new BadInput(`This ${what} link ${why}`, 'token');
}

/** Spends the user's other unused tokens of a purpose (one verification or reset ends them all). */
async function spendTokens(tx: EntityManager, userId: number, purpose: EmailTokenPurpose): Promise<void> {
  await sql(tx, 'update email_tokens set used_at = now() where user_id = ? and purpose = ? and used_at is null', [
    userId,
    purpose,
  ]);
}

/** Issues a verification token for the user's address and enqueues its email, in `tx` (signUp's, or its own). */
export async function startEmailVerification(
  tx: EntityManager,
  user: { id: number; email: string },
  settings: AccountSettings,
): Promise<void> {
  const tokenId = await issueToken(
    tx,
    user,
    EmailTokenPurpose.VERIFY_EMAIL,
    settings.EMAIL_VERIFICATION_TTL_SECONDS,
    settings.TOKEN_SECRET,
  );
  await enqueue(tx, 'accounts.email', { message: 'verifyEmail', tokenId });
}

/** Sends the viewer a new verification email. Already verified: CONFLICT. */
export async function requestEmailVerification(
  em: EntityManager,
  viewer: Viewer,
  settings: AccountSettings,
): Promise<boolean> {
  const userId = requireUser(viewer);
  return em.transactional(async (tx) => {
    const user = await tx.findOneOrFail(User, userId);
    if (user.emailVerifiedAt) throw new Conflict('Your email address is already verified');
    await startEmailVerification(tx, user, settings);
    return true;
  });
}

/**
 * Marks the token's address verified, if the account still has it; an address in ADMIN_EMAILS makes
 * its owner platform admin in the same statement. Returns the user.
 */
export async function verifyEmail(em: EntityManager, token: string, settings: AccountSettings): Promise<User> {
  const userId = await em.transactional(async (tx) => {
    const used = await consumeToken(tx, token, EmailTokenPurpose.VERIFY_EMAIL, settings.TOKEN_SECRET);
    const [row] = await sql<{ id: number }[]>(
      tx,
      `update users set email_verified_at = coalesce(email_verified_at, now()),
                        is_admin = is_admin or email = any(?::text[])
        where id = ? and email = ? returning id`,
      [`{${settings.ADMIN_EMAILS.map((e) => JSON.stringify(e)).join(',')}}`, used.user_id, used.email],
    );
    if (!row) throw new BadInput('This verification link is for an address the account no longer has', 'token');
    await spendTokens(tx, used.user_id, EmailTokenPurpose.VERIFY_EMAIL);
    return used.user_id;
  });
  return em.findOneOrFail(User, userId, { refresh: true });
}

/**
 * Asks for a password reset email. The answer and the work done here are the same whether or not an
 * account has the address (no enumeration): a job looks the address up and, only if an account has
 * it, issues the token and enqueues the email.
 */
export async function requestPasswordReset(
  em: EntityManager,
  email: string,
  settings: Pick<AccountSettings, 'PASSWORD_RESET_TTL_SECONDS'>,
): Promise<boolean> {
  await enqueue(em, 'accounts.passwordReset', {
    email: email.trim().toLowerCase(),
    ttlSeconds: settings.PASSWORD_RESET_TTL_SECONDS,
  });
  return true;
}

/**
 * Sets a new password with a reset token, in one transaction: the token is used (once), every
 * session and API key of the account is revoked (their sockets close once it commits), and the
 * "password changed" email is enqueued. Returns the account's user id.
 */
export async function resetPassword(
  em: EntityManager,
  token: string,
  password: string,
  settings: AccountSettings,
  deps: RevocationDeps,
): Promise<number> {
  const passwordHash = await hashPassword(password, settings.PASSWORD_HASH_COST);
  return write({ em, pubsub: deps.pubsub, log: deps.log }, async (tx, after) => {
    const used = await consumeToken(tx, token, EmailTokenPurpose.RESET_PASSWORD, settings.TOKEN_SECRET);
    await sql(tx, 'update users set password_hash = ? where id = ?', [passwordHash, used.user_id]);
    await spendTokens(tx, used.user_id, EmailTokenPurpose.RESET_PASSWORD);
    await revokeAllCredentials(tx, used.user_id, after);
    await enqueue(tx, 'accounts.email', { message: 'passwordChanged', userId: used.user_id });
    return used.user_id;
  });
}

/** Job `accounts.passwordReset`: issues a reset token and enqueues its email if an account has the address. */
export async function issuePasswordReset(ctx: JobContext, email: string, ttlSeconds: number): Promise<void> {
  await ctx.em.transactional(async (tx) => {
    const user = await tx.findOne(User, { email });
    if (!user) {
      ctx.log.debug('password reset asked for an address no account has: nothing sent');
      return;
    }
    const tokenId = await issueToken(tx, user, EmailTokenPurpose.RESET_PASSWORD, ttlSeconds, ctx.config.TOKEN_SECRET);
    await enqueue(tx, 'accounts.email', { message: 'passwordReset', tokenId });
  });
}

/**
 * Job `accounts.email`: renders and sends one message (retried by the queue when sending fails). A
 * token used or expired before its email went out is not sent.
 */
export async function sendAccountEmail(ctx: JobContext, payload: AccountEmail): Promise<void> {
  const { mailer } = ctx.services;
  if (payload.message === 'passwordChanged') {
    const user = await ctx.em.findOne(User, payload.userId);
    if (user) await mailer.send(passwordChangedMail(user));
    return;
  }
  const [row] = await sql<
    { purpose: EmailTokenPurpose; seed: string; email: string; handle: string; ttl_seconds: number }[]
  >(
    ctx.em,
    `select t.purpose, t.seed, t.email, u.handle, extract(epoch from t.expires_at - t.created_at)::int as ttl_seconds
       from email_tokens t join users u on u.id = t.user_id
      where t.id = ? and t.used_at is null and t.expires_at > now()`,
    [payload.tokenId],
  );
  if (!row) {
    ctx.log.info({ tokenId: payload.tokenId }, 'email token used or expired before its message was sent: not sent');
    return;
  }
  const token = tokenOf(row.purpose, row.seed, ctx.config.TOKEN_SECRET);
  const render = payload.message === 'verifyEmail' ? verificationMail : passwordResetMail;
  await mailer.send(render(ctx.config, row, { token, ttlSeconds: row.ttl_seconds }));
}

/**
 * Makes platform admins of the users whose verified address is in ADMIN_EMAILS (at start: addresses
 * listed after their owner verified them). Returns their handles.
 */
export async function promoteListedAdmins(em: EntityManager, adminEmails: string[]): Promise<string[]> {
  if (!adminEmails.length) return [];
  const rows = await sql<{ handle: string }[]>(
    em,
    `update users set is_admin = true
      where email = any(?::text[]) and email_verified_at is not null and not is_admin returning handle`,
    [`{${adminEmails.map((e) => JSON.stringify(e)).join(',')}}`],
  );
  return rows.map((r) => r.handle);
}
