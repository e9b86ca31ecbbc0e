import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createChannel } from '../channels/operations';
import { createContest, moveContest, submitEntry, voteFor } from '../events/contest-operations';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll, pollCast, voted, type PollCast } from '../polls/operations';
import { addComment, createPost, dbId, dbQuery, vote } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import {
  closeAll,
  errorCode,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * Issue 17, point 5: `requestAccountDeletion` erases an account after a grace period (here 0: at
 * once). What the member did to others' content goes with every counter it moved, their content
 * stays as `[deleted]` (or goes, with `removeContent`), their credentials die with their open
 * sockets, and nothing in the whole database names them any more.
 */

const REQUEST =
  'mutation($input: RequestAccountDeletionInput!) { requestAccountDeletion(input: $input) { scheduledAt erased user { id accountDeletionScheduledAt } } }';
const CANCEL = 'mutation { cancelAccountDeletion { user { id accountDeletionScheduledAt } } }';
const VIEWER = '{ viewer { id handle accountDeletionScheduledAt } }';
const POST =
  'query($id: ID!) { post(id: $id) { title body author { handle } commentCount comments(first: 20) { nodes { body author { handle } replyCount } } } }';

const CREATE_QUEST = 'mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }';
const FOLLOW_MEMBER = 'mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }';
const SET_CHANNEL_SUBSCRIPTION =
  'mutation($input: SetChannelSubscriptionInput!) { setChannelSubscription(input: $input) { id viewerState } }';

/** graphql-ws's code for a credential that is no longer valid. */
const UNAUTHORIZED = 4401;

let server: TestServer;
let slow: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ACCOUNT_DELETION_GRACE_SECONDS: '0' });
  slow = await startTestServer({ ACCOUNT_DELETION_GRACE_SECONDS: '3600', JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function ok(on: TestServer, query: string, variables: Record<string, unknown>, user: TestUser) {
  const res = await on.gql(query, variables, { token: user.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 60)} failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

/** The member to delete: a community with others, and every kind of trace of them in it. */
async function busyMember(on: TestServer) {
  const cast = await pollCast(on, 3);
  const { owner, community } = cast;
  const [a, b, c] = cast.members;
  const doomed = await signUp(on, 'doomed');
  await joinCommunity(on, doomed, community.id);

  // Quests: one a first comment completes (its reward is a ledger row of the member), one no one
  // completes (progress only; the upvotes the member gives count toward others' progress).
  for (const [title, goals] of [
    ['Say something', [{ action: 'COMMENT', target: 1 }]],
    [
      'Marathon',
      [
        { action: 'COMMENT', target: 100 },
        { action: 'UPVOTE_RECEIVED', target: 100 },
      ],
    ],
  ] as const)
    await ok(
      on,
      CREATE_QUEST,
      {
        input: { communityId: community.id, title, description: 'Go.', period: 'DAILY', goals, rewardPoints: 20 },
      },
      owner,
    );

  // Follows both ways, a tag, a channel followed and one muted.
  await ok(on, FOLLOW_MEMBER, { u: a.user.id }, doomed);
  await ok(on, FOLLOW_MEMBER, { u: doomed.user.id }, b);
  await ok(on, 'mutation { followTag(input: { tag: "rust" }) { tag } }', {}, doomed);
  const channels = [await createChannel(on, owner, community.id), await createChannel(on, owner, community.id)];
  for (const [channel, state] of [
    [channels[0], 'FOLLOWING'],
    [channels[1], 'MUTED'],
  ] as const)
    await ok(on, SET_CHANNEL_SUBSCRIPTION, { input: { channelId: channel.id, state } }, doomed);

  // Others' content, which the member votes on, reacts to and answers.
  const othersPost = await createPost(on, a, community.id, { title: 'By a', body: 'Words of a.' });
  const othersComment = await addComment(on, b, othersPost.id, 'By b.');
  const aComment = await addComment(on, a, othersPost.id, 'Also by a.');
  await vote(on, doomed, othersPost.id, 'UP');
  await vote(on, doomed, othersComment.id, 'DOWN');
  await vote(on, doomed, aComment.id, 'UP');
  await vote(on, c, othersPost.id, 'UP');
  await ok(
    on,
    'mutation($input: SetReactionInput!) { setReaction(input: $input) { __typename } }',
    {
      input: { subjectId: othersPost.id, emoji: '🎉' },
    },
    doomed,
  );

  // The member's own content: a post others answered, a post no one answered, comments and a reply.
  const answered = await createPost(on, doomed, community.id, {
    title: `Title by ${doomed.user.handle}`,
    body: 'My body.',
  });
  const answer = await addComment(on, a, answered.id, 'An answer to the doomed.');
  const ownReply = await addComment(on, doomed, answered.id, 'Thanks!', answer.id);
  const lonely = await createPost(on, doomed, community.id, { title: 'Nobody answered', body: 'Alone.' });
  const comment = await addComment(on, doomed, othersPost.id, 'My two cents.');
  const answeredComment = await addComment(on, doomed, othersPost.id, 'Answer me.');
  await addComment(on, c, othersPost.id, 'Answered.', answeredComment.id);
  await vote(on, a, answered.id, 'UP');
  await vote(on, b, comment.id, 'UP');

  // Polls: a plain one, an anonymous one and a ranked one, with others' ballots beside the member's.
  const plain = await createPoll(on, owner, community.id, { question: 'Plain?' });
  const secret = await createPoll(on, owner, community.id, { question: 'Secret?', anonymous: true });
  const ranked = await createPoll(on, owner, community.id, { question: 'Ranked?', ranked: true });
  const opts = (p: { options: { id: string }[] }) => p.options.map((o) => o.id);
  await voted(on, doomed, plain.id, [opts(plain)[0]]);
  await voted(on, a, plain.id, [opts(plain)[0]]);
  await voted(on, doomed, secret.id, [opts(secret)[1]]);
  await voted(on, b, secret.id, [opts(secret)[2]]);
  await voted(on, doomed, ranked.id, [opts(ranked)[2], opts(ranked)[0]]);
  await voted(on, c, ranked.id, [opts(ranked)[2]]);

  // A meetup with one seat: the member holds it, c waits.
  const meetup = await createEvent(on, owner, community.id, { capacity: 1, startsAt: hoursFromNow(48) });
  expect((await rsvp(on, doomed, meetup.id, 'GOING')).body.errors).toBeUndefined();
  expect((await rsvp(on, c, meetup.id, 'GOING')).body.errors).toBeUndefined();

  // A live chat message.
  const stream = await createEvent(on, owner, community.id, { kind: 'LIVE_STREAM', startsAt: hoursFromNow(0) });
  await ok(
    on,
    'mutation($input: OpenLiveStreamInput!) { openLiveStream(input: $input) { id } }',
    {
      input: { eventId: stream.id },
    },
    owner,
  );
  await ok(
    on,
    'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }',
    {
      input: { eventId: stream.id, body: `Hello from ${doomed.user.handle}` },
    },
    doomed,
  );

  // A question by a, upvoted by the member and by b.
  const question = await ok(
    on,
    'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }',
    { input: { eventId: stream.id, body: 'A question?', isQuestion: true } },
    a,
  );
  for (const who of [doomed, b])
    await ok(
      on,
      'mutation($input: SetQuestionUpvoteInput!) { setQuestionUpvote(input: $input) { upvotes } }',
      { input: { id: question.sendChatMessage.id } },
      who,
    );

  // A report of the member's post: its snapshot copies the title (which names the member) and the handle.
  await ok(
    on,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { __typename } }',
    { input: { subjectId: answered.id, reason: 'OTHER', note: 'Reported.' } },
    c,
  );

  // A report by the member, whose note names them.
  await ok(
    on,
    'mutation($input: CreateReportInput!) { createReport(input: $input) { __typename } }',
    { input: { subjectId: othersComment.id, reason: 'OTHER', note: `Rude to ${doomed.user.handle}` } },
    doomed,
  );

  // A contest: the member votes for a's entry, b for the member's.
  const contest = await createContest(on, owner, community.id);
  const entries = [];
  for (const [who, postId] of [
    [a, othersPost.id],
    [doomed, (await createPost(on, doomed, community.id, { title: 'My entry' })).id],
  ] as const) {
    const entry = await submitEntry(on, who, contest.id, postId);
    expect(entry.body.errors).toBeUndefined();
    entries.push(entry.body.data!.submitContestEntry.id);
  }
  await moveContest(on, owner, contest.id, 'VOTING');
  expect((await voteFor(on, doomed, entries[0])).body.errors).toBeUndefined();
  expect((await voteFor(on, b, entries[1])).body.errors).toBeUndefined();

  const key = await ok(
    on,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
    {
      input: { name: 'My app', scopes: ['READ', 'WRITE', 'SUBSCRIBE'] },
    },
    doomed,
  );
  // A data export: its archive (bytea) holds the member's email and everything else.
  await ok(on, 'mutation { requestDataExport { dataExport { id } } }', {}, doomed);
  await jobsSettled(on);
  // The feed's affinities and similar members, from all the above.
  await affinityJob(on);
  const upvotes = await dbQuery<{ cause: string }>(
    on,
    `select 'vote:' || id as cause from votes where user_id = ? and value > 0`,
    [dbId(doomed.user.id)],
  );
  return {
    cast,
    doomed,
    channels,
    /** The causes of the member's upvotes, as quests record them toward the authors' goals. */
    upvoteCauses: upvotes.map((v) => v.cause).join(','),
    apiKey: key.createApiKey.secret as string,
    othersPost,
    othersComment,
    answered,
    answer,
    ownReply,
    lonely,
    comment,
    answeredComment,
    polls: [plain, secret, ranked],
    meetup,
  };
}

/** Runs the `feed.affinity` job as its schedule does (taking in rows of any age) and waits for it. */
async function affinityJob(on: TestServer): Promise<void> {
  await dbQuery(on, 'select graphile_worker.add_job(?, ?::json)', [
    'feed.affinity',
    JSON.stringify({ settleSeconds: 0 }),
  ]);
  await jobsSettled(on, 30_000);
}

/**
 * The member's rows in the tables of follows, channels, quests and the personal feed (issue 18), by
 * table and side, and the counts their upvotes (`upvoteCauses`) gave toward others' quests.
 */
async function followTraces(on: TestServer, userId: number, upvoteCauses: string): Promise<Record<string, number>> {
  const [row] = await dbQuery<Record<string, number>>(
    on,
    `select (select count(*) from member_follows where follower_id = ?)::int as following,
            (select count(*) from member_follows where followed_id = ?)::int as followers,
            (select count(*) from tag_follows where user_id = ?)::int as tags,
            (select count(*) from channel_subscriptions where user_id = ?)::int as channels,
            (select count(*) from quest_progress where user_id = ?)::int as "questProgress",
            (select count(*) from quest_contributions where user_id = ?)::int as "questContributions",
            (select count(*) from quest_completions where user_id = ?)::int as "questCompletions",
            (select count(*) from feed_affinities where user_id = ?)::int as affinities,
            (select count(*) from feed_affinities where kind = 'AUTHOR' and target = ?)::int as "authorAffinities",
            (select count(*) from feed_similar_members where user_id = ?)::int as similar,
            (select count(*) from feed_similar_members where similar_id = ?)::int as "similarTo",
            (select count(*) from quest_contributions
              where cause = any(string_to_array(?, ','))
                and user_id <> ?)::int as "upvotesCountedForOthers"`,
    [...Array(8).fill(userId), String(userId), userId, userId, upvoteCauses, userId],
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

/** Every table of `followTraces` at 0. */
const NO_FOLLOW_TRACES = {
  following: 0,
  followers: 0,
  tags: 0,
  channels: 0,
  questProgress: 0,
  questContributions: 0,
  questCompletions: 0,
  affinities: 0,
  authorAffinities: 0,
  similar: 0,
  similarTo: 0,
  upvotesCountedForOthers: 0,
};

/** Every denormalized counter of a community against a recount of its rows: [] when all agree. */
async function miscounts(on: TestServer, communityId: number): Promise<unknown[]> {
  const checks: [string, string][] = [
    [
      'post score',
      `select p.id, p.score, coalesce((select sum(v.value) from votes v where v.post_id = p.id), 0)::int as recount
         from posts p where p.community_id = ?`,
    ],
    [
      'comment score',
      `select c.id, c.score, coalesce((select sum(v.value) from votes v where v.comment_id = c.id), 0)::int as recount
         from comments c join posts p on p.id = c.post_id where p.community_id = ?`,
    ],
    [
      'post comment count',
      `select p.id, p.comment_count as score, (select count(*) from comments c where c.post_id = p.id)::int as recount
         from posts p where p.community_id = ?`,
    ],
    [
      'post top-level comment count',
      `select p.id, p.top_level_comment_count as score,
              (select count(*) from comments c where c.post_id = p.id and c.parent_id is null)::int as recount
         from posts p where p.community_id = ?`,
    ],
    [
      'reply count',
      `select c.id, c.reply_count as score, (select count(*) from comments r where r.parent_id = c.id)::int as recount
         from comments c join posts p on p.id = c.post_id where p.community_id = ?`,
    ],
    [
      'poll option votes',
      `select o.id, o.votes as score,
              (select count(*) from ballot_choices bc where bc.option_id = o.id and (q.kind <> 'RANKED' or bc.rank = 0))::int as recount
         from poll_options o join polls q on q.id = o.poll_id where q.community_id = ?`,
    ],
    [
      'poll voters',
      `select q.id, q.total_voters as score, (select count(*) from ballots b where b.poll_id = q.id)::int as recount
         from polls q where q.community_id = ?`,
    ],
    [
      'question upvotes',
      `select m.id, m.upvotes as score, (select count(*) from question_upvotes u where u.message_id = m.id)::int as recount
         from chat_messages m join events e on e.id = m.event_id where e.community_id = ?`,
    ],
    [
      'contest entry votes',
      `select x.id, x.votes as score, (select count(*) from contest_votes v where v.entry_id = x.id)::int as recount
         from contest_entries x join events e on e.id = x.event_id where e.community_id = ?`,
    ],
    [
      'member count',
      `select c.id, c.member_count as score, (select count(*) from members m where m.community_id = c.id)::int as recount
         from communities c where c.id = ?`,
    ],
    [
      'quest progress',
      `select p.id, p.count as score,
              (select count(*) from quest_contributions k
                where k.goal_id = p.goal_id and k.user_id = p.user_id and k.period_start = p.period_start)::int as recount
         from quest_progress p join quests q on q.id = p.quest_id where q.community_id = ?`,
    ],
    [
      'reputation',
      `select m.user_id as id, m.reputation as score,
              coalesce((select sum(e.delta) from reputation_events e where e.community_id = m.community_id and e.user_id = m.user_id), 0)::int as recount
         from members m where m.community_id = ?`,
    ],
  ];
  const wrong: unknown[] = [];
  for (const [what, query] of checks) {
    const rows = await dbQuery<{ id: number; score: number; recount: number }>(on, query, [communityId]);
    for (const r of rows) if (Number(r.score) !== Number(r.recount)) wrong.push({ what, ...r });
  }
  return wrong;
}

/** Every value in the whole database (every schema but the catalogs) that contains one of `needles`. */
async function occurrences(on: TestServer, needles: string[]): Promise<string[]> {
  const columns = await dbQuery<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    on,
    `select c.table_schema, c.table_name, c.column_name, c.data_type
       from information_schema.columns c join information_schema.tables t
         on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema not in ('pg_catalog', 'information_schema')
        and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'tsvector', 'ARRAY', 'USER-DEFINED'))`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const col of columns) {
    const ident = `"${col.table_schema}"."${col.table_name}"`;
    const column = `"${col.column_name}"`;
    for (const needle of needles) {
      const condition =
        col.data_type === 'bytea'
          ? `position(convert_to(?, 'UTF8') in ${column}) > 0`
          : `strpos(lower(${column}::text), lower(?)) > 0`;
      const [{ n }] = await dbQuery<{ n: number }>(on, `select count(*)::int as n from ${ident} where ${condition}`, [
        needle,
      ]);
      if (n > 0) found.push(`${ident}.${column} contains ${needle} (${n} rows)`);
    }
  }
  return found;
}

async function reputationOf(on: TestServer, communityId: number, user: TestUser): Promise<number> {
  const [row] = await dbQuery<{ reputation: number }>(
    on,
    'select reputation from members where community_id = ? and user_id = ?',
    [communityId, dbId(user.user.id)],
  );
  return Number(row.reputation);
}

describe('requestAccountDeletion with a grace of 0', () => {
  let world: Awaited<ReturnType<typeof busyMember>>;
  let cast: PollCast;
  let communityId: number;
  let before: { a: number; b: number; members: number };
  let socketClosed: Promise<number>;

  beforeAll(async () => {
    world = await busyMember(server);
    cast = world.cast;
    communityId = dbId(cast.community.id);
    const [a, b] = cast.members;
    const [community] = await dbQuery<{ member_count: number }>(
      server,
      'select member_count from communities where id = ?',
      [communityId],
    );
    before = {
      a: await reputationOf(server, communityId, a),
      b: await reputationOf(server, communityId, b),
      members: Number(community.member_count),
    };
    expect(await miscounts(server, communityId)).toEqual([]);
    // Every kind of trace is there before the erasure.
    const [traces] = await dbQuery<Record<string, number>>(
      server,
      `select (select count(*) from member_badges where user_id = ?)::int as badges,
              (select count(*) from notifications where user_id = ?)::int as notifications,
              (select count(*) from api_keys where user_id = ?)::int as keys,
              (select count(*) from ballots where user_id = ?)::int as ballots,
              (select count(*) from chat_messages where author_id = ?)::int as chat,
              (select count(*) from reputation_events where user_id = ?)::int as ledger,
              (select count(*) from contest_votes where user_id = ?)::int as "contestVotes"`,
      Array(7).fill(dbId(world.doomed.user.id)),
    );
    expect(traces).toEqual({
      badges: 1,
      notifications: expect.any(Number),
      keys: 1,
      ballots: 3,
      chat: 1,
      ledger: 5,
      contestVotes: 1,
    });
    expect(traces.notifications).toBeGreaterThan(0);
    // Follows both ways, a tag, two channels, quest progress and a completion, affinities both ways.
    const follows = await followTraces(server, dbId(world.doomed.user.id), world.upvoteCauses);
    expect(follows).toMatchObject({ following: 1, followers: 1, tags: 1, channels: 2, questCompletions: 1 });
    for (const [table, n] of Object.entries(follows)) expect([table, n > 0]).toEqual([table, true]);
    // The search below finds the member before the erasure (posts, chat, users, email tokens).
    expect((await occurrences(server, [world.doomed.user.handle])).length).toBeGreaterThan(3);
    // The data export's archive holds the email (the search reads binary columns too).
    expect(await occurrences(server, [world.doomed.user.email])).toEqual(
      expect.arrayContaining([expect.stringMatching(/^"public"\."data_exports"\."archive" contains/)]),
    );
    // An open subscription on the member's token, acknowledged before the deletion.
    let closedWith!: (code: number) => void;
    socketClosed = new Promise((resolve) => (closedWith = resolve));
    let acked!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acked = resolve));
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${world.doomed.token}` },
      onNonLazyError: () => undefined,
      on: { connected: () => acked(), closed: (e) => closedWith((e as { code: number }).code) },
    });
    onCleanup(() => client.dispose());
    await acknowledged;
    client.subscribe(
      {
        query: 'subscription($postId: ID!) { commentAdded(postId: $postId) { body } }',
        variables: { postId: world.othersPost.id },
      },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
  });

  it('refuses a wrong password with BAD_USER_INPUT on password, and erases nothing', async () => {
    const res = await server.gql(
      REQUEST,
      { input: { password: 'not the password', removeContent: false } },
      {
        token: world.doomed.token,
      },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.extensions?.field).toBe('password');
    const viewer = await server.gql(VIEWER, {}, { token: world.doomed.token });
    expect(viewer.body.data.viewer).toMatchObject({
      handle: world.doomed.user.handle,
      accountDeletionScheduledAt: null,
    });
  });

  it('refuses the last owner of a community with CONFLICT', async () => {
    const res = await server.gql(
      REQUEST,
      { input: { password: cast.owner.password, removeContent: false } },
      {
        token: cast.owner.token,
      },
    );
    expect(errorCode(res)).toBe('CONFLICT');
  });

  it('erases the account at once, and closes its open socket with 4401', async () => {
    const res = await server.gql(
      REQUEST,
      { input: { password: world.doomed.password } },
      { token: world.doomed.token },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.requestAccountDeletion).toMatchObject({ erased: true, user: null });
    expect(await Promise.race([socketClosed, new Promise((r) => setTimeout(() => r('still open'), 6000))])).toBe(
      UNAUTHORIZED,
    );
  });

  it('refuses the old session token and API key', async () => {
    expect(errorCode(await server.gql(VIEWER, {}, { token: world.doomed.token }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(VIEWER, {}, { token: world.apiKey }))).toBe('UNAUTHENTICATED');
    const signIn = await server.gql('mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
      input: { email: world.doomed.user.email, password: world.doomed.password },
    });
    expect(errorCode(signIn)).toBe('UNAUTHENTICATED');
  });

  it('leaves every counter equal to a recount of the rows', async () => {
    expect(await miscounts(server, communityId)).toEqual([]);
    const [community] = await dbQuery<{ member_count: number }>(
      server,
      'select member_count from communities where id = ?',
      [communityId],
    );
    expect(Number(community.member_count)).toBe(before.members - 1);
    const [a, b] = cast.members;
    // The member's upvotes of a's post (+10) and a's comment (+5) are reversed; b keeps the downvote's penalty lifted (−2 reversed).
    expect(await reputationOf(server, communityId, a)).toBe(before.a - 15);
    expect(await reputationOf(server, communityId, b)).toBe(before.b + 2);
    const [scores] = await dbQuery<{ post: number; comment: number }>(
      server,
      'select (select score from posts where id = ?) as post, (select score from comments where id = ?) as comment',
      [dbId(world.othersPost.id), dbId(world.othersComment.id)],
    );
    expect([Number(scores.post), Number(scores.comment)]).toEqual([1, 0]);
    // The leaderboard agrees with the members' totals.
    const ranking = await server.gql(
      'query($slug: String!) { community(slug: $slug) { ranking(period: ALL_TIME, first: 50) { nodes { score member { user { id } } } } } }',
      { slug: cast.community.slug },
    );
    expect(ranking.body.errors).toBeUndefined();
    const board = new Map<number, number>(
      ranking.body.data.community.ranking.nodes.map((n: any) => [dbId(n.member.user.id), n.score]),
    );
    const totals = await dbQuery<{ user_id: number; reputation: number }>(
      server,
      'select user_id, reputation from members where community_id = ? and reputation <> 0',
      [communityId],
    );
    expect(board.has(dbId(world.doomed.user.id))).toBe(false);
    for (const t of totals)
      expect([t.user_id, board.get(Number(t.user_id))]).toEqual([t.user_id, Number(t.reputation)]);
    // The freed seat went to the waitlist.
    const [seat] = await dbQuery<{ seated: boolean }>(
      server,
      'select seated from rsvps where event_id = ? and user_id = ?',
      [dbId(world.meetup.id), dbId(cast.members[2].user.id)],
    );
    expect(seat.seated).toBe(true);
    const [upvotes] = await dbQuery<{ upvotes: number }>(
      server,
      `select upvotes from chat_messages where is_question and event_id in
         (select id from events where community_id = ?)`,
      [communityId],
    );
    expect(Number(upvotes.upvotes)).toBe(1);
    const entryVotes = await dbQuery<{ votes: number }>(
      server,
      'select x.votes from contest_entries x join events e on e.id = x.event_id where e.community_id = ? order by x.id',
      [communityId],
    );
    expect(entryVotes.map((e) => Number(e.votes))).toEqual([0, 1]);
  });

  it('leaves nothing in the whole database that names the member', async () => {
    expect(await occurrences(server, [world.doomed.user.handle, world.doomed.user.email])).toEqual([]);
    const rows = await dbQuery<{ n: number }>(
      server,
      `select (select count(*) from sessions where user_id = ?) + (select count(*) from api_keys where user_id = ?)
            + (select count(*) from members where user_id = ?) + (select count(*) from votes where user_id = ?)
            + (select count(*) from ballots where user_id = ?) + (select count(*) from rsvps where user_id = ?)
            + (select count(*) from reactions where user_id = ?) + (select count(*) from reputation_events where user_id = ?)
            + (select count(*) from member_badges where user_id = ?) + (select count(*) from notifications where user_id = ?)
            + (select count(*) from email_tokens where user_id = ?) as n`,
      Array(11).fill(dbId(world.doomed.user.id)),
    );
    expect(Number(rows[0].n)).toBe(0);
    // Follows, channels, quests and the feed: no row of the member's, nor of others' about them.
    expect(await followTraces(server, dbId(world.doomed.user.id), world.upvoteCauses)).toEqual(NO_FOLLOW_TRACES);
  });

  it('keeps the content as [deleted] with no author, threads whole', async () => {
    const answered = await server.gql(POST, { id: world.answered.id });
    expect(answered.body.data.post).toMatchObject({
      title: '[deleted]',
      body: '[deleted]',
      author: null,
      commentCount: 2,
    });
    const [answer] = answered.body.data.post.comments.nodes;
    expect(answer).toMatchObject({ body: 'An answer to the doomed.', replyCount: 1 });
    const others = await server.gql(POST, { id: world.othersPost.id });
    const bodies = others.body.data.post.comments.nodes.map((n: any) => [n.body, n.author?.handle ?? null]);
    expect(bodies).toContainEqual(['[deleted]', null]);
    expect(bodies).toContainEqual(['By b.', cast.members[1].user.handle]);
    const lonely = await server.gql(POST, { id: world.lonely.id });
    expect(lonely.body.data.post).toMatchObject({ body: '[deleted]', author: null });
    const user = await server.gql('query($id: ID!) { node(id: $id) { ... on User { handle deleted } } }', {
      id: world.doomed.user.id,
    });
    expect(user.body.data.node.deleted).toBe(true);
    expect(user.body.data.node.handle).toMatch(/^deleted-[0-9a-f]{16}$/);
  });
});

describe('the sweep after an erasure', () => {
  it('removes what a write racing the erasure left, with its counts', async () => {
    const world = await busyMember(server);
    const communityId = dbId(world.cast.community.id);
    const userId = dbId(world.doomed.user.id);
    const res = await server.gql(
      REQUEST,
      { input: { password: world.doomed.password } },
      { token: world.doomed.token },
    );
    expect(res.body.data.requestAccountDeletion.erased).toBe(true);
    // A vote that had passed its checks before the erasure, committed after it (as its transaction would).
    await dbQuery(server, 'insert into votes (user_id, post_id, value, created_at) values (?, ?, 1, now())', [
      userId,
      dbId(world.othersPost.id),
    ]);
    await dbQuery(server, 'update posts set score = score + 1 where id = ?', [dbId(world.othersPost.id)]);
    const [job] = await dbQuery<{ n: number }>(
      server,
      'select count(*)::int as n from graphile_worker.jobs where key = ?',
      [`accounts.erase-sweep:${userId}`],
    );
    expect(Number(job.n)).toBe(1);
    // The sweep, due now rather than in a minute.
    await dbQuery(
      server,
      `select graphile_worker.add_job('accounts.erase', json_build_object('userId', ?::int, 'sweep', true), job_key => ?)`,
      [userId, `accounts.erase-sweep:${userId}`],
    );
    await jobsSettled(server);
    const [left] = await dbQuery<{ n: number }>(server, 'select count(*)::int as n from votes where user_id = ?', [
      userId,
    ]);
    expect(Number(left.n)).toBe(0);
    expect(await miscounts(server, communityId)).toEqual([]);
    expect(await followTraces(server, userId, world.upvoteCauses)).toEqual(NO_FOLLOW_TRACES);
  });

  it('removes follows, channel subscriptions, quest rows and affinities written after the erasure', async () => {
    const world = await busyMember(server);
    const userId = dbId(world.doomed.user.id);
    const [a, b, c] = world.cast.members.map((m) => dbId(m.user.id));
    const res = await server.gql(
      REQUEST,
      { input: { password: world.doomed.password } },
      { token: world.doomed.token },
    );
    expect(res.body.data.requestAccountDeletion.erased).toBe(true);
    expect(await followTraces(server, userId, world.upvoteCauses)).toEqual(NO_FOLLOW_TRACES);
    // The affinity job takes in nothing of the erased member: neither a vote of theirs committed after
    // the erasure, nor another's reaction to their kept post.
    await dbQuery(server, 'insert into votes (user_id, post_id, value, created_at) values (?, ?, 1, now())', [
      userId,
      dbId(world.othersPost.id),
    ]);
    await dbQuery(server, `insert into reactions (user_id, post_id, emoji, created_at) values (?, ?, '👍', now())`, [
      c,
      dbId(world.answered.id),
    ]);
    await affinityJob(server);
    expect(await followTraces(server, userId, world.upvoteCauses)).toEqual(NO_FOLLOW_TRACES);
    // No one follows an erased account through the API.
    const refollow = await server.gql(
      FOLLOW_MEMBER,
      { u: world.doomed.user.id },
      { token: world.cast.members[0].token },
    );
    expect(errorCode(refollow)).toBe('NOT_FOUND');
    // Rows that writes which had passed their checks before the erasure committed after it.
    const [goal] = await dbQuery<{ id: number; quest_id: number }>(
      server,
      `select g.id, g.quest_id from quest_goals g join quests q on q.id = g.quest_id
        where q.community_id = ? and q.title = 'Marathon' and g.action = 'COMMENT'`,
      [dbId(world.cast.community.id)],
    );
    for (const [statement, params] of [
      ['insert into member_follows (follower_id, followed_id, created_at) values (?, ?, now())', [userId, a]],
      ['insert into member_follows (follower_id, followed_id, created_at) values (?, ?, now())', [b, userId]],
      [`insert into tag_follows (user_id, tag, created_at) values (?, 'late', now())`, [userId]],
      [
        `insert into channel_subscriptions (user_id, channel_id, state, created_at) values (?, ?, 'FOLLOWING', now())`,
        [userId, dbId(world.channels[0].id)],
      ],
      [
        'insert into quest_progress (quest_id, goal_id, user_id, period_start, count) values (?, ?, ?, now(), 1)',
        [goal.quest_id, goal.id, userId],
      ],
      [
        `insert into quest_contributions (goal_id, user_id, period_start, cause) values (?, ?, now(), 'comment:0')`,
        [goal.id, userId],
      ],
      ['insert into quest_completions (quest_id, user_id, period_start) values (?, ?, now())', [goal.quest_id, userId]],
      [
        `insert into feed_affinities (user_id, kind, target, score, updated_at) values (?, 'TAG', 'late', 1, now())`,
        [userId],
      ],
      [
        `insert into feed_affinities (user_id, kind, target, score, updated_at) values (?, 'AUTHOR', ?, 1, now())`,
        [a, String(userId)],
      ],
      ['insert into feed_similar_members (user_id, similar_id, score) values (?, ?, 1)', [userId, c]],
      ['insert into feed_similar_members (user_id, similar_id, score) values (?, ?, 1)', [c, userId]],
    ] as const)
      await dbQuery(server, statement, [...params]);
    const late = await followTraces(server, userId, world.upvoteCauses);
    for (const [table, n] of Object.entries(late))
      expect([table, n > 0]).toEqual([table, table !== 'upvotesCountedForOthers']);
    await dbQuery(
      server,
      `select graphile_worker.add_job('accounts.erase', json_build_object('userId', ?::int, 'sweep', true), job_key => ?)`,
      [userId, `accounts.erase-sweep:${userId}`],
    );
    await jobsSettled(server);
    expect(await followTraces(server, userId, world.upvoteCauses)).toEqual(NO_FOLLOW_TRACES);
  });
});

describe('requestAccountDeletion with removeContent', () => {
  it('removes the posts and comments no one else’s content hangs from, and keeps the rest as [deleted]', async () => {
    const world = await busyMember(server);
    const communityId = dbId(world.cast.community.id);
    const res = await server.gql(
      REQUEST,
      { input: { password: world.doomed.password, removeContent: true } },
      {
        token: world.doomed.token,
      },
    );
    expect(res.body.errors).toBeUndefined();
    expect((await server.gql(POST, { id: world.lonely.id })).body.data.post).toBeNull();
    const answered = (await server.gql(POST, { id: world.answered.id })).body.data.post;
    // Kept: a's answer hangs from it; the member's own reply to the answer is gone.
    expect(answered).toMatchObject({ body: '[deleted]', author: null, commentCount: 1 });
    expect(answered.comments.nodes[0]).toMatchObject({ body: 'An answer to the doomed.', replyCount: 0 });
    const others = (await server.gql(POST, { id: world.othersPost.id })).body.data.post;
    // "My two cents." is gone; "Answer me." has c's reply, so it stays as [deleted].
    expect(others.commentCount).toBe(4);
    expect(others.comments.nodes.map((n: any) => n.body)).toEqual(['By b.', 'Also by a.', '[deleted]']);
    expect(await miscounts(server, communityId)).toEqual([]);
    expect(await occurrences(server, [world.doomed.user.handle, world.doomed.user.email])).toEqual([]);
  });
});

describe('the grace period', () => {
  it('schedules the deletion, shows it to the member, and a cancellation keeps the account', async () => {
    const user = await signUp(slow, 'graced');
    const started = Date.now();
    const res = await slow.gql(REQUEST, { input: { password: user.password } }, { token: user.token });
    expect(res.body.errors).toBeUndefined();
    const { scheduledAt, erased } = res.body.data.requestAccountDeletion;
    expect(erased).toBe(false);
    expect(Math.abs(new Date(scheduledAt).getTime() - started - 3600_000)).toBeLessThan(60_000);
    const viewer = await slow.gql(VIEWER, {}, { token: user.token });
    expect(viewer.body.data.viewer.accountDeletionScheduledAt).toBe(scheduledAt);
    const [job] = await dbQuery<{ n: number }>(
      slow,
      `select count(*)::int as n from graphile_worker.jobs where key = ?`,
      [`accounts.erase:${dbId(user.user.id)}`],
    );
    expect(Number(job.n)).toBe(1);

    const cancelled = await slow.gql(CANCEL, {}, { token: user.token });
    expect(cancelled.body.errors).toBeUndefined();
    expect(cancelled.body.data.cancelAccountDeletion.user.accountDeletionScheduledAt).toBeNull();
    expect(errorCode(await slow.gql(CANCEL, {}, { token: user.token }))).toBe('CONFLICT');
    // Even an erasure job that runs now finds nothing due.
    await dbQuery(slow, `select graphile_worker.add_job('accounts.erase', json_build_object('userId', ?::int))`, [
      dbId(user.user.id),
    ]);
    await jobsSettled(slow);
    const after = await slow.gql(VIEWER, {}, { token: user.token });
    expect(after.body.data.viewer).toMatchObject({ handle: user.user.handle, accountDeletionScheduledAt: null });
  });

  it('erases the account when its job comes due', async () => {
    const user = await signUp(slow, 'graced');
    const res = await slow.gql(REQUEST, { input: { password: user.password } }, { token: user.token });
    expect(res.body.errors).toBeUndefined();
    // The grace has passed: the same job key, due now.
    await dbQuery(slow, `update users set deletion_scheduled_at = now() where id = ?`, [dbId(user.user.id)]);
    await dbQuery(
      slow,
      `select graphile_worker.add_job('accounts.erase', json_build_object('userId', ?::int), job_key => ?)`,
      [dbId(user.user.id), `accounts.erase:${dbId(user.user.id)}`],
    );
    await jobsSettled(slow);
    expect(errorCode(await slow.gql(VIEWER, {}, { token: user.token }))).toBe('UNAUTHENTICATED');
    const [row] = await dbQuery<{ handle: string; email: string; deleted_at: Date | null }>(
      slow,
      'select handle, email, deleted_at from users where id = ?',
      [dbId(user.user.id)],
    );
    expect(row.handle).toMatch(/^deleted-/);
    expect(row.email).not.toContain(user.user.handle);
    expect(row.deleted_at).not.toBeNull();
  });
});
