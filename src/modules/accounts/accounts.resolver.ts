import { Args, Ctx, Extensions, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { OPEN_TO_ANONYMOUS } from '../../platform/guards/operation-rules';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import { RequestPasswordResetArgs, ResetPasswordArgs, VerifyEmailArgs } from './accounts.inputs';
import * as accounts from './accounts.service';

/** Tokens from emails tried per client address in AUTH_RATE_WINDOW_SECONDS, as a multiple of AUTH_RATE_LIMIT. */
const TOKEN_TRIES_PER_AUTH_LIMIT = 10;

@Resolver(() => User)
export class AccountsResolver {
  @Mutation(() => Boolean, {
    description:
      'Sends the signed-in user a new email verification link (signUp sends the first). Already verified: CONFLICT. ' +
      'At most EMAIL_RATE_LIMIT per account per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
  })
  async requestEmailVerification(@Ctx() ctx: Context): Promise<boolean> {
    const userId = requireUser(ctx.viewer);
    await ctx.rateLimiter.consume(
      `email-verification:user:${userId}`,
      ctx.config.EMAIL_RATE_LIMIT,
      ctx.config.EMAIL_RATE_WINDOW_SECONDS * 1000,
    );
    return accounts.requestEmailVerification(ctx.em, ctx.viewer, ctx.config);
  }

  @Mutation(() => User, {
    description:
      'Verifies the address a verification email was sent to, with its token (no sign-in needed: the token proves it). A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`. An address listed in ADMIN_EMAILS makes its owner platform admin here.',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async verifyEmail(@Args() { token }: VerifyEmailArgs, @Ctx() ctx: Context): Promise<User> {
    await this.tokenTry(ctx);
    return accounts.verifyEmail(ctx.em, token, ctx.config);
  }

  @Mutation(() => Boolean, {
    description:
      'Emails a password reset link to the address if an account has it. Always answers true, whether or not one does. ' +
      'At most EMAIL_RATE_LIMIT per address (ten times as many per client) per EMAIL_RATE_WINDOW_SECONDS (RATE_LIMITED).',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async requestPasswordReset(@Args() { email }: RequestPasswordResetArgs, @Ctx() ctx: Context): Promise<boolean> {
    const windowMs = ctx.config.EMAIL_RATE_WINDOW_SECONDS * 1000;
    // Counted the same for any address, known or not: the limit tells nothing about accounts either.
    await ctx.rateLimiter.consume(
      `password-reset:email:${email.trim().toLowerCase()}`,
      ctx.config.EMAIL_RATE_LIMIT,
      windowMs,
    );
    await ctx.rateLimiter.consume(`password-reset:ip:${ctx.clientIp}`, ctx.config.EMAIL_RATE_LIMIT * 10, windowMs);
    return accounts.requestPasswordReset(ctx.em, email, ctx.config);
  }

  @Mutation(() => Boolean, {
    description:
      'Sets a new password with the token of a password reset email, and signs the account out everywhere: every session and API key is revoked (their WebSockets close with 4401). ' +
      'A token works once and expires; unknown, used or expired: BAD_USER_INPUT on `token`.',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async resetPassword(@Args() { token, password }: ResetPasswordArgs, @Ctx() ctx: Context): Promise<boolean> {
    await this.tokenTry(ctx);
    return accounts.resetPassword(ctx.em, token, password, ctx.config, ctx);
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
    return ctx.rateLimiter.consume(
      `email-token:ip:${ctx.clientIp}`,
      ctx.config.AUTH_RATE_LIMIT * TOKEN_TRIES_PER_AUTH_LIMIT,
      ctx.config.AUTH_RATE_WINDOW_SECONDS * 1000,
    );
  }
}
