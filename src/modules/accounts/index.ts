import { pruneInBatches } from '../../platform/database/prune';
import { createMailer, type Mailer } from '../../platform/mail/mailer';
import type { ModuleManifest } from '../../platform/module';
import { AccountsResolver } from './accounts.resolver';
import { eraseAccount } from './deletion';
import { issuePasswordReset, promoteListedAdmins, sendAccountEmail, type AccountEmail } from './accounts.service';

declare module '../../platform/context' {
  interface Services {
    /** Sends mail (SMTP_URL, or the outbox folder): only background jobs call it. */
    mailer: Mailer;
  }
}

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** Sends one account email (verification, password reset, password changed); enqueued with the write that causes it. */
    'accounts.email': AccountEmail;
    /** Issues a password reset token and enqueues its email if an account has the address (requestPasswordReset). */
    'accounts.passwordReset': { email: string; ttlSeconds: number };
    /**
     * Erases an account whose deletion is pending and due (requestAccountDeletion); cancelled or
     * rescheduled: nothing. With `sweep`, a minute after an erasure: removes what writes racing it left.
     */
    'accounts.erase': { userId: number; sweep?: boolean };
    /** Daily: deletes expired sessions, and email tokens expired or used more than a day ago. */
    'accounts.prune': Record<string, never>;
  }
}

/** Email verification, password reset and account deletion, and the mailer every module's jobs send with. */
export const accounts: ModuleManifest = {
  name: 'accounts',
  resolvers: [AccountsResolver],
  tasks: {
    'accounts.email': (payload, ctx) => sendAccountEmail(ctx, payload),
    'accounts.passwordReset': (payload, ctx) => issuePasswordReset(ctx, payload.email, payload.ttlSeconds),
    async 'accounts.erase'(payload, ctx) {
      await eraseAccount(
        {
          em: ctx.em,
          pubsub: ctx.pubsub,
          log: ctx.log,
          leaderboards: ctx.services.leaderboards,
          invalidate: () => ctx.responseCache.invalidate(),
        },
        payload.userId,
        payload.sweep ?? false,
      );
    },
    async 'accounts.prune'(_payload, { em, log }) {
      const sessions = await pruneInBatches(em, 'sessions', 'expires_at < now()');
      const tokens = await pruneInBatches(
        em,
        'email_tokens',
        `expires_at < now() - interval '1 day' or used_at < now() - interval '1 day'`,
      );
      if (sessions || tokens) log.info({ sessions, tokens }, 'expired sessions and email tokens pruned');
    },
  },
  schedules: [{ task: 'accounts.prune', cron: '25 3 * * *', backfillHours: 24 }],
  viewerFields: ['emailVerified', 'emailVerifiedAt', 'accountDeletionScheduledAt'],
  async start({ orm, config, log }) {
    const mailer = createMailer(config, log.child({ component: 'mail' }));
    if (config.ADMIN_EMAILS.length) {
      const promoted = await promoteListedAdmins(orm.em.fork(), config.ADMIN_EMAILS);
      log.info(
        { ADMIN_EMAILS: config.ADMIN_EMAILS.length, promoted },
        'ADMIN_EMAILS: a listed address makes its owner platform admin once verified',
      );
    }
    return { services: { mailer }, stop: () => mailer.close() };
  },
};
