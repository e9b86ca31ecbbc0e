import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A new endpoint secret in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The key that seals endpoint secrets at rest, derived from TOKEN_SECRET. */
function sealingKey(tokenSecret: string): Buffer {
  return createHash('sha256').update(`townsquare:webhook-secrets:${tokenSecret}`).digest();
}

/**
 * Seals an endpoint secret for storage (AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64url): a copy
 * of the table alone does not let anyone sign webhooks. Deliveries need the secret itself, so it
 * cannot be hashed like API keys.
 */
export function sealSecret(secret: string, tokenSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(tokenSecret), iv);
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The secret `sealSecret` sealed (throws if the seal was not made with this TOKEN_SECRET). */
export function openSecret(sealed: string, tokenSecret: string): string {
  const [, iv, tag, data] = sealed.split('.');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(tokenSecret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
