/** Pub/sub topics of notifications and their payloads (ids only: subscribers read them from PostgreSQL). */
export const notificationTopics = {
  added: (userId: number) => `user:${userId}:notification-added`,
};

/** On `added`: a notification of the user was written (a grouped one with a new id and count). */
export interface NotificationAddedEvent {
  notificationId: number;
}
