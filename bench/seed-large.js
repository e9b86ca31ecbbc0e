#!/usr/bin/env node
/**
 * The large community that bench:feed and bench:comments run against: 10,000 members,
 * 10,000 posts (two pinned), 100,000 comments (70,000 on posts, 27,000 replies, 3,000 replies to
 * replies; more of them on newer posts, as on a real forum), ~6,000 post votes and ~3,000 comment
 * votes. Written in SQL (generate_series, in batches, progress on stderr), with every counter the
 * server keeps derived from the rows at the end: posts.score, posts.hot (the server's own formula),
 * posts.comment_count and top_level_comment_count, comments.score, comments.reply_count,
 * communities.member_count.
 *
 * Reused when already complete (a marker in the community's description, written last); an
 * incomplete one is deleted and written again. `node bench/seed-large.js` seeds DATABASE_URL (or,
 * without it, the kept bench database of BENCH_KEEP=1, see harness.js) and exits.
 */
require('reflect-metadata');
const { join } = require('node:path');
const { ROOT, progress, addDefaultChannel } = require('./harness');

const { HOT_RANK_SQL } = require(join(ROOT, 'dist', 'src', 'modules', 'posts', 'posts.service.js'));
const { renderMarkdown } = require(join(ROOT, 'dist', 'src', 'modules', 'posts', 'markdown.js'));

/** Sizes of the large community. */
const LARGE = {
  slug: 'bench-large',
  members: 10_000,
  posts: 10_000,
  topLevelComments: 70_000,
  replies: 27_000,
  repliesToReplies: 3_000,
  postVotes: 6_000,
  commentVotes: 3_000,
};
const COMMENTS = LARGE.topLevelComments + LARGE.replies + LARGE.repliesToReplies;
const MARKER = `Bench data (seed-large v1): ${LARGE.posts} posts, ${COMMENTS} comments, ${LARGE.members} members.`;
/** Index in `userIds` of the member the feed bench signs in as (a plain MEMBER who has voted on the newest posts). */
const VIEWER_INDEX = 99;

const TAGS = [
  'typescript',
  'node',
  'postgres',
  'graphql',
  'performance',
  'testing',
  'security',
  'design',
  'release',
  'question',
  'tooling',
  'meta',
];

/** Markdown templates; `{n}` becomes the row's number in SQL, in the source and in its rendered HTML alike. */
const POST_BODY = [
  'Notes {n} from the **load test** of the feed:',
  '',
  '- p99 matters more than the mean, so we look at the *tail* first',
  '- every list goes through a `DataLoader`; see [the docs](https://github.com/graphql/dataloader)',
  '',
  'Numbers and graphs follow in the thread. Questions welcome, especially about the connection pool, the',
  'query planner and why the second run is always faster than the first.',
].join('\n');
const COMMENT_BODY =
  'Comment {n}: tried this on our staging cluster and it *mostly* holds up; the `pool` size was the bottleneck.';

function template(markdown) {
  const html = renderMarkdown(markdown);
  if (html.split('{n}').length !== markdown.split('{n}').length)
    throw new Error('a template placeholder did not survive rendering');
  return { markdown, html };
}

/**
 * Seeds the large community unless it is already complete.
 * @param client pg-like: `query(text, params) → { rows }`
 * @returns `{ communityId, slug, userIds, viewerId, reused, counts, ms }`
 */
async function seedLarge(client) {
  const started = Date.now();
  const step = (text) => progress(`seed-large: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const one = async (text, params) => (await client.query(text, params)).rows[0];
  const userIdsOf = async () =>
    (
      await client.query(`select id from users where handle like 'bench-%' order by handle limit $1`, [LARGE.members])
    ).rows.map((r) => r.id);

  const existing = await one('select id, description from communities where slug = $1', [LARGE.slug]);
  if (existing?.description === MARKER) {
    const userIds = await userIdsOf();
    return {
      communityId: existing.id,
      slug: LARGE.slug,
      userIds,
      viewerId: userIds[VIEWER_INDEX],
      reused: true,
      counts: await countsOf(client, existing.id),
      ms: Date.now() - started,
    };
  }
  if (existing) {
    step('an incomplete earlier seed: deleting it');
    await client.query('delete from communities where id = $1', [existing.id]);
  }
  await client.query('select setseed(0.42)'); // the same data every time

  step(`${LARGE.members} users`);
  await client.query(
    `insert into users (handle, email, password_hash, is_admin, created_at)
     select 'bench-' || lpad(g::text, 6, '0'), 'bench-' || lpad(g::text, 6, '0') || '@bench.townsquare.dev', '!no-login', false, now() - interval '60 days'
       from generate_series(1, $1::int) g
     on conflict do nothing`,
    [LARGE.members],
  );
  const userIds = await userIdsOf();
  const n = userIds.length;
  const { id: communityId } = await one(
    `insert into communities (slug, name, description, visibility, member_count, created_at, updated_at)
     values ($1, 'Bench: a large community', 'being seeded', 'PUBLIC', 0, now() - interval '60 days', now()) returning id`,
    [LARGE.slug],
  );
  await addDefaultChannel(client, communityId);
  await client.query(
    `insert into members (community_id, user_id, role, joined_at)
     select $1, u.id, (case when u.i = 1 then 'OWNER' when u.i <= 5 then 'MODERATOR' else 'MEMBER' end)::member_role,
            now() - interval '60 days' + (u.i % 1440) * interval '1 minute'
       from unnest($2::int[]) with ordinality as u(id, i)`,
    [communityId, userIds],
  );

  // Posts, oldest first, 4 minutes apart (about 4 weeks); the two oldest are pinned.
  const post = template(POST_BODY);
  for (let from = 1; from <= LARGE.posts; from += 2500) {
    const to = Math.min(LARGE.posts, from + 2499);
    step(`posts ${from}–${to} of ${LARGE.posts}`);
    await client.query(
      `insert into posts (community_id, channel_id, author_id, title, body, body_html, tags, score, hot, comment_count, pinned, locked, created_at)
       select $1, (select default_channel_id from communities where id = $1), ($2::int[])[1 + (g * 7919) % $3], 'Bench post ' || g || ': what the load test taught us',
              replace($4, '{n}', g::text), replace($5, '{n}', g::text),
              case when g % 3 = 0 then array[($6::text[])[1 + g % 12]]
                   else array[($6::text[])[1 + g % 12], ($6::text[])[1 + (g % 12 + 1 + g % 5) % 12]] end,
              0, 0, 0, g <= 2, false, now() - ($7::int - g) * interval '4 minutes'
         from generate_series($8::int, $9::int) g`,
      [communityId, userIds, n, post.markdown, post.html, TAGS, LARGE.posts, from, to],
    );
  }
  const postIds = (
    await client.query('select id from posts where community_id = $1 order by id', [communityId])
  ).rows.map((r) => r.id);

  // Comments land on newer posts more often: index = posts − ⌊posts · random()²⌋.
  const comment = template(COMMENT_BODY);
  for (let from = 1; from <= LARGE.topLevelComments; from += 10_000) {
    const to = Math.min(LARGE.topLevelComments, from + 9999);
    step(`comments ${from}–${to} of ${COMMENTS}`);
    await client.query(
      `insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, created_at)
       select p.id, null, ($2::int[])[1 + (s.g * 7919) % $3], replace($4, '{n}', s.g::text), replace($5, '{n}', s.g::text),
              0, 0, 0, false, least(now(), p.created_at + (s.g % 997) * interval '1 minute')
         from (select g, ($1::int[])[$6::int - floor($6::int * power(random(), 2))::int] as post_id
                 from generate_series($7::int, $8::int) g) s
         join posts p on p.id = s.post_id`,
      [postIds, userIds, n, comment.markdown, comment.html, postIds.length, from, to],
    );
  }
  const idsAtDepth = async (depth) =>
    (
      await client.query(
        'select c.id from comments c join posts p on p.id = c.post_id where p.community_id = $1 and c.depth = $2 order by c.id',
        [communityId, depth],
      )
    ).rows.map((r) => r.id);
  for (const [depth, count, offset] of [
    [0, LARGE.replies, LARGE.topLevelComments],
    [1, LARGE.repliesToReplies, LARGE.topLevelComments + LARGE.replies],
  ]) {
    const parents = await idsAtDepth(depth);
    for (let from = offset + 1; from <= offset + count; from += 10_000) {
      const to = Math.min(offset + count, from + 9999);
      step(`comments ${from}–${to} of ${COMMENTS} (replies at depth ${depth + 1})`);
      await client.query(
        `insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, created_at)
         select c.post_id, c.id, ($2::int[])[1 + (s.g * 7919) % $3], replace($4, '{n}', s.g::text), replace($5, '{n}', s.g::text),
                c.depth + 1, 0, 0, false, least(now(), c.created_at + (s.g % 120) * interval '1 minute')
           from (select g, ($1::int[])[1 + floor(random() * $6::int)::int] as parent_id from generate_series($7::int, $8::int) g) s
           join comments c on c.id = s.parent_id`,
        [parents, userIds, n, comment.markdown, comment.html, parents.length, from, to],
      );
    }
  }

  step('votes');
  // Members vote on posts (newer ones more often) and comments, never on their own; 80 % up.
  await client.query(
    `insert into votes (user_id, post_id, value, created_at)
     select s.voter, p.id, case when random() < 0.8 then 1 else -1 end, now()
       from (select ($2::int[])[1 + (g * 7919) % $3] as voter, ($1::int[])[$4::int - floor($4::int * power(random(), 2))::int] as post_id
               from generate_series(1, $5::int) g) s
       join posts p on p.id = s.post_id and p.author_id <> s.voter
     on conflict do nothing`,
    [postIds, userIds, n, postIds.length, LARGE.postVotes],
  );
  const topLevel = await idsAtDepth(0);
  await client.query(
    `insert into votes (user_id, comment_id, value, created_at)
     select s.voter, c.id, case when random() < 0.8 then 1 else -1 end, now()
       from (select ($2::int[])[1 + (g * 104729) % $3] as voter, ($1::int[])[1 + floor(random() * $4::int)::int] as comment_id
               from generate_series(1, $5::int) g) s
       join comments c on c.id = s.comment_id and c.author_id <> s.voter
     on conflict do nothing`,
    [topLevel, userIds, n, topLevel.length, LARGE.commentVotes],
  );
  // The feed bench's viewer has voted on most of the newest posts, so viewerVote is not all NONE.
  await client.query(
    `insert into votes (user_id, post_id, value, created_at)
     select $2, p.id, case when p.id % 4 = 0 then -1 else 1 end, now()
       from (select id, author_id from posts where community_id = $1 order by id desc limit 40) p
      where p.author_id <> $2 and p.id % 5 <> 0
     on conflict do nothing`,
    [communityId, userIds[VIEWER_INDEX]],
  );

  step('counters');
  await recount(client, communityId);
  await client.query('update communities set description = $2 where id = $1', [communityId, MARKER]);
  step('analyze');
  for (const table of ['users', 'members', 'posts', 'comments', 'votes', 'sessions'])
    await client.query(`analyze ${table}`);
  return {
    communityId,
    slug: LARGE.slug,
    userIds,
    viewerId: userIds[VIEWER_INDEX],
    reused: false,
    counts: await countsOf(client, communityId),
    ms: Date.now() - started,
  };
}

/** Derives every counter of the community from its rows, as the server keeps them. */
async function recount(client, communityId) {
  const ofCommunity = 'select id from posts where community_id = $1';
  await client.query(
    `update posts p set comment_count = s.n, top_level_comment_count = s.top
       from (select post_id, count(*) n, count(*) filter (where parent_id is null) top
               from comments where post_id in (${ofCommunity}) group by post_id) s
      where p.id = s.post_id`,
    [communityId],
  );
  await client.query(
    `update posts p set score = s.v from (select post_id, sum(value) v from votes where post_id in (${ofCommunity}) group by post_id) s
      where p.id = s.post_id`,
    [communityId],
  );
  await client.query(`update posts set hot = ${HOT_RANK_SQL} where community_id = $1`, [communityId]);
  await client.query(
    `update comments c set reply_count = s.n
       from (select parent_id, count(*) n from comments where parent_id is not null and post_id in (${ofCommunity}) group by parent_id) s
      where c.id = s.parent_id`,
    [communityId],
  );
  await client.query(
    `update comments c set score = s.v
       from (select v.comment_id, sum(v.value) v from votes v join comments c2 on c2.id = v.comment_id
              where c2.post_id in (${ofCommunity}) group by v.comment_id) s
      where c.id = s.comment_id`,
    [communityId],
  );
  await client.query(
    'update communities set member_count = (select count(*) from members where community_id = $1) where id = $1',
    [communityId],
  );
}

/** What the community holds, from its counters (cheap). */
async function countsOf(client, communityId) {
  const row = (
    await client.query(
      `select count(*)::int as posts, coalesce(sum(comment_count), 0)::int as comments,
            (select member_count from communities where id = $1) as members
       from posts where community_id = $1`,
      [communityId],
    )
  ).rows[0];
  return row;
}

/** One line for the bench's report. */
function describe(seeded) {
  const { posts, comments, members } = seeded.counts;
  const f = (x) => x.toLocaleString('en-US');
  return (
    `large community "${seeded.slug}": ${f(posts)} posts, ${f(comments)} comments, ${f(members)} members` +
    (seeded.reused ? ' (reused)' : ` (seeded in ${(seeded.ms / 1000).toFixed(1)} s)`)
  );
}

module.exports = { seedLarge, describe, recount, LARGE };

if (require.main === module) {
  (async () => {
    if (!process.env.DATABASE_URL) process.env.BENCH_KEEP = '1'; // seeding a database that is then dropped would be pointless
    const { openBenchDatabase } = require('./harness');
    const db = await openBenchDatabase();
    const client = await db.connect();
    try {
      console.log(describe(await seedLarge(client)));
    } finally {
      await client.close();
    }
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
