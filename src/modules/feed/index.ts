import type { EntityManager } from '@mikro-orm/postgresql';
import { countLoader } from '../../platform/count-loader';
import type { ModuleManifest } from '../../platform/module';
import type { Viewer } from '../identity/viewer';
import { runAffinity } from './affinity';
import { FeedResolver, UserFollowsResolver } from './feed.resolver';
import { viewerFollowsLoader } from './follows';

/** Per request: whether the viewer follows each user, and follow counts. */
const createFeedLoaders = (em: EntityManager, viewer: Viewer) => ({
  viewerFollows: viewerFollowsLoader(em, viewer),
  /** Members each user follows (at most FOLLOW_LIMITS.maxMembers), for `following { totalCount }`. */
  followingCount: countLoader(em, 'member_follows', 'follower_id'),
  /** Tags each user follows (at most FOLLOW_LIMITS.maxTags), for `followedTags { totalCount }`. */
  followedTagCount: countLoader(em, 'tag_follows', 'user_id'),
});
type FeedLoaders = ReturnType<typeof createFeedLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends FeedLoaders {}
}

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /**
     * Every minute: adds the posts, comments, votes and reactions written since its last run to the
     * members' affinities and recomputes the similar members of who acted (affinity.ts).
     * `settleSeconds`: how old a row must be to be taken in (default FEED_AFFINITY.settleSeconds).
     */
    'feed.affinity': { settleSeconds?: number };
  }
}

/**
 * Follows and the personal feed (issue 18, point 3): members follow members and tags;
 * `personalFeed(mode: FOLLOWING | FOR_YOU)` reads them with the member's communities, ranked for
 * FOR_YOU by affinities a job keeps.
 */
export const feed: ModuleManifest = {
  name: 'feed',
  resolvers: [FeedResolver, UserFollowsResolver],
  loaders: createFeedLoaders,
  viewerFields: ['personalFeed', 'following', 'followedTags'],
  tasks: {
    async 'feed.affinity'(payload, { em, log, responseCache }) {
      const started = Date.now();
      const settle = payload?.settleSeconds;
      const result = await runAffinity(em, typeof settle === 'number' && settle >= 0 ? { settleSeconds: settle } : {});
      log.debug({ ...result, ms: Date.now() - started }, 'feed affinity done');
      // FOR_YOU answers kept in the response cache read the affinities: dropped when they changed.
      // `personalFeed` is not a scoped root field, so its answers depend on every write: a write that
      // touches no community moves the cache's counter and drops them (and the other answers that
      // depend on everything), while the communities' feeds, posts and threads stay kept.
      if (result.members > 0) await responseCache.invalidate({ communities: [] });
    },
  },
  // Every minute; one run catches up whatever was missed.
  schedules: [{ task: 'feed.affinity', cron: '* * * * *', backfillHours: 0 }],
};
