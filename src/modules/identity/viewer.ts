import { ApiScope } from './identity.entity';

/** Who is making a request, as established from its bearer token (or its absence). */
export interface Viewer {
  /** The signed-in user (also the owner, for an API key); null when anonymous. */
  userId: number | null;
  /** Platform administrator. */
  isAdmin: boolean;
  /** What operations this credential may run; only API keys are restricted. */
  scopes: ReadonlySet<ApiScope>;
  /** Set for a session token: `signOut` deletes it. */
  sessionId?: number;
  /** Set for an API key. */
  apiKeyId?: number;
}

const ALL_SCOPES: ReadonlySet<ApiScope> = new Set(Object.values(ApiScope));

export const ANONYMOUS: Viewer = Object.freeze({ userId: null, isAdmin: false, scopes: ALL_SCOPES });

export function sessionViewer(userId: number, isAdmin: boolean, sessionId: number): Viewer {
  return { userId, isAdmin, scopes: ALL_SCOPES, sessionId };
}

export function apiKeyViewer(userId: number, isAdmin: boolean, apiKeyId: number, scopes: ApiScope[]): Viewer {
  return { userId, isAdmin, scopes: new Set(scopes), apiKeyId };
}

/** The scope an operation of this type needs. */
export function scopeFor(operation: 'query' | 'mutation' | 'subscription'): ApiScope {
  return operation === 'query' ? ApiScope.READ : operation === 'mutation' ? ApiScope.WRITE : ApiScope.SUBSCRIBE;
}
