/**
 * Issue 14, moderation through the public API: community rules, reports weighed by level and
 * hiding past the community's threshold (exactly once under 50 racing reports), the review queue
 * with its snapshot and history, decisions with rules and statements and their effects (removal
 * reverses reputation; mute and ban restrict), what the affected member and the reporter read,
 * the append-only log, and private communities leaking nothing.
 */
import { dbQuery } from '../posts/operations';
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

afterAll(closeAll);
beforeAll(async () => {
  server = await startTestServer();
});

/** Runs an operation as `who` and fails loudly on errors (set-up steps). */
async function must(who: TestUser | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who?.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const setRole = (owner: TestUser, c: string, u: TestUser, role: string) =>
  must(
    owner,
    'mutation($c: ID!, $u: ID!, $r: Role!) { setMemberRole(input: { communityId: $c, userId: $u, role: $r }) { role } }',
    {
      c,
      u: u.user.id,
      r: role,
    },
  );

/** Level thresholds for the community: `[0, 0, …]` makes every member level 2 (reports weigh 2). */
const setLevels = (owner: TestUser, c: string, levelThresholds: number[]) =>
  must(owner, 'mutation($i: ReputationRulesInput!) { updateReputationRules(input: $i) { id } }', {
    i: { communityId: c, levelThresholds },
  });

const post = async (who: TestUser, c: string, title = 'A post', body = 'Buy cheap pills') =>
  (
    await must(
      who,
      'mutation($c: ID!, $t: String!, $b: String!) { createPost(input: { communityId: $c, title: $t, body: $b }) { id } }',
      {
        c,
        t: title,
        b: body,
      },
    )
  ).createPost as { id: string };

const comment = async (who: TestUser, p: string, body = 'A comment') =>
  (
    await must(who, 'mutation($p: ID!, $b: String!) { addComment(input: { postId: $p, body: $b }) { id } }', {
      p,
      b: body,
    })
  ).addComment as { id: string };

const REPORT =
  'mutation($s: ID!, $r: ReportReason!, $n: String) { report(input: { subjectId: $s, reason: $r, note: $n }) { id status weight } }';
const report = (who: TestUser, subjectId: string, reason = 'SPAM', note?: string) =>
  server.gql(REPORT, { s: subjectId, r: reason, n: note }, { token: who.token });

const addRule = async (admin: TestUser, c: string, title: string) =>
  (
    await must(
      admin,
      'mutation($c: ID!, $t: String!) { createCommunityRule(input: { communityId: $c, title: $t, description: "Be kind" }) { id position title } }',
      {
        c,
        t: title,
      },
    )
  ).createCommunityRule as { id: string; position: number; title: string };

const QUEUE = `query($slug: String!) { community(slug: $slug) { moderationQueue(first: 20) { edges { node {
  id status openWeight reportCount hiddenByReports
  snapshot { title body authorHandle }
  subjectUser { handle }
  history { posts comments restrictions reportsReceived }
  reports(first: 10) { edges { node { reason weight status reporter { handle } } } }
} } } } }`;

const POST_TEXT = 'query($id: ID!) { node(id: $id) { ... on Post { title body hidden } } }';

interface World {
  community: { id: string; slug: string };
  owner: TestUser;
  moderator: TestUser;
  author: TestUser;
  reporters: TestUser[];
  rule: { id: string };
}

/** A PUBLIC community whose members are all level 2 (reports weigh 2; the threshold of 6 takes 3). */
async function world(reporterCount = 3): Promise<World> {
  const owner = await signUp(server, 'owner');
  const moderator = await signUp(server, 'mod');
  const author = await signUp(server, 'author');
  const reporters = await Promise.all(Array.from({ length: reporterCount }, () => signUp(server, 'rep')));
  const community = await createCommunity(server, owner, 'PUBLIC');
  for (const u of [moderator, author, ...reporters]) await joinCommunity(server, u, community.id);
  await setRole(owner, community.id, moderator, 'MODERATOR');
  await setLevels(owner, community.id, [0, 0, 1000, 2000, 3000]);
  const rule = await addRule(owner, community.id, 'No spam');
  return { community, owner, moderator, author, reporters, rule };
}

describe('community rules', () => {
  it('are written by admins, kept in order 1…n, and every edit is logged', async () => {
    const w = await world(1);
    const second = await addRule(w.owner, w.community.id, 'Stay on topic');
    const third = await addRule(w.owner, w.community.id, 'No harassment');
    expect(third.position).toBe(3);
    await must(w.owner, 'mutation($id: ID!) { updateCommunityRule(input: { id: $id, position: 1 }) { position } }', {
      id: third.id,
    });
    await must(w.owner, 'mutation($id: ID!) { deleteCommunityRule(id: $id) }', { id: second.id });
    const list = await must(
      undefined,
      'query($s: String!) { community(slug: $s) { rules(first: 10) { edges { node { title position } } } } }',
      {
        s: w.community.slug,
      },
    );
    expect(list.community.rules.edges.map((e: any) => e.node)).toEqual([
      { title: 'No harassment', position: 1 },
      { title: 'No spam', position: 2 },
    ]);
    const refused = await server.gql(
      'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "Mine" }) { id } }',
      { c: w.community.id },
      { token: w.moderator.token },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const log = await must(
      w.moderator,
      'query($s: String!) { community(slug: $s) { moderationLog(first: 20) { edges { node { action actor { handle } } } } } }',
      {
        s: w.community.slug,
      },
    );
    const actions = log.community.moderationLog.edges.map((e: any) => e.node.action);
    expect(actions.filter((a: string) => a.startsWith('RULE_')).sort()).toEqual([
      'RULE_CREATED',
      'RULE_CREATED',
      'RULE_CREATED',
      'RULE_DELETED',
      'RULE_UPDATED',
    ]);
  });
});

describe('reports', () => {
  it('are gated by level, one open per reporter and subject, with a note for OTHER, never on oneself', async () => {
    const w = await world(1);
    const [reporter] = w.reporters;
    const target = await post(w.author, w.community.id);
    // Level 1 by default thresholds (15 reputation for level 2).
    await setLevels(w.owner, w.community.id, [0, 15, 50]);
    expect(errorCode(await report(reporter, target.id))).toBe('FORBIDDEN');
    await setLevels(w.owner, w.community.id, [0, 0, 1000]);
    const first = await report(reporter, target.id);
    expect(first.body.data.report).toMatchObject({ status: 'OPEN', weight: 2 });
    expect(errorCode(await report(reporter, target.id, 'HARASSMENT'))).toBe('CONFLICT');
    expect(errorCode(await report(w.reporters[0], (await comment(w.author, target.id)).id, 'OTHER'))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await report(w.author, target.id))).toBe('BAD_USER_INPUT');
    // The reporter sees their report; another member cannot fetch it.
    const mine = await must(
      reporter,
      '{ viewerReports(first: 5) { edges { node { id status reason reporter { handle } } } } }',
    );
    expect(mine.viewerReports.edges[0].node).toMatchObject({
      status: 'OPEN',
      reason: 'SPAM',
      reporter: { handle: reporter.user.handle },
    });
    const other = await must(w.author, 'query($id: ID!) { node(id: $id) { id } }', { id: first.body.data.report.id });
    expect(other.node).toBeNull();
  });

  it('hide content past the threshold: readers see the placeholder, its author and moderators the text', async () => {
    const w = await world(3);
    const target = await post(w.author, w.community.id, 'Cheap pills', 'Buy now at pills.example');
    for (const r of w.reporters.slice(0, 2)) expect((await report(r, target.id)).body.errors).toBeUndefined();
    expect((await must(undefined, POST_TEXT, { id: target.id })).node.hidden).toBe(false);
    expect((await report(w.reporters[2], target.id)).body.errors).toBeUndefined(); // 3 × 2 = 6: the threshold
    const anonymous = await must(undefined, POST_TEXT, { id: target.id });
    expect(anonymous.node).toEqual({ title: '[hidden by moderation]', body: '[hidden by moderation]', hidden: true });
    const member = await must(w.reporters[0], POST_TEXT, { id: target.id });
    expect(member.node.body).toBe('[hidden by moderation]');
    for (const who of [w.author, w.moderator]) {
      expect((await must(who, POST_TEXT, { id: target.id })).node).toEqual({
        title: 'Cheap pills',
        body: 'Buy now at pills.example',
        hidden: true,
      });
    }
    // In listings too.
    const feed = await must(
      undefined,
      'query($s: String!) { community(slug: $s) { posts(first: 10) { edges { node { title hidden } } } } }',
      {
        s: w.community.slug,
      },
    );
    expect(feed.community.posts.edges.map((e: any) => e.node)).toContainEqual({
      title: '[hidden by moderation]',
      hidden: true,
    });
  });

  it('racing past the threshold hide the subject exactly once (50 concurrent reports)', async () => {
    const w = await world(50);
    const target = await post(w.author, w.community.id);
    const results = await Promise.all(w.reporters.map((r) => report(r, target.id)));
    expect(results.map((r) => r.body.errors?.[0]?.message ?? null)).toEqual(results.map(() => null));
    const [item] = await dbQuery(
      server,
      'select open_weight, report_count, hidden_by_reports from moderation_items where subject_type = ? and subject_id = ?',
      [
        'POST',
        (
          await dbQuery(
            server,
            'select max(id) as id from posts where author_id = (select id from users where handle = ?)',
            [w.author.user.handle],
          )
        )[0].id,
      ],
    );
    expect(item).toEqual({ open_weight: 100, report_count: 50, hidden_by_reports: true });
    const log = await must(
      w.moderator,
      'query($s: String!) { community(slug: $s) { moderationLog(first: 50, action: SUBJECT_AUTO_HIDDEN) { edges { node { action actor { id } } } } } }',
      {
        s: w.community.slug,
      },
    );
    expect(log.community.moderationLog.edges).toEqual([{ node: { action: 'SUBJECT_AUTO_HIDDEN', actor: null } }]);
  });
});

describe('the review queue and decisions', () => {
  it('shows moderators one item per subject with the content as reported, its reports and the author history', async () => {
    const w = await world(2);
    const target = await post(w.author, w.community.id, 'Original', 'Original words');
    await report(w.reporters[0], target.id, 'SPAM');
    await report(w.reporters[1], target.id, 'OTHER', 'Looks like an ad');
    // An edit after the reports cannot hide what was reported.
    await must(w.author, 'mutation($id: ID!) { updatePost(input: { id: $id, body: "Innocent words" }) { id } }', {
      id: target.id,
    });
    const queue = await must(w.moderator, QUEUE, { slug: w.community.slug });
    const items = queue.community.moderationQueue.edges.map((e: any) => e.node);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      status: 'OPEN',
      openWeight: 4,
      reportCount: 2,
      hiddenByReports: false,
      snapshot: { title: 'Original', body: 'Original words', authorHandle: w.author.user.handle },
      subjectUser: { handle: w.author.user.handle },
      history: { posts: 1, comments: 0, restrictions: 0, reportsReceived: 2 },
    });
    expect(items[0].reports.edges.map((e: any) => e.node.reason)).toEqual(['SPAM', 'OTHER']);
    // Members read no queue.
    const asMember = await server.gql(QUEUE, { slug: w.community.slug }, { token: w.reporters[0].token });
    expect(errorCode(asMember)).toBe('FORBIDDEN');
  });

  it('REMOVE deletes the content with its reputation, tells the author why, and closes the reports as UPHELD', async () => {
    const w = await world(1);
    const target = await post(w.author, w.community.id);
    const reputation = async () =>
      (
        await must(w.author, 'query($s: String!) { community(slug: $s) { viewerMember { reputation } } }', {
          s: w.community.slug,
        })
      ).community.viewerMember.reputation;
    const before = await reputation();
    await must(w.reporters[0], 'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }', {
      id: target.id,
    });
    expect(await reputation()).toBeGreaterThan(before);
    await report(w.reporters[0], target.id);
    const queue = await must(w.moderator, QUEUE, { slug: w.community.slug });
    const itemId = queue.community.moderationQueue.edges[0].node.id;
    const DECIDE = `mutation($i: ID!, $a: ModerationAction!, $r: ID, $s: String) {
      decide(input: { itemId: $i, action: $a, ruleId: $r, statement: $s }) { action statement rule { title } } }`;
    expect(
      errorCode(await server.gql(DECIDE, { i: itemId, a: 'REMOVE', s: 'Spam' }, { token: w.moderator.token })),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await server.gql(DECIDE, { i: itemId, a: 'REMOVE', r: w.rule.id }, { token: w.moderator.token })),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await server.gql(DECIDE, { i: itemId, a: 'REMOVE', r: w.rule.id, s: 'x' }, { token: w.reporters[0].token }),
      ),
    ).toBe('FORBIDDEN');
    const decided = await must(w.moderator, DECIDE, { i: itemId, a: 'REMOVE', r: w.rule.id, s: 'An advert for pills' });
    expect(decided.decide).toEqual({ action: 'REMOVE', statement: 'An advert for pills', rule: { title: 'No spam' } });
    expect(await reputation()).toBe(before);
    expect(
      (await must(undefined, 'query($id: ID!) { node(id: $id) { ... on Post { deletedAt body } } }', { id: target.id }))
        .node.body,
    ).toBe('[deleted]');
    expect(errorCode(await server.gql(DECIDE, { i: itemId, a: 'DISMISS' }, { token: w.moderator.token }))).toBe(
      'CONFLICT',
    );
    const actions = await must(
      w.author,
      '{ viewerModerationActions(first: 5) { edges { node { action statement rule { title } moderator { id } content { body } } } } }',
    );
    expect(actions.viewerModerationActions.edges[0].node).toEqual({
      action: 'REMOVE',
      statement: 'An advert for pills',
      rule: { title: 'No spam' },
      moderator: null,
      content: { body: 'Buy cheap pills' },
    });
    const reports = await must(w.reporters[0], '{ viewerReports(first: 5) { edges { node { status } } } }');
    expect(reports.viewerReports.edges[0].node.status).toBe('UPHELD');
  });

  it('DISMISS shows the hidden content again; a moderator cannot decide about themselves', async () => {
    const w = await world(3);
    const target = await post(w.author, w.community.id);
    for (const r of w.reporters) await report(r, target.id);
    expect((await must(undefined, POST_TEXT, { id: target.id })).node.hidden).toBe(true);
    const itemId = (await must(w.moderator, QUEUE, { slug: w.community.slug })).community.moderationQueue.edges[0].node
      .id;
    await must(w.moderator, 'mutation($i: ID!) { decide(input: { itemId: $i, action: DISMISS }) { action } }', {
      i: itemId,
    });
    expect((await must(undefined, POST_TEXT, { id: target.id })).node).toEqual({
      title: 'A post',
      body: 'Buy cheap pills',
      hidden: false,
    });
    const own = await post(w.moderator, w.community.id);
    await report(w.reporters[0], own.id);
    const ownItem = (await must(w.moderator, QUEUE, { slug: w.community.slug })).community.moderationQueue.edges[0].node
      .id;
    const res = await server.gql(
      'mutation($i: ID!) { decide(input: { itemId: $i, action: DISMISS }) { action } }',
      { i: ownItem },
      { token: w.moderator.token },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it('MUTE stops the member speaking until it ends; BAN removes them', async () => {
    const w = await world(1);
    const target = await post(w.author, w.community.id);
    const members = await must(
      w.owner,
      'query($s: String!) { community(slug: $s) { members(first: 20) { edges { node { id user { handle } } } } } }',
      {
        s: w.community.slug,
      },
    );
    const authorMember = members.community.members.edges.find((e: any) => e.node.user.handle === w.author.user.handle)
      .node.id;
    await report(w.reporters[0], authorMember, 'HARASSMENT');
    const itemId = (await must(w.moderator, QUEUE, { slug: w.community.slug })).community.moderationQueue.edges[0].node
      .id;
    const hide = await server.gql(
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: HIDE, ruleId: $r, statement: "x" }) { action } }',
      { i: itemId, r: w.rule.id },
      { token: w.moderator.token },
    );
    expect(errorCode(hide)).toBe('BAD_USER_INPUT');
    await must(
      w.moderator,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: MUTE, ruleId: $r, statement: "Cool off", durationSeconds: 3600 }) { endsAt } }',
      {
        i: itemId,
        r: w.rule.id,
      },
    );
    const muted = await server.gql(
      'mutation($p: ID!) { addComment(input: { postId: $p, body: "still here" }) { id } }',
      { p: target.id },
      { token: w.author.token },
    );
    expect(errorCode(muted)).toBe('FORBIDDEN');
    expect(muted.body.errors?.[0].message).toMatch(/muted/);
    expect((await comment(w.reporters[0], target.id)).id).toBeTruthy();
    // A second item on the same member: banned.
    await report(w.reporters[0], target.id);
    const postItem = (await must(w.moderator, QUEUE, { slug: w.community.slug })).community.moderationQueue.edges[0]
      .node.id;
    await must(
      w.moderator,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: BAN, ruleId: $r, statement: "Repeated spam" }) { action } }',
      {
        i: postItem,
        r: w.rule.id,
      },
    );
    const join = await server.gql(
      'mutation($c: ID!) { joinCommunity(communityId: $c) { outcome } }',
      { c: w.community.id },
      { token: w.author.token },
    );
    expect(errorCode(join)).toBe('FORBIDDEN');
    const log = await must(
      w.owner,
      'query($s: String!) { community(slug: $s) { moderationLog(first: 20) { edges { node { action statement } } } } }',
      {
        s: w.community.slug,
      },
    );
    expect(log.community.moderationLog.edges.map((e: any) => e.node.action).slice(0, 3)).toEqual([
      'DECISION',
      'MEMBER_BANNED',
      'DECISION',
    ]);
  });
});

describe('the moderation log', () => {
  it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const w = await world(1);
    await addRule(w.owner, w.community.id, 'Another');
    await expect(dbQuery(server, "update moderation_log set statement = 'rewritten'")).rejects.toThrow(/append-only/);
    await expect(dbQuery(server, 'delete from moderation_log')).rejects.toThrow(/append-only/);
    await expect(dbQuery(server, 'truncate moderation_log')).rejects.toThrow(/append-only/);
  });
});

describe('private communities', () => {
  it('leak nothing through reports, the queue or node(id)', async () => {
    const owner = await signUp(server, 'owner');
    const outsider = await signUp(server, 'out');
    const community = await createCommunity(server, owner, 'PRIVATE');
    const target = await post(owner, community.id);
    expect(errorCode(await report(outsider, target.id))).toBe('NOT_FOUND');
    const queue = await server.gql(QUEUE, { slug: community.slug }, { token: outsider.token });
    expect(queue.body.data?.community ?? null).toBeNull();
    const [row] = await dbQuery(
      server,
      'select count(*)::int as n from moderation_items i join communities c on c.id = i.community_id where c.slug = ?',
      [community.slug],
    );
    expect(row.n).toBe(0);
  });
});

describe('appeals', () => {
  const DECIDE = `mutation($i: ID!, $a: ModerationAction!, $r: ID, $s: String) {
    decide(input: { itemId: $i, action: $a, ruleId: $r, statement: $s }) { id } }`;
  const APPEAL = 'mutation($d: ID!, $t: String!) { appeal(input: { decisionId: $d, text: $t }) { id status } }';
  const DECIDE_APPEAL = `mutation($a: ID!, $o: AppealOutcome!, $s: String!) {
    decideAppeal(input: { appealId: $a, outcome: $o, statement: $s }) { status statement decision { reversedAt } } }`;

  /** The open item of `subjectId`, reported by the first reporter, decided by the moderator. */
  async function decided(w: World, subjectId: string, action: string) {
    await report(w.reporters[0], subjectId);
    const queue = await must(w.moderator, QUEUE, { slug: w.community.slug });
    const itemId = queue.community.moderationQueue.edges.at(-1).node.id;
    return (await must(w.moderator, DECIDE, { i: itemId, a: action, r: w.rule.id, s: 'Against the rules' })).decide
      .id as string;
  }

  /** What a reversal must give back: the post as readers see it, the author's standing, the community's counts. */
  async function state(w: World, postId: string) {
    const data = await must(
      w.author,
      `query($id: ID!, $s: String!) {
        node(id: $id) { ... on Post { title body score commentCount hidden deletedAt pinned } }
        community(slug: $s) { memberCount viewerMember { role reputation } }
      }`,
      { id: postId, s: w.community.slug },
    );
    return data;
  }

  it('are decided by another moderator only: the service refuses, and so does the database', async () => {
    const w = await world(1);
    const target = await post(w.author, w.community.id);
    const decisionId = await decided(w, target.id, 'WARN');
    const filed = (await must(w.author, APPEAL, { d: decisionId, t: 'It was a joke' })).appeal;
    expect(filed.status).toBe('PENDING');
    expect(errorCode(await server.gql(APPEAL, { d: decisionId, t: 'Again' }, { token: w.author.token }))).toBe(
      'CONFLICT',
    );
    const notMine = await server.gql(APPEAL, { d: decisionId, t: 'Me too' }, { token: w.reporters[0].token });
    expect(errorCode(notMine)).toBe('NOT_FOUND');
    const bySame = await server.gql(
      DECIDE_APPEAL,
      { a: filed.id, o: 'UPHOLD', s: 'I stand by it' },
      { token: w.moderator.token },
    );
    expect(errorCode(bySame)).toBe('FORBIDDEN');
    // The database itself refuses the same moderator, whatever a writer sends.
    await expect(
      dbQuery(
        server,
        `update moderation_appeals set status = 'UPHELD', decided_by_id = decision_moderator_id, decision_moderator_id = 0
          where id = (select max(id) from moderation_appeals)`,
      ),
    ).rejects.toThrow(/moderation_appeals_other_moderator_check/);
    const upheld = await must(w.owner, DECIDE_APPEAL, { a: filed.id, o: 'UPHOLD', s: 'The warning stands' });
    expect(upheld.decideAppeal).toEqual({
      status: 'UPHELD',
      statement: 'The warning stands',
      decision: { reversedAt: null },
    });
  });

  it('reversing a removal gives back the post, its counts and its reputation, which later votes still move', async () => {
    const w = await world(1);
    const target = await post(w.author, w.community.id, 'Mine', 'My words');
    await comment(w.reporters[0], target.id);
    await must(w.reporters[0], 'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }', {
      id: target.id,
    });
    const before = await state(w, target.id);
    const decisionId = await decided(w, target.id, 'REMOVE');
    const removed = await state(w, target.id);
    expect(removed.node.deletedAt).not.toBeNull();
    expect(removed.community.viewerMember.reputation).toBeLessThan(before.community.viewerMember.reputation);
    const filed = (await must(w.author, APPEAL, { d: decisionId, t: 'Not spam' })).appeal;
    await must(w.owner, DECIDE_APPEAL, { a: filed.id, o: 'REVERSE', s: 'It was on topic' });
    expect(await state(w, target.id)).toEqual(before);
    // The restored award is in force again: withdrawing the vote takes it back.
    await must(w.reporters[0], 'mutation($id: ID!) { vote(input: { subjectId: $id, value: NONE }) { __typename } }', {
      id: target.id,
    });
    expect((await state(w, target.id)).community.viewerMember.reputation).toBe(
      removed.community.viewerMember.reputation,
    );
  });

  it('a banned member appeals their ban; reversing it makes them a member again as they were', async () => {
    const w = await world(1);
    const target = await post(w.author, w.community.id);
    await must(w.reporters[0], 'mutation($id: ID!) { vote(input: { subjectId: $id, value: UP }) { __typename } }', {
      id: target.id,
    });
    const before = await state(w, target.id);
    const decisionId = await decided(w, target.id, 'BAN');
    expect((await state(w, target.id)).community.viewerMember).toBeNull();
    const filed = (await must(w.author, APPEAL, { d: decisionId, t: 'Please' })).appeal;
    const reversed = await must(w.owner, DECIDE_APPEAL, { a: filed.id, o: 'REVERSE', s: 'Too harsh' });
    expect(reversed.decideAppeal.decision.reversedAt).not.toBeNull();
    expect(await state(w, target.id)).toEqual(before);
    const log = await must(
      w.moderator,
      'query($s: String!) { community(slug: $s) { moderationLog(first: 1) { edges { node { action details } } } } }',
      {
        s: w.community.slug,
      },
    );
    expect(log.community.moderationLog.edges[0].node).toMatchObject({
      action: 'APPEAL_DECIDED',
      details: { outcome: 'REVERSE', action: 'BAN' },
    });
  });
});
