import { graphql } from '../../codegen/index';
import { DeletePostDocument, castOf, createPost, dbId, dbQuery } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  signUp,
  startTestServer,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';
import {
  WithdrawEntryDocument,
  WithdrawVoteDocument,
  createContest,
  moveContest,
  standing,
  submitEntry,
  voteFor,
} from './contest-operations';
import { createEvent } from './operations';

const EntryNode = graphql(`
  query ContestEntryNode($id: ID!) {
    node(id: $id) {
      id
      ... on ContestEntry {
        votes
        author {
          handle
        }
      }
    }
  }
`);
const CancelContest = graphql(`
  mutation ContestCancel($id: ID!) {
    cancelEvent(id: $id) {
      id
      cancelledAt
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** The code, field and message of the first error of a response. */
const failure = (res: GqlResponse<unknown>) => {
  const error = res.body.errors?.[0];
  return { code: error?.extensions?.code, field: error?.extensions?.field, message: error?.message };
};

/** Enters a fresh post of each member; returns their entry ids in the same order. */
async function enter(eventId: string, communityId: string, members: TestUser[]): Promise<string[]> {
  const ids: string[] = [];
  for (const m of members) {
    const post = await createPost(server, m, communityId, { title: `${m.user.handle}'s photo` });
    const res = await submitEntry(server, m, eventId, post.id);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    ids.push(res.body.data!.submitContestEntry.id);
  }
  return ids;
}

/** Each entry's stored counter next to a recount of its vote rows, and vote rows per voter, straight from the database. */
async function recount(eventId: string) {
  const entries = await dbQuery(
    server,
    `select e.id, e.votes, (select count(*)::int from contest_votes v where v.entry_id = e.id) as counted
       from contest_entries e where e.event_id = ? order by e.id`,
    [dbId(eventId)],
  );
  const [votes] = await dbQuery(
    server,
    'select count(*)::int as rows, count(distinct user_id)::int as voters from contest_votes where event_id = ?',
    [dbId(eventId)],
  );
  return { entries, votes };
}

describe('submissions', () => {
  it('lets a member enter their own post before the contest starts, once', async () => {
    const {
      community,
      owner,
      members: [ada, bob],
    } = await castOf(server, 2);
    const contest = await createContest(server, owner, community.id);
    const photo = await createPost(server, ada, community.id, { title: 'Sunrise' });
    const entered = await submitEntry(server, ada, contest.id, photo.id);
    expect(entered.body.data!.submitContestEntry).toMatchObject({
      votes: 0,
      rank: null,
      author: { handle: ada.user.handle },
      post: { id: photo.id, title: 'Sunrise' },
      event: { id: contest.id },
    });
    const entryId = entered.body.data!.submitContestEntry.id;
    expect(await standing(server, ada, contest.id)).toMatchObject({
      phase: 'SUBMISSIONS',
      entryCount: 1,
      viewerEntry: { id: entryId },
      viewerVote: null,
      entries: {
        edges: [
          {
            node: {
              id: entryId,
              votes: 0,
              rank: null,
              author: { handle: ada.user.handle },
              post: { title: 'Sunrise' },
            },
          },
        ],
      },
    });

    const another = await createPost(server, ada, community.id);
    expect(failure(await submitEntry(server, ada, contest.id, another.id))).toMatchObject({
      code: 'CONFLICT',
      field: 'eventId',
    });
    expect(failure(await submitEntry(server, ada, contest.id, photo.id))).toMatchObject({ code: 'CONFLICT' });
    // Bob cannot enter Ada's post, nor vote before the contest starts.
    expect(failure(await submitEntry(server, bob, contest.id, another.id))).toMatchObject({ code: 'FORBIDDEN' });
    expect(failure(await voteFor(server, bob, entryId))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'entryId',
      message: 'Voting opens when the contest starts',
    });
    expect((await recount(contest.id)).entries).toEqual([{ id: dbId(entryId), votes: 0, counted: 0 }]);
  });

  it('refuses posts of another community, deleted posts, non-members, anonymous callers and events that are not contests', async () => {
    const {
      community,
      owner,
      members: [ada],
    } = await castOf(server, 1);
    const contest = await createContest(server, owner, community.id);
    const elsewhere = await createCommunity(server, ada);
    const foreign = await createPost(server, ada, elsewhere.id);
    expect(failure(await submitEntry(server, ada, contest.id, foreign.id))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'postId',
    });
    const deleted = await createPost(server, ada, community.id);
    await server.gql(DeletePostDocument, { id: deleted.id }, { token: ada.token });
    expect(failure(await submitEntry(server, ada, contest.id, deleted.id))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'postId',
    });

    const outsider = await signUp(server, 'outsider');
    const own = await createPost(server, ada, community.id);
    expect(failure(await submitEntry(server, outsider, contest.id, own.id))).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = await server.gql(
      'mutation($input: SubmitContestEntryInput!) { submitContestEntry(input: $input) { id } }',
      { input: { eventId: contest.id, postId: own.id } },
    );
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    const meetup = await createEvent(server, owner, community.id);
    expect(failure(await submitEntry(server, ada, meetup.id, own.id))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'eventId',
    });
    expect(await standing(server, ada, meetup.id)).toBeNull();
    expect((await recount(contest.id)).entries).toEqual([]);
  });

  it('keeps one entry per member when they send two posts at the same moment', async () => {
    const {
      community,
      owner,
      members: [ada],
    } = await castOf(server, 1);
    const contest = await createContest(server, owner, community.id);
    const posts = await Promise.all(
      [1, 2, 3].map((i) => createPost(server, ada, community.id, { title: `take ${i}` })),
    );
    const answers = await Promise.all(posts.map((p) => submitEntry(server, ada, contest.id, p.id)));
    expect(answers.map(errorCode).sort()).toEqual(['CONFLICT', 'CONFLICT', undefined]);
    expect(
      await dbQuery(server, 'select count(*)::int as n from contest_entries where event_id = ?', [dbId(contest.id)]),
    ).toEqual([{ n: 1 }]);
  });

  it('lets the author, and only the author, withdraw an entry and enter another post', async () => {
    const {
      community,
      owner,
      members: [ada, bob],
    } = await castOf(server, 2);
    const contest = await createContest(server, owner, community.id);
    const [entryId] = await enter(contest.id, community.id, [ada]);
    const withdraw = (as: TestUser) => server.gql(WithdrawEntryDocument, { entryId }, { token: as.token });
    expect(errorCode(await withdraw(bob))).toBe('FORBIDDEN');
    expect((await withdraw(ada)).body.data).toEqual({ withdrawContestEntry: true });
    expect(errorCode(await withdraw(ada))).toBe('NOT_FOUND');
    await enter(contest.id, community.id, [ada]);
    expect(await standing(server, ada, contest.id)).toMatchObject({ entryCount: 1 });
  });
});

describe('voting', () => {
  it("keeps every entry's count equal to its votes when 24 members vote, then change their votes, at once", async () => {
    const { community, owner, members } = await castOf(server, 28);
    const [entrants, voters] = [members.slice(0, 4), members.slice(4)];
    const contest = await createContest(server, owner, community.id);
    const entries = await enter(contest.id, community.id, entrants);
    await moveContest(server, owner, contest.id, 'VOTING');

    const first = await Promise.all(voters.map((v, i) => voteFor(server, v, entries[i % 3])));
    expect(first.map(errorCode)).toEqual(voters.map(() => undefined));
    let counts = await recount(contest.id);
    expect(counts.votes).toEqual({ rows: 24, voters: 24 });
    expect(counts.entries.map((e) => [e.votes, e.counted])).toEqual([
      [8, 8],
      [8, 8],
      [8, 8],
      [0, 0],
    ]);

    // At once: eight move their vote to the last entry, four send two different votes together,
    // four withdraw theirs, and the rest vote again for what they already chose.
    const second = await Promise.all(
      voters.flatMap((v, i) => {
        if (i < 8) return [voteFor(server, v, entries[3])];
        if (i < 12) return [voteFor(server, v, entries[0]), voteFor(server, v, entries[1])];
        if (i < 16) return [server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: v.token })];
        return [voteFor(server, v, entries[i % 3])];
      }),
    );
    // The contest's row lock serializes them: a member's two votes at once both succeed, the later replacing the earlier.
    expect(second.map(errorCode)).toEqual(second.map(() => undefined));
    counts = await recount(contest.id);
    expect(counts.votes).toEqual({ rows: 20, voters: 20 });
    for (const e of counts.entries) expect(e.votes).toBe(e.counted);
    expect(counts.entries.reduce((sum, e) => sum + e.votes, 0)).toBe(20);
    expect(counts.entries[3].votes).toBe(8);

    // Each voter sees the one entry their row names.
    const rows = await dbQuery(server, 'select user_id, entry_id from contest_votes where event_id = ?', [
      dbId(contest.id),
    ]);
    const voted = new Map(rows.map((r) => [r.user_id, r.entry_id]));
    for (const v of voters.slice(8, 13)) {
      const seen = await standing(server, v, contest.id);
      expect(seen.viewerVote?.id ?? null).toBe(entries.find((id) => dbId(id) === voted.get(dbId(v.user.id))) ?? null);
    }
  });

  it("refuses votes for one's own entry and from non-members, and entries once voting has begun", async () => {
    const {
      community,
      owner,
      members: [ada, bob],
    } = await castOf(server, 2);
    const contest = await createContest(server, owner, community.id);
    const [adaEntry] = await enter(contest.id, community.id, [ada]);
    const late = await createPost(server, bob, community.id);
    await moveContest(server, owner, contest.id, 'VOTING');
    expect(await standing(server, ada, contest.id)).toMatchObject({ phase: 'VOTING' });

    expect(failure(await voteFor(server, ada, adaEntry))).toMatchObject({ code: 'FORBIDDEN' });
    const outsider = await signUp(server, 'outsider');
    expect(failure(await voteFor(server, outsider, adaEntry))).toMatchObject({ code: 'FORBIDDEN' });
    expect(failure(await submitEntry(server, bob, contest.id, late.id))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'eventId',
      message: 'Submissions closed when the contest started',
    });
    expect(errorCode(await server.gql(WithdrawEntryDocument, { entryId: adaEntry }, { token: ada.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect((await voteFor(server, bob, adaEntry)).body.data!.voteContestEntry).toEqual({ id: adaEntry, votes: 1 });
    expect((await server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: bob.token })).body.data).toEqual({
      withdrawContestVote: true,
    });
    expect((await server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: bob.token })).body.data).toEqual({
      withdrawContestVote: false,
    });
    expect((await recount(contest.id)).entries).toEqual([{ id: dbId(adaEntry), votes: 0, counted: 0 }]);
  });

  it('takes no entry or vote once the contest is cancelled', async () => {
    const {
      community,
      owner,
      members: [ada, bob],
    } = await castOf(server, 2);
    const contest = await createContest(server, owner, community.id);
    const [adaEntry] = await enter(contest.id, community.id, [ada]);
    expect(errorCode(await server.gql(CancelContest, { id: contest.id }, { token: owner.token }))).toBeUndefined();
    const post = await createPost(server, bob, community.id);
    expect(failure(await submitEntry(server, bob, contest.id, post.id))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'eventId',
      message: 'This contest is cancelled',
    });
    // A cancelled event cannot be moved through the API: put it in its voting window in the database.
    await dbQuery(
      server,
      "update events set starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' where id = ?",
      [dbId(contest.id)],
    );
    expect(failure(await voteFor(server, bob, adaEntry))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'This contest is cancelled',
    });
  });
});

describe('results', () => {
  it('ranks the entries once the contest closes, ties sharing a rank, and refuses every change after', async () => {
    const { community, owner, moderator, members } = await castOf(server, 9);
    const [entrants, voters] = [members.slice(0, 4), [...members.slice(4), moderator]];
    const contest = await createContest(server, owner, community.id);
    const entries = await enter(contest.id, community.id, entrants);
    await moveContest(server, owner, contest.id, 'VOTING');
    // 3 votes for the last entry, 1 each for the second and third (the second came first), none left for the first.
    for (const [i, v] of voters.slice(0, 5).entries()) await voteFor(server, v, entries[[3, 3, 3, 1, 2][i]]);
    await voteFor(server, voters[5], entries[0]);
    await server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: voters[5].token });

    const during = await standing(server, owner, contest.id);
    expect(during.entries.edges.map((e: any) => [e.node.id, e.node.votes, e.node.rank])).toEqual([
      [entries[3], 3, null],
      [entries[1], 1, null],
      [entries[2], 1, null],
      [entries[0], 0, null],
    ]);

    await moveContest(server, owner, contest.id, 'CLOSED');
    const closed = await standing(server, undefined, contest.id);
    expect(closed.phase).toBe('CLOSED');
    expect(closed.entries.edges.map((e: any) => [e.node.id, e.node.votes, e.node.rank])).toEqual([
      [entries[3], 3, 1],
      [entries[1], 1, 2],
      [entries[2], 1, 2],
      [entries[0], 0, 4],
    ]);
    // Page by page, in the same order.
    const page1 = await standing(server, undefined, contest.id, 2);
    expect(page1.entries.pageInfo.hasNextPage).toBe(true);
    const page2 = await standing(server, undefined, contest.id, 2, page1.entries.pageInfo.endCursor);
    expect([...page1.entries.edges, ...page2.entries.edges].map((e: any) => e.node.rank)).toEqual([1, 2, 2, 4]);
    expect(page2.entries.pageInfo.hasNextPage).toBe(false);

    const post = await createPost(server, voters[0], community.id);
    const refusals = [
      await submitEntry(server, voters[0], contest.id, post.id),
      await server.gql(WithdrawEntryDocument, { entryId: entries[0] }, { token: entrants[0].token }),
      await voteFor(server, voters[0], entries[0]),
      await server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: voters[0].token }),
    ];
    expect(refusals.map(errorCode)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(failure(refusals[2]).message).toBe('Voting closed when the contest ended');
    expect((await recount(contest.id)).entries.map((e) => e.votes)).toEqual([0, 1, 1, 3]);
  });
});

describe('privacy', () => {
  it("hides a private community's contest and entries from non-members", async () => {
    const {
      community,
      owner,
      members: [ada, bob],
    } = await castOf(server, 2, 'PRIVATE');
    const contest = await createContest(server, owner, community.id);
    const [entryId] = await enter(contest.id, community.id, [ada]);
    await moveContest(server, owner, contest.id, 'VOTING');
    const outsider = await signUp(server, 'outsider');
    for (const viewer of [undefined, outsider]) {
      expect(await standing(server, viewer, contest.id)).toBeNull();
      expect((await server.gql(EntryNode, { id: entryId }, { token: viewer?.token })).body.data).toEqual({
        node: null,
      });
    }
    expect(errorCode(await voteFor(server, outsider, entryId))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(WithdrawVoteDocument, { eventId: contest.id }, { token: outsider.token }))).toBe(
      'NOT_FOUND',
    );
    expect(errorCode(await server.gql(WithdrawEntryDocument, { entryId }, { token: outsider.token }))).toBe(
      'NOT_FOUND',
    );

    expect((await voteFor(server, bob, entryId)).body.data!.voteContestEntry.votes).toBe(1);
    expect((await server.gql(EntryNode, { id: entryId }, { token: bob.token })).body.data!.node).toEqual({
      id: entryId,
      votes: 1,
      author: { handle: ada.user.handle },
    });
  });
});
