import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { write, type After, type WriteDeps } from '../../platform/database/write';
import { BadInput, Conflict } from '../../platform/errors';
import { enqueue } from '../../platform/jobs/jobs';
import type { Viewer } from '../../platform/viewer';
import { communityTopics, type MembershipChangedEvent } from '../communities/communities.events';
import { fillSeats } from '../events/rsvps.service';
import { verifyPassword } from '../identity/credentials';
import { credentialsRevoked, requireUser } from '../identity/identity.service';
import { pollTopics, type PollChangedEvent } from '../polls/polls.events';
import { DELETED_TEXT, HOT_RANK_SQL } from '../posts/posts.service';
import type { Leaderboards } from '../reputation/leaderboards';
import { leaderboardChanged, reverse, settle, type LedgerChange } from '../reputation/ledger';

/**
 * Account deletion (issue 17, point 5). `requestAccountDeletion` checks the password and schedules
 * the erasure ACCOUNT_DELETION_GRACE_SECONDS ahead (a job, `accounts.erase`; at once with 0);
 * `cancelAccountDeletion` stops it. Nothing is revoked when it is requested, so the member can sign
 * in to cancel. `eraseAccount` does the erasure in one transaction: see its comment.
 */

/** The handle prefix of an erased account's tombstone: handles are letters, digits and underscores, so no one can choose it. */
export const DELETED_HANDLE_PREFIX = 'deleted-';

/** Whether a user is an erased account's tombstone. */
export function isDeletedUser(user: { handle: string }): boolean {
  return user.handle.startsWith(DELETED_HANDLE_PREFIX);
}

/** What the erasure needs: a write's dependencies, the leaderboards, and the response cache's invalidation. */
export interface ErasureDeps extends WriteDeps {
  leaderboards: Leaderboards;
  /** Drops every cached answer (after the commit): an erased account touches every community it was in. */
  invalidate?: () => unknown;
}

/** How long after an erasure its sweep runs: longer than any request that authenticated before it takes. */
const SWEEP_DELAY_MS = 60_000;

interface DeletionRow {
  password_hash: string;
  deletion_scheduled_at: Date | null;
  deleted_at: Date | null;
}

/**
 * Schedules the viewer's account for erasure at now + `graceSeconds`, after checking their password
 * (wrong: BAD_USER_INPUT on `password`). Requesting again reschedules (and may change
 * `removeContent`). With a grace of 0 the account is erased in this request. Returns when it is (or was) erased.
 */
export async function requestAccountDeletion(
  deps: ErasureDeps,
  viewer: Viewer,
  input: { password: string; removeContent: boolean },
  graceSeconds: number,
): Promise<{ scheduledAt: Date; erased: boolean }> {
  const userId = requireUser(viewer);
  const [user] = await sql<DeletionRow[]>(
    deps.em,
    'select password_hash, deletion_scheduled_at, deleted_at from users where id = ?',
    [userId],
  );
  if (!user || user.deleted_at) throw new Conflict('This account is deleted');
  if (!(await verifyPassword(input.password, user.password_hash))) throw new BadInput('Wrong password', 'password');
  const owned = await sql<{ slug: string }[]>(
    deps.em,
    `select c.slug from members m join communities c on c.id = m.community_id
      where m.user_id = ? and m.role = 'OWNER'
        and not exists (select 1 from members o where o.community_id = m.community_id and o.role = 'OWNER' and o.user_id <> m.user_id)
      order by c.id`,
    [userId],
  );
  if (owned.length)
    throw new Conflict(
      `You are the last owner of ${owned.map((c) => c.slug).join(', ')}: make another member OWNER first`,
    );
  const scheduledAt = await write(deps, async (tx) => {
    const [row] = await sql<{ at: Date }[]>(
      tx,
      `update users set deletion_scheduled_at = now() + make_interval(secs => ?), deletion_removes_content = ?
        where id = ? and deleted_at is null returning deletion_scheduled_at as at`,
      [graceSeconds, input.removeContent, userId],
    );
    // Also with a grace of 0: should the erasure below fail, the job retries it (else it finds it done).
    await enqueue(tx, 'accounts.erase', { userId }, { runAt: row.at, jobKey: `accounts.erase:${userId}` });
    return new Date(row.at);
  });
  if (graceSeconds > 0) return { scheduledAt, erased: false };
  await eraseAccount(deps, userId);
  return { scheduledAt, erased: true };
}

/** Cancels the viewer's pending deletion; none pending: CONFLICT. */
export async function cancelAccountDeletion(deps: WriteDeps, viewer: Viewer): Promise<void> {
  const userId = requireUser(viewer);
  await write(deps, async (tx) => {
    const [row] = await sql<{ id: number }[]>(
      tx,
      `update users set deletion_scheduled_at = null, deletion_removes_content = false
        where id = ? and deletion_scheduled_at is not null and deleted_at is null returning id`,
      [userId],
    );
    if (!row) throw new Conflict('No deletion of this account is pending');
    // The job would find nothing due; removing it keeps the queue clean.
    await sql(tx, 'select graphile_worker.remove_job(?)', [`accounts.erase:${userId}`]);
  });
}

/**
 * Erases an account whose deletion is pending and due, in ONE transaction (the user's row locked
 * first, so a cancellation either wins or waits and finds nothing to cancel):
 *
 * - what the member did to others' content goes, with every counter it moved: post and comment votes
 *   (`score`, `hot`, and the points they earned the authors, reversed through the ledger as a
 *   withdrawn vote is), reactions, poll ballots (option `votes`, `totalVoters`), contest votes
 *   (entry `votes`), question upvotes (`upvotes`), RSVPs (freed seats go to the waitlists);
 * - the memberships (`memberCount`), with the member's own ledger, badges and leaderboard places;
 * - everything about the member alone: sessions and API keys (revoked: open sockets close with 4401),
 *   email tokens, notifications and their preferences, blocks both ways, thread mutes, join
 *   requests, invites to them, bans and mutes of them, insights rollup rows;
 * - their quest progress, contributions and completions: a completion's points were ledger rows of
 *   the member, which go with the rest of their ledger (and their upvotes' counts toward others'
 *   quests are taken back, as a withdrawn upvote's are, where the period is not completed);
 * - follows both ways (no one follows an erased account), tag follows, channel subscriptions, and
 *   the feed's data: their affinities, others' affinities to them as an author, similar members
 *   both ways;
 * - their posts, comments and chat messages are kept as `[deleted]` (title too), their author
 *   shown as null, as deletion by hand does; with `removeContent`, the posts and comments no one
 *   else's content hangs from (a post without others' comments, poll or contest entry; a comment
 *   without replies) are removed outright, the comment counters moved;
 * - the row itself becomes a tombstone: a random `deleted-…` handle, no address, no password, no
 *   admin; events, polls, reports and moderation records it made stay, shown by the tombstone.
 *   Moderation's copies of the member's texts become `[deleted]`, and snapshots naming the
 *   member's handle name the tombstone's.
 *
 * A sweep (`sweep`, the job `accounts.erase` enqueued by the erasure for a minute later) runs the
 * same removals again for the erased account: what a request that authenticated before the erasure
 * wrote after it (a vote, a ballot, a session of a sign-in, a post) goes the same way.
 *
 * @returns whether an account was erased (or swept)
 */
export async function eraseAccount(deps: ErasureDeps, userId: number, sweep = false): Promise<boolean> {
  return write(deps, async (tx, after) => {
    const [user] = await sql<{ handle: string; remove_content: boolean; erased: boolean }[]>(
      tx,
      `select handle, deletion_removes_content as remove_content, deleted_at is not null as erased from users
        where id = ? and (deleted_at is not null or deletion_scheduled_at <= now()) for update`,
      [userId],
    );
    // The erasure once; a sweep only after it.
    if (!user || user.erased !== sweep) return false;
    const communities = await sql<{ id: number; time_zone: string }[]>(
      tx,
      `select c.id, c.time_zone from communities c
        where c.id in (select community_id from members where user_id = ?
                       union select community_id from reputation_events where actor_id = ?
                       union select p.community_id from votes v join posts p on p.id = v.post_id where v.user_id = ?
                       union select p.community_id from votes v join comments c2 on c2.id = v.comment_id
                                join posts p on p.id = c2.post_id where v.user_id = ?)
        order by c.id for no key update`,
      [userId, userId, userId, userId],
    );
    const changes = await removeVotes(tx, userId);
    await removeBallots(tx, userId, after);
    await removeParticipation(tx, userId);
    const memberships = await sql<{ community_id: number }[]>(
      tx,
      'delete from members where user_id = ? returning community_id',
      [userId],
    );
    for (const { community_id } of memberships)
      await sql(tx, 'update communities set member_count = member_count - 1 where id = ?', [community_id]);
    await sql(tx, 'delete from reputation_events where user_id = ?', [userId]);
    await sql(tx, 'delete from member_badges where user_id = ?', [userId]);
    await removeQuests(tx, userId);
    await scrubModerationTexts(tx, userId);
    await removeContent(tx, userId, user.remove_content);
    await removePrivateRows(tx, userId);
    await removeFollows(tx, userId);
    const revoked = await revokeEverything(tx, userId);
    if (!sweep) {
      const tombstone = DELETED_HANDLE_PREFIX + randomBytes(8).toString('hex');
      await scrubSnapshots(tx, user.handle, tombstone);
      await sql(
        tx,
        `update users set handle = ?, email = ?, password_hash = '!', email_verified_at = null, is_admin = false,
                          deletion_scheduled_at = null, deletion_removes_content = false, deleted_at = now()
          where id = ?`,
        [tombstone, `${tombstone}@deleted.invalid`, userId],
      );
      // A write of the member's that had passed its checks before the erasure commits after it (its
      // insert waits on the user row's lock, then finds the row still there): the sweep removes it.
      await enqueue(
        tx,
        'accounts.erase',
        { userId, sweep: true },
        { runAt: new Date(Date.now() + SWEEP_DELAY_MS), jobKey: `accounts.erase-sweep:${userId}` },
      );
    }

    credentialsRevoked(after, revoked);
    const left = new Set(memberships.map((m) => m.community_id));
    for (const c of communities) {
      const community = { id: c.id, timeZone: c.time_zone };
      settle(
        after,
        deps,
        community,
        changes.filter((ch) => ch.communityId === c.id),
      );
      if (left.has(c.id)) {
        after.run(async () => {
          try {
            await deps.leaderboards.remove(community, userId);
          } catch (err) {
            deps.log.warn({ err, communityId: c.id, userId }, 'leaderboards not updated for an erased account');
          }
        });
        leaderboardChanged(after, c.id);
        after.publish<MembershipChangedEvent>(communityTopics.membershipChanged(userId), { communityId: c.id });
      }
    }
    if (deps.invalidate) after.run(deps.invalidate);
    deps.log.info({ userId, communities: left.size, sweep }, sweep ? 'erased account swept' : 'account erased');
    return true;
  });
}

/** Removes the member's post and comment votes, moving the subjects' scores and reversing what the votes earned. */
async function removeVotes(tx: EntityManager, userId: number): Promise<LedgerChange[]> {
  const votes = await sql<{ id: number }[]>(tx, 'select id from votes where user_id = ? order by id', [userId]);
  const changes: LedgerChange[] = [];
  for (const v of votes) {
    const change = await reverse(tx, `vote:${v.id}`, null);
    if (change) changes.push(change);
  }
  // What the upvotes counted toward their authors' quests (UPVOTE_RECEIVED), taken back as a
  // withdrawn upvote's is (quest_unrecord: periods not completed keep nothing of it).
  await sql(
    tx,
    `select quest_unrecord(x.community_id, x.author_id, x.causes)
       from (select p.community_id, coalesce(k.author_id, p.author_id) as author_id,
                    array_agg('vote:' || v.id order by v.id)::varchar[] as causes
               from votes v left join comments k on k.id = v.comment_id
               join posts p on p.id = coalesce(v.post_id, k.post_id)
              where v.user_id = ? and v.value > 0
                and exists (select 1 from quest_contributions q where q.cause = 'vote:' || v.id)
              group by 1, 2 order by 1, 2) x`,
    [userId],
  );
  await sql(
    tx,
    `with gone as (delete from votes where user_id = ? and post_id is not null returning post_id, value),
          moved as (select post_id, sum(value)::int as delta from gone group by post_id)
     update posts p set score = p.score - m.delta,
                        hot = ${HOT_RANK_SQL.replace(/score/g, '(p.score - m.delta)').replace(/created_at/g, 'p.created_at')}
       from moved m where p.id = m.post_id`,
    [userId],
  );
  await sql(
    tx,
    `with gone as (delete from votes where user_id = ? and comment_id is not null returning comment_id, value),
          moved as (select comment_id, sum(value)::int as delta from gone group by comment_id)
     update comments c set score = c.score - m.delta from moved m where c.id = m.comment_id`,
    [userId],
  );
  return changes;
}

/** Removes the member's poll ballots, moving the options' `votes` (a RANKED ballot's first choice) and `totalVoters`. */
async function removeBallots(tx: EntityManager, userId: number, after: After): Promise<void> {
  const polls = await sql<{ poll_id: number }[]>(
    tx,
    `select b.poll_id from ballots b join polls p on p.id = b.poll_id where b.user_id = ? order by b.poll_id for no key update of p`,
    [userId],
  );
  if (!polls.length) return;
  await sql(
    tx,
    `update poll_options o set votes = o.votes - d.n
       from (select c.option_id, count(*)::int as n from ballots b
               join ballot_choices c on c.ballot_id = b.id join polls p on p.id = b.poll_id
              where b.user_id = ? and (p.kind <> 'RANKED' or c.rank = 0)
              group by c.option_id) d
      where o.id = d.option_id`,
    [userId],
  );
  await sql(
    tx,
    `with gone as (delete from ballots where user_id = ? returning poll_id)
     update polls p set total_voters = p.total_voters - 1 from gone g where p.id = g.poll_id`,
    [userId],
  );
  for (const { poll_id } of polls) after.publish<PollChangedEvent>(pollTopics.changed(poll_id), { pollId: poll_id });
}

/** Removes reactions, RSVPs (a freed seat goes to the waitlist), contest votes and question upvotes. */
async function removeParticipation(tx: EntityManager, userId: number): Promise<void> {
  await sql(tx, 'delete from reactions where user_id = ?', [userId]);
  const events = await sql<{ id: number; capacity: number | null }[]>(
    tx,
    `select e.id, e.capacity from events e where exists (select 1 from rsvps r where r.event_id = e.id and r.user_id = ?)
      order by e.id for update`,
    [userId],
  );
  for (const event of events) {
    const released = await sql<{ at: number; seated: boolean; open: boolean }[]>(
      tx,
      `delete from rsvps r using events e where e.id = r.event_id and r.event_id = ? and r.user_id = ?
        returning (extract(epoch from r.occurrence_starts_at) * 1000)::float8 as at, r.seated,
                  r.occurrence_starts_at + (e.ends_at - e.starts_at) > now() as open`,
      [event.id, userId],
    );
    for (const r of released) if (r.seated && r.open) await fillSeats(tx, event.id, event.capacity, new Date(r.at));
  }
  await sql(
    tx,
    `with gone as (delete from contest_votes where user_id = ? returning entry_id)
     update contest_entries e set votes = e.votes - g.n
       from (select entry_id, count(*)::int as n from gone group by entry_id) g where e.id = g.entry_id`,
    [userId],
  );
  await sql(
    tx,
    `with gone as (delete from question_upvotes where user_id = ? returning message_id)
     update chat_messages m set upvotes = m.upvotes - g.n
       from (select message_id, count(*)::int as n from gone group by message_id) g where m.id = g.message_id`,
    [userId],
  );
}

/**
 * The member's posts, comments and chat messages: kept as `[deleted]`, or (removeContent, posts and
 * comments) removed where no one else's content hangs from them, the comment counters moved. Chat
 * messages are always kept as `[deleted]`: live chats learn of removals from `deleted_at`.
 */
async function removeContent(tx: EntityManager, userId: number, remove: boolean): Promise<void> {
  if (remove) {
    // Comments without replies, deepest first, so that a chain of the member's own replies goes whole.
    for (;;) {
      const gone = await sql<{ id: number }[]>(
        tx,
        `with doomed as (
           select c.id, c.post_id, c.parent_id, c.depth from comments c
            where c.author_id = ? and not exists (select 1 from comments r where r.parent_id = c.id)
         ), removed as (delete from comments c using doomed d where c.id = d.id returning d.*),
         posts_moved as (
           update posts p set comment_count = p.comment_count - m.n, top_level_comment_count = p.top_level_comment_count - m.top
             from (select post_id, count(*)::int as n, count(*) filter (where depth = 0)::int as top from removed group by post_id) m
            where p.id = m.post_id returning p.id
         ), parents_moved as (
           update comments c set reply_count = c.reply_count - m.n
             from (select parent_id, count(*)::int as n from removed where parent_id is not null group by parent_id) m
            where c.id = m.parent_id returning c.id
         )
         select id from removed`,
        [userId],
      );
      if (!gone.length) break;
    }
    await sql(
      tx,
      `delete from posts p where p.author_id = ?
         and not exists (select 1 from comments c where c.post_id = p.id)
         and not exists (select 1 from polls q where q.post_id = p.id)
         and not exists (select 1 from contest_entries e where e.post_id = p.id)`,
      [userId],
    );
  }
  await sql(
    tx,
    `update posts set title = ?, body = ?, body_html = ?, tags = '{}', pinned = false, deleted_at = coalesce(deleted_at, now())
      where author_id = ?`,
    [DELETED_TEXT, DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, userId],
  );
  await sql(
    tx,
    `update comments set body = ?, body_html = ?, featured = false, deleted_at = coalesce(deleted_at, now()) where author_id = ?`,
    [DELETED_TEXT, `<p>${DELETED_TEXT}</p>`, userId],
  );
  await sql(tx, 'update chat_messages set body = ?, deleted_at = coalesce(deleted_at, now()) where author_id = ?', [
    DELETED_TEXT,
    userId,
  ]);
}

/**
 * The member's quest rows: contributions, progress and completions (a completion's QUEST_COMPLETED
 * points are ledger rows of the member, removed with the rest of their ledger).
 */
async function removeQuests(tx: EntityManager, userId: number): Promise<void> {
  await sql(tx, 'delete from quest_contributions where user_id = ?', [userId]);
  await sql(tx, 'delete from quest_progress where user_id = ?', [userId]);
  await sql(tx, 'delete from quest_completions where user_id = ?', [userId]);
}

/**
 * Follows both ways (others no longer follow an erased account), tag follows, channel
 * subscriptions, and the feed's data: the member's affinities, others' affinities to them as an
 * author (`target` is the author's id as text), similar members both ways. The `feed.affinity` job
 * takes in no action of an erased member and no affinity to one (affinity.ts).
 */
async function removeFollows(tx: EntityManager, userId: number): Promise<void> {
  await sql(tx, 'delete from member_follows where follower_id = ? or followed_id = ?', [userId, userId]);
  await sql(tx, 'delete from tag_follows where user_id = ?', [userId]);
  await sql(tx, 'delete from channel_subscriptions where user_id = ?', [userId]);
  await sql(tx, `delete from feed_affinities where user_id = ? or (kind = 'AUTHOR' and target = ?)`, [
    userId,
    String(userId),
  ]);
  await sql(tx, 'delete from feed_similar_members where user_id = ? or similar_id = ?', [userId, userId]);
}

/** Rows about the member alone. */
async function removePrivateRows(tx: EntityManager, userId: number): Promise<void> {
  for (const statement of [
    'delete from notifications where user_id = ?',
    'update notifications set actor_id = null where actor_id = ?',
    'delete from notification_preferences where user_id = ?',
    'delete from email_tokens where user_id = ?',
    'delete from user_blocks where blocker_id = ? or blocked_id = ?',
    'delete from thread_mutes where user_id = ?',
    'delete from join_requests where user_id = ?',
    'delete from invites where user_id = ?',
    'delete from bans where user_id = ?',
    'delete from community_mutes where user_id = ?',
    'delete from chat_mutes where user_id = ?',
    'delete from member_activity_days where user_id = ?',
    'delete from member_activity_weeks where user_id = ?',
    'delete from member_activity_months where user_id = ?',
    // Data exports: their archives hold everything about the member.
    'delete from data_exports where user_id = ?',
  ]) {
    await sql(tx, statement, statement.includes('or blocked_id') ? [userId, userId] : [userId]);
  }
}

/** Deletes every session and API key of the member; their open sockets close once the erasure commits. */
async function revokeEverything(
  tx: EntityManager,
  userId: number,
): Promise<{ sessionIds: number[]; apiKeyIds: number[] }> {
  const sessions = await sql<{ id: number }[]>(tx, 'delete from sessions where user_id = ? returning id', [userId]);
  const keys = await sql<{ id: number }[]>(tx, 'delete from api_keys where user_id = ? returning id', [userId]);
  return { sessionIds: sessions.map((s) => s.id), apiKeyIds: keys.map((k) => k.id) };
}

/** A jsonb column with its `title`, `body` and `body_html` strings replaced by `[deleted]`. */
const SCRUBBED = (column: string) =>
  `coalesce((select jsonb_object_agg(k, case when jsonb_typeof(v) <> 'string' then v
                                             when k in ('title', 'body') then to_jsonb('${DELETED_TEXT}'::text)
                                             when k = 'body_html' then to_jsonb('<p>${DELETED_TEXT}</p>'::text)
                                             else v end)
               from jsonb_each(${column}) e(k, v)), ${column})`;

/**
 * Moderation keeps copies of what it judged: the snapshots of review items and reports, a removal
 * decision's `before` (what an upheld appeal would restore) and the log's details of a deletion;
 * and the member's own words there: their appeals' text and their reports' notes.
 * The member's texts there become `[deleted]` too (before their posts and comments may be removed,
 * while their ids still say whose they were).
 */
async function scrubModerationTexts(tx: EntityManager, userId: number): Promise<void> {
  const theirs = `subject_user_id = ? and subject_type in ('POST', 'COMMENT', 'CHAT_MESSAGE')`;
  await sql(tx, `update moderation_items set snapshot = ${SCRUBBED('snapshot')} where ${theirs}`, [userId]);
  await sql(
    tx,
    `update reports set snapshot = ${SCRUBBED('snapshot')} where item_id in (select id from moderation_items where ${theirs})`,
    [userId],
  );
  await sql(tx, 'update moderation_appeals set text = ? where appellant_id = ?', [DELETED_TEXT, userId]);
  await sql(tx, `update reports set note = ? where reporter_id = ? and note <> ''`, [DELETED_TEXT, userId]);
  await sql(tx, `update moderation_decisions set before = ${SCRUBBED('before')} where affected_user_id = ?`, [userId]);
  await sql(
    tx,
    `update moderation_log set details = ${SCRUBBED('details')}
      where (subject_type = 'POST' and subject_id in (select id from posts where author_id = ?))
         or (subject_type = 'COMMENT' and subject_id in (select id from comments where author_id = ?))
         or (subject_type = 'CHAT_MESSAGE' and subject_id in (select id from chat_messages where author_id = ?))`,
    [userId, userId, userId],
  );
}

/** Moderation snapshots keep the author's handle: the erased member's becomes the tombstone's. */
async function scrubSnapshots(tx: EntityManager, handle: string, tombstone: string): Promise<void> {
  for (const table of ['moderation_items', 'reports']) {
    await sql(
      tx,
      `update ${table} set snapshot = jsonb_set(snapshot::jsonb, '{authorHandle}', to_jsonb(?::text))
        where snapshot->>'authorHandle' = ?`,
      [tombstone, handle],
    );
  }
}
