import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { contentText, maskable } from '../posts/hidden-content';
import { nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import {
  Connection,
  PageArgs,
  boundedListComplexity,
  connectionComplexity,
  idPage,
  idRange,
  toConnection,
} from '../../platform/pagination';
import { liveFieldShareKey } from '../../platform/shared-subscriptions';
import { Community, Visibility } from '../communities/communities.entity';
import { Event } from '../events/events.entity';
import { User } from '../identity/identity.entity';
import { Post } from '../posts/posts.entity';
import { Poll, PollKind, PollOption, PollRound } from './polls.entity';
import { CastVoteInput, CreatePollInput, EndPollInput, POLL_LIMITS, PollsArgs } from './polls.inputs';
import { replacedBy } from '../../platform/deprecations';
import { pollUpdatedStream } from './polls.live';
import * as polls from './polls.service';

@ObjectType()
export class PollConnection extends Connection(Poll, 'Poll') {}
@ObjectType()
export class PollVoterConnection extends Connection(User, 'PollVoter') {}

/**
 * `pollUpdated(pollId)` on a PUBLIC community's poll, selecting nothing viewer-dependent (no
 * `viewerVote`): one execution per (document, variables) on this instance, whatever the watchers.
 * Results are the same for every viewer (hidden results are hidden from everyone), so sharing is exact.
 */
export const pollUpdatedShareKey = liveFieldShareKey('pollUpdated', 'pollId', 'Poll', async (ctx, pollId) => {
  const { community } = await polls.readablePoll(ctx.loaders, ctx.viewer, pollId);
  return community.visibility === Visibility.PUBLIC;
});

const CLOSED_CODE =
  "A poll that has closed (closePoll, or closesAt passed) refuses with CONFLICT on `pollId`: the input is valid, the poll's state has moved on.";

/** A poll's question or an option's text as the viewer may read it: see `contentText`. */
function pollText(ctx: Context, poll: Poll, text: string): string | Promise<string> {
  const content = { hiddenAt: poll.hiddenAt, authorId: poll.createdBy.id };
  if (!maskable(ctx, content)) return text;
  return contentText(ctx, { ...content, communityId: () => poll.community.id }, text);
}

@Resolver(() => Poll)
export class PollsResolver {
  @Query(() => Poll, {
    nullable: true,
    description: 'A poll by id; null when it does not exist or you may not read it.',
  })
  poll(
    @Arg('id', () => ID, { description: 'Global id of the poll.' }) id: string,
    @Ctx() { loaders, viewer }: Context,
  ): Promise<Poll | null> {
    return nullIfHidden(polls.readablePoll(loaders, viewer, fromGlobalId('Poll', id)).then((r) => r.poll));
  }

  @Mutation(() => Poll, {
    description:
      'Creates a poll in a community you belong to (2 to 20 options), optionally attached to one of its posts or events.',
  })
  createPoll(
    @Arg('input', { description: 'The poll to create.' }) input: CreatePollInput,
    @Ctx() ctx: Context,
  ): Promise<Poll> {
    return polls.createPoll(ctx, {
      ...input,
      communityId: fromGlobalId('Community', input.communityId, 'communityId'),
      postId: input.postId ? fromGlobalId('Post', input.postId, 'postId') : null,
      eventId: input.eventId ? fromGlobalId('Event', input.eventId, 'eventId') : null,
    });
  }

  @Mutation(() => Poll, {
    description: `Casts your ballot, or replaces it, while the poll is open: one ballot per member. ${CLOSED_CODE}`,
  })
  castVote(
    @Arg('input', { description: 'The poll and your choices.' }) input: CastVoteInput,
    @Ctx() ctx: Context,
  ): Promise<Poll> {
    return polls.castVote(ctx, {
      pollId: fromGlobalId('Poll', input.pollId, 'pollId'),
      optionIds: input.optionIds.map((id) => fromGlobalId('PollOption', id, 'optionIds')),
    });
  }

  @Mutation(() => Poll, {
    description: 'Closes a poll now (its creator, or a MODERATOR or above). An already closed poll is CONFLICT.',
  })
  endPoll(@Arg('input', { description: 'The poll.' }) input: EndPollInput, @Ctx() ctx: Context): Promise<Poll> {
    return polls.closePoll(ctx, { id: fromGlobalId('Poll', input.id) });
  }

  @Mutation(() => Poll, {
    description: 'Closes a poll now (its creator, or a MODERATOR or above). An already closed poll is CONFLICT.',
    deprecationReason: replacedBy('closePoll'),
  })
  closePoll(
    @Arg('id', () => ID, { description: 'Global id of the poll.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<Poll> {
    return this.endPoll({ id }, ctx);
  }

  @Subscription(() => Poll, {
    description:
      'The poll with its new counts after ballots, coalesced (at most a few a second per poll; the last state always comes), ' +
      'and once when it closes (by hand or by time), after which the subscription completes. While results are hidden, counts are null.',
    subscribe: ({ args, context }) =>
      pollUpdatedStream(context as Context, fromGlobalId('Poll', args.pollId as string, 'pollId')),
  })
  pollUpdated(
    @Root() poll: Poll,
    @Arg('pollId', () => ID, { description: 'Global id of the poll to follow.' }) _pollId: string,
  ): Poll {
    return poll;
  }

  @FieldResolver(() => Community, { description: 'The community the poll belongs to.' })
  async community(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<Community> {
    return (await loaders.community.load(poll.community.id))!;
  }

  @FieldResolver(() => User, { description: 'The member who created the poll.' })
  async createdBy(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<User> {
    return (await loaders.user.load(poll.createdBy.id))!;
  }

  @FieldResolver(() => Post, { nullable: true, description: 'The post the poll is attached to, if any.' })
  async post(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<Post | null> {
    return poll.post ? loaders.post.load(poll.post.id) : null;
  }

  @FieldResolver(() => Event, { nullable: true, description: 'The event the poll is attached to, if any.' })
  async event(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<Event | null> {
    return poll.event ? loaders.event.load(poll.event.id) : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      "Hidden by moderation (reports past the community's threshold, an AutoMod HOLD, or a HIDE decision): readers other than its creator and the community's moderators read `[hidden by moderation]` as its question and options.",
  })
  hidden(@Root() poll: Poll): boolean {
    return !!poll.hiddenAt;
  }

  // A hidden poll shows its question and options to its creator and the moderators only (hidden-content.ts).
  @FieldResolver()
  question(@Root() poll: Poll, @Ctx() ctx: Context): string | Promise<string> {
    return pollText(ctx, poll, poll.question);
  }

  @FieldResolver(() => Boolean, { description: 'A ballot may name several options (kind MULTIPLE).' })
  allowMultiple(@Root() poll: Poll): boolean {
    return poll.kind === PollKind.MULTIPLE;
  }

  @FieldResolver(() => Boolean, { description: 'Closed by hand, or closesAt has passed.' })
  closed(@Root() poll: Poll): boolean {
    return polls.isClosed(poll);
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether counts, voters and rounds are shown: false only while a poll that hides its results is open.',
  })
  resultsVisible(@Root() poll: Poll): boolean {
    return polls.resultsVisible(poll);
  }

  // A poll has at most POLL_LIMITS.maxOptions options; a ballot names each at most once; a runoff eliminates one a round.
  @FieldResolver(() => [PollOption], {
    complexity: boundedListComplexity(POLL_LIMITS.maxOptions),
    description: 'The options, in order.',
  })
  async options(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<PollOption[]> {
    loaders.poll.prime(poll.id, poll);
    return loaders.pollOptions.load(poll.id);
  }

  @FieldResolver(() => Int, {
    description: 'Members who hold a ballot. Shown even while results are hidden (turnout, not the result).',
  })
  totalVoters(@Root() poll: Poll): number {
    return poll.totalVoters;
  }

  @FieldResolver(() => [PollOption], {
    nullable: true,
    complexity: boundedListComplexity(POLL_LIMITS.maxOptions),
    description:
      'The options of your ballot, in your order (RANKED: most preferred first); null when you have none. Always shown to you, even while results are hidden.',
  })
  async viewerVote(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<PollOption[] | null> {
    const ids = await loaders.viewerBallot.load(poll.id);
    if (!ids) return null;
    const options = new Map((await loaders.pollOptions.load(poll.id)).map((o) => [o.id, o]));
    return ids.map((id) => options.get(id)!).filter(Boolean);
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether you may close this poll (its creator, or a MODERATOR or above).',
  })
  viewerCanClose(@Root() poll: Poll, @Ctx() { loaders, viewer }: Context): Promise<boolean> {
    return polls.canClose(loaders, viewer, poll);
  }

  @FieldResolver(() => [PollRound], {
    nullable: true,
    complexity: boundedListComplexity(POLL_LIMITS.maxOptions),
    description:
      'RANKED: the instant-runoff count, round by round. Each round counts every ballot for its highest-ranked option still in the count; ' +
      'an option with more than half of the ballots still counting wins; otherwise the option with the fewest votes is eliminated ' +
      '(ties: fewest first-choice votes, then the option listed last). Null for other kinds and while results are hidden.',
  })
  async rounds(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<PollRound[] | null> {
    const result = await polls.pollRunoff(loaders, poll);
    if (!result) return null;
    const options = new Map((await loaders.pollOptions.load(poll.id)).map((o) => [o.id, o]));
    return result.rounds.map((round, i) => ({
      number: i + 1,
      tallies: round.tallies
        .map((t) => ({ option: options.get(t.optionId)!, votes: t.votes }))
        .sort((a, b) => b.votes - a.votes || a.option.position - b.option.position),
      eliminated: round.eliminated.map((id) => options.get(id)!),
      exhausted: round.exhausted,
    }));
  }

  @FieldResolver(() => PollOption, {
    nullable: true,
    description:
      'RANKED: the instant-runoff winner (null with no ballots, for other kinds, and while results are hidden).',
  })
  async winner(@Root() poll: Poll, @Ctx() { loaders }: Context): Promise<PollOption | null> {
    const result = await polls.pollRunoff(loaders, poll);
    if (!result || result.winner === null) return null;
    return (await loaders.pollOptions.load(poll.id)).find((o) => o.id === result.winner) ?? null;
  }
}

@Resolver(() => PollOption)
export class PollOptionsResolver {
  @FieldResolver(() => Poll, { description: 'The poll it belongs to.' })
  async poll(@Root() option: PollOption, @Ctx() { loaders }: Context): Promise<Poll> {
    return (await loaders.poll.load(option.poll.id))!;
  }

  @FieldResolver()
  text(@Root() option: PollOption, @Ctx() ctx: Context): string | Promise<string> {
    const poll = ctx.loaders.poll.value(option.poll.id);
    if (poll instanceof Promise) return poll.then((p) => (p ? pollText(ctx, p, option.text) : option.text));
    return poll ? pollText(ctx, poll, option.text) : option.text;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: 'Ballots naming this option (RANKED: ranking it first); null while results are hidden.',
  })
  async votes(@Root() option: PollOption, @Ctx() { loaders }: Context): Promise<number | null> {
    const poll = await loaders.poll.load(option.poll.id);
    return poll && polls.resultsVisible(poll) ? option.votes : null;
  }

  @FieldResolver(() => PollVoterConnection, {
    nullable: true,
    complexity: connectionComplexity,
    description:
      'Members whose ballot names this option, in the order they first voted. Null for an anonymous poll (for everyone, admins included) and while results are hidden.',
  })
  async voters(@Root() option: PollOption, @Args() args: PageArgs, @Ctx() { loaders }: Context) {
    const poll = await loaders.poll.load(option.poll.id);
    if (!poll || poll.anonymous || !polls.resultsVisible(poll)) return null;
    const page = idPage(args);
    const rows = await loaders.optionVoters.load({ optionId: option.id, ...idRange(page) });
    const connection = toConnection(rows, page, (v) => [v.ballotId]);
    return {
      ...connection,
      edges: connection.edges.map((e) => ({
        get cursor() {
          return e.cursor;
        },
        node: e.node.user,
      })),
    };
  }
}

@Resolver(() => Community)
export class CommunityPollsResolver {
  @FieldResolver(() => PollConnection, {
    complexity: connectionComplexity,
    description: "The community's polls, newest first. RESTRICTED and PRIVATE communities: members only.",
  })
  polls(@Root() community: Community, @Args() args: PollsArgs, @Ctx() { loaders, viewer }: Context) {
    return polls.communityPolls(loaders, viewer, community, args);
  }
}

@Resolver(() => Post)
export class PostPollsResolver {
  @FieldResolver(() => PollConnection, {
    complexity: connectionComplexity,
    description: 'Polls attached to this post, newest first.',
  })
  polls(@Root() post: Post, @Args() args: PollsArgs, @Ctx() { loaders }: Context) {
    return polls.pollPage(loaders, 'post', post.id, args);
  }
}

@Resolver(() => Event)
export class EventPollsResolver {
  @FieldResolver(() => PollConnection, {
    complexity: connectionComplexity,
    description: 'Polls attached to this event, newest first.',
  })
  polls(@Root() event: Event, @Args() args: PollsArgs, @Ctx() { loaders }: Context) {
    return polls.pollPage(loaders, 'event', event.id, args);
  }
}
