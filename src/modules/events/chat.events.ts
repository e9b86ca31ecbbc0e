import type { After } from '../../platform/database/write';

/** Pub/sub topics of live chat and their payloads (ids only: subscribers read and re-check access). */
export const chatTopics = {
  messageAdded: (eventId: number) => `event:${eventId}:chat-message-added`,
  messageRemoved: (eventId: number) => `event:${eventId}:chat-message-removed`,
};

/** On `messageAdded`: a message was sent (`messageId`), or the chat closed (`closed`: the stream ended or was cancelled). */
export type ChatMessageAddedEvent = { messageId: number } | { closed: true };

export interface ChatMessageRemovedEvent {
  messageId: number;
}

/** Tells `chatMessageAdded` subscribers that the stream's chat closed (ended or cancelled), after the write's commit. */
export function chatClosed(after: After, eventId: number): void {
  after.publish<ChatMessageAddedEvent>(chatTopics.messageAdded(eventId), { closed: true });
}
