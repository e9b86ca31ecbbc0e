import type { EntityManager } from '@mikro-orm/postgresql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { renderMarkdown } from '../src/modules/posts/markdown';
import { DELETED_TEXT } from '../src/modules/posts/posts.service';
import { sql } from '../src/platform/database/sql';
import type { Handle } from './demo-posts';

const HOUR = 3_600_000;

/**
 * Moderation in the TypeScript community (alice owns it, bob moderates it), as the server would
 * have written it: three rules; two AutoMod rules (spam links BLOCKed, sales talk from new accounts
 * HELD); an open review-queue item (dave's advert, reported by carol and alice); a decided case
 * (carol's report of a post of alice's, dismissed by bob); and a removal on appeal (bob removed
 * dave's earlier advert; dave appealed, and another moderator has yet to decide). Every act is in
 * the moderation log.
 */
export async function seedModeration(
  em: EntityManager,
  now: Date,
  communities: Map<string, Community>,
  users: Map<Handle, User>,
): Promise<void> {
  const community = communities.get('typescript')!;
  const c = community.id;
  const id = (handle: Handle) => users.get(handle)!.id;
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
  const log = (actor: Handle | null, action: string, hoursAgo: number, more: Record<string, unknown> = {}) =>
    sql(
      em,
      `insert into moderation_log (community_id, actor_id, action, subject_type, subject_id, rule_id, statement, details, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)`,
      [
        c,
        actor ? id(actor) : null,
        action,
        more.subjectType ?? null,
        more.subjectId ?? null,
        more.ruleId ?? null,
        more.statement ?? '',
        JSON.stringify(more.details ?? {}),
        at(hoursAgo),
      ],
      'run',
    );

  // The community's rules.
  const rules: number[] = [];
  for (const [position, title, description] of [
    [1, 'Be respectful', 'Disagree with ideas, not people. No insults, no harassment.'],
    [2, 'No spam or self-promotion', 'No adverts, affiliate links or unsolicited offers.'],
    [3, 'Stay on topic', 'TypeScript, its tooling and its ecosystem.'],
  ] as const) {
    const [row] = await sql<{ id: number }[]>(
      em,
      `insert into community_rules (community_id, position, title, description, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?) returning id`,
      [c, position, title, description, at(100), at(100)],
    );
    rules.push(row.id);
    await log('alice', 'RULE_CREATED', 100, { ruleId: row.id, details: { after: { title, description, position } } });
  }
  const spam = rules[1];

  // Two AutoMod rules, switched on.
  for (const [name, conditions, action, ruleId] of [
    ['Spam links', { linkDomains: ['cheap-licences.example', 'crypto-giveaway.example'] }, 'BLOCK', spam],
    [
      'Sales talk from new accounts',
      { keywords: ['buy now', 'limited offer', 'discount code'], author: { accountAgeHoursBelow: 24 } },
      'HOLD',
      spam,
    ],
  ] as const) {
    const [row] = await sql<{ id: number }[]>(
      em,
      `insert into automod_rules (community_id, position, name, conditions, action, duration_seconds, enabled, rule_id,
                                  created_by_id, created_at, updated_at)
       values (?, (select count(*) + 1 from automod_rules where community_id = ?), ?, ?::jsonb, ?, null, true, ?, ?, ?, ?)
       returning id`,
      [c, c, name, JSON.stringify(conditions), action, ruleId, id('alice'), at(90), at(90)],
    );
    await log('alice', 'AUTOMOD_RULE_CHANGED', 90, {
      details: { autoModRuleId: row.id, after: { name, conditions, action, enabled: true } },
    });
  }
  await sql(em, 'update communities set auto_mod_version = auto_mod_version + 1 where id = ?', [c], 'run');

  const [firstPost] = await sql<{ id: number; title: string; body: string }[]>(
    em,
    'select id, title, body from posts where community_id = ? and author_id = ? order by id limit 1',
    [c, id('alice')],
  );
  const comment = async (by: Handle, body: string, hoursAgo: number) => {
    const [row] = await sql<{ id: number }[]>(
      em,
      `insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, featured_count, created_at)
       values (?, null, ?, ?, ?, 0, 0, 0, false, 0, ?) returning id`,
      [firstPost.id, id(by), body, renderMarkdown(body), at(hoursAgo)],
    );
    await sql(
      em,
      'update posts set comment_count = comment_count + 1, top_level_comment_count = top_level_comment_count + 1 where id = ?',
      [firstPost.id],
      'run',
    );
    return row.id;
  };
  const snapshot = (title: string | null, body: string, author: Handle, hoursAgo: number) =>
    JSON.stringify({ title, body, authorHandle: author, capturedAt: at(hoursAgo).toISOString() });
  const item = async (
    type: string,
    subjectId: number,
    author: Handle,
    snap: string,
    hoursAgo: number,
    weight: number,
    reports: number,
    status = 'OPEN',
  ) => {
    const [row] = await sql<{ id: number }[]>(
      em,
      `insert into moderation_items (community_id, subject_type, subject_id, subject_user_id, status, open_weight, report_count,
                                     hidden_by_reports, snapshot, created_at, updated_at, decided_at)
       values (?, ?, ?, ?, ?, ?, ?, false, ?::jsonb, ?, ?, ?) returning id`,
      [
        c,
        type,
        subjectId,
        id(author),
        status,
        weight,
        reports,
        snap,
        at(hoursAgo),
        at(hoursAgo),
        status === 'OPEN' ? null : at(hoursAgo - 2),
      ],
    );
    return row.id;
  };
  const report = (
    itemId: number,
    type: string,
    subjectId: number,
    by: Handle,
    reason: string,
    note: string,
    weight: number,
    snap: string,
    hoursAgo: number,
    status = 'OPEN',
  ) =>
    sql(
      em,
      `insert into reports (item_id, community_id, reporter_id, subject_type, subject_id, reason, note, weight, status, snapshot, created_at, closed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
      [
        itemId,
        c,
        id(by),
        type,
        subjectId,
        reason,
        note,
        weight,
        status,
        snap,
        at(hoursAgo),
        status === 'OPEN' ? null : at(hoursAgo - 2),
      ],
      'run',
    );

  // An open item: dave's advert, reported by carol and alice (5 of the threshold's 6: still shown).
  const advertBody = 'Great thread! Licences at 90% off, discount code TS2026 — ask me in private.';
  const advert = await comment('dave', advertBody, 6);
  const advertSnap = snapshot(null, advertBody, 'dave', 5);
  const open = await item('COMMENT', advert, 'dave', advertSnap, 5, 2, 2);
  await report(open, 'COMMENT', advert, 'carol', 'SPAM', 'Selling licences', 1, advertSnap, 5);
  await report(open, 'COMMENT', advert, 'alice', 'SPAM', '', 1, advertSnap, 4);

  // A decided case: carol reported a post of alice's as off topic; bob dismissed it.
  const aliceSnap = snapshot(firstPost.title, firstPost.body, 'alice', 30);
  const dismissed = await item('POST', firstPost.id, 'alice', aliceSnap, 30, 1, 1, 'DECIDED');
  await report(dismissed, 'POST', firstPost.id, 'carol', 'OFF_TOPIC', '', 1, aliceSnap, 30, 'DISMISSED');
  const [dismissal] = await sql<{ id: number }[]>(
    em,
    `insert into moderation_decisions (item_id, community_id, moderator_id, action, rule_id, statement, duration_seconds, ends_at,
                                       subject_type, subject_id, affected_user_id, before, created_at)
     values (?, ?, ?, 'DISMISS', null, 'The welcome post is on topic.', null, null, 'POST', ?, ?, null, ?) returning id`,
    [dismissed, c, id('bob'), firstPost.id, id('alice'), at(28)],
  );
  await log('bob', 'DECISION', 28, {
    subjectType: 'POST',
    subjectId: firstPost.id,
    statement: 'The welcome post is on topic.',
    details: {
      decisionId: dismissal.id,
      itemId: dismissed,
      action: 'DISMISS',
      durationSeconds: null,
      affectedUserId: id('alice'),
    },
  });

  // A removal under appeal: bob removed dave's earlier advert; dave appealed; no one has decided yet.
  const earlierBody = 'Need licences? Buy now at https://licences.example/deal — limited offer.';
  const earlier = await comment('dave', earlierBody, 50);
  const earlierSnap = snapshot(null, earlierBody, 'dave', 49);
  const removedItem = await item('COMMENT', earlier, 'dave', earlierSnap, 49, 1, 1, 'DECIDED');
  await report(removedItem, 'COMMENT', earlier, 'carol', 'SPAM', '', 1, earlierSnap, 49, 'UPHELD');
  await sql(
    em,
    `update comments set deleted_at = ?, body = ?, body_html = ? where id = ?`,
    [at(47), DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, earlier],
    'run',
  );
  const statement = 'An advert with a sales link: rule 2 forbids unsolicited offers.';
  const [removal] = await sql<{ id: number }[]>(
    em,
    `insert into moderation_decisions (item_id, community_id, moderator_id, action, rule_id, statement, duration_seconds, ends_at,
                                       subject_type, subject_id, affected_user_id, before, created_at)
     values (?, ?, ?, 'REMOVE', ?, ?, null, null, 'COMMENT', ?, ?, ?::jsonb, ?) returning id`,
    [
      removedItem,
      c,
      id('bob'),
      spam,
      statement,
      earlier,
      id('dave'),
      JSON.stringify({
        body: earlierBody,
        body_html: renderMarkdown(earlierBody),
        hidden_at: null,
        deleted_at: null,
        featured: false,
        reversed: [],
      }),
      at(47),
    ],
  );
  await log('bob', 'DECISION', 47, {
    subjectType: 'COMMENT',
    subjectId: earlier,
    ruleId: spam,
    statement,
    details: {
      decisionId: removal.id,
      itemId: removedItem,
      action: 'REMOVE',
      durationSeconds: null,
      affectedUserId: id('dave'),
    },
  });
  await sql(
    em,
    `insert into moderation_appeals (decision_id, community_id, appellant_id, decision_moderator_id, text, status, statement, created_at)
     values (?, ?, ?, ?, ?, 'PENDING', '', ?)`,
    [removal.id, c, id('dave'), id('bob'), 'It was a genuine offer for the community, not spam.', at(40)],
    'run',
  );
}
