import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, NotFound } from '../../platform/errors';
import { toGlobalId } from '../../platform/ids';
import type { Loaders } from '../../platform/loaders';
import { Community, Role } from '../communities/communities.entity';
import { actorIn, canReadContent } from '../communities/communities.service';
import { ROLE_RANK, assertCan, canReadChannel, type ChannelGates } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import { DEFAULT_RULES } from '../reputation/rules';
import { Channel, isRestricted } from './channels.entity';
import {
  CHANNEL_LIMITS,
  DEFAULT_CHANNEL,
  STATE_OF_CHOICE,
  type CreateChannelInput,
  type SetChannelSubscriptionInput,
  type UpdateChannelInput,
} from './channels.inputs';

/**
 * Creates a community's default channel (DEFAULT_CHANNEL) in the caller's transaction and points the
 * community at it: `createCommunity` calls it in the transaction that creates the community.
 */
export async function addDefaultChannel(tx: EntityManager, community: Community): Promise<Channel> {
  const channel = tx.create(Channel, {
    community,
    ...DEFAULT_CHANNEL,
    position: 0,
    readLevel: 1,
    postLevel: 1,
    createdAt: new Date(),
  });
  await tx.flush();
  community.defaultChannelId = channel.id;
  await tx.flush();
  return channel;
}

/**
 * The channel a post (or anything in it) lives in, when it may restrict something: null when its
 * community has no restricted channel (`restrictedChannels` false), without reading anything. Else
 * read with every channel of the community (one statement per request for all its communities).
 */
export async function restrictingChannel(
  loaders: Loaders,
  community: Community,
  channelId: number,
): Promise<Channel | null> {
  if (!community.restrictedChannels) return null;
  const channels = await loaders.communityChannels.load(community.id);
  return channels.find((c) => c.id === channelId) ?? null;
}

const rankSql = (role: string) =>
  `(case ${role} ${(Object.keys(ROLE_RANK) as Role[]).map((r) => `when '${r}' then ${ROLE_RANK[r]}`).join(' ')} end)`;

/**
 * SQL: the gated channels `ch` (joined with their community `uc`) the user `userParam` (an SQL
 * parameter; null: an anonymous reader) may not read, the rule of `canReadChannel` (permissions.ts):
 * a channel with a reading gate is read by members not under a ban whose role reaches the gate's,
 * and whose level does too unless they are moderators or above. `where` narrows the channels.
 */
function unreadableChannels(userParam: string | null, where: string): string {
  const user = userParam ?? 'null::int';
  const thresholds = `array[${DEFAULT_RULES.levelThresholds.join(', ')}]`;
  const threshold = `coalesce((uc.reputation_rules->'levelThresholds'->>(ch.read_level - 1))::int,
      case when uc.reputation_rules->'levelThresholds' is null then (${thresholds})[ch.read_level] end)`;
  return `channels ch
      join communities uc on uc.id = ch.community_id
      left join members um on um.community_id = ch.community_id and um.user_id = ${user}
     where (ch.read_role is not null or ch.read_level > 1) and ${where}
       and not coalesce(um.id is not null
         and not exists (select 1 from bans ub where ub.community_id = ch.community_id and ub.user_id = um.user_id
                          and (ub.until is null or ub.until > now()))
         and ${rankSql('um.role')} >= ${rankSql(`coalesce(ch.read_role, 'MEMBER')`)}
         and (${rankSql('um.role')} >= ${ROLE_RANK.MODERATOR} or um.reputation >= ${threshold}), false)`;
}

/**
 * SQL: the ids of the channels the user `userParam` (an SQL parameter; null: an anonymous reader)
 * may not read, among those of the communities `inCommunities` keeps (a condition on the SQL
 * expression it is given): an array, computed once per statement (an InitPlan), for lists of one
 * community or a few (a community's feed, search, a community read with its first posts). Lists
 * whose rows come from anywhere use the per-row form, `readableChannelSql`.
 */
export function unreadableChannelsSql(userParam: string | null, inCommunities: (column: string) => string): string {
  return `array(select ch.id from ${unreadableChannels(userParam, inCommunities('ch.community_id'))})`;
}

/**
 * SQL: a condition that the user `userParam` may read the channel `channel` (an SQL expression:
 * a row's channel), the per-row form of `unreadableChannelsSql`, for lists whose rows come from
 * any community (the personal feed), under `not c.restricted_channels or`: only rows of a community
 * with a restricted channel look their channel up.
 */
export function readableChannelSql(userParam: string | null, channel: string): string {
  return `not exists (select 1 from ${unreadableChannels(userParam, `ch.id = ${channel}`)})`;
}

/** SQL: the channels the user `userParam` muted (an array, computed once per statement). */
export function mutedChannelsSql(userParam: string): string {
  return `array(select ms.channel_id from channel_subscriptions ms where ms.user_id = ${userParam} and ms.state = 'MUTED')`;
}

/**
 * SQL: a condition that `channel` (a row's channel column, e.g. `p.channel_id`) is none of `ids` (an
 * SQL array: `unreadableChannelsSql`, `mutedChannelsSql`). `+ 0` keeps the column's statistics out
 * of the estimate: PostgreSQL estimates `column <> all(array)` as `<>` unknown values, from the
 * column's distinct values, and where posts are in one channel (a database of one community, each
 * with its default channel) that is no row at all: the plan read and sorted every post of the
 * community (92 to 152 ms for a page of 20 of 10,000 posts; the personal feed's FOLLOWING 108 ms)
 * instead of walking an index down to the page. Without statistics it estimates 95 % of the rows
 * kept, whatever the database: these lists are short.
 */
export function channelNotInSql(channel: string, ids: string): string {
  return `${channel} + 0 <> all(${ids})`;
}

/** A channel the viewer may read (its community's content, then its reading gate), with its community; else NOT_FOUND. */
export async function readableChannel(
  loaders: Loaders,
  viewer: Viewer,
  channelId: number,
): Promise<{ channel: Channel; community: Community }> {
  const channel = await loaders.channel.load(channelId);
  const community = channel && (await loaders.community.load(channel.community.id));
  if (!channel || !community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Channel');
  if (community.restrictedChannels && !canReadChannel(await actorIn(loaders, viewer, community.id), channel))
    throw new NotFound('Channel');
  return { channel, community };
}

/** A channel the viewer may post in, for `createPost` (default: the community's default channel). */
export async function postingChannel(
  loaders: Loaders,
  viewer: Viewer,
  community: Community,
  channelId: number | null,
): Promise<{ id: number; gates: ChannelGates | null }> {
  if (channelId === null) {
    // The default channel restricts nothing (updateChannel refuses it): nothing to read.
    if (!community.defaultChannelId) throw new NotFound('Channel');
    return { id: community.defaultChannelId, gates: null };
  }
  const channel = await loaders.channel.load(channelId);
  if (!channel || channel.community.id !== community.id) throw new NotFound('Channel');
  return { id: channel.id, gates: community.restrictedChannels ? channel : null };
}

/** Recomputes the community's `restricted_channels` flag in the transaction that changed a channel. */
async function refreshRestricted(tx: EntityManager, communityId: number): Promise<void> {
  await sql(
    tx,
    `update communities set restricted_channels = exists (select 1 from channels
        where community_id = ? and (read_role is not null or read_level > 1 or post_role is not null or post_level > 1))
      where id = ?`,
    [communityId, communityId],
    'run',
  );
}

/** The community of a channel mutation, after `channels.manage` is checked. */
async function managedCommunity(ctx: Context, communityId: number): Promise<Community> {
  const { loaders, viewer } = ctx;
  requireUser(viewer);
  const community = await loaders.community.load(communityId);
  if (!community || !(await canReadContent(loaders, viewer, community))) throw new NotFound('Community');
  assertCan(await actorIn(loaders, viewer, communityId), 'channels.manage');
  return community;
}

/** Creates a channel (needs `channels.manage`). A taken slug: CONFLICT (unique index). */
export async function createChannel(ctx: Context, communityId: number, input: CreateChannelInput): Promise<Channel> {
  const { em } = ctx;
  await managedCommunity(ctx, communityId);
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const channel = await write(ctx, async (tx) => {
    // Locks the community row: concurrent creations count each other.
    const [{ n, last }] = await sql<{ n: number; last: number | null }[]>(
      tx,
      `select (select count(*)::int from channels where community_id = c.id) as n,
              (select max(position) from channels where community_id = c.id) as last
         from communities c where c.id = ? for update`,
      [communityId],
    );
    if (n >= CHANNEL_LIMITS.maxPerCommunity)
      throw new BadInput(`A community has at most ${CHANNEL_LIMITS.maxPerCommunity} channels`, 'communityId');
    const created = tx.create(Channel, {
      community: communityId,
      slug: input.slug,
      name,
      description: input.description.trim(),
      position: input.position ?? (last ?? 0) + 1,
      readRole: input.readRole ?? null,
      readLevel: input.readLevel,
      postRole: input.postRole ?? null,
      postLevel: input.postLevel,
      createdAt: new Date(),
    });
    await tx.flush();
    if (isRestricted(created)) await refreshRestricted(tx, communityId);
    return created;
  });
  const community = await em.findOne(Community, communityId);
  if (community) await em.refresh(community);
  return channel;
}

/** Changes a channel: name, description, position (reordering), restrictions (needs `channels.manage`). */
export async function updateChannel(
  ctx: Context,
  input: Omit<UpdateChannelInput, 'id'> & { id: number },
): Promise<Channel> {
  const { em, loaders, viewer } = ctx;
  const { channel } = await readableChannel(loaders, viewer, input.id);
  const community = await managedCommunity(ctx, channel.community.id);
  const next: ChannelGates = {
    readRole: input.readRole === undefined ? channel.readRole : input.readRole,
    readLevel: input.readLevel ?? channel.readLevel,
    postRole: input.postRole === undefined ? channel.postRole : input.postRole,
    postLevel: input.postLevel ?? channel.postLevel,
  };
  if (channel.id === community.defaultChannelId && isRestricted(next))
    throw new BadInput('The default channel cannot be restricted', 'id');
  const name = input.name?.trim();
  if (name === '') throw new BadInput('name must not be blank', 'name');
  await write(ctx, async (tx) => {
    await sql(
      tx,
      `update channels set name = ?, description = ?, position = ?, read_role = ?, read_level = ?, post_role = ?, post_level = ?
        where id = ?`,
      [
        name ?? channel.name,
        input.description?.trim() ?? channel.description,
        input.position ?? channel.position,
        next.readRole ?? null,
        next.readLevel,
        next.postRole ?? null,
        next.postLevel,
        channel.id,
      ],
      'run',
    );
    await refreshRestricted(tx, community.id);
  });
  await em.refresh(channel);
  await em.refresh(community);
  return channel;
}

/**
 * Removes a channel (needs `channels.manage`; never the default one): its posts move to the
 * community's default channel and its subscriptions go, in one transaction.
 */
export async function removeChannel(ctx: Context, channelId: number) {
  const { em, loaders, viewer } = ctx;
  const { channel } = await readableChannel(loaders, viewer, channelId);
  const community = await managedCommunity(ctx, channel.community.id);
  if (channel.id === community.defaultChannelId) throw new BadInput('The default channel cannot be removed', 'id');
  const moved = await write(ctx, async (tx) => {
    // A live quest counting this channel's posts keeps it (close the quest first); the goals of ended
    // ones lose the filter (set null), and the community's live goals are read again (quest_version).
    const [quests] = await sql<{ live: number; any: number }[]>(
      tx,
      `select count(*) filter (where q.archived_at is null and (q.ends_at is null or q.ends_at > now()))::int as live,
              count(*)::int as any
         from quest_goals g join quests q on q.id = g.quest_id where g.channel_id = ?`,
      [channel.id],
    );
    if (quests.live > 0)
      throw new BadInput('A live quest counts posts in this channel: close the quest first (closeQuest)', 'id');
    if (quests.any > 0)
      await sql(tx, 'update communities set quest_version = quest_version + 1 where id = ?', [community.id], 'run');
    const rows = await sql<unknown[]>(tx, 'update posts set channel_id = ? where channel_id = ? returning id', [
      community.defaultChannelId,
      channel.id,
    ]);
    await sql(tx, 'delete from channels where id = ?', [channel.id], 'run');
    await refreshRestricted(tx, community.id);
    return rows.length;
  });
  em.getUnitOfWork().unsetIdentity(channel);
  await em.refresh(community);
  return { removedChannelId: toGlobalId('Channel', channel.id), community, movedPostCount: moved };
}

/** Follows or mutes a channel for the viewer, or clears it (NONE): members who may read it. */
export async function setChannelSubscription(
  ctx: Context,
  channelId: number,
  input: Pick<SetChannelSubscriptionInput, 'state'>,
): Promise<Channel> {
  const { loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const { channel } = await readableChannel(loaders, viewer, channelId);
  assertCan(await actorIn(loaders, viewer, channel.community.id), 'channels.subscribe');
  const state = STATE_OF_CHOICE[input.state];
  await write(ctx, async (tx) => {
    if (state === null) {
      await sql(
        tx,
        'delete from channel_subscriptions where user_id = ? and channel_id = ?',
        [userId, channelId],
        'run',
      );
      return;
    }
    await sql(
      tx,
      `insert into channel_subscriptions (user_id, channel_id, state, created_at) values (?, ?, ?, now())
       on conflict (user_id, channel_id) do update set state = excluded.state`,
      [userId, channelId, state],
      'run',
    );
  });
  loaders.viewerChannelState.clear(channelId).prime(channelId, state);
  return channel;
}
