/** Pub/sub topics of the communities domain and their payloads (ids only: subscribers reload and re-check access). */
export const communityTopics = {
  memberJoined: (communityId: number) => `community:${communityId}:member-joined`,
};

export interface MemberJoinedEvent {
  memberId: number;
}
