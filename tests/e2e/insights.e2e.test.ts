import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CREDENTIAL_STORAGE_KEY } from '../../src/platform/html-page';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { addComment, createPost, dbId, dbQuery, vote } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import { colouredPixels, decodePng } from '../support/png';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * The insights page (/insights, src/platform/insights-page.ts) in headless Chromium against the real server: a
 * community with activity over ten days (written through the API, its times moved back in SQL), the
 * `insights.rollup` job run as its schedule does; the owner signs in on the page, and the charts are drawn
 * (screenshots decoded, coloured pixels counted; Chart.js's data checked against the API's); the sign-in is
 * GraphiQL's (a tab signed in on one page is signed in on the other); a member gets FORBIDDEN and no data;
 * anonymous gets the sign-in form; nothing is requested from another origin and the CSP refuses nothing.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) {
  console.warn(
    `Skipping the insights page end-to-end tests: no Chromium at ${chromiumPath}. ` +
      'Install it with `apt-get install chromium`, or point CHROMIUM_PATH at a Chromium binary. CI always runs them.',
  );
}
const it_ = haveChromium ? it : it.skip;

const ui = {
  signInForm: '#insights-sign-in-form',
  email: '#insights-email',
  password: '#insights-password',
  signIn: '#insights-sign-in',
  who: '#insights-who',
  signOut: '#insights-sign-out',
  controls: '#insights-controls',
  scope: '#insights-scope',
  interval: '#insights-interval',
  error: '#insights-error',
  data: '#insights-data',
  members: '#insights-members',
  tags: '#insights-tags',
  cohorts: '#insights-cohorts',
  contributors: '#insights-contributors',
};
const STORAGE_KEY = CREDENTIAL_STORAGE_KEY;
const DAY = 86_400_000;

let server: TestServer | undefined;
let context: BrowserContext | undefined;
let userDataDir: string | undefined;
let owner: TestUser;
let member: TestUser;
let slug: string;

beforeAll(async () => {
  if (!haveChromium) return;
  server = await startTestServer({ JOB_POLL_MS: '100' });
  const srv = server;
  owner = await signUp(srv, 'ipo');
  const others = [await signUp(srv, 'ipa'), await signUp(srv, 'ipb'), await signUp(srv, 'ipc')];
  member = others[0];
  const community = await createCommunity(srv, owner, 'PUBLIC', 'Insights page');
  slug = community.slug;
  for (const user of others) await joinCommunity(srv, user, community.id);

  // Ten days of activity: each day a post by someone (tags by turns), comments and votes by the others.
  const tags = [['alpha'], ['alpha', 'beta'], ['gamma'], ['alpha'], ['beta']];
  const everyone = [owner, ...others];
  for (let day = 0; day < 10; day++) {
    const author = everyone[day % everyone.length];
    const post = await createPost(srv, author, community.id, { title: `Day ${day}`, tags: tags[day % tags.length] });
    const when = new Date(Date.now() - (10 - day) * DAY).toISOString();
    await dbQuery(srv, 'update posts set created_at = ?::timestamptz where id = ?', [when, dbId(post.id)]);
    for (const other of everyone.filter((u) => u !== author).slice(0, 1 + (day % 3))) {
      const comment = await addComment(srv, other, post.id);
      await dbQuery(srv, `update comments set created_at = ?::timestamptz + interval '1 hour' where id = ?`, [
        when,
        dbId(comment.id),
      ]);
      await vote(srv, other, post.id, 'UP');
    }
  }
  // The votes three days before they were cast (this community's only: the suite shares its database).
  await dbQuery(
    srv,
    `update votes set created_at = created_at - interval '3 days'
      where post_id in (select id from posts where community_id = ?)`,
    [dbId(community.id)],
  );
  await dbQuery(srv, 'select graphile_worker.add_job(?, ?::json)', ['insights.rollup', '{}']);
  await jobsSettled(srv, 30_000);

  userDataDir = mkdtempSync(path.join(os.tmpdir(), 'townsquare-insights-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 1200 },
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
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort()));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await closeAll();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

describe('the insights page', () => {
  it_(
    'shows an anonymous visitor the sign-in form and no data, and is served with a strict CSP and an ETag',
    async () => {
      const srv = server!;
      const { page, requested, violations } = await openInsights(`${srv.baseUrl}/insights`);
      await page.locator(ui.signInForm).waitFor();
      expect(await page.locator(ui.controls).isVisible()).toBe(false);
      expect(await page.locator(ui.data).isVisible()).toBe(false);
      expect(await page.locator('#insights-intro').textContent()).toContain('ADMIN and above');

      const first = await fetch(`${srv.baseUrl}/insights`, { headers: { 'accept-encoding': 'gzip' } });
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = first.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('unsafe');
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${srv.baseUrl}/insights`, {
        // fetch adds `cache-control: no-cache` to a conditional request, which would ask for the page anew.
        headers: { 'accept-encoding': 'gzip', 'if-none-match': etag, 'cache-control': 'max-age=0' },
      });
      expect(again.status).toBe(304);
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);
      expect(violations).toEqual([]);
      await page.close();
    },
    60_000,
  );

  it_(
    "signs an owner in, draws the community's charts, and shares the sign-in with GraphiQL",
    async () => {
      const srv = server!;
      const { page, requested, violations } = await openInsights(`${srv.baseUrl}/insights`);
      await signIn(page, owner);
      await page
        .locator(ui.who)
        .filter({ hasText: `@${owner.user.handle}` })
        .waitFor();
      await page.locator(ui.data).waitFor({ timeout: 20_000 });
      expect(await page.locator(ui.scope).inputValue()).toBe(slug);
      expect(await page.locator(ui.error).textContent()).toBe('');
      expect(await storedCredential(page)).toMatchObject({ kind: 'session', handle: owner.user.handle });

      // By day, so the ten days of activity make a line with shape.
      await page.locator(ui.interval).selectOption('DAY');
      await page.waitForFunction(
        () => (window as any).Chart.getChart(document.getElementById('insights-members'))?.data.labels.length > 100,
      );
      expect(new URL(page.url()).searchParams.get('interval')).toBe('DAY');
      await page.locator(`${ui.contributors} td`, { hasText: `@${owner.user.handle}` }).waitFor();

      // What Chart.js holds is what the API answers.
      const charted = await page.evaluate(() => {
        const chart = (id: string) => (window as any).Chart.getChart(document.getElementById(id));
        const members = chart('insights-members');
        const tags = chart('insights-tags');
        return {
          labels: members.data.labels.length,
          active: members.data.datasets[0].data.reduce((n: number, v: number) => n + v, 0),
          tags: tags.data.labels,
          tagPosts: tags.data.datasets[0].data,
        };
      });
      expect(charted.labels).toBeGreaterThanOrEqual(180);
      expect(charted.active).toBeGreaterThanOrEqual(20);
      expect(charted.tags).toEqual(['#alpha', '#beta', '#gamma']);
      expect(charted.tagPosts).toEqual([6, 4, 2]);

      // Screenshots of the canvases, decoded: lines and bars in colour, not only grey axes.
      const shots = path.join(os.tmpdir(), 'townsquare-insights-shots');
      rmSync(shots, { recursive: true, force: true });
      mkdirSync(shots, { recursive: true });
      // The members chart: the rows between its legend (top) and the zero line (bottom) hold only the lines that
      // rise above zero; the tags chart has no legend, its bars fill it.
      for (const [id, top, bottom, minimum] of [
        [ui.members, 0.15, 0.8, 150],
        [ui.tags, 0, 1, 3000],
      ] as const) {
        const png = await page.locator(id).screenshot();
        writeFileSync(path.join(shots, `${id.slice(1)}.png`), png);
        const image = decodePng(png);
        expect(image.width).toBeGreaterThan(300);
        const rows = { from: Math.floor(image.height * top), to: Math.floor(image.height * bottom) };
        expect(colouredPixels(image, rows)).toBeGreaterThan(minimum);
      }
      // The cohort heat map: this week's cohort (everyone joined today) has a row; earlier weeks' cells are shaded.
      expect(await page.locator(`${ui.cohorts} tbody tr`).count()).toBeGreaterThanOrEqual(1);

      // GraphiQL in the same tab reads the same credential: signed in there too.
      await page.goto(`${srv.baseUrl}/graphql`);
      await page
        .locator('#townsquare-who')
        .filter({ hasText: `@${owner.user.handle}` })
        .waitFor({ timeout: 20_000 });
      await page.goto(`${srv.baseUrl}/insights`);
      await page.locator(ui.data).waitFor({ timeout: 20_000 });

      await page.locator(ui.signOut).click();
      await page.locator(ui.signInForm).waitFor();
      expect(await page.locator(ui.data).isVisible()).toBe(false);
      expect(await storedCredential(page)).toBeNull();
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);
      expect(violations).toEqual([]);
      await page.close();
    },
    90_000,
  );

  it_(
    'tells a member FORBIDDEN and shows no data',
    async () => {
      const srv = server!;
      const { page, requested, violations } = await openInsights(`${srv.baseUrl}/insights`);
      await signIn(page, member);
      await page.locator(ui.error).filter({ hasText: 'FORBIDDEN' }).waitFor({ timeout: 20_000 });
      expect(await page.locator(ui.data).isVisible()).toBe(false);

      // Asking for the community by its slug: the server's FORBIDDEN, shown, and nothing charted.
      const answered = page.waitForResponse((r) =>
        /"operationName":"TownsquareInsights"/.test(r.request().postData() ?? ''),
      );
      await page.goto(`${srv.baseUrl}/insights?community=${slug}`);
      const body = await (await answered).json();
      expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
      await page.locator(ui.error).filter({ hasText: 'FORBIDDEN' }).waitFor({ timeout: 20_000 });
      expect(await page.locator(ui.data).isVisible()).toBe(false);
      expect(
        await page.evaluate(() => (window as any).Chart.getChart(document.getElementById('insights-members'))),
      ).toBe(undefined);
      expect(await page.locator(`${ui.contributors} td`).count()).toBe(0);
      expect(requested.filter((url) => !isLocal(url))).toEqual([]);
      expect(violations).toEqual([]);
      await page.close();
    },
    60_000,
  );
});

/** Opens a page in a new tab, recording every URL it asks for and every CSP violation it reports. */
async function openInsights(url: string) {
  const page = await context!.newPage();
  const requested: string[] = [];
  const violations: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(url);
  return { page, requested, violations };
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'blob:' || protocol === 'data:' || hostname === '127.0.0.1';
}

async function signIn(page: Page, user: TestUser): Promise<void> {
  await page.locator(ui.email).fill(user.user.email);
  await page.locator(ui.password).fill(user.password);
  await page.locator(ui.signIn).click();
}

async function storedCredential(page: Page): Promise<any> {
  return JSON.parse((await page.evaluate((key) => sessionStorage.getItem(key), STORAGE_KEY)) ?? 'null');
}
