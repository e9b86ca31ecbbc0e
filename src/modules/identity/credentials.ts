import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt parameters (memory-hard). The cost is log2 of N: the default 15 (N=2^15, r=8, p=1) uses 32 MiB
 * and about 100 ms of CPU per hash; `PASSWORD_HASH_COST` changes it (at least 15 in production).
 */
export const PASSWORD_HASHING = { cost: 15, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Hashes a password as `scrypt$N$r$p$salt$key` (base64url parts), so parameters can change later:
 * a hash made at one cost is checked at that cost.
 */
export async function hashPassword(password: string, cost: number = PASSWORD_HASHING.cost): Promise<string> {
  const { r, p, keyLength, saltLength } = PASSWORD_HASHING;
  const N = 2 ** cost;
  const salt = randomBytes(saltLength);
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n);
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * N * Number(r),
  });
  return timingSafeEqual(actual, expected);
}

const dummyHashes = new Map<number, Promise<string>>();
/**
 * A hash that takes as long to check as a real one made at `cost`: signIn with an unknown email costs
 * the same time as with a wrong password.
 */
export function dummyPasswordHash(cost: number = PASSWORD_HASHING.cost): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = hashPassword(randomBytes(16).toString('hex'), cost)));
  return hash;
}

/** Prefixes that tell a session token from an API key secret and an invite link token. */
export const TOKEN_PREFIX = { session: 'tsq_', apiKey: 'tsk_', inviteLink: 'tsi_' } as const;

/** A new random bearer secret with the given prefix (256 bits of entropy). */
export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * A new API key's secret (shown once) and what its row stores of it: the prefix shown in lists and
 * the secret's hash.
 */
export function newApiKeySecret(tokenSecret: string): { secret: string; prefix: string; secretHash: string } {
  const secret = newSecret(TOKEN_PREFIX.apiKey);
  return { secret, prefix: secret.slice(0, 10), secretHash: hashSecret(secret, tokenSecret) };
}

/** The stored form of a bearer secret: HMAC-SHA256 keyed by TOKEN_SECRET, so a leaked table is useless. */
export function hashSecret(secret: string, key: string): string {
  return createHmac('sha256', key).update(secret).digest('hex');
}
