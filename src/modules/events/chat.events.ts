/** Pub/sub topics of live chat and their payloads (ids only: subscribers read and re-check access). */
export const chatTopics = {
  messageAdded: (eventId: number) => `event:${eventId}:chat-message-added`,
  messageRemoved: (eventId: number) => `event:${eventId}:chat-message-removed`,
};

export interface ChatMessageAddedEvent {
  messageId: number;
}

export interface ChatMessageRemovedEvent {
  messageId: number;
}
