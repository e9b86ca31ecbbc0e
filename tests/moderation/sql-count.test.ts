/**
 * No N+1 in the review queue (issue 14): a page of items with their subject, snapshot, reports and
 * reporters, the member's history, the decision with its rule and appeal, and AutoMod's flag costs
 * the same number of SQL statements for 3 items as for 12.
 */
import {
  closeAll,
  createCommunity,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RESPONSE_CACHE_SECONDS: '0' });
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const QUEUE = `query($s: String!, $first: Int!, $status: ModerationItemStatus!) { community(slug: $s) {
  moderationQueue(first: $first, status: $status) { edges { node {
    id status openWeight snapshot { title body authorHandle }
    subject { ... on Post { id title author { handle } } ... on Comment { id body } ... on Member { id role } }
    subjectUser { handle }
    history { posts comments restrictions reportsReceived }
    reports(first: 5) { edges { node { reason weight reporter { handle } } } }
    decision { action statement rule { title } appeal { status } }
    autoMod { reasons }
  } } } } }`;

describe('SQL statements of the review queue', () => {
  it('are the same for 3 items as for 12, open or decided', async () => {
    const [owner, moderator, a, b] = await Promise.all(['owner', 'mod', 'a', 'b'].map((p) => signUp(server, p)));
    const community = await createCommunity(server, owner);
    for (const u of [moderator, a, b]) await joinCommunity(server, u, community.id);
    await must(
      owner,
      'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
      {
        c: community.id,
        u: moderator.user.id,
      },
    );
    await must(owner, 'mutation($i: ReputationRulesInput!) { updateReputationRules(input: $i) { id } }', {
      i: { communityId: community.id, levelThresholds: [0, 0, 1000] },
    });
    const rule = (
      await must(
        owner,
        'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam" }) { id } }',
        {
          c: community.id,
        },
      )
    ).createCommunityRule.id;
    // Half of the posts are flagged by AutoMod as they are written (REPORT), the owner reports them all.
    await must(owner, 'mutation($i: AutoModRuleInput!) { createAutoModRule(input: $i) { id } }', {
      i: {
        communityId: community.id,
        name: 'Flags',
        conditions: { keywords: ['flagged'] },
        action: 'REPORT',
        enabled: true,
      },
    });
    const items: string[] = [];
    for (let i = 0; i < 24; i++) {
      const author = i % 2 ? a : b;
      const reporter = i % 2 ? b : a;
      const post = await must(
        author,
        'mutation($c: ID!, $t: String!) { createPost(input: { communityId: $c, title: $t, body: "Words" }) { id } }',
        {
          c: community.id,
          t: i % 2 ? `Post ${i}` : `Post ${i} flagged`,
        },
      );
      const reported = await must(
        owner,
        'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { item { id } } }',
        {
          s: post.createPost.id,
        },
      );
      await must(reporter, 'mutation($s: ID!) { report(input: { subjectId: $s, reason: OFF_TOPIC }) { id } }', {
        s: post.createPost.id,
      });
      items.push(reported.report.item.id);
    }
    // Half of them decided, each with an appeal.
    for (const itemId of items.slice(12)) {
      const decided = await must(
        moderator,
        'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Spam" }) { id affectedUser { id } } }',
        {
          i: itemId,
          r: rule,
        },
      );
      const author = decided.decide.affectedUser.id === a.user.id ? a : b;
      await must(author, 'mutation($d: ID!) { appeal(input: { decisionId: $d, text: "No" }) { id } }', {
        d: decided.decide.id,
      });
    }
    const counts: Record<string, number> = {};
    for (const status of ['OPEN', 'DECIDED']) {
      for (const first of [3, 12]) {
        const res = await server.gql(QUEUE, { s: community.slug, first, status }, { token: moderator.token });
        expect(res.body.errors).toBeUndefined();
        const edges = res.body.data.community.moderationQueue.edges;
        expect(edges).toHaveLength(first);
        for (const e of edges) expect(e.node.reports.edges).toHaveLength(2);
        expect(edges.filter((e: any) => e.node.autoMod).length).toBeGreaterThan(0);
        counts[`${status}, first ${first}`] = res.sqlStatements;
      }
    }
    console.log('SQL statements per review-queue page:', counts);
    expect(counts['OPEN, first 3']).toBe(counts['OPEN, first 12']);
    expect(counts['DECIDED, first 3']).toBe(counts['DECIDED, first 12']);
    expect(counts['DECIDED, first 12']).toBeLessThanOrEqual(13);
  });
});

describe('SQL statements AutoMod adds to a comment', () => {
  it('are none without rules, one to compile a changed rule set, and one when a rule reads the author’s recent writes', async () => {
    const [owner, author] = await Promise.all(['owner', 'author'].map((p) => signUp(server, p)));
    const community = await createCommunity(server, owner);
    await joinCommunity(server, author, community.id);
    const post = (
      await must(owner, 'mutation($c: ID!) { createPost(input: { communityId: $c, title: "T", body: "B" }) { id } }', {
        c: community.id,
      })
    ).createPost.id;
    const comment = async () => {
      const res = await server.gql(
        'mutation($p: ID!) { addComment(input: { postId: $p, body: "Hello there" }) { id hidden } }',
        { p: post },
        { token: author.token },
      );
      expect(res.body.errors).toBeUndefined();
      return res.sqlStatements;
    };
    await comment();
    const plain = await comment();
    await must(owner, 'mutation($i: AutoModRuleInput!) { createAutoModRule(input: $i) { id } }', {
      i: {
        communityId: community.id,
        name: 'Words',
        conditions: { keywords: ['casino'] },
        action: 'BLOCK',
        enabled: true,
      },
    });
    const compiling = await comment();
    const textOnly = await comment();
    await must(owner, 'mutation($i: AutoModRuleInput!) { createAutoModRule(input: $i) { id } }', {
      i: {
        communityId: community.id,
        name: 'Pace',
        conditions: { rate: { count: 50, withinSeconds: 60 } },
        action: 'REPORT',
        enabled: true,
      },
    });
    await comment();
    const withAuthor = await comment();
    const counts = { plain, compiling, textOnly, withAuthor };
    console.log('SQL statements per addComment:', counts);
    expect(counts).toEqual({ plain, compiling: plain + 1, textOnly: plain, withAuthor: plain + 1 });
  });
});

describe('SQL statements of a review queue of chat messages, events and polls', () => {
  it('are the same for 3 items as for 12', async () => {
    const [owner, moderator, author] = await Promise.all(['owner', 'mod', 'author'].map((p) => signUp(server, p)));
    const community = await createCommunity(server, owner);
    for (const u of [moderator, author]) await joinCommunity(server, u, community.id);
    await must(
      owner,
      'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
      { c: community.id, u: moderator.user.id },
    );
    await must(owner, 'mutation($i: ReputationRulesInput!) { updateReputationRules(input: $i) { id } }', {
      i: { communityId: community.id, levelThresholds: [0, 0, 0, 1000] },
    });
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const createEvent = async (title: string) =>
      (
        await must(
          author,
          `mutation($c: ID!, $t: String!, $s: DateTimeISO!, $e: DateTimeISO!) { createEvent(input: { communityId: $c,
            kind: LIVE_STREAM, title: $t, description: "D", startsAt: $s, endsAt: $e, timeZone: "UTC" }) { id } }`,
          { c: community.id, t: title, s: startsAt, e: endsAt },
        )
      ).createEvent.id as string;
    const stream = await createEvent('Stream');
    await must(author, 'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }', { id: stream });
    for (let i = 0; i < 12; i++) {
      let subject: string;
      if (i % 3 === 0) {
        subject = (
          await must(
            author,
            'mutation($e: ID!, $b: String!) { sendChatMessage(input: { eventId: $e, body: $b }) { id } }',
            {
              e: stream,
              b: `Message ${i}`,
            },
          )
        ).sendChatMessage.id;
      } else if (i % 3 === 1) {
        subject = await createEvent(`Event ${i}`);
      } else {
        subject = (
          await must(
            author,
            'mutation($c: ID!, $q: String!) { createPoll(input: { communityId: $c, question: $q, options: ["A", "B"] }) { id } }',
            { c: community.id, q: `Poll ${i}` },
          )
        ).createPoll.id;
      }
      await must(moderator, 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { id } }', {
        s: subject,
      });
    }
    const QUEUE_OF_SUBJECTS = `query($s: String!, $first: Int!) { community(slug: $s) { moderationQueue(first: $first) { edges { node {
      id snapshot { title body }
      subject {
        ... on ChatMessage { id body hidden author { handle } event { title } }
        ... on Event { id title description hidden organizer { handle } }
        ... on Poll { id question hidden options { text } createdBy { handle } }
      }
      reports(first: 5) { edges { node { reason reporter { handle } } } }
    } } } } }`;
    const counts: Record<string, number> = {};
    for (const first of [3, 12]) {
      const res = await server.gql(QUEUE_OF_SUBJECTS, { s: community.slug, first }, { token: moderator.token });
      expect(res.body.errors).toBeUndefined();
      const edges = res.body.data.community.moderationQueue.edges;
      expect(edges).toHaveLength(first);
      for (const e of edges) expect(e.node.subject.id).toBeDefined();
      counts[`first ${first}`] = res.sqlStatements;
    }
    console.log('SQL statements per review-queue page of chat messages, events and polls:', counts);
    expect(counts['first 3']).toBe(counts['first 12']);
  });
});
