import {
  Arg,
  Args,
  Ctx,
  Extensions,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { Context } from '../../platform/context';
import { Forbidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import { OPEN_TO_ANONYMOUS } from '../../platform/guards/operation-rules';
import { Connection, PageArgs, connectionComplexity, idPage, toConnection } from '../../platform/pagination';
import { ApiKey, User } from './identity.entity';
import {
  ApiKeyPayload,
  AuthPayload,
  CreateApiKeyInput,
  DeactivateApiKeyInput,
  EndSessionPayload,
  SignInInput,
  SignUpInput,
} from './identity.inputs';
import { replacedBy } from '../../platform/deprecations';
import * as identity from './identity.service';
import { startEmailVerification } from '../accounts/accounts.service';

@ObjectType()
export class ApiKeyConnection extends Connection(ApiKey, 'ApiKey') {}

@Resolver(() => User)
export class IdentityResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user; null when anonymous.' })
  async viewer(@Ctx() { viewer, loaders }: Context): Promise<User | null> {
    return viewer.userId === null ? null : loaders.user.load(viewer.userId);
  }

  @Mutation(() => AuthPayload, { description: 'Creates an account and returns a session token.' })
  @Extensions(OPEN_TO_ANONYMOUS)
  async signUp(
    @Arg('input', { description: 'The account to create.' }) input: SignUpInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    await ctx.rateLimiter.consumeForAddress(
      'signup',
      ctx.clientIp,
      ctx.config.AUTH_RATE_LIMIT,
      ctx.config.AUTH_RATE_WINDOW_SECONDS * 1000,
    );
    // The verification email is enqueued in the sign-up's transaction: it is sent if and only if the account exists.
    const session = await identity.signUp(ctx.em, input, ctx.config, (tx, user) =>
      startEmailVerification(tx, user, ctx.config),
    );
    ctx.actAs(session.viewer);
    return session;
  }

  @Mutation(() => AuthPayload, {
    description: 'Signs in and returns a new session token. Wrong credentials: UNAUTHENTICATED.',
  })
  @Extensions(OPEN_TO_ANONYMOUS)
  async signIn(
    @Arg('input', { description: 'Your email address and password.' }) input: SignInInput,
    @Ctx() ctx: Context,
  ): Promise<AuthPayload> {
    // Per account, against password guessing from many addresses; per address, against spraying many accounts.
    const windowMs = ctx.config.AUTH_RATE_WINDOW_SECONDS * 1000;
    await ctx.rateLimiter.consume(
      `signin:email:${input.email.trim().toLowerCase()}`,
      ctx.config.AUTH_RATE_LIMIT,
      windowMs,
    );
    await ctx.rateLimiter.consumeForAddress('signin', ctx.clientIp, ctx.config.AUTH_RATE_LIMIT * 10, windowMs);
    const session = await identity.signIn(ctx.em, input, ctx.config);
    ctx.actAs(session.viewer);
    return session;
  }

  @Mutation(() => EndSessionPayload, {
    description: 'Signs out: revokes the session token this request was made with (its WebSockets close with 4401).',
  })
  async endSession(@Ctx() ctx: Context): Promise<EndSessionPayload> {
    const userId = ctx.viewer.userId;
    await identity.signOut(ctx.em, ctx.viewer, ctx);
    return { user: (await ctx.loaders.user.load(userId!))! };
  }

  @Mutation(() => Boolean, {
    description: 'Revokes the session token this request was made with.',
    deprecationReason: replacedBy('signOut'),
  })
  async signOut(@Ctx() ctx: Context): Promise<boolean> {
    await this.endSession(ctx);
    return true;
  }

  @Mutation(() => ApiKeyPayload, {
    description: 'Creates an API key limited to `scopes`. The secret is returned only here.',
  })
  createApiKey(
    @Arg('input', { description: "The key's name and scopes." }) input: CreateApiKeyInput,
    @Ctx() { em, viewer, config }: Context,
  ): Promise<ApiKeyPayload> {
    return identity.createApiKey(em, viewer, input, config);
  }

  @Mutation(() => ApiKey, { description: 'Revokes an API key: it stops working at once.' })
  deactivateApiKey(
    @Arg('input', { description: 'One of your API keys.' }) input: DeactivateApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<ApiKey> {
    return identity.revokeApiKey(ctx.em, ctx.viewer, fromGlobalId('ApiKey', input.id), ctx);
  }

  @Mutation(() => ApiKey, {
    description: 'Revokes an API key: it stops working at once.',
    deprecationReason: replacedBy('revokeApiKey'),
  })
  revokeApiKey(
    @Arg('id', () => ID, { description: 'Global id of one of your API keys.' }) id: string,
    @Ctx() ctx: Context,
  ): Promise<ApiKey> {
    return this.deactivateApiKey({ id }, ctx);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Visible to the user themself and to platform admins; null otherwise.',
  })
  email(@Root() user: User, @Ctx() { viewer }: Context): string | null {
    return viewer.userId === user.id || viewer.isAdmin ? user.email : null;
  }

  @FieldResolver(() => ApiKeyConnection, {
    complexity: connectionComplexity,
    description: "The user's API keys, newest first. Only the user themself may read them.",
  })
  async apiKeys(@Root() user: User, @Args() args: PageArgs, @Ctx() { em, viewer }: Context) {
    if (viewer.userId !== user.id) throw new Forbidden('Only the owner can list their API keys');
    const page = idPage(args, 'desc');
    const rows = await em.find(
      ApiKey,
      { user: user.id, id: { $gt: page.above, $lt: page.below } },
      { orderBy: { id: page.fetch }, limit: page.size + 1 },
    );
    return toConnection(rows, page, (k) => [k.id]);
  }
}
