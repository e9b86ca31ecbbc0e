import { Arg, Args, Ctx, Extensions, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../platform/context';
import { OPEN_TO_ANONYMOUS } from '../../platform/guards/operation-rules';
import { User } from '../identity/identity.entity';
import { requireUser } from '../identity/identity.service';
import {
  CompletePasswordResetInput,
  CompletePasswordResetPayload,
  RequestPasswordResetArgs,
  ResetPasswordArgs,
  SendPasswordResetEmailInput,
  SendPasswordResetEmailPayload,
  SendVerificationEmailPayload,
  VerifyEmailAddressInput,
  VerifyEmailArgs,
} from './accounts.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as accounts from './accounts.service';

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
