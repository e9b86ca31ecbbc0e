import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import type { PubSub } from './pubsub/pubsub';
import { BanResolver, InviteResolver, JoinRequestResolver, MembersResolver } from '../modules/communities/members.resolver';
import { CommunitiesResolver } from '../modules/communities/communities.resolver';
import { CommunityInviteLinksResolver, InviteLinksResolver } from '../modules/communities/invite-links.resolver';
import { IdentityResolver } from '../modules/identity/identity.resolver';
import { NodeResolver } from '../modules/node/node.resolver';
import { CommentsResolver } from '../modules/posts/comments.resolver';
import { CommunityPostsResolver, PostsResolver } from '../modules/posts/posts.resolver';
import { CommunityEventsResolver, EventOccurrenceResolver, EventsResolver, RsvpResolver } from '../modules/events/events.resolver';
import { ChatResolver, EventChatResolver } from '../modules/events/chat.resolver';
import { ContestEntryResolver, ContestResolver, EventContestResolver } from '../modules/events/contests.resolver';
import { CommunityReputationResolver, MemberReputationResolver, ReputationEventResolver } from '../modules/reputation/reputation.resolver';
import { CommunityPollsResolver, EventPollsResolver, PollOptionsResolver, PollsResolver, PostPollsResolver } from '../modules/polls/polls.resolver';

/** Every resolver class of the API. */
export const RESOLVERS = [
  NodeResolver, IdentityResolver, CommunitiesResolver, MembersResolver, JoinRequestResolver, InviteResolver, BanResolver,
  InviteLinksResolver, CommunityInviteLinksResolver,
  PostsResolver, CommunityPostsResolver, CommentsResolver,
  EventsResolver, EventOccurrenceResolver, RsvpResolver, CommunityEventsResolver, ChatResolver, EventChatResolver,
  EventContestResolver, ContestResolver, ContestEntryResolver,
  PollsResolver, PollOptionsResolver, CommunityPollsResolver, PostPollsResolver, EventPollsResolver,
  MemberReputationResolver, ReputationEventResolver, CommunityReputationResolver,
] as const;

/**
 * Builds the executable schema from the type-graphql resolvers (inputs validated by class-validator).
 * @param pubsub where subscriptions listen; omitted when the schema is only printed
 */
export function buildTownsquareSchema(pubsub?: PubSub): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    // Our subscriptions use `subscribe` (they check access per event), but type-graphql requires a pubSub.
    pubSub: {
      publish: (topic: string, payload: unknown) => {
        if (!pubsub) throw new Error('No pub/sub configured');
        void pubsub.publish(topic, payload);
      },
      subscribe: (topic: string) => {
        if (!pubsub) throw new Error('No pub/sub configured');
        return pubsub.subscribe(topic);
      },
    },
    validate: { forbidUnknownValues: false },
  });
}
