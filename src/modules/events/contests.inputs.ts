import { Field, ID, InputType } from 'type-graphql';

@InputType({
  description: "One of your posts in the contest's community, entered while the contest takes submissions.",
})
export class SubmitContestEntryInput {
  @Field(() => ID, { description: 'The CONTEST event.' })
  eventId!: string;

  @Field(() => ID, { description: 'Your post, in the same community, not deleted.' })
  postId!: string;
}
