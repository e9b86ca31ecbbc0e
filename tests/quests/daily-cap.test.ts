/**
 * Quest rewards and the daily cap (rules.ts, `REASONS`): a quest's reward (ledger reason
 * QUEST_COMPLETED) is not capped by the community's `dailyVoteCap`, and does not count toward it.
 * The admins set the reward, and it is earned once per member and period, so there is nothing to
 * farm; capping it would let the day's upvotes cancel a reward the community announced, and counting
 * it would let the reward eat the room of the day's upvotes.
 */
import { addComment, castOf, createPost, vote, type Cast } from '../posts/operations';
import { history, reputations, setRules } from '../reputation/operations';
import { closeAll, startTestServer, type TestServer, type TestUser } from '../support/server';

jest.setTimeout(120_000);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

async function must(who: TestUser, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

/** A daily quest of one COMMENT goal (commenting earns nothing itself) rewarding `rewardPoints`. */
async function commentQuest(cast: Cast, rewardPoints: number): Promise<string> {
  const data = await must(cast.owner, `mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }`, {
    input: {
      communityId: cast.community.id,
      title: 'Say something',
      description: 'Comment once today.',
      period: 'DAILY',
      goals: [{ action: 'COMMENT', target: 1 }],
      rewardPoints,
    },
  });
  return data.createQuest.id;
}

async function completed(who: TestUser, questId: string): Promise<boolean> {
  const data = await must(
    who,
    'query($id: ID!) { node(id: $id) { ... on Quest { viewerProgress { completedAt } } } }',
    {
      id: questId,
    },
  );
  return data.node.viewerProgress.completedAt !== null;
}

/** A member's reputation and ledger rows ([reason, delta], newest first), as the owner reads them. */
async function standing(cast: Cast, who: TestUser) {
  const member = (await reputations(server, cast.community.slug, cast.owner)).get(who.user.handle)!;
  const { rows } = await history(server, member.id, cast.owner);
  return { reputation: member.reputation, rows: rows.map((r) => [r.reason, r.delta]) };
}

describe('quest rewards and the daily cap', () => {
  it("pay a quest's reward in full to a member who reached the day's cap", async () => {
    const cast = await castOf(server, 2);
    const [earner, voter] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 10 }); // one post upvote (10)
    const quest = await commentQuest(cast, 20);
    const [first, second] = [
      await createPost(server, earner, cast.community.id),
      await createPost(server, earner, cast.community.id),
    ];
    await vote(server, voter, first.id, 'UP'); // 10: the cap
    expect(await standing(cast, earner)).toEqual({ reputation: 10, rows: [['POST_UPVOTED', 10]] });
    await vote(server, cast.moderator, second.id, 'UP'); // past the cap: nothing
    expect(await standing(cast, earner)).toEqual({ reputation: 10, rows: [['POST_UPVOTED', 10]] });

    await addComment(server, earner, first.id, 'completes the quest');
    expect(await completed(earner, quest)).toBe(true);
    expect(await standing(cast, earner)).toEqual({
      reputation: 30,
      rows: [
        ['QUEST_COMPLETED', 20],
        ['POST_UPVOTED', 10],
      ],
    });
  });

  it("leave the day's room to upvotes: a reward earned first does not count toward the cap", async () => {
    const cast = await castOf(server, 2);
    const [earner, voter] = cast.members;
    await setRules(server, cast.owner, cast.community.id, { dailyVoteCap: 10 });
    const quest = await commentQuest(cast, 20);
    const [first, second] = [
      await createPost(server, earner, cast.community.id),
      await createPost(server, earner, cast.community.id),
    ];
    await addComment(server, earner, first.id, 'completes the quest');
    expect(await completed(earner, quest)).toBe(true);
    expect(await standing(cast, earner)).toEqual({ reputation: 20, rows: [['QUEST_COMPLETED', 20]] });

    await vote(server, voter, first.id, 'UP'); // 10: the cap, whole although the reward (20) exceeds it
    await vote(server, cast.moderator, second.id, 'UP'); // past the cap: nothing
    expect(await standing(cast, earner)).toEqual({
      reputation: 30,
      rows: [
        ['POST_UPVOTED', 10],
        ['QUEST_COMPLETED', 20],
      ],
    });
  });
});
