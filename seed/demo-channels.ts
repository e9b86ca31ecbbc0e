import type { EntityManager } from '@mikro-orm/postgresql';
import { Channel } from '../src/modules/channels/channels.entity';
import { DEFAULT_CHANNEL } from '../src/modules/channels/channels.inputs';
import { Role, type Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { renderMarkdown } from '../src/modules/posts/markdown';
import { Post } from '../src/modules/posts/posts.entity';
import { hotRank } from '../src/modules/posts/posts.service';

/**
 * The demo channels (README, Channels): every community has its default `general` channel; the
 * TypeScript community has `help` (questions) and `mod-room`, which only moderators and above read
 * (its restricted channel), gardening has `seedlings`. A post goes to the channel one of its tags
 * names (`CHANNEL_OF_TAG`), else to `general`.
 */
const CHANNELS: Record<string, { slug: string; name: string; description: string; readRole?: Role }[]> = {
  typescript: [
    { slug: 'help', name: 'Help', description: 'Questions about types, tooling and errors.' },
    {
      slug: 'mod-room',
      name: 'Mod room',
      description: 'Where the moderators talk; only moderators and above read it.',
      readRole: Role.MODERATOR,
    },
  ],
  gardening: [{ slug: 'seedlings', name: 'Seedlings', description: 'Sowing, pricking out, hardening off.' }],
};

/** The channel a demo post with this tag goes to, in its community. */
const CHANNEL_OF_TAG: Record<string, string> = { question: 'help', tomatoes: 'seedlings', sowing: 'seedlings' };

const seeded = new Map<string, Map<string, Channel>>();

/**
 * Creates every community's channels (before the posts), points each community at its default one,
 * and writes the restricted channel's one post (bob, a moderator, in `mod-room`).
 */
export async function seedChannels(
  em: EntityManager,
  communities: Map<string, Community>,
  users: Map<string, User>,
): Promise<void> {
  const now = new Date();
  for (const [slug, community] of communities) {
    const list: { slug: string; name: string; description: string; readRole?: Role }[] = [
      DEFAULT_CHANNEL,
      ...(CHANNELS[slug] ?? []),
    ];
    const bySlug = new Map<string, Channel>();
    list.forEach((c, position) => {
      bySlug.set(
        c.slug,
        em.create(Channel, {
          community,
          slug: c.slug,
          name: c.name,
          description: c.description,
          position,
          readRole: c.readRole ?? null,
          readLevel: 1,
          postLevel: 1,
          createdAt: now,
        }),
      );
    });
    seeded.set(slug, bySlug);
  }
  await em.flush();
  for (const [slug, community] of communities) {
    const bySlug = seeded.get(slug)!;
    community.defaultChannelId = bySlug.get(DEFAULT_CHANNEL.slug)!.id;
    community.restrictedChannels = [...bySlug.values()].some((c) => c.readRole);
  }
  const createdAt = new Date(now.getTime() - 5 * 3_600_000);
  const body = 'Three spam accounts this week, all from one invite link: revoke links after an event.';
  em.create(Post, {
    community: communities.get('typescript')!,
    channel: seeded.get('typescript')!.get('mod-room')!,
    author: users.get('bob')!,
    title: 'Moderator notes: this week',
    body,
    bodyHtml: renderMarkdown(body),
    tags: ['moderation'],
    score: 0,
    hot: hotRank(0, createdAt),
    commentCount: 0,
    topLevelCommentCount: 0,
    pinned: false,
    locked: false,
    createdAt,
  });
  await em.flush();
}

/** The channel of a demo post: the one a tag names (CHANNEL_OF_TAG), else `general`. */
export function demoChannel(community: string, tags: readonly string[]): Channel {
  const bySlug = seeded.get(community)!;
  for (const tag of tags) {
    const channel = bySlug.get(CHANNEL_OF_TAG[tag]);
    if (channel) return channel;
  }
  return bySlug.get(DEFAULT_CHANNEL.slug)!;
}
