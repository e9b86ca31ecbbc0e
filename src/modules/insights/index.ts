import type { ModuleManifest } from '../../platform/module';
import { CommunityInsightsResolver, InsightsContributorResolver, InsightsResolver } from './insights.resolver';
import { runRollup } from './rollup';

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /**
     * Hourly: recomputes the insights rollups of the days touched since its last run (`rebuild`:
     * of every day). See rollup.ts.
     */
    'insights.rollup': { rebuild?: boolean };
  }
}

/**
 * Insights for community admins and platform admins (issue 17): activity, members, replies, tags,
 * events and retention over time, read from rollup tables an hourly job keeps.
 */
export const insights: ModuleManifest = {
  name: 'insights',
  resolvers: [CommunityInsightsResolver, InsightsResolver, InsightsContributorResolver],
  tasks: {
    async 'insights.rollup'(payload, { em, log, responseCache }) {
      const started = Date.now();
      const result = await runRollup(em, { rebuild: payload?.rebuild === true });
      log.info({ ...result, ms: Date.now() - started }, 'insights rollup done');
      // Cached insights answers are dropped when a day was recomputed, all of them: platformInsights reads
      // every community. (`computedThrough` alone may show a run late, within RESPONSE_CACHE_SECONDS.)
      if (result.days > 0 || result.posts > 0) await responseCache.invalidate();
    },
  },
  // Five past every hour; a run missed is made up within 2 hours (one run catches up everything).
  schedules: [{ task: 'insights.rollup', cron: '5 * * * *', backfillHours: 2 }],
};
