import { communityHashTag } from '../../platform/redis';

/**
 * Pub/sub topics of the communities domain and their payloads (ids only: subscribers reload and re-check access).
 * A community's topics carry its hash tag: on a Redis Cluster they live on the node of its other keys.
 */
export const communityTopics = {
  memberJoined: (communityId: number) => `community:${communityHashTag(communityId)}:member-joined`,
  /** A user's memberships changed (left, banned): their open subscriptions re-check access at once. */
  membershipChanged: (userId: number) => `user:${userId}:membership-changed`,
};

export interface MembershipChangedEvent {
  communityId: number;
}

export interface MemberJoinedEvent {
  memberId: number;
}
