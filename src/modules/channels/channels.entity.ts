import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community, Role } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';

/**
 * A channel of a community: every post belongs to exactly one. Each community has a default one
 * (`communities.default_channel_id`, slug `general`), created with it, which cannot be removed nor
 * restricted. A channel may restrict READING and/or POSTING to a least role and/or a least
 * reputation level (see `channelGate` in communities/permissions.ts).
 */
@Entity({ tableName: 'channels' })
@Unique({ name: 'channels_community_slug_unique', properties: ['community', 'slug'] })
@Index({ name: 'channels_community_position_index', properties: ['community', 'position', 'id'] })
@Check({ name: 'channels_read_level_check', expression: 'read_level >= 1' })
@Check({ name: 'channels_post_level_check', expression: 'post_level >= 1' })
@ObjectType('Channel', {
  implements: Node,
  simpleResolvers: true,
  description: 'A channel of a community: every post belongs to one; it may restrict who reads it and who posts in it.',
})
export class Channel extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'Channel';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field({ description: 'Display name, 1 to 100 characters.' })
  @Property({ length: 100 })
  name!: string;

  @Field({ description: 'Lower-case, URL-safe name, unique in its community.' })
  @Property({ length: 50 })
  slug!: string;

  @Field({ description: 'Free-text description, at most 2000 characters; empty when none was given.' })
  @Property({ type: 'text', default: '' })
  description: string = '';

  @Field(() => Int, { description: 'Where it comes in `Community.channels` (ascending; ties by creation).' })
  @Property({ default: 0 })
  position: number = 0;

  @Field(() => Role, {
    nullable: true,
    description: 'The least role that may read it; null: whoever reads the community.',
  })
  @Enum({ items: () => Role, nativeEnumName: 'member_role', nullable: true })
  readRole?: Role | null;

  @Field(() => Int, {
    description: 'The least reputation level that may read it (1: no level needed; moderators and above need none).',
  })
  @Property({ default: 1 })
  readLevel: number = 1;

  @Field(() => Role, {
    nullable: true,
    description: 'The least role that may post and comment in it; null: whoever may write in the community.',
  })
  @Enum({ items: () => Role, nativeEnumName: 'member_role', nullable: true })
  postRole?: Role | null;

  @Field(() => Int, {
    description:
      'The least reputation level that may post and comment in it (1: no level needed; moderators and above need none).',
  })
  @Property({ default: 1 })
  postLevel: number = 1;

  @Field({ description: 'When the channel was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** Whether a channel restricts reading or posting (its community's `restricted_channels` is then true). */
export function isRestricted(channel: Pick<Channel, 'readRole' | 'readLevel' | 'postRole' | 'postLevel'>): boolean {
  return !!channel.readRole || channel.readLevel > 1 || !!channel.postRole || channel.postLevel > 1;
}

export enum ChannelSubscriptionState {
  FOLLOWING = 'FOLLOWING',
  MUTED = 'MUTED',
}
registerEnumType(ChannelSubscriptionState, {
  name: 'ChannelSubscriptionState',
  description: 'How a member follows a channel.',
  valuesConfig: {
    FOLLOWING: { description: 'Followed: the member asked to hear of it (personal feeds use it).' },
    MUTED: { description: "Muted: its posts are left out of the community's feeds for the member." },
  },
});

/**
 * One member's choice about one channel: FOLLOWING or MUTED; no row is the neutral state (setting
 * NONE deletes the row). Read by `Channel.viewerState` and by the community feeds (muted channels
 * left out); a personal feed may read the FOLLOWING rows.
 */
@Entity({ tableName: 'channel_subscriptions' })
@Unique({ name: 'channel_subscriptions_user_channel_unique', properties: ['user', 'channel'] })
@Index({ name: 'channel_subscriptions_channel_index', properties: ['channel'] })
export class ChannelSubscription {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @ManyToOne(() => Channel, { ref: true, deleteRule: 'cascade' })
  channel!: Ref<Channel>;

  @Enum({ items: () => ChannelSubscriptionState, nativeEnumName: 'channel_subscription_state' })
  state!: ChannelSubscriptionState;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
