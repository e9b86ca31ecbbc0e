import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import { BadInput, Conflict, Forbidden, NotFound } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import { decodeCursor, forwardPage, toConnection, type ForwardPageArgs } from '../../platform/pagination';
import { actorIn } from '../communities/communities.service';
import { assertCan, assertNotBanned } from '../communities/permissions';
import { authorize } from '../communities/policies';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { readablePost } from '../posts/posts.service';
import { ContestEntry, ContestPhase } from './contests.entity';
import type { EntryCursor } from './contests.loaders';
import { Event, EventKind } from './events.entity';
import { readableEvent } from './events.service';

/**
 * A contest's phase at `now`, from its event's own times: SUBMISSIONS before it starts, VOTING
 * while it lasts, CLOSED once it ends. (A cancelled contest keeps its phase; it takes nothing.)
 */
export function contestPhase(event: Pick<Event, 'startsAt' | 'endsAt'>, now = Date.now()): ContestPhase {
  if (now < event.startsAt.getTime()) return ContestPhase.SUBMISSIONS;
  return now < event.endsAt.getTime() ? ContestPhase.VOTING : ContestPhase.CLOSED;
}

/** Why a contest in phase `actual` refuses what only phase `wanted` allows. */
const REFUSAL: Record<ContestPhase, Partial<Record<ContestPhase, string>>> = {
  [ContestPhase.SUBMISSIONS]: {
    [ContestPhase.VOTING]: 'Submissions closed when the contest started',
    [ContestPhase.CLOSED]: 'Submissions closed when the contest started',
  },
  [ContestPhase.VOTING]: {
    [ContestPhase.SUBMISSIONS]: 'Voting opens when the contest starts',
    [ContestPhase.CLOSED]: 'Voting closed when the contest ended',
  },
  [ContestPhase.CLOSED]: {},
};

/** A CONTEST event the viewer may read; NOT_FOUND when they may not, BAD_USER_INPUT on `field` when it is another kind. */
export async function readableContest(
  loaders: Loaders,
  viewer: Viewer,
  eventId: number,
  field = 'eventId',
): Promise<Event> {
  const { event } = await readableEvent(loaders, viewer, eventId);
  if (event.kind !== EventKind.CONTEST) throw new BadInput('This event is not a contest', field);
  return event;
}

/** An entry the viewer may read (its contest's community content), with its contest; NOT_FOUND otherwise. */
export async function readableEntry(
  loaders: Loaders,
  viewer: Viewer,
  entryId: number,
): Promise<{ entry: ContestEntry; event: Event }> {
  const entry = await loaders.contestEntry.load(entryId);
  const event =
    entry &&
    (await readableEvent(loaders, viewer, entry.event.id).then(
      (r) => r.event,
      () => null,
    ));
  if (!entry || !event) throw new NotFound('ContestEntry');
  return { entry, event };
}

/**
 * Locks the contest's event row for the caller's transaction and checks, on the locked row, that
 * the contest is not cancelled and is in `phase`; BAD_USER_INPUT on `field` otherwise. Moving the
 * event's times or cancelling it locks the row too, so nothing lands in a phase that has just ended.
 * @param mode `share` lets entries be written side by side; `no key update` serializes the
 *   contest's votes, like a post's row serializes votes on it (see posts/votes.service.ts)
 */
async function lockOpenContest(
  tx: EntityManager,
  eventId: number,
  phase: ContestPhase,
  mode: 'share' | 'no key update',
  field: string,
) {
  const row = await sql<{ starts_at: number; ends_at: number; cancelled: boolean } | undefined>(
    tx,
    `select (extract(epoch from starts_at) * 1000)::float8 as starts_at, (extract(epoch from ends_at) * 1000)::float8 as ends_at,
            cancelled_at is not null as cancelled
       from events where id = ? for ${mode}`,
    [eventId],
    'get',
  );
  if (!row) throw new NotFound('Event');
  if (row.cancelled) throw new BadInput('This contest is cancelled', field);
  const actual = contestPhase({ startsAt: new Date(row.starts_at), endsAt: new Date(row.ends_at) });
  if (actual !== phase) throw new BadInput(REFUSAL[phase][actual]!, field);
}

/** Forgets what this request's loaders know of a contest's entries and the viewer's part in it. */
function forgetContest(loaders: Loaders, eventId: number): void {
  loaders.contestEntryPage.clearAll();
  loaders.contestEntryRank.clearAll();
  loaders.contestEntryCount.clear(eventId);
  loaders.viewerContestEntry.clear(eventId);
  loaders.viewerContestVote.clear(eventId);
}

/** The entry, read again from the database after a change. */
async function freshEntry(em: EntityManager, loaders: Loaders, id: number): Promise<ContestEntry> {
  const entry = await em.findOneOrFail(ContestEntry, id, { refresh: true });
  loaders.contestEntry.clear(id).prime(id, entry);
  return entry;
}

/**
 * Enters one of the viewer's posts in a contest (`contests.enter`): their own post, in the
 * contest's community, not deleted, while the contest takes submissions. One entry per member
 * (unique in the database): a second one, even sent at the same time, is CONFLICT.
 */
export async function submitEntry(
  ctx: Context,
  { eventId, postId }: { eventId: number; postId: number },
): Promise<ContestEntry> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const event = await readableContest(loaders, viewer, eventId);
  assertCan(await actorIn(loaders, viewer, event.community.id), 'contests.enter');
  const { post } = await readablePost(loaders, viewer, postId);
  if (post.community.id !== event.community.id) throw new BadInput("Enter a post of the contest's community", 'postId');
  if (post.author.id !== userId) throw new Forbidden('You can only enter your own post');
  if (post.deletedAt) throw new BadInput('A deleted post cannot be entered', 'postId');
  const id = await write(ctx, async (tx) => {
    await lockOpenContest(tx, event.id, ContestPhase.SUBMISSIONS, 'share', 'eventId');
    // Both unique constraints say the same here (a post has one author): the member already has an entry.
    const row = await sql<{ id: number } | undefined>(
      tx,
      `insert into contest_entries (event_id, post_id, user_id, votes, submitted_at) values (?, ?, ?, 0, ?)
       on conflict do nothing returning id`,
      [event.id, post.id, userId, new Date()],
      'get',
    );
    if (!row) throw new Conflict('You already have an entry in this contest: withdraw it to enter another', 'eventId');
    return row.id;
  });
  forgetContest(loaders, event.id);
  return freshEntry(em, loaders, id);
}

/** Withdraws the viewer's entry (its author only) while the contest takes submissions; returns the contest's event. */
export async function withdrawEntry(ctx: Context, { entryId }: { entryId: number }): Promise<Event> {
  const { loaders, viewer } = ctx;
  requireUser(viewer);
  const { entry, event } = await readableEntry(loaders, viewer, entryId);
  await authorize({ loaders, viewer }, 'contestEntry.withdraw', { entry, event });
  await write(ctx, async (tx) => {
    await lockOpenContest(tx, event.id, ContestPhase.SUBMISSIONS, 'share', 'entryId');
    await sql(tx, 'delete from contest_entries where id = ?', [entry.id], 'run');
  });
  forgetContest(loaders, event.id);
  loaders.contestEntry.clear(entry.id);
  return event;
}

/**
 * Records the viewer's vote (`contests.vote`) for an entry of a contest in VOTING, never their
 * own: ONE vote per member and contest (unique in the database), so voting again replaces the
 * previous vote. The old row goes, the new one comes and both entries' counters move, in SQL, in
 * one transaction that holds the contest's row lock: the counters always equal their vote rows.
 */
export async function voteForEntry(ctx: Context, { entryId }: { entryId: number }): Promise<ContestEntry> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const { entry, event } = await readableEntry(loaders, viewer, entryId);
  assertCan(await actorIn(loaders, viewer, event.community.id), 'contests.vote');
  if (entry.user.id === userId) throw new Forbidden('You cannot vote for your own entry');
  const post = await loaders.post.load(entry.post.id);
  if (!post || post.deletedAt) throw new BadInput("This entry's post was deleted", 'entryId');
  await write(ctx, async (tx) => {
    await lockOpenContest(tx, event.id, ContestPhase.VOTING, 'no key update', 'entryId');
    const old = await sql<{ id: number; entry_id: number } | undefined>(
      tx,
      'select id, entry_id from contest_votes where event_id = ? and user_id = ?',
      [event.id, userId],
      'get',
    );
    if (old?.entry_id === entry.id) return;
    const counted = await sql<{ id: number } | undefined>(
      tx,
      'update contest_entries set votes = votes + 1 where id = ? and event_id = ? returning id',
      [entry.id, event.id],
      'get',
    );
    if (!counted) throw new NotFound('ContestEntry');
    if (old) {
      await sql(tx, 'delete from contest_votes where id = ?', [old.id], 'run');
      await sql(tx, 'update contest_entries set votes = votes - 1 where id = ?', [old.entry_id], 'run');
    }
    await sql(
      tx,
      'insert into contest_votes (event_id, entry_id, user_id, created_at) values (?, ?, ?, now())',
      [event.id, entry.id, userId],
      'run',
    );
  });
  forgetContest(loaders, event.id);
  return freshEntry(em, loaders, entry.id);
}

/**
 * Withdraws the viewer's vote in a contest while it is in VOTING. Returns the id of the entry the vote
 * was for, or null when they had none.
 */
export async function withdrawVote(ctx: Context, { eventId }: { eventId: number }): Promise<number | null> {
  const { loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const event = await readableContest(loaders, viewer, eventId);
  assertNotBanned(await actorIn(loaders, viewer, event.community.id));
  const withdrawn = await write(ctx, async (tx) => {
    await lockOpenContest(tx, event.id, ContestPhase.VOTING, 'no key update', 'eventId');
    const old = await sql<{ entry_id: number } | undefined>(
      tx,
      'delete from contest_votes where event_id = ? and user_id = ? returning entry_id',
      [event.id, userId],
      'get',
    );
    if (old) await sql(tx, 'update contest_entries set votes = votes - 1 where id = ?', [old.entry_id], 'run');
    return old?.entry_id ?? null;
  });
  forgetContest(loaders, event.id);
  if (withdrawn !== null) loaders.contestEntry.clear(withdrawn);
  return withdrawn;
}

/**
 * `Contest.entries`: by votes (most first), then earliest submitted, then id; while the contest
 * takes submissions, by submission only. Cursors carry the whole sort key.
 */
export async function contestEntries(loaders: Loaders, event: Event, phase: ContestPhase, args: ForwardPageArgs) {
  const page = forwardPage(args);
  const after = page.after ? (decodeCursor(page.after, ['number', 'timestamp', 'number']) as EntryCursor) : null;
  const ranked = phase !== ContestPhase.SUBMISSIONS;
  const rows = await loaders.contestEntryPage.load({ eventId: event.id, ranked, size: page.size, after });
  return toConnection(
    rows,
    page,
    (e) => [e.votes, e.submittedAt.getTime(), e.id],
    () => loaders.contestEntryCount.load(event.id),
  );
}
