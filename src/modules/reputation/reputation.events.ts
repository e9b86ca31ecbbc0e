import { communityHashTag } from '../../platform/redis';

/** Pub/sub topics of the reputation domain; a community's carry its hash tag (see `communityHashTag`). */
export const reputationTopics = {
  /** A community's boards changed (after a commit). */
  leaderboardChanged: (communityId: number) => `leaderboard-changed:${communityHashTag(communityId)}`,
};

export interface LeaderboardChangedEvent {
  communityId: number;
}
