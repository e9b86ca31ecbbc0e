/**
 * Notifications (issue 15, point 3, first kinds) through the public API: replies to your post or
 * comment, grouped into one unread notification per post or comment with a count (recounted, so a
 * job run twice counts once), never for your own replies or those of members you blocked; reading
 * them, the unread count; the affected member's notification of a moderation decision and of their
 * appeal's outcome; `notificationAdded(after)` replaying then going live; nobody else reads them.
 */
import { addComment, castOf, createPost, dbId, dbQuery } from '../posts/operations';
import { record } from '../support/subscription';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  // Jobs looked for every 100 ms (the embedded PGlite's notifications do not reach the workers).
  // The poll closer sweeps every second (polls closed by time).
  server = await startTestServer({ JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const NOTIFICATIONS = `{ viewer { unreadNotificationCount notifications(first: 20) { edges { node {
  id kind count read cursor actor { handle } post { title } comment { body } latestComment { body }
  decision { action statement rule { title } } appeal { status statement }
} } } } }`;

/**
 * `who`'s notifications but for badges (which writing a first post earns: see 'badge notifications'),
 * and how many of those are unread; `unreadCount` is the API's count of all unread ones.
 */
async function inbox(who: TestUser) {
  const data = await must(who, NOTIFICATIONS);
  const items = data.viewer.notifications.edges.map((e: any) => e.node).filter((n: any) => n.kind !== 'BADGE_AWARDED');
  return {
    unread: items.filter((n: any) => !n.read).length as number,
    unreadCount: data.viewer.unreadNotificationCount as number,
    items,
  };
}

/** Waits until `who`'s inbox satisfies `check` (the jobs run in the background). */
async function inboxUntil(who: TestUser, check: (box: Awaited<ReturnType<typeof inbox>>) => boolean, what: string) {
  for (const started = Date.now(); ;) {
    const box = await inbox(who);
    if (check(box)) return box;
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(box)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until no notification job is waiting (the jobs enqueued so far have run). */
async function jobsDone() {
  for (const started = Date.now(); ;) {
    const [{ n }] = await dbQuery(
      server,
      "select count(*)::int as n from graphile_worker.jobs where task_identifier like 'notifications.%' and run_at <= now()",
    );
    if (n === 0) return;
    if (Date.now() - started > 10_000) throw new Error('notification jobs still waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reply notifications', () => {
  it('group the replies to one post into one unread notification with a count, and start again once read', async () => {
    const cast = await castOf(server, 3);
    const [author, b, c] = cast.members;
    const post = await createPost(server, author, cast.community.id, { title: 'My post' });
    await addComment(server, author, post.id, 'My own words'); // nobody hears of their own comments
    await addComment(server, b, post.id, 'First!');
    let box = await inboxUntil(author, (x) => x.items[0]?.latestComment?.body === 'First!', 'the first reply');
    expect(box.unread).toBe(1);
    expect(box.items).toEqual([
      expect.objectContaining({
        kind: 'REPLY',
        count: 1,
        read: false,
        actor: { handle: b.user.handle },
        post: { title: 'My post' },
        comment: null,
        latestComment: { body: 'First!' },
      }),
    ]);
    await addComment(server, c, post.id, 'Second');
    box = await inboxUntil(author, (x) => x.items[0]?.count === 2, 'the second reply');
    expect(box.unread).toBe(1);
    expect(box.items).toHaveLength(1);
    expect(box.items[0]).toMatchObject({
      count: 2,
      actor: { handle: c.user.handle },
      latestComment: { body: 'Second' },
    });

    // A job run again (a worker killed after its write) recounts: still 2.
    const [latest] = await dbQuery(server, 'select max(id)::int as id from comments where post_id = ?', [
      dbId(post.id),
    ]);
    await dbQuery(
      server,
      "select graphile_worker.add_job('notifications.reply', json_build_object('commentId', ?::int))",
      [latest.id],
    );
    await jobsDone();
    expect((await inbox(author)).items.map((n: any) => n.count)).toEqual([2]);

    const read = await must(author, 'mutation { markNotificationsRead { unreadNotificationCount } }');
    expect(read.markNotificationsRead.unreadNotificationCount).toBe(0);
    await addComment(server, b, post.id, 'Third');
    box = await inboxUntil(author, (x) => x.unread === 1, 'a new group');
    expect(box.items.map((n: any) => [n.count, n.read])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('tell the author of a comment of the replies to it, not of replies by members they blocked', async () => {
    const cast = await castOf(server, 3);
    const [author, replier, blocked] = cast.members;
    const post = await createPost(server, cast.owner, cast.community.id);
    const mine = await addComment(server, author, post.id, 'My comment');
    // A reply, then its author is blocked (blocked members cannot reply at all): their reply no longer counts.
    await addComment(server, blocked, post.id, 'You are wrong', mine.id);
    await inboxUntil(author, (x) => x.unread === 1, 'the first reply');
    await must(author, 'mutation($u: ID!) { blockUser(userId: $u) }', { u: blocked.user.id });
    await addComment(server, replier, post.id, 'Well said', mine.id);
    const box = await inboxUntil(author, (x) => x.items[0]?.latestComment?.body === 'Well said', 'the second reply');
    expect(box.items).toEqual([
      expect.objectContaining({
        kind: 'REPLY',
        count: 1,
        actor: { handle: replier.user.handle },
        comment: { body: 'My comment' },
        latestComment: { body: 'Well said' },
      }),
    ]);
    await jobsDone();
    expect((await inbox(author)).items).toHaveLength(1);
  });

  it('are read by their recipient only', async () => {
    const cast = await castOf(server, 2);
    const [author, other] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    await addComment(server, other, post.id);
    const box = await inboxUntil(author, (x) => x.unread === 1, 'the reply');
    const theirs = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { notifications(first: 5) { edges { node { id } } } } } }',
      { id: author.user.id },
      { token: other.token },
    );
    expect(errorCode(theirs)).toBe('FORBIDDEN');
    const byId = await must(other, 'query($id: ID!) { node(id: $id) { id } }', { id: box.items[0].id });
    expect(byId.node).toBeNull();
    const anonymous = await server.gql('mutation { markNotificationsRead { id } }', {});
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('notifications of a PRIVATE community', () => {
  it('show nothing of it once their recipient has left', async () => {
    const cast = await castOf(server, 2, 'PRIVATE');
    const [author, other] = cast.members;
    const post = await createPost(server, author, cast.community.id, { title: 'Members only' });
    await addComment(server, other, post.id, 'Secret reply');
    const QUERY = `{ viewer { notifications(first: 5) { edges { node { kind community { slug } post { title } latestComment { body } actor { handle } } } } } }`;
    const reply = async () =>
      (await must(author, QUERY)).viewer.notifications.edges
        .map((e: any) => e.node)
        .find((n: any) => n.kind === 'REPLY');
    await inboxUntil(author, (x) => x.unread === 1, 'the reply');
    expect(await reply()).toMatchObject({
      community: { slug: cast.community.slug },
      post: { title: 'Members only' },
      latestComment: { body: 'Secret reply' },
    });
    await must(author, 'mutation($id: ID!) { leaveCommunity(communityId: $id) }', { id: cast.community.id });
    expect(await reply()).toEqual({
      kind: 'REPLY',
      community: null,
      post: null,
      latestComment: null,
      actor: { handle: other.user.handle },
    });
  });
});

describe('mention notifications', () => {
  it('tell the members a post or comment @mentions outside code, once, unless they blocked its author or cannot read it', async () => {
    const cast = await castOf(server, 4);
    const [author, named, blocker, inCode] = cast.members;
    await must(blocker, 'mutation($u: ID!) { blockUser(userId: $u) }', { u: author.user.id });
    const post = await createPost(server, author, cast.community.id, {
      title: `Hi @${named.user.handle}`,
      body: `Also @${named.user.handle}, @${author.user.handle} and \`@${inCode.user.handle}\`.\n\n\`\`\`\n@${inCode.user.handle}\n\`\`\`\n`,
    });
    const box = await inboxUntil(named, (x) => x.unread === 1, 'the mention');
    expect(box.items).toEqual([
      expect.objectContaining({
        kind: 'MENTION',
        count: 1,
        actor: { handle: author.user.handle },
        post: { title: `Hi @${named.user.handle}` },
        latestComment: null,
      }),
    ]);
    await addComment(server, inCode, post.id, `@${named.user.handle} see above`);
    await inboxUntil(
      named,
      (x) => x.items.some((n: any) => n.latestComment?.body === `@${named.user.handle} see above`),
      'the comment’s mention',
    );
    await jobsDone();
    for (const who of [author, blocker, inCode]) {
      expect((await inbox(who)).items.filter((n: any) => n.kind === 'MENTION')).toEqual([]);
    }

    // Nobody outside a PRIVATE community hears of what is said in it.
    const hidden = await castOf(server, 1, 'PRIVATE');
    const outsider = inCode;
    await createPost(server, hidden.members[0], hidden.community.id, { title: `@${outsider.user.handle} look` });
    await jobsDone();
    expect((await inbox(outsider)).items.filter((n: any) => n.kind === 'MENTION')).toEqual([]);
  });
});

describe('join request notifications', () => {
  it('tell the requester their request was approved or rejected', async () => {
    const owner = await signUp(server, 'owner');
    const community = await createCommunity(server, owner, 'RESTRICTED');
    const [approved, rejected] = [await signUp(server, 'ok'), await signUp(server, 'no')];
    const requests = [];
    for (const who of [approved, rejected]) {
      const joined = await joinCommunity(server, who, community.id);
      expect(joined.outcome).toBe('REQUESTED');
      requests.push(joined.joinRequest!.id);
    }
    await must(owner, 'mutation($id: ID!) { approveJoinRequest(id: $id) { id } }', { id: requests[0] });
    await must(owner, 'mutation($id: ID!) { rejectJoinRequest(id: $id) { status } }', { id: requests[1] });
    const QUERY = `{ viewer { notifications(first: 5) { edges { node { kind community { slug } joinRequest { id status } } } } } }`;
    for (const [who, id, status] of [
      [approved, requests[0], 'APPROVED'],
      [rejected, requests[1], 'REJECTED'],
    ] as const) {
      await inboxUntil(who, (x) => x.unread === 1, `${status} request's notification`);
      expect((await must(who, QUERY)).viewer.notifications.edges.map((e: any) => e.node)).toEqual([
        { kind: 'JOIN_REQUEST_DECIDED', community: { slug: community.slug }, joinRequest: { id, status } },
      ]);
    }
  });
});

describe('badge notifications', () => {
  it('tell a member of each badge they earn, once', async () => {
    const cast = await castOf(server, 1);
    const [writer] = cast.members;
    await createPost(server, writer, cast.community.id);
    await createPost(server, writer, cast.community.id);
    const QUERY = `{ viewer { notifications(first: 5) { edges { node { kind community { slug } badge { badge name } } } } } }`;
    await inboxUntil(writer, (x) => x.unreadCount === 1, 'the badge');
    await jobsDone();
    expect(
      (await must(writer, QUERY)).viewer.notifications.edges
        .map((e: any) => e.node)
        .filter((n: any) => n.kind === 'BADGE_AWARDED'),
    ).toEqual([
      {
        kind: 'BADGE_AWARDED',
        community: { slug: cast.community.slug },
        badge: { badge: 'FIRST_POST', name: 'First post' },
      },
    ]);
  });
});

describe('poll notifications', () => {
  it('tell the voters of a poll that it closed, by hand or by time, once', async () => {
    const cast = await castOf(server, 2);
    const [a, b] = cast.members;
    const ask = async (question: string, closesAt: string | null = null) =>
      (
        await must(
          cast.owner,
          'mutation($c: ID!, $q: String!, $at: DateTimeISO) { createPoll(input: { communityId: $c, question: $q, options: ["Yes", "No"], closesAt: $at }) { id options { id } } }',
          { c: cast.community.id, q: question, at: closesAt },
        )
      ).createPoll;
    const QUERY = `{ viewer { notifications(first: 10) { edges { node { kind poll { question closed } } } } } }`;
    const closed = async (who: TestUser) =>
      (await must(who, QUERY)).viewer.notifications.edges
        .map((e: any) => e.node)
        .filter((n: any) => n.kind === 'POLL_CLOSED');
    const byHand = await ask('By hand?');
    // Closes by time in 2 s, with no request: its scheduled job announces it.
    const byTime = await ask('By time?', new Date(Date.now() + 2000).toISOString());
    for (const poll of [byHand, byTime]) {
      await must(a, 'mutation($p: ID!, $o: [ID!]!) { castVote(input: { pollId: $p, optionIds: $o }) { id } }', {
        p: poll.id,
        o: [poll.options[0].id],
      });
    }
    await must(cast.owner, 'mutation($id: ID!) { closePoll(id: $id) { id } }', { id: byHand.id });
    for (const started = Date.now(); (await closed(a)).length < 2;) {
      if (Date.now() - started > 10_000) throw new Error('the voter was not told of both polls');
      await new Promise((r) => setTimeout(r, 100));
    }
    await jobsDone();
    expect(
      (await closed(a)).map((n: any) => n.poll).sort((x: any, y: any) => x.question.localeCompare(y.question)),
    ).toEqual([
      { question: 'By hand?', closed: true },
      { question: 'By time?', closed: true },
    ]);
    // Who did not vote hears nothing.
    expect(await closed(b)).toEqual([]);
    expect(await closed(cast.owner)).toEqual([]);
  });
});

describe('notificationAdded', () => {
  it('replays what came after the cursor, then goes live', async () => {
    const cast = await castOf(server, 3);
    const [author, b, c] = cast.members;
    const first = await createPost(server, author, cast.community.id, { title: 'One' });
    const second = await createPost(server, author, cast.community.id, { title: 'Two' });
    await addComment(server, b, first.id, 'On one');
    const box = await inboxUntil(author, (x) => x.unread === 1, 'the first reply');
    await addComment(server, b, second.id, 'On two');
    await inboxUntil(author, (x) => x.unread === 2, 'the second reply');
    const live = record<any>(server.ws({ token: author.token }), {
      query:
        'subscription($after: String) { notificationAdded(after: $after) { kind count post { title } latestComment { body } } }',
      variables: { after: box.items[0].cursor },
    });
    const replies = () => live.results.map((r) => r.data.notificationAdded).filter((n: any) => n.kind === 'REPLY');
    await live.until(() => replies().length === 1, 'the replayed notification');
    expect(replies()[0]).toEqual({
      kind: 'REPLY',
      count: 1,
      post: { title: 'Two' },
      latestComment: { body: 'On two' },
    });
    await addComment(server, c, first.id, 'Also on one');
    await live.until(() => replies().length === 2, 'the live notification');
    expect(replies()[1]).toEqual({
      kind: 'REPLY',
      count: 2,
      post: { title: 'One' },
      latestComment: { body: 'Also on one' },
    });
    live.stop();
  });
});

describe('moderation notifications', () => {
  it('tell the affected member of a decision with its rule and statement, and of their appeal’s outcome', async () => {
    const cast = await castOf(server, 2);
    const [author, reporter] = cast.members;
    const post = await createPost(server, author, cast.community.id, { title: 'Spam' });
    const rule = (
      await must(
        cast.owner,
        'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam" }) { id } }',
        { c: cast.community.id },
      )
    ).createCommunityRule.id;
    await must(reporter, 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { id } }', { s: post.id });
    const queue = await must(
      cast.moderator,
      'query($s: String!) { community(slug: $s) { moderationQueue(first: 5) { edges { node { id } } } } }',
      { s: cast.community.slug },
    );
    const itemId = queue.community.moderationQueue.edges[0].node.id;
    const decided = await must(
      cast.moderator,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Please stop posting ads" }) { id } }',
      { i: itemId, r: rule },
    );
    let box = await inboxUntil(
      author,
      (x) => x.items.some((n: any) => n.kind === 'MODERATION_DECISION'),
      'the decision',
    );
    expect(box.items.find((n: any) => n.kind === 'MODERATION_DECISION')).toMatchObject({
      count: 1,
      actor: null,
      decision: { action: 'WARN', statement: 'Please stop posting ads', rule: { title: 'No spam' } },
    });
    const appeal = await must(
      author,
      'mutation($d: ID!) { appeal(input: { decisionId: $d, text: "It was not an ad" }) { id } }',
      {
        d: decided.decide.id,
      },
    );
    await must(
      cast.owner,
      'mutation($a: ID!) { decideAppeal(input: { appealId: $a, outcome: REVERSE, statement: "Agreed" }) { id } }',
      {
        a: appeal.appeal.id,
      },
    );
    box = await inboxUntil(
      author,
      (x) => x.items.some((n: any) => n.kind === 'APPEAL_DECIDED'),
      'the appeal’s outcome',
    );
    expect(box.items.find((n: any) => n.kind === 'APPEAL_DECIDED')).toMatchObject({
      appeal: { status: 'REVERSED', statement: 'Agreed' },
      decision: { action: 'WARN' },
    });
  });
});
