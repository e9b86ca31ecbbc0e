import DataLoader from 'dataloader';
import { unreadableChannelsSql } from '../channels/channels.service';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import { sql } from '../../platform/database/sql';
import { idRange, idRangeKey, type IdRange } from '../../platform/pagination';
import { userView } from '../identity/user-views';
import type { User } from '../identity/identity.entity';
import type { Viewer } from '../identity/viewer';
import { Poll, PollOption } from './polls.entity';

/** What a page of polls belongs to: a community, or the post or event they are attached to. */
export type PollScope = 'community' | 'post' | 'event';

/** One page of the polls of a community, post or event, newest first (read backwards: oldest first). */
export interface PollPageKey extends IdRange {
  scope: PollScope;
  /** The id of the community, post or event. */
  ownerId: number;
  /** true: open polls only; false: closed only; null: all. */
  open: boolean | null;
}

/** One page of the voters of an option (public polls), in the order their ballots were first cast (ballot ids in the range). */
export interface VoterPageKey extends IdRange {
  optionId: number;
}

/** A voter and the ballot that names them (its id is the page cursor). */
export interface Voter {
  ballotId: number;
  user: User;
}

const list = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** SQL condition "the poll is open now" on alias `p`: not closed by hand and its time not passed. */
export const OPEN_SQL = '(p.closed_at is null and (p.closes_at is null or p.closes_at > now()))';

const pollPageGroup = (k: PollPageKey) => `${k.scope}:${idRangeKey(k)}:${k.open ?? ''}`;
const pollPageKey = (k: PollPageKey) => `${k.ownerId}:${pollPageGroup(k)}`;
const SCOPE_COLUMN: Record<PollScope, 'community_id' | 'post_id' | 'event_id'> = {
  community: 'community_id',
  post: 'post_id',
  event: 'event_id',
};

/**
 * Pages of polls of many communities (posts, events) in one statement per kind of page (LATERAL … LIMIT per owner).
 * A community's page leaves out the polls attached to posts in channels the viewer may not read
 * (README, Channels); a post's or an event's page is read once the post or event was.
 */
function pollPageLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<PollPageKey, Poll[], string>(
    async (keys) => {
      const groups = new Map<string, PollPageKey[]>();
      for (const k of keys) groups.set(pollPageGroup(k), [...(groups.get(pollPageGroup(k)) ?? []), k]);
      const result = new Map<string, Poll[]>();
      for (const group of groups.values()) {
        const { scope, open } = group[0];
        const range = idRange(group[0]);
        const column = SCOPE_COLUMN[scope];
        let filter = open === null ? '' : open ? `and ${OPEN_SQL}` : `and not ${OPEN_SQL}`;
        const params: unknown[] = [];
        if (scope === 'community' && !viewer.isAdmin) {
          const user = viewer.userId === null ? null : '?::int';
          if (user) params.push(viewer.userId);
          filter += ` and (p.post_id is null or (select cp.channel_id from posts cp where cp.id = p.post_id)
                            <> all(${unreadableChannelsSql(user, (c) => `${c} = k.owner_id`)}))`;
        }
        const rows = await sql(
          em,
          `select p.*, k.owner_id as page_owner from unnest(array[${group.map(() => '?::int').join(', ')}]) with ordinality as k(owner_id, ord)
             cross join lateral (
               select * from polls p where p.${column} = k.owner_id and p.id > ? and p.id < ? ${filter}
                order by p.id ${range.fetch} limit ?
             ) p
            order by k.ord, p.id ${range.fetch}`,
          [...group.map((k) => k.ownerId), range.above, range.below, ...params, range.size + 1],
        );
        for (const { page_owner: owner, ...row } of rows) {
          const poll = em.map(Poll, row);
          const key = pollPageKey({ scope, ownerId: owner as number, open, ...range });
          result.set(key, [...(result.get(key) ?? []), poll]);
        }
      }
      return keys.map((k) => result.get(pollPageKey(k)) ?? []);
    },
    { cacheKeyFn: pollPageKey },
  );
}

/** The options of each poll, in position order. */
function pollOptionsLoader(em: EntityManager) {
  return new DataLoader<number, PollOption[]>(async (pollIds) => {
    const rows = await sql(
      em,
      `select * from poll_options where poll_id in (${list(pollIds.length)}) order by poll_id, position`,
      [...pollIds],
    );
    const map = new Map<number, PollOption[]>();
    for (const row of rows) {
      const option = em.map(PollOption, row);
      map.set(option.poll.id, [...(map.get(option.poll.id) ?? []), option]);
    }
    return pollIds.map((id) => map.get(id) ?? []);
  });
}

/** The viewer's ballot in each poll: its option ids in rank order; null when none or anonymous. */
function viewerBallotLoader(em: EntityManager, viewer: Viewer) {
  return new DataLoader<number, number[] | null>(async (pollIds) => {
    if (viewer.userId === null) return pollIds.map(() => null);
    const rows = await sql<{ poll_id: number; option_ids: number[] }[]>(
      em,
      `select b.poll_id, array_agg(c.option_id order by c.rank) as option_ids
         from ballots b join ballot_choices c on c.ballot_id = b.id
        where b.user_id = ? and b.poll_id in (${list(pollIds.length)}) group by b.poll_id`,
      [viewer.userId, ...pollIds],
    );
    const map = new Map(rows.map((r) => [r.poll_id, r.option_ids.map(Number)]));
    return pollIds.map((id) => map.get(id) ?? null);
  });
}

/** Every ballot of each poll as option ids in rank order (for the instant-runoff tally of RANKED polls). */
function rankingsLoader(em: EntityManager) {
  return new DataLoader<number, number[][]>(async (pollIds) => {
    const rows = await sql<{ poll_id: number; option_ids: number[] }[]>(
      em,
      `select b.poll_id, array_agg(c.option_id order by c.rank) as option_ids
         from ballots b join ballot_choices c on c.ballot_id = b.id
        where b.poll_id in (${list(pollIds.length)}) group by b.poll_id, b.id`,
      [...pollIds],
    );
    const map = new Map<number, number[][]>();
    for (const r of rows) map.set(r.poll_id, [...(map.get(r.poll_id) ?? []), r.option_ids.map(Number)]);
    return pollIds.map((id) => map.get(id) ?? []);
  });
}

const voterGroup = (k: VoterPageKey) => idRangeKey(k);
const voterKey = (k: VoterPageKey) => `${k.optionId}:${voterGroup(k)}`;

/**
 * Pages of voters of many options in one statement per kind of page. Callers must only ask for
 * options of polls that are not anonymous and whose results are visible (see polls.service.ts).
 */
function votersPageLoader(em: EntityManager) {
  return new DataLoader<VoterPageKey, Voter[], string>(
    async (keys) => {
      const groups = new Map<string, VoterPageKey[]>();
      for (const k of keys) groups.set(voterGroup(k), [...(groups.get(voterGroup(k)) ?? []), k]);
      const result = new Map<string, Voter[]>();
      for (const group of groups.values()) {
        const range = idRange(group[0]);
        const rows = await sql(
          em,
          `select v.option_id, v.ballot_id, u.id, u.handle, u.email, u.is_admin, u.created_at
             from unnest(array[${group.map(() => '?::int').join(', ')}]) with ordinality as k(option_id, ord)
             cross join lateral (
               select c.option_id, c.ballot_id from ballot_choices c
                where c.option_id = k.option_id and c.ballot_id > ? and c.ballot_id < ?
                order by c.ballot_id ${range.fetch} limit ?
             ) v
             join ballots b on b.id = v.ballot_id
             join users u on u.id = b.user_id
            order by k.ord, v.ballot_id ${range.fetch}`,
          [...group.map((k) => k.optionId), range.above, range.below, range.size + 1],
        );
        for (const row of rows) {
          const key = voterKey({ optionId: row.option_id as number, ...range });
          result.set(key, [...(result.get(key) ?? []), { ballotId: row.ballot_id as number, user: userView(row) }]);
        }
      }
      return keys.map((k) => result.get(voterKey(k)) ?? []);
    },
    { cacheKeyFn: voterKey },
  );
}

/** Per-request loaders of polls. */
export function createPollLoaders(em: EntityManager, viewer: Viewer) {
  return {
    poll: byIdLoader(em, Poll),
    pollOption: byIdLoader(em, PollOption),
    pollPage: pollPageLoader(em, viewer),
    pollOptions: pollOptionsLoader(em),
    viewerBallot: viewerBallotLoader(em, viewer),
    pollRankings: rankingsLoader(em),
    optionVoters: votersPageLoader(em),
  };
}
