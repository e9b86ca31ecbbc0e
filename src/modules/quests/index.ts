import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../platform/by-id-loader';
import type { ModuleManifest } from '../../platform/module';
import type { Viewer } from '../identity/viewer';
import { Quest, QuestCompletion } from './quests.entity';
import {
  CommunityQuestsResolver,
  MemberBadgeQuestResolver,
  NotificationQuestResolver,
  QuestCompletionResolver,
  QuestResolver,
} from './quests.resolver';
import {
  questCompletionCountLoader,
  questCountLoader,
  questGoalsLoader,
  questPageLoader,
  viewerQuestProgressLoader,
} from './quests.service';

/** Per request: quests by id, pages and counts of a community's quests, goals, the viewer's progress, completion counts. */
const createQuestLoaders = (em: EntityManager, viewer: Viewer) => ({
  quest: byIdLoader(em, Quest),
  questCompletion: byIdLoader(em, QuestCompletion),
  questPage: questPageLoader(em),
  questCount: questCountLoader(em),
  questGoals: questGoalsLoader(em),
  viewerQuestProgress: viewerQuestProgressLoader(em, viewer),
  questCompletionCount: questCompletionCountLoader(em),
});
type QuestLoaders = ReturnType<typeof createQuestLoaders>;
declare module '../../platform/loaders' {
  interface Loaders extends QuestLoaders {}
}

/** Quests: goals over actions per period, counted in the actions' transactions, rewarded through the ledger. */
export const quests: ModuleManifest = {
  name: 'quests',
  resolvers: [
    CommunityQuestsResolver,
    QuestResolver,
    QuestCompletionResolver,
    NotificationQuestResolver,
    MemberBadgeQuestResolver,
  ],
  loaders: (em, viewer) => createQuestLoaders(em as EntityManager, viewer),
};
