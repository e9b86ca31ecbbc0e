import type { ModuleManifest } from '../../platform/module';
import { NodeResolver } from './node.resolver';

/** `node(id)` and `nodes(ids)`: any object by its global ID. */
export const node: ModuleManifest = {
  name: 'node',
  resolvers: [NodeResolver],
};
