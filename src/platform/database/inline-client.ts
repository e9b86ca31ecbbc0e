import { Client } from 'pg';

/**
 * A node-postgres client that writes a query's values into its text and sends it as one simple
 * query message. For libraries that talk to the embedded PGlite through their own `pg` pool
 * (graphile-worker): PGlite's socket server queues each protocol message on its own and lets
 * another connection's messages in between, so two connections' extended-protocol statements
 * (Parse, Bind, Execute, Sync) could take each other's unnamed statement (see `fastSqlModes` in
 * sql.ts, which does the same for our own statements). Values are escaped by the client's
 * `escapeLiteral`; arrays are written as array literals, objects as JSON, dates as ISO timestamps.
 */
export class InlineClient extends Client {
  override query(...args: unknown[]): never {
    const [first, second] = args;
    const call = (text: string, rest: unknown[], config?: object) =>
      (Client.prototype.query as (...a: unknown[]) => never).call(
        this,
        config ? { ...config, text, values: undefined, name: undefined } : text,
        ...rest,
      );
    if (typeof first === 'string' && Array.isArray(second) && second.length) {
      return call(this.inline(first, second), args.slice(2));
    }
    if (first && typeof first === 'object' && 'text' in first) {
      const { text, values } = first as { text: string; values?: unknown[] };
      if (Array.isArray(values) && values.length) return call(this.inline(text, values), args.slice(1), first);
    }
    return (Client.prototype.query as (...a: unknown[]) => never).apply(this, args);
  }

  /** `text` with each `$n` replaced by its value as a literal. */
  private inline(text: string, values: unknown[]): string {
    return text.replace(/\$(\d+)/g, (_, n: string) => this.literal(values[Number(n) - 1]));
  }

  private literal(value: unknown): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) return `'${String(value)}'`;
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (value instanceof Date) return this.escapeLiteral(value.toISOString());
    if (Array.isArray(value)) return this.escapeLiteral(arrayLiteral(value));
    if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
    if (typeof value === 'object') return this.escapeLiteral(JSON.stringify(value));
    return this.escapeLiteral(String(value));
  }
}

/** A PostgreSQL array literal (`{"a","b",NULL}`), nested arrays included, every element quoted. */
function arrayLiteral(values: unknown[]): string {
  const element = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  };
  return `{${values.map(element).join(',')}}`;
}
