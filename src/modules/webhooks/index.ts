import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ModuleManifest } from '../../platform/module';
import { byIdLoader } from '../../platform/by-id-loader';
import { countLoader } from '../../platform/count-loader';
import { pruneInBatches } from '../../platform/database/prune';
import { deliver, fanOut } from './delivery';
import { buildPayloads } from './payloads';
import { WebhookEndpoint, WebhookEvent } from './webhooks.entity';
import {
  CommunityWebhooksResolver,
  WebhookDeliveryResolver,
  WebhookEndpointResolver,
  WebhookEventResolver,
} from './webhooks.resolver';

/** Per request: endpoints and events by id, and events' payloads (a page of them in one statement per event type). */
const createWebhookLoaders = (em: EntityManager) => ({
  webhookEndpoint: byIdLoader(em, WebhookEndpoint),
  webhookEvent: byIdLoader(em, WebhookEvent),
  /** Endpoints per community (at most WEBHOOK_LIMITS.endpointsPerCommunity), for `webhookEndpoints { totalCount }`. */
  webhookEndpointCount: countLoader(em, 'webhook_endpoints', 'community_id'),
  webhookPayload: new DataLoader<WebhookEvent, Record<string, unknown>, number>(
    async (events) => {
      const payloads = await buildPayloads(
        em,
        events.map((e) => ({
          id: e.id,
          community_id: e.community.id,
          type: e.type,
          subject_id: e.subjectId,
          created_at: e.createdAt,
        })),
      );
      return events.map((e) => payloads.get(e.id)!);
    },
    { cacheKeyFn: (e) => e.id },
  ),
});
type WebhookLoaders = ReturnType<typeof createWebhookLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends WebhookLoaders {}
}

declare module '../../platform/jobs/jobs' {
  interface JobPayloads {
    /** An event was recorded (by a trigger, in the transaction of its write): one delivery per subscribed endpoint. */
    'webhooks.fanout': { eventId: number };
    /** One attempt of a delivery (enqueued by the fan-out, a retry or `resendWebhookDelivery`). */
    'webhooks.deliver': { deliveryId: number };
    /** Daily: deletes events older than WEBHOOK_RETENTION_DAYS (with their deliveries), none still being retried. */
    'webhooks.prune': Record<string, never>;
  }
}

/**
 * Webhooks: a community's events (recorded by triggers in the transactions of the writes that cause
 * them, see the migration) signed and posted to the endpoints its admins registered, retried, logged.
 */
export const webhooks: ModuleManifest = {
  name: 'webhooks',
  resolvers: [WebhookEndpointResolver, WebhookDeliveryResolver, WebhookEventResolver, CommunityWebhooksResolver],
  loaders: (em) => createWebhookLoaders(em),
  tasks: {
    'webhooks.fanout': (payload, ctx) => fanOut(ctx, payload.eventId),
    'webhooks.deliver': (payload, ctx) => deliver(ctx, payload.deliveryId),
    async 'webhooks.prune'(_payload, { em, config, log, responseCache }) {
      const events = await pruneInBatches(
        em,
        'webhook_events',
        `created_at < now() - make_interval(days => $1)
         and not exists (select 1 from webhook_deliveries d where d.event_id = webhook_events.id and d.status = 'PENDING')`,
        [config.WEBHOOK_RETENTION_DAYS],
      );
      if (!events) return;
      log.info({ events, days: config.WEBHOOK_RETENTION_DAYS }, 'old webhook events pruned');
      // Once a day: cached answers listing them are dropped (all of them, rather than tracking whose).
      await responseCache.invalidate();
    },
  },
  schedules: [{ task: 'webhooks.prune', cron: '15 3 * * *', backfillHours: 24 }],
};
