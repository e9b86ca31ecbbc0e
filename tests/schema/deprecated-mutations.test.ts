/**
 * The mutations renamed under the naming rule (issue 16, point 6; src/platform/deprecations.ts) keep
 * working for one release. For each pair, table-driven:
 *
 * - the deprecated mutation, called as clients call it today (its old arguments), succeeds and
 *   answers its old return type;
 * - it refuses a caller who may not do it exactly as its replacement does: an outsider (signed in, a
 *   member of nothing) sends both on records of the same kind and gets the same answer, error code
 *   and all (both succeed where anyone may: OPEN_TO_AN_OUTSIDER).
 *
 * The valid calls are the fuzz test's baselines (tests/security/fuzz-world.ts): each builds fresh
 * records, so the two calls of a pair never act on the same one.
 */
import { getNamedType, getNullableType, isCompositeType, isListType, type GraphQLField } from 'graphql';
import { RENAMED_MUTATIONS, type RenamedMutation } from '../../src/platform/deprecations';
import { documentFor } from '../security/fuzz-values';
import { FUZZ_ENV, MUTATION_BASELINES, World } from '../security/fuzz-world';
import { errorCode, signUp, startTestServer, type TestServer } from '../support/server';

const PAIRS = Object.entries(RENAMED_MUTATIONS) as [RenamedMutation, string][];

/** The deprecated mutations an outsider may run on the baselines' records (both names succeed), with why. */
const OPEN_TO_AN_OUTSIDER: Partial<Record<RenamedMutation, string>> = {
  signOut: 'ends their own session',
  requestEmailVerification: 'asks for a link to their own address',
  verifyEmail: 'the emailed token stands for the account',
  requestPasswordReset: 'answers the same for any address',
  resetPassword: 'the emailed token stands for the account',
  deleteAccount: 'deletes their own account (every test account has the same password)',
  joinCommunity: 'the community is PUBLIC',
  joinByInviteLink: 'the link admits whoever holds its token',
  withdrawContestVote: 'a vote they never cast is withdrawn as nothing (the contest is PUBLIC)',
  blockUser: 'blocks are between users, in no community',
  unblockUser: 'blocks are between users, in no community',
  markNotificationsRead: 'marks their own notifications (none) read',
  updateNotificationPreferences: 'their own preferences in a PUBLIC community',
};

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer(FUZZ_ENV as never);
  world = new World(server);
  await world.setUp();
}, 120_000);
afterAll(() => world.close());

const field = (name: string): GraphQLField<unknown, unknown> => server.app.schema.getMutationType()!.getFields()[name];

/** Builds `name`'s baseline and sends it, as the baseline's caller or as `token`. */
async function call(name: string, token?: string) {
  const build = MUTATION_BASELINES[name];
  if (!build) throw new Error(`No baseline for ${name} in tests/security/fuzz-world.ts`);
  const baseline = await build(world);
  return server.gql(documentFor('mutation', field(name)), baseline.variables, {
    token: token ?? baseline.token ?? world.owner.token,
  });
}

describe('the deprecated mutations', () => {
  it('are every renamed one, each deprecated for its replacement', () => {
    const deprecated = Object.values(server.app.schema.getMutationType()!.getFields()).filter(
      (m) => m.deprecationReason,
    );
    expect(Object.fromEntries(deprecated.map((m) => [m.name, m.deprecationReason]))).toEqual(
      Object.fromEntries(PAIRS.map(([old, current]) => [old, `Use ${current}. Removed in 0.3.`])),
    );
  });

  it.each(PAIRS)('still answers %s as before (replaced by %s)', async (old) => {
    const res = await call(old);
    expect(res.body.errors).toBeUndefined();
    const answer = res.body.data?.[old];
    if (isListType(getNullableType(field(old).type))) expect(answer).toEqual(expect.any(Array));
    else if (isCompositeType(getNamedType(field(old).type))) expect(answer).toEqual({ __typename: expect.any(String) });
    else expect(typeof answer).toBe(getNamedType(field(old).type).name === 'Int' ? 'number' : 'boolean');
  });

  it.each(PAIRS)('refuses an outsider %s as it refuses %s', async (old, current) => {
    // One outsider per call: ending a session (signOut, endSession) revokes the outsider's token.
    const [first, second] = await Promise.all([signUp(server, 'outsider'), signUp(server, 'outsider')]);
    const [before, after] = [await call(old, first.token), await call(current, second.token)];
    const outcome = (res: typeof before) => (res.body.errors ? errorCode(res) : 'ANSWERED');
    expect({ [old]: outcome(before) }).toEqual({ [old]: outcome(after) });
    // Not a comparison of two successes by mistake: only the mutations open to anyone succeed.
    expect({ [old]: outcome(before) === 'ANSWERED' }).toEqual({ [old]: old in OPEN_TO_AN_OUTSIDER });
  });
});
