/**
 * Retention settings (issue 17, point 6): platform admins set how long chat messages, read
 * notifications and client addresses are kept; the daily jobs delete what is older (run here as
 * their schedule runs them), and rate-limit keys naming an address expire within the setting and
 * name it only by a keyed hash. Log lines hold addresses as LOG_IP says (tests/security/socket-limits.test.ts).
 */
import { createClient } from 'redis';
import { addComment, castOf, createPost, dbId, dbQuery } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import {
  closeAll,
  errorCode,
  grantPlatformAdmin,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
/** A second instance of the same platform, with strict sign-in limits. */
let limited: TestServer;
let admin: TestUser;
beforeAll(async () => {
  server = await startTestServer({ JOB_POLL_MS: '100' });
  // A rate-limit window (2 h) longer than the shortest address retention (1 h); requests from
  // TEST-NET-3 addresses of their own (through the loopback proxy), not 127.0.0.1's shared bucket.
  limited = await startTestServer({
    JOB_CONCURRENCY: '0',
    AUTH_RATE_LIMIT: '1',
    AUTH_RATE_WINDOW_SECONDS: '7200',
    TRUST_PROXY: 'loopback',
  });
  admin = await signUp(server, 'retention-admin');
  await grantPlatformAdmin(server, admin);
});
afterAll(async () => {
  // The settings are the platform's (one row): the files after this one find the defaults.
  await dbQuery(
    server,
    'update retention_settings set chat_message_days = null, notification_days = null, ip_address_hours = 24, updated_at = null',
  );
  await closeAll();
});

const READ = `{ retentionSettings { chatMessageDays notificationDays ipAddressHours } }`;
const UPDATE = `mutation($input: UpdateRetentionSettingsInput!) {
  updateRetentionSettings(input: $input) { chatMessageDays notificationDays ipAddressHours updatedAt }
}`;

async function update(input: Record<string, unknown>) {
  const res = await server.gql(UPDATE, { input }, { token: admin.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.updateRetentionSettings;
}

async function runJob(task: string) {
  await dbQuery(server, `select graphile_worker.add_job(?, '{}'::json)`, [task]);
  await jobsSettled(server, 30_000);
}

describe('retention settings', () => {
  it('are read and changed by platform admins only, within their ranges', async () => {
    expect((await server.gql(READ, {}, { token: admin.token })).body.data.retentionSettings).toEqual({
      chatMessageDays: null,
      notificationDays: null,
      ipAddressHours: 24,
    });
    const member = await signUp(server, 'retention-member');
    expect(errorCode(await server.gql(READ, {}, { token: member.token }))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(READ))).toBe('UNAUTHENTICATED');
    expect(errorCode(await server.gql(UPDATE, { input: { chatMessageDays: 1 } }, { token: member.token }))).toBe(
      'FORBIDDEN',
    );
    for (const input of [{ chatMessageDays: 0 }, { notificationDays: 3651 }, { ipAddressHours: 0 }]) {
      expect(errorCode(await server.gql(UPDATE, { input }, { token: admin.token }))).toBe('BAD_USER_INPUT');
    }
    // A field left out stays; null clears.
    expect(await update({ chatMessageDays: 30 })).toMatchObject({ chatMessageDays: 30, ipAddressHours: 24 });
    expect(await update({ chatMessageDays: null, notificationDays: 7 })).toMatchObject({
      chatMessageDays: null,
      notificationDays: 7,
      ipAddressHours: 24,
      updatedAt: expect.any(String),
    });
  });

  it('prune chat messages past chatMessageDays, except one a moderation item is open about', async () => {
    const cast = await castOf(server, 1);
    const community = dbId(cast.community.id);
    const [event] = await dbQuery<{ id: number }>(
      server,
      `insert into events (community_id, organizer_id, kind, title, description, starts_at, ends_at, time_zone, created_at, updated_at)
       values (?, ?, 'LIVE_STREAM', 'Old stream', '', now() - interval '10 days', now() - interval '10 days' + interval '1 hour', 'UTC', now(), now())
       returning id`,
      [community, dbId(cast.owner.user.id)],
    );
    const author = dbId(cast.members[0].user.id);
    const message = async (body: string, age: string) =>
      (
        await dbQuery<{ id: number }>(
          server,
          `insert into chat_messages (event_id, author_id, body, created_at) values (?, ?, ?, now() - ?::interval) returning id`,
          [event.id, author, body, age],
        )
      )[0].id;
    const old = await message('old line', '3 days');
    const reported = await message('old reported line', '3 days');
    const recent = await message('recent line', '1 hour');
    await dbQuery(
      server,
      `insert into moderation_items (community_id, subject_type, subject_id, subject_user_id, snapshot)
       values (?, 'CHAT_MESSAGE', ?, ?, '{}'::jsonb)`,
      [community, reported, author],
    );
    const left = async () =>
      (
        await dbQuery<{ id: number }>(server, 'select id from chat_messages where event_id = ? order by id', [event.id])
      ).map((r) => r.id);

    // Unset: nothing is deleted.
    await runJob('privacy.pruneChat');
    expect(await left()).toEqual([old, reported, recent]);

    await update({ chatMessageDays: 2 });
    await runJob('privacy.pruneChat');
    expect(await left()).toEqual([reported, recent]);

    // Once its item is decided, the reported message goes too.
    await dbQuery(server, `update moderation_items set status = 'DECIDED', decided_at = now() where subject_id = ?`, [
      reported,
    ]);
    await runJob('privacy.pruneChat');
    expect(await left()).toEqual([recent]);
    await update({ chatMessageDays: null });
  });

  it('prune notifications read longer ago than notificationDays; unread ones stay', async () => {
    const cast = await castOf(server, 1);
    const [author, replier] = [cast.owner, cast.members[0]];
    const post = await createPost(server, author, cast.community.id, { title: 'Answer me' });
    const replies = [];
    for (const text of ['first', 'second', 'third']) replies.push(await addComment(server, replier, post.id, text));
    await jobsSettled(server, 30_000);
    const mine = () =>
      dbQuery<{ id: number; read_at: Date | null }>(
        server,
        'select id, read_at from notifications where user_id = ? order by id',
        [dbId(author.user.id)],
      );
    const rows = await mine();
    expect(rows.length).toBeGreaterThan(0);
    // One read 5 days ago, one read an hour ago (when there are two), the rest unread.
    await dbQuery(server, `update notifications set read_at = now() - interval '5 days' where id = ?`, [rows[0].id]);
    await dbQuery(
      server,
      `insert into notifications (user_id, kind, community_id, actor_id, post_id, latest_comment_id, count, read_at, created_at)
       values (?, 'MENTION', ?, ?, ?, ?, 1, now() - interval '1 hour', now() - interval '6 days'),
              (?, 'MENTION', ?, ?, ?, ?, 1, null, now() - interval '6 days')
       returning id`,
      [
        ...[dbId(author.user.id), dbId(cast.community.id), dbId(replier.user.id), dbId(post.id), dbId(replies[1].id)],
        ...[dbId(author.user.id), dbId(cast.community.id), dbId(replier.user.id), dbId(post.id), dbId(replies[2].id)],
      ],
    );
    const before = await mine();

    await update({ notificationDays: 30 });
    await runJob('notifications.prune');
    expect(await mine()).toEqual(before);

    await update({ notificationDays: 2 });
    await runJob('notifications.prune');
    const after = await mine();
    expect(after.map((r) => r.id)).toEqual(before.filter((r) => r.id !== rows[0].id).map((r) => r.id));
    expect(after.filter((r) => r.read_at === null)).toHaveLength(before.filter((r) => r.read_at === null).length);
    await update({ notificationDays: null });
  });

  it('keep a rate-limit key that names a client address no longer than ipAddressHours, and never the address in clear', async () => {
    let next = 0;
    /** Signs in from `address` with a new unknown email each time (the per-account limit never trips). */
    const signInFrom = (address: string) =>
      limited.gql(
        `mutation($input: SignInInput!) { signIn(input: $input) { token } }`,
        { input: { email: `nobody-${Date.now()}-${next++}@example.com`, password: 'not the password' } },
        { headers: { 'x-forwarded-for': address } },
      );
    /** The limit per address is AUTH_RATE_LIMIT × 10: the eleventh attempt is refused; its Retry-After. */
    const retryAfterFrom = async (address: string) => {
      for (let i = 0; i < 10; i++) expect(errorCode(await signInFrom(address))).toBe('UNAUTHENTICATED');
      const refused = await signInFrom(address);
      expect(errorCode(refused)).toBe('RATE_LIMITED');
      return Number(refused.body.errors?.[0].extensions?.retryAfter);
    };

    // 24 hours: the window's own 2 hours.
    const first = `203.0.113.${10 + Math.floor(Math.random() * 100)}`;
    expect(await retryAfterFrom(first)).toBeGreaterThan(3600);
    // 1 hour: the key lives an hour at most, so the limit resets within it. Changed on the other
    // instance: this one reads the settings again within a minute, or at once when restarted.
    await update({ ipAddressHours: 1 });
    await limited.close();
    limited = await startTestServer({
      JOB_CONCURRENCY: '0',
      AUTH_RATE_LIMIT: '1',
      AUTH_RATE_WINDOW_SECONDS: '7200',
      TRUST_PROXY: 'loopback',
    });
    const second = `203.0.113.${120 + Math.floor(Math.random() * 100)}`;
    const retryAfter = await retryAfterFrom(second);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(retryAfter).toBeGreaterThan(3500);
    await update({ ipAddressHours: 24 });

    if (process.env.REDIS_URL) {
      // In Redis the keys name the addresses by a keyed hash only.
      const redis = createClient({ url: process.env.REDIS_URL });
      await redis.connect();
      try {
        const keys: string[] = [];
        for await (const batch of redis.scanIterator({ MATCH: 'ratelimit:*', COUNT: 1000 })) {
          keys.push(...(Array.isArray(batch) ? batch : [batch]));
        }
        expect(keys.some((k) => k.includes(':signin:ip:'))).toBe(true);
        expect(keys.filter((k) => k.includes(first) || k.includes(second) || k.includes('127.0.0.1'))).toEqual([]);
        const hashed = keys.filter((k) => k.includes(':signin:ip:'));
        const ttls = await Promise.all(hashed.map((k) => redis.pTTL(k)));
        expect(Math.max(...ttls)).toBeLessThanOrEqual(7200_000);
      } finally {
        redis.destroy();
      }
    }
  });
});
