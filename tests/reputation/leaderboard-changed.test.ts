/**
 * `leaderboardChanged(communityId, period)` through the public API: the board at once, then its new
 * state after votes, coalesced (a few emissions a second, the last state always delivered); private
 * communities; with REDIS_URL, votes through one instance reach watchers on another.
 */
import { castOf, createPost, vote } from '../posts/operations';
import { startPrivateRedis } from '../support/redis-server';
import { record, type Recording } from '../support/subscription';
import { closeAll, signUp, startTestServer, type TestServer } from '../support/server';
import { LEADERBOARD_CHANGED, leaderboard, ok } from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LEADERBOARD_UPDATE_INTERVAL_MS: '300' });
});
afterAll(closeAll);

type Entry = { rank: number; score: number; member: { user: { handle: string } } };
const boards = (r: Recording<any>): Entry[][] => r.results.map((x) => x.data?.leaderboardChanged);
const lastBoard = (r: Recording<any>) => boards(r)[r.results.length - 1];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('leaderboardChanged', () => {
  it('emits the board at once, then after each change, coalescing bursts and always delivering the last state', async () => {
    const cast = await castOf(server, 30);
    const [author, second, ...voters] = cast.members;
    const post = await createPost(server, author, cast.community.id);
    const other = await createPost(server, second, cast.community.id);
    const rec = record<any>(server.ws(), {
      query: LEADERBOARD_CHANGED,
      variables: { id: cast.community.id, period: 'ALL_TIME', first: 5 },
    });
    await rec.until(() => rec.results.length === 1, 'the first emission');
    expect(lastBoard(rec)).toEqual([]);

    await vote(server, voters[0], post.id, 'UP');
    await rec.until(() => lastBoard(rec)?.length === 1, 'the board after a vote');
    expect(lastBoard(rec)).toEqual([{ rank: 1, score: 10, member: { user: { handle: author.user.handle } } }]);

    // A burst: 28 votes at once on two posts.
    const before = rec.results.length;
    const started = Date.now();
    await Promise.all(voters.slice(1).map((v, i) => vote(server, v, i % 3 === 0 ? other.id : post.id, 'UP')));
    const expected = (await leaderboard(server, cast.community.slug, 'ALL_TIME', 5)).map((s) => ({
      rank: s.rank,
      score: s.score,
      member: { user: { handle: s.member.user.handle } },
    }));
    expect(expected.map((e) => e.score)).toEqual([10 + 10 * 18, 90]);
    await rec.until(() => JSON.stringify(lastBoard(rec)) === JSON.stringify(expected), 'the final board');
    const elapsed = Date.now() - started;
    const during = rec.results.length - before;
    // At most one read per 300 ms window (plus the leading and trailing edges): far fewer than 28.
    expect(during).toBeLessThanOrEqual(Math.ceil(elapsed / 300) + 2);
    expect(during).toBeLessThan(28);
    await sleep(700);
    expect(lastBoard(rec)).toEqual(expected); // nothing after the last state
    expect(rec.errorCodes()).toEqual([]);
  });

  it("skips emissions that leave a subscriber's entries unchanged", async () => {
    const cast = await castOf(server, 5);
    const [top, low, v1, v2, v3] = cast.members;
    const a = await createPost(server, top, cast.community.id);
    const b = await createPost(server, low, cast.community.id);
    for (const v of [v1, v2, v3]) await vote(server, v, a.id, 'UP');
    await vote(server, v1, b.id, 'UP');
    const rec = record<any>(server.ws(), {
      query: LEADERBOARD_CHANGED,
      variables: { id: cast.community.id, period: 'WEEK', first: 1 },
    });
    await rec.until(() => rec.results.length === 1, 'the first emission');
    expect(lastBoard(rec)).toEqual([{ rank: 1, score: 30, member: { user: { handle: top.user.handle } } }]);
    await vote(server, v2, b.id, 'UP'); // second place moves to 20: this subscriber's first 1 is unchanged
    await sleep(800);
    expect(boards(rec)).toHaveLength(1);
    await vote(server, v1, a.id, 'NONE');
    await vote(server, v2, a.id, 'NONE'); // top drops to 10, below low's 20
    await rec.until(() => lastBoard(rec)[0].member.user.handle === low.user.handle, 'the new leader');
    expect(lastBoard(rec)).toEqual([{ rank: 1, score: 20, member: { user: { handle: low.user.handle } } }]);
  });

  it('refuses non-members of a private community and ends when a member leaves', async () => {
    const cast = await castOf(server, 1, 'PRIVATE');
    const outsider = await signUp(server, 'out');
    const refused = record<any>(server.ws({ token: outsider.token }), {
      query: LEADERBOARD_CHANGED,
      variables: { id: cast.community.id, period: 'ALL_TIME' },
    });
    await refused.settled();
    expect(refused.errorCodes()).toEqual(['NOT_FOUND']);
    const [member] = cast.members;
    const rec = record<any>(server.ws({ token: member.token }), {
      query: LEADERBOARD_CHANGED,
      variables: { id: cast.community.id, period: 'MONTH' },
    });
    await rec.until(() => rec.results.length === 1, 'the first emission');
    ok(
      await server.gql(
        'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
        { id: cast.community.id },
        { token: member.token },
      ),
    );
    await rec.settled();
    expect(rec.completed).toBe(true);
  });

  if (process.env.REDIS_URL) {
    it('with Redis: watchers on one instance see votes cast through another', async () => {
      const other = await startTestServer({ LEADERBOARD_UPDATE_INTERVAL_MS: '300' });
      const cast = await castOf(server, 2);
      const [author, voter] = cast.members;
      const post = await createPost(server, author, cast.community.id);
      const rec = record<any>(other.ws(), {
        query: LEADERBOARD_CHANGED,
        variables: { id: cast.community.id, period: 'ALL_TIME' },
      });
      await rec.until(() => rec.results.length === 1, 'the first emission');
      await vote(server, voter, post.id, 'UP');
      await rec.until(() => lastBoard(rec)?.[0]?.score === 10, 'the vote from the other instance');
      expect(lastBoard(rec)[0].member.user.handle).toBe(author.user.handle);
    });

    it('with Redis: a vote made while Redis is down reaches the board and its watchers once Redis is back, empty', async () => {
      const redis = await startPrivateRedis();
      const on = await startTestServer({ REDIS_URL: redis.url, LEADERBOARD_UPDATE_INTERVAL_MS: '300' });
      const cast = await castOf(on, 3);
      const [author, v1, v2] = cast.members;
      const post = await createPost(on, author, cast.community.id);
      await vote(on, v1, post.id, 'UP');
      const rec = record<any>(on.ws(), {
        query: LEADERBOARD_CHANGED,
        variables: { id: cast.community.id, period: 'ALL_TIME' },
      });
      await rec.until(() => lastBoard(rec)?.[0]?.score === 10, 'the board');
      await redis.kill();
      await vote(on, v2, post.id, 'UP'); // committed; the board and the signal fail
      await redis.start(); // a Redis with no data: the boards load again from the ledger
      await rec.until(() => lastBoard(rec)?.[0]?.score === 20, 'the board after Redis came back', 15_000);
      expect((await leaderboard(on, cast.community.slug, 'ALL_TIME'))[0]).toMatchObject({
        score: 20,
        member: { reputation: 20 },
      });
    }, 60_000);
  }
});
