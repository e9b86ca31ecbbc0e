import type { MailMessage } from '../../platform/mail/mailer';
import { html, htmlDocument, link } from '../../platform/mail/template';
import { NotificationKind } from './notifications.entity';

/** What a notification email says of one notification: read from its row and what it names. */
export interface NotificationSummary {
  kind: NotificationKind;
  count: number;
  actor: string | null;
  community: string | null;
  post: string | null;
  /** QUEST_COMPLETED: the quest's title. */
  quest: string | null;
}

/** One line saying what happened, as plain text (the HTML escapes it). */
export function describe(n: NotificationSummary): string {
  const who = n.actor ? `@${n.actor}` : 'Someone';
  const where = n.community ? ` in ${n.community}` : '';
  const post = n.post ? ` "${n.post}"` : '';
  switch (n.kind) {
    case NotificationKind.REPLY:
      return n.count > 1
        ? `${n.count} new replies to you on${post || ' a post'}${where}, the latest by ${who}`
        : `${who} replied to you on${post || ' a post'}${where}`;
    case NotificationKind.MENTION:
      return `${who} mentioned you in${post || ' a post'}${where}`;
    case NotificationKind.MODERATION_DECISION:
      return `A moderator's decision restricted you${where}`;
    case NotificationKind.APPEAL_DECIDED:
      return `Your appeal${where} was decided`;
    case NotificationKind.JOIN_REQUEST_DECIDED:
      return `Your request to join${n.community ? ` ${n.community}` : ' a community'} was decided`;
    case NotificationKind.BADGE_AWARDED:
      return `You earned a badge${where}`;
    case NotificationKind.POLL_CLOSED:
      return `A poll you voted in${where} closed`;
    case NotificationKind.EVENT_REMINDER:
      return `An event you are going to${where} starts soon`;
    case NotificationKind.WAITLIST_PROMOTED:
      return `A seat freed up${where}: you are off the waitlist`;
    case NotificationKind.LEVEL_REACHED:
      return `Your reputation reached a new level${where}`;
    case NotificationKind.WEBHOOK_DISABLED:
      return `A webhook endpoint${where} kept failing and was disabled`;
    case NotificationKind.QUEST_COMPLETED:
      return `You completed ${n.quest ? `the quest "${n.quest}"` : 'a quest'}${where}`;
  }
}

/** The email of one notification (channel EMAIL). */
export function notificationMail(
  settings: { PUBLIC_URL: string },
  to: { handle: string; email: string },
  n: NotificationSummary,
): MailMessage {
  const line = describe(n);
  const url = link(settings.PUBLIC_URL, 'notifications');
  return {
    to: to.email,
    subject: line,
    text: [
      `Hello @${to.handle},`,
      '',
      `${line}.`,
      '',
      `See it in Townsquare: ${url}`,
      '',
      'You get this email because you chose EMAIL for this kind of notification (updateNotificationPreferences).',
      '',
    ].join('\n'),
    html: htmlDocument(
      line,
      html`<p>Hello @${to.handle},</p>
        <p>${line}.</p>
        <p><a href="${url}">See it in Townsquare</a></p>
        <p style="color: #666">You get this email because you chose EMAIL for this kind of notification.</p>`,
    ),
  };
}

/** The daily digest of unread notifications (channel DIGEST), newest first; `more` not listed. */
export function digestMail(
  settings: { PUBLIC_URL: string },
  to: { handle: string; email: string },
  items: NotificationSummary[],
  more: number,
): MailMessage {
  const url = link(settings.PUBLIC_URL, 'notifications');
  const lines = items.map(describe);
  const subject = `Your Townsquare digest: ${items.length + more} unread notification${items.length + more === 1 ? '' : 's'}`;
  return {
    to: to.email,
    subject,
    text: [
      `Hello @${to.handle},`,
      '',
      'Unread since your last digest:',
      '',
      ...lines.map((l) => `- ${l}`),
      ...(more ? [`- and ${more} more`] : []),
      '',
      `See them in Townsquare: ${url}`,
      '',
    ].join('\n'),
    html: htmlDocument(
      subject,
      html`<p>Hello @${to.handle},</p>
        <p>Unread since your last digest:</p>
        <ul>
          ${lines.map((l) => html`<li>${l}</li>`)}${more ? html`<li>and ${more} more</li>` : ''}
        </ul>
        <p><a href="${url}">See them in Townsquare</a></p>`,
    ),
  };
}
