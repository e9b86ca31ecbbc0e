import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/config';
import { sql } from '../src/platform/database/sql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { newWebhookSecret, sealSecret } from '../src/modules/webhooks/secrets';
import type { Handle } from './demo-posts';

/**
 * A webhook endpoint of the `typescript` community, registered by its owner before the demo's posts
 * and comments are written, pointed at nothing (a reserved `.invalid` host, which never resolves):
 * its deliveries (webhookDeliveries) fail and are retried for WEBHOOK_FAILURE_WINDOW_SECONDS, then
 * it is disabled and the community's admins get WEBHOOK_DISABLED. Its secret was never shown:
 * `rotateWebhookSecret` makes one to see.
 */
export async function seedWebhooks(
  em: EntityManager,
  communities: Map<string, Community>,
  users: Map<Handle, User>,
): Promise<void> {
  const community = communities.get('typescript');
  if (!community) return;
  // Sealed with the TOKEN_SECRET the server reads from the same environment (a secret it cannot open is a failed delivery).
  let tokenSecret: string;
  try {
    tokenSecret = loadConfig().TOKEN_SECRET;
  } catch {
    return;
  }
  await sql(
    em,
    `insert into webhook_endpoints (community_id, created_by_id, url, event_types, secret_sealed, enabled, created_at)
     values (?, ?, 'http://demo-receiver.invalid/townsquare', '{POST_CREATED,COMMENT_ADDED}', ?, true, now())`,
    [community.id, users.get('alice')?.id ?? null, sealSecret(newWebhookSecret(), tokenSecret)],
    'run',
  );
}
