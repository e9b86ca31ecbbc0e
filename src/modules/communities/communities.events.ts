/** Pub/sub topics of the communities domain and their payloads (ids only: subscribers reload and re-check access). */
export const communityTopics = {
  memberJoined: (communityId: number) => `community:${communityId}:member-joined`,
  /** A user's memberships changed (left, banned): their open subscriptions re-check access at once. */
  membershipChanged: (userId: number) => `user:${userId}:membership-changed`,
};

export interface MembershipChangedEvent {
  communityId: number;
}

export interface MemberJoinedEvent {
  memberId: number;
}
