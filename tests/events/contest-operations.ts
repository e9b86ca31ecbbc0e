import { graphql } from '../../codegen/index';
import type { TestServer, TestUser } from '../support/server';
import { createEvent, hoursFromNow } from './operations';

/**
 * Typed documents and set-up steps shared by the contest tests (tests/events/contests*.test.ts).
 * Operation names start with `Contest` so they never clash with other files' documents in codegen.
 */

export const SubmitEntryDocument = graphql(`
  mutation ContestSubmitEntry($input: SubmitContestEntryInput!) {
    submitContestEntry(input: $input) {
      id
      votes
      rank
      submittedAt
      author {
        handle
      }
      post {
        id
        title
      }
      event {
        id
      }
    }
  }
`);

export const WithdrawEntryDocument = graphql(`
  mutation ContestWithdrawEntry($entryId: ID!) {
    withdrawContestEntry(entryId: $entryId)
  }
`);

export const VoteEntryDocument = graphql(`
  mutation ContestVoteEntry($entryId: ID!) {
    voteContestEntry(entryId: $entryId) {
      id
      votes
    }
  }
`);

export const WithdrawVoteDocument = graphql(`
  mutation ContestWithdrawVote($eventId: ID!) {
    withdrawContestVote(eventId: $eventId)
  }
`);

export const MoveContestDocument = graphql(`
  mutation ContestMove($input: UpdateEventInput!) {
    updateEvent(input: $input) {
      id
      startsAt
      endsAt
    }
  }
`);

export const ContestDocument = graphql(`
  query ContestStanding($id: ID!, $first: Int, $after: String) {
    event(id: $id) {
      id
      kind
      contest {
        phase
        entryCount
        viewerEntry {
          id
        }
        viewerVote {
          id
        }
        entries(first: $first, after: $after) {
          edges {
            node {
              id
              votes
              rank
              author {
                handle
              }
              post {
                title
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

/** Creates a CONTEST event as `organizer`, taking submissions until it starts in a day. */
export function createContest(server: TestServer, organizer: TestUser, communityId: string) {
  return createEvent(server, organizer, communityId, {
    kind: 'CONTEST',
    title: 'Photo contest',
    startsAt: hoursFromNow(24),
  });
}

/** Moves a contest into a phase by changing its event's times as its organizer (a one-off event may move). */
export async function moveContest(
  server: TestServer,
  organizer: TestUser,
  eventId: string,
  phase: 'SUBMISSIONS' | 'VOTING' | 'CLOSED',
) {
  const [start, end] = { SUBMISSIONS: [24, 25], VOTING: [-1, 1], CLOSED: [-2, -1] }[phase];
  const res = await server.gql(
    MoveContestDocument,
    { input: { id: eventId, startsAt: hoursFromNow(start).toISOString(), endsAt: hoursFromNow(end).toISOString() } },
    { token: organizer.token },
  );
  if (res.body.errors) throw new Error(`updateEvent failed: ${JSON.stringify(res.body.errors)}`);
}

/** Enters `postId` in a contest as `member`; returns the whole response (errors included). */
export function submitEntry(server: TestServer, member: TestUser, eventId: string, postId: string) {
  return server.gql(SubmitEntryDocument, { input: { eventId, postId } }, { token: member.token });
}

/** Votes for an entry as `voter`; returns the whole response (errors included). */
export function voteFor(server: TestServer, voter: TestUser, entryId: string) {
  return server.gql(VoteEntryDocument, { entryId }, { token: voter.token });
}

/** A contest as `viewer` sees it (null when they may not read the event). */
export async function standing(
  server: TestServer,
  viewer: TestUser | undefined,
  eventId: string,
  first = 100,
  after?: string,
) {
  const res = await server.gql(ContestDocument, { id: eventId, first, after }, { token: viewer?.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data!.event?.contest ?? null;
}
