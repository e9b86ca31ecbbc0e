import type { ModuleManifest } from '../../platform/module';
import { AutoModRuleResolver, CommunityAutoModResolver, ModerationItemAutoModResolver } from './automod.resolver';
import { BlocksResolver } from './blocks.resolver';
import { createModerationLoaders } from './moderation.loaders';
import {
  CommunityModerationResolver,
  ModerationDecisionResolver,
  ModerationItemResolver,
  ModerationLogEntryResolver,
  ModerationResolver,
  ReportResolver,
  AppealResolver,
} from './moderation.resolver';
import { CommunityModerationStatsResolver } from './stats.resolver';

type ModerationLoaders = ReturnType<typeof createModerationLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends ModerationLoaders {}
}

/** Reports, the review queue, decisions with their reasons, appeals, community rules, AutoMod, mutes, blocks between members and the moderation log. */
export const moderation: ModuleManifest = {
  name: 'moderation',
  resolvers: [
    ModerationResolver,
    CommunityModerationResolver,
    ModerationItemResolver,
    ReportResolver,
    ModerationDecisionResolver,
    ModerationLogEntryResolver,
    AppealResolver,
    CommunityModerationStatsResolver,
    AutoModRuleResolver,
    CommunityAutoModResolver,
    ModerationItemAutoModResolver,
    BlocksResolver,
  ],
  loaders: (em) => createModerationLoaders(em),
  // Reports and decisions show their reporter and moderator to reviewers only.
  viewerFields: [
    'reporter',
    'moderator',
    'decidedBy',
    'viewerReports',
    'viewerModerationActions',
    'viewerBlockedUsers',
  ],
};
