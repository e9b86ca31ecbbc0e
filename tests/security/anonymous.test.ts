/**
 * Issue 12, point 4: every mutation of the schema but a short allow-list answers UNAUTHENTICATED to
 * an anonymous caller, and writes nothing. The test walks the built schema and calls each mutation
 * with arguments generated from its input types: valid-looking values (ids of the right type taken
 * from real records, strings, the first value of enums, small ints, dates to come), so that the call
 * would reach its resolver if nothing stopped it before. The server also refuses such operations as a
 * whole before they run (`assertAnonymousMayRun`), on HTTP and WebSocket alike.
 */
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
} from 'graphql';
import { toGlobalId } from '../../src/platform/ids';
import { dbId, dbQuery } from '../posts/operations';
import { createEvent, hoursFromNow } from '../events/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  openPrivileges,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { communityKey, communityState, pendingJoinRequest } from './community-state';

/** The only mutations an anonymous caller may run (the emailed tokens, and the reset request, prove or ask for nothing more). */
const OPEN_TO_ANONYMOUS = [
  'signUp',
  'signIn',
  'verifyEmailAddress',
  'sendPasswordResetEmail',
  'completePasswordReset',
  // Deprecated, the same as the three above.
  'verifyEmail',
  'requestPasswordReset',
  'resetPassword',
];

/**
 * The node type an `id` argument names, for mutations whose return type does not say it (the
 * others name what they return). A new mutation with such an `id` fails the test until it is here.
 */
const ID_OF: Record<string, string> = {
  deleteChatMessage: 'ChatMessage',
  removeChatMessage: 'ChatMessage',
  approveJoinRequest: 'JoinRequest',
  acceptJoinRequest: 'JoinRequest',
  deleteCommunityRule: 'CommunityRule',
  deleteAutoModRule: 'AutoModRule',
  removeCommunityRule: 'CommunityRule',
  removeAutoModRule: 'AutoModRule',
  deleteWebhookEndpoint: 'WebhookEndpoint',
  rotateWebhookSecret: 'WebhookEndpoint',
  removeWebhookEndpoint: 'WebhookEndpoint',
  rotateWebhookEndpointSecret: 'WebhookEndpoint',
  removeChannel: 'Channel',
  updateQuest: 'Quest',
  closeQuest: 'Quest',
};

/** The node type other id arguments and fields name, by their name. */
const ID_NAMED: Record<string, string> = {
  communityId: 'Community',
  postId: 'Post',
  parentId: 'Comment',
  eventId: 'Event',
  userId: 'User',
  pollId: 'Poll',
  optionIds: 'PollOption',
  entryId: 'ContestEntry',
  subjectId: 'Post',
  itemId: 'ModerationItem',
  ruleId: 'CommunityRule',
  decisionId: 'ModerationDecision',
  appealId: 'Appeal',
  deliveryId: 'WebhookDelivery',
  channelId: 'Channel',
  // A person's id: the anonymous call is refused before anyone looks whether it names a bot.
  botId: 'User',
  questId: 'Quest',
};
// (AutoModRuleInput's `ruleId` names a CommunityRule, as DecideInput's does.)

/** Plausible strings by argument name (a valid slug, e-mail, emoji…); anything else gets ordinary words. */
const STRINGS: Record<string, string> = {
  slug: 'anonymous-attempt',
  email: 'anonymous@example.test',
  handle: 'anonymous',
  password: 'correct horse battery staple',
  emoji: '👍',
  timeZone: 'UTC',
  onlineUrl: 'https://example.test/live',
  reason: 'spam',
  url: 'https://example.test/hook',
};

let server: TestServer;
/** Global ids of real records, by node type. */
const records: Record<string, string> = {};
let key: number;

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

beforeAll(async () => {
  server = await startTestServer();
  const owner = await signUp(server, 'owner');
  const [member, requester] = await Promise.all([signUp(server, 'member'), signUp(server, 'asks')]);
  const community = await createCommunity(server, owner, 'PUBLIC');
  await openPrivileges(server, owner, community.id);
  await joinCommunity(server, member, community.id);
  key = await communityKey(server, community.slug);
  const post = (
    await must(
      member,
      'mutation($c: ID!) { createPost(input: { communityId: $c, title: "A post", body: "Words" }) { id } }',
      { c: community.id },
    )
  ).createPost;
  const comment = (
    await must(owner, 'mutation($p: ID!) { addComment(input: { postId: $p, body: "A comment" }) { id } }', {
      p: post.id,
    })
  ).addComment;
  const stream = await createEvent(server, owner, community.id, { kind: 'LIVE_STREAM', startsAt: hoursFromNow(0) });
  await must(owner, 'mutation($e: ID!) { startLiveStream(eventId: $e) { id } }', { e: stream.id });
  const message = (
    await must(
      member,
      'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "When?", isQuestion: true }) { id } }',
      { e: stream.id },
    )
  ).sendChatMessage;
  const poll = (
    await must(
      owner,
      'mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Which?", options: ["A", "B"] }) { id options { id } } }',
      { c: community.id },
    )
  ).createPoll;
  const contest = await createEvent(server, owner, community.id, { kind: 'CONTEST', startsAt: hoursFromNow(24) });
  const entry = (
    await must(member, 'mutation($e: ID!, $p: ID!) { submitContestEntry(input: { eventId: $e, postId: $p }) { id } }', {
      e: contest.id,
      p: post.id,
    })
  ).submitContestEntry;
  const apiKey = (
    await must(owner, 'mutation { createApiKey(input: { name: "bot", scopes: [READ] }) { apiKey { id } } }')
  ).createApiKey.apiKey;
  await pendingJoinRequest(server, key, requester);
  const requests = await must(
    owner,
    'query($slug: String!) { community(slug: $slug) { joinRequests(first: 5) { edges { node { id } } } } }',
    { slug: community.slug },
  );
  const inviteLink = (
    await must(owner, 'mutation($c: ID!) { createInviteLink(communityId: $c) { inviteLink { id } } }', {
      c: community.id,
    })
  ).createInviteLink.inviteLink;
  // Moderation: a rule, an item (the owner's report of the member's post), its decision and the member's appeal.
  const rule = (
    await must(
      owner,
      'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam" }) { id } }',
      {
        c: community.id,
      },
    )
  ).createCommunityRule;
  const item = (
    await must(owner, 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { item { id } } }', {
      s: post.id,
    })
  ).report.item;
  const decision = (
    await must(
      owner,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: WARN, ruleId: $r, statement: "Spam" }) { id } }',
      { i: item.id, r: rule.id },
    )
  ).decide;
  const appeal = (
    await must(member, 'mutation($d: ID!) { appeal(input: { decisionId: $d, text: "It was not" }) { id } }', {
      d: decision.id,
    })
  ).appeal;
  const autoModRule = (
    await must(
      owner,
      'mutation($c: ID!) { createAutoModRule(input: { communityId: $c, name: "Links", conditions: { linkDomains: ["spam.example"] }, action: BLOCK }) { id } }',
      { c: community.id },
    )
  ).createAutoModRule;
  const quest = (
    await must(
      owner,
      'mutation($c: ID!) { createQuest(input: { communityId: $c, title: "Daily", description: "", period: DAILY, goals: [{ action: COMMENT, target: 1 }], rewardPoints: 5 }) { id } }',
      { c: community.id },
    )
  ).createQuest;
  // A webhook endpoint, switched off (no delivery job changes rows meanwhile), with a past delivery written directly.
  const webhookEndpoint = (
    await must(
      owner,
      'mutation($c: ID!) { createWebhookEndpoint(input: { communityId: $c, url: "https://example.test/hook", eventTypes: [POST_CREATED] }) { endpoint { id } } }',
      { c: community.id },
    )
  ).createWebhookEndpoint.endpoint;
  await must(owner, 'mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: false }) { id } }', {
    id: webhookEndpoint.id,
  });
  const [delivery] = await dbQuery<{ id: number }>(
    server,
    `with e as (insert into webhook_events (community_id, type, subject_id, created_at)
                values (?, 'POST_CREATED', ?, now()) returning id)
     insert into webhook_deliveries (endpoint_id, event_id, status, attempts, created_at)
     select ?, e.id, 'FAILED', 1, now() from e returning id`,
    [key, dbId(post.id), dbId(webhookEndpoint.id)],
  );
  const channel = (
    await must(
      owner,
      'mutation($c: ID!) { createChannel(input: { communityId: $c, slug: "news", name: "News" }) { id } }',
      {
        c: community.id,
      },
    )
  ).createChannel;
  Object.assign(records, {
    Channel: channel.id,
    WebhookEndpoint: webhookEndpoint.id,
    WebhookDelivery: toGlobalId('WebhookDelivery', delivery.id),
    AutoModRule: autoModRule.id,
    Quest: quest.id,
    CommunityRule: rule.id,
    ModerationItem: item.id,
    ModerationDecision: decision.id,
    Appeal: appeal.id,
    Community: community.id,
    Post: post.id,
    Comment: comment.id,
    Event: stream.id,
    User: member.user.id,
    ChatMessage: message.id,
    Poll: poll.id,
    PollOption: poll.options[0].id,
    ContestEntry: entry.id,
    ApiKey: apiKey.id,
    JoinRequest: requests.community.joinRequests.edges[0].node.id,
    InviteLink: inviteLink.id,
  });
}, 120_000);
afterAll(closeAll);

/** The node type an id argument or field names; throws for one the tables above do not know. */
function idType(mutation: GraphQLField<unknown, unknown>, name: string): string {
  const type = name === 'id' ? (ID_OF[mutation.name] ?? getNamedType(mutation.type).name) : ID_NAMED[name];
  if (!type || !records[type])
    throw new Error(`No record for the id "${name}" of ${mutation.name}: add it to ID_OF / ID_NAMED`);
  return records[type];
}

/**
 * A valid-looking value for an argument or input field of `type`, named `name`. Optional fields are
 * left out; lists get two items (a poll needs two options), strings distinct by `nth`.
 */
function valueFor(mutation: GraphQLField<unknown, unknown>, name: string, type: GraphQLInputType, nth = 0): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [0, 1].map((i) => valueFor(mutation, name, inner.ofType, i));
  if (isEnumType(inner)) return inner.getValues()[0].value;
  if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields()).filter(required);
    return Object.fromEntries(fields.map((f) => [f.name, valueFor(mutation, f.name, f.type)]));
  }
  if (isScalarType(inner)) {
    switch (inner.name) {
      case 'ID':
        return idType(mutation, name);
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'DateTimeISO':
        return hoursFromNow(name === 'endsAt' ? 3 : 2).toISOString();
      default:
        return STRINGS[name] ?? `Something to say ${nth + 1}`;
    }
  }
  throw new Error(`No value for ${name}: ${String(type)}`);
}

const required = (a: GraphQLArgument | GraphQLInputField) => isNonNullType(a.type) && a.defaultValue === undefined;

/** An operation calling `mutation` with generated variables, selecting only `__typename` (or nothing on a leaf). */
function callOf(mutation: GraphQLField<unknown, unknown>) {
  const args = mutation.args.filter(required);
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(mutation.type)) ? '' : ' { __typename }';
  return {
    query: `mutation${declared ? `(${declared})` : ''} { ${mutation.name}${passed ? `(${passed})` : ''}${selection} }`,
    variables: Object.fromEntries(args.map((a) => [a.name, valueFor(mutation, a.name, a.type)])),
  };
}

const mutations = () => Object.values(server.app.schema.getMutationType()!.getFields());

describe('an anonymous caller', () => {
  it('runs no mutation but signing up and in (and the emailed-token ones): every other one is UNAUTHENTICATED and writes nothing', async () => {
    const answers: Record<string, unknown> = {};
    const before = await communityState(server, key);
    for (const mutation of mutations().filter((m) => !OPEN_TO_ANONYMOUS.includes(m.name))) {
      const { query, variables } = callOf(mutation);
      const res = await server.gql(query, variables);
      answers[mutation.name] = errorCode(res) === 'UNAUTHENTICATED' && !res.body.data ? 'UNAUTHENTICATED' : res.body;
    }
    expect(Object.entries(answers).filter(([, answer]) => answer !== 'UNAUTHENTICATED')).toEqual([]);
    expect(Object.keys(answers).length).toBeGreaterThanOrEqual(45);
    expect(await communityState(server, key)).toEqual(before);
  });

  it('may still sign up and sign in', async () => {
    const signUpCall = callOf(mutations().find((m) => m.name === 'signUp')!);
    const handle = `anon${Date.now().toString(36)}`;
    const input = { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' };
    const up = await server.gql(signUpCall.query.replace('{ __typename }', '{ token }'), { input });
    expect(up.body.errors).toBeUndefined();
    const inn = await server.gql('mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
      input: { email: input.email, password: input.password },
    });
    expect(inn.body.data.signIn.token).toEqual(expect.any(String));
  });

  it('may ask for a password reset and use emailed tokens, which stand for the account themselves', async () => {
    const asked = await server.gql('mutation($e: String!) { requestPasswordReset(email: $e) }', {
      e: `${Date.now().toString(36)}@example.test`,
    });
    expect(asked.body).toEqual({ data: { requestPasswordReset: true } });
    // A token nobody was sent: refused for what it is, not for want of a sign-in (tests/email uses real ones).
    const verify = await server.gql('mutation($t: String!) { verifyEmail(token: $t) { id } }', { t: 'tsv_unknown' });
    const reset = await server.gql('mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }', {
      t: 'tsr_unknown',
      p: 'correct horse battery staple',
    });
    expect([errorCode(verify), errorCode(reset)]).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('cannot ride a sign-in to run another mutation in the same document: the whole operation is refused before it runs', async () => {
    const someone = await signUp(server, 'rider');
    const res = await server.gql(
      `mutation($input: SignInInput!, $c: ID!) {
        signIn(input: $input) { token }
        joinCommunity(communityId: $c) { outcome }
      }`,
      { input: { email: someone.user.email, password: someone.password }, c: records.Community },
    );
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeUndefined();
    const members = await dbQuery<{ n: number }>(
      server,
      'select count(*)::int as n from members m join users u on u.id = m.user_id where m.community_id = ? and u.handle = ?',
      [key, someone.user.handle],
    );
    expect(members[0].n).toBe(0);
  });

  it('is refused mutations over WebSocket too, fragments included', async () => {
    const client = server.ws();
    const result = await new Promise<any>((resolve) => {
      let last: unknown;
      client.subscribe(
        {
          query: 'mutation($c: ID!) { ...Leave } fragment Leave on Mutation { leaveCommunity(communityId: $c) }',
          variables: { c: records.Community },
        },
        {
          next: (r) => {
            last = r;
          },
          error: (e) => resolve({ error: e }),
          complete: () => resolve(last),
        },
      );
    });
    const errors = result.error ?? result.errors;
    expect(errors.map((e: any) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
