/** Pub/sub topics of the posts domain and their payloads (ids only: subscribers reload and re-check access). */
export const postTopics = {
  commentAdded: (postId: number) => `post:${postId}:comment-added`,
};

export interface CommentAddedEvent {
  commentId: number;
}
