import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { BadInput } from './errors';

/**
 * Node types that have global IDs, with the code each one has inside an encrypted ID. The codes are
 * part of every ID ever handed out: never change or reuse one, only append.
 */
const TYPE_CODES = {
  User: 1,
  Community: 2,
  Member: 3,
  JoinRequest: 4,
  Invite: 5,
  ApiKey: 6,
  Post: 7,
  Comment: 8,
  Event: 9,
  Rsvp: 10,
  ChatMessage: 11,
  ContestEntry: 12,
  Poll: 13,
  PollOption: 14,
  InviteLink: 15,
  CommunityRule: 16,
  ModerationItem: 17,
  Report: 18,
  ModerationDecision: 19,
  ModerationLogEntry: 20,
  Appeal: 21,
  AutoModRule: 22,
  Notification: 23,
  WebhookEndpoint: 24,
  WebhookDelivery: 25,
  WebhookEvent: 26,
  DataExport: 27,
  Quest: 28,
  Channel: 29,
} as const;

/** Node types that have global IDs. */
export type NodeType = keyof typeof TYPE_CODES;

const TYPE_OF_CODE: (NodeType | undefined)[] = [];
for (const [type, code] of Object.entries(TYPE_CODES)) TYPE_OF_CODE[code] = type as NodeType;

/**
 * Layout of the one AES block behind an ID: byte 0 the type code, bytes 1–6 the row id (big-endian,
 * below 2^48), bytes 7–15 zero. Decrypting anything not made with the key gives a random block whose
 * 72-bit zero tail matches with probability 2^-72: forged and tampered IDs are refused.
 */
const BLOCK = { size: 16, idOffset: 1, idBytes: 6, tailOffset: 7 } as const;
const MAX_ROW_ID = 2 ** (8 * BLOCK.idBytes) - 1;
/** 16 bytes in unpadded base64url. */
const ENCODED_LENGTH = 22;
const BASE64URL_22 = /^[A-Za-z0-9_-]{21}[AQgw]$/; // the last character carries 2 bits: its low 4 are zero

/** The process's key: one ECB cipher and decipher, reused (ECB keeps no state between blocks). */
let keyInUse: { key: Buffer; encrypt: Cipher; decrypt: Decipher; holders: number } | null = null;

/**
 * Recent encodings (per type code, by row id) and successful decodings: the same IDs come back in
 * request after request (a community, its members, a post's author), and a hit costs a map lookup
 * instead of a call into OpenSSL. Row ids stay small integers, which maps hash fastest. Both caches
 * are emptied when they reach `limit` entries together (a few MB).
 */
const ID_CACHE = { limit: 50_000 } as const;
const encoded: Map<number, string>[] = [];
const decoded = new Map<string, Readonly<{ type: NodeType; id: number }>>();
let cached = 0;

function clearCaches(): void {
  encoded.length = 0;
  decoded.clear();
  cached = 0;
}

function countEntry(): void {
  if (++cached > ID_CACHE.limit) clearCaches();
}

/**
 * Installs the key of global IDs (16 bytes, from the database's `settings` row, see settings.ts) for
 * this process; returns the function that releases it. Several servers of one process (tests) may
 * hold it together as long as they agree; a different key while another holder is open throws,
 * since IDs are computed where no request context is at hand (`Node.id`).
 */
export function installGlobalIdKey(key: Buffer): () => void {
  if (key.length !== BLOCK.size) throw new Error(`The global ID key must be ${BLOCK.size} bytes, not ${key.length}`);
  if (keyInUse && keyInUse.holders > 0 && !keyInUse.key.equals(key)) {
    throw new Error(
      'Another database with a different global ID key is open in this process: one process serves one database',
    );
  }
  if (!keyInUse || !keyInUse.key.equals(key)) {
    const encrypt = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    const decrypt = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    keyInUse = { key: Buffer.from(key), encrypt, decrypt, holders: 0 };
    clearCaches();
  }
  const holder = keyInUse;
  holder.holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holder.holders -= 1;
  };
}

function cipher() {
  if (!keyInUse) throw new Error('Global IDs are not available before the database is open (installGlobalIdKey)');
  return keyInUse;
}

const block = Buffer.alloc(BLOCK.size);

/**
 * Opaque global ID: AES-128 of one block holding the type and the row id, in unpadded base64url
 * (22 characters). Keyed by the database's key, so IDs are stable across restarts and instances
 * and reveal neither the type, nor the row id, nor how many rows exist.
 */
export function toGlobalId(type: NodeType, id: number | string): string {
  const rowId = Number(id);
  if (!Number.isSafeInteger(rowId) || rowId < 0 || rowId > MAX_ROW_ID)
    throw new Error(`Row id out of range for a global ID: ${id}`);
  const code = TYPE_CODES[type];
  const hit = encoded[code]?.get(rowId);
  if (hit !== undefined) return hit;
  const { encrypt } = cipher();
  block.fill(0);
  block[0] = code;
  block.writeUIntBE(rowId, BLOCK.idOffset, BLOCK.idBytes);
  const globalId = encrypt.update(block).toString('base64url');
  countEntry();
  (encoded[code] ??= new Map()).set(rowId, globalId);
  return globalId;
}

/** Decodes any global ID; null when it is not one of ours (malformed, forged, tampered, or from another key). */
export function parseGlobalId(globalId: string): Readonly<{ type: NodeType; id: number }> | null {
  if (typeof globalId !== 'string' || globalId.length !== ENCODED_LENGTH) return null;
  const hit = decoded.get(globalId);
  if (hit !== undefined) return hit;
  if (!BASE64URL_22.test(globalId)) return null;
  const plain = cipher().decrypt.update(Buffer.from(globalId, 'base64url'));
  if (plain.length !== BLOCK.size) return null;
  for (let i = BLOCK.tailOffset; i < BLOCK.size; i++) if (plain[i] !== 0) return null;
  const type = TYPE_OF_CODE[plain[0]];
  if (!type) return null;
  const ref = Object.freeze({ type, id: plain.readUIntBE(BLOCK.idOffset, BLOCK.idBytes) });
  countEntry();
  decoded.set(globalId, ref);
  return ref;
}

/**
 * Decodes a global ID that must be of `type`, or throws BAD_USER_INPUT naming `field`.
 */
export function fromGlobalId(type: NodeType, globalId: string, field = 'id'): number {
  const parsed = parseGlobalId(globalId);
  if (!parsed || parsed.type !== type) throw new BadInput(`Not a valid ${type} id`, field);
  return parsed.id;
}
