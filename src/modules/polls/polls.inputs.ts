import { ArrayMaxSize, ArrayMinSize, IsOptional, Length, Max, Min } from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { PageArgs } from '../../platform/pagination';

/** Limits of polls, in one place. */
export const POLL_LIMITS = {
  questionLength: 300,
  optionLength: 200,
  minOptions: 2,
  maxOptions: 20,
  /** `closesAt` must be at least this far in the future when the poll is created. */
  minOpenMs: 1000,
  /** …and at most this far. */
  maxOpenDays: 366,
} as const;

@InputType({ description: 'A new poll. SINGLE choice unless allowMultiple or ranked.' })
export class CreatePollInput {
  @Field(() => ID, { description: 'Global id of the community.' }) communityId!: string;

  @Field({ description: 'The question, 1 to 300 characters.' })
  @Length(1, POLL_LIMITS.questionLength, {
    message: `question must be 1 to ${POLL_LIMITS.questionLength} characters long`,
  })
  question!: string;

  @Field(() => [String], {
    description: `${POLL_LIMITS.minOptions} to ${POLL_LIMITS.maxOptions} distinct options, each 1 to ${POLL_LIMITS.optionLength} characters, in the order shown.`,
  })
  @ArrayMinSize(POLL_LIMITS.minOptions, { message: `a poll offers at least ${POLL_LIMITS.minOptions} options` })
  @ArrayMaxSize(POLL_LIMITS.maxOptions, { message: `a poll offers at most ${POLL_LIMITS.maxOptions} options` })
  options!: string[];

  @Field({ defaultValue: false, description: 'A ballot may name several options (MULTIPLE).' })
  allowMultiple!: boolean;

  @Field(() => Int, {
    nullable: true,
    description: 'With allowMultiple: the most options one ballot may name (default: all).',
  })
  @IsOptional()
  @Min(1, { message: 'maxChoices must be at least 1' })
  @Max(POLL_LIMITS.maxOptions, { message: `maxChoices must be at most ${POLL_LIMITS.maxOptions}` })
  maxChoices?: number | null;

  @Field({
    defaultValue: false,
    description: 'Voters order the options (RANKED); the result is an instant-runoff tally. Not with allowMultiple.',
  })
  ranked!: boolean;

  @Field({ defaultValue: false, description: 'Secret ballots: who voted for what is never shown, to anyone.' })
  anonymous!: boolean;

  @Field({ defaultValue: false, description: 'Hide counts, voters and rounds from everyone until the poll closes.' })
  hideResultsUntilClosed!: boolean;

  @Field(() => Date, {
    nullable: true,
    description: 'When the poll closes by itself (in the future); omit to close it by hand.',
  })
  closesAt?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Attach the poll to a post of the same community.' })
  postId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Attach the poll to an event of the same community.' })
  eventId?: string | null;
}

@InputType({ description: 'Your ballot: replaces any previous one while the poll is open.' })
export class CastVoteInput {
  @Field(() => ID, { description: 'Global id of the poll.' }) pollId!: string;

  @Field(() => [ID], {
    description:
      'SINGLE: one option. MULTIPLE: 1 to maxChoices distinct options. RANKED: distinct options, most preferred first (1 to all of them).',
  })
  @ArrayMinSize(1, { message: 'name at least one option' })
  @ArrayMaxSize(POLL_LIMITS.maxOptions, { message: `name at most ${POLL_LIMITS.maxOptions} options` })
  optionIds!: string[];
}

@ArgsType()
export class PollsArgs extends PageArgs {
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only open polls; false: only closed ones; omitted: all.',
  })
  open?: boolean | null;
}

@InputType({ description: 'The poll to close now.' })
export class EndPollInput {
  @Field(() => ID, { description: 'Global id of the poll.' }) id!: string;
}
