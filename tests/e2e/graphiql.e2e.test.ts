import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CREDENTIAL_STORAGE_KEY } from '../../src/platform/html-page';
import { chromium, type BrowserContext, type Page, type WebSocket } from 'playwright-core';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * GraphiQL, driven in headless Chromium against the real server: it loads from the server alone (no CDN), sends
 * the Authorization header from its headers editor with queries, and with subscriptions in connection_init; its
 * sign-in bar signs in (password or API key), survives a reload, signs out, and subscriptions keep a history.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(
    `Skipping the GraphiQL end-to-end tests: no Chromium at ${chromiumPath}. ` +
      'Install it with `apt-get install chromium`, or point CHROMIUM_PATH at a Chromium binary. CI always runs them.',
  );
}
const it_ = haveChromium ? it : it.skip;

/** Found in GraphiQL 5 (from @graphql-yoga/render-graphiql); its editors are Monaco editors. */
const ui = {
  queryEditor: '.graphiql-query-editor .monaco-editor[data-uri$="operation.graphql"]',
  headersTab: '.graphiql-editor-tools button[data-name="headers"]',
  headersEditor: '.graphiql-editor-tool .monaco-editor[data-uri$="request-headers.json"]',
  runButton: 'button.graphiql-execute-button',
  result: 'section.result-window',
  /** The active tab is titled with the operation name once GraphiQL has parsed the query. */
  tabTitled: (operationName: string) => `.graphiql-tab-button[title="${operationName}"]`,
  /** Our sign-in bar (src/platform/graphiql.ts). */
  email: '#townsquare-email',
  password: '#townsquare-password',
  signIn: '#townsquare-sign-in',
  signInForm: '#townsquare-sign-in-form',
  key: '#townsquare-key',
  useKey: '#townsquare-use-key',
  who: '#townsquare-who',
  signOut: '#townsquare-sign-out',
  error: '#townsquare-error',
  note: '#townsquare-note',
};

const STORAGE_KEY = CREDENTIAL_STORAGE_KEY;

let server: TestServer | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;

beforeAll(async () => {
  if (!haveChromium) return;
  server = await startTestServer();
  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'townsquare-graphiql-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Requests are recorded (see openGraphiQL) before this runs; aborting keeps a regression off the internet in CI.
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort()));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await closeAll(); // the server and its temp dirs
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('GraphiQL in a browser', () => {
  it_(
    'lets a signed-in owner query as themselves and watch a member join, with no network beyond the server',
    async () => {
      const srv = server!;
      const alice = await signUp(srv, 'gqa');
      const bob = await signUp(srv, 'gqb');
      const { id: communityId } = await createCommunity(srv, alice, 'PUBLIC', 'GraphiQL watchers');

      const { page, requested, framesSent, framesReceived } = await openGraphiQL(srv.httpUrl);
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);

      // A query with Alice's token in the headers editor answers as Alice.
      await page.locator(ui.headersTab).click();
      await setEditor(page, ui.headersEditor, JSON.stringify({ Authorization: `Bearer ${alice.token}` }));
      await setEditor(page, ui.queryEditor, 'query Me { viewer { handle } }');
      await page.locator(ui.tabTitled('Me')).waitFor();
      await page.locator(ui.runButton).click();
      await page.locator(ui.result).filter({ hasText: alice.user.handle }).waitFor({ timeout: 10_000 });

      // A subscription runs over the WebSocket, authenticated in connection_init, and shows Bob joining.
      await setEditor(
        page,
        ui.queryEditor,
        `subscription Joins { memberJoined(communityId: "${communityId}") { role user { handle } } }`,
      );
      await page.locator(ui.tabTitled('Joins')).waitFor();
      await page.locator(ui.runButton).click();
      await untilSubscribed(srv, communityId, framesReceived);
      expect((await joinCommunity(srv, bob, communityId)).outcome).toBe('JOINED');
      await page.locator(ui.result).filter({ hasText: bob.user.handle }).waitFor({ timeout: 10_000 });

      const init = framesSent.map((frame) => JSON.parse(frame)).find((message) => message.type === 'connection_init');
      expect(init?.payload).toEqual({ authorization: `Bearer ${alice.token}` });
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);
      expect(requested).toContain(srv.wsUrl);
      await page.close();
    },
    90_000,
  );

  it_(
    'loads the schema for its docs and autocompletion',
    async () => {
      const introspected = context!.waitForEvent('response', {
        predicate: (response) =>
          response.request().method() === 'POST' && /__schema/.test(response.request().postData() ?? ''),
        timeout: 20_000,
      });
      const { page } = await openGraphiQL(server!.httpUrl);
      const response = await introspected;
      expect({ status: response.status(), errors: (await response.json()).errors }).toEqual({
        status: 200,
        errors: undefined,
      });
      await page.close();
    },
    60_000,
  );
});

describe('GraphiQL sign-in bar', () => {
  it_(
    'signs in with email and password, stays signed in after a reload, and signs out, revoking the session',
    async () => {
      const srv = server!;
      const carol = await signUp(srv, 'gqc');
      const { page, requested } = await openGraphiQL(srv.httpUrl);
      expect(await viewerHandle(page, 'anonymous')).toBeNull();

      // The schema is fetched again with the new credential (with INTROSPECTION=admins, only admins get it).
      const introspected = page.waitForRequest(
        (request) =>
          /__schema/.test(request.postData() ?? '') &&
          (request.headers().authorization ?? '').startsWith('Bearer tsq_'),
      );
      await signInWithPassword(page, carol);
      await page
        .locator(ui.who)
        .filter({ hasText: `@${carol.user.handle}` })
        .waitFor();
      expect(await page.locator(ui.password).inputValue()).toBe('');
      const stored = await storedCredential(page);
      expect(stored).toMatchObject({ kind: 'session', handle: carol.user.handle });
      expect(stored.token).toMatch(/^tsq_/);
      expect((await introspected).headers().authorization).toBe(`Bearer ${stored.token}`);
      expect(await viewerHandle(page, 'signedIn')).toBe(carol.user.handle);

      // A reload keeps the tab's session storage, so the bar and the fetcher still use the token.
      await page.reload();
      await page.locator(ui.queryEditor).waitFor();
      await page
        .locator(ui.who)
        .filter({ hasText: `@${carol.user.handle}` })
        .waitFor();
      expect(await viewerHandle(page, 'reloaded')).toBe(carol.user.handle);

      const revoked = page.waitForResponse((response) => /TownsquareSignOut/.test(response.request().postData() ?? ''));
      await page.locator(ui.signOut).click();
      await page.locator(ui.signInForm).waitFor();
      expect(await (await revoked).json()).toEqual({ data: { endSession: { user: { handle: carol.user.handle } } } });
      expect(await page.locator(ui.who).isVisible()).toBe(false);
      expect(await storedCredential(page)).toBeNull();
      expect(await viewerHandle(page, 'signedOut')).toBeNull();
      const after = await srv.gql('{ viewer { handle } }', {}, { token: stored.token });
      expect(errorCode(after)).toBe('UNAUTHENTICATED');
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);
      await page.close();
    },
    90_000,
  );

  it_(
    'shows a wrong password inline and stays anonymous',
    async () => {
      const srv = server!;
      const dan = await signUp(srv, 'gqd');
      const { page } = await openGraphiQL(srv.httpUrl);
      await signInWithPassword(page, { ...dan, password: 'not the password' });
      await page.locator(ui.error).filter({ hasText: 'UNAUTHENTICATED' }).waitFor({ timeout: 10_000 });
      expect(await page.locator(ui.who).isVisible()).toBe(false);
      expect(await page.locator(ui.signInForm).isVisible()).toBe(true);
      expect(await storedCredential(page)).toBeNull();
      expect(await viewerHandle(page, 'stillAnonymous')).toBeNull();
      await page.close();
    },
    60_000,
  );

  it_(
    'uses a pasted API key, lets the headers editor override it, and only forgets it on sign out',
    async () => {
      const srv = server!;
      const erin = await signUp(srv, 'gqe');
      const frank = await signUp(srv, 'gqf');
      const created = await srv.gql(
        'mutation { createApiKey(input: { name: "GraphiQL test", scopes: [READ, SUBSCRIBE] }) { secret } }',
        {},
        { token: erin.token },
      );
      const secret: string = created.body.data.createApiKey.secret;
      expect(secret).toMatch(/^tsk_/);

      const { page } = await openGraphiQL(srv.httpUrl);
      const signOuts: string[] = [];
      page.on('request', (request) => {
        if (/TownsquareSignOut/.test(request.postData() ?? '')) signOuts.push(request.url());
      });
      await page.locator(ui.key).fill(secret);
      await page.locator(ui.useKey).click();
      await page
        .locator(ui.who)
        .filter({ hasText: `@${erin.user.handle}` })
        .waitFor({ timeout: 10_000 });
      await expect(page.locator(ui.who).textContent()).resolves.toContain('API key tsk_');
      expect(await storedCredential(page)).toMatchObject({ kind: 'apiKey', token: secret, handle: erin.user.handle });
      expect(await viewerHandle(page, 'withKey')).toBe(erin.user.handle);

      // An Authorization header typed in the headers editor wins, and the bar says so.
      await page.locator(ui.headersTab).click();
      await setEditor(page, ui.headersEditor, JSON.stringify({ Authorization: `Bearer ${frank.token}` }));
      expect(await viewerHandle(page, 'overridden')).toBe(frank.user.handle);
      await page.locator(ui.note).waitFor();
      await setEditor(page, ui.headersEditor, '{}');
      expect(await viewerHandle(page, 'keyAgain')).toBe(erin.user.handle);

      // Signing out forgets the key without revoking it.
      await page.locator(ui.signOut).click();
      await page.locator(ui.signInForm).waitFor();
      expect(await storedCredential(page)).toBeNull();
      expect(await viewerHandle(page, 'keyForgotten')).toBeNull();
      expect(signOuts).toEqual([]);
      const still = await srv.gql('{ viewer { handle } }', {}, { token: secret });
      expect(still.body.data?.viewer?.handle).toBe(erin.user.handle);

      // A key the server refuses is shown, not kept.
      await page.locator(ui.key).fill('tsk_not-a-real-key');
      await page.locator(ui.useKey).click();
      await page.locator(ui.error).filter({ hasText: 'UNAUTHENTICATED' }).waitFor({ timeout: 10_000 });
      expect(await storedCredential(page)).toBeNull();
      await page.close();
    },
    90_000,
  );

  it_(
    "keeps a subscription's events in a history, and closes its socket on sign out",
    async () => {
      const srv = server!;
      const gina = await signUp(srv, 'gqg');
      const bob = await signUp(srv, 'gqh');
      const dave = await signUp(srv, 'gqi');
      const { id: communityId } = await createCommunity(srv, gina, 'PUBLIC', 'GraphiQL history');

      const { page, framesSent, framesReceived, sockets } = await openGraphiQL(srv.httpUrl);
      // Tall enough for Monaco to render the whole result (it renders only the lines in view).
      await page.setViewportSize({ width: 1400, height: 2400 });
      await signInWithPassword(page, gina);
      await page
        .locator(ui.who)
        .filter({ hasText: `@${gina.user.handle}` })
        .waitFor({ timeout: 10_000 });
      const { token } = await storedCredential(page);

      await setEditor(
        page,
        ui.queryEditor,
        `subscription History { memberJoined(communityId: "${communityId}") { user { handle } } }`,
      );
      await page.locator(ui.tabTitled('History')).waitFor();
      await page.locator(ui.runButton).click();
      await untilSubscribed(srv, communityId, framesReceived);
      expect((await joinCommunity(srv, bob, communityId)).outcome).toBe('JOINED');
      await page.locator(ui.result).filter({ hasText: bob.user.handle }).waitFor({ timeout: 10_000 });
      expect((await joinCommunity(srv, dave, communityId)).outcome).toBe('JOINED');
      // Dave's event is the latest (`data`), and Bob's is still there, in `extensions.history`.
      await page
        .locator(ui.result)
        .filter({ hasText: dave.user.handle })
        .filter({ hasText: bob.user.handle })
        .waitFor({ timeout: 10_000 });
      const shown = JSON.parse(await resultText(page));
      expect(shown.data).toEqual({ memberJoined: { user: { handle: dave.user.handle } } });
      const history: { event: number; at: string; data?: unknown }[] = shown.extensions.history;
      expect(history.length).toBeGreaterThanOrEqual(3); // the strangers of untilSubscribed, Bob, Dave
      expect(history.slice(0, 2)).toEqual([
        {
          event: history.length,
          at: expect.any(String),
          data: { memberJoined: { user: { handle: dave.user.handle } } },
        },
        {
          event: history.length - 1,
          at: expect.any(String),
          data: { memberJoined: { user: { handle: bob.user.handle } } },
        },
      ]);
      expect(Date.parse(history[0].at)).toBeGreaterThanOrEqual(Date.parse(history[1].at));

      const init = framesSent.map((frame) => JSON.parse(frame)).find((message) => message.type === 'connection_init');
      expect(init?.payload).toEqual({ authorization: `Bearer ${token}` });

      // Signing out closes the socket that carried Gina's token; the history says so.
      const socket = sockets.find((s) => s.url() === srv.wsUrl)!;
      const closed = socket.isClosed() ? Promise.resolve() : socket.waitForEvent('close', { timeout: 10_000 });
      await page.locator(ui.signOut).click();
      await closed;
      await page.locator(ui.result).filter({ hasText: 'Signed out: this socket was closed' }).waitFor();
      await page.close();
    },
    90_000,
  );
});

/** Opens GraphiQL in a new tab, recording every URL the page asks for and every WebSocket frame. */
async function openGraphiQL(url: string) {
  const page = await context!.newPage();
  const requested: string[] = [];
  const framesSent: string[] = [];
  const framesReceived: string[] = [];
  const sockets: WebSocket[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => {
    sockets.push(socket);
    requested.push(socket.url());
    socket.on('framesent', (frame) => framesSent.push(String(frame.payload)));
    socket.on('framereceived', (frame) => framesReceived.push(String(frame.payload)));
  });
  await page.goto(url);
  await page.locator(ui.queryEditor).waitFor();
  return { page, requested, framesSent, framesReceived, sockets };
}

/** Same machine only: the server's own origin, and the blob: URLs GraphiQL makes for its editor workers. */
function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'blob:' || protocol === 'data:' || hostname === '127.0.0.1';
}

/**
 * Replaces a Monaco editor's text. Monaco's global API is off in this build, so: focus, select all, delete, and
 * insert the text in one input event (typing it key by key would trigger auto-closing brackets and quotes).
 */
async function setEditor(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector).click();
  await page.keyboard.press('ControlOrMeta+KeyA');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/**
 * graphql-ws does not acknowledge a subscribe, so a join made right after pressing run could be published before the
 * server has subscribed. Strangers join until one of their joins comes back over the socket.
 */
async function untilSubscribed(srv: TestServer, communityId: string, framesReceived: string[]): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const stranger = await signUp(srv, 'gqp');
    await joinCommunity(srv, stranger, communityId);
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline) {
      if (framesReceived.some((frame) => frame.includes(stranger.user.handle))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error('the GraphiQL subscription never received an event');
}

/** Fills the sign-in bar's email and password and presses Sign in. */
async function signInWithPassword(page: Page, user: Pick<TestUser, 'password' | 'user'>): Promise<void> {
  await page.locator(ui.email).fill(user.user.email);
  await page.locator(ui.password).fill(user.password);
  await page.locator(ui.signIn).click();
}

/** The credential the bar keeps in the tab's session storage, or null. */
async function storedCredential(page: Page): Promise<any> {
  return JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY)) ?? 'null');
}

/** The result pane's text as JSON text (Monaco shows spaces as no-break spaces). */
async function resultText(page: Page): Promise<string> {
  const lines = await page.locator(`${ui.result} .view-line`).evaluateAll((nodes) =>
    nodes
      .map((node) => ({ top: parseFloat((node as HTMLElement).style.top), text: node.textContent ?? '' }))
      .sort((a, b) => a.top - b.top)
      .map((line) => line.text),
  );
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/**
 * Runs `{ <alias>: viewer { handle } }` from the query editor and returns the handle GraphiQL shows, or null when
 * anonymous. The alias tells this result from the one before.
 */
async function viewerHandle(page: Page, alias: string): Promise<string | null> {
  const operationName = `Viewer_${alias}`;
  await setEditor(page, ui.queryEditor, `query ${operationName} { ${alias}: viewer { handle } }`);
  await page.locator(ui.tabTitled(operationName)).waitFor();
  await page.locator(ui.runButton).click();
  await page
    .locator(ui.result)
    .filter({ hasText: `"${alias}"` })
    .waitFor({ timeout: 10_000 });
  const shown = JSON.parse(await resultText(page));
  if (shown.errors) throw new Error(`viewer failed: ${JSON.stringify(shown.errors)}`);
  return shown.data[alias]?.handle ?? null;
}
