import { Arg, Args, Ctx, Field, ID, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import * as blocks from './blocks';
import { BLOCK_LIMITS } from './blocks';
import { replacedBy } from '../../platform/deprecations';

@ObjectType()
export class BlockedUserConnection extends Connection(User, 'BlockedUser', {
  totalCount: `How many users you blocked (all pages): counted, as one may block at most ${BLOCK_LIMITS.maxBlocks}.`,
}) {}

@InputType({ description: 'The user to block.' })
export class BlockAccountInput {
  @Field(() => ID, { description: 'Global id of the user to block.' }) userId!: string;
}

@InputType({ description: 'The blocked user to unblock.' })
export class UnblockAccountInput {
  @Field(() => ID, { description: 'Global id of the blocked user.' }) userId!: string;
}

@ObjectType({ description: 'The result of `blockAccount`.' })
export class BlockAccountPayload {
  @Field(() => User, { description: 'The user blocked.' }) user!: User;
}

@ObjectType({ description: 'The result of `unblockAccount`.' })
export class UnblockAccountPayload {
  @Field(() => User, { description: 'The user unblocked.' }) user!: User;
  @Field({ description: 'False when there was no block to lift.' }) unblocked!: boolean;
}

@Resolver()
export class BlocksResolver {
  @Mutation(() => BlockAccountPayload, {
    description: `Blocks a user, in every community: their posts and comments read \`[from a member you blocked]\` to you (\`viewerBlockedAuthor\`), and they cannot reply to your posts and comments nor mention you. At most ${blocks.BLOCK_LIMITS.maxBlocks}.`,
  })
  async blockAccount(
    @Arg('input', { description: 'The user to block.' }) input: BlockAccountInput,
    @Ctx() ctx: Context,
  ): Promise<BlockAccountPayload> {
    const userId = fromGlobalId('User', input.userId, 'userId');
    await blocks.blockUser(ctx, userId);
    return { user: (await ctx.loaders.user.load(userId))! };
  }

  @Mutation(() => UnblockAccountPayload, { description: 'Lifts a block.' })
  async unblockAccount(
    @Arg('input', { description: 'The blocked user.' }) input: UnblockAccountInput,
    @Ctx() ctx: Context,
  ): Promise<UnblockAccountPayload> {
    const userId = fromGlobalId('User', input.userId, 'userId');
    const unblocked = await blocks.unblockUser(ctx, userId);
    return { user: (await ctx.loaders.user.load(userId))!, unblocked };
  }

  @Mutation(() => Boolean, {
    description: `Blocks a user, in every community: their posts and comments read \`[from a member you blocked]\` to you (\`viewerBlockedAuthor\`), and they cannot reply to your posts and comments nor mention you. At most ${blocks.BLOCK_LIMITS.maxBlocks}.`,
    deprecationReason: replacedBy('blockUser'),
  })
  async blockUser(
    @Arg('userId', () => ID, { description: 'Global id of the user to block.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await this.blockAccount({ userId }, ctx);
    return true;
  }

  @Mutation(() => Boolean, {
    description: 'Lifts a block; false when there was none.',
    deprecationReason: replacedBy('unblockUser'),
  })
  async unblockUser(
    @Arg('userId', () => ID, { description: 'Global id of the blocked user.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return (await this.unblockAccount({ userId }, ctx)).unblocked;
  }

  @Query(() => BlockedUserConnection, {
    complexity: connectionComplexity,
    description: 'The users you blocked, in the order you blocked them (signed in).',
  })
  viewerBlockedUsers(@Args() args: PageArgs, @Ctx() ctx: Context) {
    return blocks.viewerBlockedUsers(ctx, args);
  }
}
