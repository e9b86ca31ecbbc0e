/**
 * `pollUpdated(pollId)` through the public API: new counts after ballots, coalesced (a few a second,
 * the last state always delivered); the final state once when the poll closes, by hand or by time
 * with no request arriving; nothing leaked while results are hidden or ballots are anonymous;
 * private communities. With REDIS_URL: watchers on one instance see ballots cast through another,
 * and a close by time is announced once across instances.
 */
import { createClient as createRedisClient } from 'redis';
import { pollTopics } from '../../src/modules/polls/polls.events';
import { dbId, dbQuery } from '../posts/operations';
import { record, type Recording } from '../support/subscription';
import {
  closeAll,
  errorCode,
  onCleanup,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { ClosePollDocument, createPoll, inBatches, pollCast, voted } from './operations';

const WATCH = `subscription PollsWatch($id: ID!) {
  pollUpdated(pollId: $id) { id closed resultsVisible totalVoters options { text votes } }
}`;
const WATCH_VOTERS = `subscription PollsWatchVoters($id: ID!) {
  pollUpdated(pollId: $id) { totalVoters options { votes voters(first: 10) { edges { node { handle } } } } viewerVote { text } }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Emission = {
  closed: boolean;
  resultsVisible: boolean;
  totalVoters: number;
  options: { text: string; votes: number | null }[];
};
const emissions = (r: Recording<any>): Emission[] => r.results.map((x) => x.data?.pollUpdated);
const last = (r: Recording<any>) => emissions(r)[r.results.length - 1];

/** Subscribes, then has `prober` re-vote (alternating options) until the watcher hears it: the subscription is live. */
async function watch(
  on: TestServer,
  who: TestUser | undefined,
  poll: any,
  prober: TestUser,
  query = WATCH,
): Promise<Recording<any>> {
  const rec = record<any>(on.ws(who ? { token: who.token } : {}), { query, variables: { id: poll.id } });
  for (let i = 0; rec.results.length === 0; i++) {
    if (i === 50 || rec.failure || rec.completed)
      throw new Error(`the watcher never heard a ballot: ${JSON.stringify(rec.failure ?? rec.results)}`);
    await voted(on, prober, poll.id, [poll.options[i % 2].id]);
    await sleep(100);
  }
  return rec;
}

/** Counts per option and voters, recounted from the ballots table. */
async function recount(pollId: string) {
  const rows = await dbQuery(
    server,
    `select (select count(*)::int from ballot_choices c where c.option_id = o.id) as n from poll_options o where o.poll_id = ? order by o.position`,
    [dbId(pollId)],
  );
  const [{ voters }] = await dbQuery(server, 'select count(*)::int as voters from ballots where poll_id = ?', [
    dbId(pollId),
  ]);
  return { votes: rows.map((r) => r.n), voters };
}

describe('pollUpdated', () => {
  it('coalesces a burst of ballots into a few emissions a second and always delivers the last state', async () => {
    const { owner, members, community } = await pollCast(server, 40);
    const poll = await createPoll(server, owner, community.id, { options: ['A', 'B', 'C'] });
    const rec = await watch(server, undefined, poll, members[0]);
    const before = rec.results.length;
    const started = Date.now();
    // 40 first ballots and 40 changes, fired together.
    await Promise.all(
      members.flatMap((m, i) => [
        voted(server, m, poll.id, [poll.options[i % 3].id]),
        voted(server, m, poll.id, [poll.options[(i + 1) % 3].id]),
      ]),
    );
    const elapsed = Date.now() - started;
    const final = await recount(poll.id);
    await rec.until(
      () => {
        const e = last(rec);
        return e.totalVoters === final.voters && e.options.every((o, i) => o.votes === final.votes[i]);
      },
      'the final state',
      5000,
    );
    await sleep(600); // nothing more should come
    const during = rec.results.length - before;
    // At most one emission per 250 ms window (plus the leading and trailing edges), far fewer than the 80 ballots.
    expect(during).toBeLessThanOrEqual(Math.ceil((elapsed + 600) / 250) + 2);
    expect(during).toBeLessThan(80);
    expect(last(rec)).toMatchObject({ totalVoters: 40, closed: false });
    expect(last(rec).options.map((o) => o.votes)).toEqual(final.votes);
  });

  it('emits the final state once when the poll closes by time, with no request arriving, then completes', async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id, { closesAt: new Date(Date.now() + 2500).toISOString() });
    const rec = await watch(server, a, poll, b);
    await voted(server, a, poll.id, [poll.options[2].id]);
    await rec.until(() => last(rec).closed === true, 'the closing emission', 8000);
    await rec.settled(2000);
    expect(rec.completed).toBe(true);
    const closing = emissions(rec).filter((e) => e.closed);
    expect(closing).toHaveLength(1);
    const final = await recount(poll.id);
    expect([closing[0].totalVoters, closing[0].options.map((o) => o.votes)]).toEqual([final.voters, final.votes]);
    const [row] = await dbQuery(
      server,
      'select close_announced_at is not null as announced, closed_at from polls where id = ?',
      [dbId(poll.id)],
    );
    expect(row).toEqual({ announced: true, closed_at: null });
  });

  it('schedules the close as one job at closesAt, in the creating transaction, and drops it when closed by hand first', async () => {
    const { owner, community } = await pollCast(server, 0);
    const closesAt = new Date(Date.now() + 3_600_000);
    const [byTime, byHand] = [
      await createPoll(server, owner, community.id, { closesAt: closesAt.toISOString() }),
      await createPoll(server, owner, community.id, { closesAt: closesAt.toISOString() }),
    ];
    const job = (poll: any) =>
      dbQuery(
        server,
        `select t.identifier as task, j.payload, (extract(epoch from j.run_at) * 1000)::float8 as run_at from graphile_worker._private_jobs j
           join graphile_worker._private_tasks t on t.id = j.task_id where j.key = ?`,
        [`poll-close:${dbId(poll.id)}`],
      );
    for (const poll of [byTime, byHand]) {
      expect(await job(poll)).toEqual([
        { task: 'polls.close', payload: { pollId: dbId(poll.id) }, run_at: closesAt.getTime() },
      ]);
    }
    const closed = await server.gql(ClosePollDocument, { id: byHand.id }, { token: owner.token });
    expect(closed.body.errors).toBeUndefined();
    expect(await job(byHand)).toEqual([]);
    expect(await job(byTime)).toHaveLength(1);
  });

  it('emits the final state when a poll is closed by hand', async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id);
    const rec = await watch(server, undefined, poll, b);
    await voted(server, a, poll.id, [poll.options[0].id]);
    expect(errorCode(await server.gql(ClosePollDocument, { id: poll.id }, { token: owner.token }))).toBeUndefined();
    await rec.until(() => last(rec).closed === true, 'the closing emission');
    await rec.settled();
    expect(last(rec).totalVoters).toBe(2);
    expect(emissions(rec).filter((e) => e.closed)).toHaveLength(1);
  });

  it('sends turnout but no counts while results are hidden, and the results once the poll closes', async () => {
    const {
      owner,
      members: [a, b, c],
      community,
    } = await pollCast(server, 3);
    const poll = await createPoll(server, owner, community.id, { hideResultsUntilClosed: true });
    const rec = await watch(server, owner, poll, c);
    await voted(server, a, poll.id, [poll.options[1].id]);
    await voted(server, b, poll.id, [poll.options[1].id]);
    await rec.until(() => last(rec).totalVoters === 3, 'three voters');
    for (const e of emissions(rec))
      expect([e.resultsVisible, e.options.map((o) => o.votes)]).toEqual([false, [null, null, null]]);
    await server.gql(ClosePollDocument, { id: poll.id }, { token: owner.token });
    await rec.until(() => last(rec).closed === true, 'the closing emission');
    expect([last(rec).resultsVisible, last(rec).options.map((o) => o.votes)]).toEqual([
      true,
      (await recount(poll.id)).votes,
    ]);
  });

  it('never sends the voters of an anonymous poll, while each watcher still sees their own ballot', async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2);
    const poll = await createPoll(server, owner, community.id, { anonymous: true });
    const rec = await watch(server, a, poll, b, WATCH_VOTERS);
    await voted(server, a, poll.id, [poll.options[2].id]);
    await rec.until(() => rec.results.at(-1)!.data.pollUpdated.totalVoters === 2, 'both ballots');
    for (const r of rec.results) {
      expect(r.errors).toBeUndefined();
      for (const o of r.data.pollUpdated.options) expect(o.voters).toBeNull();
    }
    expect(rec.results.at(-1)!.data.pollUpdated.viewerVote).toEqual([{ text: 'Blue' }]);
  });

  it("keeps a private community's polls from non-members, and ends when the watcher leaves", async () => {
    const {
      owner,
      members: [a, b],
      community,
    } = await pollCast(server, 2, 'PRIVATE');
    const poll = await createPoll(server, owner, community.id);
    const outsider = await signUp(server, 'out');
    for (const who of [undefined, outsider]) {
      const denied = record<any>(server.ws(who ? { token: who.token } : {}), {
        query: WATCH,
        variables: { id: poll.id },
      });
      await denied.settled();
      expect(denied.errorCodes()).toEqual(['NOT_FOUND']);
    }
    const rec = await watch(server, a, poll, b);
    await server.gql(
      'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
      { id: community.id },
      { token: a.token },
    );
    await rec.settled();
    const heard = rec.results.length;
    await voted(server, b, poll.id, [poll.options[2].id]);
    await sleep(400);
    expect(rec.results.length).toBe(heard);
  });
});

const redisUrl = process.env.REDIS_URL;
// Defined only with REDIS_URL (CI runs the suite with it), so nothing is skipped without it.
if (redisUrl) {
  describe('across instances (REDIS_URL)', () => {
    it('delivers ballots cast through one instance to watchers on another, ending on the exact final state', async () => {
      const other = await startTestServer();
      const { owner, members, community } = await pollCast(server, 30);
      const poll = await createPoll(server, owner, community.id);
      const rec = await watch(other, undefined, poll, members[0]);
      await inBatches(members.length, 15, (i) => voted(server, members[i], poll.id, [poll.options[i % 3].id]));
      const final = await recount(poll.id);
      await rec.until(
        () => last(rec).totalVoters === final.voters && last(rec).options.every((o, i) => o.votes === final.votes[i]),
        'the final state',
        10_000,
      );
    });

    it("listens to a poll's topic once per instance, whatever the watchers and whether they share an execution", async () => {
      const admin = createRedisClient({ url: redisUrl });
      admin.on('error', () => {});
      await admin.connect();
      onCleanup(() => admin.destroy());
      const {
        owner,
        members: [a, b, c, d],
        community,
      } = await pollCast(server, 4);
      const poll = await createPoll(server, owner, community.id);
      // Two anonymous watchers (one shared execution) and three members asking for their own ballot (one execution each).
      const watchers = [await watch(server, undefined, poll, d), await watch(server, undefined, poll, d)];
      for (const who of [a, b, c]) watchers.push(await watch(server, who, poll, d, WATCH_VOTERS));
      const topic = pollTopics.changed(dbId(poll.id));
      expect((await admin.pubSubNumSub(topic))[topic]).toBe(1);
      await Promise.all([a, b, c].map((who, i) => voted(server, who, poll.id, [poll.options[i].id])));
      for (const w of watchers)
        await w.until(() => w.results.at(-1)!.data.pollUpdated.totalVoters === 4, 'every ballot');
    });

    it('announces a close by time once across instances', async () => {
      const other = await startTestServer();
      const {
        owner,
        members: [a, b],
        community,
      } = await pollCast(server, 2);
      const poll = await createPoll(server, owner, community.id, {
        closesAt: new Date(Date.now() + 2500).toISOString(),
      });
      const here = await watch(server, a, poll, b);
      const there = await watch(other, b, poll, a);
      for (const rec of [here, there]) {
        await rec.until(() => rec.completed, 'the closing emission and the end', 8000);
        expect(emissions(rec).filter((e) => e.closed)).toHaveLength(1);
      }
    });
  });
}
