import { ArrayMaxSize, ArrayMinSize } from 'class-validator';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { boundedListComplexity } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { visibleCommunity } from '../communities/communities.service';
import { User } from '../identity/identity.entity';
import { NotificationKind } from './notifications.entity';
import { assertSelf } from './notifications.service';
import { NotificationChannel, NotificationPreference } from './preferences.entity';
import { preferences, updatePreferences } from './preferences.service';
import { replacedBy } from '../../platform/deprecations';

const KINDS = Object.keys(NotificationKind).length;

@InputType({ description: 'How to hear of one kind of notification.' })
class NotificationPreferenceInput {
  @Field(() => NotificationKind, { description: 'The kind of notification.' })
  kind!: NotificationKind;

  @Field(() => NotificationChannel, {
    nullable: true,
    description: 'How to hear of it; null removes the preference (IN_APP everywhere; in a community, as everywhere).',
  })
  channel?: NotificationChannel | null;
}

@InputType({ description: 'Your notification preferences to change, everywhere or in one community.' })
class UpdateNotificationPreferencesInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Only in this community (overrides the preferences for every community there); omitted: everywhere.',
  })
  communityId?: string | null;

  @Field(() => [NotificationPreferenceInput], { description: `The kinds to change, each once (at most ${KINDS}).` })
  @ArrayMinSize(1, { message: 'name at least one kind' })
  @ArrayMaxSize(KINDS, { message: `name at most ${KINDS} kinds` })
  preferences!: NotificationPreferenceInput[];
}

@InputType({ description: 'Your notification preferences to set, everywhere or in one community.' })
class SetNotificationPreferencesInput extends UpdateNotificationPreferencesInput {}

@ObjectType({ description: 'The result of `setNotificationPreferences`.' })
class SetNotificationPreferencesPayload {
  @Field(() => [NotificationPreference], {
    complexity: boundedListComplexity(KINDS),
    description: 'Your preferences of that scope (everywhere, or the community), after the change.',
  })
  preferences!: NotificationPreference[];

  @Field(() => User, { description: 'You.' }) user!: User;
}

@ArgsType()
class NotificationPreferencesArgs {
  @Field(() => ID, {
    nullable: true,
    description: "This community's preferences (its overrides); omitted: those for every community.",
  })
  communityId?: string | null;
}

@Resolver(() => NotificationPreference)
export class NotificationPreferenceResolver {
  @Mutation(() => SetNotificationPreferencesPayload, {
    description:
      'Sets how you hear of some kinds of notification (IN_APP, EMAIL, DIGEST or OFF; null removes a preference), everywhere or in one community you can see (NOT_FOUND otherwise), at once. Returns your preferences of that scope. EMAIL and DIGEST mail only a verified address.',
  })
  async setNotificationPreferences(
    @Arg('input', { description: 'The community (or none, for everywhere) and the kinds to change.' })
    input: SetNotificationPreferencesInput,
    @Ctx() ctx: Context,
  ): Promise<SetNotificationPreferencesPayload> {
    const changed = await updatePreferences(
      ctx,
      input.communityId == null ? null : fromGlobalId('Community', input.communityId, 'communityId'),
      input.preferences.map((p) => ({ kind: p.kind, channel: p.channel ?? null })),
    );
    return { preferences: changed, user: (await ctx.loaders.user.load(ctx.viewer.userId!))! };
  }

  @Mutation(() => [NotificationPreference], {
    complexity: boundedListComplexity(KINDS),
    description:
      'Sets how you hear of some kinds of notification (IN_APP, EMAIL, DIGEST or OFF; null removes a preference), everywhere or in one community you can see (NOT_FOUND otherwise), at once. Returns your preferences of that scope. EMAIL and DIGEST mail only a verified address.',
    deprecationReason: replacedBy('updateNotificationPreferences'),
  })
  async updateNotificationPreferences(
    @Arg('input', { description: 'The community (or none, for everywhere) and the kinds to change.' })
    input: UpdateNotificationPreferencesInput,
    @Ctx() ctx: Context,
  ): Promise<NotificationPreference[]> {
    return (await this.setNotificationPreferences(input, ctx)).preferences;
  }

  @FieldResolver(() => Community, {
    nullable: true,
    description: 'The community it applies to; null: every community (or one you can no longer see).',
  })
  community(@Root() preference: NotificationPreference, @Ctx() ctx: Context): Promise<Community | null> | null {
    if (!preference.community) return null;
    return nullIfHidden(visibleCommunity(ctx.loaders, ctx.viewer, preference.community.id));
  }
}

@Resolver(() => User)
export class UserNotificationPreferencesResolver {
  @FieldResolver(() => [NotificationPreference], {
    // One per kind at most: the list of everywhere, or of one community.
    complexity: boundedListComplexity(Object.keys(NotificationKind).length),
    description:
      "Your notification preferences for every community, or one community's overrides (at most one per kind): a kind without one is IN_APP (or, in a community, as for every community). Only the user themself may read them.",
  })
  notificationPreferences(
    @Root() user: User,
    @Args() { communityId }: NotificationPreferencesArgs,
    @Ctx() ctx: Context,
  ): Promise<NotificationPreference[]> {
    assertSelf(ctx, user.id);
    return preferences(ctx, user.id, communityId == null ? null : fromGlobalId('Community', communityId));
  }
}
