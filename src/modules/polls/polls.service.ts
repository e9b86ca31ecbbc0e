import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { awardCall, awardWritten, settle } from '../reputation/ledger';
import { QuestAction } from '../quests/quests.entity';
import { liveGoals, matching, recordQuests } from '../quests/quests.record';
import { BadInput, Conflict, NotFound } from '../../platform/errors';
import type { Loaders } from '../../platform/loaders';
import { idPage, idRange, toConnection, type PageArgsShape } from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { readForWrite } from '../communities/communities.loaders';
import { managedFromRow } from '../../platform/by-id-loader';
import { actorIn, assertCanReadContent, canReadContent } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { allowed, authorize } from '../communities/policies';
import { readableEvent } from '../events/events.service';
import { write } from '../../platform/database/write';
import { requireUser } from '../identity/identity.service';
import { enqueue } from '../../platform/jobs/jobs';
import { AutoModSubject } from '../moderation/automod-engine';
import { applyVerdict, screenWrite } from '../moderation/automod';
import { pollOptionsText, queueChanged } from '../moderation/moderation.service';
import type { Viewer } from '../identity/viewer';
import { readablePost } from '../posts/posts.service';
import { nullIfHidden } from '../../platform/errors';
import { Poll, PollKind, PollOption } from './polls.entity';
import { pollTopics, type PollChangedEvent } from './polls.events';
import { POLL_LIMITS, type CreatePollInput } from './polls.inputs';
import type { PollScope } from './polls.loaders';
import { ballotAward } from './polls.reputation';
import { instantRunoff, type RunoffResult } from './runoff';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether a poll is closed at `now`: closed by hand, or its `closesAt` has passed (whether or not a sweep has noticed yet). */
export function isClosed(poll: Pick<Poll, 'closedAt' | 'closesAt'>, now = Date.now()): boolean {
  return !!poll.closedAt || (!!poll.closesAt && poll.closesAt.getTime() <= now);
}

/** Whether counts, voters and rounds may be shown: always, unless the poll hides them until it closes (for everyone). */
export function resultsVisible(poll: Pick<Poll, 'hideResultsUntilClosed' | 'closedAt' | 'closesAt'>): boolean {
  return !poll.hideResultsUntilClosed || isClosed(poll);
}

/**
 * Primes the loaders for a write by the signed-in viewer on a poll: the poll, its options, its
 * community and the viewer's standing there in one statement (`readForWrite`), for `readablePoll`,
 * `actorIn` and the ballot's checks to run without a statement each. Checks nothing itself.
 */
async function primePollForWrite(em: EntityManager, loaders: Loaders, userId: number, pollId: number) {
  const row = await readForWrite(
    em,
    loaders,
    userId,
    'polls',
    pollId,
    `, (select coalesce(json_agg(o order by o.position), '[]') from poll_options o where o.poll_id = s.id) as subject_options`,
  );
  if (!row) return;
  const options = (row.subject_options as object[]).map((o) => managedFromRow(em, PollOption, o));
  delete row.subject_options;
  loaders.poll.prime(pollId, managedFromRow(em, Poll, row));
  loaders.pollOptions.prime(pollId, options);
}

/** A poll the viewer may read (its community's content), or NOT_FOUND. */
export async function readablePoll(
  loaders: Loaders,
  viewer: Viewer,
  pollId: number,
): Promise<{ poll: Poll; community: Community }> {
  const poll = await loaders.poll.load(pollId);
  const community = poll && (await loaders.community.load(poll.community.id));
  if (!poll || !community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Poll');
  // A poll attached to a post in a channel the viewer may not read is as unreadable as the post.
  if (poll.post && community.restrictedChannels)
    await nullIfHidden(readablePost(loaders, viewer, poll.post.id)).then((r) => {
      if (!r) throw new NotFound('Poll');
    });
  return { poll, community };
}

/**
 * What a voter sees of an option, to tell two options apart: compatibility forms folded (NFKC: full-width
 * "Ｙｅｓ" is "Yes", the ligature "ﬁ" is "fi"), invisible characters dropped (zero-width spaces, joiners),
 * white space collapsed, and case folded ("YES", "yes" and "Yes" read as the same answer; "ß" as "ss").
 * Two options with the same key would split the vote between answers nobody can tell apart.
 */
export function optionKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC');
}

/** The options as stored (trimmed, as typed), or BAD_USER_INPUT on `options`: blank, too long, or two the same once compared by {@link optionKey}. */
function checkOptions(raw: string[]): string[] {
  const options = raw.map((o) => o.trim());
  const keys = options.map(optionKey);
  if (keys.some((k) => !k)) throw new BadInput('options must not be blank', 'options');
  if (options.some((o) => o.length > POLL_LIMITS.optionLength)) {
    throw new BadInput(`each option is at most ${POLL_LIMITS.optionLength} characters long`, 'options');
  }
  if (new Set(keys).size !== options.length)
    throw new BadInput('options must be distinct (compared ignoring case, width and invisible characters)', 'options');
  return options;
}

/** `createPoll`'s input with its global IDs decoded (by the resolver). */
export type NewPoll = Omit<CreatePollInput, 'communityId' | 'postId' | 'eventId'> & {
  communityId: number;
  postId: number | null;
  eventId: number | null;
};

/**
 * Creates a poll in a community (`polls.create`), optionally attached to one of its posts or
 * events. Options are written with the poll in one transaction; a `closesAt` schedules, in the same
 * transaction, the job that announces the close even if no request arrives (a trigger on `polls`).
 */
export async function createPoll(ctx: Context, input: NewPoll): Promise<Poll> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const { communityId } = input;
  const community = await loaders.community.load(communityId);
  if (!community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Community');
  assertCan(await actorIn(loaders, viewer, communityId), 'polls.create');
  const question = input.question.trim();
  if (!question) throw new BadInput('question must not be blank', 'question');
  const options = checkOptions(input.options);
  if (input.allowMultiple && input.ranked)
    throw new BadInput('A poll is either multiple choice or ranked, not both', 'ranked');
  const kind = input.ranked ? PollKind.RANKED : input.allowMultiple ? PollKind.MULTIPLE : PollKind.SINGLE;
  const maxChoices = input.maxChoices ?? null;
  if (maxChoices !== null && kind !== PollKind.MULTIPLE)
    throw new BadInput('maxChoices needs allowMultiple', 'maxChoices');
  if (maxChoices !== null && maxChoices > options.length)
    throw new BadInput('maxChoices is more than the options', 'maxChoices');
  const closesAt = input.closesAt ?? null;
  if (closesAt) {
    if (Number.isNaN(closesAt.getTime())) throw new BadInput('closesAt is not a valid date', 'closesAt');
    if (closesAt.getTime() < Date.now() + POLL_LIMITS.minOpenMs)
      throw new BadInput('closesAt must be in the future', 'closesAt');
    if (closesAt.getTime() > Date.now() + POLL_LIMITS.maxOpenDays * DAY_MS) {
      throw new BadInput(`closesAt is at most ${POLL_LIMITS.maxOpenDays} days away`, 'closesAt');
    }
  }
  let postId: number | null = null;
  if (input.postId) {
    const { post } = await readablePost(loaders, viewer, input.postId);
    if (post.community.id !== communityId)
      throw new BadInput('Attach the poll to a post of the same community', 'postId');
    if (post.deletedAt) throw new BadInput('A deleted post cannot hold a poll', 'postId');
    postId = post.id;
  }
  let eventId: number | null = null;
  if (input.eventId) {
    const { event } = await readableEvent(loaders, viewer, input.eventId);
    if (event.community.id !== communityId)
      throw new BadInput('Attach the poll to an event of the same community', 'eventId');
    eventId = event.id;
  }
  // AutoMod screens the question and options first: a BLOCK refuses the poll here.
  const verdict = await screenWrite(
    { em, loaders, viewer },
    {
      communityId,
      subject: AutoModSubject.POLL_OPTION,
      text: `${question}\n${pollOptionsText(options.map((text) => ({ text })))}`,
    },
  );
  const poll = await write(ctx, async (tx, after) => {
    const created = tx.create(Poll, {
      community: communityId,
      createdBy: userId,
      post: postId,
      event: eventId,
      question,
      kind,
      maxChoices,
      anonymous: input.anonymous,
      hideResultsUntilClosed: input.hideResultsUntilClosed,
      closesAt,
      closedAt: null,
      closeAnnouncedAt: null,
      totalVoters: 0,
      createdAt: new Date(),
    });
    options.forEach((text, position) => tx.create(PollOption, { poll: created, position, text, votes: 0 }));
    await tx.flush();
    if (verdict) {
      const applied = await applyVerdict(tx, verdict, {
        communityId,
        subject: AutoModSubject.POLL_OPTION,
        id: created.id,
        authorId: userId,
        title: question,
        body: pollOptionsText(options.map((text) => ({ text }))),
      });
      queueChanged(after, communityId, applied.itemId);
    }
    return created;
  });
  if (verdict) await em.refresh(poll); // a HOLD set hidden_at in SQL
  loaders.poll.prime(poll.id, poll);
  return poll;
}

/** The option ids of a ballot, checked against the poll's kind and options; BAD_USER_INPUT on `optionIds`. */
async function checkBallot(
  loaders: Loaders,
  poll: Poll,
  ids: number[],
): Promise<{ ids: number[]; options: PollOption[] }> {
  if (new Set(ids).size !== ids.length) throw new BadInput('Name each option once', 'optionIds');
  const options = await loaders.pollOptions.load(poll.id);
  const known = new Set(options.map((o) => o.id));
  if (ids.length === 0) throw new BadInput('Name at least one option', 'optionIds');
  if (ids.some((id) => !known.has(id))) throw new BadInput('Not an option of this poll', 'optionIds');
  if (poll.kind === PollKind.SINGLE && ids.length !== 1)
    throw new BadInput('This poll takes exactly one option', 'optionIds');
  if (poll.kind === PollKind.MULTIPLE && poll.maxChoices && ids.length > poll.maxChoices) {
    throw new BadInput(`This poll takes at most ${poll.maxChoices} options`, 'optionIds');
  }
  return { ids, options };
}

/** The refusal of a ballot or a close on a poll that has closed: CONFLICT (the poll's state, not the input, is at fault). */
const closedConflict = (field: string) =>
  new Conflict('This poll is closed: ballots can no longer be cast or changed', field);

/**
 * Locks the poll's row for the caller's transaction (`for no key update`, as ballots do: see
 * `cast_ballot`) and says whether it is closed, on the locked row.
 */
async function lockPoll(tx: EntityManager, pollId: number): Promise<{ closed: boolean }> {
  const row = await sql<{ closed: boolean } | undefined>(
    tx,
    `select (closed_at is not null or (closes_at is not null and closes_at <= now())) as closed from polls where id = ? for no key update`,
    [pollId],
    'get',
  );
  if (!row) throw new NotFound('Poll');
  return row;
}

/** What `cast_ballot` did. */
type BallotResult = 'cast' | 'unchanged' | 'closed' | 'not_found' | 'bad_option';

/**
 * Casts or replaces the viewer's ballot (`polls.vote`): ONE ballot per member and poll (unique in
 * the database). The ballot is written by the SQL function `cast_ballot` (see the polls migration),
 * in one statement and so one transaction: it locks the poll's row (every ballot of a poll is
 * serialized, as is closePoll), refuses a closed poll on the locked row, replaces the member's
 * choices and moves `PollOption.votes` (RANKED: first choices) and `Poll.totalVoters` by the
 * difference. A first ballot and a change racing from the same member serialize, and counts always
 * equal a recount of the ballots; the lock is held for no round trip to the application.
 * A closed poll (by hand or by time) refuses with CONFLICT on `pollId`.
 */
export async function castVote(ctx: Context, input: { pollId: number; optionIds: number[] }): Promise<Poll> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  await primePollForWrite(em, loaders, userId, input.pollId);
  const { poll } = await readablePoll(loaders, viewer, input.pollId);
  assertCan(await actorIn(loaders, viewer, poll.community.id), 'polls.vote');
  const { ids } = await checkBallot(loaders, poll, input.optionIds);
  if (isClosed(poll)) throw closedConflict('pollId');
  const community = (await loaders.community.load(poll.community.id))!;
  // The ballot and its points, if it earns any (see `ballotAward`), commit together: one statement
  // (one implicit transaction) casts, awards when the ballot counted, and reads the poll back. The
  // `limit 1`s tell the planner each function returns one row (it assumes 1,000, and would plan a
  // join of millions, compiled with JIT: 7 ms of PostgreSQL CPU).
  const earns = ballotAward(community, poll, userId);
  const award = earns && awardCall(earns);
  // A first ballot counts toward the voter's quests: one more statement when a live goal matches.
  const quest = {
    action: QuestAction.POLL_BALLOT,
    userId,
    cause: `ballot:${poll.id}:${userId}`,
    eventId: poll.event?.id,
  };
  const quested = matching(await liveGoals(em, community), community.timeZone, quest).length > 0;
  const row = await write(
    ctx,
    async (tx, after) => {
      const cast = await sql<(CastRow & Record<string, unknown>) | undefined>(
        tx,
        `with c as materialized (select result, voters from cast_ballot(?, ?, array[${ids.map(() => '?').join(', ')}]::int[]) limit 1)` +
          (award
            ? `, a as (select w.* from c cross join lateral (select * from ${award.sql} limit 1) w where c.result = 'cast')`
            : '') +
          ` select c.result, c.voters, ${award ? 'a.*, ' : ''}p.* from c${award ? ' left join a on true' : ''}` +
          ' join polls p on p.id = ?',
        [poll.id, userId, ...ids, ...(award ? award.params : []), poll.id],
        'get',
      );
      if (!cast || cast.result === 'not_found') throw new NotFound('Poll');
      if (cast.result === 'closed') throw closedConflict('pollId');
      if (cast.result === 'bad_option') throw new BadInput('Not an option of this poll', 'optionIds');
      const change = award ? awardWritten(cast) : null;
      const quests = quested && cast.result === 'cast' ? await recordQuests(tx, community, quest) : [];
      settle(after, ctx, community, [change, ...quests]);
      // A lost message only delays watchers until the next change (or the close sweep).
      if (cast.result === 'cast') after.publish<PollChangedEvent>(pollTopics.changed(poll.id), { pollId: poll.id });
      return cast;
    },
    { mode: quested ? 'sql' : 'statement' },
  );
  // The statement read the poll in its snapshot, from before the ballot: its voters are the function's.
  const pollRow: Record<string, unknown> = { total_voters: row.voters };
  for (const key in row) if (key !== 'result' && key !== 'voters' && !key.startsWith('o_')) pollRow[key] ??= row[key];
  return freshPoll(em, loaders, poll.id, pollRow);
}

/** `cast_ballot`'s row: what it did, and the poll's voters after it. */
interface CastRow {
  result: BallotResult;
  voters: number;
}

/**
 * Closes a poll by hand: its creator, or a member with `polls.close` (MODERATOR and above). The
 * close is announced at once (and claimed, so the time sweep never announces it again). A poll
 * already closed, by hand or by time, is CONFLICT on `id`.
 */
export async function closePoll(ctx: Context, input: { id: number }): Promise<Poll> {
  const { em, loaders, viewer } = ctx;
  requireUser(viewer);
  const { poll } = await readablePoll(loaders, viewer, input.id);
  await authorize(ctx, 'poll.close', poll);
  await write(ctx, async (tx, after) => {
    if ((await lockPoll(tx, poll.id)).closed) throw new Conflict('This poll is already closed', 'id');
    await sql(tx, 'update polls set closed_at = now(), close_announced_at = now() where id = ?', [poll.id], 'run');
    await enqueue(tx, 'notifications.pollClosed', { pollId: poll.id }); // its voters hear of it
    after.publish<PollChangedEvent>(pollTopics.changed(poll.id), { pollId: poll.id, closed: true });
  });
  return freshPoll(em, loaders, poll.id);
}

/**
 * The poll after a change, read again from the database (or from `row`, its columns as the change
 * left them); its options and the viewer's ballot forgotten.
 */
async function freshPoll(
  em: EntityManager,
  loaders: Loaders,
  id: number,
  row?: Record<string, unknown>,
): Promise<Poll> {
  const poll = row ? em.map(Poll, row) : await em.findOneOrFail(Poll, id, { refresh: true });
  loaders.poll.clear(id).prime(id, poll);
  loaders.pollOptions.clear(id);
  loaders.viewerBallot.clear(id);
  loaders.pollRankings.clear(id);
  loaders.optionVoters.clearAll();
  return poll;
}

/** `Community.polls`: newest first; `open` filters open or closed polls. */
export async function communityPolls(
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  args: PageArgsShape & { open?: boolean | null },
) {
  await assertCanReadContent(loaders, viewer, community);
  return pollPage(loaders, 'community', community.id, args);
}

/**
 * A page of polls, newest first: of a community, or attached to a post or an event (whose
 * resolvers only run for a post or event the viewer may read, so its polls are readable too).
 */
export async function pollPage(
  loaders: Loaders,
  scope: PollScope,
  ownerId: number,
  args: PageArgsShape & { open?: boolean | null },
) {
  const page = idPage(args, 'desc');
  const rows = await loaders.pollPage.load({ scope, ownerId, open: args.open ?? null, ...idRange(page) });
  for (const poll of rows) loaders.poll.prime(poll.id, poll);
  return toConnection(rows, page, (p) => [p.id]);
}

/** The instant-runoff tally of a RANKED poll (null for other kinds, and while results are hidden). */
export async function pollRunoff(loaders: Loaders, poll: Poll): Promise<RunoffResult | null> {
  if (poll.kind !== PollKind.RANKED || !resultsVisible(poll)) return null;
  const [options, ballots] = await Promise.all([loaders.pollOptions.load(poll.id), loaders.pollRankings.load(poll.id)]);
  return instantRunoff(options, ballots);
}

/** Whether the viewer may close the poll: the rule `endPoll` applies (policies.ts, `poll.close`). */
export function canClose(loaders: Loaders, viewer: Viewer, poll: Poll): Promise<boolean> {
  return allowed({ loaders, viewer }, 'poll.close', poll);
}
