import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, RequestHandler } from 'express';

/**
 * Pages the server renders for browsers from installed packages (GraphiQL, the insights page): each is
 * rendered once, on its first request, kept plain and gzipped with an ETag per encoding (304 when it
 * matches), and served with its Content-Security-Policy.
 */

/** The sessionStorage key the pages keep the signed-in credential under: one sign-in for all of them. */
export const CREDENTIAL_STORAGE_KEY = 'townsquare.graphiql.credential';

type Encoding = 'identity' | 'gzip';

/** A rendered page and its compressed forms, each with its own ETag. */
interface Page {
  csp: string;
  variants: Record<Encoding, { body: Buffer; etag: string }>;
}

/** What a page renders to: its HTML and the CSP that allows exactly its inline parts. */
export interface RenderedPage {
  html: string;
  csp: string;
}

/**
 * Express handler serving the page `render` makes (called once, on the first request it serves).
 * `serves` picks the requests it answers (the others go to next()); `vary` names request headers
 * besides Accept-Encoding that choose the answer.
 */
export function htmlPageHandler(
  render: () => RenderedPage,
  options: { serves?: (req: Request) => boolean; vary?: string[] } = {},
): RequestHandler {
  let page: Promise<Page> | undefined;
  return (req, res, next) => {
    if (options.serves && !options.serves(req)) return next();
    page ??= buildPage(render);
    page.then(
      (built) => {
        // gzip only: brotli saves a fifth more, but browsers list gzip first, so negotiation would rarely pick it.
        const encoding: Encoding = req.acceptsEncodings('gzip', 'identity') === 'gzip' ? 'gzip' : 'identity';
        const { body, etag } = built.variants[encoding];
        for (const header of options.vary ?? []) res.vary(header);
        res.vary('Accept-Encoding');
        res.set({
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': built.csp,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          ETag: etag,
        });
        if (encoding !== 'identity') res.set('Content-Encoding', encoding);
        // res.send answers 304 when If-None-Match matches the ETag, and sends no body for HEAD.
        res.send(body);
      },
      (error: unknown) => {
        page = undefined; // let the next request try again
        next(error);
      },
    );
  };
}

async function buildPage(render: () => RenderedPage): Promise<Page> {
  const { html, csp } = render();
  const raw = Buffer.from(html, 'utf8');
  const gz = await promisify(gzip)(raw); // on libuv's thread pool (GraphiQL: 9 MB to 2.4 MB in ~0.2 s)
  const hash = createHash('sha256').update(raw).digest('base64url').slice(0, 27);
  return {
    csp,
    variants: { identity: { body: raw, etag: `"${hash}"` }, gzip: { body: gz, etag: `"${hash}-gzip"` } },
  };
}

/** The CSP source of each inline element `tag` (`script`, `style`) of the page: `'sha256-…'`. */
export function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
}

/** JSON that is safe inside a <script> element (no `</script>`, `<!--`, or line separators that end JS strings). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
