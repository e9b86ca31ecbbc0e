/**
 * Issue 12, point 4: a ban ends every power in that community. A moderator who authored, organized
 * and created something of every kind (a post, comments, a meetup with attendees, a live stream
 * under way with its chat and a question, polls, contest entries and votes…) is banned by the owner;
 * then every mutation of the schema that acts in a community is tried as them, on those very things,
 * and each must answer FORBIDDEN and change no row of the community.
 *
 * The table below walks the built schema: a mutation that is neither in ATTEMPTS nor in
 * NOT_IN_A_COMMUNITY fails the first test, so a mutation added later without its check (or its
 * row here) fails the suite.
 */
import { isObjectType } from 'graphql';
import { createEvent, hoursFromNow } from '../events/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  openPrivileges,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
  unique,
} from '../support/server';
import { toGlobalId } from '../../src/platform/ids';
import { dbId, dbQuery } from '../posts/operations';
import { communityKey, communityState, pendingJoinRequest } from './community-state';

/** Mutations that act in no community: each with the reason it is exempt from the ban rule. */
const NOT_IN_A_COMMUNITY: Record<string, string> = {
  signUp: 'creates an account: there is no community yet',
  signIn: 'starts a session of the account, in no community',
  signOut: "ends the caller's own session",
  createApiKey: "creates the caller's own credential, in no community",
  revokeApiKey: "revokes the caller's own credential",
  createCommunity: 'creates a new community, where nobody is banned',
  blockUser: "changes the caller's own relationship with another user, in no community",
  unblockUser: "changes the caller's own relationship with another user, in no community",
  blockAccount: "changes the caller's own relationship with another user, in no community",
  unblockAccount: "changes the caller's own relationship with another user, in no community",
  followMember: 'changes whom the caller follows, in no community (the feed reads only what they may read)',
  unfollowMember: 'changes whom the caller follows, in no community',
  followTag: 'changes which tags the caller follows, in no community (the feed reads only what they may read)',
  unfollowTag: 'changes which tags the caller follows, in no community',
  markNotificationsRead: "marks the caller's own notifications read, in no community",
  requestDataExport: "asks for a copy of the caller's own data, which a ban does not take away",
  updateRetentionSettings: 'changes platform-wide settings, for platform admins only, in no community',
  markNotificationsAsRead: "marks the caller's own notifications read, in no community",
  requestEmailVerification: 'emails the caller a link to verify their own address, in no community',
  verifyEmail: "verifies an account's own address, in no community",
  requestPasswordReset: 'emails a password reset link for an account, in no community',
  resetPassword: "sets an account's own password, in no community",
  endSession: "ends the caller's own session",
  deactivateApiKey: "revokes the caller's own credential",
  sendVerificationEmail: 'emails the caller a link to verify their own address, in no community',
  verifyEmailAddress: "verifies an account's own address, in no community",
  sendPasswordResetEmail: 'emails a password reset link for an account, in no community',
  completePasswordReset: "sets an account's own password, in no community",
  requestAccountDeletion:
    "schedules the caller's own account for deletion, in no community (a ban must not keep anyone from leaving)",
  deleteAccount: "deletes the caller's own account (as requestAccountDeletion), in no community",
  cancelAccountDeletion: "stops the caller's own pending account deletion, in no community",
};

/**
 * Mutations that act in a community but that a ban must not take away, each with why. They are
 * tested where they are built (tests/moderation).
 */
const OPEN_TO_THE_BANNED: Record<string, string> = {
  appeal:
    "a restricted member's way to contest the decision (a ban included, per the EU Digital Services Act); it changes nothing until another moderator decides it",
  appealDecision:
    "a restricted member's way to contest the decision (a ban included, per the EU Digital Services Act); it changes nothing until another moderator decides it",
  updateNotificationPreferences:
    "the caller's own choice of how they hear of notifications from a community they can still see; it changes nothing in the community (tests/notifications/preferences.test.ts)",
  setNotificationPreferences:
    "the caller's own choice of how they hear of notifications from a community they can still see; it changes nothing in the community (tests/notifications/preferences.test.ts)",
};

/** What the banned ex-moderator made or takes part in, before the ban. */
interface Subjects {
  community: { id: string; slug: string };
  owner: TestUser;
  member: TestUser;
  muted: TestUser;
  outsider: TestUser;
  ownPost: { id: string };
  othersPost: { id: string };
  ownComment: { id: string };
  othersComment: { id: string };
  ownMeetup: { id: string };
  ownersMeetup: { id: string };
  liveStream: { id: string };
  laterStream: { id: string };
  ownMessage: { id: string };
  othersMessage: { id: string };
  question: { id: string };
  ownPoll: { id: string };
  ownersPoll: { id: string; options: { id: string }[] };
  submissions: { id: string };
  openContest: { id: string };
  ownEntry: { id: string };
  votingContest: { id: string };
  othersEntry: { id: string };
  joinRequest: string;
  ownInviteLink: { id: string };
  ownersInviteToken: string;
  queueItem: string;
  rule: string;
  appeal: string;
  autoModRule: string;
  webhookEndpoint: string;
  webhookDelivery: string;
  bot: string;
  channel: string;
  quest: string;
}

interface Attempt {
  query: string;
  variables?: Record<string, unknown>;
}

const op = (query: string, variables: Record<string, unknown> = {}): Attempt => ({ query, variables });

/**
 * Each community-scoped mutation of the schema, and how the banned ex-moderator tries it on what
 * they authored, organized or created (and, where their role used to allow it, on others' things).
 * To add a mutation: one row here, with the subjects it acts on.
 */
const ATTEMPTS: Record<string, (s: Subjects) => Attempt[]> = {
  // Communities and members
  updateCommunity: (s) => [
    op('mutation($id: ID!) { updateCommunity(input: { id: $id, name: "Taken over" }) { id } }', { id: s.community.id }),
  ],
  joinCommunity: (s) => [
    op('mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }', { id: s.community.id }),
  ],
  leaveCommunity: (s) => [op('mutation($id: ID!) { leaveCommunity(communityId: $id) }', { id: s.community.id })],
  setMemberRole: (s) => [
    op(
      'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
      { c: s.community.id, u: s.member.user.id },
    ),
  ],
  banMember: (s) => [
    op(
      'mutation($c: ID!, $u: ID!) { banMember(input: { communityId: $c, userId: $u, reason: "revenge" }) { reason } }',
      { c: s.community.id, u: s.member.user.id },
    ),
  ],
  unbanMember: (s) => [
    op('mutation($c: ID!, $u: ID!) { unbanMember(input: { communityId: $c, userId: $u }) }', {
      c: s.community.id,
      u: s.outsider.user.id,
    }),
  ],
  inviteMember: (s) => [
    op('mutation($c: ID!, $u: ID!) { inviteMember(input: { communityId: $c, userId: $u }) { id } }', {
      c: s.community.id,
      u: s.outsider.user.id,
    }),
  ],
  createInviteLink: (s) => [
    op('mutation($c: ID!) { createInviteLink(communityId: $c) { token } }', { c: s.community.id }),
  ],
  revokeInviteLink: (s) => [op('mutation($id: ID!) { revokeInviteLink(id: $id) { id } }', { id: s.ownInviteLink.id })],
  joinByInviteLink: (s) => [
    op('mutation($t: String!) { joinByInviteLink(token: $t) { outcome } }', { t: s.ownersInviteToken }),
  ],
  approveJoinRequest: (s) => [op('mutation($id: ID!) { approveJoinRequest(id: $id) { id } }', { id: s.joinRequest })],
  rejectJoinRequest: (s) => [op('mutation($id: ID!) { rejectJoinRequest(id: $id) { id } }', { id: s.joinRequest })],
  // Channels: managing them (the owner's role needed), following one (any member).
  createChannel: (s) => [
    op('mutation($c: ID!) { createChannel(input: { communityId: $c, slug: "mine", name: "Mine" }) { id } }', {
      c: s.community.id,
    }),
  ],
  updateChannel: (s) => [
    op('mutation($id: ID!) { updateChannel(input: { id: $id, name: "Taken over" }) { id } }', { id: s.channel }),
  ],
  removeChannel: (s) => [
    op('mutation($id: ID!) { removeChannel(input: { id: $id }) { movedPostCount } }', { id: s.channel }),
  ],
  setChannelSubscription: (s) => [
    op('mutation($id: ID!) { setChannelSubscription(input: { channelId: $id, state: MUTED }) { id } }', {
      id: s.channel,
    }),
  ],
  requestMembership: (s) => [
    op('mutation($id: ID!) { requestMembership(input: { communityId: $id }) { outcome } }', { id: s.community.id }),
  ],
  endMembership: (s) => [
    op('mutation($id: ID!) { endMembership(input: { communityId: $id }) { community { id } } }', {
      id: s.community.id,
    }),
  ],
  liftBan: (s) => [
    op('mutation($c: ID!, $u: ID!) { liftBan(input: { communityId: $c, userId: $u }) { lifted } }', {
      c: s.community.id,
      u: s.outsider.user.id,
    }),
  ],
  inviteUser: (s) => [
    op('mutation($c: ID!, $u: ID!) { inviteUser(input: { communityId: $c, userId: $u }) { id } }', {
      c: s.community.id,
      u: s.outsider.user.id,
    }),
  ],
  issueInviteLink: (s) => [
    op('mutation($c: ID!) { issueInviteLink(input: { communityId: $c }) { token } }', { c: s.community.id }),
  ],
  deactivateInviteLink: (s) => [
    op('mutation($id: ID!) { deactivateInviteLink(input: { id: $id }) { id } }', { id: s.ownInviteLink.id }),
  ],
  redeemInviteLink: (s) => [
    op('mutation($t: String!) { redeemInviteLink(input: { token: $t }) { outcome } }', { t: s.ownersInviteToken }),
  ],
  acceptJoinRequest: (s) => [
    op('mutation($id: ID!) { acceptJoinRequest(input: { id: $id }) { member { id } } }', { id: s.joinRequest }),
  ],
  declineJoinRequest: (s) => [
    op('mutation($id: ID!) { declineJoinRequest(input: { id: $id }) { id } }', { id: s.joinRequest }),
  ],
  updateReputationRules: (s) => [
    op('mutation($c: ID!) { updateReputationRules(input: { communityId: $c, pollVote: 50 }) { id } }', {
      c: s.community.id,
    }),
  ],
  rebuildReputation: (s) => [op('mutation($c: ID!) { rebuildReputation(communityId: $c) }', { c: s.community.id })],
  setReputationRules: (s) => [
    op('mutation($c: ID!) { setReputationRules(input: { communityId: $c, pollVote: 50 }) { id } }', {
      c: s.community.id,
    }),
  ],
  // Quests
  createQuest: (s) => [
    op(
      'mutation($c: ID!) { createQuest(input: { communityId: $c, title: "Mine", description: "", period: DAILY, goals: [{ action: COMMENT, target: 1 }], rewardPoints: 1000 }) { id } }',
      { c: s.community.id },
    ),
  ],
  updateQuest: (s) => [
    op('mutation($id: ID!) { updateQuest(input: { id: $id, rewardPoints: 1000 }) { id } }', { id: s.quest }),
  ],
  closeQuest: (s) => [op('mutation($id: ID!) { closeQuest(input: { id: $id }) { id } }', { id: s.quest })],
  removeQuestCompletion: (s) => [
    op(
      'mutation($q: ID!, $u: ID!) { removeQuestCompletion(input: { questId: $q, userId: $u, periodStart: "2026-01-01T00:00:00Z" }) { revokedAt } }',
      { q: s.quest, u: s.member.user.id },
    ),
  ],
  rebuildCommunityReputation: (s) => [
    op('mutation($c: ID!) { rebuildCommunityReputation(input: { communityId: $c }) { correctedMembers } }', {
      c: s.community.id,
    }),
  ],
  // Posts and comments
  createPost: (s) => [
    op('mutation($c: ID!) { createPost(input: { communityId: $c, title: "Still here", body: "Hello" }) { id } }', {
      c: s.community.id,
    }),
  ],
  updatePost: (s) => [
    op('mutation($id: ID!) { updatePost(input: { id: $id, body: "Click https://phish.example" }) { id } }', {
      id: s.ownPost.id,
    }),
  ],
  deletePost: (s) => [
    op('mutation($id: ID!) { deletePost(id: $id) { id } }', { id: s.ownPost.id }),
    op('mutation($id: ID!) { deletePost(id: $id) { id } }', { id: s.othersPost.id }),
  ],
  pinPost: (s) => [op('mutation($id: ID!) { pinPost(id: $id, pinned: true) { id } }', { id: s.ownPost.id })],
  lockPost: (s) => [op('mutation($id: ID!) { lockPost(id: $id, locked: true) { id } }', { id: s.othersPost.id })],
  muteThread: (s) => [op('mutation($id: ID!) { muteThread(postId: $id, muted: true) { id } }', { id: s.ownPost.id })],
  mutePostThread: (s) => [
    op('mutation($id: ID!) { mutePostThread(input: { postId: $id, muted: true }) { id } }', { id: s.ownPost.id }),
  ],
  addComment: (s) => [
    op('mutation($p: ID!) { addComment(input: { postId: $p, body: "Still here" }) { id } }', { p: s.othersPost.id }),
  ],
  updateComment: (s) => [
    op('mutation($id: ID!) { updateComment(input: { id: $id, body: "Click https://phish.example" }) { id } }', {
      id: s.ownComment.id,
    }),
  ],
  deleteComment: (s) => [
    op('mutation($id: ID!) { deleteComment(id: $id) { id } }', { id: s.ownComment.id }),
    op('mutation($id: ID!) { deleteComment(id: $id) { id } }', { id: s.othersComment.id }),
  ],
  featureComment: (s) => [
    op('mutation($id: ID!) { featureComment(id: $id, featured: true) { id } }', { id: s.othersComment.id }),
  ],
  vote: (s) => [
    op('mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }', { id: s.othersPost.id }),
  ],
  react: (s) => [
    op('mutation($id: ID!) { react(input: { subjectId: $id, emoji: "🎉" }) { __typename } }', {
      id: s.othersComment.id,
    }),
  ],
  removePost: (s) => [
    op('mutation($id: ID!) { removePost(input: { id: $id }) { id } }', { id: s.ownPost.id }),
    op('mutation($id: ID!) { removePost(input: { id: $id }) { id } }', { id: s.othersPost.id }),
  ],
  moderatePost: (s) => [
    op('mutation($id: ID!) { moderatePost(input: { id: $id, pinned: true }) { id } }', { id: s.ownPost.id }),
    op('mutation($id: ID!) { moderatePost(input: { id: $id, locked: true }) { id } }', { id: s.othersPost.id }),
  ],
  removeComment: (s) => [
    op('mutation($id: ID!) { removeComment(input: { id: $id }) { id } }', { id: s.ownComment.id }),
    op('mutation($id: ID!) { removeComment(input: { id: $id }) { id } }', { id: s.othersComment.id }),
  ],
  moderateComment: (s) => [
    op('mutation($id: ID!) { moderateComment(input: { id: $id, featured: true }) { id } }', {
      id: s.othersComment.id,
    }),
  ],
  setVote: (s) => [
    op('mutation($id: ID!) { setVote(input: { subjectId: $id, value: UP }) { __typename } }', {
      id: s.othersPost.id,
    }),
  ],
  setReaction: (s) => [
    op('mutation($id: ID!) { setReaction(input: { subjectId: $id, emoji: "🎉" }) { __typename } }', {
      id: s.othersComment.id,
    }),
  ],
  // Events
  createEvent: (s) => [
    op(
      'mutation($c: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { createEvent(input: { communityId: $c, title: "Mine", startsAt: $from, endsAt: $to }) { id } }',
      { c: s.community.id, from: hoursFromNow(30).toISOString(), to: hoursFromNow(31).toISOString() },
    ),
  ],
  updateEvent: (s) => [
    op('mutation($id: ID!) { updateEvent(input: { id: $id, onlineUrl: "https://phish.example/join" }) { id } }', {
      id: s.ownMeetup.id,
    }),
    op('mutation($id: ID!) { updateEvent(input: { id: $id, title: "Moved" }) { id } }', { id: s.ownersMeetup.id }),
  ],
  cancelEvent: (s) => [
    op('mutation($id: ID!) { cancelEvent(id: $id) { id } }', { id: s.ownMeetup.id }),
    op('mutation($id: ID!) { cancelEvent(id: $id) { id } }', { id: s.liveStream.id }),
  ],
  rsvp: (s) => [
    op('mutation($id: ID!) { rsvp(input: { eventId: $id, status: GOING }) { id } }', { id: s.ownersMeetup.id }),
  ],
  checkIn: (s) => [
    op('mutation($e: ID!, $u: ID!) { checkIn(input: { eventId: $e, userId: $u }) { id } }', {
      e: s.ownMeetup.id,
      u: s.member.user.id,
    }),
  ],
  // Live streams and their chat
  startLiveStream: (s) => [op('mutation($id: ID!) { startLiveStream(eventId: $id) { id } }', { id: s.laterStream.id })],
  endLiveStream: (s) => [op('mutation($id: ID!) { endLiveStream(eventId: $id) { id } }', { id: s.liveStream.id })],
  setSlowMode: (s) => [
    op('mutation($id: ID!) { setSlowMode(eventId: $id, seconds: 300) { id } }', { id: s.liveStream.id }),
  ],
  sendChatMessage: (s) => [
    op('mutation($id: ID!) { sendChatMessage(input: { eventId: $id, body: "Still here" }) { id } }', {
      id: s.liveStream.id,
    }),
  ],
  deleteChatMessage: (s) => [
    op('mutation($id: ID!) { deleteChatMessage(id: $id) }', { id: s.ownMessage.id }),
    op('mutation($id: ID!) { deleteChatMessage(id: $id) }', { id: s.othersMessage.id }),
  ],
  muteChatMember: (s) => [
    op('mutation($e: ID!, $u: ID!) { muteChatMember(input: { eventId: $e, userId: $u }) }', {
      e: s.liveStream.id,
      u: s.member.user.id,
    }),
  ],
  unmuteChatMember: (s) => [
    op('mutation($e: ID!, $u: ID!) { unmuteChatMember(eventId: $e, userId: $u) }', {
      e: s.liveStream.id,
      u: s.muted.user.id,
    }),
  ],
  upvoteQuestion: (s) => [op('mutation($id: ID!) { upvoteQuestion(id: $id) { id } }', { id: s.question.id })],
  markQuestionAnswered: (s) => [
    op('mutation($id: ID!) { markQuestionAnswered(id: $id) { id } }', { id: s.question.id }),
  ],
  // Contests
  submitContestEntry: (s) => [
    op('mutation($e: ID!, $p: ID!) { submitContestEntry(input: { eventId: $e, postId: $p }) { id } }', {
      e: s.openContest.id,
      p: s.ownPost.id,
    }),
  ],
  withdrawContestEntry: (s) => [op('mutation($id: ID!) { withdrawContestEntry(entryId: $id) }', { id: s.ownEntry.id })],
  voteContestEntry: (s) => [
    op('mutation($id: ID!) { voteContestEntry(entryId: $id) { id } }', { id: s.othersEntry.id }),
  ],
  withdrawContestVote: (s) => [
    op('mutation($id: ID!) { withdrawContestVote(eventId: $id) }', { id: s.votingContest.id }),
  ],
  cancelCommunityEvent: (s) => [
    op('mutation($id: ID!) { cancelCommunityEvent(input: { id: $id }) { id } }', { id: s.ownMeetup.id }),
    op('mutation($id: ID!) { cancelCommunityEvent(input: { id: $id }) { id } }', { id: s.liveStream.id }),
  ],
  setRsvp: (s) => [
    op('mutation($id: ID!) { setRsvp(input: { eventId: $id, status: GOING }) { id } }', { id: s.ownersMeetup.id }),
  ],
  checkInAttendee: (s) => [
    op('mutation($e: ID!, $u: ID!) { checkInAttendee(input: { eventId: $e, userId: $u }) { id } }', {
      e: s.ownMeetup.id,
      u: s.member.user.id,
    }),
  ],
  openLiveStream: (s) => [
    op('mutation($id: ID!) { openLiveStream(input: { eventId: $id }) { id } }', { id: s.laterStream.id }),
  ],
  closeLiveStream: (s) => [
    op('mutation($id: ID!) { closeLiveStream(input: { eventId: $id }) { id } }', { id: s.liveStream.id }),
  ],
  setChatSlowMode: (s) => [
    op('mutation($id: ID!) { setChatSlowMode(input: { eventId: $id, seconds: 300 }) { id } }', {
      id: s.liveStream.id,
    }),
  ],
  removeChatMessage: (s) => [
    op('mutation($id: ID!) { removeChatMessage(input: { id: $id }) { removedMessageId } }', { id: s.ownMessage.id }),
    op('mutation($id: ID!) { removeChatMessage(input: { id: $id }) { removedMessageId } }', {
      id: s.othersMessage.id,
    }),
  ],
  muteLiveChatMember: (s) => [
    op('mutation($e: ID!, $u: ID!) { muteLiveChatMember(input: { eventId: $e, userId: $u }) { user { id } } }', {
      e: s.liveStream.id,
      u: s.member.user.id,
    }),
  ],
  unmuteLiveChatMember: (s) => [
    op('mutation($e: ID!, $u: ID!) { unmuteLiveChatMember(input: { eventId: $e, userId: $u }) { unmuted } }', {
      e: s.liveStream.id,
      u: s.muted.user.id,
    }),
  ],
  setQuestionUpvote: (s) => [
    op('mutation($id: ID!) { setQuestionUpvote(input: { id: $id }) { id } }', { id: s.question.id }),
  ],
  markQuestionAsAnswered: (s) => [
    op('mutation($id: ID!) { markQuestionAsAnswered(input: { id: $id }) { id } }', { id: s.question.id }),
  ],
  removeContestEntry: (s) => [
    op('mutation($id: ID!) { removeContestEntry(input: { entryId: $id }) { removedEntryId } }', {
      id: s.ownEntry.id,
    }),
  ],
  castContestVote: (s) => [
    op('mutation($id: ID!) { castContestVote(input: { entryId: $id }) { id } }', { id: s.othersEntry.id }),
  ],
  retractContestVote: (s) => [
    op('mutation($id: ID!) { retractContestVote(input: { eventId: $id }) { entry { id } } }', {
      id: s.votingContest.id,
    }),
  ],
  // Polls
  createPoll: (s) => [
    op(
      'mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Mine?", options: ["Yes", "No"] }) { id } }',
      { c: s.community.id },
    ),
  ],
  castVote: (s) => [
    op('mutation($p: ID!, $o: ID!) { castVote(input: { pollId: $p, optionIds: [$o] }) { id } }', {
      p: s.ownersPoll.id,
      o: s.ownersPoll.options[0].id,
    }),
  ],
  closePoll: (s) => [
    op('mutation($id: ID!) { closePoll(id: $id) { id } }', { id: s.ownPoll.id }),
    op('mutation($id: ID!) { closePoll(id: $id) { id } }', { id: s.ownersPoll.id }),
  ],
  endPoll: (s) => [
    op('mutation($id: ID!) { endPoll(input: { id: $id }) { id } }', { id: s.ownPoll.id }),
    op('mutation($id: ID!) { endPoll(input: { id: $id }) { id } }', { id: s.ownersPoll.id }),
  ],
  // Moderation
  report: (s) => [
    op('mutation($id: ID!) { report(input: { subjectId: $id, reason: SPAM }) { id } }', { id: s.othersPost.id }),
  ],
  decide: (s) => [
    op(
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Mine" }) { id } }',
      {
        i: s.queueItem,
        r: s.rule,
      },
    ),
    op('mutation($i: ID!) { decide(input: { itemId: $i, action: DISMISS }) { id } }', { i: s.queueItem }),
  ],
  createReport: (s) => [
    op('mutation($id: ID!) { createReport(input: { subjectId: $id, reason: SPAM }) { id } }', { id: s.othersPost.id }),
  ],
  decideModerationItem: (s) => [
    op(
      'mutation($i: ID!, $r: ID!) { decideModerationItem(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Mine" }) { id } }',
      { i: s.queueItem, r: s.rule },
    ),
    op('mutation($i: ID!) { decideModerationItem(input: { itemId: $i, action: DISMISS }) { id } }', { i: s.queueItem }),
  ],
  removeCommunityRule: (s) => [
    op('mutation($id: ID!) { removeCommunityRule(input: { id: $id }) { removedRuleId } }', { id: s.rule }),
  ],
  addAutoModRule: (s) => [
    op(
      'mutation($c: ID!) { addAutoModRule(input: { communityId: $c, name: "Mine", conditions: { keywords: ["x"] }, action: BLOCK }) { id } }',
      { c: s.community.id },
    ),
  ],
  removeAutoModRule: (s) => [
    op('mutation($id: ID!) { removeAutoModRule(input: { id: $id }) { removedRuleId } }', { id: s.autoModRule }),
  ],
  createCommunityRule: (s) => [
    op('mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "Mine" }) { id } }', {
      c: s.community.id,
    }),
  ],
  updateCommunityRule: (s) => [
    op('mutation($id: ID!) { updateCommunityRule(input: { id: $id, title: "Mine" }) { id } }', { id: s.rule }),
  ],
  deleteCommunityRule: (s) => [op('mutation($id: ID!) { deleteCommunityRule(id: $id) }', { id: s.rule })],
  createWebhookEndpoint: (s) => [
    op(
      'mutation($c: ID!) { createWebhookEndpoint(input: { communityId: $c, url: "https://example.com/mine", eventTypes: [POST_CREATED] }) { secret } }',
      { c: s.community.id },
    ),
  ],
  updateWebhookEndpoint: (s) => [
    op('mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: true }) { id } }', {
      id: s.webhookEndpoint,
    }),
  ],
  deleteWebhookEndpoint: (s) => [
    op('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: s.webhookEndpoint }),
  ],
  rotateWebhookSecret: (s) => [
    op('mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: s.webhookEndpoint }),
  ],
  createBot: (s) => [
    op('mutation($c: ID!) { createBot(input: { communityId: $c, name: "Mine", handle: "banned_bot" }) { secret } }', {
      c: s.community.id,
    }),
  ],
  rotateBotKey: (s) => [op('mutation($b: ID!) { rotateBotKey(botId: $b) { secret } }', { b: s.bot })],
  redeliverWebhook: (s) => [
    op('mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }', { id: s.webhookDelivery }),
  ],
  removeWebhookEndpoint: (s) => [
    op('mutation($id: ID!) { removeWebhookEndpoint(input: { id: $id }) { removedEndpointId } }', {
      id: s.webhookEndpoint,
    }),
  ],
  rotateWebhookEndpointSecret: (s) => [
    op('mutation($id: ID!) { rotateWebhookEndpointSecret(input: { id: $id }) { secret } }', { id: s.webhookEndpoint }),
  ],
  resendWebhookDelivery: (s) => [
    op('mutation($id: ID!) { resendWebhookDelivery(input: { deliveryId: $id }) { id } }', { id: s.webhookDelivery }),
  ],
  rotateBotApiKey: (s) => [op('mutation($b: ID!) { rotateBotApiKey(input: { botId: $b }) { secret } }', { b: s.bot })],
  createAutoModRule: (s) => [
    op(
      'mutation($c: ID!) { createAutoModRule(input: { communityId: $c, name: "Mine", conditions: { keywords: ["x"] }, action: BLOCK }) { id } }',
      { c: s.community.id },
    ),
  ],
  updateAutoModRule: (s) => [
    op('mutation($id: ID!) { updateAutoModRule(input: { id: $id, enabled: false }) { id } }', { id: s.autoModRule }),
  ],
  deleteAutoModRule: (s) => [op('mutation($id: ID!) { deleteAutoModRule(id: $id) }', { id: s.autoModRule })],
  decideAppeal: (s) => [
    op('mutation($id: ID!) { decideAppeal(input: { appealId: $id, outcome: REVERSE, statement: "Mine" }) { id } }', {
      id: s.appeal,
    }),
  ],
};

let server: TestServer;
let banned: TestUser;
let subjects: Subjects;
let key: number;

/** Runs an operation as `who`, failing loudly when it fails: set-up only. */
async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const post = async (who: TestUser, communityId: string, title: string) =>
  (
    await must(
      who,
      'mutation($c: ID!, $t: String!) { createPost(input: { communityId: $c, title: $t, body: "Words." }) { id } }',
      { c: communityId, t: title },
    )
  ).createPost;
const comment = async (who: TestUser, postId: string) =>
  (await must(who, 'mutation($p: ID!) { addComment(input: { postId: $p, body: "A comment." }) { id } }', { p: postId }))
    .addComment;
const say = async (who: TestUser, eventId: string, body: string, isQuestion = false) =>
  (
    await must(
      who,
      'mutation($e: ID!, $b: String!, $q: Boolean!) { sendChatMessage(input: { eventId: $e, body: $b, isQuestion: $q }) { id } }',
      { e: eventId, b: body, q: isQuestion },
    )
  ).sendChatMessage;
const poll = async (who: TestUser, communityId: string) =>
  (
    await must(
      who,
      'mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Which?", options: ["A", "B"] }) { id options { id } } }',
      { c: communityId },
    )
  ).createPoll;
const contest = (who: TestUser, communityId: string) =>
  createEvent(server, who, communityId, { kind: 'CONTEST', title: 'Contest', startsAt: hoursFromNow(24) });
const enter = async (who: TestUser, eventId: string, postId: string) =>
  (
    await must(who, 'mutation($e: ID!, $p: ID!) { submitContestEntry(input: { eventId: $e, postId: $p }) { id } }', {
      e: eventId,
      p: postId,
    })
  ).submitContestEntry;
const ban = (by: TestUser, communityId: string, user: TestUser) =>
  must(
    by,
    'mutation($c: ID!, $u: ID!) { banMember(input: { communityId: $c, userId: $u, reason: "spam" }) { reason } }',
    { c: communityId, u: user.user.id },
  );

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server, 'owner');
  banned = await signUp(server, 'exmod');
  const [member, muted, outsider, requester] = await Promise.all(
    ['member', 'muted', 'outside', 'asks'].map((p) => signUp(server, p)),
  );
  const community = await createCommunity(server, owner, 'PUBLIC');
  await openPrivileges(server, owner, community.id);
  for (const u of [banned, member, muted]) await joinCommunity(server, u, community.id);
  await must(
    owner,
    'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
    { c: community.id, u: banned.user.id },
  );
  key = await communityKey(server, community.slug);

  // What the moderator wrote and what others wrote.
  const ownPost = await post(banned, community.id, 'My post');
  const othersPost = await post(member, community.id, 'Their post');
  const ownComment = await comment(banned, othersPost.id);
  const othersComment = await comment(member, othersPost.id);

  // Events they organize: a meetup with an attendee to check in, a live stream under way, one to come.
  const ownMeetup = await createEvent(server, banned, community.id, { startsAt: hoursFromNow(1), capacity: 10 });
  await must(member, 'mutation($e: ID!) { rsvp(input: { eventId: $e, status: GOING }) { id } }', { e: ownMeetup.id });
  const ownersMeetup = await createEvent(server, owner, community.id);
  const liveStream = await createEvent(server, banned, community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(0),
  });
  await must(banned, 'mutation($e: ID!) { startLiveStream(eventId: $e) { id } }', { e: liveStream.id });
  const ownMessage = await say(banned, liveStream.id, 'Welcome');
  const othersMessage = await say(member, liveStream.id, 'Hi');
  const question = await say(member, liveStream.id, 'When?', true);
  await must(banned, 'mutation($e: ID!, $u: ID!) { muteChatMember(input: { eventId: $e, userId: $u }) }', {
    e: liveStream.id,
    u: muted.user.id,
  });
  const laterStream = await createEvent(server, banned, community.id, {
    kind: 'LIVE_STREAM',
    startsAt: hoursFromNow(2),
  });

  // Polls: their own and the owner's.
  const ownPoll = await poll(banned, community.id);
  const ownersPoll = await poll(owner, community.id);

  // Contests: their entry while submissions are open, their vote in one that is voting.
  const submissions = await contest(owner, community.id);
  const ownEntry = await enter(banned, submissions.id, (await post(banned, community.id, 'My entry')).id);
  const openContest = await contest(owner, community.id);
  const votingContest = await contest(owner, community.id);
  const firstEntry = await enter(member, votingContest.id, othersPost.id);
  const othersEntry = await enter(muted, votingContest.id, (await post(muted, community.id, 'Their entry')).id);
  await must(
    owner,
    'mutation($id: ID!, $from: DateTimeISO!, $to: DateTimeISO!) { updateEvent(input: { id: $id, startsAt: $from, endsAt: $to }) { id } }',
    {
      id: votingContest.id,
      from: hoursFromNow(-1).toISOString(),
      to: hoursFromNow(1).toISOString(),
    },
  );
  await must(banned, 'mutation($id: ID!) { voteContestEntry(entryId: $id) { id } }', { id: firstEntry.id });

  // Someone else the owner banned, and a join request waiting for a decision (made while the
  // community took requests: written directly, as its visibility is not this test's subject).
  await ban(owner, community.id, outsider);
  await pendingJoinRequest(server, key, requester);
  const requests = await must(
    owner,
    'query($slug: String!) { community(slug: $slug) { joinRequests(first: 5) { edges { node { id } } } } }',
    { slug: community.slug },
  );

  // Invite links: one the moderator shared, one of the owner's that still works.
  const ownInviteLink = (
    await must(banned, 'mutation($c: ID!) { createInviteLink(communityId: $c) { inviteLink { id } } }', {
      c: community.id,
    })
  ).createInviteLink.inviteLink;
  const ownersInviteToken = (
    await must(owner, 'mutation($c: ID!) { createInviteLink(communityId: $c) { token } }', { c: community.id })
  ).createInviteLink.token;

  // A rule, and a review-queue item (the owner's report of the moderator's post: under the threshold).
  const rule = (
    await must(
      owner,
      'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam" }) { id } }',
      {
        c: community.id,
      },
    )
  ).createCommunityRule.id;
  const queueItem = (
    await must(owner, 'mutation($id: ID!) { report(input: { subjectId: $id, reason: SPAM }) { item { id } } }', {
      id: ownPost.id,
    })
  ).report.item.id;

  // A pending appeal: the owner warned the member about their post, and the member appealed.
  const warnedItem = (
    await must(owner, 'mutation($id: ID!) { report(input: { subjectId: $id, reason: SPAM }) { item { id } } }', {
      id: othersPost.id,
    })
  ).report.item.id;
  const warning = (
    await must(
      owner,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Spam" }) { id } }',
      { i: warnedItem, r: rule },
    )
  ).decide.id;
  const appeal = (
    await must(member, 'mutation($d: ID!) { appeal(input: { decisionId: $d, text: "It was not spam" }) { id } }', {
      d: warning,
    })
  ).appeal.id;

  const autoModRule = (
    await must(
      owner,
      'mutation($c: ID!) { createAutoModRule(input: { communityId: $c, name: "Links", conditions: { linkDomains: ["spam.example"] }, action: BLOCK, enabled: true }) { id } }',
      { c: community.id },
    )
  ).createAutoModRule.id;

  // A webhook endpoint, switched off (no delivery job changes rows while the attempts run), with a
  // past delivery of a post's event (written directly: delivering is not this test's subject).
  const webhookEndpoint = (
    await must(
      owner,
      'mutation($c: ID!) { createWebhookEndpoint(input: { communityId: $c, url: "https://example.com/hook", eventTypes: [POST_CREATED] }) { endpoint { id } } }',
      { c: community.id },
    )
  ).createWebhookEndpoint.endpoint.id;
  await must(owner, 'mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: false }) { id } }', {
    id: webhookEndpoint,
  });
  const [delivery] = await dbQuery<{ id: number }>(
    server,
    `with e as (insert into webhook_events (community_id, type, subject_id, created_at)
                values (?, 'POST_CREATED', ?, now()) returning id)
     insert into webhook_deliveries (endpoint_id, event_id, status, attempts, created_at)
     select w.id, e.id, 'FAILED', 1, now() from e, webhook_endpoints w where w.community_id = ? returning id`,
    [key, dbId(ownPost.id), key],
  );

  const bot = (
    await must(
      owner,
      'mutation($c: ID!, $h: String!) { createBot(input: { communityId: $c, name: "Helper", handle: $h }) { user { id } } }',
      { c: community.id, h: unique('helper') },
    )
  ).createBot.user.id;

  const channel = (
    await must(
      owner,
      'mutation($c: ID!) { createChannel(input: { communityId: $c, slug: "news", name: "News" }) { id } }',
      {
        c: community.id,
      },
    )
  ).createChannel.id;
  await must(
    banned,
    'mutation($id: ID!) { setChannelSubscription(input: { channelId: $id, state: FOLLOWING }) { id } }',
    {
      id: channel,
    },
  );
  const quest = (
    await must(
      owner,
      'mutation($c: ID!) { createQuest(input: { communityId: $c, title: "Daily", description: "", period: DAILY, goals: [{ action: COMMENT, target: 1 }], rewardPoints: 5 }) { id } }',
      { c: community.id },
    )
  ).createQuest.id;

  // The ban.
  await ban(owner, community.id, banned);

  subjects = {
    community,
    owner,
    member,
    muted,
    outsider,
    ownPost,
    othersPost,
    ownComment,
    othersComment,
    ownMeetup,
    ownersMeetup,
    liveStream,
    laterStream,
    ownMessage,
    othersMessage,
    question,
    ownPoll,
    ownersPoll,
    submissions,
    openContest,
    ownEntry,
    votingContest,
    othersEntry,
    joinRequest: requests.community.joinRequests.edges[0].node.id,
    ownInviteLink,
    ownersInviteToken,
    queueItem,
    rule,
    appeal,
    autoModRule,
    webhookEndpoint,
    webhookDelivery: toGlobalId('WebhookDelivery', delivery.id),
    bot,
    channel,
    quest,
  };
}, 120_000);
afterAll(closeAll);

describe('a banned ex-moderator', () => {
  it('is covered for every mutation of the schema: each acts in a community (ATTEMPTS) or is exempt with a reason', () => {
    const mutationType = server.app.schema.getMutationType();
    expect(isObjectType(mutationType)).toBe(true);
    const unlisted = Object.keys(mutationType!.getFields()).filter(
      (name) => !(name in ATTEMPTS) && !(name in NOT_IN_A_COMMUNITY) && !(name in OPEN_TO_THE_BANNED),
    );
    // A mutation listed here was added without a row in ATTEMPTS (or a reason in NOT_IN_A_COMMUNITY).
    expect(unlisted).toEqual([]);
    const stale = [
      ...Object.keys(ATTEMPTS),
      ...Object.keys(NOT_IN_A_COMMUNITY),
      ...Object.keys(OPEN_TO_THE_BANNED),
    ].filter((name) => !(name in mutationType!.getFields()));
    expect(stale).toEqual([]);
  });

  it.each(Object.keys(ATTEMPTS))(
    'is refused %s with FORBIDDEN, and nothing in the community changes',
    async (mutation) => {
      for (const attempt of ATTEMPTS[mutation](subjects)) {
        const before = await communityState(server, key);
        const res = await server.gql(attempt.query, attempt.variables, { token: banned.token });
        expect({ mutation, variables: attempt.variables, code: errorCode(res), data: res.body.data ?? null }).toEqual({
          mutation,
          variables: attempt.variables,
          code: 'FORBIDDEN',
          data: null,
        });
        expect(await communityState(server, key)).toEqual(before);
      }
    },
  );

  it('reads what they made as an anonymous visitor would: no viewerCan… power is left', async () => {
    const s = subjects;
    const read = (who?: TestUser) =>
      server.gql(
        `query($post: ID!, $comment: ID!, $event: ID!, $poll: ID!) {
        post: node(id: $post) { ... on Post { title viewerCanUpdate viewerCanDelete } }
        comment: node(id: $comment) { ... on Comment { body viewerCanUpdate viewerCanDelete } }
        event: node(id: $event) { ... on Event { title live viewerCanManage } }
        poll: node(id: $poll) { ... on Poll { question closed viewerCanClose } }
      }`,
        { post: s.ownPost.id, comment: s.ownComment.id, event: s.liveStream.id, poll: s.ownPoll.id },
        { token: who?.token },
      );
    const [asBanned, asAnonymous, asOwner] = await Promise.all([read(banned), read(), read(s.owner)]);
    expect(asBanned.body.errors).toBeUndefined();
    expect(asBanned.body.data).toEqual(asAnonymous.body.data);
    expect(asBanned.body.data.poll).toEqual({ question: 'Which?', closed: false, viewerCanClose: false });
    // The owner's powers over the same records are intact.
    expect(asOwner.body.data).toMatchObject({
      post: { viewerCanUpdate: false, viewerCanDelete: true },
      comment: { viewerCanDelete: true },
      event: { viewerCanManage: true },
      poll: { viewerCanClose: true },
    });
  });
});
