import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { fastSql } from '../../platform/database/sql';
import { byIdLoader, managedFromRow } from '../../platform/by-id-loader';
import type { Viewer } from '../identity/viewer';
import { Channel, ChannelSubscriptionState } from './channels.entity';

/** Per-request loaders of channels; `viewerChannelState` answers for `viewer`. */
export function createChannelLoaders(em: EntityManager, viewer: Viewer) {
  const channel = byIdLoader(em, Channel);
  return {
    channel,
    /**
     * Every channel of each community, by position then id, in one statement for all the
     * communities of the request (a community has at most CHANNEL_LIMITS.maxPerCommunity); primes
     * `channel`. Read only when something needs the list: the channel checks read it only for a
     * community whose `restrictedChannels` is true.
     */
    communityChannels: new DataLoader<number, Channel[]>(async (communityIds) => {
      const rows = await fastSql(
        em,
        'select * from channels where community_id = any($1::int[]) order by community_id, position, id',
        [[...communityIds]],
      );
      const byCommunity = new Map<number, Channel[]>();
      for (const row of rows) {
        const c = managedFromRow(em, Channel, row);
        channel.prime(c.id, c);
        const id = row.community_id as number;
        byCommunity.set(id, [...(byCommunity.get(id) ?? []), c]);
      }
      return communityIds.map((id) => byCommunity.get(id) ?? []);
    }),
    /** The viewer's subscription state of each channel (null: none, or anonymous), in one statement. */
    viewerChannelState: new DataLoader<number, ChannelSubscriptionState | null>(async (channelIds) => {
      if (viewer.userId === null) return channelIds.map(() => null);
      const rows = await fastSql<{ channel_id: number; state: ChannelSubscriptionState }>(
        em,
        'select channel_id, state from channel_subscriptions where user_id = $1 and channel_id = any($2::int[])',
        [viewer.userId, [...channelIds]],
      );
      const states = new Map(rows.map((r) => [r.channel_id, r.state]));
      return channelIds.map((id) => states.get(id) ?? null);
    }),
  };
}
