/**
 * The data of bench/leaderboard.js, in SQL: the community `bench-leaderboard` with its members and
 * ledger (seeded once, then reused: see `seed`), and what each run adds (see `setUpRun`).
 */
const { progress, createSessions, globalIds, addDefaultChannel } = require('./harness');

const SLUG = 'bench-leaderboard';
/** Posts the seeded ledger rows point at (by the first members). */
const SEED_POSTS = 10;
const TARGET_TITLE = 'Leaderboard bench: vote for me';

const memberHandle = (i) => `lb-bench-m${String(i).padStart(7, '0')}`;
const voterHandle = (i) => `lb-bench-v${String(i).padStart(5, '0')}`;

/**
 * Seeds the community unless it is already complete (see the top of leaderboard.js): MEMBERS
 * users and members, SEED_POSTS posts, ROWS ledger rows over the last DAYS days.
 * @returns `{ communityId, reused, ms }`
 */
async function seed(client, { members: MEMBERS, rows: ROWS, days: DAYS }) {
  const MARKER = `Bench data (leaderboard v1): ${ROWS} ledger rows over ${MEMBERS} members, ${DAYS} days.`;
  const started = Date.now();
  const step = (text) => progress(`seed: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const one = async (text, params) => (await client.query(text, params)).rows[0];
  const existing = await one('select id, description from communities where slug = $1', [SLUG]);
  if (existing?.description === MARKER) return { communityId: existing.id, reused: true, ms: Date.now() - started };
  if (existing) {
    step('an earlier seed (incomplete, or of other sizes): deleting it');
    await client.query('delete from communities where id = $1', [existing.id]);
  }
  await client.query('select setseed(0.42)'); // the same data every time

  for (let from = 1; from <= MEMBERS; from += 50_000) {
    const to = Math.min(MEMBERS, from + 49_999);
    step(`users ${from}–${to} of ${MEMBERS}`);
    await client.query(
      `insert into users (handle, email, password_hash, is_admin, created_at)
       select 'lb-bench-m' || lpad(g::text, 7, '0'), 'lb-bench-m' || lpad(g::text, 7, '0') || '@bench.townsquare.dev', '!no-login', false,
              now() - ($3::int + 1) * interval '1 day'
         from generate_series($1::int, $2::int) g
       on conflict do nothing`,
      [from, to, DAYS],
    );
  }
  const userIds = (
    await client.query(`select id from users where handle like 'lb-bench-m%' and handle <= $1 order by handle`, [
      memberHandle(MEMBERS),
    ])
  ).rows.map((r) => r.id);
  if (userIds.length !== MEMBERS) throw new Error(`expected ${MEMBERS} bench users, found ${userIds.length}`);
  const { id: communityId } = await one(
    `insert into communities (slug, name, description, visibility, member_count, time_zone, created_at, updated_at)
     values ($1, 'Bench: a large leaderboard', 'being seeded', 'PUBLIC', 0, 'UTC', now() - ($2::int + 1) * interval '1 day', now()) returning id`,
    [SLUG, DAYS],
  );
  await addDefaultChannel(client, communityId);
  step(`${MEMBERS} members`);
  await client.query(
    `insert into members (community_id, user_id, role, joined_at)
     select $1, u.id, (case when u.i = 1 then 'OWNER' else 'MEMBER' end)::member_role, now() - ($3::int + 1) * interval '1 day'
       from unnest($2::int[]) with ordinality as u(id, i)`,
    [communityId, userIds, DAYS],
  );
  const postIds = (
    await client.query(
      `insert into posts (community_id, channel_id, author_id, title, body, body_html, tags, score, hot, comment_count, pinned, locked, created_at)
     select $1, (select default_channel_id from communities where id = $1), ($2::int[])[g], 'Leaderboard bench: post ' || g, 'Post ' || g || ' of the leaderboard bench.',
            '<p>Post ' || g || ' of the leaderboard bench.</p>', '{}', 0, 0, 0, false, false, now() - ($4::int + 1) * interval '1 day'
       from generate_series(1, $3::int) g
     returning id`,
      [communityId, userIds, SEED_POSTS, DAYS],
    )
  ).rows.map((r) => r.id);

  // Row g: member g for the first MEMBERS rows (each member is on the board), then member
  // 1 + ⌊MEMBERS · random()²⌋ (a long tail: member i gets about 1/√i of them).
  const batch = 100_000;
  for (let from = 1; from <= ROWS; from += batch) {
    const to = Math.min(ROWS, from + batch - 1);
    step(
      `ledger rows ${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')}`,
    );
    await client.query(
      `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, actor_id, created_at)
       select $1, ($2::int[])[s.m], case when s.down then -2 else 10 end,
              (case when s.down then 'POST_DOWNVOTED' else 'POST_UPVOTED' end)::reputation_reason,
              'bench-lb:' || s.g, 'POST', ($3::int[])[1 + s.g % $4::int], ($2::int[])[1 + ((s.g::bigint * 7919) % $5::int)::int],
              now() - random() * $6::int * interval '1 day'
         from (select g, case when g <= $5::int then g else 1 + floor($5::int * power(random(), 2))::int end as m, random() < 0.15 as down
                 from generate_series($7::int, $8::int) g) s`,
      [communityId, userIds, postIds, postIds.length, MEMBERS, DAYS, from, to],
    );
  }
  // Fresh statistics first: after an earlier seed was deleted the planner would still count its rows.
  step('analyze, then members.reputation from the ledger');
  await client.query('analyze members, reputation_events');
  await client.query(
    `update members m set reputation = l.total
       from (select user_id, sum(delta)::int as total from reputation_events where community_id = $1 group by user_id) l
      where m.community_id = $1 and m.user_id = l.user_id`,
    [communityId],
  );
  await client.query(
    'update communities set member_count = (select count(*) from members where community_id = $1) where id = $1',
    [communityId],
  );
  step('vacuum analyze');
  await client.query('vacuum (analyze) users, members, posts, reputation_events');
  await client.query('update communities set description = $2 where id = $1', [communityId, MARKER]);
  step('done');
  return { communityId, reused: false, ms: Date.now() - started };
}

/**
 * What each run needs on top of the seed: the previous run's votes removed (and the reputation
 * they earned), the target posts by the AUTHORS top members, the voters, sessions.
 */
async function setUpRun(
  client,
  communityId,
  tokenSecret,
  { members: MEMBERS, authors: AUTHORS, voters: VOTERS, subscribers: SUBSCRIBERS },
) {
  // Earlier runs' votes and what they earned, their rebuild skew and rules: back to the seed's state.
  const { rowCount: stale } = await client.query(
    `delete from reputation_events where community_id = $1 and cause not like 'bench-lb:%'`,
    [communityId],
  );
  if (stale) progress(`removed ${stale} ledger rows of earlier runs`);
  await client.query(
    'delete from votes where post_id in (select id from posts where community_id = $1 and title = $2)',
    [communityId, TARGET_TITLE],
  );
  await client.query('delete from posts where community_id = $1 and title = $2', [communityId, TARGET_TITLE]);
  await client.query(
    `update members m set reputation = coalesce(l.total, 0)
       from members m2 left join (select user_id, sum(delta)::int as total from reputation_events where community_id = $1 group by user_id) l
         on l.user_id = m2.user_id
      where m.id = m2.id and m2.community_id = $1 and m.reputation is distinct from coalesce(l.total, 0)`,
    [communityId],
  );
  await client.query('update communities set reputation_rules = null where id = $1', [communityId]);

  const authors = (
    await client.query(
      `select m.user_id, u.handle, m.reputation from members m join users u on u.id = m.user_id
      where m.community_id = $1 order by m.reputation desc, m.user_id limit $2`,
      [communityId, AUTHORS],
    )
  ).rows;
  const targets = (
    await client.query(
      `insert into posts (community_id, channel_id, author_id, title, body, body_html, tags, score, hot, comment_count, pinned, locked, created_at)
     select $1, (select default_channel_id from communities where id = $1), a, $3, 'Upvote this post (bench/leaderboard.js).', '<p>Upvote this post (bench/leaderboard.js).</p>', '{}', 0, 0, 0, false, false, now()
       from unnest($2::int[]) with ordinality as t(a, i) order by i
     returning id, author_id`,
      [communityId, authors.map((a) => a.user_id), TARGET_TITLE],
    )
  ).rows;
  const postOf = new Map(targets.map((t) => [t.author_id, t.id]));

  const voterHandles = Array.from({ length: VOTERS }, (_, i) => voterHandle(i + 1));
  await client.query(
    `insert into users (handle, email, password_hash, is_admin, created_at)
     select h, h || '@bench.townsquare.dev', '!no-login', false, now() from unnest($1::text[]) h on conflict do nothing`,
    [voterHandles],
  );
  const voterIds = (
    await client.query('select id from users where handle = any($1::text[]) order by handle', [voterHandles])
  ).rows.map((r) => r.id);
  await client.query(
    `insert into members (community_id, user_id, role, joined_at)
     select $1, id, 'MEMBER', now() from unnest($2::int[]) id on conflict do nothing`,
    [communityId, voterIds],
  );
  await client.query(
    'update communities set member_count = (select count(*) from members where community_id = $1) where id = $1',
    [communityId],
  );
  // Subscribers: the last SUBSCRIBERS members (the short end of the tail); the owner: member 1.
  const subscriberHandles = Array.from({ length: SUBSCRIBERS }, (_, i) => memberHandle(MEMBERS - i));
  const subscriberIds = (
    await client.query('select id from users where handle = any($1::text[]) order by handle', [subscriberHandles])
  ).rows.map((r) => r.id);
  const ownerId = (await client.query('select id from users where handle = $1', [memberHandle(1)])).rows[0].id;
  const signedIn = [ownerId, ...voterIds, ...subscriberIds];
  await client.query('delete from sessions where user_id = any($1::int[])', [signedIn]);
  await client.query('analyze posts');
  const tokens = await createSessions(client, signedIn, tokenSecret);
  const { toGlobalId } = await globalIds(client);
  return {
    owner: tokens[0],
    voters: tokens.slice(1, 1 + VOTERS),
    subscribers: tokens.slice(1 + VOTERS),
    authors: authors.map((a) => ({
      userId: a.user_id,
      handle: a.handle,
      base: a.reputation,
      post: toGlobalId('Post', postOf.get(a.user_id)),
    })),
    stale,
  };
}

module.exports = { SLUG, seed, setUpRun };
