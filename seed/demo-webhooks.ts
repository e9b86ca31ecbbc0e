import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/config';
import { sql } from '../src/platform/database/sql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { hashSecret, newSecret, TOKEN_PREFIX } from '../src/modules/identity/credentials';
import { newWebhookSecret, sealSecret } from '../src/modules/webhooks/secrets';
import type { Handle } from './demo-posts';

/**
 * A webhook endpoint and a bot of the `typescript` community. The endpoint, registered by its owner
 * before the demo's posts and comments are written, points at nothing (a reserved `.invalid` host):
 * its deliveries (webhookDeliveries) fail and are retried for WEBHOOK_FAILURE_WINDOW_SECONDS, then
 * it is disabled and the community's admins get WEBHOOK_DISABLED. Its secret was never shown:
 * `rotateWebhookEndpointSecret` makes one to see.
 */
export async function seedWebhooksAndBot(
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
  // A bot member (isBot) with a key scoped to the community, whose secret nobody knows: revoke it or make another bot.
  const [bot] = await sql<{ id: number }[]>(
    em,
    `insert into users (handle, email, password_hash, is_admin, is_bot, created_at)
     values ('typescript_bot', 'typescript_bot@bots.invalid', 'bot', false, true, now()) returning id`,
  );
  await sql(
    em,
    `insert into members (community_id, user_id, role, reputation, joined_at) values (?, ?, 'MEMBER', 0, now())`,
    [community.id, bot.id],
    'run',
  );
  await sql(em, 'update communities set member_count = member_count + 1 where id = ?', [community.id], 'run');
  await sql(
    em,
    `insert into api_keys (user_id, name, prefix, secret_hash, scopes, community_id, created_at)
     values (?, 'Demo bot', 'tsk_demo00', ?, '{READ,SUBSCRIBE,WRITE}', ?, now())`,
    [bot.id, hashSecret(newSecret(TOKEN_PREFIX.apiKey), tokenSecret), community.id],
    'run',
  );
}
