import { ArrayMaxSize, ArrayMinSize, IsOptional, Length } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { WebhookEventType } from './webhooks.entity';

/** Limits of webhook endpoints. */
export const WEBHOOK_LIMITS = {
  /** Longest endpoint URL. */
  urlLength: 2000,
  /** Endpoints one community may have. */
  endpointsPerCommunity: 10,
} as const;

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookEndpointInput {
  @Field(() => ID, { description: 'Global id of the community whose events it receives.' })
  communityId!: string;

  @Field({
    description: `Where to post events: an http or https URL (at most ${WEBHOOK_LIMITS.urlLength} characters).`,
  })
  @Length(1, WEBHOOK_LIMITS.urlLength)
  url!: string;

  @Field(() => [WebhookEventType], { description: 'The event types it receives (at least one).' })
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.keys(WebhookEventType).length)
  eventTypes!: WebhookEventType[];
}

@InputType({ description: 'Changes to a webhook endpoint (what is left out stays as it is).' })
export class UpdateWebhookEndpointInput {
  @Field(() => ID, { description: 'Global id of the webhook endpoint.' })
  id!: string;

  @Field({ nullable: true, description: 'A new http or https URL.' })
  @IsOptional()
  @Length(1, WEBHOOK_LIMITS.urlLength)
  url?: string;

  @Field(() => [WebhookEventType], { nullable: true, description: 'The event types it receives (at least one).' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(Object.keys(WebhookEventType).length)
  eventTypes?: WebhookEventType[];

  @Field({ nullable: true, description: 'Switches it off or on (on again: its failures are forgotten).' })
  enabled?: boolean;
}
