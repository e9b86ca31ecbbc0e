import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError, ErrorCode } from './errors';
import type { Logger } from './logger';
import type { RedisClient } from './redis';

/** TRUSTED_DOCUMENTS: `off`, `allow` (ids accepted beside any text) or `only` (ids and their texts only). */
export type TrustedMode = 'off' | 'allow' | 'only';

/**
 * Trusted documents (persisted operations built ahead of time): the manifest graphql-codegen's client
 * preset writes with `persistedDocuments` (`{ "<sha256 hex>": "<document text>" }`). A request may
 * name one with `documentId` (`"<hash>"` or `"sha256:<hash>"`) instead of sending `query`; under
 * `only`, a text is accepted only when it is one of the manifest's documents (by its SHA-256), except
 * from platform admins (GraphiQL), and automatic persisted queries are off.
 */
export class TrustedDocuments {
  private constructor(
    readonly mode: TrustedMode,
    private readonly documents: ReadonlyMap<string, string>,
  ) {}

  /** Loads the manifest; throws naming the file when it cannot be read or is not a manifest. */
  static load(mode: TrustedMode, file: string | undefined, log: Logger): TrustedDocuments {
    if (mode === 'off') return new TrustedDocuments(mode, new Map());
    if (!file) throw new Error('TRUSTED_DOCUMENTS_FILE is required when TRUSTED_DOCUMENTS is allow or only');
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`TRUSTED_DOCUMENTS_FILE (${file}) cannot be read as JSON: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error(`TRUSTED_DOCUMENTS_FILE (${file}) is not a manifest: an object of hash → document`);
    const documents = new Map<string, string>();
    for (const [key, text] of Object.entries(parsed)) {
      if (typeof text !== 'string') throw new Error(`TRUSTED_DOCUMENTS_FILE (${file}): "${key}" is not a document`);
      // Keyed by the text's own SHA-256, so `only` can check texts too; a manifest key that is another
      // hash stays an id for it (looked up as `expandOne` normalises ids: lower case, no `sha256:`).
      const hash = sha256(text);
      documents.set(hash, text);
      const id = normaliseId(key);
      if (id !== hash) documents.set(id, text);
    }
    log.info({ mode, documents: Object.keys(parsed).length, file }, 'trusted documents loaded');
    return new TrustedDocuments(mode, documents);
  }

  /**
   * Replaces a request body's `documentId` with the document's `query` (each operation of a batch).
   * An unknown id is PERSISTED_QUERY_NOT_FOUND; an id beside a `query` is BAD_USER_INPUT.
   */
  expand(body: unknown): unknown {
    if (this.mode === 'off') return body;
    if (Array.isArray(body)) return body.map((one) => this.expandOne(one));
    return this.expandOne(body);
  }

  private expandOne(body: unknown): unknown {
    if (!body || typeof body !== 'object' || !('documentId' in body)) return body;
    const { documentId, ...rest } = body as { documentId: unknown; query?: unknown };
    if (rest.query !== undefined) throw new AppError(ErrorCode.BAD_USER_INPUT, 'Send documentId or query, not both');
    const id = typeof documentId === 'string' ? normaliseId(documentId) : '';
    const text = this.documents.get(id);
    if (!text) throw new AppError(ErrorCode.PERSISTED_QUERY_NOT_FOUND, 'No trusted document has this documentId');
    return { ...rest, query: text };
  }

  /** Whether a text may run: always unless `only`; then when it is a trusted document, or for a platform admin. */
  admits(query: string | undefined, isAdmin: boolean): boolean {
    if (this.mode !== 'only' || isAdmin) return true;
    return query !== undefined && this.documents.has(sha256(query));
  }

  /** The refusal of a text under `only`. */
  static refusal(): AppError {
    // HTTP 200, as Apollo answers its own PERSISTED_QUERY_* errors (Apollo drops `http` from the answer).
    return new AppError(
      ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
      'Only trusted documents run here (TRUSTED_DOCUMENTS=only): send the documentId of one',
      { http: { status: 200 } },
    );
  }
}

/** A document id as looked up: lower case, without the `sha256:` prefix. */
function normaliseId(id: string): string {
  return id.toLowerCase().replace(/^sha256:/, '');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Apollo's cache of automatic persisted queries in Redis, so a hash registered through one instance is
 * known to all of them (keys `apq:<namespace>:<hash>`, expiring after `ttl` seconds, a day by default).
 * A Redis error reads as a miss (the client sends the text again) and a write that fails is dropped.
 */
export class RedisApqCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly defaultTtl = 86_400,
  ) {}

  private key(key: string): string {
    return `apq:${this.namespace}:${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(key)).catch(() => null)) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl ?? this.defaultTtl;
    await this.redis.set(this.key(key), value, ttl ? { EX: Math.ceil(ttl) } : {}).catch(() => undefined);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.key(key)).catch(() => 0)) > 0;
  }
}
