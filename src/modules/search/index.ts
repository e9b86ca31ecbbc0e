import type { ModuleManifest } from '../../platform/module';
import { SearchResolver } from './search.resolver';

/** Full-text search over posts, comments, events, polls and members (README, Search). */
export const search: ModuleManifest = {
  name: 'search',
  resolvers: [SearchResolver],
};
