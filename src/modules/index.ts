import type { ModuleManifest } from '../platform/module';
import { accounts } from './accounts';
import { communities } from './communities';
import { events } from './events';
import { identity } from './identity';
import { moderation } from './moderation';
import { node } from './node';
import { notifications } from './notifications';
import { polls } from './polls';
import { posts } from './posts';
import { channels } from './channels';
import { privacy } from './privacy';
import { reputation } from './reputation';
import { search } from './search';
import { webhooks } from './webhooks';
import { bots } from './bots/bots';
import { insights } from './insights';
import { quests } from './quests';
import { feed } from './feed';

/**
 * Every module of the API, in the order their resolvers join the schema. A new module exports its
 * manifest from its index.ts and is added here: nothing else lists modules (see platform/module.ts).
 */
export const MODULES: readonly ModuleManifest[] = [
  node,
  identity,
  accounts,
  communities,
  posts,
  channels,
  events,
  polls,
  reputation,
  quests,
  moderation,
  notifications,
  webhooks,
  privacy,
  bots,
  search,
  insights,
  feed,
];
