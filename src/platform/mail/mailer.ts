import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import type { Logger } from '../logger';

/** A message ready to send: both bodies rendered (see template.ts). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail. Only background jobs call it (see README, Email): a failed send throws, and the job retries. */
export interface Mailer {
  /** `smtp` (SMTP_URL) or `outbox` (files under DATA_DIR/outbox). */
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export interface MailerSettings {
  SMTP_URL?: string;
  MAIL_FROM: string;
  DATA_DIR: string;
  NODE_ENV: string;
}

/** The folder messages are written to when there is no SMTP_URL. */
export const outboxFolder = (dataDir: string) => join(dataDir, 'outbox');

/**
 * The mailer of the settings: nodemailer's SMTP transport to SMTP_URL, or, without one, an outbox
 * folder (DATA_DIR/outbox) where each message becomes an .eml file (RFC 5322, as SMTP would have
 * carried it: a mail client opens it), named by time so that `ls` lists them in order.
 */
export function createMailer(settings: MailerSettings, log: Logger): Mailer {
  if (settings.SMTP_URL) {
    const transport = createTransport(settings.SMTP_URL, { from: settings.MAIL_FROM });
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail(message);
      },
      async close() {
        transport.close();
      },
    };
  }
  const folder = outboxFolder(settings.DATA_DIR);
  if (settings.NODE_ENV === 'production')
    log.warn({ folder }, 'SMTP_URL is not set: mail is only written to the outbox folder, nobody receives it');
  else log.info({ folder }, 'SMTP_URL is not set: mail is written to the outbox folder');
  const transport = createTransport(
    { streamTransport: true, buffer: true, newline: 'unix' },
    { from: settings.MAIL_FROM },
  );
  return {
    kind: 'outbox',
    async send(message) {
      const info = await transport.sendMail(message);
      await mkdir(folder, { recursive: true });
      // Time first (sorts), then a random part: two messages of one millisecond never share a name.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
      // Written aside, then renamed: whoever lists the folder never reads half a message.
      const partial = join(folder, `.${name}.partial`);
      await writeFile(partial, info.message as Buffer, { mode: 0o600 });
      await rename(partial, join(folder, name));
    },
    async close() {
      transport.close();
    },
  };
}
