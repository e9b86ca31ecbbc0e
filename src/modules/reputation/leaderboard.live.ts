import type { EntityManager } from '@mikro-orm/postgresql';
import { CoalescedWatch } from '../../platform/coalesced-watch';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { userView } from '../identity/user-views';
import type { User } from '../identity/identity.entity';
import { follow, whileReadable } from '../../platform/follow';
import type { PubSub } from '../../platform/pubsub/pubsub';
import { closable } from '../../platform/streams';
import { isHidden } from '../../platform/errors';
import { Member, type Visibility } from '../communities/communities.entity';
import { communityTopics } from '../communities/communities.events';
import { assertCanReadContent, visibleCommunity } from '../communities/communities.service';
import type { Leaderboards, Standing } from './leaderboards';
import { reputationTopics } from './reputation.events';
import { rankEntries } from './reputation.service';
import { LEADERBOARD_MAX, type LeaderboardEntry } from './reputation.types';
import { boardKey, LeaderboardPeriodName, periodsAt } from './rules';

/** A board as read once for every watcher of this instance: its top standings, their members, the community's visibility. */
interface BoardSnapshot {
  standings: Standing[];
  members: Map<number, Member>;
  /** The members' users: each subscriber's `member { user }` is primed with them. */
  users: User[];
  visibility: Visibility;
}

type BoardWatch = CoalescedWatch<BoardSnapshot | null>;

const watches = new WeakMap<PubSub, Map<string, BoardWatch>>();

/** The top of a board and its members (two statements and one board read); null: the community is gone. */
async function readBoard(
  em: EntityManager,
  leaderboards: Leaderboards,
  communityId: number,
  period: LeaderboardPeriodName,
) {
  const community = await sql<{ id: number; time_zone: string; visibility: Visibility } | undefined>(
    em,
    'select id, time_zone, visibility from communities where id = ?',
    [communityId],
    'get',
  );
  if (!community) return null;
  const board = { id: community.id, timeZone: community.time_zone };
  const standings = await leaderboards.top(board, boardKey(period, board.timeZone), LEADERBOARD_MAX + 5);
  const rows = standings.length
    ? await sql(
        em,
        `select * from members where community_id = ? and user_id in (${standings.map(() => '?').join(', ')})`,
        [communityId, ...standings.map((s) => s.userId)],
      )
    : [];
  const members = new Map(rows.map((r) => [r.user_id as number, em.map(Member, r)]));
  // The entries' users, read once here for every subscriber (one statement, not one per subscriber).
  const users = members.size
    ? (
        await sql<Record<string, unknown>[]>(
          em,
          `select * from users where id in (${[...members.keys()].map(() => '?').join(', ')})`,
          [...members.keys()],
        )
      ).map(userView)
    : [];
  return { snapshot: { standings, members, users, visibility: community.visibility }, timeZone: board.timeZone };
}

/**
 * One watch per (community, period) with subscribers, per instance (see {@link CoalescedWatch}):
 * every ledger change of the community, on any instance, signals it, and it reads the board at
 * most once per `LEADERBOARD_UPDATE_INTERVAL_MS`. A MONTH or WEEK board also reads when its
 * period ends (the new period's board starts empty).
 */
function boardWatch(ctx: Context, communityId: number, period: LeaderboardPeriodName): BoardWatch {
  let byBoard = watches.get(ctx.pubsub);
  if (!byBoard) watches.set(ctx.pubsub, (byBoard = new Map()));
  const id = `${communityId}:${period}`;
  let watch = byBoard.get(id);
  if (!watch) {
    const fork = ctx.em.fork({ clear: true });
    const { leaderboards } = ctx;
    let rollover: NodeJS.Timeout | null = null;
    const read = async () => {
      const result = await readBoard(fork.fork({ clear: true }), leaderboards, communityId, period);
      if (!result) return null;
      if (period !== LeaderboardPeriodName.ALL_TIME && !rollover) {
        const p = periodsAt(result.timeZone);
        const end = (period === LeaderboardPeriodName.MONTH ? p.month.end : p.week.end).getTime();
        rollover = setTimeout(
          () => {
            rollover = null;
            watch!.signal();
          },
          Math.min(Math.max(end - Date.now() + 1000, 1000), 2 ** 31 - 1),
        );
        rollover.unref();
      }
      return result.snapshot;
    };
    const created: BoardWatch = new CoalescedWatch(reputationTopics.leaderboardChanged(communityId), ctx.pubsub, read, {
      intervalMs: ctx.config.LEADERBOARD_UPDATE_INTERVAL_MS,
      log: ctx.log,
      logContext: { communityId, period },
      onEmpty: () => {
        if (rollover) clearTimeout(rollover);
        byBoard!.delete(id);
      },
    });
    watch = created;
    byBoard.set(id, watch);
  }
  return watch;
}

/**
 * `leaderboardChanged(communityId, period, first)`: the board's first entries now, then each time
 * they change (coalesced by the board's watch; an emission that leaves this subscriber's entries
 * as they were is skipped). Access is checked when subscribing and again, with a fresh
 * EntityManager, when the viewer's memberships or the community's visibility change; the stream
 * ends once the viewer may no longer read the community.
 */
export async function leaderboardChangedStream(
  ctx: Context,
  communityId: number,
  period: LeaderboardPeriodName,
  first: number,
): Promise<AsyncIterableIterator<LeaderboardEntry[]>> {
  const community = await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  await assertCanReadContent(ctx.loaders, ctx.viewer, community);
  let visibility = community.visibility;
  const recheckTopics = ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [];
  const watch = boardWatch(ctx, communityId, period);
  const { items, close } = await follow(ctx, watch, recheckTopics, {
    topic: `leaderboard-changed:${communityId}`,
    maxBuffered: 100,
  });
  watch.signal(); // this subscriber's first emission: the board now

  async function stillReadable(): Promise<boolean> {
    ctx.refresh();
    try {
      const current = await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
      await assertCanReadContent(ctx.loaders, ctx.viewer, current);
      visibility = current.visibility;
      return true;
    } catch (err) {
      // Only "no longer readable" ends the stream quietly; a database outage reaches the client as an error.
      if (isHidden(err)) return false;
      throw err;
    }
  }

  async function* stream(): AsyncGenerator<LeaderboardEntry[]> {
    let last: string | undefined;
    try {
      for await (const snapshot of whileReadable(items, { visibility: () => visibility, stillReadable })) {
        const entries = rankEntries(
          snapshot.standings,
          snapshot.standings.map((s) => snapshot.members.get(s.userId) ?? null),
          first,
        );
        const signature = entries.map((e) => `${e.member.id}:${e.score}`).join(',');
        if (signature === last) continue;
        last = signature;
        // Fresh loaders primed with the snapshot's users: resolving `member { user }` costs no statement.
        ctx.refresh();
        for (const user of snapshot.users) ctx.loaders.user.prime(user.id, user);
        yield entries;
      }
    } finally {
      await close();
    }
  }
  return closable(stream(), close);
}
