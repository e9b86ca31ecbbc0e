import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound, Unauthenticated } from '../../platform/errors';
import {
  DUMMY_PASSWORD_HASH, TOKEN_PREFIX, hashPassword, hashSecret, newSecret, verifyPassword,
} from './credentials';
import { ApiKey, ApiScope, Session, User } from './identity.entity';
import { EMAIL_MAX_LENGTH, type CreateApiKeyInput, type SignInInput, type SignUpInput } from './identity.inputs';
import { ANONYMOUS, apiKeyViewer, sessionViewer, type Viewer } from './viewer';

/** What the identity rules need from the configuration. */
export interface IdentitySettings {
  TOKEN_SECRET: string;
  TOKEN_TTL_DAYS: number;
  ADMIN_EMAILS: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** API keys record their last use at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

function isListedAdmin(email: string, settings: IdentitySettings): boolean {
  return settings.ADMIN_EMAILS.some((a) => a.toLowerCase() === email);
}

async function openSession(em: EntityManager, user: User, settings: IdentitySettings) {
  const token = newSecret(TOKEN_PREFIX.session);
  const session = em.create(Session, {
    user,
    tokenHash: hashSecret(token, settings.TOKEN_SECRET),
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + settings.TOKEN_TTL_DAYS * DAY_MS),
  });
  await em.flush();
  return { token, user, viewer: sessionViewer(user.id, user.isAdmin, session.id) };
}

/** Creates an account and signs it in, in one transaction. Taken handle or email: CONFLICT. */
export async function signUp(em: EntityManager, input: SignUpInput, settings: IdentitySettings) {
  const email = input.email.trim().toLowerCase();
  // Lower-casing can lengthen non-ASCII text ("İ" becomes two characters): the column's limit holds for what is stored.
  if (email.length > EMAIL_MAX_LENGTH) throw new BadInput(`email must be at most ${EMAIL_MAX_LENGTH} characters once lower-cased`, 'email');
  const handle = input.handle.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return em.transactional(async (tx) => {
    const user = tx.create(User, { handle, email, passwordHash, isAdmin: isListedAdmin(email, settings), createdAt: new Date() });
    await tx.flush();
    return openSession(tx, user, settings);
  });
}

/** Signs in with email and password; the same error (and time) for an unknown email and a wrong password. */
export async function signIn(em: EntityManager, input: SignInInput, settings: IdentitySettings) {
  const email = input.email.trim().toLowerCase();
  const user = await em.findOne(User, { email }, { populate: ['passwordHash'] });
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await DUMMY_PASSWORD_HASH));
  if (!user || !ok) throw new Unauthenticated('Wrong email or password');
  if (!user.isAdmin && isListedAdmin(email, settings)) user.isAdmin = true;
  return openSession(em, user, settings);
}

/** Revokes the session token the request was made with. */
export async function signOut(em: EntityManager, viewer: Viewer): Promise<boolean> {
  if (!viewer.sessionId) throw new Unauthenticated('Sign out needs a session token');
  await em.nativeDelete(Session, { id: viewer.sessionId });
  return true;
}

/**
 * Resolves an `Authorization` header (or graphql-ws `connectionParams.authorization`) to a viewer.
 * No header: anonymous. A malformed, unknown, expired or revoked credential: UNAUTHENTICATED.
 */
export async function authenticate(em: EntityManager, authorization: unknown, settings: IdentitySettings): Promise<Viewer> {
  if (authorization === undefined || authorization === null || authorization === '') return ANONYMOUS;
  const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!m) throw new Unauthenticated('The Authorization header must be "Bearer <token>"');
  const secret = m[1];
  const hash = hashSecret(secret, settings.TOKEN_SECRET);
  // One raw statement per request (it runs before every operation, cache hits included).
  if (secret.startsWith(TOKEN_PREFIX.session)) {
    const session = await sql<{ id: number; user_id: number; is_admin: boolean } | undefined>(
      em,
      `select s.id, s.user_id, u.is_admin from sessions s join users u on u.id = s.user_id
        where s.token_hash = ? and s.expires_at > now()`,
      [hash], 'get',
    );
    if (session) return sessionViewer(session.user_id, session.is_admin, session.id);
  } else if (secret.startsWith(TOKEN_PREFIX.apiKey)) {
    const key = await sql<{ id: number; user_id: number; is_admin: boolean; scopes: ApiScope[]; stale: boolean } | undefined>(
      em,
      `select k.id, k.user_id, k.scopes, u.is_admin,
              k.last_used_at is null or k.last_used_at < now() - make_interval(secs => ?) as stale
         from api_keys k join users u on u.id = k.user_id
        where k.secret_hash = ? and k.revoked_at is null`,
      [LAST_USED_RESOLUTION_MS / 1000, hash], 'get',
    );
    if (key) {
      if (key.stale) {
        await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date() });
      }
      return apiKeyViewer(key.user_id, key.is_admin, key.id, key.scopes);
    }
  }
  throw new Unauthenticated('Invalid or expired token');
}

/** Signed-in user id or UNAUTHENTICATED. */
export function requireUser(viewer: Viewer): number {
  if (viewer.userId === null) throw new Unauthenticated();
  return viewer.userId;
}

/** Creates an API key for the signed-in user; only a session (not another key) can mint keys. */
export async function createApiKey(em: EntityManager, viewer: Viewer, input: CreateApiKeyInput, settings: IdentitySettings) {
  const userId = requireUser(viewer);
  if (!viewer.sessionId) throw new Forbidden('API keys can only be created from a signed-in session');
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const secret = newSecret(TOKEN_PREFIX.apiKey);
  const apiKey = em.create(ApiKey, {
    user: userId,
    name,
    prefix: secret.slice(0, 10),
    secretHash: hashSecret(secret, settings.TOKEN_SECRET),
    scopes: [...new Set(input.scopes)].sort(),
    createdAt: new Date(),
  });
  await em.flush();
  return { secret, apiKey };
}

/** Revokes one of the viewer's API keys (admins: anyone's). Idempotent. */
export async function revokeApiKey(em: EntityManager, viewer: Viewer, id: number): Promise<ApiKey> {
  const userId = requireUser(viewer);
  const key = await em.findOne(ApiKey, { id });
  if (!key || (key.user.id !== userId && !viewer.isAdmin)) throw new NotFound('API key');
  if (!key.revokedAt) {
    key.revokedAt = new Date();
    await em.flush();
  }
  return key;
}

/** Grants platform admin to the users whose emails are in ADMIN_EMAILS (run at start). */
export async function promoteListedAdmins(em: EntityManager, settings: IdentitySettings): Promise<number> {
  if (!settings.ADMIN_EMAILS.length) return 0;
  const emails = settings.ADMIN_EMAILS.map((e) => e.toLowerCase());
  return em.nativeUpdate(User, { email: { $in: emails }, isAdmin: false }, { isAdmin: true });
}
