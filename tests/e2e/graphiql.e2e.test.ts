import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { closeAll, createCommunity, joinCommunity, signUp, startTestServer, type TestServer } from '../support/server';

/**
 * GraphiQL, driven in headless Chromium against the real server: it loads from the server alone (no CDN), sends
 * the Authorization header from its headers editor with queries, and with subscriptions in connection_init.
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
};

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

/** Opens GraphiQL in a new tab, recording every URL the page asks for and every WebSocket frame. */
async function openGraphiQL(url: string) {
  const page = await context!.newPage();
  const requested: string[] = [];
  const framesSent: string[] = [];
  const framesReceived: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => {
    requested.push(socket.url());
    socket.on('framesent', (frame) => framesSent.push(String(frame.payload)));
    socket.on('framereceived', (frame) => framesReceived.push(String(frame.payload)));
  });
  await page.goto(url);
  await page.locator(ui.queryEditor).waitFor();
  return { page, requested, framesSent, framesReceived };
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
