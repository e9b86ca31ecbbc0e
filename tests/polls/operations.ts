import { graphql } from '../../codegen/index';
import { joinCommunity, openPrivileges, signUp, type TestServer, type TestUser } from '../support/server';

/**
 * Typed documents and set-up steps shared by the polls tests (tests/polls/*.test.ts).
 * Operation names start with `Polls` so they never clash with other files' documents in codegen.
 */

export const CreatePollDocument = graphql(`
  mutation PollsCreatePoll($input: CreatePollInput!) {
    createPoll(input: $input) {
      id
      question
      kind
      allowMultiple
      maxChoices
      anonymous
      hideResultsUntilClosed
      closesAt
      closed
      resultsVisible
      totalVoters
      options {
        id
        text
        position
        votes
      }
      createdBy {
        handle
      }
    }
  }
`);

export const CastVoteDocument = graphql(`
  mutation PollsCastVote($input: CastVoteInput!) {
    castVote(input: $input) {
      id
      totalVoters
      options {
        id
        votes
      }
      viewerVote {
        id
      }
    }
  }
`);

export const ClosePollDocument = graphql(`
  mutation PollsClosePoll($id: ID!) {
    closePoll(id: $id) {
      id
      closed
      closedAt
      totalVoters
      options {
        votes
      }
    }
  }
`);

export const PollDocument = graphql(`
  query PollsPoll($id: ID!) {
    poll(id: $id) {
      id
      question
      kind
      closed
      resultsVisible
      totalVoters
      viewerCanClose
      options {
        id
        text
        votes
        voters(first: 50) {
          edges {
            node {
              handle
            }
          }
        }
      }
      viewerVote {
        id
        text
      }
      winner {
        text
      }
      rounds {
        number
        exhausted
        tallies {
          option {
            text
          }
          votes
        }
        eliminated {
          text
        }
      }
    }
  }
`);

/** A community (PUBLIC unless told) with its owner, a moderator and `members` plain members, set up concurrently. */
export interface PollCast {
  owner: TestUser;
  moderator: TestUser;
  members: TestUser[];
  community: { id: string; slug: string };
}

export async function pollCast(
  server: TestServer,
  members = 3,
  visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC',
): Promise<PollCast> {
  const owner = await signUp(server, 'owner');
  const slug = `p${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const created = await server.gql(
    'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id slug } }',
    { input: { slug, name: 'Polls community', description: 'for poll tests', visibility: 'PUBLIC' } },
    { token: owner.token },
  );
  const community = created.body.data.createCommunity as { id: string; slug: string };
  await openPrivileges(server, owner, community.id);
  const people = await inBatches(members + 1, 20, (i) => signUp(server, i === 0 ? 'mod' : `v${i}`));
  await inBatches(people.length, 20, (i) => joinCommunity(server, people[i], community.id));
  const [moderator, ...plain] = people;
  const role = await server.gql(
    'mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }',
    { input: { communityId: community.id, userId: moderator.user.id, role: 'MODERATOR' } },
    { token: owner.token },
  );
  if (role.body.errors) throw new Error(JSON.stringify(role.body.errors));
  if (visibility === 'PRIVATE') {
    const changed = await server.gql(
      'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { visibility } }',
      { input: { id: community.id, visibility: 'PRIVATE' } },
      { token: owner.token },
    );
    if (changed.body.errors) throw new Error(JSON.stringify(changed.body.errors));
  }
  return { owner, moderator, members: plain, community };
}

/** Runs `fn(0…n-1)` with at most `width` at a time, results in order. */
export async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < n; start += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - start) }, (_, j) => fn(start + j)))));
  }
  return out;
}

export interface PollInput {
  question?: string;
  options?: string[];
  allowMultiple?: boolean;
  maxChoices?: number;
  ranked?: boolean;
  anonymous?: boolean;
  hideResultsUntilClosed?: boolean;
  closesAt?: string;
  postId?: string;
  eventId?: string;
}

/** Creates a poll as `creator`; throws with the errors when it fails. */
export async function createPoll(server: TestServer, creator: TestUser, communityId: string, input: PollInput = {}) {
  const res = await server.gql(
    CreatePollDocument,
    { input: { communityId, question: 'Which one?', options: ['Red', 'Green', 'Blue'], ...input } },
    { token: creator.token },
  );
  if (res.body.errors) throw new Error(`createPoll failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data!.createPoll;
}

export function castVote(server: TestServer, voter: TestUser, pollId: string, optionIds: string[]) {
  return server.gql(CastVoteDocument, { input: { pollId, optionIds } }, { token: voter.token });
}

/** Casts a ballot; throws with the errors when it fails. */
export async function voted(server: TestServer, voter: TestUser, pollId: string, optionIds: string[]) {
  const res = await castVote(server, voter, pollId, optionIds);
  if (res.body.errors) throw new Error(`castVote failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data!.castVote;
}
