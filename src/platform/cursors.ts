import { BadInput } from './errors';

/** An opaque cursor over a row's sort key. */
export function encodeCursor(key: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * What each part of a cursor's sort key may hold, so that a forged cursor is BAD_USER_INPUT and never
 * reaches the database as a value its column cannot take (an internal error):
 * - `number`: an integer that fits PostgreSQL's `int` (ids, counts, scores, positions);
 * - `flag`: 0 or 1;
 * - `float`: a finite number (a `double precision` sort key);
 * - `timestamp`: milliseconds since 1970 of an instant in the years 1 to 9999;
 * - `string`: a string of at most CURSOR_LIMITS.maxString characters.
 */
export type CursorPart = 'number' | 'flag' | 'float' | 'timestamp' | 'string';

/** Bounds of cursors, in one place. */
const CURSOR_LIMITS = {
  /** Longest cursor accepted, in characters (ours are far shorter). */
  maxLength: 512,
  /** Longest string in a cursor's key. */
  maxString: 64,
  /** The instants a `timestamp` part may name: 0001-01-01 to 9999-12-31 (UTC). */
  minTimestamp: -62_135_596_800_000, // 0001-01-01T00:00:00.000Z (Date.UTC reads years below 100 as 19xx)
  maxTimestamp: 253_402_300_799_999, // 9999-12-31T23:59:59.999Z
} as const;

/** The range of PostgreSQL's `int`. */
export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;

function fits(value: unknown, part: CursorPart): boolean {
  switch (part) {
    case 'number':
      return Number.isInteger(value) && (value as number) >= INT_MIN && (value as number) <= INT_MAX;
    case 'flag':
      return value === 0 || value === 1;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'timestamp':
      return (
        Number.isInteger(value) &&
        (value as number) >= CURSOR_LIMITS.minTimestamp &&
        (value as number) <= CURSOR_LIMITS.maxTimestamp
      );
    case 'string':
      return typeof value === 'string' && value.length <= CURSOR_LIMITS.maxString;
  }
}

/** Decodes a cursor made by `encodeCursor`, checking its shape and the range of each part, or throws BAD_USER_INPUT naming `field`. */
export function decodeCursor(cursor: string, shape: ReadonlyArray<CursorPart>, field = 'after'): (string | number)[] {
  let key: unknown;
  if (cursor.length <= CURSOR_LIMITS.maxLength) {
    try {
      key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      key = undefined;
    }
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((v, i) => !fits(v, shape[i]))) {
    throw new BadInput('Invalid cursor', field);
  }
  return key as (string | number)[];
}
