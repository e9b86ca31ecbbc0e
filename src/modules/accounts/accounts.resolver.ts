import { BadInput } from '../../platform/errors';
import { Arg, Args, Ctx, Extensions, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { OPEN_TO_ANONYMOUS } from '../../platform/guards/operation-rules';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import {
  CancelAccountDeletionPayload,
  CompletePasswordResetInput,
  CompletePasswordResetPayload,
  RequestPasswordResetArgs,
  RequestAccountDeletionInput,
  RequestAccountDeletionPayload,
  ResetPasswordArgs,
  SendPasswordResetEmailInput,
  SendPasswordResetEmailPayload,
  SendVerificationEmailPayload,
  VerifyEmailAddressInput,
  VerifyEmailArgs,
} from './accounts.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as accounts from './accounts.service';
import { cancelAccountDeletion, isDeletedUser, requestAccountDeletion } from './deletion';
import { sql } from '../../platform/database/sql';

/** Tokens from emails tried per client address in AUTH_RATE_WINDOW_SECONDS, as a multiple of AUTH_RATE_LIMIT. */
const TOKEN_TRIES_PER_AUTH_LIMIT = 10;

@Resolver(() => User)
export class AccountsResolver {
  @Mutation(() => SendVerificationEmailPayload, {
    description:
      'Sends the signed-in user a new email verification link (signUp sends the first). Already verified: CONFLICT. ' +
      'At most EMAIL_RATE_LIMIT per account per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
  })
  async sendVerificationEmail(@Ctx() ctx: Context): Promise<SendVerificationEmailPayload> {
    const userId = requireUser(ctx.viewer);
    await ctx.rateLimiter.consume(
      `email-verification:user:${userId}`,
      ctx.config.EMAIL_RATE_LIMIT,
      ctx.config.EMAIL_RATE_WINDOW_SECONDS * 1000,
    );
    await accounts.requestEmailVerification(ctx.em, ctx.viewer, ctx.config);
    return { user: (await ctx.loaders.user.load(userId))! };
  }

  @Mutation(() => User, {
    description:
      'Verifies the address a verification email was sent to, with its token (no sign-in needed: the token proves it). A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`. An address listed in ADMIN_EMAILS makes its owner platform admin here.',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async verifyEmailAddress(
    @Arg('input', { description: 'The token of the verification email.' }) input: VerifyEmailAddressInput,
    @Ctx() ctx: Context,
  ): Promise<User> {
    await this.tokenTry(ctx);
    return accounts.verifyEmail(ctx.em, input.token, ctx.config);
  }

  @Mutation(() => SendPasswordResetEmailPayload, {
    description:
      'Emails a password reset link to the address if an account has it, and answers the same whether or not one does. ' +
      'At most EMAIL_RATE_LIMIT per address (ten times as many per client) per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async sendPasswordResetEmail(
    @Arg('input', { description: 'The address of the account.' }) input: SendPasswordResetEmailInput,
    @Ctx() ctx: Context,
  ): Promise<SendPasswordResetEmailPayload> {
    const { email } = input;
    const windowMs = ctx.config.EMAIL_RATE_WINDOW_SECONDS * 1000;
    // Counted the same for any address, known or not: the limit tells nothing about accounts either.
    await ctx.rateLimiter.consume(
      `password-reset:email:${email.trim().toLowerCase()}`,
      ctx.config.EMAIL_RATE_LIMIT,
      windowMs,
    );
    await ctx.rateLimiter.consumeForAddress('password-reset', ctx.clientIp, ctx.config.EMAIL_RATE_LIMIT * 10, windowMs);
    await accounts.requestPasswordReset(ctx.em, email, ctx.config);
    return { email };
  }

  @Mutation(() => CompletePasswordResetPayload, {
    description:
      'Sets a new password with the token of a password reset email, and signs the account out everywhere: every session and API key is revoked (their WebSockets close with 4401). ' +
      'A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`.',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async completePasswordReset(
    @Arg('input', { description: 'The token of the email and the new password.' }) input: CompletePasswordResetInput,
    @Ctx() ctx: Context,
  ): Promise<CompletePasswordResetPayload> {
    await this.tokenTry(ctx);
    const userId = await accounts.resetPassword(ctx.em, input.token, input.password, ctx.config, ctx);
    return { user: (await ctx.loaders.user.load(userId))! };
  }

  @Mutation(() => RequestAccountDeletionPayload, {
    description:
      'Deletes your account after ACCOUNT_DELETION_GRACE_SECONDS (7 days by default; 0: at once, in this request), unless `cancelAccountDeletion` stops it; ' +
      'asking again reschedules. Your password is checked again (wrong: BAD_USER_INPUT on `password`; at most AUTH_RATE_LIMIT tries per AUTH_RATE_WINDOW_SECONDS). ' +
      'The last owner of a community must name another owner first (CONFLICT). Nothing is revoked until the erasure, so you can sign in to cancel. ' +
      'The erasure removes your votes, reactions, ballots, RSVPs and memberships with every count and score they moved (and the points your votes gave), your reputation, badges, notifications, sessions and API keys (open WebSockets close with 4401), ' +
      'keeps your posts, comments and chat messages as `[deleted]` with no author (or removes them: `removeContent`), and leaves an account with nothing personal (`User.deleted`).',
  })
  async requestAccountDeletion(
    @Arg('input', { description: 'Your password, and what becomes of your content.' })
    input: RequestAccountDeletionInput,
    @Ctx() ctx: Context,
  ): Promise<RequestAccountDeletionPayload> {
    const userId = requireUser(ctx.viewer);
    await ctx.rateLimiter.consume(
      `account-deletion:user:${userId}`,
      ctx.config.AUTH_RATE_LIMIT,
      ctx.config.AUTH_RATE_WINDOW_SECONDS * 1000,
    );
    const { scheduledAt, erased } = await requestAccountDeletion(
      ctx,
      ctx.viewer,
      input,
      ctx.config.ACCOUNT_DELETION_GRACE_SECONDS,
    );
    ctx.loaders.user.clear(userId);
    return { scheduledAt, erased, user: erased ? null : await ctx.loaders.user.load(userId) };
  }

  @Mutation(() => RequestAccountDeletionPayload, {
    description:
      'Deletes your account after the grace period, keeping your content as `[deleted]`: as `requestAccountDeletion`.',
    deprecationReason: replacedBy('deleteAccount'),
  })
  deleteAccount(
    @Arg('password', { description: "The account's password, checked again." }) password: string,
    @Ctx() ctx: Context,
  ): Promise<RequestAccountDeletionPayload> {
    // As the input's field is checked (MaxLength 200): the old argument is not an input object.
    if (password.length > 200) throw new BadInput('password is longer than 200 characters', 'password');
    return this.requestAccountDeletion(
      Object.assign(new RequestAccountDeletionInput(), { password, removeContent: false }),
      ctx,
    );
  }

  @Mutation(() => CancelAccountDeletionPayload, {
    description: 'Stops the pending deletion of your account. None pending (or already erased): CONFLICT.',
  })
  async cancelAccountDeletion(@Ctx() ctx: Context): Promise<CancelAccountDeletionPayload> {
    const userId = requireUser(ctx.viewer);
    await cancelAccountDeletion(ctx, ctx.viewer);
    ctx.loaders.user.clear(userId);
    return { user: (await ctx.loaders.user.load(userId))! };
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When the account is to be erased (`requestAccountDeletion`); null when no deletion is pending. Visible to the user themself and to platform admins; null otherwise.',
  })
  async accountDeletionScheduledAt(@Root() user: User, @Ctx() { viewer, em }: Context): Promise<Date | null> {
    if (viewer.userId !== user.id && !viewer.isAdmin) return null;
    const [row] = await sql<{ at: Date | null }[]>(em, 'select deletion_scheduled_at as at from users where id = ?', [
      user.id,
    ]);
    return row?.at ? new Date(row.at) : null;
  }

  @FieldResolver(() => Boolean, {
    description:
      'An erased account (`requestAccountDeletion`): its handle is `deleted-` and random characters, and it holds nothing personal.',
  })
  deleted(@Root() user: User): boolean {
    return isDeletedUser(user);
  }

  @Mutation(() => Boolean, {
    description:
      'Sends the signed-in user a new email verification link (signUp sends the first). Already verified: CONFLICT. ' +
      'At most EMAIL_RATE_LIMIT per account per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
    deprecationReason: replacedBy('requestEmailVerification'),
  })
  async requestEmailVerification(@Ctx() ctx: Context): Promise<boolean> {
    await this.sendVerificationEmail(ctx);
    return true;
  }

  @Mutation(() => User, {
    description:
      'Verifies the address a verification email was sent to, with its token (no sign-in needed: the token proves it). A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`. An address listed in ADMIN_EMAILS makes its owner platform admin here.',
    deprecationReason: replacedBy('verifyEmail'),
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  verifyEmail(@Args() { token }: VerifyEmailArgs, @Ctx() ctx: Context): Promise<User> {
    return this.verifyEmailAddress({ token }, ctx);
  }

  @Mutation(() => Boolean, {
    description:
      'Emails a password reset link to the address if an account has it. Always answers true, whether or not one does. ' +
      'At most EMAIL_RATE_LIMIT per address (ten times as many per client) per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
    deprecationReason: replacedBy('requestPasswordReset'),
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async requestPasswordReset(@Args() { email }: RequestPasswordResetArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.sendPasswordResetEmail({ email }, ctx);
    return true;
  }

  @Mutation(() => Boolean, {
    description:
      'Sets a new password with the token of a password reset email, and signs the account out everywhere: every session and API key is revoked (their WebSockets close with 4401). ' +
      'A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`.',
    deprecationReason: replacedBy('resetPassword'),
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async resetPassword(@Args() { token, password }: ResetPasswordArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.completePasswordReset({ token, password }, ctx);
    return true;
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      'Whether the user verified their email address. Visible to the user themself and to platform admins; null otherwise.',
  })
  emailVerified(@Root() user: User, @Ctx() { viewer }: Context): boolean | null {
    return viewer.userId === user.id || viewer.isAdmin ? !!user.emailVerifiedAt : null;
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'When the user verified their email address (null if not yet). Visible to the user themself and to platform admins.',
  })
  emailVerifiedAt(@Root() user: User, @Ctx() { viewer }: Context): Date | null {
    return viewer.userId === user.id || viewer.isAdmin ? (user.emailVerifiedAt ?? null) : null;
  }

  /** Counts a use of an emailed token from the client's address (they cannot be guessed; this bounds the trying). */
  private tokenTry(ctx: Context): Promise<void> {
    return ctx.rateLimiter.consumeForAddress(
      'email-token',
      ctx.clientIp,
      ctx.config.AUTH_RATE_LIMIT * TOKEN_TRIES_PER_AUTH_LIMIT,
      ctx.config.AUTH_RATE_WINDOW_SECONDS * 1000,
    );
  }
}
