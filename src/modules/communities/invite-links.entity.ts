import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { User } from '../identity/identity.entity';
import { Community } from './communities.entity';

export enum InviteLinkState {
  ACTIVE = 'ACTIVE',
  EXPIRED = 'EXPIRED',
  REVOKED = 'REVOKED',
  USED_UP = 'USED_UP',
}
registerEnumType(InviteLinkState, {
  name: 'InviteLinkState',
  description: 'Whether joins with an invite link work now, and if not why.',
  valuesConfig: {
    ACTIVE: { description: 'Joins with it work.' },
    EXPIRED: { description: 'Past its `expiresAt`.' },
    REVOKED: { description: 'A moderator revoked it.' },
    USED_UP: { description: 'As many users as its `maxUses` joined with it.' },
  },
});

/**
 * A link that lets whoever holds its token join a community (the way into a PRIVATE one besides an
 * invite). Only a keyed hash of the token is stored; `uses` moves in SQL, under the row lock of the
 * join's own transaction, so `maxUses` holds under concurrent joins.
 */
@Entity({ tableName: 'invite_links' })
@Index({ name: 'invite_links_community_id_id_index', properties: ['community', 'id'] })
@Check({ name: 'invite_links_uses_check', expression: 'uses >= 0 and (max_uses is null or uses <= max_uses)' })
@ObjectType('InviteLink', {
  implements: Node,
  simpleResolvers: true,
  description: 'A link to join a community, for moderators to share (its token is shown once, at creation).',
})
export class InviteLink extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'InviteLink';
  }

  @ManyToOne(() => Community, { ref: true, deleteRule: 'cascade' })
  community!: Ref<Community>;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  createdBy!: Ref<User>;

  /** HMAC-SHA256 of the token keyed by TOKEN_SECRET (`hashSecret`): the token itself is never stored. */
  @Property({ length: 64, unique: true })
  tokenHash!: string;

  @Field({ description: 'When the link was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field({ description: 'When the link stops working.' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => Int, {
    nullable: true,
    description: 'How many users may join with it; null: any number until it expires.',
  })
  @Property({ type: 'int', nullable: true })
  maxUses?: number | null;

  @Field(() => Int, { description: 'How many users joined with it.' })
  @Property({ default: 0 })
  uses: number = 0;

  @Field(() => Date, { nullable: true, description: 'When a moderator revoked it; null unless REVOKED.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  /** Why joins with this link are refused now, or ACTIVE. */
  stateAt(now: Date): InviteLinkState {
    if (this.revokedAt) return InviteLinkState.REVOKED;
    if (this.expiresAt.getTime() <= now.getTime()) return InviteLinkState.EXPIRED;
    if (this.maxUses !== null && this.maxUses !== undefined && this.uses >= this.maxUses)
      return InviteLinkState.USED_UP;
    return InviteLinkState.ACTIVE;
  }
}
