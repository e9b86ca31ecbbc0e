import { Arg, Args, Ctx, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fromGlobalId } from '../../platform/ids';
import { Connection, PageArgs, connectionComplexity } from '../../platform/pagination';
import { User } from '../identity/identity.entity';
import * as blocks from './blocks';
import { BLOCK_LIMITS } from './blocks';

@ObjectType()
export class BlockedUserConnection extends Connection(User, 'BlockedUser', {
  totalCount: `How many users you blocked (all pages): counted, as one may block at most ${BLOCK_LIMITS.maxBlocks}.`,
}) {}

@Resolver()
export class BlocksResolver {
  @Mutation(() => Boolean, {
    description: `Blocks a user, in every community: their posts and comments read \`[from a member you blocked]\` to you (\`viewerBlockedAuthor\`), and they cannot reply to your posts and comments nor mention you. At most ${blocks.BLOCK_LIMITS.maxBlocks}.`,
  })
  blockUser(
    @Arg('userId', () => ID, { description: 'Global id of the user to block.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return blocks.blockUser(ctx, fromGlobalId('User', userId, 'userId'));
  }

  @Mutation(() => Boolean, { description: 'Lifts a block; false when there was none.' })
  unblockUser(
    @Arg('userId', () => ID, { description: 'Global id of the blocked user.' }) userId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return blocks.unblockUser(ctx, fromGlobalId('User', userId, 'userId'));
  }

  @Query(() => BlockedUserConnection, {
    complexity: connectionComplexity,
    description: 'The users you blocked, in the order you blocked them (signed in).',
  })
  viewerBlockedUsers(@Args() args: PageArgs, @Ctx() ctx: Context) {
    return blocks.viewerBlockedUsers(ctx, args);
  }
}
