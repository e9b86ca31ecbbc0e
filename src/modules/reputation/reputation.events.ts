/** Pub/sub topics of the reputation domain. */
export const reputationTopics = {
  /** A community's boards changed (after a commit). */
  leaderboardChanged: (communityId: number) => `leaderboard-changed:${communityId}`,
};

export interface LeaderboardChangedEvent {
  communityId: number;
}
