import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from '../../platform/database/sql';
import { toGlobalId, type NodeType } from '../../platform/ids';
import { WebhookEventType } from './webhooks.entity';

/** A webhook event's row, as payloads are built from it. */
export interface EventRow {
  id: number;
  community_id: number;
  type: WebhookEventType;
  subject_id: number;
  created_at: Date | string;
}

/** The payload's `type` of each event type (Standard Webhooks' dotted style). */
export const PAYLOAD_TYPE: Readonly<Record<WebhookEventType, string>> = {
  POST_CREATED: 'post.created',
  COMMENT_ADDED: 'comment.added',
  MEMBER_JOINED: 'member.joined',
  RSVP_CHANGED: 'rsvp.changed',
  POLL_CLOSED: 'poll.closed',
  MODERATION_DECISION: 'moderation.decision',
};

/** The node type a moderation decision's `subject_type` names. */
const SUBJECT_NODE: Readonly<Record<string, NodeType>> = {
  POST: 'Post',
  COMMENT: 'Comment',
  MEMBER: 'User',
  CHAT_MESSAGE: 'ChatMessage',
  EVENT: 'Event',
  POLL: 'Poll',
};

type Json = Record<string, unknown>;
const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
const user = (id: unknown, handle: unknown) => (id == null ? null : { id: toGlobalId('User', id as number), handle });

/**
 * What each subject says, by event type: one statement per type present in `events`. Content a
 * reader of the community may not read now (deleted, hidden or removed by moderation: the text's,
 * its post's, its event's or poll's) is left out and marked `removed: true`. Nothing of another
 * community is read: every statement is keyed by the event's own subject in the event's community.
 */
const SUBJECTS: Readonly<Record<WebhookEventType, (em: EntityManager, ids: number[]) => Promise<Map<number, Json>>>> = {
  async POST_CREATED(em, ids) {
    const rows = await fastSql(
      em,
      `select p.id, p.title, p.body, p.tags, p.created_at, p.author_id, u.handle,
              (p.deleted_at is null and p.hidden_at is null) as live
         from posts p left join users u on u.id = p.author_id where p.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as number,
        {
          post: r.live
            ? {
                id: toGlobalId('Post', r.id as number),
                title: r.title,
                body: r.body,
                tags: r.tags,
                author: user(r.author_id, r.handle),
                createdAt: iso(r.created_at),
              }
            : { id: toGlobalId('Post', r.id as number), removed: true },
        },
      ]),
    );
  },
  async COMMENT_ADDED(em, ids) {
    const rows = await fastSql(
      em,
      `select c.id, c.post_id, c.parent_id, c.body, c.created_at, c.author_id, u.handle,
              (c.deleted_at is null and c.hidden_at is null and p.deleted_at is null and p.hidden_at is null) as live
         from comments c join posts p on p.id = c.post_id left join users u on u.id = c.author_id
        where c.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => {
        const ref = { id: toGlobalId('Comment', r.id as number), postId: toGlobalId('Post', r.post_id as number) };
        return [
          r.id as number,
          {
            comment: r.live
              ? {
                  ...ref,
                  parentId: r.parent_id == null ? null : toGlobalId('Comment', r.parent_id as number),
                  body: r.body,
                  author: user(r.author_id, r.handle),
                  createdAt: iso(r.created_at),
                }
              : { ...ref, removed: true },
          },
        ];
      }),
    );
  },
  async MEMBER_JOINED(em, ids) {
    const rows = await fastSql(
      em,
      `select m.id, m.role, m.joined_at, m.user_id, u.handle
         from members m join users u on u.id = m.user_id where m.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as number,
        {
          member: {
            id: toGlobalId('Member', r.id as number),
            user: user(r.user_id, r.handle),
            role: r.role,
            joinedAt: iso(r.joined_at),
          },
        },
      ]),
    );
  },
  async RSVP_CHANGED(em, ids) {
    const rows = await fastSql(
      em,
      `select r.id, r.event_id, r.status, r.seated, r.responded_at, r.user_id, u.handle,
              (e.hidden_at is null) as live
         from rsvps r join events e on e.id = r.event_id join users u on u.id = r.user_id
        where r.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => {
        const ref = { id: toGlobalId('Rsvp', r.id as number), eventId: toGlobalId('Event', r.event_id as number) };
        return [
          r.id as number,
          {
            rsvp: r.live
              ? {
                  ...ref,
                  user: user(r.user_id, r.handle),
                  status: r.status,
                  waitlisted: r.status === 'GOING' && !r.seated,
                  respondedAt: iso(r.responded_at),
                }
              : { ...ref, removed: true },
          },
        ];
      }),
    );
  },
  async POLL_CLOSED(em, ids) {
    const rows = await fastSql(
      em,
      `select p.id, p.question, p.closed_at, p.total_voters, (p.hidden_at is null) as live,
              (select coalesce(json_agg(json_build_object('id', o.id, 'text', o.text, 'votes', o.votes) order by o.position), '[]')
                 from poll_options o where o.poll_id = p.id) as options
         from polls p where p.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as number,
        {
          poll: r.live
            ? {
                id: toGlobalId('Poll', r.id as number),
                question: r.question,
                closedAt: iso(r.closed_at),
                totalVoters: r.total_voters,
                options: (r.options as { id: number; text: string; votes: number }[]).map((o) => ({
                  id: toGlobalId('PollOption', o.id),
                  text: o.text,
                  votes: o.votes,
                })),
              }
            : { id: toGlobalId('Poll', r.id as number), removed: true },
        },
      ]),
    );
  },
  async MODERATION_DECISION(em, ids) {
    // The decision, not the content decided on (which it may have hidden): its action, subject and reasons.
    const rows = await fastSql(
      em,
      `select d.id, d.action, d.subject_type, d.subject_id, d.statement, d.duration_seconds, d.created_at,
              r.title as rule_title
         from moderation_decisions d left join community_rules r on r.id = d.rule_id where d.id = any($1::int[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => {
        const node = SUBJECT_NODE[r.subject_type as string];
        return [
          r.id as number,
          {
            decision: {
              id: toGlobalId('ModerationDecision', r.id as number),
              action: r.action,
              subjectType: r.subject_type,
              subjectId: node && r.subject_id != null ? toGlobalId(node, r.subject_id as number) : null,
              rule: r.rule_title ?? null,
              statement: r.statement,
              durationSeconds: r.duration_seconds ?? null,
              createdAt: iso(r.created_at),
            },
          },
        ];
      }),
    );
  },
};

/**
 * The payloads of `events`, by event id, as the Standard Webhooks spec shapes them:
 * `{ type, timestamp, data: { communityId, eventId, … } }`. Built from the rows as they are now (a
 * redelivery or a catch-up never sends what moderation hid since). One statement per event type.
 */
export async function buildPayloads(em: EntityManager, events: readonly EventRow[]): Promise<Map<number, Json>> {
  const byType = new Map<WebhookEventType, EventRow[]>();
  for (const e of events) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  const out = new Map<number, Json>();
  for (const [type, list] of byType) {
    const subjects = await SUBJECTS[type](em, [...new Set(list.map((e) => e.subject_id))]);
    for (const e of list) {
      out.set(e.id, {
        type: PAYLOAD_TYPE[type],
        timestamp: iso(e.created_at),
        data: {
          eventId: toGlobalId('WebhookEvent', e.id),
          communityId: toGlobalId('Community', e.community_id),
          ...(subjects.get(e.subject_id) ?? { removed: true }),
        },
      });
    }
  }
  return out;
}
