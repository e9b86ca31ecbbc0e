import { html, htmlDocument, link } from '../../platform/mail/template';
import type { MailMessage } from '../../platform/mail/mailer';

/** What the account messages need from the configuration. */
export interface AccountMailSettings {
  PUBLIC_URL: string;
}

/** A token as its message shows it: the token, and how long it works (from its row, whichever instance sends it). */
export interface EmailedToken {
  token: string;
  ttlSeconds: number;
}

/** "in 1 hour", "in 24 hours", "in 90 seconds": how long a link works. */
function lifetime(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** The email verification message: a link to PUBLIC_URL/verify-email?token=… (the web client calls `verifyEmailAddress`). */
export function verificationMail(
  settings: AccountMailSettings,
  to: { handle: string; email: string },
  { token, ttlSeconds }: EmailedToken,
): MailMessage {
  const url = link(settings.PUBLIC_URL, 'verify-email', { token });
  const ttl = lifetime(ttlSeconds);
  return {
    to: to.email,
    subject: 'Confirm your email address',
    text: [
      `Hello @${to.handle},`,
      '',
      'Please confirm that this is your email address by opening this link:',
      '',
      url,
      '',
      `The link works once, for ${ttl}. If you did not sign up for Townsquare, ignore this message.`,
      '',
      'Your verification code, if your app asks for it:',
      token,
      '',
    ].join('\n'),
    html: htmlDocument(
      'Confirm your email address',
      html`<p>Hello @${to.handle},</p>
        <p>Please confirm that this is your email address:</p>
        <p><a href="${url}">Confirm my email address</a></p>
        <p>The link works once, for ${ttl}. If you did not sign up for Townsquare, ignore this message.</p>
        <p>Your verification code, if your app asks for it: <code>${token}</code></p>`,
    ),
  };
}

/** The password reset message: a link to PUBLIC_URL/reset-password?token=… (the web client calls `completePasswordReset`). */
export function passwordResetMail(
  settings: AccountMailSettings,
  to: { handle: string; email: string },
  { token, ttlSeconds }: EmailedToken,
): MailMessage {
  const url = link(settings.PUBLIC_URL, 'reset-password', { token });
  const ttl = lifetime(ttlSeconds);
  return {
    to: to.email,
    subject: 'Reset your password',
    text: [
      `Hello @${to.handle},`,
      '',
      'Someone (we hope you) asked to reset the password of your Townsquare account. To choose a new one, open:',
      '',
      url,
      '',
      `The link works once, for ${ttl}. If you did not ask, ignore this message: your password stays as it is.`,
      '',
      'Your reset code, if your app asks for it:',
      token,
      '',
    ].join('\n'),
    html: htmlDocument(
      'Reset your password',
      html`<p>Hello @${to.handle},</p>
        <p>Someone (we hope you) asked to reset the password of your Townsquare account.</p>
        <p><a href="${url}">Choose a new password</a></p>
        <p>The link works once, for ${ttl}. If you did not ask, ignore this message: your password stays as it is.</p>
        <p>Your reset code, if your app asks for it: <code>${token}</code></p>`,
    ),
  };
}

/** Tells the user their password was changed, and that every session was signed out. */
export function passwordChangedMail(to: { handle: string; email: string }): MailMessage {
  return {
    to: to.email,
    subject: 'Your password was changed',
    text: [
      `Hello @${to.handle},`,
      '',
      'The password of your Townsquare account was just changed with a reset link. Every session and API key',
      'of the account was signed out.',
      '',
      'If it was not you, reset your password again at once and tell the platform admins.',
      '',
    ].join('\n'),
    html: htmlDocument(
      'Your password was changed',
      html`<p>Hello @${to.handle},</p>
        <p>
          The password of your Townsquare account was just changed with a reset link. Every session and API key of the
          account was signed out.
        </p>
        <p>If it was not you, reset your password again at once and tell the platform admins.</p>`,
    ),
  };
}
