import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ContestEntry } from './contests.entity';
import { Event } from './events.entity';

@InputType({
  description: "One of your posts in the contest's community, entered while the contest takes submissions.",
})
export class SubmitContestEntryInput {
  @Field(() => ID, { description: 'The CONTEST event.' })
  eventId!: string;

  @Field(() => ID, { description: 'Your post, in the same community, not deleted.' })
  postId!: string;
}

@InputType({ description: 'Your entry to withdraw, while the contest takes submissions.' })
export class RemoveContestEntryInput {
  @Field(() => ID, { description: 'Global id of your entry.' }) entryId!: string;
}

@InputType({ description: 'The entry you vote for, while the contest is voting.' })
export class CastContestVoteInput {
  @Field(() => ID, { description: 'Global id of the entry to vote for (not your own).' }) entryId!: string;
}

@InputType({ description: 'The contest whose vote you take back.' })
export class RetractContestVoteInput {
  @Field(() => ID, { description: 'Global id of the CONTEST event.' }) eventId!: string;
}

@ObjectType({ description: 'The result of `removeContestEntry`.' })
export class RemoveContestEntryPayload {
  @Field(() => ID, { description: 'Global id of the entry withdrawn.' }) removedEntryId!: string;
  @Field(() => Event, { description: "The contest's event." }) event!: Event;
}

@ObjectType({ description: 'The result of `retractContestVote`.' })
export class RetractContestVotePayload {
  @Field(() => Event, { description: "The contest's event." }) event!: Event;
  @Field(() => ContestEntry, {
    nullable: true,
    description: 'The entry your vote was for, one vote fewer; null when you had not voted.',
  })
  entry!: ContestEntry | null;
}
