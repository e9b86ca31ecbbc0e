import type { ModuleManifest } from '../../platform/module';
import { createLeaderboards, type Leaderboards } from './leaderboards';
import { createReputationLoaders } from './reputation.loaders';
import { CommunityReputationResolver, MemberReputationResolver, ReputationEventResolver } from './reputation.resolver';
import { startBadgeSweep } from './sweep';

type ReputationLoaders = ReturnType<typeof createReputationLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends ReputationLoaders {}
}
declare module '../../platform/context' {
  interface Services {
    /** The leaderboards (Redis with REDIS_URL, else in process), kept in step with the ledger. */
    leaderboards: Leaderboards;
  }
}

/** The points ledger, levels, badges and leaderboards. */
export const reputation: ModuleManifest = {
  name: 'reputation',
  resolvers: [MemberReputationResolver, ReputationEventResolver, CommunityReputationResolver],
  loaders: (em) => createReputationLoaders(em),
  async start({ orm, log, config, responseCache, namespace }) {
    const leaderboards = await createLeaderboards(config.REDIS_URL, orm, log, namespace);
    // Awards the monthly top-10 badges once a month ends; like the poll closer it runs in every
    // instance and claims its work in SQL (see sweep.ts).
    const sweep = startBadgeSweep({
      orm,
      log,
      everyMs: config.BADGE_SWEEP_MINUTES * 60_000,
      onAwarded: () => responseCache.invalidate(),
    });
    return {
      services: { leaderboards },
      async stop() {
        await sweep.stop();
        await leaderboards.close();
      },
    };
  },
};
