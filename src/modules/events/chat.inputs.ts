import { IsOptional, Length, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
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
