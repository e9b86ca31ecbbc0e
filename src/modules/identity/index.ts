import type { ModuleManifest } from '../../platform/module';
import type { CredentialAuthority } from '../../platform/socket-credentials';
import { identityTopics } from './identity.events';
import { authenticate, currentViewers } from './identity.service';
import { createIdentityLoaders } from './identity.loaders';
import { IdentityResolver } from './identity.resolver';

type IdentityLoaders = ReturnType<typeof createIdentityLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends IdentityLoaders {}
}

/** Users, sign-up and sign-in, sessions and API keys. */
export const identity: ModuleManifest = {
  name: 'identity',
  resolvers: [IdentityResolver],
  loaders: (em) => createIdentityLoaders(em),
  viewerFields: ['email', 'apiKeys'],
};

/** How WebSocket connections authenticate, and how their credentials are re-checked while open. */
export const credentialAuthority: CredentialAuthority = {
  authenticate,
  currentViewers,
  revokedTopic: identityTopics.credentialsRevoked,
};
