/**
 * Many members voting at once on the same posts: ledger sums, members' reputation, post scores and
 * every leaderboard agree afterwards; the daily cap holds exactly under concurrency; and after a
 * randomized workload of votes, withdrawals, featuring and deletions, rebuilding from the ledger
 * changes nothing (with REDIS_URL, the `reputation:rebuild` CLI too).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { createClient as createRedisClient } from 'redis';
import { communityHashTag } from '../../src/platform/redis';
import {
  DeletePostDocument,
  addComment,
  castOf,
  createPost,
  dbId,
  dbQuery,
  vote,
  type Cast,
} from '../posts/operations';
import { closeAll, startTestServer, type TestServer, type TestUser } from '../support/server';
import {
  DeleteCommentDocument,
  FeatureDocument,
  RebuildDocument,
  leaderboard,
  ok,
  reputations,
  setRules,
  type Period,
} from './operations';

// Hundreds of concurrent requests per test: slower than the default 30 s on a loaded CI machine.
jest.setTimeout(120_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A small deterministic generator (mulberry32), so a failing run can be replayed from its seed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PERIODS: Period[] = ['ALL_TIME', 'MONTH', 'WEEK'];

/** Everything the API says about the community's reputation: members' reputation and every board. */
async function snapshot(cast: Cast, viewer?: TestUser) {
  const members = await reputations(server, cast.community.slug, viewer);
  const boards = Object.fromEntries(
    await Promise.all(
      PERIODS.map(async (p) => [p, await leaderboard(server, cast.community.slug, p, 100, viewer)] as const),
    ),
  );
  return { reputation: Object.fromEntries([...members].map(([handle, m]) => [handle, m.reputation])), boards };
}

/** Sums of the ledger per user, straight from the database. */
async function ledgerSums(cast: Cast): Promise<Map<string, number>> {
  const rows = await dbQuery(
    server,
    'select u.handle, sum(e.delta)::int as total from reputation_events e join users u on u.id = e.user_id where e.community_id = ? group by u.handle',
    [dbId(cast.community.id)],
  );
  return new Map(rows.map((r) => [r.handle as string, r.total as number]));
}

describe('concurrent votes', () => {
  it('leave ledger sums, reputation, post scores and leaderboards in agreement', async () => {
    const cast = await castOf(server, 63);
    const [a1, a2, a3, ...voters] = cast.members;
    const authors = [a1, a2, a3];
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 1_000_000 }); // exact arithmetic below
    const posts = (
      await Promise.all(
        authors.flatMap((a) => [createPost(server, a, cast.community.id), createPost(server, a, cast.community.id)]),
      )
    ).map((p, i) => ({ id: p.id as string, author: authors[Math.floor(i / 2)] }));
    const rnd = random(6);
    const pick = (): 'UP' | 'DOWN' | 'NONE' => {
      const r = rnd();
      return r < 0.6 ? 'UP' : r < 0.85 ? 'DOWN' : 'NONE';
    };
    // 360 concurrent first votes, then 180 concurrent changes.
    await Promise.all(voters.flatMap((v) => posts.map((p) => vote(server, v, p.id, pick()))));
    await Promise.all(voters.slice(0, 30).flatMap((v) => posts.map((p) => vote(server, v, p.id, pick()))));

    const votes = await dbQuery(
      server,
      `select p.id, p.score, coalesce(sum(v.value), 0)::int as sum, count(*) filter (where v.value = 1)::int as ups,
              count(*) filter (where v.value = -1)::int as downs
         from posts p left join votes v on v.post_id = p.id where p.id in (${posts.map(() => '?').join(',')}) group by p.id`,
      posts.map((p) => dbId(p.id)),
    );
    expect(votes.reduce((n, r) => n + r.ups + r.downs, 0)).toBeGreaterThan(250);
    for (const r of votes) expect(r.score).toBe(r.sum);
    const sums = await ledgerSums(cast);
    const { reputation, boards } = await snapshot(cast);
    for (const author of authors) {
      const own = votes.filter((r) => posts.find((p) => dbId(p.id) === r.id)!.author === author);
      const expected = own.reduce((s, r) => s + 10 * r.ups - 2 * r.downs, 0);
      expect(sums.get(author.user.handle)).toBe(expected);
      expect(reputation[author.user.handle]).toBe(expected);
      for (const period of PERIODS) {
        expect(boards[period].find((s) => s.member.user.handle === author.user.handle)?.score).toBe(expected);
      }
    }
    // Nobody else earned anything.
    expect([...sums.keys()].sort()).toEqual(authors.map((a) => a.user.handle).sort());
  });

  it('hold the daily cap exactly: 60 concurrent upvotes earn the cap, 60 concurrent withdrawals give it back', async () => {
    const cast = await castOf(server, 61);
    const [author, ...voters] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 95 });
    const post = await createPost(server, author, cast.community.id);
    await Promise.all(voters.map((v) => vote(server, v, post.id, 'UP')));
    const rows = await dbQuery(server, 'select delta from reputation_events where user_id = ? order by id', [
      dbId(author.user.id),
    ]);
    expect(rows.map((r) => r.delta)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    expect((await snapshot(cast)).reputation[author.user.handle]).toBe(95);
    await Promise.all(voters.map((v) => vote(server, v, post.id, 'NONE')));
    const after = await snapshot(cast);
    expect(after.reputation[author.user.handle]).toBe(0);
    expect(after.boards.ALL_TIME.find((s) => s.member.user.handle === author.user.handle)?.score).toBe(0);
    expect((await ledgerSums(cast)).get(author.user.handle)).toBe(0);
  });
});

/** A randomized workload on a community: votes, changes and withdrawals, featuring, deletions, in concurrent rounds. */
async function workload(cast: Cast, seed: number) {
  const rnd = random(seed);
  const people: TestUser[] = [cast.moderator, ...cast.members];
  const any = <T>(list: T[]) => list[Math.floor(rnd() * list.length)];
  const subjects: { id: string; author: TestUser; kind: 'post' | 'comment' }[] = [];
  for (const author of people.slice(0, 8)) {
    const post = await createPost(server, author, cast.community.id);
    subjects.push({ id: post.id, author, kind: 'post' });
    const commenter = any(people);
    subjects.push({ id: (await addComment(server, commenter, post.id)).id, author: commenter, kind: 'comment' });
  }
  const deleted = new Set<string>();
  for (let round = 0; round < 6; round++) {
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const s = any(subjects);
      const voter = any(people);
      if (voter === s.author || deleted.has(s.id)) continue;
      // Members whose reputation went negative are level 1 whatever the thresholds: only the moderator downvotes.
      ops.push(
        vote(
          server,
          voter,
          s.id,
          any(voter === cast.moderator ? (['UP', 'DOWN', 'DOWN', 'NONE'] as const) : (['UP', 'UP', 'NONE'] as const)),
        ),
      );
    }
    const comment = any(subjects.filter((s) => s.kind === 'comment' && !deleted.has(s.id)));
    if (comment)
      ops.push(server.gql(FeatureDocument, { id: comment.id, featured: rnd() < 0.7 }, { token: cast.moderator.token }));
    await Promise.all(ops);
    if (round % 2 === 1) {
      const victim = any(subjects.filter((s) => !deleted.has(s.id)));
      deleted.add(victim.id);
      ok(
        victim.kind === 'post'
          ? await server.gql(DeletePostDocument, { id: victim.id }, { token: cast.moderator.token })
          : await server.gql(DeleteCommentDocument, { id: victim.id }, { token: cast.moderator.token }),
      );
    }
  }
}

describe('rebuilding from the ledger', () => {
  it('gives the live result after a randomized workload of votes, withdrawals, featuring and deletions', async () => {
    const cast = await castOf(server, 14);
    const seed = Date.now() % 100_000;
    await workload(cast, seed);
    const live = await snapshot(cast);
    const sums = await ledgerSums(cast);
    for (const [handle, reputation] of Object.entries(live.reputation))
      expect([handle, sums.get(handle) ?? 0]).toEqual([handle, reputation]);
    expect(live.boards.ALL_TIME.length).toBeGreaterThan(3);
    const corrected = ok(
      await server.gql(RebuildDocument, { communityId: cast.community.id }, { token: cast.owner.token }),
    ).rebuildReputation;
    expect({ seed, corrected }).toEqual({ seed, corrected: 0 });
    expect(await snapshot(cast)).toEqual(live);
  });

  it('counts every vote once when rebuilds run while members vote', async () => {
    const cast = await castOf(server, 40);
    const [a, b, ...voters] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 1_000_000 });
    const posts = [await createPost(server, a, cast.community.id), await createPost(server, b, cast.community.id)];
    const rebuild = () =>
      server.gql(RebuildDocument, { communityId: cast.community.id }, { token: cast.owner.token }).then(ok);
    await Promise.all([
      ...voters.map((v, i) => vote(server, v, posts[i % 3 === 0 ? 1 : 0].id, 'UP')), // a gets 25 votes, b 13
      ...Array.from({ length: 12 }, (_, i) => new Promise((r) => setTimeout(r, 15 * i)).then(rebuild)),
    ]);
    const sums = await ledgerSums(cast);
    const { boards } = await snapshot(cast, cast.moderator);
    for (const period of PERIODS) {
      expect(boards[period].map((s) => [s.member.user.handle, s.score])).toEqual(
        [a, b].map((u) => [u.user.handle, sums.get(u.user.handle)]),
      );
    }
    expect(sums.get(a.user.handle)! + sums.get(b.user.handle)!).toBe(10 * voters.length);
  });

  if (process.env.REDIS_URL) {
    it('with Redis: the reputation:rebuild CLI repairs boards and reputation that drifted from the ledger', async () => {
      const cast = await castOf(server, 10);
      await workload(cast, 42);
      const live = await snapshot(cast);
      // Drift: a member's stored reputation and the Redis boards no longer match the ledger.
      const victim = live.boards.ALL_TIME[0].member.user;
      await dbQuery(server, 'update members set reputation = reputation + 7 where community_id = ? and user_id = ?', [
        dbId(cast.community.id),
        dbId(victim.id),
      ]);
      const redis = createRedisClient({ url: process.env.REDIS_URL });
      await redis.connect();
      try {
        const keys = await redis.keys(`leaderboard:*:${communityHashTag(dbId(cast.community.id))}:*`);
        for (const key of keys.filter((k) => !k.endsWith(':ready'))) await redis.del(key);
      } finally {
        redis.destroy();
      }
      expect(await snapshot(cast, cast.owner)).not.toEqual(live); // as the owner: the anonymous answer is cached
      const cli = spawnSync(
        process.execPath,
        [resolve(__dirname, '../../dist/src/cli/reputation-rebuild.js'), `--community=${cast.community.slug}`],
        {
          env: { ...process.env, LOG_LEVEL: 'warn' },
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      expect(cli.status).toBe(0);
      expect(cli.stdout).toMatch(/leaderboards: redis/);
      expect(cli.stdout).toMatch(/Done in .* 1 members' reputation corrected/);
      expect(await snapshot(cast)).toEqual(live); // the CLI's write touched every cached answer too
    });
  }
});
