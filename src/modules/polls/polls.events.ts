/** Pub/sub topics of polls and their payloads (ids only: each instance re-reads counts from PostgreSQL). */
export const pollTopics = {
  /** A ballot was cast or changed, or the poll closed: watchers read the counts again (coalesced). */
  changed: (pollId: number) => `poll:${pollId}:changed`,
};

export interface PollChangedEvent {
  pollId: number;
  /** The poll has just closed (by hand or by time): the emission it causes is the final state. */
  closed?: boolean;
}
