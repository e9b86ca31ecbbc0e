import { communityHashTag } from '../../platform/redis';

/**
 * Pub/sub topics of the posts domain and their payloads (ids only: subscribers reload and re-check access).
 * A community's topics carry its hash tag: on a Redis Cluster they live on the node of its other keys.
 */
export const postTopics = {
  commentAdded: (postId: number) => `post:${postId}:comment-added`,
  postAdded: (communityId: number) => `community:${communityHashTag(communityId)}:post-added`,
};

export interface CommentAddedEvent {
  commentId: number;
}

export interface PostAddedEvent {
  postId: number;
}
