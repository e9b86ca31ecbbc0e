import { communityHashTag } from '../../platform/redis';

/**
 * Pub/sub topics of moderation and their payloads (ids only: subscribers reload and re-check access).
 * A community's topics carry its hash tag (see `communityHashTag`).
 */
export const moderationTopics = {
  /** An item of the community's review queue was created, reported again or decided. */
  queueChanged: (communityId: number) => `community:${communityHashTag(communityId)}:moderation-queue`,
};

export interface QueueChangedEvent {
  itemId: number;
}
