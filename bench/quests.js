#!/usr/bin/env node
/**
 * `npm run bench:quests`: what quests add to a comment write (issue 18, point 1). Starts the real
 * server as a child process on a fresh community (an owner, one member, one post), then adds
 * comments through HTTP, one at a time, in three phases per round: no live quest; a live quest
 * whose goals do not count comments (POST only: the goals are in the instance's cache, nothing
 * matches); a live quest counting comments (DAILY, a target the run never reaches, so no completion).
 * Each phase's quest is closed before the next, and the first comment of each phase (which reads
 * the community's goals again) is left out. Prints per phase p50 and p99 of addComment's time and
 * the SQL statements per request (the server's `x-sql-statements` header); asserts nothing.
 *
 * Options (flag or environment): --comments=N (COMMENTS, default 300 per phase and round),
 * --rounds=N (ROUNDS, default 2). Database: see harness.js.
 */
const {
  progress,
  option,
  openBenchDatabase,
  startServer,
  gql,
  newTokenSecret,
  machineLoad,
  quantile,
} = require('./harness');

const COMMENTS = Number(option('comments', 'COMMENTS', '300'));
const ROUNDS = Number(option('rounds', 'ROUNDS', '2'));

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`;
const ADD_COMMENT = `mutation AddComment($input: AddCommentInput!) { addComment(input: $input) { id } }`;
const CREATE_QUEST = `mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }`;
const CLOSE_QUEST = `mutation($input: CloseQuestInput!) { closeQuest(input: $input) { id } }`;

async function signUp(url, name) {
  const handle = `${name}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`.slice(0, 30);
  const { data } = await gql(url, SIGN_UP, {
    input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' },
  });
  return data.signUp;
}

/** Adds COMMENTS comments (plus one left out) and returns their times (ms) and statement counts. */
async function phase(url, token, postId, label) {
  const times = [];
  const statements = [];
  for (let i = 0; i <= COMMENTS; i++) {
    const started = process.hrtime.bigint();
    const { headers } = await gql(url, ADD_COMMENT, { input: { postId, body: `${label} ${i}` } }, token);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i === 0) continue;
    times.push(ms);
    statements.push(Number(headers.get('x-sql-statements')));
  }
  return { times, statements };
}

async function main() {
  const db = await openBenchDatabase();
  const tokenSecret = newTokenSecret();
  const server = await startServer(db.env, { tokenSecret });
  try {
    const { url } = server;
    const owner = await signUp(url, 'owner');
    const member = await signUp(url, 'member');
    const slug = `quests-${Date.now().toString(36)}`;
    const community = (
      await gql(
        url,
        `mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }`,
        { input: { slug, name: 'Quest bench', description: 'bench', visibility: 'PUBLIC' } },
        owner.token,
      )
    ).data.createCommunity;
    await gql(
      url,
      'mutation($id: ID!) { requestMembership(input: { communityId: $id }) { outcome } }',
      { id: community.id },
      member.token,
    );
    const post = (
      await gql(
        url,
        'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { communityId: community.id, title: 'Bench post', body: 'Comments go here.', tags: [] } },
        owner.token,
      )
    ).data.createPost;
    const quest = async (action) =>
      (
        await gql(
          url,
          CREATE_QUEST,
          {
            input: {
              communityId: community.id,
              title: `Bench ${action}`,
              description: 'bench',
              period: 'DAILY',
              goals: [{ action, target: 10000 }],
              rewardPoints: 10,
            },
          },
          owner.token,
        )
      ).data.createQuest.id;
    const close = (id) => gql(url, CLOSE_QUEST, { input: { id } }, owner.token);

    const phases = { 'no live quest': [], 'a live quest, not counting comments': [], 'a quest counting comments': [] };
    const all = (name, r) => {
      phases[name].push(r);
    };
    for (let round = 1; round <= ROUNDS; round++) {
      progress(`round ${round}/${ROUNDS}…`);
      all('no live quest', await phase(url, member.token, post.id, `plain ${round}`));
      const other = await quest('POST');
      all('a live quest, not counting comments', await phase(url, member.token, post.id, `other ${round}`));
      await close(other);
      const counting = await quest('COMMENT');
      all('a quest counting comments', await phase(url, member.token, post.id, `counted ${round}`));
      await close(counting);
    }
    console.log(`addComment through HTTP, one at a time, ${COMMENTS} per phase × ${ROUNDS} rounds; ${machineLoad()}`);
    for (const [name, runs] of Object.entries(phases)) {
      const times = runs.flatMap((r) => r.times).sort((a, b) => a - b);
      const statements = [...new Set(runs.flatMap((r) => r.statements))].sort((a, b) => a - b);
      const perRound = runs
        .map((r) =>
          quantile(
            [...r.times].sort((a, b) => a - b),
            0.5,
          ).toFixed(2),
        )
        .join(', ');
      console.log(
        `${name.padEnd(36)} p50 ${quantile(times, 0.5).toFixed(2)} ms  p99 ${quantile(times, 0.99).toFixed(2)} ms` +
          `  (p50 per round: ${perRound})  SQL statements per request: ${statements.join(' / ')}`,
      );
    }
  } finally {
    await server.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
