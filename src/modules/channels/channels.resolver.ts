import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { decodeCursor } from '../../platform/cursors';
import { fromGlobalId } from '../../platform/ids';
import { Connection, connectionComplexity, pageRequest, toConnection } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { actorIn, assertCanReadContent } from '../communities/communities.service';
import { canReadChannel } from '../communities/permissions';
import { channelPosts } from '../posts/feeds';
import { Post } from '../posts/posts.entity';
import { PostsArgs } from '../posts/posts.inputs';
import { PostConnection, listingReads } from '../posts/posts.resolver';
import { Channel, ChannelSubscriptionState } from './channels.entity';
import {
  ChannelsArgs,
  CreateChannelInput,
  RemoveChannelInput,
  RemoveChannelPayload,
  SetChannelSubscriptionInput,
  UpdateChannelInput,
} from './channels.inputs';
import * as channels from './channels.service';

@ObjectType()
export class ChannelConnection extends Connection(Channel, 'Channel') {}

/** A channel's cursor: its place in the list (position, id). */
const keyOf = (c: Channel) => [c.position, c.id];
const before = (a: number[], b: number[]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

@Resolver(() => Channel)
export class ChannelsResolver {
  @FieldResolver(() => Community, { description: 'The community the channel belongs to.' })
  community(@Root() channel: Channel, @Ctx() { loaders }: Context): Community | Promise<Community> {
    return loaders.community.value(channel.community.id) as Community | Promise<Community>;
  }

  @FieldResolver(() => Boolean, {
    description:
      "Whether it is the community's default channel (posts without a channel go there; it cannot be removed).",
  })
  async isDefault(@Root() channel: Channel, @Ctx() { loaders }: Context): Promise<boolean> {
    const community = await loaders.community.load(channel.community.id);
    return community?.defaultChannelId === channel.id;
  }

  @FieldResolver(() => PostConnection, {
    complexity: connectionComplexity,
    description: "The channel's posts, pinned first, in the community feed's orderings.",
  })
  async posts(
    @Root() channel: Channel,
    @Args() args: PostsArgs,
    @Ctx() { em, loaders, viewer }: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    // Whoever reached the channel reads it (node, Community.channels, Post.channel check it).
    return channelPosts(em, loaders, viewer, channel, args, listingReads(info));
  }

  @FieldResolver(() => ChannelSubscriptionState, {
    nullable: true,
    description: 'Whether you follow or muted the channel; null: neither, or anonymous.',
  })
  viewerState(@Root() channel: Channel, @Ctx() { loaders, viewer }: Context) {
    if (viewer.userId === null) return null;
    return loaders.viewerChannelState.load(channel.id);
  }

  @Mutation(() => Channel, { description: 'Creates a channel in a community (ADMIN or above: `channels.manage`).' })
  createChannel(
    @Arg('input', { description: 'The channel to create.' }) input: CreateChannelInput,
    @Ctx() ctx: Context,
  ): Promise<Channel> {
    return channels.createChannel(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Mutation(() => Channel, {
    description: 'Changes a channel: name, description, position (reordering) and restrictions (`channels.manage`).',
  })
  updateChannel(
    @Arg('input', { description: 'The channel and the changes.' }) input: UpdateChannelInput,
    @Ctx() ctx: Context,
  ): Promise<Channel> {
    return channels.updateChannel(ctx, { ...input, id: fromGlobalId('Channel', input.id) });
  }

  @Mutation(() => RemoveChannelPayload, {
    description: 'Removes a channel (`channels.manage`; not the default one): its posts move to the default channel.',
  })
  removeChannel(
    @Arg('input', { description: 'The channel to remove.' }) input: RemoveChannelInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveChannelPayload> {
    return channels.removeChannel(ctx, fromGlobalId('Channel', input.id));
  }

  @Mutation(() => Channel, {
    description:
      "Follows or mutes a channel for you, or clears it (members; a muted channel leaves the community's feeds for you).",
  })
  setChannelSubscription(
    @Arg('input', { description: 'The channel and the state.' }) input: SetChannelSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<Channel> {
    return channels.setChannelSubscription(ctx, fromGlobalId('Channel', input.channelId, 'channelId'), input);
  }
}

@Resolver(() => Community)
export class CommunityChannelsResolver {
  @FieldResolver(() => ChannelConnection, {
    complexity: connectionComplexity,
    description:
      'The channels you may read, by position. A community has at most 50: they are read in one statement for every community of the request.',
  })
  async channels(@Root() community: Community, @Args() args: ChannelsArgs, @Ctx() { loaders, viewer }: Context) {
    await assertCanReadContent(loaders, viewer, community);
    const page = pageRequest(args);
    let list = await loaders.communityChannels.load(community.id);
    if (community.restrictedChannels) {
      const actor = await actorIn(loaders, viewer, community.id);
      list = list.filter((c) => canReadChannel(actor, c));
    }
    const shape = ['number', 'number'] as const;
    if (page.after) {
      const key = decodeCursor(page.after, shape, 'after') as number[];
      list = list.filter((c) => before(key, keyOf(c)));
    }
    if (page.before) {
      const key = decodeCursor(page.before, shape, 'before') as number[];
      list = list.filter((c) => before(keyOf(c), key));
    }
    const rows = page.backward ? [...list].reverse() : list;
    return toConnection(rows.slice(0, page.size + 1), page, keyOf);
  }
}

@Resolver(() => Post)
export class PostChannelResolver {
  @FieldResolver(() => Channel, { description: 'The channel the post belongs to.' })
  channel(@Root() post: Post, @Ctx() { loaders }: Context): Promise<Channel> {
    return loaders.channel.load(post.channel.id) as Promise<Channel>;
  }
}
