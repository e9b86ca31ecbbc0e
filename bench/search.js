#!/usr/bin/env node
/**
 * bench:search — `search` over a community of 100,000 posts and 1,000,000 comments (README, Search).
 *
 * Seeds (once; reused when complete, see the marker) a separate community, `bench-search`, of
 * --members (1,000) members, --posts (100,000) posts and --comments (1,000,000) comments whose text
 * is drawn from a Zipf-like vocabulary of --vocabulary (3,000) made-up words (the word of rank r
 * comes with probability ∝ 1/r, as in natural text), one post in 20 and one comment in 50 with a
 * Chinese sentence; written in SQL with generate_series in batches (progress on stderr). Then times
 * --queries (200) searches of 1, 2 and 3 words drawn from the same distribution, one at a time, through
 * the GraphQL API (a member signed in, the response cache off, 20 results with snippets), and prints
 * p50/p99 of each, the SQL statements per request, and the size of the search indexes.
 *
 * Database: as every bench (harness.js): DATABASE_URL, or BENCH_KEEP=1 for a kept local database.
 */
require('reflect-metadata');
const {
  progress,
  option,
  openBenchDatabase,
  globalIds,
  createSessions,
  startServer,
  gql,
  newTokenSecret,
  quantile,
  machineLoad,
  addDefaultChannel,
} = require('./harness');

const SIZES = {
  members: Number(option('members', 'BENCH_SEARCH_MEMBERS', '1000')),
  posts: Number(option('posts', 'BENCH_SEARCH_POSTS', '100000')),
  comments: Number(option('comments', 'BENCH_SEARCH_COMMENTS', '1000000')),
  vocabulary: Number(option('vocabulary', 'BENCH_SEARCH_VOCABULARY', '3000')),
};
const QUERIES = Number(option('queries', 'BENCH_SEARCH_QUERIES', '200'));
const SLUG = 'bench-search';
const MARKER = `Bench data (search v1): ${SIZES.posts} posts, ${SIZES.comments} comments, ${SIZES.members} members, ${SIZES.vocabulary} words.`;
const BATCH = 50_000;
const CJK = [
  '我们在社区花园种植番茄和黄瓜',
  '今天的会议讨论了数据库性能',
  '周末一起去爬山吧',
  '这个问题的答案在文档里',
];

/** The vocabulary: made-up, pronounceable, distinct words (rank 1 first). */
function vocabulary(size) {
  const c = 'bcdfghjklmnprstvz';
  const v = 'aeiou';
  const words = new Set();
  for (let i = 0; words.size < size; i += 1) {
    let n = i * 7919 + 13;
    let w = '';
    for (let k = 0; k < 3 + (i % 3); k += 1) {
      w += c[n % c.length] + v[Math.floor(n / c.length) % v.length];
      n = Math.floor(n / (c.length * v.length)) + k * 31 + i;
    }
    words.add(w);
  }
  return [...words];
}
/** A rank of the vocabulary with probability ∝ 1/rank (0-based index). */
const zipf = (size) => Math.min(size - 1, Math.floor(Math.exp(Math.random() * Math.log(size))) - 1);
/** The same draw in SQL (`$v` the vocabulary array, `n` its size): k words separated by spaces. */
const words = (k, seed) =>
  `(select string_agg(($1::text[])[least($2::int, floor(exp(random() * ln($2::int)))::int)], ' ') from generate_series(1, ${k} + 0 * ${seed}))`;

async function seed(client) {
  const found = (await client.query('select id, description from communities where slug = $1', [SLUG])).rows[0];
  if (found?.description === MARKER) {
    progress(`reusing the seeded community ${SLUG}`);
    return found.id;
  }
  if (found) {
    progress(`deleting an incomplete ${SLUG}…`);
    await client.query('delete from communities where id = $1', [found.id]);
  }
  const vocab = vocabulary(SIZES.vocabulary);
  const started = Date.now();
  const step = (text) => progress(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${text}`);
  const {
    rows: [{ id: communityId }],
  } = await client.query(
    `insert into communities (slug, name, description, visibility, time_zone, report_threshold, auto_mod_version, member_count)
     values ($1, 'Search bench', 'seeding', 'PUBLIC', 'UTC', 6, 0, $2) returning id`,
    [SLUG, SIZES.members],
  );
  await addDefaultChannel(client, communityId);
  step('members');
  await client.query(
    `insert into users (handle, email, password_hash)
     select 'bs_' || g || '_' || ($2::text[])[1 + g % $3], 'bs_' || g || '@bench.test', 'x' from generate_series(1, $1::int) g
     on conflict do nothing`,
    [SIZES.members, vocab, vocab.length],
  );
  const userIds = (
    await client.query(`select id from users where email like 'bs\\_%@bench.test' order by id`)
  ).rows.map((r) => r.id);
  await client.query(
    `insert into members (community_id, user_id, role, reputation, joined_at)
     select $1, u, case when u = $2 then 'OWNER' else 'MEMBER' end::member_role, 0, now() from unnest($3::int[]) u`,
    [communityId, userIds[0], userIds],
  );
  for (let from = 1; from <= SIZES.posts; from += BATCH) {
    const to = Math.min(SIZES.posts, from + BATCH - 1);
    step(`posts ${from}–${to} of ${SIZES.posts}`);
    await client.query(
      `insert into posts (community_id, channel_id, author_id, title, body, body_html, tags, score, created_at)
       select $4, (select default_channel_id from communities where id = $4), ($5::int[])[1 + (g * 7919) % $6], initcap(${words(6, 'g')}),
              b.body || case when g % 20 = 0 then ' ' || ($7::text[])[1 + g % 4] else '' end, '', '{}',
              floor(power(random(), 3) * 50)::int, now() - (random() * 365) * interval '1 day'
         from generate_series($3::int, $8::int) g, lateral (select ${words(40, 'g')} as body) b`,
      [vocab, vocab.length, from, communityId, userIds, userIds.length, CJK, to],
    );
  }
  const { rows: range } = await client.query('select min(id) lo, max(id) hi from posts where community_id = $1', [
    communityId,
  ]);
  for (let from = 1; from <= SIZES.comments; from += BATCH) {
    const to = Math.min(SIZES.comments, from + BATCH - 1);
    step(`comments ${from}–${to} of ${SIZES.comments}`);
    await client.query(
      `insert into comments (post_id, parent_id, author_id, body, body_html, depth, score, reply_count, featured, created_at)
       select $4::int + (g::bigint * 104729) % ($5::int - $4::int + 1), null, ($6::int[])[1 + (g::bigint * 7919) % $7], 
              b.body || case when g % 50 = 0 then ' ' || ($8::text[])[1 + g % 4] else '' end, '',
              0, floor(power(random(), 3) * 20)::int, 0, false, now() - (random() * 365) * interval '1 day'
         from generate_series($3::int, $9::int) g, lateral (select ${words(15, 'g')} as body) b`,
      [vocab, vocab.length, from, range[0].lo, range[0].hi, userIds, userIds.length, CJK, to],
    );
  }
  step('analyze');
  await client.query('analyze posts; analyze comments; analyze members; analyze users');
  await client.query('update communities set description = $2 where id = $1', [communityId, MARKER]);
  step('seeded');
  return communityId;
}

async function main() {
  const db = await openBenchDatabase();
  const client = await db.connect();
  let server;
  try {
    const communityId = await seed(client);
    const { toGlobalId } = await globalIds(client);
    const {
      rows: [viewer],
    } = await client.query(`select user_id from members where community_id = $1 and role = 'MEMBER' limit 1`, [
      communityId,
    ]);
    const tokenSecret = newTokenSecret();
    const [token] = await createSessions(client, [viewer.user_id], tokenSecret);
    server = await startServer(db.env, { tokenSecret, env: { RESPONSE_CACHE_SECONDS: '0' } });
    const vocab = vocabulary(SIZES.vocabulary);
    const query = `query Bench($query: String!, $communityId: ID) {
      search(query: $query, communityId: $communityId, first: 20) {
        edges { score snippet node { __typename ... on Post { id title } ... on Comment { id } ... on Member { id } } }
      }
    }`;
    const communityGid = toGlobalId('Community', communityId);
    console.log(
      `search over ${SIZES.posts} posts and ${SIZES.comments} comments (${SIZES.vocabulary}-word Zipf vocabulary), ${QUERIES} queries each, one at a time, ${machineLoad()}`,
    );
    // Warm-up: the server's first requests compile and fill caches.
    for (let i = 0; i < 20; i += 1)
      await gql(server.url, query, { query: vocab[zipf(vocab.length)], communityId: communityGid }, token);
    for (const scope of ['community', 'all readable']) {
      for (const n of [1, 2, 3]) {
        const times = [];
        const statements = new Set();
        let results = 0;
        for (let i = 0; i < QUERIES; i += 1) {
          const q = Array.from({ length: n }, () => vocab[zipf(vocab.length)]).join(' ');
          const t0 = process.hrtime.bigint();
          const { data, headers } = await gql(
            server.url,
            query,
            { query: q, communityId: scope === 'community' ? communityGid : null },
            token,
          );
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          statements.add(Number(headers.get('x-sql-statements')));
          results += data.search.edges.length;
        }
        times.sort((a, b) => a - b);
        console.log(
          `${n}-word queries (${scope}): p50 ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, max ${times.at(-1).toFixed(1)} ms, ${(results / QUERIES).toFixed(1)} results per query, SQL statements per request: ${[...statements].sort().join('/')}`,
        );
      }
    }
    const { rows: sizes } = await client.query(
      `select c.relname as name, pg_relation_size(c.oid) as bytes from pg_class c
        where c.relkind = 'i' and (c.relname like '%search_document_index' or c.relname like '%trgm_index') order by c.relname`,
    );
    for (const { name, bytes } of sizes) console.log(`index ${name}: ${(Number(bytes) / 2 ** 20).toFixed(1)} MiB`);
    const { rows: tables } = await client.query(
      `select relname as name, pg_table_size(oid) as bytes from pg_class where relname in ('posts', 'comments') order by relname`,
    );
    for (const { name, bytes } of tables)
      console.log(`table ${name} (with its search_document column): ${(Number(bytes) / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    await server?.stop();
    await client.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
