import { Args, ArgsType, Ctx, Field, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
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
import { preferences, setPreference } from './preferences.service';

@ArgsType()
class SetNotificationPreferenceArgs {
  @Field(() => NotificationKind, { description: 'The kind of notification.' })
  kind!: NotificationKind;

  @Field(() => NotificationChannel, { description: 'How to hear of it.' })
  channel!: NotificationChannel;

  @Field(() => ID, {
    nullable: true,
    description: 'Only in this community (overrides the preference for every community there); omitted: everywhere.',
  })
  communityId?: string | null;
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
  @Mutation(() => NotificationPreference, {
    description:
      'Sets how you hear of a kind of notification (IN_APP, EMAIL, DIGEST or OFF), everywhere or in one community you can see (NOT_FOUND otherwise). Setting it again replaces it. EMAIL and DIGEST mail only a verified address.',
  })
  setNotificationPreference(
    @Args() { kind, channel, communityId }: SetNotificationPreferenceArgs,
    @Ctx() ctx: Context,
  ): Promise<NotificationPreference> {
    return setPreference(ctx, {
      kind,
      channel,
      communityId: communityId == null ? null : fromGlobalId('Community', communityId),
    });
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
