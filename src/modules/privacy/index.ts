import type { ModuleManifest } from '../../platform/module';
import { EXPORTS_PATH, archiveForToken, buildExport, pruneExports } from './exports';
import { DataExportResolver, RetentionSettingsResolver, UserDataExportsResolver } from './privacy.resolver';
import { pruneChat, readRetentionSettings } from './retention';

/** How often an instance reads the retention settings again (another instance may have changed them). */
const SETTINGS_REFRESH_MS = 60_000;

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** A data export was requested: build its archive (enqueued in the request's transaction). */
    'privacy.buildExport': { exportId: number };
    /** Daily: drops archives past their DATA_EXPORT_TTL_HOURS (and export rows older than 30 days). */
    'privacy.pruneExports': Record<string, never>;
    /** Daily: deletes chat messages older than the platform's `chatMessageDays` (none under an open moderation item). */
    'privacy.pruneChat': Record<string, never>;
  }
}

/** Privacy: members' data exports, and the platform's retention settings with the jobs that enforce them. */
export const privacy: ModuleManifest = {
  name: 'privacy',
  resolvers: [DataExportResolver, UserDataExportsResolver, RetentionSettingsResolver],
  tasks: {
    'privacy.buildExport': (payload, ctx) => buildExport(ctx, payload.exportId),
    async 'privacy.pruneExports'(_payload, { em, log, responseCache }) {
      const pruned = await pruneExports(em);
      if (!pruned.archives && !pruned.rows) return;
      log.info(pruned, 'expired data exports pruned');
      await responseCache.invalidate();
    },
    async 'privacy.pruneChat'(_payload, { em, log, responseCache }) {
      const { days, deleted } = await pruneChat(em);
      if (!deleted) return;
      log.info({ deleted, days }, 'chat messages pruned');
      await responseCache.invalidate();
    },
  },
  schedules: [
    { task: 'privacy.pruneExports', cron: '40 3 * * *', backfillHours: 24 },
    { task: 'privacy.pruneChat', cron: '50 3 * * *', backfillHours: 24 },
  ],
  routes: [
    {
      // The token is the credential (no sign-in): unknown, not ready and expired links are all 404.
      path: `${EXPORTS_PATH}/:token`,
      async handle(req, res, { em }) {
        res.set('cache-control', 'no-store');
        res.set('referrer-policy', 'no-referrer');
        const archive = await archiveForToken(em, String(req.params.token));
        if (!archive) {
          res.status(404).json({ error: 'no such export, or its link has expired' });
          return;
        }
        res.attachment(archive.fileName).type('application/json').send(archive.body);
      },
    },
  ],
  // Rate-limit keys that name a client address live at most `ipAddressHours`: read at start, then every minute.
  async start({ orm, rateLimiter, log }) {
    if (!rateLimiter) return { stop: async () => {} };
    const refresh = async () => {
      try {
        const { ipAddressHours } = await readRetentionSettings(orm.em.fork());
        rateLimiter.addressRetentionMs = ipAddressHours * 3_600_000;
      } catch (err) {
        log.warn({ err }, 'retention settings: not read; the last ones stay');
      }
    };
    await refresh();
    const timer = setInterval(() => void refresh(), SETTINGS_REFRESH_MS).unref();
    return { stop: async () => clearInterval(timer) };
  },
  // Only their owner reads them: never shared between sockets.
  viewerFields: ['dataExports', 'retentionSettings'],
};
