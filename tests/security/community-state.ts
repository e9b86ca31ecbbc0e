import { dbQuery } from '../posts/operations';
import type { TestServer, TestUser } from '../support/server';

/**
 * Every row that belongs to one community, table by table, read straight from the database: what a
 * refused mutation must leave exactly as it was. Rows of other communities are left out, so that
 * background work elsewhere (poll closers, other files' data) never shows up as a change.
 */
const ROWS_OF_COMMUNITY: Record<string, string> = {
  communities: 'select * from communities t where t.id = ?',
  members: 'select * from members t where t.community_id = ?',
  bans: 'select * from bans t where t.community_id = ?',
  invites: 'select * from invites t where t.community_id = ?',
  invite_links: 'select * from invite_links t where t.community_id = ?',
  join_requests: 'select * from join_requests t where t.community_id = ?',
  channels: 'select * from channels t where t.community_id = ?',
  channel_subscriptions:
    'select t.* from channel_subscriptions t join channels c on c.id = t.channel_id where c.community_id = ?',
  posts: 'select * from posts t where t.community_id = ?',
  comments: 'select t.* from comments t join posts p on p.id = t.post_id where p.community_id = ?',
  votes: `select t.* from votes t left join posts p on p.id = t.post_id left join comments c on c.id = t.comment_id
           left join posts cp on cp.id = c.post_id where ? in (p.community_id, cp.community_id)`,
  reactions: `select t.* from reactions t left join posts p on p.id = t.post_id left join comments c on c.id = t.comment_id
               left join posts cp on cp.id = c.post_id where ? in (p.community_id, cp.community_id)`,
  events: 'select * from events t where t.community_id = ?',
  rsvps: 'select t.* from rsvps t join events e on e.id = t.event_id where e.community_id = ?',
  chat_messages: 'select t.* from chat_messages t join events e on e.id = t.event_id where e.community_id = ?',
  question_upvotes: `select t.* from question_upvotes t join chat_messages m on m.id = t.message_id
                      join events e on e.id = m.event_id where e.community_id = ?`,
  chat_mutes: 'select t.* from chat_mutes t join events e on e.id = t.event_id where e.community_id = ?',
  contest_entries: 'select t.* from contest_entries t join events e on e.id = t.event_id where e.community_id = ?',
  contest_votes: 'select t.* from contest_votes t join events e on e.id = t.event_id where e.community_id = ?',
  polls: 'select * from polls t where t.community_id = ?',
  poll_options: 'select t.* from poll_options t join polls p on p.id = t.poll_id where p.community_id = ?',
  ballots: 'select t.* from ballots t join polls p on p.id = t.poll_id where p.community_id = ?',
  ballot_choices:
    'select t.* from ballot_choices t join ballots b on b.id = t.ballot_id join polls p on p.id = b.poll_id where p.community_id = ?',
  reputation_events: 'select * from reputation_events t where t.community_id = ?',
  member_badges: 'select * from member_badges t where t.community_id = ?',
  community_rules: 'select * from community_rules t where t.community_id = ?',
  moderation_items: 'select * from moderation_items t where t.community_id = ?',
  reports: 'select * from reports t where t.community_id = ?',
  moderation_decisions: 'select * from moderation_decisions t where t.community_id = ?',
  community_mutes: 'select * from community_mutes t where t.community_id = ?',
  moderation_log: 'select * from moderation_log t where t.community_id = ?',
  moderation_appeals: 'select * from moderation_appeals t where t.community_id = ?',
  automod_rules: 'select * from automod_rules t where t.community_id = ?',
  webhook_endpoints: 'select * from webhook_endpoints t where t.community_id = ?',
  quests: 'select * from quests t where t.community_id = ?',
  quest_goals: 'select t.* from quest_goals t join quests q on q.id = t.quest_id where q.community_id = ?',
  quest_progress: 'select t.* from quest_progress t join quests q on q.id = t.quest_id where q.community_id = ?',
  quest_completions: 'select t.* from quest_completions t join quests q on q.id = t.quest_id where q.community_id = ?',
  webhook_events: 'select * from webhook_events t where t.community_id = ?',
  webhook_deliveries:
    'select t.* from webhook_deliveries t join webhook_endpoints w on w.id = t.endpoint_id where w.community_id = ?',
};

/** The database id of a community, from its slug (tests never decode global ids for this). */
export async function communityKey(server: TestServer, slug: string): Promise<number> {
  const [row] = await dbQuery<{ id: number }>(server, 'select id from communities where slug = ?', [slug]);
  return row.id;
}

/**
 * Files a PENDING join request from `requester` straight in the database, whatever the community's
 * visibility (the visibility that takes requests is not the subject of the tests that need one).
 */
export async function pendingJoinRequest(server: TestServer, communityKey: number, requester: TestUser): Promise<void> {
  const [user] = await dbQuery<{ id: number }>(server, 'select id from users where handle = ?', [
    requester.user.handle,
  ]);
  await dbQuery(
    server,
    "insert into join_requests (community_id, user_id, status, created_at) values (?, ?, 'PENDING', now())",
    [communityKey, user.id],
  );
}

/** A snapshot of every row of the community (see ROWS_OF_COMMUNITY), comparable with `toEqual`. */
export async function communityState(server: TestServer, communityKey: number): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  for (const [table, query] of Object.entries(ROWS_OF_COMMUNITY)) {
    const rows = await dbQuery<{ row: string }>(
      server,
      `select to_jsonb(r)::text as row from (${query}) r order by r.id`,
      [communityKey],
    );
    state[table] = rows.map((r) => r.row);
  }
  return state;
}
