import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import { CREDENTIAL_STORAGE_KEY, escapeHtml, htmlPageHandler, inlineHashes, scriptJson } from './html-page';

/**
 * GraphiQL for browsers on GET /graphql, built entirely from installed packages so it works offline.
 *
 * The page is @graphql-yoga/render-graphiql's self-contained build (GraphiQL 5 with Monaco; scripts, styles,
 * fonts, favicon and logo are all inline or data: URIs, the editor workers are blob: URLs) with two additions:
 * our own `fetcher`, and a sign-in bar. Yoga's fetcher sends the headers editor's headers over HTTP, but over a
 * WebSocket it only copies them into each subscribe message's `extensions.headers` and sends an empty
 * `connection_init`, so subscriptions would run anonymously. Ours sends queries and mutations as POST with the
 * editor's headers, and subscriptions through the graphql-ws client (its UMD build, inlined) with
 * `connectionParams: { authorization }` taken from the same editor, which is what our WebSocket server reads.
 *
 * The sign-in bar, above GraphiQL (plain DOM, built by our script), signs in with email and password or takes a
 * pasted API key, keeps the token in sessionStorage, and the fetcher sends it when the headers editor has no
 * Authorization header; a subscription's results carry the history of its events. See BROWSER_SCRIPT.
 */

/** Query shown in the first tab of a browser that has no saved GraphiQL state. */
export const DEFAULT_QUERY = `# Welcome to Townsquare's GraphiQL.
#
# Anonymous requests see public data. To act as a user,
# sign in with the bar above (\`npm run seed\` creates the
# demo admin admin@townsquare.dev, password
# townsquare-admin), or paste an API key (tsk_…) there.
# This tab keeps the token in session storage until you
# sign out or close it, and sends it as the Authorization
# header with queries, mutations and subscriptions (over
# a WebSocket on this same URL), unless "Headers" below
# sets an Authorization header of its own.
#
# A subscription's results list its events, newest first,
# under "extensions.history" (the last 100).
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

/** Express handler: serves GraphiQL for GET requests that accept text/html, otherwise calls next(). */
export function graphiqlHandler(options: GraphiQLHandlerOptions): RequestHandler {
  // Rendered once, on the first request, so servers that never serve GraphiQL never load its 9 MB.
  return htmlPageHandler(
    () => {
      const html = renderPage(options);
      return { html, csp: contentSecurityPolicy(html, options.endpoint) };
    },
    { serves: (req) => (req.method === 'GET' || req.method === 'HEAD') && prefersHtml(req), vary: ['Accept'] },
  );
}

/** True when the client would rather have HTML than a GraphQL response, i.e. a browser navigating here. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
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
  const browserScript = BROWSER_SCRIPT.replace('__SETTINGS__', () => scriptJson(settings)).replace(
    '__STORAGE_KEY__',
    () => scriptJson(CREDENTIAL_STORAGE_KEY),
  );
  const script = `${readGraphqlWsUmd()}\n;${browserScript}`;

  const renderCall = 'YogaGraphiQL.renderYogaGraphiQL(';
  const at = html.indexOf(renderCall);
  if (at < 0 || html.indexOf(renderCall, at + 1) >= 0 || !html.includes('</head>')) {
    throw new Error('graphiql: the @graphql-yoga/render-graphiql template changed; update src/platform/graphiql.ts');
  }
  return (
    html.slice(0, at).replace('</head>', () => `<style>${STYLE}</style>\n<script>${script}</script>\n</head>`) +
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
  const hashes = inlineHashes(html, 'script');
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

/**
 * The sign-in bar above GraphiQL. Its colours follow GraphiQL's theme: light by default, dark when GraphiQL
 * is set to dark, or set to follow the system and the system is dark.
 */
const DARK =
  '--ts-base: hsl(219, 29%, 18%); --ts-text: hsl(219, 29%, 78%); --ts-line: hsla(219, 29%, 78%, 0.15); ' +
  '--ts-accent: hsl(338, 100%, 67%); --ts-error: hsl(13, 100%, 62%);';
const STYLE = `
body { display: flex; flex-direction: column; height: 100vh; }
#root { flex: 1; min-height: 0; }
#root > .graphiql-container { height: 100%; width: 100%; }
#townsquare-auth {
  --ts-base: hsl(219, 28%, 100%); --ts-text: hsl(219, 28%, 32%); --ts-line: hsla(219, 28%, 32%, 0.15);
  --ts-accent: hsl(320, 95%, 43%); --ts-error: hsl(13, 93%, 48%);
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 16px; padding: 6px 16px;
  background: var(--ts-base); color: var(--ts-text); border-bottom: 1px solid var(--ts-line);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
body.graphiql-dark #townsquare-auth { ${DARK} }
@media (prefers-color-scheme: dark) {
  body:not(.graphiql-light) #townsquare-auth { ${DARK} }
}
#townsquare-auth[hidden], #townsquare-auth [hidden] { display: none; }
#townsquare-auth form { display: flex; align-items: center; gap: 6px; margin: 0; }
#townsquare-auth input {
  font: inherit; padding: 2px 6px; width: 13em; color: inherit; background: transparent;
  border: 1px solid var(--ts-line); border-radius: 4px;
}
#townsquare-auth button {
  font: inherit; padding: 2px 10px; cursor: pointer; color: var(--ts-base); background: var(--ts-accent);
  border: 0; border-radius: 4px;
}
#townsquare-auth button:disabled { opacity: 0.5; cursor: progress; }
#townsquare-auth strong { color: var(--ts-accent); }
#townsquare-error { color: var(--ts-error); }
#townsquare-note { opacity: 0.8; }
`;

/**
 * Runs in the browser, after graphql-ws's UMD build and before yoga's render call (plain ES2020, no build step).
 * GraphiQL calls `fetcher(params, { headers, documentAST })`; a subscription gets an Observable, which GraphiQL
 * unsubscribes from when the user presses stop.
 *
 * Credentials: the sign-in bar (added above GraphiQL by `render`) signs in with email and password (`signIn`) or
 * takes a pasted API key or session token, checks it with `viewer`, and keeps it in sessionStorage (this tab only,
 * until sign out or the tab closes; never localStorage). The fetcher sends it as `Authorization: Bearer <token>`
 * over HTTP and as `connectionParams.authorization` over WebSocket, unless the headers editor has an Authorization
 * header of its own, which then wins (the bar says so). When the credential changes, the sockets opened with the
 * old one are closed (their subscriptions end, with a note in their history) and the schema is fetched again.
 *
 * Subscription history: each result a subscription yields is shown as GraphiQL shows any result, with
 * `extensions.history` added: the subscription's events, newest first, each `{ event, at, data, errors }`
 * (`event` counts from 1, `at` is the browser's ISO time of arrival), the last HISTORY_LIMIT of them.
 */
const BROWSER_SCRIPT = String.raw`
var townsquareGraphiQL = (function () {
  'use strict';
  var settings = __SETTINGS__;
  var STORAGE_KEY = __STORAGE_KEY__;
  var HISTORY_LIMIT = 100;
  var httpUrl = new URL(settings.endpoint, location.href);
  var wsUrl = new URL(httpUrl.href);
  wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';

  // The signed-in credential: { kind: 'session' | 'apiKey', token, handle, isAdmin }, or null when anonymous.
  var credential = readCredential();
  // One lazy graphql-ws client per Authorization value: the server authenticates a socket once, in
  // connection_init, so another credential needs another connection. An idle lazy client holds no socket.
  var clients = new Map();
  // Subscriptions running now: { authorization, interrupt(note) }.
  var running = new Set();
  var bar = null; // the sign-in bar's elements, once render has built it

  function readCredential() {
    try {
      var stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      return stored && typeof stored.token === 'string' ? stored : null;
    } catch (_) { return null; }
  }

  function storeCredential(next) {
    try {
      if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch (_) { /* storage disabled: the credential lasts until this page is left */ }
  }

  function bearer(cred) { return cred ? 'Bearer ' + cred.token : undefined; }

  function headerValue(headers, name) {
    for (var key in headers) if (key.toLowerCase() === name) return String(headers[key]);
    return undefined;
  }

  /** The Authorization an operation is sent with: the headers editor's if it has one, else the signed-in one. */
  function authorizationFor(headers) {
    var own = headerValue(headers, 'authorization');
    showOverride(own !== undefined && credential !== null);
    return own !== undefined ? own : bearer(credential);
  }

  function operationType(documentAST, operationName) {
    if (!documentAST) return 'query';
    var operations = documentAST.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
    var operation = operationName
      ? operations.find(function (d) { return d.name && d.name.value === operationName; })
      : operations.length === 1 ? operations[0] : undefined;
    return operation ? operation.operation : 'query';
  }

  function postJson(request, headers) {
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
  }

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

  /** Closes the sockets opened with this Authorization; their subscriptions end with note in their history. */
  function closeSockets(authorization, note) {
    var key = authorization || '';
    running.forEach(function (subscription) {
      if ((subscription.authorization || '') === key) subscription.interrupt(note);
    });
    var client = clients.get(key);
    if (client) { clients.delete(key); client.dispose(); }
  }

  function subscribe(request, authorization) {
    return {
      subscribe: function (observer) {
        var history = [];
        var count = 0;
        var latest = {};
        function show(entry, result) {
          count++;
          history.unshift(Object.assign({ event: count, at: new Date().toISOString() }, entry));
          if (history.length > HISTORY_LIMIT) history.length = HISTORY_LIMIT;
          observer.next(Object.assign({}, result, {
            extensions: Object.assign({}, result.extensions, { history: history.slice() }),
          }));
        }
        function record(result) {
          latest = result;
          var entry = {};
          if ('data' in result) entry.data = result.data;
          if (result.errors) entry.errors = result.errors;
          show(entry, result);
        }
        var current = {
          authorization: authorization,
          interrupt: function (note) { show({ note: note }, latest); },
        };
        running.add(current);
        var unsubscribe = wsClient(authorization).subscribe(request, {
          next: record,
          complete: function () { running.delete(current); observer.complete(); },
          error: function (error) {
            running.delete(current);
            if (Array.isArray(error)) { record({ errors: error }); observer.complete(); }
            else if (error && typeof error.code === 'number') {
              observer.error(new Error('WebSocket closed with code ' + error.code + (error.reason ? ': ' + error.reason : '')));
            } else observer.error(error);
          },
        });
        return { unsubscribe: function () { running.delete(current); unsubscribe(); } };
      },
    };
  }

  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    var authorization = authorizationFor(headers);
    var request = { query: params.query, variables: params.variables, operationName: params.operationName };
    if (operationType(options && options.documentAST, params.operationName) === 'subscription') {
      return subscribe(request, authorization);
    }
    if (authorization !== undefined && headerValue(headers, 'authorization') === undefined) {
      headers.authorization = authorization;
    }
    return postJson(request, headers);
  }

  // --- The sign-in bar ---

  var VIEWER = 'query TownsquareViewer { viewer { handle isAdmin } }';
  var SIGN_IN = 'mutation TownsquareSignIn($input: SignInInput!) { signIn(input: $input) { token user { handle isAdmin } } }';
  var SIGN_OUT = 'mutation TownsquareSignOut { endSession { user { handle } } }';

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    for (var name in attributes) node.setAttribute(name, attributes[name]);
    (children || []).forEach(function (child) {
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function firstError(result) {
    return result && result.errors && result.errors.length ? result.errors[0] : null;
  }

  function errorText(error) {
    var code = error.extensions && error.extensions.code;
    return error.message + (code ? ' (' + code + ')' : '');
  }

  function buildBar() {
    var b = {};
    b.email = el('input', { id: 'townsquare-email', type: 'email', name: 'email', placeholder: 'email', autocomplete: 'username', required: '' });
    b.password = el('input', { id: 'townsquare-password', type: 'password', name: 'password', placeholder: 'password', autocomplete: 'current-password', required: '' });
    b.signIn = el('button', { id: 'townsquare-sign-in', type: 'submit' }, ['Sign in']);
    b.key = el('input', { id: 'townsquare-key', type: 'password', name: 'key', placeholder: 'tsk_… or tsq_…', autocomplete: 'off', spellcheck: 'false', required: '' });
    b.useKey = el('button', { id: 'townsquare-use-key', type: 'submit' }, ['Use key']);
    b.signInForm = el('form', { id: 'townsquare-sign-in-form', 'aria-label': 'Sign in' }, [b.email, b.password, b.signIn]);
    b.keyForm = el('form', { id: 'townsquare-key-form', 'aria-label': 'Use an API key' }, ['or paste an API key', b.key, b.useKey]);
    b.anonymous = el('span', { id: 'townsquare-anonymous' }, ['Anonymous:', ' ']);
    b.who = el('span', { id: 'townsquare-who' });
    b.signOut = el('button', { id: 'townsquare-sign-out', type: 'button' }, ['Sign out']);
    b.note = el('span', { id: 'townsquare-note', hidden: '' }, [
      'The Authorization header in the Headers tab is sent instead.',
    ]);
    b.error = el('span', { id: 'townsquare-error', role: 'alert' });
    b.root = el('div', { id: 'townsquare-auth' }, [b.anonymous, b.signInForm, b.keyForm, b.who, b.signOut, b.note, b.error]);

    b.signInForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var input = { email: b.email.value.trim(), password: b.password.value };
      busy(true);
      postJson({ query: SIGN_IN, variables: { input: input }, operationName: 'TownsquareSignIn' }, {})
        .then(function (result) {
          var error = firstError(result);
          if (error || !result.data || !result.data.signIn) throw new Error(error ? errorText(error) : 'Sign-in failed');
          var signedIn = result.data.signIn;
          b.password.value = '';
          setCredential({ kind: 'session', token: signedIn.token, handle: signedIn.user.handle, isAdmin: signedIn.user.isAdmin });
        })
        .catch(showError)
        .finally(function () { busy(false); });
    });

    b.keyForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var token = b.key.value.trim().replace(/^bearer\s+/i, '');
      busy(true);
      // A session token pasted here is one too: sign out revokes it.
      var candidate = { kind: token.indexOf('tsq_') === 0 ? 'session' : 'apiKey', token: token, handle: null, isAdmin: false };
      checkCredential(candidate)
        .then(function (checked) {
          b.key.value = '';
          setCredential(checked);
        })
        .catch(showError)
        .finally(function () { busy(false); });
    });

    b.signOut.addEventListener('click', function () {
      var old = credential;
      if (!old) return;
      // Forgotten here first, so its sockets close with a note before the server closes them (4401) on revocation.
      setCredential(null);
      if (old.kind !== 'session') return; // an API key is only forgotten: revoke it with deactivateApiKey
      busy(true);
      postJson({ query: SIGN_OUT, operationName: 'TownsquareSignOut' }, { authorization: bearer(old) })
        .then(function (result) {
          var error = firstError(result);
          // UNAUTHENTICATED: the session had already ended, which is what signing out wants.
          if (error && !(error.extensions && error.extensions.code === 'UNAUTHENTICATED')) throw new Error(errorText(error));
        })
        .catch(function (failure) {
          showError(new Error('Signed out here, but the server did not revoke the session: ' + failure.message));
        })
        .finally(function () { busy(false); });
    });
    return b;
  }

  /** Resolves with the credential completed by viewer (handle, isAdmin); rejects when the server refuses it. */
  function checkCredential(cred) {
    return postJson({ query: VIEWER, operationName: 'TownsquareViewer' }, { authorization: bearer(cred) }).then(function (result) {
      var error = firstError(result);
      var code = error && error.extensions && error.extensions.code;
      if (result.data && result.data.viewer) {
        return Object.assign({}, cred, { handle: result.data.viewer.handle, isAdmin: result.data.viewer.isAdmin });
      }
      // FORBIDDEN: a key without the READ scope, still a valid key; its owner stays unnamed.
      if (code === 'FORBIDDEN') return cred;
      var refused = new Error(error ? errorText(error) : 'The server did not accept this credential');
      refused.code = code;
      throw refused;
    });
  }

  function busy(on) {
    if (!bar) return;
    [bar.signIn, bar.useKey, bar.signOut].forEach(function (button) { button.disabled = on; });
    if (on) bar.error.textContent = '';
  }

  function showError(error) {
    if (bar) bar.error.textContent = error && error.message ? error.message : String(error);
  }

  function showOverride(on) {
    if (bar) bar.note.hidden = !on;
  }

  function renderBar() {
    if (!bar) return;
    var signedIn = credential !== null;
    bar.anonymous.hidden = signedIn;
    bar.signInForm.hidden = signedIn;
    bar.keyForm.hidden = signedIn;
    bar.who.hidden = !signedIn;
    bar.signOut.hidden = !signedIn;
    if (!signedIn) { bar.note.hidden = true; return; }
    var name = credential.handle ? el('strong', {}, ['@' + credential.handle]) : el('strong', {}, ['an unnamed user']);
    var how = credential.kind === 'session' ? 'session token' : 'API key ' + credential.token.slice(0, 8) + '…';
    bar.who.replaceChildren(
      'Signed in as ', name, credential.isAdmin ? ' (platform admin)' : '',
      ', with a ' + how + ' sent as the Authorization header',
    );
  }

  function setCredential(next) {
    var old = credential;
    credential = next;
    storeCredential(next);
    renderBar();
    if (bearer(old) !== bearer(next)) {
      closeSockets(bearer(old), next ? 'Signed in as someone else: this socket was closed. Run the subscription again.'
        : 'Signed out: this socket was closed. Run the subscription again.');
      refetchSchema();
    }
  }

  /** Presses GraphiQL's re-fetch schema button, so the docs follow the credential (INTROSPECTION=admins). */
  function refetchSchema() {
    var button = document.querySelector('button[aria-label^="Re-fetch GraphQL schema"]');
    if (button && !button.disabled) button.click();
  }

  return {
    render: function (renderYogaGraphiQL, root, yogaOptions) {
      bar = buildBar();
      root.parentNode.insertBefore(bar.root, root);
      renderBar();
      // A credential kept from before a reload: still valid? (it may have been revoked or have expired since)
      if (credential) {
        var kept = credential;
        checkCredential(kept).then(
          function (checked) { if (credential === kept) setCredential(checked); },
          function (error) {
            if (credential !== kept) return;
            // Only a refused credential is dropped: a server that cannot be reached now may take it later.
            if (error.code === 'UNAUTHENTICATED') {
              setCredential(null);
              showError(new Error('Signed out: ' + error.message));
            } else showError(new Error('Could not check the credential: ' + error.message));
          },
        );
      }
      var options = Object.assign({}, yogaOptions, settings);
      delete options.endpoint; // GraphiQL warns when given both an endpoint and a fetcher
      options.fetcher = fetcher;
      renderYogaGraphiQL(root, options);
    },
  };
})();
`;
