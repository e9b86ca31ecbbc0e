/**
 * Quests (issue 18, point 1): defined by admins, counted in the transaction of each action, completed
 * and rewarded once per member and period (a unique key), reversed with the action's content or vote
 * until completed, revoked by moderators through the ledger; statement counts of the hot paths with
 * and without a live quest; many members at once; daily periods across a DST change.
 */
import { periodStart } from '../../src/modules/quests/quests.record';
import { QuestPeriod } from '../../src/modules/quests/quests.entity';
import { addComment, castOf, createPost, dbId, dbQuery, vote, type Cast } from '../posts/operations';
import { closeAll, errorCode, startTestServer, type TestServer, type TestUser } from '../support/server';

jest.setTimeout(120_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

const CREATE = `mutation($input: CreateQuestInput!) { createQuest(input: $input) { id title period active rewardPoints goals { action target tag } } }`;

async function createQuest(cast: Cast, goals: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  const data = await must(cast.owner, CREATE, {
    input: {
      communityId: cast.community.id,
      title: 'Chatty',
      description: 'Talk.',
      period: 'DAILY',
      goals,
      rewardPoints: 20,
      ...extra,
    },
  });
  return data.createQuest;
}

const PROGRESS = `query($slug: String!) { community(slug: $slug) { quests(first: 10) { totalCount nodes { id title
  viewerProgress { periodStart completedAt revoked goals { count reached goal { action target } } } } } } }`;

async function progress(who: TestUser, cast: Cast, questId: string) {
  const data = await must(who, PROGRESS, { slug: cast.community.slug });
  return data.community.quests.nodes.find((q: any) => q.id === questId).viewerProgress;
}

async function reputation(cast: Cast, who: TestUser): Promise<number> {
  const [row] = await dbQuery(server, 'select m.reputation from members m where m.community_id = ? and m.user_id = ?', [
    dbId(cast.community.id),
    dbId(who.user.id),
  ]);
  return row.reputation;
}

describe('quests', () => {
  it('are created by admins only; members read them', async () => {
    const cast = await castOf(server, 1);
    const refused = await server.gql(
      CREATE,
      {
        input: {
          communityId: cast.community.id,
          title: 'x',
          description: '',
          period: 'DAILY',
          goals: [{ action: 'COMMENT', target: 1 }],
          rewardPoints: 1,
        },
      },
      { token: cast.moderator.token },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const quest = await createQuest(cast, [{ action: 'COMMENT', target: 2 }]);
    expect(quest).toMatchObject({
      period: 'DAILY',
      active: true,
      goals: [{ action: 'COMMENT', target: 2, tag: null }],
    });
    const p = await progress(cast.members[0], cast, quest.id);
    expect(p).toMatchObject({ completedAt: null, goals: [{ count: 0, reached: false }] });
    const oneOff = await server.gql(
      CREATE,
      {
        input: {
          communityId: cast.community.id,
          title: 'x',
          description: '',
          period: 'ONE_OFF',
          goals: [{ action: 'COMMENT', target: 1 }],
          rewardPoints: 1,
        },
      },
      { token: cast.owner.token },
    );
    expect(errorCode(oneOff)).toBe('BAD_USER_INPUT');
  });

  it('count comments and upvotes, complete once with the reward, a ledger row and a notification', async () => {
    const cast = await castOf(server, 2);
    const [a, b] = cast.members;
    const post = await createPost(server, cast.owner, cast.community.id, { tags: ['help'] });
    const quest = await createQuest(cast, [
      { action: 'COMMENT', target: 2 },
      { action: 'UPVOTE_RECEIVED', target: 1, tag: 'help' },
    ]);
    const before = await reputation(cast, a);
    const c1 = await addComment(server, a, post.id, 'one');
    await addComment(server, a, post.id, 'two');
    expect((await progress(a, cast, quest.id)).goals.map((g: any) => g.count)).toEqual([2, 0]);
    await vote(server, b, c1.id, 'UP');
    const done = await progress(a, cast, quest.id);
    expect(done.completedAt).not.toBeNull();
    expect(done.goals.map((g: any) => g.reached)).toEqual([true, true]);
    // 5 for the comment upvote, 20 for the quest.
    expect(await reputation(cast, a)).toBe(before + 25);
    // More comments count nothing more: the period is completed once.
    await addComment(server, a, post.id, 'three');
    expect(await reputation(cast, a)).toBe(before + 25);
    const rows = await dbQuery(
      server,
      "select count(*)::int as n from reputation_events where reason = 'QUEST_COMPLETED' and user_id = ?",
      [dbId(a.user.id)],
    );
    expect(rows[0].n).toBe(1);
    // The notification, from its job.
    for (const started = Date.now(); ;) {
      const data = await must(
        a,
        '{ viewer { notifications(first: 10) { nodes { kind questCompletion { quest { id } } } } } }',
      );
      const n = data.viewer.notifications.nodes.find((x: any) => x.kind === 'QUEST_COMPLETED');
      if (n) {
        expect(n.questCompletion.quest.id).toBe(quest.id);
        break;
      }
      if (Date.now() - started > 10_000) throw new Error('no QUEST_COMPLETED notification');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Operators see the count; members do not.
    const count = `query($id: ID!) { node(id: $id) { ... on Quest { completionCount periodCompletionCounts { count } } } }`;
    expect((await must(cast.moderator, count, { id: quest.id })).node).toMatchObject({
      completionCount: 1,
      periodCompletionCounts: [{ count: 1 }],
    });
    expect((await must(b, count, { id: quest.id })).node).toEqual({
      completionCount: null,
      periodCompletionCounts: null,
    });
    // A moderator revokes it: the points are reversed through the ledger, once.
    const REVOKE = `mutation($input: RemoveQuestCompletionInput!) { removeQuestCompletion(input: $input) { revokedAt quest { id } } }`;
    const input = { questId: quest.id, userId: a.user.id, periodStart: done.periodStart };
    expect(errorCode(await server.gql(REVOKE, { input }, { token: b.token }))).toBe('FORBIDDEN');
    expect((await must(cast.moderator, REVOKE, { input })).removeQuestCompletion.revokedAt).not.toBeNull();
    await must(cast.moderator, REVOKE, { input });
    expect(await reputation(cast, a)).toBe(before + 5);
    expect((await progress(a, cast, quest.id)).revoked).toBe(true);
  });

  it('take back progress not completed when the content is deleted or the upvote withdrawn', async () => {
    const cast = await castOf(server, 2);
    const [a, b] = cast.members;
    const post = await createPost(server, a, cast.community.id);
    const quest = await createQuest(cast, [
      { action: 'COMMENT', target: 3 },
      { action: 'UPVOTE_RECEIVED', target: 3 },
    ]);
    const c1 = await addComment(server, a, post.id, 'one');
    await addComment(server, a, post.id, 'two');
    await vote(server, b, post.id, 'UP');
    await vote(server, b, c1.id, 'UP');
    expect((await progress(a, cast, quest.id)).goals.map((g: any) => g.count)).toEqual([2, 2]);
    await vote(server, b, post.id, 'NONE');
    expect((await progress(a, cast, quest.id)).goals.map((g: any) => g.count)).toEqual([2, 1]);
    await must(a, 'mutation($input: RemoveCommentInput!) { removeComment(input: $input) { id } }', {
      input: { id: c1.id },
    });
    expect((await progress(a, cast, quest.id)).goals.map((g: any) => g.count)).toEqual([1, 0]);
  });

  it('cost no statement without a live quest, and one with a matching goal', async () => {
    const cast = await castOf(server, 2);
    const [a, b] = cast.members;
    const post = await createPost(server, cast.owner, cast.community.id);
    const ADD = `mutation($input: AddCommentInput!) { addComment(input: $input) { id } }`;
    const VOTE = `mutation($input: VoteInput!) { vote(input: $input) { __typename } }`;
    const count = async (who: TestUser, q: string, input: Record<string, unknown>) => {
      const res = await server.gql(q, { input }, { token: who.token });
      expect(res.body.errors).toBeUndefined();
      return { n: res.sqlStatements, id: res.body.data?.addComment?.id };
    };
    const plain = await count(a, ADD, { postId: post.id, body: 'x' });
    expect(plain.n).toBe(3);
    expect((await count(b, VOTE, { subjectId: plain.id, value: 'UP' })).n).toBe(7);
    // A quest counting posts only: comments and votes still cost nothing more (after the goals are read once).
    await createQuest(cast, [{ action: 'POST', target: 5 }]);
    await count(a, ADD, { postId: post.id, body: 'warm' });
    const other = await count(a, ADD, { postId: post.id, body: 'y' });
    expect(other.n).toBe(3);
    expect((await count(b, VOTE, { subjectId: other.id, value: 'UP' })).n).toBe(7);
    // A quest counting comments and upvotes: one statement more each.
    await createQuest(cast, [
      { action: 'COMMENT', target: 50 },
      { action: 'UPVOTE_RECEIVED', target: 50 },
    ]);
    await count(a, ADD, { postId: post.id, body: 'warm' });
    const counted = await count(a, ADD, { postId: post.id, body: 'z' });
    expect(counted.n).toBe(4);
    expect((await count(b, VOTE, { subjectId: counted.id, value: 'UP' })).n).toBe(8);
  });

  it('stay exact with many members at once: progress, completions and the ledger agree', async () => {
    const cast = await castOf(server, 30);
    const post = await createPost(server, cast.owner, cast.community.id);
    const quest = await createQuest(cast, [{ action: 'COMMENT', target: 3 }], { rewardPoints: 7 });
    const authorPosts = await Promise.all([0, 1, 2].map(() => createPost(server, cast.members[0], cast.community.id)));
    const upvoteQuest = await createQuest(cast, [{ action: 'UPVOTE_RECEIVED', target: 10 }], { rewardPoints: 11 });
    // 30 members × 4 comments, and 29 members voting up, then some withdrawing, on one author's posts.
    await Promise.all([
      ...cast.members.flatMap((m) => [1, 2, 3, 4].map((i) => addComment(server, m, post.id, `c${i}`))),
      ...cast.members.slice(1).flatMap((m, i) =>
        authorPosts.map(async (p, j) => {
          await vote(server, m, p.id, 'UP');
          if ((i + j) % 3 === 0) await vote(server, m, p.id, 'NONE');
        }),
      ),
    ]);
    const q = dbId(quest.id);
    const [{ n: completions }] = await dbQuery(
      server,
      'select count(*)::int as n from quest_completions where quest_id = ?',
      [q],
    );
    expect(completions).toBe(30);
    const [{ n: ledger }] = await dbQuery(
      server,
      "select count(*)::int as n from reputation_events e join quest_completions c on e.cause = 'quest:' || c.id where c.quest_id = ? and e.delta = 7",
      [q],
    );
    expect(ledger).toBe(30);
    // Progress equals the contributions counted, and the API agrees.
    const mismatched = await dbQuery(
      server,
      `select p.id from quest_progress p where p.quest_id in (?, ?) and p.count <>
         (select count(*) from quest_contributions c where c.goal_id = p.goal_id and c.user_id = p.user_id and c.period_start = p.period_start)`,
      [q, dbId(upvoteQuest.id)],
    );
    expect(mismatched).toEqual([]);
    for (const m of cast.members.slice(0, 5)) {
      const p = await progress(m, cast, quest.id);
      expect(p.goals[0].count).toBe(3);
      expect(p.completedAt).not.toBeNull();
    }
    // The author's upvotes: those in force, unless the quest completed (then it stays completed, once).
    const [{ n: up }] = await dbQuery(
      server,
      `select count(*)::int as n from votes where value > 0 and post_id = any(?::int[])`,
      [`{${authorPosts.map((p) => dbId(p.id)).join(',')}}`],
    );
    const author = await progress(cast.members[0], cast, upvoteQuest.id);
    const [{ n: rewards }] = await dbQuery(
      server,
      "select count(*)::int as n from reputation_events e join quest_completions c on e.cause = 'quest:' || c.id where c.quest_id = ?",
      [dbId(upvoteQuest.id)],
    );
    // More than 10 upvotes stay in force: the quest completed, and rewarded exactly once.
    expect(up).toBeGreaterThanOrEqual(10);
    expect(author.completedAt).not.toBeNull();
    expect(rewards).toBe(1);
  });
});

describe('daily periods', () => {
  it("start at the community's local midnight, across a DST change", () => {
    const zone = 'Europe/Paris';
    // 2026-10-25: clocks go back at 03:00 CEST; local midnight is 22:00Z the day before, then 23:00Z.
    const before = periodStart(QuestPeriod.DAILY, 0, zone, new Date('2026-10-25T21:59:00Z'));
    const after = periodStart(QuestPeriod.DAILY, 0, zone, new Date('2026-10-25T23:01:00Z'));
    expect(before.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(after.toISOString()).toBe('2026-10-25T23:00:00.000Z');
    expect(after.getTime() - before.getTime()).toBe(25 * 3_600_000);
    expect(periodStart(QuestPeriod.DAILY, 0, zone, new Date('2026-10-25T22:59:00Z')).toISOString()).toBe(
      '2026-10-24T22:00:00.000Z',
    );
  });

  it('count an action before local midnight and one after in separate periods (through the API)', async () => {
    const cast = await castOf(server, 1);
    const [a] = cast.members;
    await must(cast.owner, 'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { timeZone } }', {
      input: { id: cast.community.id, timeZone: 'Europe/Paris' },
    });
    const post = await createPost(server, cast.owner, cast.community.id);
    const quest = await createQuest(cast, [{ action: 'COMMENT', target: 2 }], { startsAt: '2026-10-01T00:00:00Z' });
    jest.useFakeTimers({
      now: new Date('2026-10-25T22:58:00Z'),
      doNotFake: [
        'setTimeout',
        'setInterval',
        'setImmediate',
        'clearTimeout',
        'clearInterval',
        'clearImmediate',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    try {
      await addComment(server, a, post.id, 'late');
      const first = await progress(a, cast, quest.id);
      expect(first.periodStart).toBe('2026-10-24T22:00:00.000Z');
      expect(first.goals[0].count).toBe(1);
      jest.setSystemTime(new Date('2026-10-25T23:02:00Z'));
      await addComment(server, a, post.id, 'early');
      const second = await progress(a, cast, quest.id);
      expect(second.periodStart).toBe('2026-10-25T23:00:00.000Z');
      expect(second.goals[0].count).toBe(1);
      expect(second.completedAt).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });
});
