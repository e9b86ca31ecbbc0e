import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget } from './ssrf';

/** Limits of one delivery attempt. */
export const SEND_LIMITS = {
  /** Characters of the answer's body kept (the rest is not read). */
  excerptLength: 512,
} as const;

/** What an attempt got: the status, the start of the body, and how long it took. */
export interface SendResult {
  status: number;
  excerpt: string;
  latencyMs: number;
}

/**
 * POSTs `body` to `url` with `headers`, connecting only to the address the SSRF guard checked
 * (`resolveTarget`), never following redirects, giving up after `timeoutMs`, and reading at most
 * SEND_LIMITS.excerptLength characters of the answer. Throws (RefusedAddress, a timeout, a network
 * error) when there is no answer.
 */
export async function send(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowedHosts: readonly string[] },
): Promise<SendResult> {
  const started = performance.now();
  const target = new URL(url);
  const { address, family } = await resolveTarget(target, options.allowedHosts);
  // The connection goes to the address checked, whatever the resolver would say now.
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Townsquare-Webhooks/1',
          'content-length': Buffer.byteLength(body),
          ...headers,
        },
        lookup: pinned,
        timeout: options.timeoutMs,
        agent: false,
      },
      (res) => {
        let excerpt = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          excerpt += chunk;
          if (excerpt.length >= SEND_LIMITS.excerptLength) res.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            excerpt: excerpt.slice(0, SEND_LIMITS.excerptLength),
            latencyMs: Math.round(performance.now() - started),
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const deadline = setTimeout(
      () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
