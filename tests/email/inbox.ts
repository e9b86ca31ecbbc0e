import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { onCleanup } from '../support/server';

/** A message as the SMTP server received it, with its parts decoded. */
export interface ReceivedMail {
  /** RCPT TO addresses, lower-case. */
  to: string[];
  subject: string;
  from: string;
  /** The text/plain part. */
  text: string;
  /** The text/html part. */
  html: string;
  raw: string;
}

/** A real SMTP server in the test process (the `smtp-server` package) that keeps what it receives. */
export interface Inbox {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** The first message to `to` matching `subject` not taken before; waits for it up to `ms`. */
  next(to: string, subject?: RegExp, ms?: number): Promise<ReceivedMail>;
  /** Messages received for `to` so far (taken or not). */
  for(to: string): ReceivedMail[];
}

/** Starts an SMTP server on 127.0.0.1:0 (no TLS, no auth), closed at cleanup. */
export async function startInbox(): Promise<Inbox> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((a) => a.address.toLowerCase());
        messages.push(parseMail(Buffer.concat(chunks).toString('utf8'), to));
        waiters.forEach((w) => w());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.server.address() as AddressInfo).port;
  const matching = (to: string, subject?: RegExp) =>
    messages.find((m) => !taken.has(m) && m.to.includes(to.toLowerCase()) && (!subject || subject.test(m.subject)));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    for: (to) => messages.filter((m) => m.to.includes(to.toLowerCase())),
    next(to, subject, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = matching(to, subject);
          if (!found) return;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no message to ${to}${subject ? ` matching ${subject}` : ''} within ${ms} ms`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Splits a MIME entity into its headers (names lower-cased, folded lines joined) and body. */
function splitEntity(entity: string): { headers: Record<string, string>; body: string } {
  const at = entity.search(/\r?\n\r?\n/);
  const head = at < 0 ? entity : entity.slice(0, at);
  const body = at < 0 ? '' : entity.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** Decodes a part's body by its Content-Transfer-Encoding (7bit, quoted-printable, base64). */
function decode(body: string, encoding = '7bit'): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header; the space between two of them goes. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decode(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

/** Parses what nodemailer sends: a single part, or multipart/alternative with text/plain and text/html. */
export function parseMail(raw: string, to: string[] = []): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  const mail: ReceivedMail = {
    to,
    subject: decodeWords(headers.subject ?? ''),
    from: decodeWords(headers.from ?? ''),
    text: '',
    html: '',
    raw,
  };
  const leaf = (h: Record<string, string>, b: string) => {
    const content = decode(b, h['content-transfer-encoding']);
    if ((h['content-type'] ?? 'text/plain').startsWith('text/html')) mail.html = content;
    else mail.text = content;
  };
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) {
    leaf(headers, body);
    return mail;
  }
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break;
    const entity = splitEntity(part.replace(/^\r?\n/, ''));
    leaf(entity.headers, entity.body.replace(/\r?\n$/, ''));
  }
  return mail;
}

/** The token a verification or reset message carries (its link's `token` parameter), checked in both parts. */
export function tokenIn(mail: ReceivedMail): string {
  const fromText = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  const fromHtml = /href="[^"]*[?&]token=([A-Za-z0-9_-]+)"/.exec(mail.html)?.[1];
  if (!fromText || fromText !== fromHtml) throw new Error(`no token in the message: ${mail.raw}`);
  return fromText;
}
