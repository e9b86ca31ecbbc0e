import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Request, RequestHandler } from 'express';

/**
 * GraphiQL for browsers on GET /graphql, built entirely from installed packages so it works offline.
 *
 * The page is @graphql-yoga/render-graphiql's self-contained build (GraphiQL 5 with Monaco; scripts, styles,
 * fonts, favicon and logo are all inline or data: URIs, the editor workers are blob: URLs) with one change: we
 * give GraphiQL our own `fetcher`. Yoga's fetcher sends the headers editor's headers over HTTP, but over a
 * WebSocket it only copies them into each subscribe message's `extensions.headers` and sends an empty
 * `connection_init`, so subscriptions would run anonymously. Ours sends queries and mutations as POST with the
 * editor's headers, and subscriptions through the graphql-ws client (its UMD build, inlined) with
 * `connectionParams: { authorization }` taken from the same editor, which is what our WebSocket server reads.
 */

/** Query shown in the first tab of a browser that has no saved GraphiQL state. */
export const DEFAULT_QUERY = `# Welcome to Townsquare's GraphiQL.
#
# Anonymous requests see public data. To act as a user,
# sign in (\`npm run seed\` creates this demo admin):
#
#   mutation {
#     signIn(input: { email: "admin@townsquare.dev",
#                     password: "townsquare-admin" }) {
#       token
#     }
#   }
#
# then open "Headers" below and enter
#
#   { "Authorization": "Bearer <token>" }
#
# It is sent with queries and mutations, and with
# subscriptions too (over a WebSocket on this same URL).
#
# Run with the play button or Ctrl-Enter (Cmd-Enter on Macs).

query Communities {
  communities(first: 5) {
    edges {
      node {
        slug
        name
        memberCount
      }
    }
  }
}
`;

/** Options of {@link graphiqlHandler}. */
export interface GraphiQLHandlerOptions {
  /**
   * Where GraphiQL sends operations: a path on this origin (e.g. `/graphql`) or an absolute http(s) URL.
   * Subscriptions use the same URL with the ws(s): scheme.
   */
  endpoint: string;
  /** Page title and the name in GraphiQL's header, as plain text. Default: `'Townsquare GraphiQL'`. */
  title?: string;
  /** Query of the first tab when the browser has no saved GraphiQL state. Default: {@link DEFAULT_QUERY}. */
  defaultQuery?: string;
}

/** A rendered page and its compressed forms, each with its own ETag. */
interface Page {
  csp: string;
  variants: Record<Encoding, { body: Buffer; etag: string }>;
}
type Encoding = 'identity' | 'gzip';

/** Express handler: serves GraphiQL for GET requests that accept text/html, otherwise calls next(). */
export function graphiqlHandler(options: GraphiQLHandlerOptions): RequestHandler {
  let page: Promise<Page> | undefined;
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !prefersHtml(req)) return next();
    // Rendered once, on the first request, so servers that never serve GraphiQL never load its 9 MB.
    page ??= buildPage(options);
    page.then(
      (built) => {
        // gzip only: brotli saves a fifth more, but browsers list gzip first, so negotiation would rarely pick it.
        const encoding: Encoding = req.acceptsEncodings('gzip', 'identity') === 'gzip' ? 'gzip' : 'identity';
        const { body, etag } = built.variants[encoding];
        res.vary('Accept').vary('Accept-Encoding');
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

/** True when the client would rather have HTML than a GraphQL response, i.e. a browser navigating here. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
}

async function buildPage(options: GraphiQLHandlerOptions): Promise<Page> {
  const html = renderPage(options);
  const raw = Buffer.from(html, 'utf8');
  const gz = await promisify(gzip)(raw); // 9 MB to 2.4 MB in ~0.2 s, on libuv's thread pool
  const hash = createHash('sha256').update(raw).digest('base64url').slice(0, 27);
  return {
    csp: contentSecurityPolicy(html, options.endpoint),
    variants: {
      identity: { body: raw, etag: `"${hash}"` },
      gzip: { body: gz, etag: `"${hash}-gzip"` },
    },
  };
}

/** The HTML of the page: yoga's template, with our fetcher and options handed to its render call. */
export function renderPage(options: GraphiQLHandlerOptions): string {
  // Loaded here rather than at the top: the module holds ~9 MB of strings.
  const { renderGraphiQL } = require('@graphql-yoga/render-graphiql') as typeof import('@graphql-yoga/render-graphiql');
  const title = options.title ?? 'Townsquare GraphiQL';
  // Yoga puts `title` raw into <title> and into GraphiQL's header as HTML, so it gets HTML-escaped; everything
  // else goes through our own script, whose JSON is escaped for a <script> element.
  const html = renderGraphiQL({ title: escapeHtml(title) });

  const settings = {
    endpoint: options.endpoint,
    defaultQuery: options.defaultQuery ?? DEFAULT_QUERY,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    // Keep bearer tokens out of localStorage; queries and tabs are still remembered.
    shouldPersistHeaders: false,
  };
  const script = `${readGraphqlWsUmd()}\n;${BROWSER_SCRIPT.replace('__SETTINGS__', () => scriptJson(settings))}`;

  const renderCall = 'YogaGraphiQL.renderYogaGraphiQL(';
  const at = html.indexOf(renderCall);
  if (at < 0 || html.indexOf(renderCall, at + 1) >= 0 || !html.includes('</head>')) {
    throw new Error('graphiql: the @graphql-yoga/render-graphiql template changed; update src/platform/graphiql.ts');
  }
  return (
    html.slice(0, at).replace('</head>', () => `<script>${script}</script>\n</head>`) +
    'townsquareGraphiQL.render(YogaGraphiQL.renderYogaGraphiQL, ' +
    html.slice(at + renderCall.length)
  );
}

/**
 * CSP: scripts only by the hashes of the page's own inline scripts (no eval: the bundle needs none), styles
 * inline (Monaco and React set them at run time), fonts and images from data: URIs, editor workers from blob:
 * URLs, and requests only to this origin and WebSockets.
 */
function contentSecurityPolicy(html: string, endpoint: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`,
  );
  const connect = ["'self'", 'ws:', 'wss:'];
  if (/^https?:\/\//i.test(endpoint)) connect.push(new URL(endpoint).origin);
  return [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    'font-src data:',
    `connect-src ${connect.join(' ')}`,
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** graphql-ws's browser build (a UMD script defining `graphqlWs`); not in its package exports, so found by path. */
function readGraphqlWsUmd(): string {
  const root = path.dirname(require.resolve('graphql-ws/package.json'));
  return readFileSync(path.join(root, 'umd', 'graphql-ws.min.js'), 'utf8');
}

/** JSON that is safe inside a <script> element (no `</script>`, `<!--`, or line separators that end JS strings). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Runs in the browser, after graphql-ws's UMD build and before yoga's render call (plain ES2020, no build step).
 * GraphiQL calls `fetcher(params, { headers, documentAST })`; a subscription gets an Observable, which GraphiQL
 * unsubscribes from when the user presses stop.
 */
const BROWSER_SCRIPT = String.raw`
var townsquareGraphiQL = (function () {
  'use strict';
  var settings = __SETTINGS__;

  function headerValue(headers, name) {
    for (var key in headers) if (key.toLowerCase() === name) return String(headers[key]);
    return undefined;
  }

  function operationType(documentAST, operationName) {
    if (!documentAST) return 'query';
    var operations = documentAST.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
    var operation = operationName
      ? operations.find(function (d) { return d.name && d.name.value === operationName; })
      : operations.length === 1 ? operations[0] : undefined;
    return operation ? operation.operation : 'query';
  }

  function createFetcher(endpoint) {
    var httpUrl = new URL(endpoint, location.href);
    var wsUrl = new URL(httpUrl.href);
    wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';
    // One lazy client per Authorization value: the server authenticates a socket once, in connection_init,
    // so a changed header needs a new connection. An idle lazy client holds no socket.
    var clients = new Map();
    function wsClient(authorization) {
      var key = authorization || '';
      if (!clients.has(key)) {
        clients.set(key, graphqlWs.createClient({
          url: wsUrl.href,
          lazy: true,
          connectionParams: authorization ? { authorization: authorization } : {},
        }));
      }
      return clients.get(key);
    }

    return function fetcher(params, options) {
      var headers = (options && options.headers) || {};
      var request = { query: params.query, variables: params.variables, operationName: params.operationName };
      if (operationType(options && options.documentAST, params.operationName) === 'subscription') {
        var client = wsClient(headerValue(headers, 'authorization'));
        return {
          subscribe: function (observer) {
            var unsubscribe = client.subscribe(request, {
              next: function (value) { observer.next(value); },
              complete: function () { observer.complete(); },
              error: function (error) {
                if (Array.isArray(error)) { observer.next({ errors: error }); observer.complete(); }
                else if (error && typeof error.code === 'number') {
                  observer.error(new Error('WebSocket closed with code ' + error.code + (error.reason ? ': ' + error.reason : '')));
                } else observer.error(error);
              },
            });
            return { unsubscribe: unsubscribe };
          },
        };
      }
      return fetch(httpUrl.href, {
        method: 'POST',
        credentials: 'same-origin',
        headers: Object.assign(
          { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
          headers,
        ),
        body: JSON.stringify(request),
      }).then(function (response) {
        return response.text().then(function (text) {
          try { return JSON.parse(text); }
          catch (_) { return { errors: [{ message: 'HTTP ' + response.status + ': ' + text.slice(0, 500) }] }; }
        });
      });
    };
  }

  return {
    render: function (renderYogaGraphiQL, root, yogaOptions) {
      var options = Object.assign({}, yogaOptions, settings);
      delete options.endpoint; // GraphiQL warns when given both an endpoint and a fetcher
      options.fetcher = createFetcher(settings.endpoint);
      renderYogaGraphiQL(root, options);
    },
  };
})();
`;
