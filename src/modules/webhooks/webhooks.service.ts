import { isIP } from 'node:net';
import type { Context } from '../../platform/context';
import { fastSql, sqlTransaction } from '../../platform/database/sql';
import { BadInput, NotFound, nullIfHidden } from '../../platform/errors';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { actorIn, visibleCommunity } from '../communities/communities.service';
import { lockCommunity } from '../communities/membership.service';
import { assertCan } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import { enqueueDelivery } from './delivery';
import { newWebhookSecret, sealSecret } from './secrets';
import { hostOf, isBlockedAddress } from './ssrf';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookEventType } from './webhooks.entity';
import { WEBHOOK_LIMITS, type CreateWebhookEndpointInput, type UpdateWebhookEndpointInput } from './webhooks.inputs';

/** An endpoint with its secret, as created or rotated: the only time the secret is shown. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** Throws unless the viewer may manage the community's webhooks: UNAUTHENTICATED, NOT_FOUND (cannot see it) or FORBIDDEN. */
export async function assertManages(ctx: Context, communityId: number): Promise<void> {
  requireUser(ctx.viewer);
  await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, communityId), 'webhooks.manage');
}

/** An endpoint the viewer manages, or NOT_FOUND / FORBIDDEN. */
async function managedEndpoint(ctx: Context, id: number): Promise<WebhookEndpoint> {
  requireUser(ctx.viewer);
  const endpoint = await ctx.loaders.webhookEndpoint.load(id);
  if (!endpoint || !(await nullIfHidden(visibleCommunity(ctx.loaders, ctx.viewer, endpoint.community.id)))) {
    throw new NotFound('Webhook endpoint');
  }
  assertCan(await actorIn(ctx.loaders, ctx.viewer, endpoint.community.id), 'webhooks.manage');
  return endpoint;
}

/**
 * An endpoint URL as stored: http or https, with a host, no user name or password in it; an IP
 * literal that is not public (loopback, private, link-local…) is refused at once unless
 * WEBHOOK_ALLOWED_HOSTS lists it (host names are checked when each delivery resolves them).
 */
export function checkUrl(raw: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new BadInput('url must be an absolute http or https URL', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadInput('url must be http or https', 'url');
  if (!url.hostname) throw new BadInput('url must name a host', 'url');
  if (url.username || url.password) throw new BadInput('url must not hold a user name or password', 'url');
  const host = hostOf(url);
  if (isIP(host) && isBlockedAddress(host) && !allowedHosts.some((h) => h.toLowerCase() === host)) {
    throw new BadInput('url must reach a public address', 'url');
  }
  const href = url.href;
  if (href.length > WEBHOOK_LIMITS.urlLength)
    throw new BadInput(`url must be at most ${WEBHOOK_LIMITS.urlLength} characters`, 'url');
  return href;
}

function checkTypes(types: readonly WebhookEventType[]): WebhookEventType[] {
  const unique = [...new Set(types)];
  if (!unique.length) throw new BadInput('eventTypes must name at least one event type', 'eventTypes');
  return unique;
}

/** `createWebhookEndpoint` (`webhooks.manage`): at most WEBHOOK_LIMITS.endpointsPerCommunity per community. */
export async function createEndpoint(
  ctx: Context,
  communityId: number,
  input: CreateWebhookEndpointInput,
): Promise<EndpointWithSecret> {
  await assertManages(ctx, communityId);
  const url = checkUrl(input.url, ctx.config.WEBHOOK_ALLOWED_HOSTS);
  const types = checkTypes(input.eventTypes);
  const secret = newWebhookSecret();
  const id = await sqlTransaction(ctx.em, async (tx) => {
    await lockCommunity(tx, communityId); // the cap holds under concurrent creations
    const [{ n }] = await fastSql<{ n: number }>(
      tx,
      'select count(*)::int as n from webhook_endpoints where community_id = $1',
      [communityId],
    );
    if (n >= WEBHOOK_LIMITS.endpointsPerCommunity) {
      throw new BadInput(
        `A community has at most ${WEBHOOK_LIMITS.endpointsPerCommunity} webhook endpoints`,
        'communityId',
      );
    }
    const [row] = await fastSql<{ id: number }>(
      tx,
      `insert into webhook_endpoints (community_id, created_by_id, url, event_types, secret_sealed, enabled, created_at)
       values ($1, $2, $3, $4::text[], $5, true, now()) returning id`,
      [communityId, ctx.viewer.userId, url, types, sealSecret(secret, ctx.config.TOKEN_SECRET)],
    );
    return row.id;
  });
  return { endpoint: await ctx.em.findOneOrFail(WebhookEndpoint, id), secret };
}

/** `updateWebhookEndpoint` (`webhooks.manage`): enabling it again forgets its failures. */
export async function updateEndpoint(
  ctx: Context,
  id: number,
  input: UpdateWebhookEndpointInput,
): Promise<WebhookEndpoint> {
  await managedEndpoint(ctx, id);
  const url = input.url != null ? checkUrl(input.url, ctx.config.WEBHOOK_ALLOWED_HOSTS) : null;
  const types = input.eventTypes != null ? checkTypes(input.eventTypes) : null;
  const enabled = input.enabled ?? null;
  await fastSql(
    ctx.em,
    `update webhook_endpoints set url = coalesce($2, url), event_types = coalesce($3::text[], event_types),
            enabled = coalesce($4, enabled),
            failing_since = case when $4 then null else failing_since end,
            disabled_at = case when $4 then null else disabled_at end
      where id = $1`,
    [id, url, types, enabled],
  );
  return ctx.em.findOneOrFail(WebhookEndpoint, id, { refresh: true });
}

/** `removeWebhookEndpoint` (`webhooks.manage`): its deliveries go with it. Returns its community's id. */
export async function deleteEndpoint(ctx: Context, id: number): Promise<number> {
  const endpoint = await managedEndpoint(ctx, id);
  await fastSql(ctx.em, 'delete from webhook_endpoints where id = $1', [id]);
  return endpoint.community.id;
}

/** `rotateWebhookEndpointSecret` (`webhooks.manage`): a new secret signs every delivery from now on (retries too). */
export async function rotateSecret(ctx: Context, id: number): Promise<EndpointWithSecret> {
  await managedEndpoint(ctx, id);
  const secret = newWebhookSecret();
  await fastSql(ctx.em, 'update webhook_endpoints set secret_sealed = $2 where id = $1', [
    id,
    sealSecret(secret, ctx.config.TOKEN_SECRET),
  ]);
  return { endpoint: await ctx.em.findOneOrFail(WebhookEndpoint, id, { refresh: true }), secret };
}

/**
 * `resendWebhookDelivery` (`webhooks.manage`): a new delivery of the same event to the same endpoint
 * (same `webhook-id`, a payload built anew), attempted at once and retried like any other; the
 * endpoint must be enabled.
 */
export async function redeliver(ctx: Context, deliveryId: number): Promise<WebhookDelivery> {
  requireUser(ctx.viewer);
  const [old] = await fastSql<{ endpoint_id: number; event_id: number; enabled: boolean }>(
    ctx.em,
    `select d.endpoint_id, d.event_id, w.enabled from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id
      where d.id = $1`,
    [deliveryId],
  );
  if (!old) throw new NotFound('Webhook delivery');
  await managedEndpoint(ctx, old.endpoint_id);
  if (!old.enabled) throw new BadInput('The endpoint is disabled: enable it first', 'deliveryId');
  const id = await sqlTransaction(ctx.em, async (tx) => {
    const [row] = await fastSql<{ id: number }>(
      tx,
      `insert into webhook_deliveries (endpoint_id, event_id, redelivery_of_id, status, attempts, created_at)
       values ($1, $2, $3, 'PENDING', 0, now()) returning id`,
      [old.endpoint_id, old.event_id, deliveryId],
    );
    await enqueueDelivery(tx, row.id);
    return row.id;
  });
  return ctx.em.findOneOrFail(WebhookDelivery, id);
}

/** `Community.webhookEndpoints` (`webhooks.manage`), oldest first. */
export async function endpointsOf(ctx: Context, community: Community, args: PageArgsShape) {
  await assertManages(ctx, community.id);
  const page = idPage(args);
  const rows = await ctx.em.find(
    WebhookEndpoint,
    { community: community.id, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(
    rows,
    page,
    (r) => [r.id],
    () => ctx.loaders.webhookEndpointCount.load(community.id),
  );
}

/** `webhookDeliveries(endpointId)` (`webhooks.manage`), newest first. */
export async function deliveriesOf(ctx: Context, endpointId: number, args: PageArgsShape) {
  await managedEndpoint(ctx, endpointId);
  const page = idPage(args, 'desc');
  const rows = await ctx.em.find(
    WebhookDelivery,
    { endpoint: endpointId, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (r) => [r.id]);
}

/**
 * `webhookEvents` (`webhooks.manage`): the community's events (or those of the types an endpoint
 * receives) after the cursor, oldest first, so that a receiver that was down catches up.
 */
export async function eventsOf(
  ctx: Context,
  scope: { communityId: number | null; endpointId: number | null },
  args: PageArgsShape,
) {
  let communityId = scope.communityId;
  let types: WebhookEventType[] | null = null;
  if (scope.endpointId !== null) {
    const endpoint = await managedEndpoint(ctx, scope.endpointId);
    if (communityId !== null && communityId !== endpoint.community.id) {
      throw new BadInput('endpointId must be an endpoint of communityId', 'endpointId');
    }
    communityId = endpoint.community.id;
    types = endpoint.eventTypes;
  } else if (communityId !== null) {
    await assertManages(ctx, communityId);
  } else {
    throw new BadInput('Give communityId or endpointId', 'communityId');
  }
  const page = idPage(args);
  const rows = await ctx.em.find(
    WebhookEvent,
    { community: communityId, id: { $gt: page.above, $lt: page.below }, ...(types ? { type: { $in: types } } : {}) },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(rows, page, (r) => [r.id]);
}

/** Whether the viewer manages the community's webhooks (for fields that answer null otherwise). */
export async function managesWebhooks(ctx: Context, communityId: number): Promise<boolean> {
  try {
    await assertManages(ctx, communityId);
    return true;
  } catch {
    return false;
  }
}

/** `node(id)` of a webhook endpoint, delivery or event: only to whoever manages its community's webhooks (null otherwise). */
export async function managedWebhookNode(
  ctx: Context,
  type: 'WebhookEndpoint' | 'WebhookDelivery' | 'WebhookEvent',
  id: number,
): Promise<WebhookEndpoint | WebhookDelivery | WebhookEvent | null> {
  if (ctx.viewer.userId === null) return null;
  let node: WebhookEndpoint | WebhookDelivery | WebhookEvent | null;
  let communityId: number | undefined;
  if (type === 'WebhookEndpoint') {
    node = await ctx.loaders.webhookEndpoint.load(id);
    communityId = node?.community.id;
  } else if (type === 'WebhookEvent') {
    node = await ctx.loaders.webhookEvent.load(id);
    communityId = node?.community.id;
  } else {
    node = await ctx.em.findOne(WebhookDelivery, id);
    communityId = node ? (await ctx.loaders.webhookEndpoint.load(node.endpoint.id))?.community.id : undefined;
  }
  return node && communityId !== undefined && (await managesWebhooks(ctx, communityId)) ? node : null;
}
