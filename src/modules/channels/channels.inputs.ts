import { IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';
import { Community, Role } from '../communities/communities.entity';
import { SLUG_PATTERN } from '../communities/communities.inputs';
import { ChannelSubscriptionState } from './channels.entity';

/** Limits of channels. */
export const CHANNEL_LIMITS = {
  /** Channels a community may have (so `Community.channels` reads them all in one short statement). */
  maxPerCommunity: 50,
  descriptionLength: 2000,
  /** The highest reputation level a restriction may name (reputation/rules.ts MAX_LEVELS). */
  maxLevel: 20,
};

/** The default channel every community has (created with it; never removed nor restricted). */
export const DEFAULT_CHANNEL = { slug: 'general', name: 'General', description: 'Everything else.' };

@InputType({ description: 'A new channel of a community (needs `channels.manage`: ADMIN or above).' })
export class CreateChannelInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;

  @Field({ description: '3–50 lower-case letters, digits and dashes; unique in the community.' })
  @Matches(SLUG_PATTERN, { message: 'slug must be 3–50 lower-case letters, digits and single dashes' })
  slug!: string;

  @Field({ description: 'Display name, 1 to 100 characters.' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name!: string;

  @Field({ defaultValue: '', description: 'Free-text description, at most 2000 characters.' })
  @MaxLength(CHANNEL_LIMITS.descriptionLength)
  description!: string;

  @Field(() => Int, { nullable: true, description: 'Its place in `Community.channels`; default: after the last one.' })
  @IsOptional()
  @Min(0)
  @Max(10000)
  position?: number;

  @Field(() => Role, {
    nullable: true,
    description: 'The least role that may read it; null: whoever reads the community.',
  })
  readRole?: Role | null;

  @Field(() => Int, { defaultValue: 1, description: 'The least reputation level that may read it (1 to 20; 1: none).' })
  @Min(1)
  @Max(CHANNEL_LIMITS.maxLevel)
  readLevel!: number;

  @Field(() => Role, {
    nullable: true,
    description: 'The least role that may post and comment in it; null: any member.',
  })
  postRole?: Role | null;

  @Field(() => Int, {
    defaultValue: 1,
    description: 'The least reputation level that may post and comment in it (1 to 20; 1: none).',
  })
  @Min(1)
  @Max(CHANNEL_LIMITS.maxLevel)
  postLevel!: number;
}

@InputType({
  description:
    'Changes to a channel (needs `channels.manage`): omitted fields keep their value; a null role removes that restriction.',
})
export class UpdateChannelInput {
  @Field(() => ID, { description: 'Global id of the channel.' }) id!: string;

  @Field({ nullable: true, description: 'New display name, 1 to 100 characters.' })
  @IsOptional()
  @Length(1, 100, { message: 'name must be 1 to 100 characters long' })
  name?: string;

  @Field({ nullable: true, description: 'New description, at most 2000 characters.' })
  @IsOptional()
  @MaxLength(CHANNEL_LIMITS.descriptionLength)
  description?: string;

  @Field(() => Int, { nullable: true, description: 'New place in `Community.channels` (reordering).' })
  @IsOptional()
  @Min(0)
  @Max(10000)
  position?: number;

  @Field(() => Role, { nullable: true, description: 'New least role to read it; null: no role restriction.' })
  readRole?: Role | null;

  @Field(() => Int, { nullable: true, description: 'New least level to read it (1 to 20).' })
  @IsOptional()
  @Min(1)
  @Max(CHANNEL_LIMITS.maxLevel)
  readLevel?: number;

  @Field(() => Role, { nullable: true, description: 'New least role to post in it; null: no role restriction.' })
  postRole?: Role | null;

  @Field(() => Int, { nullable: true, description: 'New least level to post in it (1 to 20).' })
  @IsOptional()
  @Min(1)
  @Max(CHANNEL_LIMITS.maxLevel)
  postLevel?: number;
}

@InputType({
  description: "The channel to remove (needs `channels.manage`); its posts move to the community's default channel.",
})
export class RemoveChannelInput {
  @Field(() => ID, { description: 'Global id of the channel (not the default one).' }) id!: string;
}

@ObjectType({ description: 'The result of `removeChannel`.' })
export class RemoveChannelPayload {
  @Field(() => ID, { description: 'Global id of the channel removed.' }) removedChannelId!: string;
  @Field(() => Community, { description: 'Its community, whose default channel now holds its posts.' })
  community!: Community;
  @Field(() => Int, { description: 'How many posts moved to the default channel.' }) movedPostCount!: number;
}

/** What a member asks of a channel: follow it, mute it, or neither. */
export enum ChannelSubscriptionChoice {
  FOLLOWING = 'FOLLOWING',
  MUTED = 'MUTED',
  NONE = 'NONE',
}
registerEnumType(ChannelSubscriptionChoice, {
  name: 'ChannelSubscriptionChoice',
  description: 'What `setChannelSubscription` sets.',
  valuesConfig: {
    FOLLOWING: { description: 'Follow the channel.' },
    MUTED: { description: "Mute it: its posts leave the community's feeds for you." },
    NONE: { description: 'Neither (the default).' },
  },
});

export const STATE_OF_CHOICE: Record<ChannelSubscriptionChoice, ChannelSubscriptionState | null> = {
  FOLLOWING: ChannelSubscriptionState.FOLLOWING,
  MUTED: ChannelSubscriptionState.MUTED,
  NONE: null,
};

@InputType({ description: 'Follow, mute or neither, for one channel of a community you belong to.' })
export class SetChannelSubscriptionInput {
  @Field(() => ID, { description: 'Global id of the channel.' }) channelId!: string;
  @Field(() => ChannelSubscriptionChoice, { description: 'FOLLOWING, MUTED, or NONE to clear.' })
  state!: ChannelSubscriptionChoice;
}

@ArgsType()
export class ChannelsArgs extends PageArgs {}
