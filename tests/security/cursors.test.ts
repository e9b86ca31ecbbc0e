/**
 * Forged cursors are BAD_USER_INPUT, never an internal error (issue 12, point 12): cursors are opaque
 * to clients, but an attacker can decode one (base64url of a JSON key) and send it back with huge,
 * negative, fractional, non-numeric or too long parts, or timestamps out of any calendar. Every
 * cursor argument of every connection of the schema (`after`, and `before` where it pages backwards),
 * and every subscription that replays from one, is walked from the schema: a new one without a way to
 * reach it here fails the test.
 */
import { getNamedType, isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { closeAll, grantPlatformAdmin, signUp, startTestServer, type TestServer } from '../support/server';
import { record } from '../support/subscription';
import { CURSOR_ARGUMENT, forgedCursors } from './fuzz-values';
import { FUZZ_ENV, hoursFromNow, World } from './fuzz-world';
import { toGlobalId } from '../../src/platform/ids';
import { dbId, dbQuery } from '../posts/operations';

let server: TestServer;
let world: World;
/** A record of each type that has a connection with a cursor, each with at least one item in it. */
const records = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer(FUZZ_ENV as never);
  world = new World(server);
  await world.setUp();
  const w = world;
  const post = await w.post(w.ada);
  const comment = await w.comment(w.owner, post);
  await w.comment(w.ada, post, comment);
  const poll = await w.poll();
  await w.call('mutation($input: CreatePollInput!) { createPoll(input: $input) { id } }', {
    input: { communityId: w.community.id, question: 'On a post?', options: ['Yes', 'No'], postId: post },
  });
  await w.call(
    'mutation($input: CastVoteInput!) { castVote(input: $input) { id } }',
    { input: { pollId: poll.id, optionIds: [poll.optionIds[0]] } },
    w.ada,
  );
  // A full meetup: Ada holds its only seat, Bob waits.
  const meetup = await w.event({ capacity: 1 });
  for (const u of [w.ada, w.bob])
    await w.call(
      'mutation($input: RsvpInput!) { rsvp(input: $input) { id } }',
      { input: { eventId: meetup, status: 'GOING' } },
      u,
    );
  await w.call('mutation($input: CreatePollInput!) { createPoll(input: $input) { id } }', {
    input: { communityId: w.community.id, question: 'At the meetup?', options: ['Yes', 'No'], eventId: meetup },
  });
  const stream = await w.liveStream();
  await w.chatMessage(stream, w.ada, true);
  const contest = await w.contest();
  await w.entry(contest, w.ada);
  // Ada's member ledger gets a row from an upvote.
  await w.call('mutation($input: VoteInput!) { vote(input: $input) { __typename } }', {
    input: { subjectId: post, value: 'UP' },
  });
  const ada = await w.call(
    'query($slug: String!) { community(slug: $slug) { members(first: 10) { edges { node { id user { id } } } } } }',
    { slug: w.community.slug },
  );
  const adaMember = ada.community.members.edges.find((e: any) => e.node.user.id === w.ada.user.id).node.id;
  // Moderation: a rule (and a log entry), the owner's report of Ada's post (a queue item with a
  // report), and a warning that Bob, made a platform admin (who outranks the owner), gives the
  // owner, who appeals it.
  const rule = await w.rule();
  await w.autoModRule();
  // A member and a tag the owner follows (User.following, User.followedTags).
  await w.call('mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }', { u: w.ada.user.id });
  await w.call('mutation { followTag(input: { tag: "fuzz" }) { tag } }', {});
  // A user the owner blocked (one no other part of this file reads).
  await w.call('mutation($u: ID!) { blockUser(userId: $u) }', { u: (await signUp(server, 'blocked')).user.id });
  const reported = await w.call('mutation($input: ReportInput!) { report(input: $input) { item { id } } }', {
    input: { subjectId: post, reason: 'SPAM' },
  });
  await grantPlatformAdmin(server, w.bob);
  const ownersPost = await w.post(w.owner);
  const aboutOwner = await w.call(
    'mutation($input: ReportInput!) { report(input: $input) { item { id } } }',
    { input: { subjectId: ownersPost, reason: 'OFF_TOPIC' } },
    w.bob,
  );
  const warning = await w.call(
    'mutation($input: DecideInput!) { decide(input: $input) { id } }',
    { input: { itemId: aboutOwner.report.item.id, action: 'WARN', ruleId: rule, statement: 'Off topic' } },
    w.bob,
  );
  await w.call('mutation($input: AppealInput!) { appeal(input: $input) { id } }', {
    input: { decisionId: warning.decide.id, text: 'It was on topic' },
  });
  // A quest (the owner administers the community).
  await w.call('mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }', {
    input: {
      communityId: w.community.id,
      title: 'Daily',
      description: '',
      period: 'DAILY',
      goals: [{ action: 'COMMENT', target: 1 }],
      rewardPoints: 5,
    },
  });
  // The owner's data export (built or not: it is listed either way).
  await w.call('mutation { requestDataExport { dataExport { id } } }', {});
  for (const [type, id] of Object.entries({
    ModerationItem: reported.report.item.id,
    Community: w.community.id,
    Post: post,
    Comment: comment,
    Event: meetup,
    PollOption: poll.optionIds[0],
    Member: adaMember,
    User: w.owner.user.id,
  }))
    records.set(type, id);
  // The community's default channel, which holds its posts.
  const channels = await w.call(
    'query($slug: String!) { community(slug: $slug) { channels(first: 1) { edges { node { id } } } } }',
    {
      slug: w.community.slug,
    },
  );
  records.set('Channel', channels.community.channels.edges[0].node.id);
  records.set('Event:stream', stream);
  records.set('Event:contest', contest);
  records.set('Community:restricted', w.restrictedCommunity.id);
  await w.call('mutation($id: ID!) { createInviteLink(communityId: $id) { token } }', { id: w.community.id });
  // A webhook endpoint (in a community of its own) with a past delivery of an event.
  const delivery = await w.webhookDelivery();
  const [hook] = await dbQuery<{ endpoint_id: number; community_id: number }>(
    server,
    'select d.endpoint_id, e.community_id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id where d.id = ?',
    [dbId(delivery)],
  );
  records.set('Community:webhooks', toGlobalId('Community', hook.community_id));
  RECORD_FOR['Community.webhookEndpoints'] = 'Community:webhooks';
  REQUIRED['Query.webhookDeliveries'] = `endpointId: "${toGlobalId('WebhookEndpoint', hook.endpoint_id)}"`;
  REQUIRED['Query.webhookEvents'] = `communityId: "${toGlobalId('Community', hook.community_id)}"`;
}, 120_000);
afterAll(closeAll);

/** The selection of one item's cursor and the page's cursors. */
const PAGE = '{ edges { cursor } pageInfo { startCursor endCursor } }';

/** Where to find a record whose connection has items, for types that need another than the first of their kind. */
const RECORD_FOR: Record<string, string> = {
  'Event.chatMessages': 'Event:stream',
  'Event.questions': 'Event:stream',
  'Community.joinRequests': 'Community:restricted',
};

/** How to reach a connection on a type that is not a Node, from a Node. */
const THROUGH: Record<string, { type: string; key?: string; path: (inner: string) => string }> = {
  EventOccurrence: { type: 'Event', path: (inner) => `currentOccurrence { ${inner} }` },
  Contest: { type: 'Event', key: 'Event:contest', path: (inner) => `contest { ${inner} }` },
};

/** Arguments a connection needs besides its page. */
const REQUIRED: Record<string, string> = {
  'Community.calendar': `from: "${hoursFromNow(-24)}", to: "${hoursFromNow(24 * 30)}"`,
  // The world's posts are titled 'A fuzzed post'.
  'Query.search': 'query: "fuzzed"',
  // Ranked: the world's posts by Ada are in the owner's FOR_YOU feed.
  'Query.personalFeed': 'mode: FOR_YOU',
};

interface Connection {
  name: string;
  owner: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  cursorArg: string;
}

/** Every cursor argument (`after`, `before`…) of every field of an object type that returns a page (a connection). */
function connections(): Connection[] {
  const found: Connection[] = [];
  for (const type of Object.values(server.app.schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === 'Subscription') continue;
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type);
      if (!isObjectType(returned) || !returned.getFields().edges) continue;
      for (const cursorArg of field.args.filter((a) => CURSOR_ARGUMENT.test(a.name)))
        found.push({ name: `${type.name}.${field.name}`, owner: type, field, cursorArg: cursorArg.name });
    }
  }
  return found;
}

/** An operation reading one page of the connection, with the cursor as `$cursor`: `before` backwards, others forwards where the field can. */
function pageQuery(c: Connection): { query: string; variables: Record<string, unknown> } | null {
  const has = (name: string) => c.field.args.some((a) => a.name === name);
  const size = (c.cursorArg === 'before' || !has('first')) && has('last') ? 'last: 1' : 'first: 1';
  const args = [size, `${c.cursorArg}: $cursor`, REQUIRED[c.name]].filter(Boolean).join(', ');
  const inner = `${c.field.name}(${args}) ${PAGE}`;
  if (c.owner.name === 'Query') return { query: `query($cursor: String) { ${inner} }`, variables: {} };
  const through = THROUGH[c.owner.name];
  const type = through?.type ?? c.owner.name;
  const id = records.get(through?.key ?? RECORD_FOR[c.name] ?? type);
  if (!id) return null;
  const body = through ? through.path(inner) : inner;
  return {
    query: `query($id: ID!, $cursor: String) { node(id: $id) { ... on ${type} { ${body} } } }`,
    variables: { id },
  };
}

/** The connection's page within a response. */
function pageOf(data: any): any {
  let node = data;
  while (node && typeof node === 'object' && !('edges' in node))
    node = Object.values(node).find((v) => v && typeof v === 'object');
  return node;
}

describe('forged cursors', () => {
  it('are BAD_USER_INPUT naming the argument, on every connection of the schema, or a page when they still make sense', async () => {
    const findings: string[] = [];
    const list = connections();
    expect(list.length).toBeGreaterThan(60);
    // Both ways, where a connection pages backwards: its `before` is walked as its `after` is.
    expect(list.filter((c) => c.cursorArg === 'before').length).toBeGreaterThan(30);
    for (const c of list) {
      const request = pageQuery(c);
      if (!request) {
        findings.push(`${c.name}: no record to reach it from (add one in beforeAll)`);
        continue;
      }
      const first = await server.gql(
        request.query,
        { ...request.variables, cursor: null },
        { token: world.owner.token },
      );
      const real = pageOf(first.body.data)?.edges?.[0]?.cursor ?? pageOf(first.body.data)?.pageInfo?.endCursor;
      if (first.body.errors || !real) {
        findings.push(
          `${c.name}(${c.cursorArg}): no real cursor to forge from ${JSON.stringify(first.body.errors ?? first.body.data)}`,
        );
        continue;
      }
      for (const forged of forgedCursors(real)) {
        const res = await server.gql(
          request.query,
          { ...request.variables, cursor: forged.value },
          { token: world.owner.token },
        );
        const error = res.body.errors?.[0];
        if (error && (error.extensions?.code !== 'BAD_USER_INPUT' || error.extensions?.field !== c.cursorArg)) {
          findings.push(
            `${c.name}(${c.cursorArg}) with ${forged.label}: ${error.extensions?.code} (${error.extensions?.field}) ${error.message}`,
          );
        }
      }
    }
    expect(findings).toEqual([]);
  }, 120_000);

  it('are BAD_USER_INPUT in every subscription that replays from a cursor, or a replay when they still make sense', async () => {
    const subscriptions = Object.values(server.app.schema.getSubscriptionType()!.getFields()).filter((f) =>
      f.args.some((a) => CURSOR_ARGUMENT.test(a.name)),
    );
    expect(subscriptions.map((s) => s.name).sort()).toEqual(['chatMessageAdded', 'commentAdded', 'notificationAdded']);
    // `arg`: the subject the subscription follows (none: the viewer's own notifications).
    const targets: Record<string, { arg?: string; id?: string; cursorOf: string; page: string }> = {
      commentAdded: {
        arg: 'postId',
        id: records.get('Post')!,
        cursorOf: `{ node(id: "${records.get('Post')}") { ... on Post { comments(first: 1) ${PAGE} } } }`,
        page: 'comments',
      },
      chatMessageAdded: {
        arg: 'eventId',
        id: records.get('Event:stream')!,
        cursorOf: `{ node(id: "${records.get('Event:stream')}") { ... on Event { chatMessages(last: 1) ${PAGE} } } }`,
        page: 'chatMessages',
      },
      notificationAdded: {
        cursorOf: `{ viewer { notifications(first: 1) ${PAGE} } }`,
        page: 'notifications',
      },
    };
    const findings: string[] = [];
    const client = server.ws({ token: world.owner.token });
    for (const s of subscriptions) {
      const target = targets[s.name];
      const page = pageOf((await server.gql(target.cursorOf, undefined, { token: world.owner.token })).body.data);
      for (const forged of forgedCursors(page.edges[0].cursor)) {
        const r = record(client, {
          query: target.arg
            ? `subscription($id: ID!, $after: String) { ${s.name}(${target.arg}: $id, after: $after) { id } }`
            : `subscription($after: String) { ${s.name}(after: $after) { id } }`,
          variables: target.arg ? { id: target.id, after: forged.value } : { after: forged.value },
        });
        await r.until(
          () => r.failure !== undefined || r.results.length > 0 || r.completed,
          `${s.name} to answer`,
          10_000,
        );
        r.stop();
        const errors = [
          ...(Array.isArray(r.failure) ? r.failure : []),
          ...r.results.flatMap((result) => result.errors ?? []),
        ];
        if (r.failure !== undefined && !errors.length)
          findings.push(`${s.name}(after) with ${forged.label}: the socket failed ${String(r.failure)}`);
        if (
          errors.length &&
          (errors[0].extensions?.code !== 'BAD_USER_INPUT' || errors[0].extensions?.field !== 'after')
        ) {
          findings.push(`${s.name}(after) with ${forged.label}: ${JSON.stringify(r.failure ?? r.results)}`);
        }
      }
    }
    expect(findings).toEqual([]);
  }, 120_000);
});
