import type { ModuleManifest } from '../../platform/module';
import { createChannelLoaders } from './channels.loaders';
import { ChannelsResolver, CommunityChannelsResolver, PostChannelResolver } from './channels.resolver';

type ChannelLoaders = ReturnType<typeof createChannelLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends ChannelLoaders {}
}

/** Channels of a community (every post belongs to one), their reading and posting restrictions, and members following or muting them. */
export const channels: ModuleManifest = {
  name: 'channels',
  resolvers: [ChannelsResolver, CommunityChannelsResolver, PostChannelResolver],
  loaders: (em, viewer) => createChannelLoaders(em, viewer),
};
