import type { EntityManager } from '@mikro-orm/postgresql';
import { createCommunityLoaders } from '../modules/communities/communities.loaders';
import { createIdentityLoaders } from '../modules/identity/identity.loaders';
import { createPostLoaders } from '../modules/posts/posts.loaders';
import { createEventLoaders } from '../modules/events/events.loaders';
import { createChatLoaders } from '../modules/events/chat.loaders';
import { createContestLoaders } from '../modules/events/contests.loaders';
import { createPollLoaders } from '../modules/polls/polls.loaders';
import { createReputationLoaders } from '../modules/reputation/reputation.loaders';
import type { Viewer } from '../modules/identity/viewer';
import { CacheScope } from './cache-scope';

/** Every DataLoader of one request, created fresh per request (per event for subscriptions). */
export function createLoaders(em: EntityManager, viewer: Viewer) {
  const cacheScope = new CacheScope();
  return {
    /** What this request read and wrote, for the response cache (see cache-scope.ts). */
    cacheScope,
    ...createIdentityLoaders(em),
    ...createCommunityLoaders(em, viewer, cacheScope),
    ...createPostLoaders(em, viewer),
    ...createEventLoaders(em, viewer),
    ...createChatLoaders(em),
    ...createContestLoaders(em, viewer),
    ...createPollLoaders(em, viewer),
    ...createReputationLoaders(em),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
