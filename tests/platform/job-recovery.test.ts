/**
 * Nothing lost (issue 15): a worker process killed with SIGKILL in the middle of a batch of 1,000
 * notification and webhook jobs, then a new one started. The killed one's locked jobs are released
 * by the new one's sweep (their worker's heartbeat stopped; JOB_LOCK_TIMEOUT_SECONDS made short
 * here) rather than after graphile-worker's 4 hours; every notification exists exactly once, every
 * webhook event reaches the receiver (at least once, exactly the set of events once deduplicated by
 * `webhook-id`), and no job is left locked or failed. Jobs run again after their write (the kill's
 * case) write nothing twice. On the embedded database, a start releases every lock left.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { webhookId } from '../../src/modules/webhooks/delivery';
import { startJobs } from '../../src/platform/jobs/jobs';
import { createPost, dbId, dbQuery } from '../posts/operations';
import { spawnTownsquare, type TownsquareProcess } from '../support/process';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  onCleanup,
  signUp,
  startTestServer,
  testEnv,
  type TestServer,
  type TestUser,
} from '../support/server';

jest.setTimeout(90_000);

let server: TestServer;
beforeAll(async () => {
  // This instance only enqueues: the spawned processes run the jobs.
  server = await startTestServer({ JOB_CONCURRENCY: '0', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
});
afterAll(closeAll);

async function until<T>(what: string, check: () => Promise<T | false | undefined>, ms = 40_000): Promise<T> {
  for (const started = Date.now(); ;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The batch's comments and webhook events (set once written). */
const batch = { comments: '{}', events: '{}' };

/**
 * The batch's jobs still in the queue, and how many of them are locked: its reply and mention jobs,
 * its fan-outs and its deliveries (the suite's database may hold other tests' jobs, some due days on;
 * payloads are in graphile-worker's own table: its public view has none).
 */
const waiting = async () =>
  (
    await dbQuery(
      server,
      `select count(*)::int as n, count(j.locked_by)::int as locked
         from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where (t.identifier in ('notifications.reply', 'notifications.mention')
               and (j.payload->>'commentId')::int = any(?::int[]))
           or (t.identifier = 'webhooks.fanout' and (j.payload->>'eventId')::int = any(?::int[]))
           or (t.identifier = 'webhooks.deliver'
               and (j.payload->>'deliveryId')::int in (select d.id from webhook_deliveries d where d.event_id = any(?::int[])))`,
      [batch.comments, batch.events, batch.events],
    )
  )[0] as { n: number; locked: number };

/** A worker process (the server binary, running 4 workers) on the suite's database. */
function workerProcess(): TownsquareProcess {
  return spawnTownsquare(
    testEnv({
      JOB_CONCURRENCY: '4',
      JOB_POLL_MS: '100',
      JOB_HEARTBEAT_SECONDS: '1',
      JOB_LOCK_TIMEOUT_SECONDS: '3',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_BASE_MS: '200',
      LOG_LEVEL: 'warn',
    }),
  );
}

describe('jobs of a killed worker', () => {
  it('run again on the next worker: every notification once, every webhook event delivered', async () => {
    // The receiver: answers after 20 ms, so deliveries are in flight when the worker is killed.
    const received: { id: string; body: string; headers: Record<string, string> }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        received.push({ id: String(req.headers['webhook-id']), body, headers: req.headers as Record<string, string> });
        setTimeout(() => res.writeHead(200).end('thanks'), 20);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    // Through the API: a community with a webhook on new comments, 10 authors with a post each, 5 commenters.
    const owner = await signUp(server, 'owner');
    const community = await createCommunity(server, owner, 'PUBLIC');
    const hook = await server.gql(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
      { input: { communityId: community.id, url: receiverUrl, eventTypes: ['COMMENT_ADDED'] } },
      { token: owner.token },
    );
    if (hook.body.errors) throw new Error(JSON.stringify(hook.body.errors));
    const secret = hook.body.data.createWebhookEndpoint.secret as string;
    const join = async (prefix: string) => {
      const u = await signUp(server, prefix);
      await joinCommunity(server, u, community.id);
      return u;
    };
    const authors: TestUser[] = [];
    for (let i = 0; i < 10; i++) authors.push(await join(`a${i}`));
    const commenters: TestUser[] = [];
    for (let i = 0; i < 5; i++) commenters.push(await join(`c${i}`));
    const posts: number[] = [];
    for (const a of authors) posts.push(dbId((await createPost(server, a, community.id)).id));

    // The batch: 250 comments (25 per post, each mentioning the post's author), written in one
    // statement whose trigger records 250 webhook events with their fan-out jobs; with their 250
    // reply and 250 mention jobs, and the 250 deliveries the fan-outs enqueue: 1,000 jobs.
    const commenterIds = commenters.map((c) => dbId(c.user.id));
    const comments = await dbQuery<{ id: number }>(
      server,
      `insert into comments (post_id, author_id, body, body_html)
       select p.id, (?::int[])[1 + i % 5], 'Hello @' || u.handle, 'Hello @' || u.handle
         from unnest(?::int[]) as p(id) join posts on posts.id = p.id join users u on u.id = posts.author_id,
              generate_series(1, 25) as i
       returning id`,
      [`{${commenterIds.join(',')}}`, `{${posts.join(',')}}`],
    );
    expect(comments).toHaveLength(250);
    const ids = `{${comments.map((c) => c.id).join(',')}}`;
    await dbQuery(
      server,
      `select graphile_worker.add_job('notifications.reply', json_build_object('commentId', c)),
              graphile_worker.add_job('notifications.mention', json_build_object('commentId', c))
         from unnest(?::int[]) as c`,
      [ids],
    );
    const events = await dbQuery<{ id: number }>(
      server,
      `select e.id from webhook_events e where e.type = 'COMMENT_ADDED' and e.subject_id = any(?::int[])`,
      [ids],
    );
    expect(events).toHaveLength(250);
    batch.comments = ids;
    batch.events = `{${events.map((e) => e.id).join(',')}}`;

    // A worker process takes part of the batch, and is killed while it holds jobs.
    const started = Date.now();
    const first = workerProcess();
    await until('part of the batch done, with jobs locked', async () => {
      const w = await waiting();
      return w.n < 650 && w.locked > 0;
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    const atKill = await waiting();
    expect(atKill.locked).toBeGreaterThan(0); // the dead worker's locks, which graphile-worker would keep 4 hours
    expect(atKill.n).toBeGreaterThan(0);

    // The next one releases them (their worker's heartbeat stopped) and finishes the batch.
    const second = workerProcess();
    await until('the whole batch done', async () => (await waiting()).n === 0);
    const elapsed = Date.now() - started;
    await second.waitForLog((l) => /released \d+ job\(s\) held by \d+ dead worker/.test(l.msg));

    // Every notification exactly once: one REPLY per post with the count of its 25 replies, one MENTION per comment.
    const replies = await dbQuery(
      server,
      `select post_id, count(*)::int as rows, sum(count)::int as count from notifications
        where kind = 'REPLY' and post_id = any(?::int[]) group by post_id`,
      [`{${posts.join(',')}}`],
    );
    expect(replies).toHaveLength(10);
    for (const r of replies) expect(r).toMatchObject({ rows: 1, count: 25 });
    const mentions = await dbQuery(
      server,
      `select latest_comment_id, count(*)::int as n from notifications
        where kind = 'MENTION' and latest_comment_id = any(?::int[]) group by latest_comment_id`,
      [ids],
    );
    expect(mentions).toHaveLength(250);
    expect(mentions.every((m) => m.n === 1)).toBe(true);

    // Every event delivered (some perhaps twice: in flight at the kill), once per event by webhook-id.
    await until('every delivery succeeded', async () => {
      const [{ n }] = await dbQuery(
        server,
        `select count(*)::int as n from webhook_deliveries d where d.event_id = any(?::int[]) and d.status = 'SUCCEEDED'`,
        [`{${events.map((e) => e.id).join(',')}}`],
      );
      return n === 250;
    });
    const delivered = new Set(received.map((r) => r.id));
    expect([...delivered].sort()).toEqual(events.map((e) => webhookId(e.id)).sort());
    for (const r of received.slice(0, 5)) expect(() => new Webhook(secret).verify(r.body, r.headers)).not.toThrow();

    // Nothing left locked or failed, anywhere in the queue.
    const [left] = await dbQuery(
      server,
      `select count(locked_by)::int as locked, count(*) filter (where attempts >= max_attempts)::int as failed
         from graphile_worker.jobs`,
    );
    expect(left).toEqual({ locked: 0, failed: 0 });
    expect(elapsed).toBeLessThan(60_000);

    // Jobs run again after their write (a worker killed before graphile-worker deleted them) write nothing twice.
    const deliveriesBefore = received.length;
    await dbQuery(
      server,
      `select graphile_worker.add_job('notifications.reply', json_build_object('commentId', c)),
              graphile_worker.add_job('notifications.mention', json_build_object('commentId', c))
         from unnest(?::int[]) as c`,
      [ids],
    );
    await dbQuery(
      server,
      `select graphile_worker.add_job('webhooks.fanout', json_build_object('eventId', e)) from unnest(?::int[]) as e`,
      [`{${events.map((e) => e.id).join(',')}}`],
    );
    await until('the re-run jobs done', async () => (await waiting()).n === 0);
    expect(
      await dbQuery(
        server,
        `select post_id, count(*)::int as rows, sum(count)::int as count from notifications
          where kind = 'REPLY' and post_id = any(?::int[]) group by post_id`,
        [`{${posts.join(',')}}`],
      ),
    ).toEqual(expect.arrayContaining(replies));
    const [{ n: mentionRows }] = await dbQuery(
      server,
      `select count(*)::int as n from notifications where kind = 'MENTION' and latest_comment_id = any(?::int[])`,
      [ids],
    );
    expect(mentionRows).toBe(250);
    const [{ n: deliveryRows }] = await dbQuery(
      server,
      'select count(*)::int as n from webhook_deliveries where event_id = any(?::int[])',
      [`{${events.map((e) => e.id).join(',')}}`],
    );
    expect(deliveryRows).toBe(250);
    expect(received.length).toBe(deliveriesBefore);
    second.child.kill('SIGTERM');
    await second.exited;
  });
});

describe('on the embedded database', () => {
  // The suite's database is shared (a DATABASE_URL client even on PGlite): startJobs is told it is
  // the embedded one, as startServer tells it when DATABASE_URL is unset.
  it('a start releases every job lock left (only one process ever uses the data folder)', async () => {
    const [{ id }] = await dbQuery(
      server,
      `select (graphile_worker.add_job('reputation.monthlyBadges', run_at => now() + interval '1 day')).id::text as id`,
    );
    await dbQuery(
      server,
      `update graphile_worker._private_jobs set locked_by = 'worker-of-a-dead-process', locked_at = now() where id = ?`,
      [id],
    );
    const { app } = server;
    const warnings: unknown[] = [];
    const log = Object.assign(Object.create(app.log), {
      child: () => log,
      warn: (...args: unknown[]) => warnings.push(args),
      info: () => undefined,
    });
    const jobs = await startJobs({
      url: app.db.url,
      preparedStatements: app.db.preparedStatements,
      orm: app.db.orm,
      pubsub: app.pubsub,
      responseCache: { invalidate: async () => undefined } as never,
      services: {} as never,
      config: app.config,
      log,
      tasks: {},
      schedules: [],
      concurrency: 0,
      embedded: true,
    });
    await jobs.stop();
    expect(await dbQuery(server, 'select locked_by, locked_at from graphile_worker.jobs where id = ?', [id])).toEqual([
      { locked_by: null, locked_at: null },
    ]);
    expect(JSON.stringify(warnings)).toMatch(/released 1 job\(s\) locked before this start/);
    await dbQuery(server, 'delete from graphile_worker._private_jobs where id = ?', [id]);
  });
});
