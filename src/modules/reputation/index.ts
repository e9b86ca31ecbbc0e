import type { ModuleManifest } from '../../platform/module';
import { redisTarget } from '../../platform/redis';
import { createLeaderboards, type Leaderboards } from './leaderboards';
import { createReputationLoaders } from './reputation.loaders';
import { CommunityReputationResolver, MemberReputationResolver, ReputationEventResolver } from './reputation.resolver';
import { awardMonthlyTop } from './badges';

type ReputationLoaders = ReturnType<typeof createReputationLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends ReputationLoaders {}
}
declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** Awards the MONTHLY_TOP_10 badges of months that ended (hourly; see `awardMonthlyTop`). */
    'reputation.monthlyBadges': Record<string, never>;
  }
}
declare module '../../platform/context' {
  interface Services {
    /** The leaderboards (Redis with REDIS_URL or REDIS_CLUSTER_NODES, else in process), kept in step with the ledger. */
    leaderboards: Leaderboards;
  }
}

/** The points ledger, levels, badges and leaderboards. */
export const reputation: ModuleManifest = {
  name: 'reputation',
  resolvers: [MemberReputationResolver, ReputationEventResolver, CommunityReputationResolver],
  loaders: (em) => createReputationLoaders(em),
  tasks: {
    // Each community's month is claimed in SQL with its awards: a run that overlaps another awards it once.
    async 'reputation.monthlyBadges'(_payload, { em, log, responseCache }) {
      const awarded = await awardMonthlyTop(em);
      if (awarded) {
        log.info({ awarded }, 'monthly top-10 badges awarded');
        await responseCache.invalidate();
      }
    },
  },
  // Every hour (a community's month ends at midnight in its own time zone); made up at start for 2 hours missed.
  schedules: [{ task: 'reputation.monthlyBadges', cron: '0 * * * *', backfillHours: 2 }],
  async start({ orm, log, config, namespace }) {
    const leaderboards = await createLeaderboards(redisTarget(config), orm, log, namespace);
    return {
      services: { leaderboards },
      async stop() {
        await leaderboards.close();
      },
    };
  },
};
