/**
 * The request principal: who is asking, as every request and socket carries it. The platform's
 * rules (scopes, the response cache's sharing) need it; the identity module establishes it from a
 * credential (`authenticate`).
 */
/** What a credential may do (an API key's scopes; sessions hold all three). */
export enum ApiScope {
  READ = 'READ',
  WRITE = 'WRITE',
  SUBSCRIBE = 'SUBSCRIBE',
}

/** Who is making a request, as established from its bearer token (or its absence). */
export interface Viewer {
  /** The signed-in user (also the owner, for an API key); null when anonymous. */
  userId: number | null;
  /** Platform administrator. */
  isAdmin: boolean;
  /** What operations this credential may run; only API keys are restricted. */
  scopes: ReadonlySet<ApiScope>;
  /** Set for a session token: `endSession` deletes it. */
  sessionId?: number;
  /** Set for an API key. */
  apiKeyId?: number;
  /** The users this user blocked (read with the credential); empty when none. */
  blocked: ReadonlySet<number>;
  /** A bot's API key: the one community it may read and act in (anywhere else: FORBIDDEN). */
  communityScope?: number;
}

const NO_ONE: ReadonlySet<number> = new Set();

/** The set of blocked user ids of a credential's row (`blocked`: an int[] or null). */
export function blockedSet(ids: readonly number[] | null | undefined): ReadonlySet<number> {
  return ids && ids.length ? new Set(ids) : NO_ONE;
}

const ALL_SCOPES: ReadonlySet<ApiScope> = new Set(Object.values(ApiScope));

export const ANONYMOUS: Viewer = Object.freeze({ userId: null, isAdmin: false, scopes: ALL_SCOPES, blocked: NO_ONE });

export function sessionViewer(
  userId: number,
  isAdmin: boolean,
  sessionId: number,
  blocked: ReadonlySet<number> = NO_ONE,
): Viewer {
  return { userId, isAdmin, scopes: ALL_SCOPES, sessionId, blocked };
}

export function apiKeyViewer(
  userId: number,
  isAdmin: boolean,
  apiKeyId: number,
  scopes: ApiScope[],
  blocked: ReadonlySet<number> = NO_ONE,
  communityScope: number | null = null,
): Viewer {
  const viewer: Viewer = { userId, isAdmin, scopes: new Set(scopes), apiKeyId, blocked };
  if (communityScope !== null) viewer.communityScope = communityScope;
  return viewer;
}

/** The scope an operation of this type needs. */
export function scopeFor(operation: 'query' | 'mutation' | 'subscription'): ApiScope {
  return operation === 'query' ? ApiScope.READ : operation === 'mutation' ? ApiScope.WRITE : ApiScope.SUBSCRIBE;
}

/** A credential a viewer acts with, by primary key: a session or an API key. */
export type CredentialRef = { sessionId: number } | { apiKeyId: number };

/** The key of a credential in `currentViewers`' answer: `s<id>` for a session, `k<id>` for an API key. */
export function credentialKey(ref: CredentialRef): string {
  return 'sessionId' in ref ? `s${ref.sessionId}` : `k${ref.apiKeyId}`;
}
