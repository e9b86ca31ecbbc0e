/**
 * Mutations renamed under the naming rule (docs/API.md, "Mutations": verbNoun, one `input` argument,
 * an object returned), each old name with the mutation that replaced it. An old mutation stays for one
 * release, deprecated, and its resolver calls its replacement's: the same service, permission and
 * guards, the same errors. The request rules classify an old name as its replacement (write limits,
 * response-cache scopes: see `currentMutationName`), so the two cannot drift apart. Removed in 0.3.
 */
export const RENAMED_MUTATIONS = {
  // Accounts and credentials
  signOut: 'endSession',
  revokeApiKey: 'deactivateApiKey',
  requestEmailVerification: 'sendVerificationEmail',
  verifyEmail: 'verifyEmailAddress',
  requestPasswordReset: 'sendPasswordResetEmail',
  resetPassword: 'completePasswordReset',
  // The API contract's name (docs/API.md lists the rule it breaks: no `delete` verb, no `input`).
  deleteAccount: 'requestAccountDeletion',
  // Communities and members
  joinCommunity: 'requestMembership',
  leaveCommunity: 'endMembership',
  inviteMember: 'inviteUser',
  unbanMember: 'liftBan',
  approveJoinRequest: 'acceptJoinRequest',
  rejectJoinRequest: 'declineJoinRequest',
  createInviteLink: 'issueInviteLink',
  revokeInviteLink: 'deactivateInviteLink',
  joinByInviteLink: 'redeemInviteLink',
  // Events, live streams and contests
  cancelEvent: 'cancelCommunityEvent',
  rsvp: 'setRsvp',
  checkIn: 'checkInAttendee',
  startLiveStream: 'openLiveStream',
  endLiveStream: 'closeLiveStream',
  setSlowMode: 'setChatSlowMode',
  deleteChatMessage: 'removeChatMessage',
  muteChatMember: 'muteLiveChatMember',
  unmuteChatMember: 'unmuteLiveChatMember',
  upvoteQuestion: 'setQuestionUpvote',
  markQuestionAnswered: 'markQuestionAsAnswered',
  withdrawContestEntry: 'removeContestEntry',
  voteContestEntry: 'castContestVote',
  withdrawContestVote: 'retractContestVote',
  // Polls
  closePoll: 'endPoll',
  // Reputation
  updateReputationRules: 'setReputationRules',
  rebuildReputation: 'rebuildCommunityReputation',
  // Moderation
  report: 'createReport',
  decide: 'decideModerationItem',
  appeal: 'appealDecision',
  deleteCommunityRule: 'removeCommunityRule',
  createAutoModRule: 'addAutoModRule',
  deleteAutoModRule: 'removeAutoModRule',
  blockUser: 'blockAccount',
  unblockUser: 'unblockAccount',
  // Notifications
  markNotificationsRead: 'markNotificationsAsRead',
  muteThread: 'mutePostThread',
  updateNotificationPreferences: 'setNotificationPreferences',
  // Webhooks and bots
  deleteWebhookEndpoint: 'removeWebhookEndpoint',
  rotateWebhookSecret: 'rotateWebhookEndpointSecret',
  redeliverWebhook: 'resendWebhookDelivery',
  rotateBotKey: 'rotateBotApiKey',
  // Posts and comments
  deletePost: 'removePost',
  deleteComment: 'removeComment',
  pinPost: 'moderatePost',
  lockPost: 'moderatePost',
  featureComment: 'moderateComment',
  vote: 'setVote',
  react: 'setReaction',
} as const satisfies Record<string, string>;

/** A mutation name kept for one release, deprecated. */
export type RenamedMutation = keyof typeof RENAMED_MUTATIONS;

/** The release that removes the deprecated mutations. */
export const REMOVED_IN = '0.3';

/** The deprecation reason of a renamed mutation (`@Mutation({ deprecationReason })`), naming its replacement. */
export function replacedBy(old: RenamedMutation): string {
  return `Use ${RENAMED_MUTATIONS[old]}. Removed in ${REMOVED_IN}.`;
}

/** The name a request rule classifies a root field by: its replacement's for a renamed mutation, else its own. */
export function currentMutationName(name: string): string {
  return Object.hasOwn(RENAMED_MUTATIONS, name) ? RENAMED_MUTATIONS[name as RenamedMutation] : name;
}
