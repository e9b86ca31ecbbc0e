/**
 * Without SMTP_URL (`npm start` with no mail server), every message is written to DATA_DIR/outbox as an
 * .eml file; in production the server warns at start that nobody receives that mail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { escapeHtml, html, link } from '../../src/platform/mail/template';
import { startServer } from '../../src/server';
import { capturingLogger, closeAll, onCleanup, signUp, startTestServer, tempDir, testEnv } from '../support/server';
import { parseMail, tokenIn, type ReceivedMail } from './inbox';

afterAll(closeAll);

/** The first .eml file of a folder addressed to `to`, parsed, waiting for it up to 10 s (files of other tests' jobs may be there too). */
async function emlTo(folder: string, to: string): Promise<ReceivedMail> {
  const started = Date.now();
  for (;;) {
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.eml')) : [];
    const mail = files
      .sort()
      .map((f) => parseMail(readFileSync(join(folder, f), 'utf8')))
      .find((m) => new RegExp(`^To: ${to}$`, 'mi').test(m.raw));
    if (mail) return mail;
    if (Date.now() - started > 10_000) throw new Error(`no message to ${to} in ${folder}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the outbox folder', () => {
  it('receives each message as an .eml file when no SMTP_URL is set, whose link verifies the address', async () => {
    const dataDir = tempDir();
    const server = await startTestServer({
      DATA_DIR: dataDir,
      JOB_POLL_MS: '100',
      PUBLIC_URL: 'https://town.example/app',
    });
    const ada = await signUp(server, 'ada');
    const mail = await emlTo(join(dataDir, 'outbox'), ada.user.email);
    expect(mail.subject).toBe('Confirm your email address');
    const token = tokenIn(mail);
    expect(mail.text).toContain(`https://town.example/app/verify-email?token=${token}`);
    const verified = await server.gql('mutation($t: String!) { verifyEmail(token: $t) { id } }', { t: token });
    expect(verified.body.errors).toBeUndefined();
  });

  it('warns at start in production that mail only goes to the folder', async () => {
    const { log, lines } = capturingLogger('warn');
    const app = await startServer(loadConfig(testEnv({ NODE_ENV: 'production' })), { log });
    onCleanup(() => app.stop());
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/^SMTP_URL is not set.*outbox/) }),
    );
  });
});

describe('mail templates', () => {
  it('escapes every interpolated value in HTML, keeping nested markup', () => {
    const title = `<script>alert("x")</script> & 'co'`;
    expect(escapeHtml(title)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    const nested = html`<b>${'<i>'}</b>`;
    // prettier-ignore
    expect(html`<p>${title}</p>${nested}`.value).toBe(`<p>${escapeHtml(title)}</p><b>&lt;i&gt;</b>`);
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`);
    // prettier-ignore
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>');
  });

  it('builds links under PUBLIC_URL with encoded parameters', () => {
    expect(link('https://town.example', 'verify-email', { token: 'a+b/c' })).toBe(
      'https://town.example/verify-email?token=a%2Bb%2Fc',
    );
    expect(link('https://town.example/app/', 'reset-password', { token: 't' })).toBe(
      'https://town.example/app/reset-password?token=t',
    );
  });
});
