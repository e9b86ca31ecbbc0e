/**
 * `Community.moderationStats(from, to)` through the public API (issue 14): reports by reason and
 * decisions by action (every value listed, zeros included), the median time from an item opening to
 * its decision, appeals filed, decided and reversed with the reversal rate, AutoMod matches by rule
 * (AUTOMOD_MATCH log rows, inserted directly: named by the rule's current name, or by the logged name
 * once the rule is gone), all over the half-open range [from, to) and within the community; a range
 * that excludes everything; moderators only (FORBIDDEN for members, nothing for outsiders of a
 * PRIVATE community); BAD_USER_INPUT for an empty, reversed or too-wide range; one SQL statement.
 */
import { toGlobalId } from '../../src/platform/ids';
import { dbId, dbQuery } from '../posts/operations';
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
    { c, u: u.user.id, r: role },
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
      { c, t: title, b: body },
    )
  ).createPost as { id: string };

const REPORT =
  'mutation($s: ID!, $r: ReportReason!, $n: String) { report(input: { subjectId: $s, reason: $r, note: $n }) { id } }';
const report = async (who: TestUser, subjectId: string, reason: string, note?: string) =>
  (await must(who, REPORT, { s: subjectId, r: reason, n: note })).report as { id: string };

const addRule = async (admin: TestUser, c: string, title: string) =>
  (
    await must(
      admin,
      'mutation($c: ID!, $t: String!) { createCommunityRule(input: { communityId: $c, title: $t, description: "Be kind" }) { id } }',
      { c, t: title },
    )
  ).createCommunityRule as { id: string };

const QUEUE = `query($slug: String!) { community(slug: $slug) { moderationQueue(first: 50) { edges { node {
  id subject { ... on Post { id } }
} } } } }`;

const DECIDE = `mutation($i: ID!, $a: ModerationAction!, $r: ID, $s: String) {
  decide(input: { itemId: $i, action: $a, ruleId: $r, statement: $s }) { id } }`;
const APPEAL = 'mutation($d: ID!, $t: String!) { appeal(input: { decisionId: $d, text: $t }) { id } }';
const DECIDE_APPEAL = `mutation($a: ID!, $o: AppealOutcome!, $s: String!) {
  decideAppeal(input: { appealId: $a, outcome: $o, statement: $s }) { status } }`;

const STATS = `query($s: String!, $f: DateTimeISO!, $t: DateTimeISO!) { community(slug: $s) { moderationStats(from: $f, to: $t) {
  reportsByReason { reason count }
  decisionsByAction { action count }
  medianSecondsToDecision
  appealsFiled appealsDecided appealsReversed reversalRate
  autoModMatches { ruleId ruleName count blocked }
} } }`;

const DAY_MS = 86_400_000;

interface World {
  community: { id: string; slug: string };
  owner: TestUser;
  moderator: TestUser;
  otherModerator: TestUser;
  author: TestUser;
  reporters: TestUser[];
  rule: { id: string };
}

/** A PUBLIC community with two moderators, whose members are all level 2. */
async function world(): Promise<World> {
  const owner = await signUp(server, 'owner');
  const moderator = await signUp(server, 'mod');
  const otherModerator = await signUp(server, 'mod2');
  const author = await signUp(server, 'author');
  const reporters = [await signUp(server, 'rep'), await signUp(server, 'rep')];
  const community = await createCommunity(server, owner, 'PUBLIC');
  for (const u of [moderator, otherModerator, author, ...reporters]) await joinCommunity(server, u, community.id);
  await setRole(owner, community.id, moderator, 'MODERATOR');
  await setRole(owner, community.id, otherModerator, 'MODERATOR');
  await setLevels(owner, community.id, [0, 0, 1000, 2000, 3000]);
  const rule = await addRule(owner, community.id, 'No spam');
  return { community, owner, moderator, otherModerator, author, reporters, rule };
}

/** Decides the open item of `subjectId` as the moderator; the item opened `secondsBefore` the decision. */
async function decide(w: World, subjectId: string, action: string, secondsBefore: number): Promise<string> {
  const queue = await must(w.moderator, QUEUE, { slug: w.community.slug });
  const item = queue.community.moderationQueue.edges.find((e: any) => e.node.subject?.id === subjectId).node;
  const decisionId = (
    await must(w.moderator, DECIDE, {
      i: item.id,
      a: action,
      r: action === 'DISMISS' ? null : w.rule.id,
      s: action === 'DISMISS' ? null : 'Against the rules',
    })
  ).decide.id as string;
  await dbQuery(
    server,
    `update moderation_items i set created_at = d.created_at - make_interval(secs => ?)
       from moderation_decisions d where d.item_id = i.id and d.id = ?`,
    [secondsBefore, dbId(decisionId)],
  );
  return decisionId;
}

/** An AUTOMOD_MATCH row as AutoMod writes it (no actor), at `at` (default now). */
const logMatch = (communityId: number, ruleId: number, ruleName: string, action: string, at?: Date) =>
  dbQuery(
    server,
    `insert into moderation_log (community_id, actor_id, action, statement, details, created_at)
     values (?, null, 'AUTOMOD_MATCH', '', ?::jsonb, coalesce(?::timestamptz, now()))`,
    [
      communityId,
      JSON.stringify({ autoModRuleId: ruleId, ruleName, action, reasons: ['keyword "pills"'] }),
      at ? at.toISOString() : null,
    ],
  );

const stats = (who: TestUser, slug: string, from: Date, to: Date) =>
  server.gql(STATS, { s: slug, f: from.toISOString(), t: to.toISOString() }, { token: who.token });

describe('Community.moderationStats', () => {
  let w: World;
  let from: Date;
  let to: Date;
  let autoModRuleId: number;

  beforeAll(async () => {
    from = new Date(Date.now() - 10 * 60_000);
    w = await world();
    const [reporter, secondReporter] = w.reporters;
    const posts = [];
    for (let i = 1; i <= 5; i++) posts.push(await post(w.author, w.community.id, `Post ${i}`));
    // Reports: SPAM ×2, HARASSMENT, OFF_TOPIC, OTHER; on the fifth post one at `from` (in), one at `to` (out).
    await report(reporter, posts[0].id, 'SPAM');
    await report(secondReporter, posts[0].id, 'SPAM');
    await report(reporter, posts[1].id, 'HARASSMENT');
    await report(reporter, posts[2].id, 'OFF_TOPIC');
    await report(reporter, posts[3].id, 'OTHER', 'An advert');
    const atFrom = await report(secondReporter, posts[4].id, 'OFF_TOPIC');
    const atTo = await report(reporter, posts[4].id, 'ILLEGAL');
    to = new Date(Date.now() + 10 * 60_000);
    await dbQuery(server, 'update reports set created_at = ?::timestamptz where id = ?', [
      from.toISOString(),
      dbId(atFrom.id),
    ]);
    await dbQuery(server, 'update reports set created_at = ?::timestamptz where id = ?', [
      to.toISOString(),
      dbId(atTo.id),
    ]);
    // Decisions 10, 20, 30 and 100 seconds after their items opened: the median is 25.
    await decide(w, posts[0].id, 'DISMISS', 10);
    const removed = await decide(w, posts[1].id, 'REMOVE', 20);
    const warned = await decide(w, posts[2].id, 'WARN', 30);
    const warnedAgain = await decide(w, posts[3].id, 'WARN', 100);
    // Appeals: one reversed by the other moderator, one upheld by the owner, one pending.
    const reversed = (await must(w.author, APPEAL, { d: removed, t: 'Not spam' })).appeal.id;
    const upheld = (await must(w.author, APPEAL, { d: warned, t: 'Unfair' })).appeal.id;
    await must(w.author, APPEAL, { d: warnedAgain, t: 'Please' });
    await must(w.otherModerator, DECIDE_APPEAL, { a: reversed, o: 'REVERSE', s: 'It was on topic' });
    await must(w.owner, DECIDE_APPEAL, { a: upheld, o: 'UPHOLD', s: 'The warning stands' });
    // AutoMod: a rule renamed since its matches were logged, and a rule deleted since (no row).
    const communityId = dbId(w.community.id);
    const [row] = await dbQuery<{ id: number }>(
      server,
      `insert into automod_rules (community_id, position, name, conditions, action, duration_seconds, enabled,
                                  rule_id, created_by_id, created_at, updated_at)
       values (?, 1, 'Links', ?::jsonb, 'BLOCK', null, true, null, ?, now(), now()) returning id`,
      [communityId, JSON.stringify({ keywords: ['pills'] }), dbId(w.owner.user.id)],
    );
    autoModRuleId = row.id;
    const goneRuleId = 2_000_000_000;
    await logMatch(communityId, autoModRuleId, 'Old links', 'BLOCK');
    await logMatch(communityId, autoModRuleId, 'Old links', 'BLOCK');
    await logMatch(communityId, autoModRuleId, 'Old links', 'HOLD');
    await logMatch(communityId, autoModRuleId, 'Old links', 'BLOCK', to); // out of the range
    await logMatch(communityId, goneRuleId, 'Spam words', 'REPORT', from);
    await logMatch(communityId, goneRuleId, 'Deleted rule', 'BLOCK');
    // Another community's match of the same rule id is not counted.
    const elsewhere = await createCommunity(server, w.owner, 'PUBLIC');
    await logMatch(dbId(elsewhere.id), autoModRuleId, 'Links', 'BLOCK');
  });

  it('counts reports, decisions, the median time to decide, appeals and AutoMod matches over [from, to)', async () => {
    const res = await stats(w.moderator, w.community.slug, from, to);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.community.moderationStats).toEqual({
      reportsByReason: [
        { reason: 'SPAM', count: 2 },
        { reason: 'HARASSMENT', count: 1 },
        { reason: 'OFF_TOPIC', count: 2 },
        { reason: 'ILLEGAL', count: 0 },
        { reason: 'OTHER', count: 1 },
      ],
      decisionsByAction: [
        { action: 'DISMISS', count: 1 },
        { action: 'HIDE', count: 0 },
        { action: 'REMOVE', count: 1 },
        { action: 'WARN', count: 2 },
        { action: 'MUTE', count: 0 },
        { action: 'BAN', count: 0 },
      ],
      medianSecondsToDecision: 25,
      appealsFiled: 3,
      appealsDecided: 2,
      appealsReversed: 1,
      reversalRate: 0.5,
      autoModMatches: [
        { ruleId: toGlobalId('AutoModRule', autoModRuleId), ruleName: 'Links', count: 3, blocked: 2 },
        // Named by the latest row logged.
        { ruleId: null, ruleName: 'Deleted rule', count: 2, blocked: 1 },
      ],
    });
  });

  it('runs one SQL statement beyond the access check', async () => {
    // A `to` no other request asked for: executed, not served from the response cache.
    const variables = { s: w.community.slug, f: from.toISOString(), t: new Date(to.getTime() - 1).toISOString() };
    const withStats = await server.gql(STATS, variables, { token: w.moderator.token });
    // The same community and access check, and one statement of its own.
    const withLog = await server.gql(
      'query($s: String!) { community(slug: $s) { moderationLog(first: 1) { pageInfo { hasNextPage } } } }',
      { s: w.community.slug },
      { token: w.moderator.token },
    );
    expect(withStats.body.errors).toBeUndefined();
    expect(withLog.body.errors).toBeUndefined();
    expect(withStats.sqlStatements).toBe(withLog.sqlStatements);
  });

  it('a range that excludes everything gives zeros and nulls', async () => {
    // Everything is at or after `from`: [from - 300 days, from) holds nothing.
    const res = await stats(w.owner, w.community.slug, new Date(from.getTime() - 300 * DAY_MS), from);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.community.moderationStats).toEqual({
      reportsByReason: ['SPAM', 'HARASSMENT', 'OFF_TOPIC', 'ILLEGAL', 'OTHER'].map((reason) => ({ reason, count: 0 })),
      decisionsByAction: ['DISMISS', 'HIDE', 'REMOVE', 'WARN', 'MUTE', 'BAN'].map((action) => ({ action, count: 0 })),
      medianSecondsToDecision: null,
      appealsFiled: 0,
      appealsDecided: 0,
      appealsReversed: 0,
      reversalRate: null,
      autoModMatches: [],
    });
  });

  it('is for moderators: FORBIDDEN for a member, and a PRIVATE community is not there for outsiders', async () => {
    const asMember = await stats(w.reporters[0], w.community.slug, from, to);
    expect(errorCode(asMember)).toBe('FORBIDDEN');
    expect(asMember.body.data?.community?.moderationStats ?? null).toBeNull();
    const hidden = await createCommunity(server, w.owner, 'PRIVATE');
    const asOutsider = await stats(w.reporters[0], hidden.slug, from, to);
    expect(asOutsider.body.errors).toBeUndefined();
    expect(asOutsider.body.data.community).toBeNull();
  });

  it('refuses an empty or reversed range (field `to`) and one over 366 days (field `from`)', async () => {
    const field = (res: { body: { errors?: { extensions?: Record<string, any> }[] } }) =>
      res.body.errors?.[0]?.extensions?.field;
    for (const [f, t] of [
      [to, to],
      [to, from],
    ]) {
      const res = await stats(w.moderator, w.community.slug, f, t);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(field(res)).toBe('to');
    }
    const wide = await stats(w.moderator, w.community.slug, new Date(to.getTime() - 400 * DAY_MS), to);
    expect(errorCode(wide)).toBe('BAD_USER_INPUT');
    expect(field(wide)).toBe('from');
    // 366 days exactly is allowed.
    const year = await stats(w.moderator, w.community.slug, new Date(to.getTime() - 366 * DAY_MS), to);
    expect(year.body.errors).toBeUndefined();
    expect(year.body.data.community.moderationStats.appealsFiled).toBe(3);
  });
});
