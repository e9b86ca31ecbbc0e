import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { Forbidden, NotFound } from '../../platform/errors';
import { liveRowsSource, type FeedSource, type Row } from '../../platform/live-feed';
import { liveStream } from '../../platform/live-stream';
import type { Viewer } from '../identity/viewer';
import { AUTHOR_COLUMNS, takeAuthor } from '../identity/user-views';
import { readableChannel } from '../channels/channels.service';
import { communityTopics } from '../communities/communities.events';
import type { Role, Visibility } from '../communities/communities.entity';
import { actorIn, canReadContent, visibleCommunity } from '../communities/communities.service';
import { canReadChannel, type Actor, type ChannelGates } from '../communities/permissions';
import type { Loaders } from '../../platform/loaders';
import { postTopics, type PostAddedEvent } from './posts.events';
import type { Post } from './posts.entity';
import { postView } from './rows';
import { Channel } from '../channels/channels.entity';
import { ref, timestamp, view } from '../../platform/views';

/** A post's channel, read with it (`ch__` columns): its reading gate, and `Post.channel` with no statement. */
const CHANNEL_COLUMNS = [
  'id',
  'community_id',
  'name',
  'slug',
  'description',
  'position',
  'read_role',
  'read_level',
  'post_role',
  'post_level',
  'created_at',
]
  .map((c) => `ch.${c} as ch__${c}`)
  .join(', ');

/**
 * A community's posts as a live feed, with their authors (`a__` columns) and their channels (`ch__`
 * columns), deleted and hidden ones (held by AutoMod) left out; its state is the community's
 * visibility (null once it is gone).
 */
function postSource(communityId: number): FeedSource<Visibility> {
  return liveRowsSource({
    topic: postTopics.postAdded(communityId),
    idOf: (event) => (event as PostAddedEvent).postId,
    table: 'posts',
    alias: 'p',
    scopeColumn: 'community_id',
    scopeId: communityId,
    filter: 'deleted_at is null and hidden_at is null',
    columns: `${AUTHOR_COLUMNS}, ${CHANNEL_COLUMNS}`,
    joins: ['join users u on u.id = p.author_id', 'join channels ch on ch.id = p.channel_id'],
    async state(em) {
      const [state] = await sql<{ visibility: Visibility }[]>(em, 'select visibility from communities where id = ?', [
        communityId,
      ]);
      return state?.visibility ?? null;
    },
  });
}

/** What one subscriber may be sent, decided from a row alone (see {@link postAddedStream}). */
interface Audience {
  actor: Actor;
  /** The channels the subscriber muted in the community (only without `channelId`). */
  muted: ReadonlySet<number>;
}

/** The community's channels the viewer muted: one statement, when subscribing and on each re-check. */
async function mutedChannels(em: EntityManager, viewer: Viewer, communityId: number): Promise<Set<number>> {
  if (viewer.userId === null) return new Set();
  const rows = await sql<{ channel_id: number }[]>(
    em,
    `select s.channel_id from channel_subscriptions s join channels c on c.id = s.channel_id
      where s.user_id = ? and s.state = 'MUTED' and c.community_id = ?`,
    [viewer.userId, communityId],
  );
  return new Set(rows.map((r) => r.channel_id));
}

/**
 * The community (and the channel) the viewer may follow, and what they may be sent: outsiders of
 * a PRIVATE or RESTRICTED community are refused as `memberJoined` refuses them (NOT_FOUND when they
 * cannot even see it, FORBIDDEN otherwise); a channel they may not read, or of another community,
 * is NOT_FOUND (as `readableChannel`).
 */
async function audienceOf(
  ctx: Context,
  loaders: Loaders,
  communityId: number,
  channelId: number | null,
): Promise<{ visibility: Visibility; audience: Audience }> {
  const { viewer } = ctx;
  const community = await visibleCommunity(loaders, viewer, communityId);
  if (!(await canReadContent(loaders, viewer, community)))
    throw new Forbidden('Only members can follow a private community');
  if (channelId !== null) {
    const { channel } = await readableChannel(loaders, viewer, channelId);
    if (channel.community.id !== communityId) throw new NotFound('Channel');
  }
  const actor = await actorIn(loaders, viewer, communityId);
  const muted = channelId === null ? await mutedChannels(ctx.em, viewer, communityId) : new Set<number>();
  return { visibility: community.visibility, audience: { actor, muted } };
}

/** A post row's channel reading gate (the `ch__` columns; its posting gate does not matter here). */
function gatesOf(row: Row): ChannelGates {
  return {
    readRole: (row.ch__read_role as Role | null) ?? null,
    readLevel: row.ch__read_level as number,
    postLevel: 1,
  };
}

/** A post row's channel (the `ch__` columns), as a view. */
function channelOf(row: Row): Channel {
  return view(Channel, {
    id: row.ch__id,
    community: ref(row.ch__community_id),
    name: row.ch__name,
    slug: row.ch__slug,
    description: row.ch__description,
    position: row.ch__position,
    readRole: row.ch__read_role,
    readLevel: row.ch__read_level,
    postRole: row.ch__post_role,
    postLevel: row.ch__post_level,
    createdAt: timestamp(row.ch__created_at),
  });
}

/**
 * `postAdded(communityId, channelId)`: the community's new posts (or one channel's) as they are
 * created. Like `commentAdded`, new posts come from the community's shared live feed: one pub/sub
 * subscription and one read per batch of new posts on this instance, whatever the number of
 * subscribers. Each subscriber then keeps, from the rows alone, the posts of channels it may read
 * (its role and level, read when subscribing and re-read on every re-check) and did not mute
 * (without `channelId`): no statement per subscriber per post. Access is checked when subscribing
 * and again when the viewer's memberships change, the community's visibility changes, or pub/sub
 * reconnects; the stream completes once the viewer may no longer read (the community, or the channel).
 * Posts by members the viewer blocked are delivered masked, as comments are (see hidden-content.ts).
 */
export async function postAddedStream(
  ctx: Context,
  communityId: number,
  channelId: number | null,
): Promise<AsyncIterable<Post>> {
  let { visibility, audience } = await audienceOf(ctx, ctx.loaders, communityId, channelId);
  return liveStream({
    ctx,
    source: postSource(communityId),
    afterId: null,
    state: visibility,
    replay: async () => [], // no cursor: nothing to replay
    keep: (row) =>
      (channelId === null ? !audience.muted.has(row.channel_id as number) : row.channel_id === channelId) &&
      canReadChannel(audience.actor, gatesOf(row)),
    toItem: (row) => {
      const post = postView(takeAuthor(ctx.loaders, row));
      ctx.loaders.post.prime(post.id, post);
      const channel = channelOf(row);
      ctx.loaders.channel.clear(channel.id).prime(channel.id, channel);
      return post;
    },
    recheck: async () => {
      ({ visibility, audience } = await audienceOf(ctx, ctx.loaders, communityId, channelId));
      return visibility;
    },
    recheckTopics: ctx.viewer.userId !== null ? [communityTopics.membershipChanged(ctx.viewer.userId)] : [],
  });
}
