/**
 * Webhooks (issue 15, point 5) through the public API, delivered to a real HTTP receiver on
 * 127.0.0.1 in this process that verifies every signature with standardwebhooks: each event type,
 * retries with backoff, redelivery, catching up with webhookEvents, the SSRF guard, disabling an
 * endpoint that fails for the whole window (and telling the admins), payloads without hidden
 * content, and who may do what.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isBlockedAddress, resolveTarget } from '../../src/modules/webhooks/ssrf';
import { castOf, createPost, addComment, dbId, dbQuery, type Cast } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

/** What the receiver got: one request per attempt. */
interface Received {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: TestServer;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Statuses to answer per path, in order (the last one repeats); 200 for paths not listed. */
const answers = new Map<string, number[]>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, at: Date.now(), headers: req.headers, body });
      const queue = answers.get(path) ?? [200];
      const status = queue.length > 1 ? queue.shift()! : queue[0];
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : 'x'.repeat(5000));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  onCleanup(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  server = await startTestServer({
    // Tests here poll with the documents whose SQL statements they then count: a cached answer would count none.
    RESPONSE_CACHE_SECONDS: '0',
    JOB_POLL_MS: '100',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_BASE_MS: '300',
    WEBHOOK_FAILURE_WINDOW_SECONDS: '4',
    WEBHOOK_TIMEOUT_MS: '2000',
  });
});
afterAll(closeAll);

async function must(who: TestUser | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who?.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 15_000,
) {
  for (const started = Date.now(); ;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let paths = 0;
const ALL = ['POST_CREATED', 'COMMENT_ADDED', 'MEMBER_JOINED', 'RSVP_CHANGED', 'POLL_CLOSED', 'MODERATION_DECISION'];
const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  secret endpoint { id url eventTypes enabled community { id } } } }`;

/** Registers an endpoint on a fresh receiver path (or `url`) as the community's owner. */
async function endpoint(cast: Cast, types = ALL, url?: string) {
  const path = `/hook/${++paths}`;
  const data = await must(cast.owner, CREATE, {
    input: { communityId: cast.community.id, url: url ?? receiverUrl + path, eventTypes: types },
  });
  return { path, secret: data.createWebhookEndpoint.secret as string, ...data.createWebhookEndpoint.endpoint };
}

/** The requests the receiver got on `path`, each verified with the secret (throws on a bad signature). */
function verified(path: string, secret: string) {
  return received
    .filter((r) => r.path === path)
    .map((r) => ({ ...r, payload: new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as any }));
}

const DELIVERIES = `query($e: ID!) { webhookDeliveries(endpointId: $e, first: 20) { edges { node {
  id status attempts responseStatus latencyMs responseExcerpt error redeliveryOf
  event { id type webhookId payloadType payload } endpoint { id } } } } }`;
const deliveries = async (who: TestUser, e: string) =>
  (await must(who, DELIVERIES, { e })).webhookDeliveries.edges.map((x: any) => x.node);

describe('deliveries', () => {
  it('signs and delivers each event type with its payload', async () => {
    const cast = await castOf(server, 2);
    const hook = await endpoint(cast);
    expect(hook.secret).toMatch(/^whsec_/);
    const post = await createPost(server, cast.members[0], cast.community.id, { title: 'Hello hooks', body: 'Body!' });
    await addComment(server, cast.members[1], post.id, 'A reply');
    const newcomer = await signUp(server, 'newbie');
    await joinCommunity(server, newcomer, cast.community.id);
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    const event = (
      await must(
        cast.owner,
        `mutation($c: ID!, $s: DateTimeISO!, $e: DateTimeISO!) { createEvent(input: { communityId: $c, kind: MEETUP,
          title: "Meetup", description: "D", startsAt: $s, endsAt: $e, timeZone: "UTC" }) { id } }`,
        { c: cast.community.id, s: startsAt, e: endsAt },
      )
    ).createEvent;
    await must(cast.members[0], 'mutation($id: ID!) { rsvp(input: { eventId: $id, status: GOING }) { status } }', {
      id: event.id,
    });
    const poll = (
      await must(
        cast.owner,
        'mutation($c: ID!) { createPoll(input: { communityId: $c, question: "Tea?", options: ["Yes", "No"] }) { id } }',
        { c: cast.community.id },
      )
    ).createPoll;
    await must(cast.owner, 'mutation($id: ID!) { closePoll(id: $id) { id } }', { id: poll.id });
    await must(cast.members[1], 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { id } }', {
      s: post.id,
    });
    const queue = await must(
      cast.moderator,
      'query($s: String!) { community(slug: $s) { moderationQueue(first: 5) { edges { node { id } } } } }',
      { s: cast.community.slug },
    );
    await must(cast.moderator, 'mutation($i: ID!) { decide(input: { itemId: $i, action: DISMISS }) { action } }', {
      i: queue.community.moderationQueue.edges[0].node.id,
    });

    const got = await until('six signed deliveries', () => {
      const list = verified(hook.path, hook.secret);
      return list.length >= 6 && list;
    });
    const byType = Object.fromEntries(got.map((r) => [r.payload.type, r.payload]));
    expect(Object.keys(byType).sort()).toEqual(
      ['comment.added', 'member.joined', 'moderation.decision', 'poll.closed', 'post.created', 'rsvp.changed'].sort(),
    );
    expect(byType['post.created'].data).toMatchObject({
      communityId: cast.community.id,
      post: { id: post.id, title: 'Hello hooks', body: 'Body!', author: { handle: cast.members[0].user.handle } },
    });
    expect(byType['comment.added'].data.comment).toMatchObject({ postId: post.id, body: 'A reply' });
    expect(byType['member.joined'].data.member.user).toEqual({ id: newcomer.user.id, handle: newcomer.user.handle });
    expect(byType['rsvp.changed'].data.rsvp).toMatchObject({ eventId: event.id, status: 'GOING' });
    expect(byType['poll.closed'].data.poll).toMatchObject({ id: poll.id, question: 'Tea?', totalVoters: 0 });
    expect(byType['moderation.decision'].data.decision).toMatchObject({ action: 'DISMISS', subjectId: post.id });
    for (const r of got) expect(r.headers['webhook-id']).toMatch(/^msg_/);

    const logged = await until('six deliveries logged as succeeded', async () => {
      const list = await deliveries(cast.owner, hook.id);
      return list.length === 6 && list.every((d: any) => d.status === 'SUCCEEDED') && list;
    });
    expect(logged[0]).toMatchObject({ attempts: 1, responseStatus: 200, responseExcerpt: 'thanks', error: null });
    expect(logged[0].latencyMs).toBeGreaterThanOrEqual(0);
    expect(logged.map((d: any) => d.event.webhookId).sort()).toEqual(got.map((r) => r.headers['webhook-id']).sort());
  });

  it('retries a failed delivery with growing delays until it succeeds, under the same webhook-id', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED']);
    answers.set(hook.path, [500, 500, 200]);
    await createPost(server, cast.members[0], cast.community.id, { title: 'Retried' });
    const got = await until('three attempts', () => {
      const list = verified(hook.path, hook.secret);
      return list.length >= 3 && list;
    });
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const gaps = [got[1].at - got[0].at, got[2].at - got[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(250); // WEBHOOK_RETRY_BASE_MS
    expect(gaps[1]).toBeGreaterThanOrEqual(550); // twice as long
    const [delivery] = await until('the delivery succeeded', async () => {
      const list = await deliveries(cast.owner, hook.id);
      return list[0]?.status === 'SUCCEEDED' && list;
    });
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 200 });
    // The endpoint answers again: it is not failing.
    const ep = await must(
      cast.owner,
      'query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { failingSince enabled } } }',
      {
        id: hook.id,
      },
    );
    expect(ep.node).toEqual({ failingSince: null, enabled: true });
  });

  it('redelivers a past delivery with the same webhook-id and logs it apart', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED']);
    await createPost(server, cast.members[0], cast.community.id, { title: 'Again' });
    const [first] = await until('the first delivery', async () => {
      const list = await deliveries(cast.owner, hook.id);
      return list[0]?.status === 'SUCCEEDED' && list;
    });
    const again = await must(
      cast.owner,
      'mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id status redeliveryOf } }',
      { d: first.id },
    );
    expect(again.redeliverWebhook).toMatchObject({ status: 'PENDING', redeliveryOf: first.id });
    const got = await until('two requests', () => {
      const list = verified(hook.path, hook.secret);
      return list.length >= 2 && list;
    });
    expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
    expect(got[1].payload).toEqual(got[0].payload);
    const list = await until('both logged', async () => {
      const l = await deliveries(cast.owner, hook.id);
      return l.length === 2 && l.every((d: any) => d.status === 'SUCCEEDED') && l;
    });
    expect(list.map((d: any) => d.redeliveryOf)).toEqual([first.id, null]);
  });

  it('lets a receiver that was down catch up with webhookEvents from a cursor', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED', 'COMMENT_ADDED']);
    const posts = [];
    for (const title of ['One', 'Two', 'Three'])
      posts.push(await createPost(server, cast.members[0], cast.community.id, { title }));
    await addComment(server, cast.owner, posts[0].id, 'Hi');
    const EVENTS = `query($c: ID, $e: ID, $after: String, $first: Int) { webhookEvents(communityId: $c, endpointId: $e, after: $after, first: $first) {
      edges { cursor node { id type webhookId payload } } pageInfo { hasNextPage endCursor } } }`;
    const page1 = (await must(cast.owner, EVENTS, { c: cast.community.id, first: 2 })).webhookEvents;
    expect(page1.edges.map((e: any) => e.node.payload.data.post.title)).toEqual(['One', 'Two']);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await must(cast.owner, EVENTS, { c: cast.community.id, after: page1.pageInfo.endCursor }))
      .webhookEvents;
    expect(page2.edges.map((e: any) => e.node.type)).toEqual(['POST_CREATED', 'COMMENT_ADDED']);
    expect(page2.edges[1].node.payload.data.comment.body).toBe('Hi');
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // The ids only grow, and match the webhook-id of the deliveries.
    const ids = [...page1.edges, ...page2.edges].map((e: any) => dbId(e.node.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    await until('four deliveries', () => verified(hook.path, hook.secret).length >= 4);
    expect(new Set(verified(hook.path, hook.secret).map((r) => r.headers['webhook-id']))).toEqual(
      new Set([...page1.edges, ...page2.edges].map((e: any) => e.node.webhookId)),
    );
    const byEndpoint = (await must(cast.owner, EVENTS, { e: hook.id, first: 10 })).webhookEvents.edges;
    expect(byEndpoint).toHaveLength(4);
  });

  it('records nothing for a community without an endpoint for the type', async () => {
    const cast = await castOf(server, 1);
    await endpoint(cast, ['MEMBER_JOINED']);
    const quiet = await castOf(server, 1);
    await createPost(server, cast.members[0], cast.community.id);
    await createPost(server, quiet.members[0], quiet.community.id);
    const rows = await dbQuery(server, 'select count(*)::int as n from webhook_events where community_id in (?, ?)', [
      dbId(cast.community.id),
      dbId(quiet.community.id),
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('never sends content hidden by moderation, nor in a redelivery after the hiding', async () => {
    const cast = await castOf(server, 2);
    const hook = await endpoint(cast, ['POST_CREATED']);
    const post = await createPost(server, cast.members[0], cast.community.id, {
      title: 'Buy pills',
      body: 'Cheap pills',
    });
    const [first] = await until('the delivery', async () => {
      const list = await deliveries(cast.owner, hook.id);
      return list[0]?.status === 'SUCCEEDED' && list;
    });
    const rule = (
      await must(
        cast.owner,
        'mutation($c: ID!) { createCommunityRule(input: { communityId: $c, title: "No spam" }) { id } }',
        { c: cast.community.id },
      )
    ).createCommunityRule;
    await must(cast.members[1], 'mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM }) { id } }', {
      s: post.id,
    });
    const queue = await must(
      cast.moderator,
      'query($s: String!) { community(slug: $s) { moderationQueue(first: 5) { edges { node { id } } } } }',
      { s: cast.community.slug },
    );
    await must(
      cast.moderator,
      'mutation($i: ID!, $r: ID!) { decide(input: { itemId: $i, action: HIDE, ruleId: $r, statement: "Spam" }) { action } }',
      { i: queue.community.moderationQueue.edges[0].node.id, r: rule.id },
    );
    const [event] = (
      await must(cast.owner, 'query($c: ID!) { webhookEvents(communityId: $c) { edges { node { payload } } } }', {
        c: cast.community.id,
      })
    ).webhookEvents.edges.map((e: any) => e.node);
    expect(event.payload.data.post).toEqual({ id: post.id, removed: true });
    expect(JSON.stringify(event.payload)).not.toContain('pills');
    await must(cast.owner, 'mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id } }', { d: first.id });
    const got = await until('the redelivery', () => {
      const list = verified(hook.path, hook.secret);
      return list.length >= 2 && list;
    });
    expect(got[0].payload.data.post.body).toBe('Cheap pills');
    expect(got[1].payload.data.post).toEqual({ id: post.id, removed: true });
  });
});

describe('reading deliveries', () => {
  it('reads a page of deliveries with their endpoint, event and payload in the same statements for 2 or 8', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED']);
    const settled = (n: number) =>
      until(`${n} deliveries`, async () => {
        const list = await deliveries(cast.owner, hook.id);
        return list.length === n && list.every((d: any) => d.status === 'SUCCEEDED');
      });
    const count = async () => {
      const res = await server.gql(DELIVERIES, { e: hook.id }, { token: cast.owner.token });
      expect(res.body.errors).toBeUndefined();
      return res.sqlStatements;
    };
    for (let i = 0; i < 2; i++) await createPost(server, cast.members[0], cast.community.id, { title: `P${i}` });
    await settled(2);
    const two = await count();
    for (let i = 0; i < 6; i++) await createPost(server, cast.members[0], cast.community.id, { title: `Q${i}` });
    await settled(8);
    expect(await count()).toBe(two);
    expect(two).toBeLessThanOrEqual(8);
  });
});

describe('failing endpoints', () => {
  it('disables an endpoint that failed for the whole window and tells its community\u2019s admins', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED']);
    answers.set(hook.path, [503]);
    await createPost(server, cast.members[0], cast.community.id, { title: 'Nobody listens' });
    const ep = await until(
      'the endpoint disabled',
      async () => {
        const data = await must(
          cast.owner,
          'query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledAt failingSince } } }',
          { id: hook.id },
        );
        return !data.node.enabled && data.node;
      },
      20_000,
    );
    expect(ep.disabledAt).not.toBeNull();
    const [delivery] = await deliveries(cast.owner, hook.id);
    expect(delivery.status).toBe('FAILED');
    expect(delivery.attempts).toBeGreaterThanOrEqual(3);
    expect(delivery.responseStatus).toBe(503);
    expect(delivery.responseExcerpt.length).toBeLessThanOrEqual(512);
    const NOTES =
      '{ viewer { notifications(first: 10) { edges { node { kind community { id } webhookEndpoint { id url } } } } } }';
    const note = await until('the owner\u2019s notification', async () => {
      const data = await must(cast.owner, NOTES);
      return data.viewer.notifications.edges.map((e: any) => e.node).find((n: any) => n.kind === 'WEBHOOK_DISABLED');
    });
    expect(note).toEqual({
      kind: 'WEBHOOK_DISABLED',
      community: { id: cast.community.id },
      webhookEndpoint: { id: hook.id, url: hook.url },
    });
    const moderatorNotes = (await must(cast.moderator, NOTES)).viewer.notifications.edges.map((e: any) => e.node.kind);
    expect(moderatorNotes).not.toContain('WEBHOOK_DISABLED');
    // Disabled: new posts are not even recorded for it; enabling it again forgets its failures.
    const again = await must(
      cast.owner,
      'mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: true }) { enabled failingSince disabledAt } }',
      { id: hook.id },
    );
    expect(again.updateWebhookEndpoint).toEqual({ enabled: true, failingSince: null, disabledAt: null });
  });
});

describe('the SSRF guard', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified and mapped addresses', async () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
    ])
      expect([address, isBlockedAddress(address)]).toEqual([address, true]);
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])
      expect([address, isBlockedAddress(address)]).toEqual([address, false]);
    for (const url of [
      'http://127.0.0.1/',
      'http://10.0.0.1/',
      'http://169.254.169.254/latest',
      'http://[::1]/',
      'http://localhost/',
    ])
      await expect(resolveTarget(new URL(url), [])).rejects.toThrow(/refused/);
    // WEBHOOK_ALLOWED_HOSTS names a host exempt from the check, and only that host.
    await expect(resolveTarget(new URL('http://127.0.0.1:9/'), ['127.0.0.1'])).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(resolveTarget(new URL('http://localhost/'), ['127.0.0.1'])).rejects.toThrow(/refused/);
  });

  it('refuses a private IP at registration, and a host name resolving to loopback at delivery', async () => {
    const cast = await castOf(server, 1);
    for (const url of [
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      'http://[::1]:80/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      const res = await server.gql(
        CREATE,
        { input: { communityId: cast.community.id, url, eventTypes: ['POST_CREATED'] } },
        { token: cast.owner.token },
      );
      expect([url, errorCode(res), res.body.errors?.[0]?.extensions?.field]).toEqual([url, 'BAD_USER_INPUT', 'url']);
    }
    const port = new URL(receiverUrl).port;
    const hook = await endpoint(cast, ['POST_CREATED'], `http://localhost:${port}/refused`);
    await createPost(server, cast.members[0], cast.community.id);
    const [delivery] = await until('the refused attempt', async () => {
      const list = await deliveries(cast.owner, hook.id);
      return list[0]?.attempts >= 1 && list;
    });
    expect(delivery.error).toMatch(/refused: localhost resolves to a non-public address/);
    expect(delivery.responseStatus).toBeNull();
    expect(received.filter((r) => r.path === '/refused')).toHaveLength(0);
  });
});

describe('who manages webhooks', () => {
  it('is the community\u2019s admins only; inputs are checked', async () => {
    const cast = await castOf(server, 1);
    const hook = await endpoint(cast, ['POST_CREATED']);
    const outsider = await signUp(server, 'out');
    const input = { communityId: cast.community.id, url: 'https://example.com/hook', eventTypes: ['POST_CREATED'] };
    const ops: [string, Record<string, unknown>][] = [
      [CREATE, { input }],
      ['mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id: hook.id }],
      ['mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: hook.id }],
      ['mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: false }) { id } }', { id: hook.id }],
      ['query($e: ID!) { webhookDeliveries(endpointId: $e) { edges { node { id } } } }', { e: hook.id }],
      ['query($c: ID!) { webhookEvents(communityId: $c) { edges { node { id } } } }', { c: cast.community.id }],
      [
        'query($s: String!) { community(slug: $s) { webhookEndpoints { edges { node { id } } } } }',
        { s: cast.community.slug },
      ],
    ];
    for (const [query, variables] of ops) {
      for (const who of [cast.members[0], cast.moderator, outsider]) {
        expect([query, errorCode(await server.gql(query, variables, { token: who.token }))]).toEqual([
          query,
          'FORBIDDEN',
        ]);
      }
      expect([query, errorCode(await server.gql(query, variables))]).toEqual([query, 'UNAUTHENTICATED']);
    }
    // node(id) answers null to them.
    const asMember = await must(cast.members[0], 'query($id: ID!) { node(id: $id) { id } }', { id: hook.id });
    expect(asMember.node).toBeNull();
    // The owner reads it; the secret is never readable again.
    const listed = await must(
      cast.owner,
      'query($s: String!) { community(slug: $s) { webhookEndpoints { edges { node { id url eventTypes } } } } }',
      { s: cast.community.slug },
    );
    expect(listed.community.webhookEndpoints.edges.map((e: any) => e.node.id)).toEqual([hook.id]);
    const rotated = await must(cast.owner, 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', {
      id: hook.id,
    });
    expect(rotated.rotateWebhookSecret.secret).toMatch(/^whsec_/);
    expect(rotated.rotateWebhookSecret.secret).not.toBe(hook.secret);
    for (const [bad, field] of [
      [{ ...input, url: 'ftp://example.com/' }, 'url'],
      [{ ...input, url: 'not a url' }, 'url'],
      [{ ...input, url: 'https://user:pw@example.com/' }, 'url'],
      [{ ...input, url: `https://example.com/${'a'.repeat(2001)}` }, undefined],
      [{ ...input, eventTypes: [] }, undefined],
    ] as const) {
      const res = await server.gql(CREATE, { input: bad }, { token: cast.owner.token });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      if (field) expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(
      (await must(cast.owner, 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: hook.id }))
        .deleteWebhookEndpoint,
    ).toBe(true);
  });

  it('hides a private community\u2019s webhooks from everyone but its admins', async () => {
    const cast = await castOf(server, 1, 'PRIVATE');
    await endpoint(cast, ['POST_CREATED']);
    await createPost(server, cast.members[0], cast.community.id, { title: 'Secret' });
    const EVENTS = 'query($c: ID!) { webhookEvents(communityId: $c) { edges { node { payload } } } }';
    const outsider = await signUp(server, 'out');
    expect(errorCode(await server.gql(EVENTS, { c: cast.community.id }, { token: outsider.token }))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(EVENTS, { c: cast.community.id }, { token: cast.members[0].token }))).toBe(
      'FORBIDDEN',
    );
    const owned = await must(cast.owner, EVENTS, { c: cast.community.id });
    expect(owned.webhookEvents.edges[0].node.payload.data.post.title).toBe('Secret');
    // Another community's admin reads nothing of it.
    const other = await signUp(server, 'other');
    await createCommunity(server, other);
    expect(errorCode(await server.gql(EVENTS, { c: cast.community.id }, { token: other.token }))).toBe('NOT_FOUND');
  });
});
