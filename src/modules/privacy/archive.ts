import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { toGlobalId, type NodeType } from '../../platform/ids';

/** The version of the archive's layout (its `format`): bumped when a section changes shape. */
export const ARCHIVE_FORMAT = 1;

type Row = Record<string, any>;

/** A global ID, or null for a null key. */
const gid = (type: NodeType, id: number | null | undefined): string | null =>
  id === null || id === undefined ? null : toGlobalId(type, id);

/** What a report or moderation item is about, as the node type of its subject. */
const SUBJECT_NODE: Record<string, NodeType> = {
  POST: 'Post',
  COMMENT: 'Comment',
  MEMBER: 'Member',
  CHAT_MESSAGE: 'ChatMessage',
  EVENT: 'Event',
  POLL: 'Poll',
};

/**
 * One section of the archive: the statement that reads the user's rows (`?` is the user's id, as
 * often as it appears) and how each row is written. Every statement reads only rows that are the
 * user's own, or public facts about what they answered (a poll's question, an event's title): never
 * another member's private data (no email, no ballot, no report but theirs).
 */
interface Section {
  query: string;
  row: (r: Row) => unknown;
}

/** The archive's sections, in the order they are written (README, Privacy, lists them). */
export const SECTIONS = {
  memberships: {
    query: `select m.id, m.role, m.joined_at, m.reputation, c.id as community_id, c.slug, c.name
              from members m join communities c on c.id = m.community_id where m.user_id = ? order by m.id`,
    row: (r) => ({
      id: gid('Member', r.id),
      community: { id: gid('Community', r.community_id), slug: r.slug, name: r.name },
      role: r.role,
      joinedAt: r.joined_at,
      reputation: r.reputation,
    }),
  },
  joinRequests: {
    query: `select id, community_id, status, created_at, decided_at from join_requests where user_id = ? order by id`,
    row: (r) => ({
      id: gid('JoinRequest', r.id),
      communityId: gid('Community', r.community_id),
      status: r.status,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
    }),
  },
  posts: {
    query: `select id, community_id, title, body, tags, score, comment_count, pinned, locked, created_at, edited_at,
                   deleted_at, hidden_at
              from posts where author_id = ? order by id`,
    row: (r) => ({
      id: gid('Post', r.id),
      communityId: gid('Community', r.community_id),
      title: r.title,
      body: r.body,
      tags: r.tags,
      score: r.score,
      commentCount: r.comment_count,
      pinned: r.pinned,
      locked: r.locked,
      createdAt: r.created_at,
      editedAt: r.edited_at,
      deletedAt: r.deleted_at,
      hiddenAt: r.hidden_at,
    }),
  },
  comments: {
    query: `select id, post_id, parent_id, body, depth, score, reply_count, created_at, edited_at, deleted_at, hidden_at
              from comments where author_id = ? order by id`,
    row: (r) => ({
      id: gid('Comment', r.id),
      postId: gid('Post', r.post_id),
      parentId: gid('Comment', r.parent_id),
      body: r.body,
      depth: r.depth,
      score: r.score,
      replyCount: r.reply_count,
      createdAt: r.created_at,
      editedAt: r.edited_at,
      deletedAt: r.deleted_at,
      hiddenAt: r.hidden_at,
    }),
  },
  votes: {
    query: `select post_id, comment_id, value, created_at from votes where user_id = ? order by id`,
    row: (r) => ({
      postId: gid('Post', r.post_id),
      commentId: gid('Comment', r.comment_id),
      value: r.value,
      createdAt: r.created_at,
    }),
  },
  reactions: {
    query: `select post_id, comment_id, emoji, created_at from reactions where user_id = ? order by id`,
    row: (r) => ({
      postId: gid('Post', r.post_id),
      commentId: gid('Comment', r.comment_id),
      emoji: r.emoji,
      createdAt: r.created_at,
    }),
  },
  events: {
    query: `select id, community_id, kind, title, description, starts_at, ends_at, time_zone, location, online_url,
                   capacity, recurrence, cancelled_at, created_at
              from events where organizer_id = ? order by id`,
    row: (r) => ({
      id: gid('Event', r.id),
      communityId: gid('Community', r.community_id),
      kind: r.kind,
      title: r.title,
      description: r.description,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timeZone: r.time_zone,
      location: r.location,
      onlineUrl: r.online_url,
      capacity: r.capacity,
      recurrence: r.recurrence,
      cancelledAt: r.cancelled_at,
      createdAt: r.created_at,
    }),
  },
  rsvps: {
    query: `select r.id, r.event_id, e.title, r.occurrence_starts_at, r.status, r.seated, r.responded_at, r.checked_in_at
              from rsvps r join events e on e.id = r.event_id where r.user_id = ? order by r.id`,
    row: (r) => ({
      id: gid('Rsvp', r.id),
      event: { id: gid('Event', r.event_id), title: r.title },
      occurrenceStartsAt: r.occurrence_starts_at,
      status: r.status,
      seated: r.seated,
      respondedAt: r.responded_at,
      checkedInAt: r.checked_in_at,
    }),
  },
  chatMessages: {
    query: `select id, event_id, body, is_question, upvotes, answered_at, created_at, deleted_at, hidden_at
              from chat_messages where author_id = ? order by id`,
    row: (r) => ({
      id: gid('ChatMessage', r.id),
      eventId: gid('Event', r.event_id),
      body: r.body,
      isQuestion: r.is_question,
      upvotes: r.upvotes,
      answeredAt: r.answered_at,
      createdAt: r.created_at,
      deletedAt: r.deleted_at,
      hiddenAt: r.hidden_at,
    }),
  },
  questionUpvotes: {
    query: `select message_id, created_at from question_upvotes where user_id = ? order by id`,
    row: (r) => ({ messageId: gid('ChatMessage', r.message_id), createdAt: r.created_at }),
  },
  contestEntries: {
    query: `select id, event_id, post_id, votes, submitted_at from contest_entries where user_id = ? order by id`,
    row: (r) => ({
      id: gid('ContestEntry', r.id),
      eventId: gid('Event', r.event_id),
      postId: gid('Post', r.post_id),
      votes: r.votes,
      submittedAt: r.submitted_at,
    }),
  },
  contestVotes: {
    query: `select event_id, entry_id, created_at from contest_votes where user_id = ? order by id`,
    row: (r) => ({
      eventId: gid('Event', r.event_id),
      entryId: gid('ContestEntry', r.entry_id),
      createdAt: r.created_at,
    }),
  },
  polls: {
    query: `select id, community_id, question, kind, max_choices, anonymous, closes_at, closed_at, total_voters, created_at
              from polls where created_by_id = ? order by id`,
    row: (r) => ({
      id: gid('Poll', r.id),
      communityId: gid('Community', r.community_id),
      question: r.question,
      kind: r.kind,
      maxChoices: r.max_choices,
      anonymous: r.anonymous,
      closesAt: r.closes_at,
      closedAt: r.closed_at,
      totalVoters: r.total_voters,
      createdAt: r.created_at,
    }),
  },
  // The user's own ballots, anonymous polls' included: they are theirs (no one else's ballot is read).
  ballots: {
    query: `select b.id, p.id as poll_id, p.question, p.anonymous, b.cast_at, b.updated_at,
                   coalesce(json_agg(json_build_object('optionId', o.id, 'text', o.text, 'rank', c.rank)
                                     order by c.rank nulls last, o.position) filter (where o.id is not null), '[]') as choices
              from ballots b join polls p on p.id = b.poll_id
              left join ballot_choices c on c.ballot_id = b.id left join poll_options o on o.id = c.option_id
             where b.user_id = ? group by b.id, p.id order by b.id`,
    row: (r) => ({
      poll: { id: gid('Poll', r.poll_id), question: r.question, anonymous: r.anonymous },
      choices: (r.choices as { optionId: number; text: string; rank: number | null }[]).map((c) => ({
        optionId: gid('PollOption', c.optionId),
        text: c.text,
        rank: c.rank,
      })),
      castAt: r.cast_at,
      updatedAt: r.updated_at,
    }),
  },
  // Who caused each entry (a voter, a moderator) is left out: that is theirs.
  reputationLedger: {
    query: `select community_id, delta, reason, subject_type, subject_id, reverses_id is not null as reversal, created_at
              from reputation_events where user_id = ? order by id`,
    row: (r) => ({
      communityId: gid('Community', r.community_id),
      delta: r.delta,
      reason: r.reason,
      subjectType: r.subject_type,
      reversal: r.reversal,
      createdAt: r.created_at,
    }),
  },
  badges: {
    query: `select community_id, badge, title, awarded_at from member_badges where user_id = ? order by id`,
    row: (r) => ({
      communityId: gid('Community', r.community_id),
      badge: r.badge,
      title: r.title,
      awardedAt: r.awarded_at,
    }),
  },
  // Quests: the member's counts and completions, with each quest's title (what they worked toward).
  questProgress: {
    query: `select p.quest_id, q.title, q.community_id, g.action, g.target, g.tag, g.event_id, p.period_start, p.count
              from quest_progress p join quests q on q.id = p.quest_id join quest_goals g on g.id = p.goal_id
             where p.user_id = ? order by p.id`,
    row: (r) => ({
      quest: { id: gid('Quest', r.quest_id), title: r.title },
      communityId: gid('Community', r.community_id),
      goal: { action: r.action, target: r.target, tag: r.tag, eventId: gid('Event', r.event_id) },
      periodStart: r.period_start,
      count: r.count,
    }),
  },
  // Who revoked a completion is left out: that is theirs.
  questCompletions: {
    query: `select c.quest_id, q.title, q.community_id, q.reward_points, c.period_start, c.completed_at, c.revoked_at
              from quest_completions c join quests q on q.id = c.quest_id where c.user_id = ? order by c.id`,
    row: (r) => ({
      quest: { id: gid('Quest', r.quest_id), title: r.title, rewardPoints: r.reward_points },
      communityId: gid('Community', r.community_id),
      periodStart: r.period_start,
      completedAt: r.completed_at,
      revokedAt: r.revoked_at,
    }),
  },
  // Their reports, without the snapshot of what was reported (another member's content).
  reports: {
    query: `select id, community_id, subject_type, subject_id, reason, note, status, created_at, closed_at
              from reports where reporter_id = ? order by id`,
    row: (r) => ({
      id: gid('Report', r.id),
      communityId: gid('Community', r.community_id),
      subjectType: r.subject_type,
      subjectId: SUBJECT_NODE[r.subject_type] ? gid(SUBJECT_NODE[r.subject_type], r.subject_id) : null,
      reason: r.reason,
      note: r.note,
      status: r.status,
      createdAt: r.created_at,
      closedAt: r.closed_at,
    }),
  },
  appeals: {
    query: `select id, community_id, text, status, statement, created_at, decided_at
              from moderation_appeals where appellant_id = ? order by id`,
    row: (r) => ({
      id: gid('Appeal', r.id),
      communityId: gid('Community', r.community_id),
      text: r.text,
      status: r.status,
      statement: r.statement,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
    }),
  },
  blocks: {
    query: `select u.handle, b.created_at from user_blocks b join users u on u.id = b.blocked_id
             where b.blocker_id = ? order by b.id`,
    row: (r) => ({ handle: r.handle, createdAt: r.created_at }),
  },
  // Whom they follow, by ID (who follows them is the followers' own data).
  memberFollows: {
    query: `select followed_id, created_at from member_follows where follower_id = ? order by id`,
    row: (r) => ({ userId: gid('User', r.followed_id), createdAt: r.created_at }),
  },
  tagFollows: {
    query: `select tag, created_at from tag_follows where user_id = ? order by id`,
    row: (r) => ({ tag: r.tag, createdAt: r.created_at }),
  },
  channelSubscriptions: {
    query: `select s.channel_id, c.community_id, c.slug, c.name, s.state, s.created_at
              from channel_subscriptions s join channels c on c.id = s.channel_id where s.user_id = ? order by s.id`,
    row: (r) => ({
      channel: { id: gid('Channel', r.channel_id), slug: r.slug, name: r.name },
      communityId: gid('Community', r.community_id),
      state: r.state,
      createdAt: r.created_at,
    }),
  },
  notifications: {
    query: `select id, kind, community_id, post_id, comment_id, event_id, poll_id, count, level, read_at, created_at
              from notifications where user_id = ? order by id`,
    row: (r) => ({
      id: gid('Notification', r.id),
      kind: r.kind,
      communityId: gid('Community', r.community_id),
      postId: gid('Post', r.post_id),
      commentId: gid('Comment', r.comment_id),
      eventId: gid('Event', r.event_id),
      pollId: gid('Poll', r.poll_id),
      count: r.count,
      level: r.level,
      readAt: r.read_at,
      createdAt: r.created_at,
    }),
  },
  notificationPreferences: {
    query: `select kind, community_id, channel, updated_at from notification_preferences where user_id = ? order by id`,
    row: (r) => ({
      kind: r.kind,
      communityId: gid('Community', r.community_id),
      channel: r.channel,
      updatedAt: r.updated_at,
    }),
  },
  // Metadata only: never the secret or its hash.
  apiKeys: {
    query: `select id, name, prefix, scopes, community_id, created_at, last_used_at, revoked_at
              from api_keys where user_id = ? order by id`,
    row: (r) => ({
      id: gid('ApiKey', r.id),
      name: r.name,
      prefix: r.prefix,
      scopes: r.scopes,
      communityId: gid('Community', r.community_id),
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }),
  },
  // Without tokens: the links are in `dataExports`.
  exports: {
    query: `select id, status, requested_at, completed_at, expires_at, byte_size from data_exports where user_id = ? order by id`,
    row: (r) => ({
      id: gid('DataExport', r.id),
      status: r.status,
      requestedAt: r.requested_at,
      completedAt: r.completed_at,
      expiresAt: r.expires_at,
      byteSize: r.byte_size,
    }),
  },
} satisfies Record<string, Section>;

/**
 * Everything the user created and everything about them, as one JSON document: read in `tx`, which
 * the caller opens REPEATABLE READ so that every section sees the same moment.
 */
export async function buildArchive(tx: EntityManager, userId: number, exportId: number): Promise<Buffer> {
  const [user] = await sql<Row[]>(
    tx,
    'select id, handle, email, is_admin, is_bot, created_at, email_verified_at from users where id = ?',
    [userId],
  );
  if (!user) throw new Error(`user ${userId} is gone`);
  const archive: Record<string, unknown> = {
    format: ARCHIVE_FORMAT,
    exportId: toGlobalId('DataExport', exportId),
    generatedAt: new Date(),
    profile: {
      id: toGlobalId('User', user.id),
      handle: user.handle,
      email: user.email,
      isAdmin: user.is_admin,
      isBot: user.is_bot,
      createdAt: user.created_at,
      emailVerifiedAt: user.email_verified_at,
    },
  };
  for (const [name, section] of Object.entries(SECTIONS) as [string, Section][]) {
    const params = section.query
      .split('?')
      .slice(1)
      .map(() => userId);
    const rows = await sql<Row[]>(tx, section.query, params);
    archive[name] = rows.map(section.row);
  }
  return Buffer.from(JSON.stringify(archive, null, 2), 'utf8');
}
