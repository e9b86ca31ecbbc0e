import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import { sql } from '../../platform/database/sql';
import type { Row } from '../../platform/live-feed';
import { AUTHOR_COLUMNS } from '../identity/user-views';
import { ChatMessage } from './chat.entity';

/** The latest `size + 1` messages of a stream's chat (before a message id, if given), newest first. */
export interface ChatPageKey {
  eventId: number;
  size: number;
  beforeId: number | null;
}

/** A page of a stream's questions (answered, unanswered or both), most upvoted first, after a keyset. */
export interface QuestionsPageKey {
  eventId: number;
  size: number;
  answered: boolean | null;
  after: [number, number] | null;
}

const chatKey = (k: ChatPageKey) => `${k.eventId}:${k.size}:${k.beforeId ?? ''}`;
const questionsKey = (k: QuestionsPageKey) => `${k.eventId}:${k.size}:${k.answered ?? ''}:${k.after?.join(',') ?? ''}`;

/**
 * Runs one LATERAL … LIMIT statement for a batch of keys that share everything but the event
 * (`inner` is the per-event select, reading the event id as `k.id`), rows with their authors.
 */
async function pagesOf<K extends { eventId: number }>(
  em: EntityManager,
  keys: readonly K[],
  groupOf: (k: K) => string,
  inner: (k: K) => { sql: string; params: unknown[] },
  keyOf: (k: K) => string,
  order: (a: Row, b: Row) => number,
): Promise<Row[][]> {
  const result = new Map<string, Row[]>();
  const groups = new Map<string, K[]>();
  for (const k of keys) groups.set(groupOf(k), [...(groups.get(groupOf(k)) ?? []), k]);
  for (const group of groups.values()) {
    const { sql: select, params } = inner(group[0]);
    const rows = await sql<Row[]>(
      em,
      `select m.*, ${AUTHOR_COLUMNS}
         from unnest(array[${group.map(() => '?::int').join(', ')}]) as k(id)
         cross join lateral (${select}) m
         join users u on u.id = m.author_id`,
      [...group.map((k) => k.eventId), ...params],
    );
    for (const k of group) result.set(keyOf(k), []);
    for (const row of rows) result.get(keyOf({ ...group[0], eventId: row.event_id as number }))!.push(row);
  }
  return keys.map((k) => (result.get(keyOf(k)) ?? []).sort(order));
}

/** Pages of chat history for many streams, one statement per page shape. */
function chatPageLoader(em: EntityManager) {
  return new DataLoader<ChatPageKey, Row[], string>(
    (keys) =>
      pagesOf(
        em,
        keys,
        (k) => `${k.size}:${k.beforeId ?? ''}`,
        (k) => ({
          sql: `select * from chat_messages m where m.event_id = k.id and m.deleted_at is null ${k.beforeId !== null ? 'and m.id < ?' : ''}
             order by m.id desc limit ?`,
          params: [...(k.beforeId !== null ? [k.beforeId] : []), k.size + 1],
        }),
        chatKey,
        (a, b) => b.id - a.id,
      ),
    { cacheKeyFn: chatKey },
  );
}

/** Pages of questions for many streams, one statement per page shape. */
function questionsPageLoader(em: EntityManager) {
  return new DataLoader<QuestionsPageKey, Row[], string>(
    (keys) =>
      pagesOf(
        em,
        keys,
        (k) => `${k.size}:${k.answered ?? ''}:${k.after?.join(',') ?? ''}`,
        (k) => ({
          sql: `select * from chat_messages m where m.event_id = k.id and m.is_question and m.deleted_at is null
              ${k.answered === true ? 'and m.answered_at is not null' : k.answered === false ? 'and m.answered_at is null' : ''}
              ${k.after ? 'and (m.upvotes < ? or (m.upvotes = ? and m.id > ?))' : ''}
             order by m.upvotes desc, m.id limit ?`,
          params: [...(k.after ? [k.after[0], k.after[0], k.after[1]] : []), k.size + 1],
        }),
        questionsKey,
        (a, b) => (b.upvotes as number) - (a.upvotes as number) || a.id - b.id,
      ),
    { cacheKeyFn: questionsKey },
  );
}

/** The newest message id of each stream, removed ones included (0 when none): where live starts after an empty history. */
function newestChatIdLoader(em: EntityManager) {
  return new DataLoader<number, number>(async (ids) => {
    const rows = await sql<{ event_id: number; max: number }[]>(
      em,
      `select event_id, max(id) as max from chat_messages where event_id in (${ids.map(() => '?').join(', ')}) group by event_id`,
      [...ids],
    );
    const map = new Map(rows.map((r) => [r.event_id, r.max]));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/** Per-request loaders of live chat. */
export function createChatLoaders(em: EntityManager) {
  return {
    chatPage: chatPageLoader(em),
    questionsPage: questionsPageLoader(em),
    newestChatId: newestChatIdLoader(em),
    /** A chat message by id, removed or hidden ones included (callers check). */
    chatMessage: byIdLoader(em, ChatMessage),
  };
}
