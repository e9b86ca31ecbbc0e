/**
 * Data exports (issue 17, point 4): a member asks for a copy of their data; a job builds one JSON
 * archive, served at an unguessable link until it expires. The member's things are made through the
 * API where a mutation makes them in one call (posts, comments, votes, reactions, reports, API keys),
 * the rest (an event, an RSVP, a chat message, polls and ballots, a badge) are written in SQL.
 */
import { createChannel } from '../channels/operations';
import { addComment, castOf, createPost, dbId, dbQuery, vote } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import { closeAll, errorCode, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JOB_POLL_MS: '100', DATA_EXPORT_DAILY_LIMIT: '2' });
});
afterAll(closeAll);

const REQUEST = `mutation { requestDataExport { dataExport { id status downloadUrl } } }`;
const LIST = `{ viewer { dataExports(first: 10) { totalCount edges { node { id status byteSize expiresAt downloadUrl } } } } }`;

async function ok(query: string, who: TestUser, variables: Record<string, unknown> = {}) {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

/** Requests an export as `who` and waits for its job: the export as `dataExports` lists it. */
async function exportOf(who: TestUser) {
  const requested = (await ok(REQUEST, who)).requestDataExport.dataExport;
  expect(requested).toMatchObject({ status: 'PENDING', downloadUrl: null });
  await jobsSettled(server, 30_000);
  const list = (await ok(LIST, who)).viewer.dataExports;
  const listed = list.edges.map((e: any) => e.node).find((n: any) => n.id === requested.id);
  expect(listed).toMatchObject({ status: 'READY' });
  return listed as { id: string; byteSize: number; expiresAt: string; downloadUrl: string };
}

/** The download link's path on the test server (its host is API_PUBLIC_URL's). */
const fetchLink = (url: string) => fetch(`${server.baseUrl}${new URL(url).pathname}`);

describe('data exports', () => {
  it("builds an archive of everything the member made and everything about them, and nobody else's private data", async () => {
    const cast = await castOf(server, 2);
    const [me, other] = cast.members;
    const community = dbId(cast.community.id);
    // Quests before the comments count: one my first comment completes, one it only moves.
    for (const [title, target] of [
      ['First words', 1],
      ['Many words', 50],
    ] as const)
      await ok(`mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }`, cast.owner, {
        input: {
          communityId: cast.community.id,
          title,
          description: 'Comment.',
          period: 'DAILY',
          goals: [{ action: 'COMMENT', target }],
          rewardPoints: 10,
        },
      });
    // Through the API: a post (answered by someone else: a REPLY notification), a reply to another member's comment, a vote, a reaction, a report, an API key.
    const post = await createPost(server, me, cast.community.id, { title: 'My own post', body: 'Mine.' });
    await addComment(server, other, post.id, 'A reply from someone else');
    const theirPost = await createPost(server, other, cast.community.id, { title: 'Their post' });
    const theirComment = await addComment(server, other, theirPost.id, 'Their comment');
    const myComment = await addComment(server, me, theirPost.id, 'My reply to them', theirComment.id);
    await vote(server, me, theirPost.id, 'UP');
    await vote(server, other, post.id, 'UP'); // reputation for me
    await ok(`mutation($input: SetReactionInput!) { setReaction(input: $input) { __typename } }`, me, {
      input: { subjectId: theirComment.id, emoji: '🎉' },
    });
    await ok(`mutation($input: CreateReportInput!) { createReport(input: $input) { id } }`, me, {
      input: { subjectId: theirPost.id, reason: 'SPAM', note: 'my report note' },
    });
    await ok(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, me, {
      input: { name: 'my script', scopes: ['READ'] },
    });
    // Follows (a member, a tag) and a muted channel; the other member follows me (their data, not in my archive).
    await ok(`mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }`, me, { u: other.user.id });
    await ok(`mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }`, other, { u: me.user.id });
    await ok(`mutation { followTag(input: { tag: "Gardening" }) { tag } }`, me);
    const channel = await createChannel(server, cast.owner, cast.community.id, { name: 'Noisy', slug: 'noisy' });
    await ok(`mutation($input: SetChannelSubscriptionInput!) { setChannelSubscription(input: $input) { id } }`, me, {
      input: { channelId: channel.id, state: 'MUTED' },
    });
    // In SQL: an event with my RSVP and my chat message, two polls (one anonymous) with my ballots and another's, a badge.
    const [event] = await dbQuery<{ id: number }>(
      server,
      `insert into events (community_id, organizer_id, kind, title, description, starts_at, ends_at, time_zone, created_at, updated_at)
       values (?, ?, 'LIVE_STREAM', 'Stream night', '', now() + interval '1 day', now() + interval '1 day 1 hour', 'UTC', now(), now())
       returning id`,
      [community, dbId(cast.owner.user.id)],
    );
    await dbQuery(
      server,
      `insert into rsvps (event_id, occurrence_starts_at, user_id, status, seated, responded_at)
       select id, starts_at, ?, 'INTERESTED', false, now() from events where id = ?`,
      [dbId(me.user.id), event.id],
    );
    await dbQuery(server, `insert into chat_messages (event_id, author_id, body, created_at) values (?, ?, ?, now())`, [
      event.id,
      dbId(me.user.id),
      'my chat line',
    ]);
    const poll = async (question: string, anonymous: boolean) => {
      const [p] = await dbQuery<{ id: number; option: number }>(
        server,
        `with p as (insert into polls (community_id, created_by_id, question, kind, anonymous, created_at)
                    values (?, ?, ?, 'SINGLE', ?, now()) returning id)
         insert into poll_options (poll_id, position, text, votes) select id, 0, 'Yes', 0 from p returning poll_id as id, id as option`,
        [community, dbId(cast.owner.user.id), question, anonymous],
      );
      for (const voter of [me, other]) {
        await dbQuery(
          server,
          `with b as (insert into ballots (poll_id, user_id, cast_at, updated_at) values (?, ?, now(), now()) returning id)
           insert into ballot_choices (ballot_id, option_id, rank) select id, ?, 0 from b`,
          [p.id, dbId(voter.user.id), p.option],
        );
      }
      return p;
    };
    await poll('Open question?', false);
    await poll('Secret question?', true);
    await dbQuery(
      server,
      `insert into member_badges (community_id, user_id, badge, awarded_at) values (?, ?, ?, now()) on conflict do nothing`,
      [community, dbId(me.user.id), 'FIRST_POST'],
    );
    await jobsSettled(server, 30_000);

    const exp = await exportOf(me);
    expect(exp.downloadUrl).toMatch(/\/exports\/[A-Za-z0-9_-]{43}$/);
    expect(new Date(exp.expiresAt).getTime()).toBeGreaterThan(Date.now() + 47 * 3600_000);
    const download = await fetchLink(exp.downloadUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(
      /^attachment; filename="?townsquare-export-\d{4}-\d{2}-\d{2}-\d+\.json"?$/,
    );
    const text = await download.text();
    expect(Buffer.byteLength(text)).toBe(exp.byteSize);
    const archive = JSON.parse(text);

    expect(archive.profile).toMatchObject({ id: me.user.id, handle: me.user.handle });
    expect(archive.profile.email).toMatch(/@/);
    expect(archive.memberships).toEqual([
      expect.objectContaining({ community: expect.objectContaining({ id: cast.community.id }), role: 'MEMBER' }),
    ]);
    expect(archive.posts).toEqual([expect.objectContaining({ id: post.id, title: 'My own post', body: 'Mine.' })]);
    expect(archive.comments).toEqual([
      expect.objectContaining({ id: myComment.id, body: 'My reply to them', parentId: theirComment.id }),
    ]);
    expect(archive.votes).toEqual([expect.objectContaining({ postId: theirPost.id, value: 1 })]);
    expect(archive.reactions).toEqual([expect.objectContaining({ commentId: theirComment.id, emoji: '🎉' })]);
    expect(archive.rsvps).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ title: 'Stream night' }), status: 'INTERESTED' }),
    ]);
    expect(archive.chatMessages).toEqual([expect.objectContaining({ body: 'my chat line' })]);
    expect(
      archive.ballots.map((b: any) => [b.poll.question, b.poll.anonymous, b.choices.map((c: any) => c.text)]),
    ).toEqual([
      ['Open question?', false, ['Yes']],
      ['Secret question?', true, ['Yes']],
    ]);
    expect(archive.reputationLedger.length).toBeGreaterThan(0);
    expect(archive.reputationLedger.every((e: any) => e.communityId === cast.community.id)).toBe(true);
    expect(archive.badges).toEqual([expect.objectContaining({ badge: 'FIRST_POST' })]);
    expect(archive.reports).toEqual([
      expect.objectContaining({ subjectType: 'POST', subjectId: theirPost.id, reason: 'SPAM', note: 'my report note' }),
    ]);
    expect(archive.notifications.map((n: any) => n.kind)).toEqual(expect.arrayContaining(['REPLY']));
    expect(archive.apiKeys).toEqual([expect.objectContaining({ name: 'my script', scopes: ['READ'] })]);
    expect(archive.exports).toEqual([expect.objectContaining({ id: exp.id })]);
    expect(archive.memberFollows).toEqual([{ userId: other.user.id, createdAt: expect.any(String) }]);
    expect(archive.tagFollows).toEqual([{ tag: 'gardening', createdAt: expect.any(String) }]);
    expect(archive.channelSubscriptions).toEqual([
      {
        channel: { id: channel.id, slug: 'noisy', name: 'Noisy' },
        communityId: cast.community.id,
        state: 'MUTED',
        createdAt: expect.any(String),
      },
    ]);
    expect(archive.questProgress.map((p: any) => [p.quest.title, p.goal.action, p.goal.target, p.count])).toEqual([
      ['First words', 'COMMENT', 1, 1],
      ['Many words', 'COMMENT', 50, 1],
    ]);
    expect(archive.questCompletions).toEqual([
      expect.objectContaining({
        quest: expect.objectContaining({ title: 'First words', rewardPoints: 10 }),
        communityId: cast.community.id,
        revokedAt: null,
      }),
    ]);
    expect(archive.reputationLedger.map((e: any) => e.reason)).toContain('QUEST_COMPLETED');

    // No secrets, and nothing private of anyone else.
    const [otherRow] = await dbQuery<{ email: string }>(server, 'select email from users where id = ?', [
      dbId(other.user.id),
    ]);
    const [key] = await dbQuery<{ secret_hash: string }>(server, 'select secret_hash from api_keys where user_id = ?', [
      dbId(me.user.id),
    ]);
    expect(text).not.toContain(otherRow.email);
    expect(text).not.toContain(key.secret_hash);
    expect(text).not.toMatch(/password|secret_?hash|token/i);
    expect(text).not.toContain('Their comment'); // the parent is referred to by id, not copied
    expect(text).not.toContain(other.user.handle);
  });

  it('serves a link only to whoever holds it, only while it lasts; other users and anonymous callers see no export', async () => {
    const [alice, bob] = [await signUp(server, 'alice'), await signUp(server, 'bob')];
    const exp = await exportOf(alice);
    // Bob lists none of Alice's, and node(id) hides it from him.
    expect((await ok(LIST, bob)).viewer.dataExports).toEqual({ totalCount: 0, edges: [] });
    expect((await ok(`query($id: ID!) { node(id: $id) { id } }`, bob, { id: exp.id })).node).toBeNull();
    expect((await ok(`query($id: ID!) { node(id: $id) { id } }`, alice, { id: exp.id })).node).toEqual({ id: exp.id });
    const anonymous = await server.gql(REQUEST);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    // Bob's own link opens Bob's archive, never Alice's.
    const bobs = await exportOf(bob);
    const bobArchive = await (await fetchLink(bobs.downloadUrl)).json();
    expect(bobArchive.profile.handle).toBe(bob.user.handle);
    // A made-up token, and a token one character off, are 404.
    const path = new URL(exp.downloadUrl).pathname;
    expect((await fetch(`${server.baseUrl}/exports/${'A'.repeat(43)}`)).status).toBe(404);
    const flipped = path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A');
    expect((await fetch(`${server.baseUrl}${flipped}`)).status).toBe(404);
    expect((await fetchLink(exp.downloadUrl)).status).toBe(200);
    // Expired: the link answers 404 and the list shows no link; the daily job drops the archive.
    await dbQuery(server, `update data_exports set expires_at = now() - interval '1 second' where id = ?`, [
      dbId(exp.id),
    ]);
    expect((await fetchLink(exp.downloadUrl)).status).toBe(404);
    const listed = (await ok(LIST, alice)).viewer.dataExports.edges[0].node;
    expect(listed).toMatchObject({ id: exp.id, downloadUrl: null });
    await dbQuery(server, `select graphile_worker.add_job('privacy.pruneExports')`);
    await jobsSettled(server);
    const [row] = await dbQuery<{ archive: unknown }>(server, 'select archive from data_exports where id = ?', [
      dbId(exp.id),
    ]);
    expect(row.archive).toBeNull();
  });

  it('allows one pending export at a time and DATA_EXPORT_DAILY_LIMIT a day', async () => {
    const carol = await signUp(server, 'carol');
    const first = await ok(REQUEST, carol);
    await jobsSettled(server, 30_000);
    // While one is still being built (its job not run yet: set back to PENDING here, as a busy queue would leave it).
    const firstId = dbId(first.requestDataExport.dataExport.id);
    await dbQuery(server, `update data_exports set status = 'PENDING' where id = ?`, [firstId]);
    expect(errorCode(await server.gql(REQUEST, {}, { token: carol.token }))).toBe('CONFLICT');
    await dbQuery(server, `update data_exports set status = 'READY' where id = ?`, [firstId]);
    expect((await server.gql(REQUEST, {}, { token: carol.token })).body.errors).toBeUndefined();
    await jobsSettled(server, 30_000);
    const third = await server.gql(REQUEST, {}, { token: carol.token });
    expect(errorCode(third)).toBe('RATE_LIMITED');
    expect((await ok(LIST, carol)).viewer.dataExports.totalCount).toBe(2);
  });
});
