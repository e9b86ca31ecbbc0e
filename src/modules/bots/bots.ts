import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Matches, Length } from 'class-validator';
import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { Context } from '../../platform/context';
import { fastSql, sqlTransaction } from '../../platform/database/sql';
import { write } from '../../platform/database/write';
import { BadInput, Conflict, NotFound } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import type { ModuleManifest } from '../../platform/module';
import { ApiScope } from '../../platform/viewer';
import { actorIn, visibleCommunity } from '../communities/communities.service';
import { assertCan } from '../communities/permissions';
import { newApiKeySecret } from '../identity/credentials';
import { ApiKey, User } from '../identity/identity.entity';
import { HANDLE_PATTERN } from '../identity/identity.inputs';
import { credentialsRevoked, requireUser } from '../identity/identity.service';
import { replacedBy } from '../../platform/deprecations';

@InputType({ description: 'A new bot of a community.' })
export class CreateBotInput {
  @Field(() => ID, { description: 'Global id of the community the bot acts in.' })
  communityId!: string;

  @Field({ description: 'Its API key\u2019s name (1 to 100 characters).' })
  @Length(1, 100)
  name!: string;

  @Field({ description: 'Its handle: 3\u201330 letters, digits or underscores, unique among all users.' })
  @Matches(HANDLE_PATTERN, { message: 'handle must be 3\u201330 letters, digits or underscores' })
  handle!: string;
}

@InputType({ description: 'The bot whose API key to replace.' })
export class RotateBotApiKeyInput {
  @Field(() => ID, { description: "Global id of the bot's user." }) botId!: string;
}

@ObjectType({ description: 'A bot, its API key, and the key\u2019s secret (shown only here).' })
export class BotPayload {
  @Field(() => User, { description: 'The bot account (`isBot`), a MEMBER of the community.' })
  user!: User;

  @Field(() => ApiKey, { description: "The bot's new API key." })
  apiKey!: ApiKey;

  @Field({
    description:
      'Send as `Authorization: Bearer <secret>`. Not retrievable later. The key reads and acts only in the bot\u2019s community.',
  })
  secret!: string;
}

/**
 * `createBot` (`bots.create`): a bot account (no password: it signs in only with its key, at a
 * reserved `.invalid` email) made a MEMBER of the community, and an API key (READ, WRITE, SUBSCRIBE)
 * scoped to the community: anything it tries elsewhere is FORBIDDEN, and it runs at most
 * BOT_RATE_LIMIT operations per BOT_RATE_WINDOW_SECONDS. All in one transaction; a taken handle is
 * CONFLICT. The community's admins manage its role or ban it like any member's, and replace its key
 * with `rotateBotApiKey`.
 */
export async function createBot(ctx: Context, communityId: number, input: CreateBotInput): Promise<BotPayload> {
  const creator = requireUser(ctx.viewer);
  await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, communityId), 'bots.create');
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const handle = input.handle.toLowerCase();
  const key = newApiKeySecret(ctx.config.TOKEN_SECRET);
  let ids: { userId: number; keyId: number };
  try {
    ids = await sqlTransaction(ctx.em, async (tx) => {
      const [user] = await fastSql<{ id: number }>(
        tx,
        // An unusable password hash: no password opens it (verifyPassword knows only scrypt).
        `insert into users (handle, email, password_hash, is_admin, is_bot, created_at)
         values ($1, $2, 'bot', false, true, now()) returning id`,
        [handle, `${handle}.bot${creator}@bots.invalid`],
      );
      await fastSql(
        tx,
        `insert into members (community_id, user_id, role, reputation, joined_at) values ($1, $2, 'MEMBER', 0, now())`,
        [communityId, user.id],
      );
      await fastSql(tx, 'update communities set member_count = member_count + 1 where id = $1', [communityId]);
      return { userId: user.id, keyId: await insertBotKey(tx, user.id, name, communityId, key) };
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw new Conflict('That handle is taken');
    throw err;
  }
  return botPayload(ctx, ids.userId, ids.keyId, key.secret);
}

/** A bot's API key row (READ, WRITE, SUBSCRIBE, scoped to its community), in the caller's transaction: its id. */
async function insertBotKey(
  tx: EntityManager,
  userId: number,
  name: string,
  communityId: number,
  key: ReturnType<typeof newApiKeySecret>,
): Promise<number> {
  const [row] = await fastSql<{ id: number }>(
    tx,
    `insert into api_keys (user_id, name, prefix, secret_hash, scopes, community_id, created_at)
     values ($1, $2, $3, $4, $5::text[], $6, now()) returning id`,
    [userId, name, key.prefix, key.secretHash, [ApiScope.READ, ApiScope.SUBSCRIBE, ApiScope.WRITE], communityId],
  );
  return row.id;
}

/** The bot, its key and the key's secret (shown this once), once written. */
async function botPayload(ctx: Context, userId: number, keyId: number, secret: string): Promise<BotPayload> {
  return {
    user: await ctx.em.findOneOrFail(User, userId),
    apiKey: await ctx.em.findOneOrFail(ApiKey, keyId),
    secret,
  };
}

/**
 * `rotateBotApiKey` (`bots.manage`): revokes every key of a bot and gives it a new one (same name, scopes
 * and community), in one transaction; after the commit the revocation closes the old keys' open
 * WebSockets (4401) on every instance. A bot is found only by the admins of its community: to anyone
 * else who can see the community it is FORBIDDEN, and NOT_FOUND when they cannot (or it is no bot).
 */
export async function rotateBotKey(ctx: Context, botId: number): Promise<BotPayload> {
  requireUser(ctx.viewer);
  const [bot] = await fastSql<{ community_id: number | null; name: string | null }>(
    ctx.em,
    `select k.community_id, k.name from users u
       left join lateral (select community_id, name from api_keys
                           where user_id = u.id and community_id is not null order by id desc limit 1) k on true
      where u.id = $1 and u.is_bot`,
    [botId],
  );
  if (!bot?.community_id) throw new NotFound('Bot');
  const communityId = bot.community_id;
  await visibleCommunity(ctx.loaders, ctx.viewer, communityId);
  assertCan(await actorIn(ctx.loaders, ctx.viewer, communityId), 'bots.manage');
  const key = newApiKeySecret(ctx.config.TOKEN_SECRET);
  const keyId = await write(
    ctx,
    async (tx, after) => {
      const revoked = await fastSql<{ id: number }>(
        tx,
        'update api_keys set revoked_at = now() where user_id = $1 and revoked_at is null returning id',
        [botId],
      );
      credentialsRevoked(after, { apiKeyIds: revoked.map((r) => r.id) });
      return insertBotKey(tx, botId, bot.name!, communityId, key);
    },
    { mode: 'sql' },
  );
  return botPayload(ctx, botId, keyId, key.secret);
}

@Resolver()
export class BotResolver {
  @Mutation(() => BotPayload, {
    description:
      'Creates a bot of a community (ADMIN or above): a member account that acts through an API key, in that community only, under its own rate limit (BOT_RATE_LIMIT). Returns the key\u2019s secret, shown this once.',
  })
  createBot(
    @Arg('input', { description: "The community, the bot's handle and its key's name." }) input: CreateBotInput,
    @Ctx() ctx: Context,
  ): Promise<BotPayload> {
    return createBot(ctx, fromGlobalId('Community', input.communityId, 'communityId'), input);
  }

  @Mutation(() => BotPayload, {
    description:
      'Replaces a bot\u2019s API key (ADMIN or above of its community): every key it had is revoked at once, closing their open WebSockets, and the new key\u2019s secret is returned, shown this once. To stop a bot, ban it.',
  })
  rotateBotApiKey(
    @Arg('input', { description: 'The bot.' }) input: RotateBotApiKeyInput,
    @Ctx() ctx: Context,
  ): Promise<BotPayload> {
    return rotateBotKey(ctx, fromGlobalId('User', input.botId, 'botId'));
  }

  @Mutation(() => BotPayload, {
    description:
      'Replaces a bot\u2019s API key (ADMIN or above of its community): every key it had is revoked at once, closing their open WebSockets, and the new key\u2019s secret is returned, shown this once. To stop a bot, ban it.',
    deprecationReason: replacedBy('rotateBotKey'),
  })
  rotateBotKey(
    @Arg('botId', () => ID, { description: "Global id of the bot's user." }) botId: string,
    @Ctx() ctx: Context,
  ): Promise<BotPayload> {
    return this.rotateBotApiKey({ botId }, ctx);
  }
}

/** Bots: member accounts of one community that act through a scoped API key (issue 15, point 6). */
export const bots: ModuleManifest = {
  name: 'bots',
  resolvers: [BotResolver],
};
