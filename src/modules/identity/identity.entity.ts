import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property, type Opt, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Node } from '../../platform/node';
import type { NodeType } from '../../platform/ids';
import { ApiScope } from '../../platform/viewer';

@Entity({ tableName: 'users' })
// Search's fuzzy matching of member handles (README, Search).
@Index({
  name: 'users_handle_trgm_index',
  expression: 'create index "users_handle_trgm_index" on "users" using gin ("handle" gin_trgm_ops)',
})
@ObjectType('User', { implements: Node, simpleResolvers: true, description: 'A person with an account.' })
export class User extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'User';
  }

  /** Lower-case, unique; shown publicly. */
  @Field({ description: 'Public, unique, lower-case handle.' })
  @Property({ length: 30, unique: true })
  handle!: string;

  /** Lower-case, unique; only the user themself and platform admins read it (see identity.resolver). */
  @Property({ length: 254, unique: true })
  email!: string;

  @Property({ length: 200, hidden: true })
  passwordHash!: string;

  /**
   * When the user proved they receive mail at `email` (`verifyEmailAddress`); null until then. Read through
   * `User.emailVerified` and `User.emailVerifiedAt` (the accounts module), by the user and admins only.
   */
  @Property({ type: 'datetime', nullable: true })
  emailVerifiedAt?: Date | null = null;

  @Field({
    description:
      'Platform administrator (granted by an operator with `npm run admin -- grant <email>`, or by ADMIN_EMAILS once the address is verified).',
  })
  @Property({ default: false })
  isAdmin: boolean = false;

  @Field({ description: 'A bot account, made by a community admin with `createBot`: it acts only in that community.' })
  @Property({ default: false })
  isBot: boolean = false;

  @Field({ description: 'When the account was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /**
   * When the account is to be erased (`requestAccountDeletion`); null when no deletion is pending.
   * Read through `User.accountDeletionScheduledAt` (the accounts module), by the user and admins only.
   */
  @Property({ type: 'datetime', nullable: true })
  deletionScheduledAt?: Date | null = null;

  /** Whether the pending deletion removes the member's posts, comments and chat messages outright (`removeContent`). */
  @Property({ default: false })
  deletionRemovesContent: Opt<boolean> = false;

  /**
   * When the account was erased: the row is then a tombstone with nothing personal (a random
   * `deleted-…` handle, no address, no password) that keeps the threads it wrote in whole.
   */
  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null = null;
}

/** A signed-in session; its token is stored only as a keyed hash. Deleting the row revokes the token. */
@Entity({ tableName: 'sessions' })
export class Session {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  @Index()
  user!: Ref<User>;

  @Property({ length: 64, unique: true })
  tokenHash!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;
}

export { ApiScope };
registerEnumType(ApiScope, {
  name: 'ApiScope',
  description: 'What an API key may do.',
  valuesConfig: {
    READ: { description: 'Run queries.' },
    WRITE: { description: 'Run mutations.' },
    SUBSCRIBE: { description: 'Open subscriptions.' },
  },
});

/** A third-party app's key: acts as its owner, limited to its scopes. Stored hashed; the secret is shown once. */
@Entity({ tableName: 'api_keys' })
@ObjectType('ApiKey', {
  implements: Node,
  simpleResolvers: true,
  description: 'An API key for a third-party app. Its secret is shown only once, by `createApiKey`.',
})
export class ApiKey extends Node {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  get nodeType(): NodeType {
    return 'ApiKey';
  }

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  @Index()
  user!: Ref<User>;

  @Field({ description: 'The name its owner gave it, 1 to 100 characters.' })
  @Property({ length: 100 })
  name!: string;

  @Field({ description: 'The first characters of the secret, to tell keys apart.' })
  @Property({ length: 16 })
  prefix!: string;

  @Property({ length: 64, unique: true })
  secretHash!: string;

  // A list without a page size: at most one of each scope.
  @Field(() => [ApiScope], { description: 'What it may do.' })
  @Property({ type: ArrayType })
  scopes!: ApiScope[];

  /** A bot's key: it acts only in this community (null: wherever its user may). */
  @Property({ type: 'integer', nullable: true })
  communityId?: number | null;

  @Field({ description: 'When the key was created.' })
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'When it last authenticated a request (updated at most once a minute); null if never used.',
  })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was revoked (it no longer works); null while it works.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;
}
