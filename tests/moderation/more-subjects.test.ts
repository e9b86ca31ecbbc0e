/**
 * Issue 14, moderation beyond posts and comments, through the public API: chat messages, events
 * and polls (a poll option names its poll) are reported, hidden past the threshold (masked for
 * readers, not for their author and moderators, over `node`, listings and subscriptions), decided
 * (REMOVE takes a chat message out of the history and a reversal brings it back; events and polls
 * are hidden, not removed), screened by AutoMod when written (chat messages, polls with their
 * options), judged the same by a dry run, and never reachable from outside a private community.
 */
import { dbQuery } from '../posts/operations';
import { record, type Recording } from '../support/subscription';
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
import { hoursFromNow } from '../events/operations';

let server: TestServer;

afterAll(closeAll);
beforeAll(async () => {
  server = await startTestServer();
});

const HIDDEN = '[hidden by moderation]';

async function must(who: TestUser | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who?.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

interface World {
  community: { id: string; slug: string };
  owner: TestUser;
  moderator: TestUser;
  author: TestUser;
  reporters: TestUser[];
  rule: string;
  eventId: string;
  messageId: string;
  messageCursor: string;
  poll: { id: string; options: { id: string }[] };
}

/**
 * A community whose members are all level 3 (reports weigh 3: two reach the threshold of 6), where
 * the author runs a live stream, says something in its chat and asks a poll.
 */
async function world(opts: { chat?: string } = {}): Promise<World> {
  const [owner, moderator, author, ...reporters] = await Promise.all(
    ['owner', 'mod', 'author', 'rep', 'rep'].map((p) => signUp(server, p)),
  );
  const community = await createCommunity(server, owner, 'PUBLIC');
  for (const u of [moderator, author, ...reporters]) await joinCommunity(server, u, community.id);
  await must(
    owner,
    'mutation($c: ID!, $u: ID!) { setMemberRole(input: { communityId: $c, userId: $u, role: MODERATOR }) { role } }',
    { c: community.id, u: moderator.user.id },
  );
  await must(owner, 'mutation($i: ReputationRulesInput!) { updateReputationRules(input: $i) { id } }', {
    i: { communityId: community.id, levelThresholds: [0, 0, 0, 1000, 2000] },
  });
  const rule = (
    await must(
      owner,
      'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam", description: "None" }) { id } }',
      { c: community.id },
    )
  ).createCommunityRule.id;
  const startsAt = hoursFromNow(0);
  const event = (
    await must(
      author,
      `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!) { createEvent(input: { communityId: $c, kind: LIVE_STREAM,
        title: "Free crypto", description: "Send coins to win", startsAt: $s, endsAt: $e, timeZone: "UTC",
        location: "Spam street", onlineUrl: "https://spam.example/live" }) { id } }`,
      { c: community.id, s: startsAt.toISOString(), e: new Date(startsAt.getTime() + 3600_000).toISOString() },
    )
  ).createEvent;
  await must(author, 'mutation($id: ID!) { startLiveStream(eventId: $id) { live } }', { id: event.id });
  const message = (
    await must(
      author,
      'mutation($e: ID!, $b: String!) { sendChatMessage(input: { eventId: $e, body: $b }) { id cursor } }',
      { e: event.id, b: opts.chat ?? 'Buy followers at spam.example' },
    )
  ).sendChatMessage;
  const poll = (
    await must(
      author,
      `mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Which spam do you like?",
        options: ["Pills", "Crypto"] }) { id options { id } } }`,
      { c: community.id },
    )
  ).createPoll;
  return {
    community,
    owner,
    moderator,
    author,
    reporters,
    rule,
    eventId: event.id,
    messageId: message.id,
    messageCursor: message.cursor,
    poll,
  };
}

const REPORT =
  'mutation($s: ID!, $r: ReportReason!) { report(input: { subjectId: $s, reason: $r }) { id weight subject { __typename } } }';
const report = (who: TestUser, subjectId: string) =>
  server.gql(REPORT, { s: subjectId, r: 'SPAM' }, { token: who.token });

const TEXTS = `query($m: ID!, $e: ID!, $p: ID!) {
  message: node(id: $m) { ... on ChatMessage { body hidden } }
  event: node(id: $e) { ... on Event { title description location onlineUrl hidden } }
  poll: node(id: $p) { ... on Poll { question hidden options { text } } }
}`;

async function texts(w: World, who: TestUser | undefined) {
  return must(who, TEXTS, { m: w.messageId, e: w.eventId, p: w.poll.id });
}

const QUEUE = `query($s: String!) { community(slug: $s) { moderationQueue(first: 20) { edges { node {
  id subjectType hiddenByReports reportCount snapshot { title body }
  subject { __typename ... on ChatMessage { id } ... on Event { id } ... on Poll { id } }
  autoMod { rule { name } reasons }
} } } } }`;

async function queue(w: World): Promise<any[]> {
  return (await must(w.moderator, QUEUE, { s: w.community.slug })).community.moderationQueue.edges.map(
    (e: any) => e.node,
  );
}

/**
 * Waits until a `chatMessageRemoved` subscription listens (it starts asynchronously): the author
 * removes probes of their own until the watcher hears one.
 */
async function listening(w: World, removals: Recording<any>) {
  for (let i = 0; i < 20; i++) {
    const probe = (
      await must(
        w.author,
        'mutation($e: ID!, $b: String!) { sendChatMessage(input: { eventId: $e, body: $b }) { id } }',
        {
          e: w.eventId,
          b: `probe ${i}`,
        },
      )
    ).sendChatMessage;
    await must(w.author, 'mutation($m: ID!) { deleteChatMessage(id: $m) }', { m: probe.id });
    const heard = await removals
      .until(() => removals.results.some((r) => r.data.chatMessageRemoved === probe.id), 'a probe', 300)
      .then(
        () => true,
        () => false,
      );
    if (heard) return;
  }
  throw new Error('the watcher never heard of a removal');
}

const DECIDE = `mutation($i: DecideInput!) { decide(input: $i) { id action } }`;
const decide = (w: World, itemId: string, action: string) =>
  server.gql(
    DECIDE,
    { i: { itemId, action, ruleId: action === 'DISMISS' ? null : w.rule, statement: 'Spam is against the rules' } },
    { token: w.moderator.token },
  );

describe('chat messages, events and polls', () => {
  it('are reported (a poll option names its poll), hidden past the threshold, and masked to readers only', async () => {
    const w = await world();
    const [first, second] = w.reporters;
    const filed = await report(first, w.messageId);
    expect(filed.body.data?.report).toMatchObject({ weight: 3, subject: { __typename: 'ChatMessage' } });
    expect((await report(first, w.eventId)).body.data?.report.subject.__typename).toBe('Event');
    // An option reports its poll: a second report through another option is the same subject (CONFLICT).
    expect((await report(first, w.poll.options[0].id)).body.data?.report.subject.__typename).toBe('Poll');
    expect(errorCode(await report(first, w.poll.options[1].id))).toBe('CONFLICT');
    expect(errorCode(await report(w.author, w.messageId))).toBe('BAD_USER_INPUT');

    // One report each: shown as written to everyone.
    expect((await texts(w, undefined)).message).toEqual({ body: 'Buy followers at spam.example', hidden: false });

    for (const id of [w.messageId, w.eventId, w.poll.id]) expect(errorCode(await report(second, id))).toBeUndefined();
    const masked = {
      message: { body: HIDDEN, hidden: true },
      event: { title: HIDDEN, description: HIDDEN, location: null, onlineUrl: null, hidden: true },
      poll: { question: HIDDEN, hidden: true, options: [{ text: HIDDEN }, { text: HIDDEN }] },
    };
    expect(await texts(w, undefined)).toEqual(masked);
    expect(await texts(w, first)).toEqual(masked);
    const original = {
      message: { body: 'Buy followers at spam.example', hidden: true },
      event: {
        title: 'Free crypto',
        description: 'Send coins to win',
        location: 'Spam street',
        onlineUrl: 'https://spam.example/live',
        hidden: true,
      },
      poll: { question: 'Which spam do you like?', hidden: true, options: [{ text: 'Pills' }, { text: 'Crypto' }] },
    };
    expect(await texts(w, w.author)).toEqual(original);
    expect(await texts(w, w.moderator)).toEqual(original);
    // The chat's history masks it as well.
    const history = await must(
      first,
      'query($e: ID!) { node(id: $e) { ... on Event { chatMessages(last: 5) { edges { node { body } } } } } }',
      {
        e: w.eventId,
      },
    );
    expect(history.node.chatMessages.edges).toEqual([{ node: { body: HIDDEN } }]);

    // The queue holds one item per subject with the content as reported.
    const items = await queue(w);
    expect(items.map((i) => [i.subjectType, i.subject.__typename, i.reportCount, i.hiddenByReports]).sort()).toEqual([
      ['CHAT_MESSAGE', 'ChatMessage', 2, true],
      ['EVENT', 'Event', 2, true],
      ['POLL', 'Poll', 2, true],
    ]);
    expect(items.find((i) => i.subjectType === 'POLL').snapshot).toEqual({
      title: 'Which spam do you like?',
      body: 'Pills\nCrypto',
    });
    expect(items.find((i) => i.subjectType === 'EVENT').snapshot).toEqual({
      title: 'Free crypto',
      body: 'Send coins to win\nSpam street\nhttps://spam.example/live',
    });
  });

  it('are decided: REMOVE takes a message out of the chat and a reversal brings it back; events and polls are hidden, not removed', async () => {
    const w = await world();
    for (const r of w.reporters) for (const id of [w.messageId, w.eventId, w.poll.id]) await report(r, id);
    const items = await queue(w);
    const item = (type: string) => items.find((i) => i.subjectType === type).id;

    const removals = record<any>(server.ws({ token: w.reporters[0].token }), {
      query: 'subscription($e: ID!) { chatMessageRemoved(eventId: $e) }',
      variables: { e: w.eventId },
    });
    await listening(w, removals);
    expect(errorCode(await decide(w, item('CHAT_MESSAGE'), 'REMOVE'))).toBeUndefined();
    await removals.until(
      () => removals.results.some((r) => r.data.chatMessageRemoved === w.messageId),
      'the removal decided',
    );
    removals.stop();
    const HISTORY =
      'query($e: ID!) { node(id: $e) { ... on Event { chatMessages(last: 5) { edges { node { id } } } } } }';
    expect((await must(w.author, HISTORY, { e: w.eventId })).node.chatMessages.edges).toEqual([]);
    expect((await must(w.author, 'query($m: ID!) { node(id: $m) { id } }', { m: w.messageId })).node).toBeNull();

    expect(errorCode(await decide(w, item('EVENT'), 'REMOVE'))).toBe('BAD_USER_INPUT');
    expect(errorCode(await decide(w, item('EVENT'), 'HIDE'))).toBeUndefined();
    expect((await texts(w, w.reporters[0])).event.hidden).toBe(true);
    // Dismissing the poll's reports shows it again.
    expect(errorCode(await decide(w, item('POLL'), 'DISMISS'))).toBeUndefined();
    expect((await texts(w, w.reporters[0])).poll).toEqual({
      question: 'Which spam do you like?',
      hidden: false,
      options: [{ text: 'Pills' }, { text: 'Crypto' }],
    });

    // The author reads the decision and appeals the removal; another moderator (the owner) reverses it.
    const actions = await must(
      w.author,
      '{ viewerModerationActions(first: 5) { edges { node { id action statement content { body } } } } }',
    );
    const removal = actions.viewerModerationActions.edges.find((e: any) => e.node.action === 'REMOVE').node;
    expect(removal.content.body).toBe('Buy followers at spam.example');
    const appealed = await must(
      w.author,
      'mutation($d: ID!) { appeal(input: { decisionId: $d, text: "It was a joke" }) { id } }',
      {
        d: removal.id,
      },
    );
    await must(
      w.owner,
      'mutation($a: ID!) { decideAppeal(input: { appealId: $a, outcome: REVERSE, statement: "Fair enough" }) { status } }',
      {
        a: appealed.appeal.id,
      },
    );
    expect((await must(w.reporters[0], HISTORY, { e: w.eventId })).node.chatMessages.edges).toEqual([
      { node: { id: w.messageId } },
    ]);
    expect((await texts(w, w.reporters[0])).message).toEqual({ body: 'Buy followers at spam.example', hidden: false });
  });

  it('held messages reach chat watchers masked, and a member who blocked the author reads the blocked placeholder', async () => {
    const w = await world();
    const [watcher, blocker] = w.reporters;
    await must(blocker, 'mutation($u: ID!) { blockUser(userId: $u) }', { u: w.author.user.id });
    expect((await texts(w, blocker)).message.body).toBe('[from a member you blocked]');
    expect((await texts(w, blocker)).event.title).toBe('[from a member you blocked]');
    expect((await texts(w, blocker)).poll.question).toBe('[from a member you blocked]');
    expect((await texts(w, watcher)).message.body).toBe('Buy followers at spam.example');

    await must(w.owner, CREATE_RULE, {
      i: {
        communityId: w.community.id,
        name: 'Hold links',
        conditions: { linkDomains: ['spam.example'] },
        action: 'HOLD',
        enabled: true,
      },
    });
    const sent = await must(
      w.author,
      'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "Deals at https://spam.example" }) { id body hidden } }',
      { e: w.eventId },
    );
    // The author reads their own held message; everyone else the placeholder.
    expect(sent.sendChatMessage).toMatchObject({ body: 'Deals at https://spam.example', hidden: true });
    // A watcher joining after the first message replays the held one masked.
    const live = record<any>(server.ws({ token: watcher.token }), {
      query: 'subscription($e: ID!, $a: String) { chatMessageAdded(eventId: $e, after: $a) { id body hidden } }',
      variables: { e: w.eventId, a: w.messageCursor },
    });
    await live.until(() => live.results.length === 1, 'the held message');
    expect(live.results[0].data.chatMessageAdded).toEqual({ id: sent.sendChatMessage.id, body: HIDDEN, hidden: true });
    live.stop();
  });
});

const CREATE_RULE = `mutation($i: AutoModRuleInput!) { createAutoModRule(input: $i) { id } }`;

describe('AutoMod on chat messages and polls', () => {
  it('BLOCK refuses a chat message, HOLD queues a poll hidden, subjects pick the kinds, and the dry run agrees', async () => {
    const w = await world({ chat: 'Hello everyone' });
    await must(w.owner, CREATE_RULE, {
      i: {
        communityId: w.community.id,
        name: 'No crypto in chat',
        conditions: { keywords: ['crypto'], subjects: ['CHAT_MESSAGE'] },
        action: 'BLOCK',
        enabled: true,
      },
    });
    const holdPolls = (
      await must(w.owner, CREATE_RULE, {
        i: {
          communityId: w.community.id,
          name: 'Hold pill polls',
          conditions: { keywords: ['pills'], subjects: ['POLL_OPTION'] },
          action: 'HOLD',
          enabled: true,
        },
      })
    ).createAutoModRule.id;
    const messages = 'select count(*)::int as n from chat_messages';
    const before = await dbQuery(server, messages);
    const refused = await server.gql(
      'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "Free CRYPTO here" }) { id } }',
      { e: w.eventId },
      { token: w.author.token },
    );
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.body.errors?.[0].message).toMatch(/No crypto in chat/);
    expect(await dbQuery(server, messages)).toEqual(before);
    // The poll rule is not a chat rule: "pills" passes in the chat.
    expect(
      errorCode(
        await server.gql(
          'mutation($e: ID!) { sendChatMessage(input: { eventId: $e, body: "pills" }) { id } }',
          { e: w.eventId },
          { token: w.author.token },
        ),
      ),
    ).toBeUndefined();
    // A poll is screened with its options: the keyword in an option holds it.
    const held = (
      await must(
        w.author,
        `mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Your favourite?", options: ["Tea", "Cheap pills"] }) { id hidden question } }`,
        { c: w.community.id },
      )
    ).createPoll;
    expect(held).toMatchObject({ hidden: true, question: 'Your favourite?' });
    expect(
      (await must(w.reporters[0], 'query($p: ID!) { node(id: $p) { ... on Poll { question } } }', { p: held.id })).node
        .question,
    ).toBe(HIDDEN);
    const items = await queue(w);
    expect(items).toEqual([
      expect.objectContaining({
        subjectType: 'POLL',
        subject: { __typename: 'Poll', id: held.id },
        hiddenByReports: true,
        snapshot: { title: 'Your favourite?', body: 'Tea\nCheap pills' },
        autoMod: { rule: { name: 'Hold pill polls' }, reasons: ['keyword "pills"'] },
      }),
    ]);
    // The dry run judges the community's latest writes as the live rule did: the held poll, not the chat's "pills".
    const dry = await must(
      w.moderator,
      'query($r: ID!) { dryRunAutoModRule(ruleId: $r, last: 50) { examined matches { subjectType reasons subject { __typename ... on Poll { id } } } } }',
      { r: holdPolls },
    );
    expect(dry.dryRunAutoModRule.examined).toBeGreaterThanOrEqual(4);
    // The world's poll (an option "Pills", asked before the rule existed) would have been held too.
    expect(dry.dryRunAutoModRule.matches).toEqual(
      [held.id, w.poll.id].map((id) => ({
        subjectType: 'POLL_OPTION',
        reasons: ['keyword "pills"'],
        subject: { __typename: 'Poll', id },
      })),
    );
  });
});

describe('private communities', () => {
  it('leak nothing through reports of chat messages, events or polls', async () => {
    const w = await world();
    await must(w.owner, 'mutation($c: ID!) { updateCommunity(input: { id: $c, visibility: PRIVATE }) { id } }', {
      c: w.community.id,
    });
    const outsider = await signUp(server, 'out');
    for (const id of [w.messageId, w.eventId, w.poll.id, w.poll.options[0].id]) {
      const res = await report(outsider, id);
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(JSON.stringify(res.body)).not.toMatch(/spam|crypto/i);
    }
    expect(await queue(w)).toEqual([]);
  });
});
