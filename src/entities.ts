import { ApiKey, Session, User } from './modules/identity/identity.entity';
import { Ban, Community, Invite, JoinRequest, Member } from './modules/communities/communities.entity';
import { InviteLink } from './modules/communities/invite-links.entity';
import { Comment, Post, Reaction, Vote } from './modules/posts/posts.entity';
import { Channel, ChannelSubscription } from './modules/channels/channels.entity';
import { Event, Rsvp } from './modules/events/events.entity';
import { ChatMessage, ChatMute, QuestionUpvote } from './modules/events/chat.entity';
import { ContestEntry, ContestVote } from './modules/events/contests.entity';
import { Ballot, BallotChoice, Poll, PollOption } from './modules/polls/polls.entity';
import { MemberBadge, ReputationEvent } from './modules/reputation/reputation.entity';
import {
  Appeal,
  AutoModRule,
  CommunityMute,
  CommunityRule,
  ModerationDecision,
  ModerationItem,
  ModerationLogEntry,
  Report,
  UserBlock,
} from './modules/moderation/moderation.entity';
import { Notification, ThreadMute } from './modules/notifications/notifications.entity';
import { NotificationPreference } from './modules/notifications/preferences.entity';
import { EmailToken } from './modules/accounts/accounts.entity';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent } from './modules/webhooks/webhooks.entity';
import {
  ActiveMemberCount,
  CommunityDay,
  CommunityTagDay,
  InsightsWatermark,
  MemberActivityDay,
  MemberActivityMonth,
  MemberActivityWeek,
  MemberDeparture,
  PostFirstReply,
} from './modules/insights/insights.entity';
import { Settings } from './platform/settings.entity';
import { DataExport, RetentionSettings } from './modules/privacy/privacy.entity';
import { JobWorker } from './platform/jobs/job-workers.entity';
import { FeedAffinity, FeedSimilarMember, FeedWatermark, MemberFollow, TagFollow } from './modules/feed/feed.entity';

import { Quest, QuestCompletion, QuestContribution, QuestGoal, QuestProgress } from './modules/quests/quests.entity';
/** Every MikroORM entity, listed explicitly (no folder globbing: the same list works from dist/ and from source). */
export const ENTITIES = [
  User,
  Session,
  ApiKey,
  EmailToken,
  Community,
  Member,
  JoinRequest,
  Invite,
  InviteLink,
  Ban,
  Channel,
  ChannelSubscription,
  Post,
  Comment,
  Vote,
  Reaction,
  Event,
  Rsvp,
  ChatMessage,
  QuestionUpvote,
  ChatMute,
  ContestEntry,
  ContestVote,
  Poll,
  PollOption,
  Ballot,
  BallotChoice,
  ReputationEvent,
  MemberBadge,
  CommunityRule,
  ModerationItem,
  Report,
  ModerationDecision,
  CommunityMute,
  ModerationLogEntry,
  Appeal,
  AutoModRule,
  UserBlock,
  Notification,
  ThreadMute,
  NotificationPreference,
  Quest,
  QuestGoal,
  QuestProgress,
  QuestContribution,
  QuestCompletion,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  MemberActivityDay,
  CommunityDay,
  CommunityTagDay,
  PostFirstReply,
  MemberDeparture,
  InsightsWatermark,
  MemberActivityMonth,
  MemberActivityWeek,
  ActiveMemberCount,
  DataExport,
  RetentionSettings,
  Settings,
  JobWorker,
  MemberFollow,
  TagFollow,
  FeedAffinity,
  FeedSimilarMember,
  FeedWatermark,
];
