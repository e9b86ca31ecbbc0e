import { Webhook } from 'standardwebhooks';
import { fastSql, sqlTransaction } from '../../platform/database/sql';
import { toGlobalId } from '../../platform/ids';
import { enqueue, type JobContext } from '../../platform/jobs/jobs';
import { buildPayloads, type EventRow } from './payloads';
import { openSecret } from './secrets';
import { send, type SendResult } from './sender';

/** Retry schedule of a failing delivery (the window itself is WEBHOOK_FAILURE_WINDOW_SECONDS). */
export const RETRY = {
  /** Longest wait between two attempts. */
  maxDelayMs: 6 * 3_600_000,
  /** Attempts graphile-worker makes of one delivery job when the job itself fails (a database error). */
  jobAttempts: 5,
} as const;

/** The `webhook-id` of an event's deliveries: the same for every attempt, redelivery and endpoint, so receivers can deduplicate. */
export function webhookId(eventId: number): string {
  return `msg_${toGlobalId('WebhookEvent', eventId)}`;
}

/** Enqueues the attempt of a delivery (in the caller's transaction), now or at `runAt`. */
export function enqueueDelivery(db: JobContext['em'], deliveryId: number, runAt?: Date): Promise<string> {
  return enqueue(
    db,
    'webhooks.deliver',
    { deliveryId },
    { runAt, jobKey: `webhook-delivery:${deliveryId}`, maxAttempts: RETRY.jobAttempts },
  );
}

/**
 * `webhooks.fanout`: one delivery of an event per enabled endpoint of its community subscribed to its
 * type (once: a unique key), each with its attempt enqueued, in one transaction.
 */
export async function fanOut(ctx: Pick<JobContext, 'em' | 'responseCache'>, eventId: number): Promise<void> {
  const communityId = await sqlTransaction(ctx.em, async (tx) => {
    const rows = await fastSql<{ id: number }>(
      tx,
      `insert into webhook_deliveries (endpoint_id, event_id, status, attempts, created_at)
       select w.id, e.id, 'PENDING', 0, now() from webhook_events e
         join webhook_endpoints w on w.community_id = e.community_id and w.enabled and e.type = any(w.event_types)
        where e.id = $1
       on conflict (endpoint_id, event_id) where redelivery_of_id is null do nothing
       returning id`,
      [eventId],
    );
    for (const row of rows) await enqueueDelivery(tx, row.id);
    const [event] = await fastSql<{ community_id: number }>(
      tx,
      'select community_id from webhook_events where id = $1',
      [eventId],
    );
    return rows.length ? event?.community_id : undefined;
  });
  if (communityId !== undefined) await invalidate(ctx, communityId);
}

/**
 * Cached answers that read the community's webhooks (deliveries, endpoints) are not served again:
 * jobs write outside any mutation, which is what invalidates the response cache otherwise.
 */
function invalidate(ctx: Pick<JobContext, 'responseCache'>, communityId: number): Promise<void> {
  return ctx.responseCache.invalidate({ communities: [communityId], members: [] });
}

interface DeliveryRow extends EventRow {
  delivery_id: number;
  endpoint_id: number;
  status: string;
  attempts: number;
  url: string;
  secret_sealed: string;
  enabled: boolean;
  delivery_created_at: Date | string;
}

/**
 * `webhooks.deliver`: one attempt of a PENDING delivery. The payload is built now, signed with the
 * endpoint's secret (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`) and
 * posted through the SSRF guard. A 2xx answer succeeds; anything else is retried with exponential
 * backoff (WEBHOOK_RETRY_BASE_MS doubled each time, at most RETRY.maxDelayMs) until
 * WEBHOOK_FAILURE_WINDOW_SECONDS after the delivery was made, the last attempt at the window's end.
 * An endpoint that has failed for the whole window is disabled, and its community's admins are
 * notified (`notifications.webhookDisabled`), in the transaction that records the failure.
 */
export async function deliver(ctx: JobContext, deliveryId: number): Promise<void> {
  const [d] = await fastSql<DeliveryRow>(
    ctx.em,
    `select d.id as delivery_id, d.endpoint_id, d.status, d.attempts, d.created_at as delivery_created_at,
            w.url, w.secret_sealed, w.enabled, e.id, e.community_id, e.type, e.subject_id, e.created_at
       from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id join webhook_events e on e.id = d.event_id
      where d.id = $1`,
    [deliveryId],
  );
  if (!d || d.status !== 'PENDING') return;
  if (!d.enabled) {
    await fastSql(
      ctx.em,
      `update webhook_deliveries set status = 'FAILED', error = 'endpoint disabled', next_attempt_at = null
        where id = $1 and status = 'PENDING'`,
      [deliveryId],
    );
    await invalidate(ctx, d.community_id);
    return;
  }
  const payload = JSON.stringify((await buildPayloads(ctx.em, [d])).get(d.id));
  const msgId = webhookId(d.id);
  const now = new Date();
  let result: SendResult | null = null;
  let error: string | null = null;
  const started = performance.now();
  try {
    // A secret sealed under another TOKEN_SECRET cannot be opened: a failed attempt (rotate the secret).
    let secret: string;
    try {
      secret = openSecret(d.secret_sealed, ctx.config.TOKEN_SECRET);
    } catch {
      throw new Error('the endpoint secret cannot be read (was TOKEN_SECRET changed?): rotate it');
    }
    const signature = new Webhook(secret).sign(msgId, now, payload);
    result = await send(
      d.url,
      {
        'webhook-id': msgId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signature,
      },
      payload,
      { timeoutMs: ctx.config.WEBHOOK_TIMEOUT_MS, allowedHosts: ctx.config.WEBHOOK_ALLOWED_HOSTS },
    );
  } catch (err) {
    error = ((err as Error).message || String(err)).slice(0, 500);
  }
  const latencyMs = result?.latencyMs ?? Math.round(performance.now() - started);
  const ok = !!result && result.status >= 200 && result.status < 300;
  const response = [result?.status ?? null, latencyMs, result?.excerpt ?? null, error] as const;
  if (ok) {
    await sqlTransaction(ctx.em, async (tx) => {
      await fastSql(
        tx,
        `update webhook_deliveries set status = 'SUCCEEDED', attempts = attempts + 1, response_status = $2, latency_ms = $3,
                response_excerpt = $4, error = $5, last_attempt_at = now(), next_attempt_at = null, delivered_at = now()
          where id = $1`,
        [deliveryId, ...response],
      );
      await fastSql(
        tx,
        'update webhook_endpoints set failing_since = null where id = $1 and failing_since is not null',
        [d.endpoint_id],
      );
    });
    await invalidate(ctx, d.community_id);
    return;
  }
  const windowMs = ctx.config.WEBHOOK_FAILURE_WINDOW_SECONDS * 1000;
  const deadline = new Date(d.delivery_created_at).getTime() + windowMs;
  const delay = Math.min(ctx.config.WEBHOOK_RETRY_BASE_MS * 2 ** d.attempts, RETRY.maxDelayMs);
  const nowMs = Date.now();
  // The last retry comes at the window's end; past it, the delivery is given up.
  const next = nowMs >= deadline ? null : new Date(Math.min(nowMs + delay, deadline));
  await sqlTransaction(ctx.em, async (tx) => {
    await fastSql(
      tx,
      `update webhook_deliveries set status = $6, attempts = attempts + 1, response_status = $2, latency_ms = $3,
              response_excerpt = $4, error = $5, last_attempt_at = now(), next_attempt_at = $7
        where id = $1`,
      [deliveryId, ...response, next ? 'PENDING' : 'FAILED', next],
    );
    if (next) await enqueueDelivery(tx, deliveryId, next);
    // Failing since the first failed delivery's creation: its last attempt, at its window's end, disables the endpoint.
    const disabled = await fastSql<{ id: number; enabled: boolean }>(
      tx,
      `update webhook_endpoints set failing_since = coalesce(failing_since, $3::timestamptz),
              enabled = case when failing_since <= now() - make_interval(secs => $2) then false else enabled end,
              disabled_at = case when failing_since <= now() - make_interval(secs => $2) then now() else disabled_at end
        where id = $1 and enabled
       returning id, enabled`,
      [d.endpoint_id, ctx.config.WEBHOOK_FAILURE_WINDOW_SECONDS, new Date(d.delivery_created_at)],
    );
    if (disabled.length && !disabled[0].enabled) {
      await enqueue(tx, 'notifications.webhookDisabled', { webhookEndpointId: d.endpoint_id });
      ctx.log.warn({ endpointId: d.endpoint_id }, 'webhook endpoint disabled after failing for the whole window');
    }
  });
  await invalidate(ctx, d.community_id);
}
