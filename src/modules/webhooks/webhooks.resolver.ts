import { GraphQLJSONObject } from 'graphql-scalars';
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
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity, encodeCursor } from '../../platform/pagination';
import { Community } from '../communities/communities.entity';
import { webhookId } from './delivery';
import { PAYLOAD_TYPE } from './payloads';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from './webhooks.entity';
import { CreateWebhookEndpointInput, UpdateWebhookEndpointInput, WEBHOOK_LIMITS } from './webhooks.inputs';
import * as webhooks from './webhooks.service';
import { replacedBy } from '../../platform/deprecations';

@ObjectType()
export class WebhookEndpointConnection extends Connection(WebhookEndpoint, 'WebhookEndpoint', {
  totalCount: `How many webhook endpoints the community has (all pages): counted, as it may have at most ${WEBHOOK_LIMITS.endpointsPerCommunity}.`,
}) {}
@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDelivery, 'WebhookDelivery') {}
@ObjectType()
export class WebhookEventConnection extends Connection(WebhookEvent, 'WebhookEvent') {}

@ObjectType({ description: 'An endpoint with its signing secret: the only time the secret is shown.' })
export class WebhookEndpointSecretPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' })
  endpoint!: WebhookEndpoint;

  @Field({
    description:
      'The signing secret (`whsec_…`, Standard Webhooks): verify each delivery\u2019s `webhook-signature` with it. Shown once; `rotateWebhookEndpointSecret` makes a new one.',
  })
  secret!: string;
}

@InputType({ description: 'The webhook endpoint to remove.' })
export class RemoveWebhookEndpointInput {
  @Field(() => ID, { description: 'Global id of the webhook endpoint.' }) id!: string;
}

@ObjectType({ description: 'The result of `removeWebhookEndpoint`.' })
export class RemoveWebhookEndpointPayload {
  @Field(() => ID, { description: 'Global id of the endpoint removed.' }) removedEndpointId!: string;
  @Field(() => Community, { description: 'Its community.' }) community!: Community;
}

@InputType({ description: 'The webhook endpoint whose secret to replace.' })
export class RotateWebhookEndpointSecretInput {
  @Field(() => ID, { description: 'Global id of the webhook endpoint.' }) id!: string;
}

@InputType({ description: 'A past delivery to send again.' })
export class ResendWebhookDeliveryInput {
  @Field(() => ID, { description: 'Global id of the delivery to send again.' }) deliveryId!: string;
}

@ArgsType()
class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { description: 'The endpoint whose deliveries to list.' })
  endpointId!: string;
}

@ArgsType()
class WebhookEventsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'The community whose events to list (or give `endpointId`).' })
  communityId?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Only the events of the types this endpoint receives, in its community.',
  })
  endpointId?: string;
}

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @Mutation(() => WebhookEndpointSecretPayload, {
    description:
      'Registers a webhook endpoint (community ADMIN or above): the events of the types it names are signed and posted to its URL. Returns its secret, shown this once.',
  })
  createWebhookEndpoint(
    @Arg('input', { description: 'The community, the URL and the event types.' }) input: CreateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ) {
    return webhooks.createEndpoint(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Mutation(() => WebhookEndpoint, {
    description:
      'Changes a webhook endpoint\u2019s URL, event types or whether it is enabled (community ADMIN or above).',
  })
  updateWebhookEndpoint(
    @Arg('input', { description: 'The endpoint and the changes.' }) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ) {
    return webhooks.updateEndpoint(ctx, fromGlobalId('WebhookEndpoint', input.id), input);
  }

  @Mutation(() => RemoveWebhookEndpointPayload, {
    description: 'Deletes a webhook endpoint and its deliveries (community ADMIN or above).',
  })
  async removeWebhookEndpoint(
    @Arg('input', { description: 'The webhook endpoint.' }) input: RemoveWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveWebhookEndpointPayload> {
    const id = fromGlobalId('WebhookEndpoint', input.id);
    const communityId = await webhooks.deleteEndpoint(ctx, id);
    return {
      removedEndpointId: toGlobalId('WebhookEndpoint', id),
      community: (await ctx.loaders.community.load(communityId))!,
    };
  }

  @Mutation(() => WebhookEndpointSecretPayload, {
    description:
      'Replaces a webhook endpoint\u2019s secret (community ADMIN or above); the new one, shown this once, signs every delivery from now on.',
  })
  rotateWebhookEndpointSecret(
    @Arg('input', { description: 'The webhook endpoint.' }) input: RotateWebhookEndpointSecretInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpointSecretPayload> {
    return webhooks.rotateSecret(ctx, fromGlobalId('WebhookEndpoint', input.id));
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a webhook endpoint and its deliveries (community ADMIN or above).',
    deprecationReason: replacedBy('deleteWebhookEndpoint'),
  })
  async deleteWebhookEndpoint(
    @Arg('id', () => ID, { description: 'Global id of the webhook endpoint.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.removeWebhookEndpoint({ id }, ctx);
    return true;
  }

  @Mutation(() => WebhookEndpointSecretPayload, {
    description:
      'Replaces a webhook endpoint\u2019s secret (community ADMIN or above); the new one, shown this once, signs every delivery from now on.',
    deprecationReason: replacedBy('rotateWebhookSecret'),
  })
  rotateWebhookSecret(
    @Arg('id', () => ID, { description: 'Global id of the webhook endpoint.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpointSecretPayload> {
    return this.rotateWebhookEndpointSecret({ id }, ctx);
  }

  @FieldResolver(() => Community, { description: 'The community whose events it receives.' })
  async community(@Root() endpoint: WebhookEndpoint, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(endpoint.community.id))!;
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @Query(() => WebhookDeliveryConnection, {
    complexity: connectionComplexity,
    description:
      'The deliveries of a webhook endpoint, newest first, with their last attempt (community ADMIN or above).',
  })
  webhookDeliveries(@Args() args: WebhookDeliveriesArgs, @Ctx() ctx: Context) {
    return webhooks.deliveriesOf(ctx, fromGlobalId('WebhookEndpoint', args.endpointId, 'endpointId'), args);
  }

  @Mutation(() => WebhookDelivery, {
    description:
      'Sends a past delivery\u2019s event again to its endpoint (community ADMIN or above): a new delivery, with the same `webhook-id` and a payload built anew.',
  })
  resendWebhookDelivery(
    @Arg('input', { description: 'The delivery to send again.' }) input: ResendWebhookDeliveryInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookDelivery> {
    return webhooks.redeliver(ctx, fromGlobalId('WebhookDelivery', input.deliveryId, 'deliveryId'));
  }

  @Mutation(() => WebhookDelivery, {
    description:
      'Sends a past delivery\u2019s event again to its endpoint (community ADMIN or above): a new delivery, with the same `webhook-id` and a payload built anew.',
    deprecationReason: replacedBy('redeliverWebhook'),
  })
  redeliverWebhook(
    @Arg('deliveryId', () => ID, { description: 'Global id of the delivery to send again.' }) deliveryId: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookDelivery> {
    return this.resendWebhookDelivery({ deliveryId }, ctx);
  }

  @FieldResolver(() => WebhookEndpoint, { description: 'Where it goes.' })
  async endpoint(@Root() delivery: WebhookDelivery, @Ctx() { loaders }: Context): Promise<WebhookEndpoint> {
    return (await loaders.webhookEndpoint.load(delivery.endpoint.id))!;
  }

  @FieldResolver(() => WebhookEvent, { description: 'What it tells.' })
  async event(@Root() delivery: WebhookDelivery, @Ctx() { loaders }: Context): Promise<WebhookEvent> {
    return (await loaders.webhookEvent.load(delivery.event.id))!;
  }

  @FieldResolver(() => ID, {
    nullable: true,
    description: 'The delivery this one repeats (`resendWebhookDelivery`); null for the first.',
  })
  redeliveryOf(@Root() delivery: WebhookDelivery): string | null {
    return delivery.redeliveryOfId ? toGlobalId('WebhookDelivery', delivery.redeliveryOfId) : null;
  }
}

@Resolver(() => WebhookEvent)
export class WebhookEventResolver {
  @Query(() => WebhookEventConnection, {
    complexity: connectionComplexity,
    description:
      'A community\u2019s webhook events after a cursor, oldest first (ids only grow): a receiver that was down catches up from the last event it handled (community ADMIN or above). Events are recorded while the community has an enabled endpoint for their type.',
  })
  webhookEvents(@Args() args: WebhookEventsArgs, @Ctx() ctx: Context) {
    return webhooks.eventsOf(
      ctx,
      {
        communityId: args.communityId ? fromGlobalId('Community', args.communityId, 'communityId') : null,
        endpointId: args.endpointId ? fromGlobalId('WebhookEndpoint', args.endpointId, 'endpointId') : null,
      },
      args,
    );
  }

  @FieldResolver(() => String, { description: 'Opaque cursor of this event, for `webhookEvents(after:)`.' })
  cursor(@Root() event: WebhookEvent): string {
    return encodeCursor([event.id]);
  }

  @FieldResolver(() => String, {
    description: 'The `webhook-id` header of its deliveries (the same for every attempt and endpoint).',
  })
  webhookId(@Root() event: WebhookEvent): string {
    return webhookId(event.id);
  }

  @FieldResolver(() => String, { description: 'The payload\u2019s `type` (`post.created`, `comment.added`…).' })
  payloadType(@Root() event: WebhookEvent): string {
    return PAYLOAD_TYPE[event.type];
  }

  @FieldResolver(() => GraphQLJSONObject, {
    description:
      'The payload its deliveries send, built now: content deleted or hidden by moderation since is left out (`removed: true`).',
  })
  payload(@Root() event: WebhookEvent, @Ctx() { loaders }: Context): Promise<Record<string, unknown>> {
    return loaders.webhookPayload.load(event);
  }
}

@Resolver(() => Community)
export class CommunityWebhooksResolver {
  @FieldResolver(() => WebhookEndpointConnection, {
    complexity: connectionComplexity,
    description: 'The community\u2019s webhook endpoints, oldest first (ADMIN or above; FORBIDDEN to anyone else).',
  })
  webhookEndpoints(@Root() community: Community, @Args() args: PageArgs, @Ctx() ctx: Context) {
    return webhooks.endpointsOf(ctx, community, args);
  }
}
