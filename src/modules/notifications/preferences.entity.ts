import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';
import { NotificationKind } from './notifications.entity';

/** How a user hears of one kind of notification. */
export enum NotificationChannel {
  IN_APP = 'IN_APP',
  EMAIL = 'EMAIL',
  DIGEST = 'DIGEST',
  OFF = 'OFF',
}
registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'How a user hears of a kind of notification. Without a preference: IN_APP.',
  valuesConfig: {
    IN_APP: { description: 'In `viewer.notifications` and `notificationAdded` only (the default).' },
    EMAIL: { description: 'In the app, and by an email for each notification as it is written.' },
    DIGEST: { description: 'In the app, and in the daily digest email of the notifications still unread.' },
    OFF: { description: 'Not at all: no notification is written.' },
  },
});

/**
 * A user's channel for one kind of notification: everywhere (`community` null), or in one community,
 * which overrides the first there. One per user, kind and community (a unique index that counts every
 * "everywhere" row as one).
 */
@Entity({ tableName: 'notification_preferences' })
@Index({
  name: 'notification_preferences_unique',
  expression:
    'create unique index "notification_preferences_unique" on "notification_preferences" ("user_id", "kind", (coalesce(community_id, 0)))',
})
@ObjectType('NotificationPreference', {
  simpleResolvers: true,
  description:
    'How the user hears of one kind of notification: everywhere (`community` null), or in one community, where it overrides the first.',
})
export class NotificationPreference {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  @Field(() => NotificationKind, { description: 'The kind of notification it applies to.' })
  @Enum({ items: () => NotificationKind })
  kind!: NotificationKind;

  /** Null: every community (and notifications of none). */
  @ManyToOne(() => Community, { ref: true, nullable: true, deleteRule: 'cascade' })
  community?: Ref<Community> | null;

  @Field(() => NotificationChannel, { description: 'How you hear of that kind.' })
  @Enum({ items: () => NotificationChannel })
  channel!: NotificationChannel;

  @Field({ description: 'When it was last set.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
