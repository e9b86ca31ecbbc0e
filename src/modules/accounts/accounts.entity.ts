import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { User } from '../identity/identity.entity';

/** What an email token proves when it is used. */
export enum EmailTokenPurpose {
  /** The user receives mail at `email`: `verifyEmailAddress`. */
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  /** The user may set a new password: `completePasswordReset`. */
  RESET_PASSWORD = 'RESET_PASSWORD',
}

/**
 * A single-use, expiring token sent by email (a verification or password reset link). Neither the
 * token nor anything that gives it is stored: the token is an HMAC (keyed by TOKEN_SECRET) of `seed`,
 * made again by the job that sends the message, and `tokenHash` (keyed too) is how it is found when it
 * comes back. `usedAt` is set by the conditional update that consumes it, so it works once.
 */
@Entity({ tableName: 'email_tokens' })
export class EmailToken {
  @PrimaryKey({ autoincrement: true })
  id!: number;

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  @Index()
  user!: Ref<User>;

  @Enum({ items: () => EmailTokenPurpose })
  purpose!: EmailTokenPurpose;

  /** The address the token was sent to: a verification proves this one, not whatever the user has later. */
  @Property({ length: 254 })
  email!: string;

  /** 32 random bytes (base64url) the token is derived from with TOKEN_SECRET. */
  @Property({ length: 64 })
  seed!: string;

  @Property({ length: 64, unique: true })
  tokenHash!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null = null;
}
