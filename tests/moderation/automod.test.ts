/**
 * AutoMod through the public API (issue 14): rules as data, validated; screening on write (BLOCK
 * refuses and logs, HOLD hides and queues, REPORT queues, MUTE queues and mutes), moderators
 * exempt, edits screened like new writes, and a dry run that says exactly what the live rule does
 * to the same content.
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
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

interface Place {
  community: { id: string; slug: string };
  owner: TestUser;
  moderator: TestUser;
  author: TestUser;
  postId: string;
}

async function place(): Promise<Place> {
  const [owner, moderator, author] = await Promise.all(['owner', 'mod', 'author'].map((p) => signUp(server, p)));
  const community = await createCommunity(server, owner);
  for (const u of [moderator, author]) await joinCommunity(server, u, community.id);
  await must(
    owner,
    'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
    { c: community.id, u: moderator.user.id },
  );
  const post = await must(
    owner,
    'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Welcome", body: "Say hello" }) { id } }',
    { c: community.id },
  );
  return { community, owner, moderator, author, postId: post.createPost.id };
}

const CREATE_RULE = `mutation($i: AutoModRuleInput!) { createAutoModRule(input: $i) { id name action enabled
  conditions { keywords linkDomains rate { count withinSeconds } } } }`;

const rule = async (p: Place, input: Record<string, unknown>) =>
  (await must(p.owner, CREATE_RULE, { i: { communityId: p.community.id, ...input } })).createAutoModRule;

const ADD_COMMENT = 'mutation($p: ID!, $b: String!) { addComment(input: { postId: $p, body: $b }) { id body hidden } }';
const comment = (p: Place, who: TestUser, body: string) =>
  server.gql(ADD_COMMENT, { p: p.postId, b: body }, { token: who.token });

const QUEUE = `query($s: String!) { community(slug: $s) { moderationQueue(first: 100) { edges { node {
  subject { ... on Comment { id } ... on Post { id } } hiddenByReports reportCount autoMod { rule { name } reasons } } } } } }`;

async function queue(p: Place) {
  const data = await must(p.moderator, QUEUE, { s: p.community.slug });
  return data.community.moderationQueue.edges.map((e: any) => e.node);
}

describe('AutoMod rules', () => {
  it('are written by admins, validated with the field at fault, and read by moderators', async () => {
    const p = await place();
    const created = await rule(p, { name: 'Spam words', conditions: { keywords: ['Buy NOW'] }, action: 'HOLD' });
    expect(created).toMatchObject({
      name: 'Spam words',
      action: 'HOLD',
      enabled: false,
      conditions: { keywords: ['buy now'] },
    });
    const refused = await server.gql(
      CREATE_RULE,
      { i: { communityId: p.community.id, name: 'Mine', conditions: { keywords: ['x'] }, action: 'BLOCK' } },
      { token: p.moderator.token },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const bad = await server.gql(
      CREATE_RULE,
      { i: { communityId: p.community.id, name: 'Bad', conditions: { patterns: ['(unclosed'] }, action: 'BLOCK' } },
      { token: p.owner.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0].extensions?.field).toBe('conditions.patterns[0]');
    const mute = await server.gql(
      CREATE_RULE,
      { i: { communityId: p.community.id, name: 'Mute', conditions: { maxMentions: 3 }, action: 'MUTE' } },
      { token: p.owner.token },
    );
    expect(errorCode(mute)).toBe('BAD_USER_INPUT');
    const list = await must(
      p.moderator,
      'query($s: String!) { community(slug: $s) { autoModRules(first: 10) { edges { node { name } } } } }',
      {
        s: p.community.slug,
      },
    );
    expect(list.community.autoModRules.edges).toEqual([{ node: { name: 'Spam words' } }]);
  });
});

describe('screening writes', () => {
  it('BLOCK refuses the write naming the rule, writes nothing of it, and logs the match', async () => {
    const p = await place();
    await rule(p, {
      name: 'No spam links',
      conditions: { linkDomains: ['spam.example'] },
      action: 'BLOCK',
      enabled: true,
    });
    const before = await dbQuery(server, 'select count(*)::int as n from comments');
    const res = await comment(p, p.author, 'Visit https://shop.spam.example/deal');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.body.errors?.[0].message).toMatch(/No spam links/);
    expect(await dbQuery(server, 'select count(*)::int as n from comments')).toEqual(before);
    expect((await comment(p, p.author, 'Visit https://notspam.example/deal')).body.errors).toBeUndefined();
    // Moderators write past AutoMod.
    expect((await comment(p, p.moderator, 'See https://spam.example')).body.errors).toBeUndefined();
    const log = await must(
      p.moderator,
      'query($s: String!) { community(slug: $s) { moderationLog(first: 5, action: AUTOMOD_MATCH) { edges { node { details } } } } }',
      {
        s: p.community.slug,
      },
    );
    expect(log.community.moderationLog.edges).toHaveLength(1);
    expect(log.community.moderationLog.edges[0].node.details).toMatchObject({
      ruleName: 'No spam links',
      action: 'BLOCK',
    });
  });

  it('HOLD takes the write hidden into the queue; REPORT takes it visible; edits are screened too', async () => {
    const p = await place();
    await rule(p, { name: 'Hold pills', conditions: { keywords: ['pills'] }, action: 'HOLD', enabled: true });
    await rule(p, { name: 'Report casino', conditions: { keywords: ['casino'] }, action: 'REPORT', enabled: true });
    const held = (await comment(p, p.author, 'Cheap pills here')).body.data.addComment;
    expect(held).toMatchObject({ body: 'Cheap pills here', hidden: true }); // its author reads it
    const anonymous = await server.gql('query($id: ID!) { node(id: $id) { ... on Comment { body hidden } } }', {
      id: held.id,
    });
    expect(anonymous.body.data.node).toEqual({ body: '[hidden by moderation]', hidden: true });
    const reported = (await comment(p, p.author, 'Best casino in town')).body.data.addComment;
    expect(reported.hidden).toBe(false);
    const edited = (await comment(p, p.author, 'Nice post')).body.data.addComment;
    await must(p.author, 'mutation($id: ID!) { updateComment(input: { id: $id, body: "Now with pills" }) { id } }', {
      id: edited.id,
    });
    const items = await queue(p);
    const byId = new Map(items.map((i: any) => [i.subject.id, i]));
    expect(byId.get(held.id)).toMatchObject({
      hiddenByReports: true,
      reportCount: 0,
      autoMod: { rule: { name: 'Hold pills' }, reasons: ['keyword "pills"'] },
    });
    expect(byId.get(reported.id)).toMatchObject({
      hiddenByReports: false,
      autoMod: { rule: { name: 'Report casino' } },
    });
    expect(byId.get(edited.id)).toMatchObject({ hiddenByReports: true });
  });

  it('MUTE queues the write and mutes its author for the rule’s duration', async () => {
    const p = await place();
    await rule(p, {
      name: 'Slow down',
      conditions: { rate: { count: 2, withinSeconds: 60 } },
      action: 'MUTE',
      durationSeconds: 600,
      enabled: true,
    });
    for (const body of ['one', 'two']) expect((await comment(p, p.author, body)).body.errors).toBeUndefined();
    expect((await comment(p, p.author, 'three')).body.errors).toBeUndefined(); // matched: written, then muted
    const fourth = await comment(p, p.author, 'four');
    expect(errorCode(fourth)).toBe('FORBIDDEN');
    expect(fourth.body.errors?.[0].message).toMatch(/muted/);
  });
});

describe('a dry run', () => {
  it('matches exactly the writes the enabled rule then holds, for the same authors and texts', async () => {
    const p = await place();
    const other = await signUp(server, 'other');
    await joinCommunity(server, other, p.community.id);
    const texts: [TestUser, string][] = [
      [p.author, 'Buy now, cheap watches'],
      [other, 'Hello everyone'],
      [p.author, 'BUY NOW!!! https://deals.example'],
      [other, 'Where do I buy nowadays?'],
      [p.author, 'I will buy, now and then'],
    ];
    const created = await rule(p, {
      name: 'Sales talk',
      conditions: { keywords: ['buy now'], subjects: ['COMMENT'] },
      action: 'HOLD',
    });
    const first: string[] = [];
    for (const [who, body] of texts) first.push((await comment(p, who, body)).body.data.addComment.id);
    const dry = await must(
      p.moderator,
      'query($r: ID!) { dryRunAutoModRule(ruleId: $r, last: 50) { examined matches { subject { ... on Comment { id body } } reasons } } }',
      {
        r: created.id,
      },
    );
    const dryMatched = new Set(dry.dryRunAutoModRule.matches.map((m: any) => m.subject.id));
    const expectedByText = first.map((id) => dryMatched.has(id));
    expect(expectedByText).toEqual([true, false, true, false, false]);
    expect(dry.dryRunAutoModRule.examined).toBe(texts.length + 1); // and the welcome post
    await must(p.owner, 'mutation($i: UpdateAutoModRuleInput!) { updateAutoModRule(input: $i) { enabled } }', {
      i: { id: created.id, enabled: true },
    });
    const live: boolean[] = [];
    for (const [who, body] of texts) live.push((await comment(p, who, body)).body.data.addComment.hidden);
    expect(live).toEqual(expectedByText);
  });
});
