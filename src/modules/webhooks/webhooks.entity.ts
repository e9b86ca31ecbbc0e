import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { Community } from '../communities/communities.entity';
import { User } from '../identity/identity.entity';

/** What a webhook tells (a `webhook_events` row's type; an endpoint subscribes to some of them). */
export enum WebhookEventType {
  POST_CREATED = 'POST_CREATED',
  COMMENT_ADDED = 'COMMENT_ADDED',
  MEMBER_JOINED = 'MEMBER_JOINED',
  RSVP_CHANGED = 'RSVP_CHANGED',
  POLL_CLOSED = 'POLL_CLOSED',
  MODERATION_DECISION = 'MODERATION_DECISION',
}
registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'What happened in a community, as its webhooks tell it (the payload\u2019s `type`).',
  valuesConfig: {
    POST_CREATED: { description: 'A post was written (`post.created`).' },
    COMMENT_ADDED: { description: 'A comment was added to a post (`comment.added`).' },
    MEMBER_JOINED: { description: 'Someone became a member (`member.joined`).' },
    RSVP_CHANGED: { description: 'Someone answered an event or changed their answer (`rsvp.changed`).' },
    POLL_CLOSED: { description: 'A poll closed, by hand or by time; its results are final (`poll.closed`).' },
    MODERATION_DECISION: { description: 'A moderator (or AutoMod) decided on a queue item (`moderation.decision`).' },
  },
});

/** Where a delivery stands. */
export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery stands.',
  valuesConfig: {
    PENDING: {
      description: 'Not delivered yet: waiting for its first attempt or for its next retry (`nextAttemptAt`).',
    },
    SUCCEEDED: { description: 'The endpoint answered with a 2xx status.' },
    FAILED: {
      description:
        'Given up: every attempt failed during the retry window, or its endpoint was disabled or deleted. `resendWebhookDelivery` tries again.',
    },
  },
});

/**
 * An endpoint a community's admins registered: the events of the types it subscribes to are
 * signed with its secret (Standard Webhooks) and posted to its URL. The secret is stored sealed
 * (AES-256-GCM keyed by TOKEN_SECRET) and shown only when created or rotated.
 */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ name: 'webhook_endpoints_community_index', properties: ['community', 'id'] })
@Index({
  name: 'webhook_endpoints_enabled_index',
  expression:
    'create index "webhook_endpoints_enabled_index" on "webhook_endpoints" ("community_id") include ("event_types") where enabled',
})
@ObjectType('WebhookEndpoint', {
  implements: Node,
  simpleResolvers: true,
  description: 'A URL that receives a community\u2019s events, signed (Standard Webhooks). Its admins alone read it.',
})
export class WebhookEndpoint extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'WebhookEndpoint';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'set null' })
  createdBy?: Ref<User> | null;

  @Field({ description: 'Where events are posted (http or https).' })
  @Property({ length: 2000 })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'The event types it receives.' })
  @Property({ type: 'text[]' })
  eventTypes!: WebhookEventType[];

  /** `whsec_…`, sealed (see secrets.ts). */
  @Property({ type: 'text' })
  secretSealed!: string;

  @Field({
    description: 'Receives events; false once disabled (by hand, or after failing for the whole failure window).',
  })
  @Property({ default: true })
  enabled: boolean = true;

  @Field(() => Date, { nullable: true, description: 'Since when every delivery has failed; null while it answers.' })
  @Property({ type: 'datetime', nullable: true })
  failingSince?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When it was disabled for failing (null otherwise); `updateWebhookEndpoint(enabled: true)` enables it again.',
  })
  @Property({ type: 'datetime', nullable: true })
  disabledAt?: Date | null;

  @Field({ description: 'When the endpoint was registered.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * Something that happened in a community with an enabled endpoint subscribed to its type, written
 * by a trigger in the transaction of the write that caused it. Its payload is built when read (from
 * the rows as they are then), so content hidden or removed since is never sent. Ids only grow:
 * `webhookEvents(after)` catches up from a cursor.
 */
@Entity({ tableName: 'webhook_events' })
@Index({ name: 'webhook_events_community_index', properties: ['community', 'id'] })
@ObjectType('WebhookEvent', {
  implements: Node,
  simpleResolvers: true,
  description: 'Something that happened in a community, as its webhooks tell it. Its admins alone read it.',
})
export class WebhookEvent extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'WebhookEvent';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @Field(() => WebhookEventType, { description: 'What happened.' })
  @Enum({ items: () => WebhookEventType })
  type!: WebhookEventType;

  /** The row it is about (a post, comment, member, RSVP, poll or moderation decision). */
  @Property({ type: 'integer' })
  subjectId!: number;

  @Field({ description: 'When it happened.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * One event sent to one endpoint: retried with exponential backoff until it succeeds or the retry
 * window ends; its last attempt is logged (status code, latency, a short excerpt of the answer).
 */
@Entity({ tableName: 'webhook_deliveries' })
@Index({ name: 'webhook_deliveries_endpoint_index', properties: ['endpoint', 'id'] })
@Index({
  name: 'webhook_deliveries_first_unique',
  expression:
    'create unique index "webhook_deliveries_first_unique" on "webhook_deliveries" ("endpoint_id", "event_id") where redelivery_of_id is null',
})
@ObjectType('WebhookDelivery', {
  implements: Node,
  simpleResolvers: true,
  description: 'One event sent to one endpoint, with its last attempt. Its community\u2019s admins alone read it.',
})
export class WebhookDelivery extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'WebhookDelivery';
  }

  @ManyToOne(() => WebhookEndpoint, { ref: true, deleteRule: 'cascade' })
  endpoint!: Ref<WebhookEndpoint>;

  @ManyToOne(() => WebhookEvent, { ref: true, deleteRule: 'cascade' })
  event!: Ref<WebhookEvent>;

  /** The delivery this one repeats (`resendWebhookDelivery`); null for the first. */
  @Property({ type: 'integer', nullable: true })
  redeliveryOfId?: number | null;

  @Field(() => WebhookDeliveryStatus, { description: 'Where the delivery stands.' })
  @Enum({ items: () => WebhookDeliveryStatus, default: WebhookDeliveryStatus.PENDING })
  status: WebhookDeliveryStatus = WebhookDeliveryStatus.PENDING;

  @Field(() => Int, { description: 'Attempts made so far.' })
  @Property({ type: 'integer', default: 0 })
  attempts: number = 0;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt (null: no answer, see `error`).' })
  @Property({ type: 'integer', nullable: true })
  responseStatus?: number | null;

  @Field(() => Int, { nullable: true, description: 'Milliseconds the last attempt took.' })
  @Property({ type: 'integer', nullable: true })
  latencyMs?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'The start of the last answer\u2019s body (at most 512 characters; nothing more is kept).',
  })
  @Property({ type: 'text', nullable: true })
  responseExcerpt?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt got no answer (refused address, timeout, connection error).',
  })
  @Property({ type: 'text', nullable: true })
  error?: string | null;

  @Field({ description: 'When the delivery was queued.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true, description: 'When it was last tried; null before the first attempt.' })
  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it will be tried again (PENDING only).' })
  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the endpoint answered with a 2xx status; null unless SUCCEEDED.',
  })
  @Property({ type: 'datetime', nullable: true })
  deliveredAt?: Date | null;
}
