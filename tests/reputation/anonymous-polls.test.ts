/**
 * Issue 12, point 10: anonymous stays anonymous. An observer watching an anonymous poll's counts
 * move used to see, at the same moment, a "poll vote" row appear in the voter's public reputation
 * history, their reputation rise and the leaderboards move. A ballot in an anonymous poll now earns
 * nothing: nothing about it reaches anyone's reputation, the voter's own view included. The same
 * observer does see a ballot in a poll that is not anonymous, which shows what it would have seen.
 */
import { Migration20261204163000 } from '../../migrations/Migration20261204163000';
import { createPoll, PollDocument, voted } from '../polls/operations';
import { castOf, createPost, dbId, dbQuery, vote, type Cast } from '../posts/operations';
import { record, type Recording } from '../support/subscription';
import { closeAll, startTestServer, type TestServer, type TestUser } from '../support/server';
import { history, LEADERBOARD_CHANGED, leaderboard, ok, RebuildDocument, reputations, type Period } from './operations';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LEADERBOARD_UPDATE_INTERVAL_MS: '200' });
});
afterAll(closeAll);

type Entry = { rank: number; score: number; member: { user: { handle: string } } };
const boards = (r: Recording<any>): Entry[][] => r.results.map((x) => x.data?.leaderboardChanged);
const lastBoard = (r: Recording<any>) => boards(r)[r.results.length - 1];
const PERIODS: Period[] = ['ALL_TIME', 'MONTH', 'WEEK'];

/** Everything `observer` can read about `who`'s reputation: their total, their ledger rows, and the boards. */
async function observe(cast: Cast, observer: TestUser, who: TestUser) {
  const member = (await reputations(server, cast.community.slug, observer)).get(who.user.handle)!;
  const { rows } = await history(server, member.id, observer);
  const onBoards = await Promise.all(
    PERIODS.map(async (p) =>
      (await leaderboard(server, cast.community.slug, p, 100, observer))
        .filter((s) => s.member.user.handle === who.user.handle)
        .map((s) => [p, s.score]),
    ),
  );
  return {
    reputation: member.reputation,
    rows: rows.map((r) => ({ reason: r.reason, delta: r.delta, createdAt: r.createdAt })),
    boards: onBoards.flat(),
  };
}

/**
 * Has `voter` cast a ballot in a new poll of the owner while `observer` watches the ALL_TIME board
 * over WebSocket; then an upvote on `author`'s post, which every watcher must see, marks the end.
 * Returns the recording once the board shows that upvote, and the poll's voters as the observer reads them.
 */
async function ballotWatched(cast: Cast, anonymous: boolean) {
  const [voter, observer, author, upvoter] = cast.members;
  const post = await createPost(server, author, cast.community.id);
  const poll = await createPoll(server, cast.owner, cast.community.id, { anonymous });
  const watch = record<any>(server.ws({ token: observer.token }), {
    query: LEADERBOARD_CHANGED,
    variables: { id: cast.community.id, period: 'ALL_TIME', first: 10 },
  });
  await watch.until(() => watch.results.length === 1, 'the first emission');
  expect(lastBoard(watch)).toEqual([]);

  await voted(server, voter, poll.id, [poll.options[1].id]);
  await vote(server, upvoter, post.id, 'UP');
  await watch.until(
    () => lastBoard(watch).some((e) => e.member.user.handle === author.user.handle),
    'the upvote on the board',
  );
  const counts = ok(await server.gql(PollDocument, { id: poll.id }, { token: observer.token })).poll;
  return { watch, totalVoters: counts.totalVoters as number, voter, observer, author };
}

describe('a ballot in an anonymous poll', () => {
  it("never reaches the voter's reputation: not their history, total, boards or leaderboardChanged, as another member watches", async () => {
    const cast = await castOf(server, 4);
    const [voter, observer] = cast.members;
    const before = await observe(cast, observer, voter);
    expect(before).toEqual({ reputation: 0, rows: [], boards: [] });

    const { watch, totalVoters, author } = await ballotWatched(cast, true);
    expect(totalVoters).toBe(1); // the counts moved for everyone to see
    expect(await observe(cast, observer, voter)).toEqual(before);
    // Every emission, up to the one holding the later upvote, left the voter out.
    expect(
      boards(watch)
        .flat()
        .map((e) => e.member.user.handle),
    ).not.toContain(voter.user.handle);
    expect(lastBoard(watch)).toEqual([{ rank: 1, score: 10, member: { user: { handle: author.user.handle } } }]);
    expect(watch.errorCodes()).toEqual([]);
  });

  it("leaves no row in the voter's own history either, while they still see their ballot", async () => {
    const cast = await castOf(server, 1);
    const [voter] = cast.members;
    const poll = await createPoll(server, cast.owner, cast.community.id, { anonymous: true });
    await voted(server, voter, poll.id, [poll.options[2].id]);
    expect(await observe(cast, voter, voter)).toEqual({ reputation: 0, rows: [], boards: [] });
    expect(ok(await server.gql(PollDocument, { id: poll.id }, { token: voter.token })).poll.viewerVote).toEqual([
      { id: poll.options[2].id, text: poll.options[2].text },
    ]);
  });
});

describe('a ballot in a poll that is not anonymous', () => {
  it('earns its point in the open, where the same observer sees it (what the anonymous poll no longer shows)', async () => {
    const cast = await castOf(server, 4);
    const { watch, voter, observer } = await ballotWatched(cast, false);
    const seen = await observe(cast, observer, voter);
    expect(seen.reputation).toBe(1);
    expect(seen.rows.map((r) => [r.reason, r.delta])).toEqual([['POLL_VOTE', 1]]);
    expect(seen.boards).toEqual([
      ['ALL_TIME', 1],
      ['MONTH', 1],
      ['WEEK', 1],
    ]);
    expect(lastBoard(watch).map((e) => [e.member.user.handle, e.score])).toContainEqual([voter.user.handle, 1]);
  });
});

describe('upgrading a database', () => {
  it('removes the rows that ballots in anonymous polls earned before, and their points', async () => {
    const cast = await castOf(server, 1);
    const [voter] = cast.members;
    const secret = await createPoll(server, cast.owner, cast.community.id, { anonymous: true });
    const open = await createPoll(server, cast.owner, cast.community.id);
    await voted(server, voter, secret.id, [secret.options[0].id]);
    await voted(server, voter, open.id, [open.options[0].id]);
    // What the server wrote for the anonymous ballot before this change.
    const [cid, uid, pid] = [dbId(cast.community.id), dbId(voter.user.id), dbId(secret.id)];
    await dbQuery(
      server,
      `insert into reputation_events (community_id, user_id, delta, reason, cause, subject_type, subject_id, actor_id)
       values (?, ?, 1, 'POLL_VOTE', ?, 'POLL', ?, ?)`,
      [cid, uid, `ballot:${pid}:${uid}`, pid, uid],
    );
    await dbQuery(server, 'update members set reputation = reputation + 1 where community_id = ? and user_id = ?', [
      cid,
      uid,
    ]);
    expect((await observe(cast, voter, voter)).reputation).toBe(2);

    // The migration's data step, as `npm run migrate` runs it.
    const orm = server.app.db.orm;
    const migration = new Migration20261204163000(orm.em.getDriver(), orm.config);
    await migration.up();
    const scrub = migration
      .getQueries()
      .find((q): q is string => typeof q === 'string' && q.includes('delete from reputation_events'));
    await dbQuery(server, scrub!);

    const after = await observe(cast, cast.owner, voter); // another viewer: the response cache knows nothing of SQL written here
    expect(after.reputation).toBe(1);
    expect(after.rows.map((r) => [r.reason, r.delta])).toEqual([['POLL_VOTE', 1]]); // the open poll's
    // The total still equals the ledger's sum: a rebuild corrects no member.
    expect(
      ok(await server.gql(RebuildDocument, { communityId: cast.community.id }, { token: cast.owner.token }))
        .rebuildReputation,
    ).toBe(0);
  });
});
