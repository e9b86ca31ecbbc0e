import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../src/platform/database/sql';
import type { Community } from '../src/modules/communities/communities.entity';
import type { User } from '../src/modules/identity/identity.entity';
import { renderMarkdown } from '../src/modules/posts/markdown';
import { HOT_RANK_SQL } from '../src/modules/posts/posts.service';
import type { Handle } from './demo-posts';

/**
 * Six months of past activity for the insights page (`/insights`), so its charts have shape on a fresh start:
 * neighbours (extra demo users, `<handle>@townsquare.dev`, password DEMO_PASSWORD) join `typescript`,
 * `gardening` and `book-club` over the weeks, some leave again, and each member's activity fades with the
 * weeks since they joined (retention cohorts); posts with tags, comments (replies to posts of the days
 * before, some threaded) and votes fall on weekdays more than weekends, gardening's in spring and summer
 * more; past meetups have GOING RSVPs and check-ins.
 *
 * Deterministic: a seeded generator (mulberry32) and times counted back from the seed's day (UTC), so fresh
 * starts on the same day draw the same history (weekends and seasons follow the calendar). Fast: every table is written in one statement from
 * JSON (`jsonb_to_recordset`), ids reserved from their sequences first so they grow with time. Written
 * last, after the reputation, notifications and webhooks of the hand-written demo: this history earns no
 * reputation, sends no notification, and the typescript webhook endpoint (paused while it is written)
 * records none of it. The seed's transaction enqueues one `insights.rollup`, so the rollups are computed as
 * soon as a worker runs.
 */

const DAY = 86_400_000;
/** Days of history before the seed's day. */
export const HISTORY_DAYS = 182;

const NEIGHBOURS = [
  'amara',
  'bruno',
  'chen',
  'dimitri',
  'elena',
  'farah',
  'gustav',
  'hana',
  'ivan',
  'jonas',
  'kemal',
  'lucia',
  'mateo',
  'nadia',
  'oskar',
  'priya',
  'quinn',
  'rosa',
  'sanjay',
  'tomas',
  'ursula',
  'victor',
  'wanda',
  'xiang',
  'yusuf',
  'zoe',
  'aiko',
  'bilal',
  'clara',
  'diego',
  'emeka',
  'freya',
  'goran',
  'helga',
  'imani',
  'jakob',
];

interface Plan {
  slug: string;
  /** How many neighbours join, and how the joins spread: `growth` > 1 puts more of them in the later weeks. */
  joins: number;
  growth: number;
  /** Share of the joiners who leave again. */
  leaves: number;
  /** A multiplier of activity by day of the year (seasons). */
  season: (dayOfYear: number) => number;
  postChance: number;
  tags: [string, number][];
  titles: string[];
  /** A past event every this many days, with its title. */
  eventEvery: number;
  eventTitle: string;
  organizer: Handle;
}

const PLANS: Plan[] = [
  {
    slug: 'typescript',
    joins: 26,
    growth: 1.6,
    leaves: 0.15,
    season: () => 1,
    postChance: 0.22,
    tags: [
      ['generics', 9],
      ['tooling', 7],
      ['compiler', 5],
      ['types', 8],
      ['performance', 3],
      ['testing', 4],
      ['esm', 2],
      ['react', 3],
      ['node', 4],
    ],
    titles: [
      'How do I type a curried function?',
      'Strict mode caught a real bug today',
      'Narrowing a union inside a callback',
      'Build times after moving to project references',
      'Is `satisfies` worth it?',
      'Mapped types for form state',
      'Migrating a library to ESM, notes',
      'Testing type errors with expect-type',
      'Declaration files for an untyped package',
      'Branded ids in practice',
    ],
    eventEvery: 28,
    eventTitle: 'TypeScript meetup',
    organizer: 'alice',
  },
  {
    slug: 'gardening',
    joins: 18,
    growth: 1,
    leaves: 0.25,
    // Northern spring and summer (March to August) are busier than the rest.
    season: (d) => 0.45 + 0.75 * Math.max(0, Math.sin(((d - 60) / 365) * 2 * Math.PI)),
    postChance: 0.3,
    tags: [
      ['tomatoes', 8],
      ['compost', 6],
      ['seeds', 5],
      ['pests', 4],
      ['pruning', 3],
      ['herbs', 4],
      ['watering', 2],
    ],
    titles: [
      'First tomatoes of the year',
      'Compost too wet, what now?',
      'Seed swap haul',
      'Aphids on the roses again',
      'When to prune the apple tree',
      'Herb spiral finished',
      'Drip irrigation on a budget',
    ],
    eventEvery: 42,
    eventTitle: 'Seed swap',
    organizer: 'bob',
  },
  {
    slug: 'book-club',
    joins: 10,
    growth: 0.8,
    leaves: 0.2,
    season: () => 1,
    postChance: 0.18,
    tags: [
      ['fiction', 6],
      ['classics', 4],
      ['sci-fi', 5],
      ['poetry', 2],
      ['nonfiction', 3],
    ],
    titles: [
      'Chapter 3 spoilers inside',
      'Next month: vote for the book',
      'That ending though',
      'Audiobook or paper?',
      'Quotes that stayed with me',
    ],
    eventEvery: 30,
    eventTitle: 'Book club evening',
    organizer: 'carol',
  },
];

const COMMENTS = [
  'Same here, thanks for writing it up.',
  'I tried this last week and it worked.',
  'Do you have a small example?',
  'Interesting, I would not have thought of that.',
  'Could you share what you ended up with?',
  'This helped me a lot.',
  'I disagree a little: it depends on the case.',
  '+1, bookmarking this.',
];

/** A small seeded generator (mulberry32): the same numbers on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface MemberPlan {
  userId: number;
  joinDay: number; // days since the history began
  leaveDay: number | null;
  engagement: number;
  halfLifeWeeks: number;
}

/** Writes the history; `users` and `communities` are the hand-written demo's. */
export async function seedHistory(
  em: EntityManager,
  now: Date,
  passwordHash: string,
  communities: Map<string, Community>,
  users: Map<Handle, User>,
): Promise<void> {
  const random = generator(20_261_206);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const weighted = (items: [string, number][]): string => {
    let r = random() * items.reduce((n, [, w]) => n + w, 0);
    for (const [item, w] of items) if ((r -= w) < 0) return item;
    return items[0][0];
  };
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const start = today - HISTORY_DAYS * DAY;
  const at = (day: number, hours: number) => new Date(start + day * DAY + hours * 3_600_000);
  const ids = async (sequence: string, n: number) =>
    n === 0
      ? []
      : (
          await sql<{ id: number }[]>(em, `select nextval('${sequence}')::int as id from generate_series(1, ?)`, [n])
        ).map((r) => r.id);
  const insert = (table: string, columns: string, rows: object[]) =>
    rows.length === 0
      ? Promise.resolve()
      : sql(
          em,
          `insert into ${table} (${columns
            .split(',')
            .map((c) => c.trim().split(' ')[0])
            .join(', ')}) select * from jsonb_to_recordset(?::jsonb) as r(${columns})`,
          [JSON.stringify(rows)],
          'run',
        );

  // The neighbours, created the day before their first join.
  const userIds = await ids('users_id_seq', NEIGHBOURS.length);
  const firstJoin = new Map<number, number>();
  const memberPlans = new Map<string, MemberPlan[]>();
  for (const plan of PLANS) {
    const list: MemberPlan[] = [];
    const chosen = new Set<number>();
    while (chosen.size < plan.joins) chosen.add(Math.floor(random() * NEIGHBOURS.length));
    for (const index of chosen) {
      // More joins in the later weeks when growth > 1: the inverse of the cumulative curve x^growth.
      const joinDay = Math.min(HISTORY_DAYS - 1, Math.floor(Math.pow(random(), 1 / plan.growth) * HISTORY_DAYS));
      const stays = HISTORY_DAYS - joinDay;
      const leaveDay = random() < plan.leaves && stays > 14 ? joinDay + 7 + Math.floor(random() * (stays - 7)) : null;
      const userId = userIds[index];
      list.push({ userId, joinDay, leaveDay, engagement: 0.06 + random() * 0.34, halfLifeWeeks: 1.5 + random() * 12 });
      firstJoin.set(userId, Math.min(firstJoin.get(userId) ?? HISTORY_DAYS, joinDay));
    }
    memberPlans.set(plan.slug, list);
  }
  await insert(
    'users',
    'id int, handle text, email text, password_hash text, is_admin boolean, is_bot boolean, email_verified_at timestamptz, created_at timestamptz',
    NEIGHBOURS.map((handle, i) => {
      const created = at(Math.max(0, (firstJoin.get(userIds[i]) ?? HISTORY_DAYS - 1) - 1), 9);
      return {
        id: userIds[i],
        handle,
        email: `${handle}@townsquare.dev`,
        password_hash: passwordHash,
        is_admin: false,
        is_bot: false,
        email_verified_at: created,
        created_at: created,
      };
    }),
  );

  // Pause the webhook endpoints while the history is written: it is the past, not news to deliver.
  const paused = await sql<{ id: number }[]>(
    em,
    'update webhook_endpoints set enabled = false where enabled returning id',
  );

  const members: { community_id: number; user_id: number; role: string; reputation: number; joined_at: Date }[] = [];
  const departures: object[] = [];
  const posts: {
    id?: number;
    community_id: number;
    /** The community's default channel (seed/demo-channels.ts made it). */
    channel_id: number;
    author_id: number;
    title: string;
    body: string;
    tags: string[];
    created_at: Date;
  }[] = [];
  const comments: { post: number; parent: number | null; author_id: number; body: string; created_at: Date }[] = [];
  const votes: { user_id: number; post: number | null; comment: number | null; value: number; created_at: Date }[] = [];
  const events: object[] = [];
  const rsvps: {
    event: number;
    occurrence_starts_at: Date;
    user_id: number;
    seated: boolean;
    arrival: number;
    checked_in_at: Date | null;
    responded_at: Date;
  }[] = [];

  for (const plan of PLANS) {
    const community = communities.get(plan.slug);
    if (!community) continue;
    const list = memberPlans.get(plan.slug)!;
    for (const m of list) {
      const joinedAt = at(m.joinDay, 8 + random() * 12);
      if (m.leaveDay === null)
        members.push({
          community_id: community.id,
          user_id: m.userId,
          role: 'MEMBER',
          reputation: 0,
          joined_at: joinedAt,
        });
      else
        departures.push({
          community_id: community.id,
          user_id: m.userId,
          joined_at: joinedAt,
          left_at: at(m.leaveDay, 8 + random() * 12),
        });
    }
    // Posts of the community so far (index into `posts`), and who voted on what.
    const recent: number[] = [];
    const voted = new Set<string>();
    for (let day = 0; day < HISTORY_DAYS; day++) {
      const date = new Date(start + day * DAY);
      const weekday = date.getUTCDay();
      const weekFactor = weekday === 0 || weekday === 6 ? 0.55 : 1;
      const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY);
      const factor = weekFactor * plan.season(dayOfYear);
      while (recent.length && posts[recent[0]].created_at.getTime() < date.getTime() - 14 * DAY) recent.shift();
      for (const m of list) {
        if (day < m.joinDay || (m.leaveDay !== null && day >= m.leaveDay)) continue;
        const weeks = (day - m.joinDay) / 7;
        const chance = m.engagement * Math.pow(0.5, weeks / m.halfLifeWeeks) * factor + 0.015;
        if (random() >= chance) continue;
        const time = at(day, 7 + random() * 15);
        if (random() < plan.postChance) {
          const tags = [weighted(plan.tags)];
          if (random() < 0.4) tags.push(weighted(plan.tags));
          posts.push({
            community_id: community.id,
            channel_id: community.defaultChannelId!,
            author_id: m.userId,
            title: pick(plan.titles),
            body: `${pick(COMMENTS)}\n\nWritten for the demo history.`,
            tags: [...new Set(tags)],
            created_at: time,
          });
          recent.push(posts.length - 1);
          continue;
        }
        const open = recent.filter((i) => posts[i].created_at < time && posts[i].author_id !== m.userId);
        if (open.length === 0) continue;
        for (let n = 1 + Math.floor(random() * 2); n > 0; n--) {
          const post = pick(open);
          let replyTo = -1;
          for (let c = comments.length - 1; c >= 0 && replyTo < 0; c--) {
            if (comments[c].post === post && comments[c].author_id !== m.userId) replyTo = c;
          }
          const parent = replyTo >= 0 && random() < 0.3 ? replyTo : null;
          // Replies come some minutes to hours after the post (or at the activity's time, when later), after
          // the comment they answer, and never after the seed's time.
          const when = Math.max(
            time.getTime(),
            posts[post].created_at.getTime() + (10 + random() * 600) * 60_000,
            parent === null ? 0 : comments[parent].created_at.getTime() + 60_000,
          );
          comments.push({
            post,
            parent,
            author_id: m.userId,
            body: pick(COMMENTS),
            created_at: new Date(Math.min(when, now.getTime() - 60_000)),
          });
        }
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
          const post = pick(open);
          if (voted.has(`${m.userId}:${post}`)) continue;
          voted.add(`${m.userId}:${post}`);
          votes.push({ user_id: m.userId, post, comment: null, value: random() < 0.88 ? 1 : -1, created_at: time });
        }
      }
    }
    // Past events: GOING RSVPs from the members of the day, most of them checked in.
    const organizer = users.get(plan.organizer)!;
    let number = 0;
    for (let day = plan.eventEvery / 2; day < HISTORY_DAYS - 1; day += plan.eventEvery) {
      const startsAt = at(Math.floor(day), 18);
      const eventIndex = events.length;
      events.push({
        community_id: community.id,
        organizer_id: organizer.id,
        kind: 'MEETUP',
        title: `${plan.eventTitle} #${++number}`,
        description: 'A past gathering of the demo history.',
        starts_at: startsAt,
        ends_at: new Date(startsAt.getTime() + 2 * 3_600_000),
        time_zone: 'UTC',
        created_at: new Date(startsAt.getTime() - 10 * DAY),
        updated_at: new Date(startsAt.getTime() - 10 * DAY),
      });
      let arrival = 0;
      for (const m of list) {
        if (m.joinDay > day - 3 || (m.leaveDay !== null && m.leaveDay <= day) || random() > 0.45) continue;
        rsvps.push({
          event: eventIndex,
          occurrence_starts_at: startsAt,
          user_id: m.userId,
          seated: true,
          arrival: ++arrival,
          checked_in_at: random() < 0.72 ? new Date(startsAt.getTime() + random() * 1_800_000) : null,
          responded_at: new Date(startsAt.getTime() - (1 + random() * 6) * DAY),
        });
      }
    }
  }

  // Rows in time order, so ids grow with time as they would have.
  const byTime = <T extends { created_at: Date }>(rows: T[]) =>
    rows
      .map((row, i) => ({ row, i }))
      .sort((a, b) => a.row.created_at.getTime() - b.row.created_at.getTime() || a.i - b.i);
  const postIds = new Map<number, number>();
  const postOrder = byTime(posts);
  const reservedPosts = await ids('posts_id_seq', posts.length);
  postOrder.forEach(({ i }, k) => postIds.set(i, reservedPosts[k]));
  // A comment's parent is older than it, so parents get their ids first.
  const commentOrder = byTime(comments);
  const reservedComments = await ids('comments_id_seq', comments.length);
  const commentIds = new Map<number, number>();
  commentOrder.forEach(({ i }, k) => commentIds.set(i, reservedComments[k]));
  const eventIds = await ids('events_id_seq', events.length);

  await insert(
    'members',
    'community_id int, user_id int, role member_role, reputation int, joined_at timestamptz',
    members.sort((a, b) => a.joined_at.getTime() - b.joined_at.getTime()),
  );
  await insert(
    'member_departures',
    'community_id int, user_id int, joined_at timestamptz, left_at timestamptz',
    departures,
  );
  await insert(
    'posts',
    'id int, community_id int, channel_id int, author_id int, title text, body text, body_html text, tags text[], created_at timestamptz',
    postOrder.map(({ row, i }) => ({ ...row, id: postIds.get(i), body_html: renderMarkdown(row.body) })),
  );
  const html = new Map(COMMENTS.map((c) => [c, renderMarkdown(c)]));
  await insert(
    'comments',
    'id int, post_id int, parent_id int, author_id int, body text, body_html text, depth smallint, created_at timestamptz',
    commentOrder.map(({ row, i }) => ({
      id: commentIds.get(i),
      post_id: postIds.get(row.post),
      parent_id: row.parent === null ? null : commentIds.get(row.parent),
      author_id: row.author_id,
      body: row.body,
      body_html: html.get(row.body),
      depth: row.parent === null ? 0 : 1,
      created_at: row.created_at,
    })),
  );
  await insert(
    'votes',
    'user_id int, post_id int, value smallint, created_at timestamptz',
    byTime(votes).map(({ row }) => ({
      user_id: row.user_id,
      post_id: postIds.get(row.post!),
      value: row.value,
      created_at: row.created_at,
    })),
  );
  await insert(
    'events',
    'id int, community_id int, organizer_id int, kind text, title text, description text, starts_at timestamptz, ends_at timestamptz, time_zone text, created_at timestamptz, updated_at timestamptz',
    events.map((e, i) => ({ ...e, id: eventIds[i] })),
  );
  await insert(
    'rsvps',
    'event_id int, occurrence_starts_at timestamptz, user_id int, status text, seated boolean, arrival int, responded_at timestamptz, checked_in_at timestamptz',
    rsvps.map((r) => ({ ...r, event_id: eventIds[r.event], status: 'GOING' })),
  );

  // Counters, as the server keeps them.
  const ids_ = [...postIds.values()];
  if (ids_.length) {
    const inPosts = 'any(?::int[])';
    const list = `{${ids_.join(',')}}`;
    await sql(
      em,
      `update posts p set score = coalesce((select sum(v.value) from votes v where v.post_id = p.id), 0),
       comment_count = (select count(*) from comments c where c.post_id = p.id),
       top_level_comment_count = (select count(*) from comments c where c.post_id = p.id and c.parent_id is null)
       where p.id = ${inPosts}`,
      [list],
      'run',
    );
    await sql(em, `update posts set hot = ${HOT_RANK_SQL} where id = ${inPosts}`, [list], 'run');
    await sql(
      em,
      `update comments c set reply_count = (select count(*) from comments r where r.parent_id = c.id) where c.post_id = ${inPosts}`,
      [list],
      'run',
    );
  }
  await sql(
    em,
    'update communities c set member_count = (select count(*) from members m where m.community_id = c.id)',
    [],
    'run',
  );
  if (paused.length) {
    await sql(
      em,
      'update webhook_endpoints set enabled = true where id = any(?::int[])',
      [`{${paused.map((p) => p.id).join(',')}}`],
      'run',
    );
  }
  // The rollups, computed as soon as a worker runs (the hourly schedule would wait for five past).
  await sql(em, `select graphile_worker.add_job('insights.rollup', '{}'::json)`, [], 'run');
}
