import { IsOptional, Length, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { User } from '../identity/identity.entity';
import { Event } from './events.entity';
import { PAGE_LIMITS } from '../../platform/pagination';

/** Limits of live chat, in one place. */
export const CHAT_LIMITS = {
  /** Longest message. */
  bodyLength: 500,
  /** Longest slow mode. */
  maxSlowModeSeconds: 3600,
  /** Longest mute with a duration (without one, a mute lasts until lifted). */
  maxMuteMinutes: 7 * 24 * 60,
} as const;

@InputType({ description: "A message for a live stream's chat." })
export class SendChatMessageInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event, while it is live.' }) eventId!: string;

  @Field({ description: 'Plain text, 1 to 500 characters.' })
  @Length(1, CHAT_LIMITS.bodyLength, { message: `body must be 1 to ${CHAT_LIMITS.bodyLength} characters long` })
  body!: string;

  @Field({ defaultValue: false, description: 'Ask it as a question for the live Q&A.' })
  isQuestion!: boolean;
}

@InputType({ description: "A member to mute in a live stream's chat." })
export class MuteChatMemberInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId!: string;

  @Field(() => ID, { description: 'Global id of the user to mute.' }) userId!: string;

  @Field(() => Int, {
    nullable: true,
    description: `Minutes (1 to ${CHAT_LIMITS.maxMuteMinutes}); omit to mute until unmuted.`,
  })
  @IsOptional()
  @Min(1)
  @Max(CHAT_LIMITS.maxMuteMinutes)
  minutes?: number | null;
}

@InputType({ description: "A member to mute in a live stream's chat." })
export class MuteLiveChatMemberInput extends MuteChatMemberInput {}

@InputType({ description: 'The LIVE_STREAM to open.' })
export class OpenLiveStreamInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId!: string;
}

@InputType({ description: 'The LIVE_STREAM to close.' })
export class CloseLiveStreamInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId!: string;
}

@InputType({ description: "A live stream's slow mode." })
export class SetChatSlowModeInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId!: string;
  @Field(() => Int, {
    description: `Seconds between a member's messages, 0 to ${CHAT_LIMITS.maxSlowModeSeconds}; 0 turns slow mode off.`,
  })
  seconds!: number;
}

@InputType({ description: 'The chat message to remove.' })
export class RemoveChatMessageInput {
  @Field(() => ID, { description: 'Global id of the chat message.' }) id!: string;
}

@InputType({ description: "A muted member of a live stream's chat." })
export class UnmuteLiveChatMemberInput {
  @Field(() => ID, { description: 'Global id of the LIVE_STREAM event.' }) eventId!: string;
  @Field(() => ID, { description: 'Global id of the muted user.' }) userId!: string;
}

@InputType({ description: 'Your upvote of a question of the live Q&A.' })
export class SetQuestionUpvoteInput {
  @Field(() => ID, { description: 'Global id of the question (a chat message asked as a question).' }) id!: string;
  @Field({ defaultValue: true, description: 'True to upvote (default), false to withdraw your upvote.' })
  upvoted!: boolean;
}

@InputType({ description: 'A question of the live Q&A, answered or not.' })
export class MarkQuestionAsAnsweredInput {
  @Field(() => ID, { description: 'Global id of the question.' }) id!: string;
  @Field({ defaultValue: true, description: 'True to mark it answered (default), false to mark it unanswered.' })
  answered!: boolean;
}

@ObjectType({ description: 'The result of `removeChatMessage`.' })
export class RemoveChatMessagePayload {
  @Field(() => ID, { description: 'Global id of the message removed.' }) removedMessageId!: string;
  @Field(() => Event, { description: "The live stream's event." }) event!: Event;
}

@ObjectType({ description: 'The result of `muteLiveChatMember`.' })
export class MuteLiveChatMemberPayload {
  @Field(() => Event, { description: "The live stream's event." }) event!: Event;
  @Field(() => User, { description: 'The member muted.' }) user!: User;
}

@ObjectType({ description: 'The result of `unmuteLiveChatMember`.' })
export class UnmuteLiveChatMemberPayload {
  @Field(() => Event, { description: "The live stream's event." }) event!: Event;
  @Field(() => User, { description: 'The member, free to speak.' }) user!: User;
  @Field({ description: 'False when there was no mute to lift.' }) unmuted!: boolean;
}

@ArgsType()
export class ChatHistoryArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many of the latest messages (1 to ${PAGE_LIMITS.maxSize}, default ${PAGE_LIMITS.defaultSize}).`,
  })
  @IsOptional()
  @Min(1)
  @Max(PAGE_LIMITS.maxSize)
  last?: number;

  @Field(() => String, { nullable: true, description: 'Only messages before this cursor (to load older history).' })
  before?: string;
}

@ArgsType()
export class QuestionsArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 20).' })
  @IsOptional()
  @Min(1)
  @Max(PAGE_LIMITS.maxSize)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Return questions after this cursor.' })
  after?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only answered (true) or unanswered (false) questions; both when omitted.',
  })
  answered?: boolean | null;
}
