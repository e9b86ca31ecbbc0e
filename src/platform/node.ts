import { OptionalProps } from '@mikro-orm/core';
import { Field, ID, InterfaceType } from 'type-graphql';
import { toGlobalId, type NodeType } from './ids';

/**
 * `interface Node { id: ID! }`: every entity exposed to clients extends this class, so its
 * GraphQL `id` is the opaque global ID while the database keeps its integer key.
 */
@InterfaceType('Node', {
  description: 'An object with an opaque global ID, fetchable with `node(id:)`.',
  resolveType: (value: Node) => value.nodeType,
})
export abstract class Node {
  /** Computed, never passed to `em.create` (an entity that declares its own OptionalProps must repeat these). */
  [OptionalProps]?: 'nodeType' | 'globalId';
  abstract id: number;
  abstract get nodeType(): NodeType;

  @Field(() => ID, { name: 'id', description: 'Opaque global ID.' })
  get globalId(): string {
    return toGlobalId(this.nodeType, this.id);
  }
}
