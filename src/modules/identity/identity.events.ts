/** Pub/sub topics of the identity domain and their payloads. */
export const identityTopics = {
  /**
   * Credentials that stopped being valid (signed out, revoked): every instance closes their open
   * WebSockets at once. At most once, like all pub/sub: each instance's periodic re-check of its
   * sockets' credentials (see platform/socket-credentials.ts) is what guarantees the close.
   */
  credentialsRevoked: 'identity:credentials-revoked',
};

export type { CredentialsRevokedEvent } from '../../platform/socket-credentials';
