import { Arg, Args, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId, toGlobalId } from '../../platform/ids';
import { replacedBy } from '../../platform/deprecations';
import { Connection, ForwardPageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';
import { ContestEntry, ContestPhase } from './contests.entity';
import {
  CastContestVoteInput,
  RemoveContestEntryInput,
  RemoveContestEntryPayload,
  RetractContestVoteInput,
  RetractContestVotePayload,
  SubmitContestEntryInput,
} from './contests.inputs';
import * as contests from './contests.service';
import { Event, EventKind } from './events.entity';

@ObjectType('Contest', {
  description:
    'The contest of a CONTEST event: entries before it starts, votes while it lasts, ranked results once it ends.',
})
export class Contest {
  event!: Event;

  @Field(() => ContestPhase, {
    description: "From the event's times: SUBMISSIONS before startsAt, VOTING until endsAt, CLOSED after.",
  })
  phase!: ContestPhase;
}

@ObjectType()
export class ContestEntryConnection extends Connection(ContestEntry, 'ContestEntry', {
  totalCount:
    "How many entries the contest has (all pages): `entryCount`, counted on the index of the contest's entries (one per member at most).",
}) {}

@Resolver(() => Event)
export class EventContestResolver {
  @FieldResolver(() => Contest, {
    nullable: true,
    description: 'The contest, for an event of kind CONTEST; null for other kinds.',
  })
  contest(@Root() event: Event): Contest | null {
    if (event.kind !== EventKind.CONTEST) return null;
    return Object.assign(new Contest(), { event, phase: contests.contestPhase(event) });
  }
}

@Resolver(() => Contest)
export class ContestResolver {
  @FieldResolver(() => Int, { description: 'Entries submitted.' })
  entryCount(@Root() contest: Contest, @Ctx() { loaders }: Context): Promise<number> {
    return loaders.contestEntryCount.load(contest.event.id);
  }

  @FieldResolver(() => ContestEntryConnection, {
    complexity: connectionComplexity,
    description:
      'By votes (most first), then earliest submitted; while the contest takes submissions, in the order they came.',
  })
  entries(@Root() contest: Contest, @Args() args: ForwardPageArgs, @Ctx() { loaders }: Context) {
    return contests.contestEntries(loaders, contest.event, contest.phase, args);
  }

  @FieldResolver(() => ContestEntry, {
    nullable: true,
    description: 'Your entry; null when you have none or are anonymous.',
  })
  viewerEntry(@Root() contest: Contest, @Ctx() { loaders }: Context): Promise<ContestEntry | null> {
    return loaders.viewerContestEntry.load(contest.event.id);
  }

  @FieldResolver(() => ContestEntry, {
    nullable: true,
    description: 'The entry you voted for; null when you have not voted or are anonymous.',
  })
  viewerVote(@Root() contest: Contest, @Ctx() { loaders }: Context): Promise<ContestEntry | null> {
    return loaders.viewerContestVote.load(contest.event.id);
  }
}

@Resolver(() => ContestEntry)
export class ContestEntryResolver {
  @Mutation(() => ContestEntry, {
    description:
      'Enters one of your posts in a contest of its community, before the contest starts. One entry per member.',
  })
  submitContestEntry(
    @Arg('input', { description: 'The contest and your post.' }) input: SubmitContestEntryInput,
    @Ctx() ctx: Context,
  ): Promise<ContestEntry> {
    return contests.submitEntry(ctx, {
      eventId: fromGlobalId('Event', input.eventId, 'eventId'),
      postId: fromGlobalId('Post', input.postId, 'postId'),
    });
  }

  @Mutation(() => RemoveContestEntryPayload, { description: 'Withdraws your entry, before the contest starts.' })
  async removeContestEntry(
    @Arg('input', { description: 'Your entry.' }) input: RemoveContestEntryInput,
    @Ctx() ctx: Context,
  ): Promise<RemoveContestEntryPayload> {
    const entryId = fromGlobalId('ContestEntry', input.entryId, 'entryId');
    const event = await contests.withdrawEntry(ctx, { entryId });
    return { removedEntryId: toGlobalId('ContestEntry', entryId), event };
  }

  @Mutation(() => ContestEntry, {
    description:
      'Votes for an entry (not your own) while the contest lasts; replaces your previous vote in this contest.',
  })
  castContestVote(
    @Arg('input', { description: 'The entry you vote for.' }) input: CastContestVoteInput,
    @Ctx() ctx: Context,
  ): Promise<ContestEntry> {
    return contests.voteForEntry(ctx, { entryId: fromGlobalId('ContestEntry', input.entryId, 'entryId') });
  }

  @Mutation(() => RetractContestVotePayload, { description: 'Takes back your vote in a contest while it lasts.' })
  async retractContestVote(
    @Arg('input', { description: 'The contest.' }) input: RetractContestVoteInput,
    @Ctx() ctx: Context,
  ): Promise<RetractContestVotePayload> {
    const eventId = fromGlobalId('Event', input.eventId, 'eventId');
    const entryId = await contests.withdrawVote(ctx, { eventId });
    const [event, entry] = await Promise.all([
      ctx.loaders.event.load(eventId),
      entryId === null ? null : ctx.loaders.contestEntry.load(entryId),
    ]);
    return { event: event!, entry: entry ?? null };
  }

  @Mutation(() => Boolean, {
    description: 'Withdraws your entry, before the contest starts.',
    deprecationReason: replacedBy('withdrawContestEntry'),
  })
  async withdrawContestEntry(
    @Arg('entryId', () => ID, { description: 'Global id of your entry.' }) entryId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.removeContestEntry({ entryId }, ctx);
    return true;
  }

  @Mutation(() => ContestEntry, {
    description:
      'Votes for an entry (not your own) while the contest lasts; replaces your previous vote in this contest.',
    deprecationReason: replacedBy('voteContestEntry'),
  })
  voteContestEntry(
    @Arg('entryId', () => ID, { description: 'Global id of the entry to vote for.' }) entryId: string,
    @Ctx() ctx: Context,
  ): Promise<ContestEntry> {
    return this.castContestVote({ entryId }, ctx);
  }

  @Mutation(() => Boolean, {
    description: 'Withdraws your vote in a contest while it lasts; false when you had none.',
    deprecationReason: replacedBy('withdrawContestVote'),
  })
  async withdrawContestVote(
    @Arg('eventId', () => ID, { description: 'Global id of the CONTEST event.' }) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await this.retractContestVote({ eventId }, ctx)).entry !== null;
  }

  @FieldResolver(() => Event, { description: "The contest's event." })
  async event(@Root() entry: ContestEntry, @Ctx() { loaders }: Context): Promise<Event> {
    return (await loaders.event.load(entry.event.id))!;
  }

  @FieldResolver(() => Post, { description: 'The post entered.' })
  async post(@Root() entry: ContestEntry, @Ctx() { loaders }: Context): Promise<Post> {
    return (await loaders.post.load(entry.post.id))!;
  }

  @FieldResolver(() => User, { description: 'The member who entered their post.' })
  async author(@Root() entry: ContestEntry, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(entry.user.id))!;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Place in the results once the contest is CLOSED (ties share a place: 1, 2, 2, 4); null before.',
  })
  async rank(@Root() entry: ContestEntry, @Ctx() { loaders }: Context): Promise<number | null> {
    const event = await loaders.event.load(entry.event.id);
    if (!event || contests.contestPhase(event) !== ContestPhase.CLOSED) return null;
    return loaders.contestEntryRank.load(entry.id);
  }
}
