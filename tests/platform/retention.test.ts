/**
 * Retention (the daily prune jobs): read notifications older than NOTIFICATION_RETENTION_DAYS,
 * webhook events older than WEBHOOK_RETENTION_DAYS (with their deliveries, unless one is still being
 * retried), expired sessions and spent email tokens are deleted; everything else stays. The rows'
 * ages are set in SQL; the jobs are enqueued as their schedule does and run by the server's workers.
 */
import { addComment, castOf, createPost, dbId, dbQuery } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
import { closeAll, signUp, startTestServer, type TestServer, type TestUser } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    JOB_POLL_MS: '100',
    NOTIFICATION_RETENTION_DAYS: '30',
    WEBHOOK_RETENTION_DAYS: '7',
  });
});
afterAll(closeAll);

async function runJob(task: string): Promise<void> {
  await dbQuery(server, 'select graphile_worker.add_job(?)', [task]);
  await jobsSettled(server);
}

const NOTIFICATIONS = `{ viewer { notifications(first: 10) { edges { node { kind post { title } read } } } } }`;
async function notifications(who: TestUser): Promise<{ title: string; read: boolean }[]> {
  const res = await server.gql(NOTIFICATIONS, {}, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data.viewer.notifications.edges
    .filter((e: any) => e.node.kind === 'REPLY')
    .map((e: any) => ({ title: e.node.post.title, read: e.node.read }))
    .sort((a: any, b: any) => a.title.localeCompare(b.title));
}

describe('retention', () => {
  it('deletes notifications read longer ago than NOTIFICATION_RETENTION_DAYS, and keeps unread and recently read ones', async () => {
    const cast = await castOf(server, 1);
    const [author, replier] = [cast.members[0], cast.owner];
    const posts = [];
    for (const title of ['Old and read', 'Old and unread', 'Read lately']) {
      const post = await createPost(server, author, cast.community.id, { title });
      posts.push(post);
      await addComment(server, replier, post.id, `On ${title}`);
    }
    await jobsSettled(server);
    // Read all but the unread one; then age them: read 31 days ago, or 29.
    await dbQuery(
      server,
      `update notifications set created_at = now() - interval '60 days',
              read_at = case post_id when ? then now() - interval '31 days' when ? then null else now() - interval '29 days' end
        where user_id = ? and kind = 'REPLY'`,
      [dbId(posts[0].id), dbId(posts[1].id), dbId(author.user.id)],
    );
    expect(await notifications(author)).toEqual([
      { title: 'Old and read', read: true },
      { title: 'Old and unread', read: false },
      { title: 'Read lately', read: true },
    ]);
    await runJob('notifications.prune');
    expect(await notifications(author)).toEqual([
      { title: 'Old and unread', read: false },
      { title: 'Read lately', read: true },
    ]);
  });

  it('deletes webhook events older than WEBHOOK_RETENTION_DAYS with their deliveries, but not one still being retried', async () => {
    const cast = await castOf(server, 0);
    const community = dbId(cast.community.id);
    const post = dbId((await createPost(server, cast.owner, cast.community.id)).id);
    const [endpoint] = await dbQuery<{ id: number }>(
      server,
      `insert into webhook_endpoints (community_id, url, event_types, secret_sealed, enabled, created_at)
       values (?, 'https://example.com/hook', '{POST_CREATED}', 'x', false, now()) returning id`,
      [community],
    );
    const event = async (daysAgo: number, status: string) => {
      const [row] = await dbQuery<{ id: number }>(
        server,
        `with e as (insert into webhook_events (community_id, type, subject_id, created_at)
                    values (?, 'POST_CREATED', ?, now() - make_interval(days => ?)) returning id)
         insert into webhook_deliveries (endpoint_id, event_id, status, attempts, created_at)
         select ?, e.id, ?, 1, now() from e returning event_id as id`,
        [community, post, daysAgo, endpoint.id, status],
      );
      return row.id;
    };
    const old = await event(8, 'FAILED');
    const retrying = await event(8, 'PENDING');
    const recent = await event(6, 'SUCCEEDED');
    await runJob('webhooks.prune');
    const left = await dbQuery<{ id: number; deliveries: number }>(
      server,
      `select e.id, (select count(*)::int from webhook_deliveries d where d.event_id = e.id) as deliveries
         from webhook_events e where e.id in (?, ?, ?) order by e.id`,
      [old, retrying, recent],
    );
    expect(left).toEqual([
      { id: retrying, deliveries: 1 },
      { id: recent, deliveries: 1 },
    ]);
    expect(await dbQuery(server, 'select 1 from webhook_deliveries where event_id = ?', [old])).toEqual([]);
  });

  it('deletes expired sessions and email tokens spent more than a day ago; live ones keep working', async () => {
    const [expired, live] = [await signUp(server, 'gone'), await signUp(server, 'here')];
    await dbQuery(server, `update sessions set expires_at = now() - interval '1 minute' where user_id = ?`, [
      dbId(expired.user.id),
    ]);
    const tokens = () =>
      dbQuery<{ user_id: number }>(server, 'select user_id from email_tokens where user_id in (?, ?)', [
        dbId(expired.user.id),
        dbId(live.user.id),
      ]);
    expect((await tokens()).length).toBe(2); // signUp's verification emails
    await dbQuery(server, `update email_tokens set used_at = now() - interval '2 days' where user_id = ?`, [
      dbId(expired.user.id),
    ]);
    await runJob('accounts.prune');
    expect(await dbQuery(server, 'select 1 from sessions where user_id = ?', [dbId(expired.user.id)])).toEqual([]);
    expect(await tokens()).toEqual([{ user_id: dbId(live.user.id) }]);
    const me = await server.gql('{ viewer { handle } }', {}, { token: live.token });
    expect(me.body.data.viewer.handle).toBe(live.user.handle);
  });
});
