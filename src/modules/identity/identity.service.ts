import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql, sql } from '../../platform/database/sql';
import { BadInput, Forbidden, NotFound, Unauthenticated } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { write, type After } from '../../platform/database/write';
import {
  dummyPasswordHash,
  TOKEN_PREFIX,
  hashPassword,
  hashSecret,
  newApiKeySecret,
  newSecret,
  verifyPassword,
} from './credentials';
import { ApiKey, ApiScope, Session, User } from './identity.entity';
import { identityTopics, type CredentialsRevokedEvent } from './identity.events';
import { EMAIL_MAX_LENGTH, type CreateApiKeyInput, type SignInInput, type SignUpInput } from './identity.inputs';
import { ANONYMOUS, apiKeyViewer, blockedSet, sessionViewer, type Viewer } from './viewer';
import { credentialKey, type CredentialRef } from '../../platform/viewer';

/** What the identity rules need from the configuration. */
export interface IdentitySettings {
  TOKEN_SECRET: string;
  TOKEN_TTL_DAYS: number;
  /** log2 of scrypt's N for new password hashes (see `PASSWORD_HASHING`). */
  PASSWORD_HASH_COST: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** API keys record their last use at most this often, so reads do not turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

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

/**
 * Creates an account and signs it in, in one transaction. Taken handle or email: CONFLICT.
 * Never an admin, whatever the address: nothing proves its owner signed up (see `setPlatformAdmin`;
 * ADMIN_EMAILS applies once the address is verified).
 * @param afterCreate runs in the transaction once the user row exists (the verification email is enqueued there)
 */
export async function signUp(
  em: EntityManager,
  input: SignUpInput,
  settings: IdentitySettings,
  afterCreate?: (tx: EntityManager, user: User) => Promise<void>,
) {
  const email = input.email.trim().toLowerCase();
  // Lower-casing can lengthen non-ASCII text ("İ" becomes two characters): the column's limit holds for what is stored.
  if (email.length > EMAIL_MAX_LENGTH)
    throw new BadInput(`email must be at most ${EMAIL_MAX_LENGTH} characters once lower-cased`, 'email');
  const handle = input.handle.toLowerCase();
  const passwordHash = await hashPassword(input.password, settings.PASSWORD_HASH_COST);
  return em.transactional(async (tx) => {
    const user = tx.create(User, { handle, email, passwordHash, isAdmin: false, isBot: false, createdAt: new Date() });
    await tx.flush();
    await afterCreate?.(tx, user);
    return openSession(tx, user, settings);
  });
}

/** Signs in with email and password; the same error (and time) for an unknown email and a wrong password. */
export async function signIn(em: EntityManager, input: SignInInput, settings: IdentitySettings) {
  const email = input.email.trim().toLowerCase();
  const user = await em.findOne(User, { email }, { populate: ['passwordHash'] });
  const ok = await verifyPassword(
    input.password,
    user?.passwordHash ?? (await dummyPasswordHash(settings.PASSWORD_HASH_COST)),
  );
  if (!user || !ok) throw new Unauthenticated('Wrong email or password');
  return openSession(em, user, settings);
}

/** Where revocations are announced, so that open WebSockets of the credential close at once on every instance. */
export interface RevocationDeps {
  pubsub: PubSub;
  log: Logger;
}

/** Announces revoked credentials after the write's commit. */
export function credentialsRevoked(after: After, revoked: CredentialsRevokedEvent): void {
  after.publish<CredentialsRevokedEvent>(identityTopics.credentialsRevoked, revoked);
}

/**
 * Revokes every session and API key of a user, in the write's transaction (a password reset); once it
 * has committed, the revocation is announced, closing their open WebSockets (4401) on every instance.
 */
export async function revokeAllCredentials(tx: EntityManager, userId: number, after: After): Promise<void> {
  const sessions = await sql<{ id: number }[]>(tx, 'delete from sessions where user_id = ? returning id', [userId]);
  const keys = await sql<{ id: number }[]>(
    tx,
    'update api_keys set revoked_at = now() where user_id = ? and revoked_at is null returning id',
    [userId],
  );
  credentialsRevoked(after, { sessionIds: sessions.map((s) => s.id), apiKeyIds: keys.map((k) => k.id) });
}

/** Revokes the session token the request was made with; its open WebSockets close (4401). */
export async function signOut(em: EntityManager, viewer: Viewer, deps: RevocationDeps): Promise<boolean> {
  const sessionId = viewer.sessionId;
  if (!sessionId) throw new Unauthenticated('Sign out needs a session token');
  await write(
    { em, pubsub: deps.pubsub, log: deps.log },
    async (tx, after) => {
      await tx.nativeDelete(Session, { id: sessionId });
      credentialsRevoked(after, { sessionIds: [sessionId] });
    },
    { mode: 'statement' },
  );
  return true;
}

/**
 * Resolves an `Authorization` header (or graphql-ws `connectionParams.authorization`) to a viewer.
 * No header: anonymous. A malformed, unknown, expired or revoked credential: UNAUTHENTICATED.
 */
/** SQL: the ids of the users `user` (an SQL expression) blocked, as an int[] (null when none). */
const BLOCKED_BY = (user: string) => `(select array_agg(b.blocked_id) from user_blocks b where b.blocker_id = ${user})`;

export async function authenticate(
  em: EntityManager,
  authorization: unknown,
  settings: IdentitySettings,
): Promise<Viewer> {
  if (authorization === undefined || authorization === null || authorization === '') return ANONYMOUS;
  const m = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization.trim()) : null;
  if (!m) throw new Unauthenticated('The Authorization header must be "Bearer <token>"');
  const secret = m[1];
  const hash = hashSecret(secret, settings.TOKEN_SECRET);
  // One raw statement per request (it runs before every operation, cache hits included).
  if (secret.startsWith(TOKEN_PREFIX.session)) {
    const [session] = await fastSql<{ id: number; user_id: number; is_admin: boolean; blocked: number[] | null }>(
      em,
      `select s.id, s.user_id, u.is_admin, ${BLOCKED_BY('u.id')} as blocked from sessions s join users u on u.id = s.user_id
        where s.token_hash = $1 and s.expires_at > now()`,
      [hash],
    );
    if (session) return sessionViewer(session.user_id, session.is_admin, session.id, blockedSet(session.blocked));
  } else if (secret.startsWith(TOKEN_PREFIX.apiKey)) {
    const [key] = await fastSql<{
      id: number;
      user_id: number;
      is_admin: boolean;
      scopes: ApiScope[];
      stale: boolean;
      blocked: number[] | null;
      community_id: number | null;
    }>(
      em,
      `select k.id, k.user_id, k.scopes, u.is_admin, ${BLOCKED_BY('u.id')} as blocked, k.community_id,
              k.last_used_at is null or k.last_used_at < now() - make_interval(secs => $1) as stale
         from api_keys k join users u on u.id = k.user_id
        where k.secret_hash = $2 and k.revoked_at is null`,
      [LAST_USED_RESOLUTION_MS / 1000, hash],
    );
    if (key) {
      if (key.stale) {
        await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date() });
      }
      return apiKeyViewer(key.user_id, key.is_admin, key.id, key.scopes, blockedSet(key.blocked), key.community_id);
    }
  }
  throw new Unauthenticated('Invalid or expired token');
}

/** A credential a viewer was authenticated with, by id (see {@link currentViewers}). */
export { credentialKey, type CredentialRef };

/**
 * The viewers of credentials that were valid when they were presented, as they are now: one
 * statement by primary key for any number of them (the bearer secret is not needed, nor hashed
 * again). A credential missing from the answer was revoked, has expired, or its user is gone.
 * @returns viewers by {@link credentialKey}
 */
export async function currentViewers(em: EntityManager, refs: CredentialRef[]): Promise<Map<string, Viewer>> {
  const sessionIds = refs.flatMap((r) => ('sessionId' in r ? [r.sessionId] : []));
  const apiKeyIds = refs.flatMap((r) => ('apiKeyId' in r ? [r.apiKeyId] : []));
  const viewers = new Map<string, Viewer>();
  if (!sessionIds.length && !apiKeyIds.length) return viewers;
  const rows = await sql<
    {
      kind: 's' | 'k';
      id: number;
      user_id: number;
      is_admin: boolean;
      scopes: ApiScope[] | null;
      blocked: number[] | null;
      community_id: number | null;
    }[]
  >(
    em,
    `select 's' as kind, s.id, s.user_id, u.is_admin, null::text[] as scopes, ${BLOCKED_BY('u.id')} as blocked,
            null::int as community_id
       from sessions s join users u on u.id = s.user_id
      where s.id = any(?::int[]) and s.expires_at > now()
     union all
     select 'k', k.id, k.user_id, u.is_admin, k.scopes, ${BLOCKED_BY('u.id')}, k.community_id
       from api_keys k join users u on u.id = k.user_id
      where k.id = any(?::int[]) and k.revoked_at is null`,
    [`{${sessionIds.join(',')}}`, `{${apiKeyIds.join(',')}}`],
  );
  for (const r of rows) {
    const blocked = blockedSet(r.blocked);
    if (r.kind === 's')
      viewers.set(credentialKey({ sessionId: r.id }), sessionViewer(r.user_id, r.is_admin, r.id, blocked));
    else
      viewers.set(
        credentialKey({ apiKeyId: r.id }),
        apiKeyViewer(r.user_id, r.is_admin, r.id, r.scopes ?? [], blocked, r.community_id),
      );
  }
  return viewers;
}

/** Signed-in user id or UNAUTHENTICATED. */
export function requireUser(viewer: Viewer): number {
  if (viewer.userId === null) throw new Unauthenticated();
  return viewer.userId;
}

/**
 * The signed-in platform admin's user id: UNAUTHENTICATED for anonymous callers, FORBIDDEN for anyone
 * else. `what` completes "Only platform admins …" (`'read the platform insights'`).
 */
export function requirePlatformAdmin(viewer: Viewer, what: string): number {
  if (viewer.userId === null) throw new Unauthenticated(`Sign in as a platform admin to ${what}`);
  if (!viewer.isAdmin) throw new Forbidden(`Only platform admins ${what}`);
  return viewer.userId;
}

/** Creates an API key for the signed-in user; only a session (not another key) can mint keys. */
export async function createApiKey(
  em: EntityManager,
  viewer: Viewer,
  input: CreateApiKeyInput,
  settings: IdentitySettings,
) {
  const userId = requireUser(viewer);
  if (!viewer.sessionId) throw new Forbidden('API keys can only be created from a signed-in session');
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const { secret, prefix, secretHash } = newApiKeySecret(settings.TOKEN_SECRET);
  const apiKey = em.create(ApiKey, {
    user: userId,
    name,
    prefix,
    secretHash,
    scopes: [...new Set(input.scopes)].sort(),
    createdAt: new Date(),
  });
  await em.flush();
  return { secret, apiKey };
}

/** Revokes one of the viewer's API keys (admins: anyone's); its open WebSockets close (4401). Idempotent. */
export async function revokeApiKey(
  em: EntityManager,
  viewer: Viewer,
  id: number,
  deps: RevocationDeps,
): Promise<ApiKey> {
  const userId = requireUser(viewer);
  const key = await em.findOne(ApiKey, { id });
  if (!key || (key.user.id !== userId && !viewer.isAdmin)) throw new NotFound('API key');
  if (!key.revokedAt) {
    key.revokedAt = new Date();
    await write(
      { em, pubsub: deps.pubsub, log: deps.log },
      async (tx, after) => {
        await tx.flush(); // one UPDATE, in the flush's own transaction
        credentialsRevoked(after, { apiKeyIds: [key.id] });
      },
      { mode: 'statement' },
    );
  }
  return key;
}

/**
 * Grants or revokes platform admin (the `npm run admin` command; an operator's decision, never a
 * sign-up's). Changes the users row itself: every request authenticates against it, so a revoked
 * admin loses admin on the next HTTP request, and open sockets re-validate from it.
 * @returns the user's handle and whether the flag changed; null when no user has that email
 */
export async function setPlatformAdmin(
  em: EntityManager,
  email: string,
  isAdmin: boolean,
): Promise<{ handle: string; changed: boolean } | null> {
  const user = await em.findOne(User, { email: email.trim().toLowerCase() });
  if (!user) return null;
  const changed = user.isAdmin !== isAdmin;
  if (changed) await em.nativeUpdate(User, { id: user.id }, { isAdmin });
  return { handle: user.handle, changed };
}

/** The platform admins, oldest account first. */
export async function listPlatformAdmins(
  em: EntityManager,
): Promise<{ handle: string; email: string; createdAt: Date }[]> {
  const admins = await em.find(User, { isAdmin: true }, { orderBy: { id: 'asc' } });
  return admins.map((u) => ({ handle: u.handle, email: u.email, createdAt: u.createdAt }));
}
