import type { EntityManager } from '@mikro-orm/postgresql';
import { Seeder } from '@mikro-orm/seeder';
import { sql } from '../src/platform/database/sql';
import {
  Community,
  DEFAULT_REPORT_THRESHOLD,
  Invite,
  JoinRequest,
  JoinRequestStatus,
  Member,
  Role,
  Visibility,
} from '../src/modules/communities/communities.entity';
import { hashPassword } from '../src/modules/identity/credentials';
import { User } from '../src/modules/identity/identity.entity';
import { renderMarkdown } from '../src/modules/posts/markdown';
import { Comment, Post, Reaction, Vote } from '../src/modules/posts/posts.entity';
import { HOT_RANK_SQL, normalizeTags } from '../src/modules/posts/posts.service';
import { seedReputation } from './demo-reputation';
import { DEMO_POSTS, USERS, type DemoComment, type DemoVotes, type Handle } from './demo-posts';
import { seedEvents } from './demo-events';
import { seedPolls } from './demo-polls';
import { seedQuests } from './demo-quests';
import { seedModeration } from './demo-moderation';
import { seedWebhooksAndBot } from './demo-webhooks';
import { seedHistory } from './demo-history';
import { seedFollows } from './demo-follows';
import { demoChannel, seedChannels } from './demo-channels';

/** Sign-in details of the demo data; README.md repeats them. */
export const DEMO_ADMIN = { email: 'admin@townsquare.dev', password: 'townsquare-admin', handle: 'admin' } as const;
/** Every other demo user signs in with `<handle>@townsquare.dev` and this password. */
export const DEMO_PASSWORD = 'townsquare-demo';

const COMMUNITIES: {
  slug: string;
  name: string;
  description: string;
  visibility: Visibility;
  members: [Handle, Role][];
  requests?: Handle[];
  invites?: [Handle, Handle][];
}[] = [
  {
    slug: 'typescript',
    name: 'TypeScript',
    visibility: Visibility.PUBLIC,
    description: 'Types, tooling and the occasional compiler bug.',
    members: [
      ['alice', Role.OWNER],
      ['bob', Role.MODERATOR],
      ['carol', Role.MEMBER],
      ['dave', Role.MEMBER],
    ],
  },
  {
    slug: 'gardening',
    name: 'Gardening',
    visibility: Visibility.PUBLIC,
    description: 'Seeds, soil and patience.',
    members: [
      ['bob', Role.OWNER],
      ['erin', Role.ADMIN],
      ['alice', Role.MEMBER],
    ],
  },
  {
    // PRIVATE: invisible to non-members; carol holds an invite, so she sees its profile and may join.
    slug: 'founders-circle',
    name: 'Founders Circle',
    visibility: Visibility.PRIVATE,
    description: 'A private room for the people who run Townsquare communities.',
    members: [
      ['admin', Role.OWNER],
      ['alice', Role.ADMIN],
      ['bob', Role.MEMBER],
    ],
    invites: [['carol', 'admin']],
  },
  {
    // RESTRICTED: listed with its profile, content for members; alice and dave asked to join.
    slug: 'book-club',
    name: 'Book Club',
    visibility: Visibility.RESTRICTED,
    description: 'One book a month, spoilers welcome.',
    members: [
      ['carol', Role.OWNER],
      ['erin', Role.MEMBER],
    ],
    requests: ['alice', 'dave'],
  },
];

/**
 * The demo community: a platform admin, five users, communities of every visibility (public, restricted,
 * private) with every role,
 * and their posts (one pinned), threaded comments, votes and reactions (seed/demo-posts.ts), and
 * events: a full recurring meetup with a waitlist, a live stream with chat and questions (seed/demo-events.ts),
 * and polls: open, ranked and anonymous, closed, private with hidden results (seed/demo-polls.ts),
 * and moderation: rules, AutoMod rules, an open report, a decided case and a pending appeal
 * (seed/demo-moderation.ts),
 * and six months of past activity by extra members for the insights page (seed/demo-history.ts).
 */
export class DemoSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const now = new Date();
    const communities = new Map<string, Community>();
    const members = new Map<string, Set<Handle>>();
    const users = new Map<Handle, User>();
    const demoHash = await hashPassword(DEMO_PASSWORD);
    users.set(
      'admin',
      em.create(User, {
        handle: DEMO_ADMIN.handle,
        email: DEMO_ADMIN.email,
        passwordHash: await hashPassword(DEMO_ADMIN.password),
        isAdmin: true,
        // The demo accounts' addresses count as verified: nobody can receive mail at townsquare.dev.
        emailVerifiedAt: now,
        isBot: false,
        createdAt: now,
      }),
    );
    for (const handle of USERS) {
      users.set(
        handle,
        em.create(User, {
          handle,
          email: `${handle}@townsquare.dev`,
          passwordHash: demoHash,
          isAdmin: false,
          emailVerifiedAt: now,
          isBot: false,
          createdAt: now,
        }),
      );
    }
    for (const c of COMMUNITIES) {
      const community = em.create(Community, {
        slug: c.slug,
        name: c.name,
        description: c.description,
        visibility: c.visibility,
        timeZone: 'UTC',
        reportThreshold: DEFAULT_REPORT_THRESHOLD,
        autoModVersion: 0,
        questVersion: 0,
        memberCount: c.members.length,
        restrictedChannels: false,
        createdAt: now,
        updatedAt: now,
      });
      communities.set(c.slug, community);
      members.set(c.slug, new Set(c.members.map(([handle]) => handle)));
      for (const [handle, role] of c.members)
        em.create(Member, { community, user: users.get(handle)!, role, reputation: 0, joinedAt: now });
      for (const handle of c.requests ?? []) {
        em.create(JoinRequest, {
          community,
          user: users.get(handle)!,
          status: JoinRequestStatus.PENDING,
          createdAt: now,
        });
      }
      for (const [handle, by] of c.invites ?? []) {
        em.create(Invite, { community, user: users.get(handle)!, invitedBy: users.get(by)!, createdAt: now });
      }
    }
    await em.flush();
    await seedWebhooksAndBot(em, communities, users);
    await seedChannels(em, communities, users);
    await seedPosts(em, now, communities, members, users);
    await seedEvents(em, now, communities, members, users);
    await seedPolls(em, now, communities, members, users);
    await seedReputation(em, communities);
    await seedQuests(em, now, communities, members, users);
    await seedModeration(em, now, communities, users);
    await seedNotifications(em);
    await seedHistory(em, now, demoHash, communities, users);
    await seedFollows(em, users);
  }
}

/**
 * The notifications the demo's writes would have caused (replies, mentions, the removal under
 * appeal), as jobs in the seed's transaction: the server's workers write them once it runs. Badges
 * enqueue theirs by themselves (a trigger on member_badges).
 */
async function seedNotifications(em: EntityManager): Promise<void> {
  const enqueue = (task: string, key: string, from: string) =>
    em.execute(`select graphile_worker.add_job('${task}', json_build_object('${key}', id)) from ${from}`);
  await enqueue('notifications.reply', 'commentId', '(select id from comments order by id) c');
  await enqueue('notifications.mention', 'commentId', `(select id from comments where body like '%@%' order by id) c`);
  await enqueue(
    'notifications.mention',
    'postId',
    `(select id from posts where title || body like '%@%' order by id) p`,
  );
  await enqueue(
    'notifications.decision',
    'decisionId',
    `(select id from moderation_decisions where action <> 'DISMISS') d`,
  );
}

/**
 * Writes DEMO_POSTS: posts, then comments level by level (so ids, and with them thread order,
 * follow the conversation), then votes and reactions; finally derives the counters from the rows
 * in SQL, with the server's own HOT formula. Throws on demo data the API would refuse
 * (a non-member taking part, a vote on one's own content).
 */
async function seedPosts(
  em: EntityManager,
  now: Date,
  communities: Map<string, Community>,
  members: Map<string, Set<Handle>>,
  users: Map<Handle, User>,
): Promise<void> {
  const minutes = (from: Date, n: number) => new Date(from.getTime() + n * 60_000);
  const votes: { on: Post | Comment; votes: DemoVotes; author: Handle; slug: string }[] = [];
  const member = (slug: string, handle: Handle, what: string) => {
    if (!members.get(slug)?.has(handle))
      throw new Error(`demo data: ${handle} ${what} in ${slug} without being a member`);
    return users.get(handle)!;
  };

  const posts = DEMO_POSTS.map((p) => {
    const post = em.create(Post, {
      community: communities.get(p.community)!,
      channel: demoChannel(p.community, p.tags),
      author: member(p.community, p.by, 'posts'),
      title: p.title,
      body: p.body,
      bodyHtml: renderMarkdown(p.body),
      tags: normalizeTags(p.tags),
      score: 0,
      hot: 0,
      commentCount: 0,
      topLevelCommentCount: 0,
      pinned: p.pinned ?? false,
      locked: false,
      createdAt: new Date(now.getTime() - p.hoursAgo * 3_600_000),
    });
    if (p.votes) votes.push({ on: post, votes: p.votes, author: p.by, slug: p.community });
    for (const [handle, emoji] of p.reactions ?? []) {
      em.create(Reaction, { user: member(p.community, handle, 'reacts'), post, emoji, createdAt: now });
    }
    return post;
  });
  await em.flush();

  // One level of the threads per flush: a reply's parent already has its id, and ids grow with time.
  let level = DEMO_POSTS.flatMap((p, i) =>
    (p.comments ?? []).map((c, j) => ({
      c,
      slug: p.community,
      post: posts[i],
      parent: null as Comment | null,
      at: minutes(posts[i].createdAt, 20 * (j + 1)),
    })),
  );
  for (let depth = 0; level.length > 0; depth++) {
    const created = level.map(({ c, slug, post, parent, at }) => {
      const comment = em.create(Comment, {
        post,
        parent,
        author: member(slug, c.by, 'comments'),
        body: c.body,
        bodyHtml: renderMarkdown(c.body),
        depth,
        score: 0,
        replyCount: 0,
        featured: false,
        featuredCount: 0,
        createdAt: at,
      });
      if (c.votes) votes.push({ on: comment, votes: c.votes, author: c.by, slug });
      return comment;
    });
    await em.flush();
    level = level.flatMap(({ c, slug, post, at }, i) =>
      (c.replies ?? []).map((r: DemoComment, j) => ({
        c: r,
        slug,
        post,
        parent: created[i],
        at: minutes(at, 15 * (j + 1)),
      })),
    );
  }

  for (const { on, votes: v, author, slug } of votes) {
    for (const [handles, value] of [
      [v.up ?? [], 1],
      [v.down ?? [], -1],
    ] as const) {
      for (const handle of handles) {
        if (handle === author) throw new Error(`demo data: ${handle} votes on their own content`);
        const user = member(slug, handle, 'votes');
        em.create(Vote, {
          user,
          post: on instanceof Post ? on : null,
          comment: on instanceof Comment ? on : null,
          value,
          createdAt: now,
        });
      }
    }
  }
  await em.flush();

  // The counters, as the server keeps them: derived from the rows, in SQL.
  const ids = posts.map((p) => p.id);
  const inPosts = `(${ids.map(() => '?').join(', ')})`;
  await sql(
    em,
    `update posts p set score = coalesce((select sum(v.value) from votes v where v.post_id = p.id), 0),
    comment_count = (select count(*) from comments c where c.post_id = p.id),
    top_level_comment_count = (select count(*) from comments c where c.post_id = p.id and c.parent_id is null)
    where p.id in ${inPosts}`,
    ids,
    'run',
  );
  await sql(em, `update posts set hot = ${HOT_RANK_SQL} where id in ${inPosts}`, ids, 'run');
  await sql(
    em,
    `update comments c set score = coalesce((select sum(v.value) from votes v where v.comment_id = c.id), 0),
    reply_count = (select count(*) from comments r where r.parent_id = c.id) where c.post_id in ${inPosts}`,
    ids,
    'run',
  );
}
