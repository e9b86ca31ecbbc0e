/**
 * Exactness under a rush of ballots: hundreds of first ballots and changes, some racing from the
 * same member, fired together; afterwards every counter equals a recount of the ballots table.
 */
import { dbId, dbQuery } from '../posts/operations';
import { closeAll, startTestServer, type TestServer } from '../support/server';
import { PollDocument, castVote, createPoll, pollCast, type PollCast } from './operations';

let server: TestServer;
let cast: PollCast;
beforeAll(async () => {
  server = await startTestServer();
  cast = await pollCast(server, 150);
}, 120_000);
afterAll(closeAll);

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** The poll's counters next to a recount from its ballots (RANKED: first choices only). */
async function recount(pollId: string, ranked: boolean) {
  const id = dbId(pollId);
  const options = await dbQuery(
    server,
    `select o.votes, (select count(*)::int from ballot_choices c where c.option_id = o.id ${ranked ? 'and c.rank = 0' : ''}) as recount
       from poll_options o where o.poll_id = ? order by o.position`,
    [id],
  );
  const [poll] = await dbQuery(
    server,
    'select total_voters, (select count(*)::int from ballots b where b.poll_id = p.id) as ballots from polls p where p.id = ?',
    [id],
  );
  return { options, poll };
}

it.each([
  ['SINGLE', {}],
  ['MULTIPLE', { allowMultiple: true, maxChoices: 3 }],
  ['RANKED', { ranked: true }],
] as const)(
  'keeps %s counts equal to a recount after hundreds of concurrent ballots and changes',
  async (kind, input) => {
    const { owner, members, community } = cast;
    const poll = await createPoll(server, owner, community.id, { options: ['A', 'B', 'C', 'D', 'E'], ...input });
    const ids: string[] = poll.options.map((o: any) => o.id);
    const next = random(kind.length * 7919);
    const ballot = (): string[] => {
      const shuffled = [...ids].sort(() => next() - 0.5);
      if (kind === 'SINGLE') return shuffled.slice(0, 1);
      return shuffled.slice(0, 1 + Math.floor(next() * (kind === 'MULTIPLE' ? 3 : 5)));
    };
    // Every member casts a ballot and changes it at once; a third of them send a third ballot too.
    const requests = members.flatMap((m, i) =>
      Array.from({ length: i % 3 === 0 ? 3 : 2 }, () => castVote(server, m, poll.id, ballot())),
    );
    expect(requests.length).toBeGreaterThanOrEqual(350);
    const responses = await Promise.all(requests);
    expect(responses.filter((r) => r.body.errors)).toEqual([]);

    const { options, poll: row } = await recount(poll.id, kind === 'RANKED');
    expect(row.ballots).toBe(members.length);
    expect(row.total_voters).toBe(members.length);
    for (const o of options) expect(o.votes).toBe(o.recount);
    const counted = options.reduce((sum: number, o: any) => sum + o.votes, 0);
    if (kind !== 'MULTIPLE') expect(counted).toBe(members.length);
    // The API tells the same story as the recount.
    const read = (await server.gql(PollDocument, { id: poll.id })).body.data!.poll!;
    expect(read.totalVoters).toBe(members.length);
    expect(read.options.map((o: any) => o.votes)).toEqual(options.map((o: any) => o.recount));
  },
  120_000,
);
