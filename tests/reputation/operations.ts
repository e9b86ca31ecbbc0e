import { graphql } from '../../codegen/index';
import type { TestServer, TestUser } from '../support/server';

export const MemberReputationDocument = graphql(`
  query ReputationMember($slug: String!, $first: Int!) {
    community(slug: $slug) {
      members(first: $first) {
        edges {
          node {
            id
            reputation
            level
            user {
              id
              handle
            }
            badges {
              badge
              name
              awardedAt
            }
          }
        }
      }
    }
  }
`);

export const MemberHistoryDocument = graphql(`
  query ReputationHistory($id: ID!) {
    node(id: $id) {
      ... on Member {
        reputation
        reputationHistory(first: 100) {
          edges {
            node {
              delta
              reason
              reversal
              createdAt
              actor {
                handle
              }
              subject {
                __typename
                id
              }
            }
          }
        }
      }
    }
  }
`);

export const LeaderboardDocument = graphql(`
  query ReputationLeaderboard($slug: String!, $period: LeaderboardPeriod!, $first: Int!) {
    community(slug: $slug) {
      leaderboard(period: $period, first: $first) {
        rank
        score
        member {
          reputation
          user {
            id
            handle
          }
        }
      }
    }
  }
`);

export const UpdateRulesDocument = graphql(`
  mutation ReputationUpdateRules($input: ReputationRulesInput!) {
    updateReputationRules(input: $input) {
      reputationRules {
        postUpvoted
        commentUpvoted
        downvoted
        commentFeatured
        eventCheckIn
        pollVote
        dailyVoteCap
        levelThresholds
        privileges {
          permission
          level
        }
      }
    }
  }
`);

export const RebuildDocument = graphql(`
  mutation ReputationRebuild($communityId: ID!) {
    rebuildReputation(communityId: $communityId)
  }
`);

export const FeatureDocument = graphql(`
  mutation ReputationFeature($id: ID!, $featured: Boolean!) {
    featureComment(id: $id, featured: $featured) {
      id
      featured
    }
  }
`);

export const DeleteCommentDocument = graphql(`
  mutation ReputationDeleteComment($id: ID!) {
    deleteComment(id: $id) {
      id
      deletedAt
    }
  }
`);

export const LEADERBOARD_CHANGED = `subscription ReputationWatch($id: ID!, $period: LeaderboardPeriod!, $first: Int) {
  leaderboardChanged(communityId: $id, period: $period, first: $first) { rank score member { user { handle } } }
}`;

export type Period = 'ALL_TIME' | 'MONTH' | 'WEEK';

export interface Standing {
  member: { reputation: number; user: { id: string; handle: string } };
  rank: number;
  score: number;
}

/** The data of a response, failing loudly (with the errors) when there is none. */
export function ok(response: { body: { data?: any; errors?: unknown } }): any {
  if (response.body.errors || !response.body.data)
    throw new Error(`request failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data;
}

export interface LedgerRow {
  delta: number;
  reason: string;
  reversal: boolean;
  createdAt: string;
  actor: { handle: string } | null;
  subject: { __typename: string; id: string } | null;
}

export interface MemberView {
  id: string;
  reputation: number;
  level: number;
  user: { id: string; handle: string };
  badges: { badge: string; name: string; awardedAt: string }[];
}

/** A community's members (first 100) with reputation, level and badges, by handle. */
export async function reputations(server: TestServer, slug: string, viewer?: TestUser) {
  const data = ok(await server.gql(MemberReputationDocument, { slug, first: 100 }, { token: viewer?.token }));
  return new Map<string, MemberView>(
    data.community!.members.edges.map((e: { node: MemberView }) => [e.node.user.handle, e.node]),
  );
}

export async function leaderboard(
  server: TestServer,
  slug: string,
  period: Period,
  first = 100,
  viewer?: TestUser,
): Promise<Standing[]> {
  return ok(await server.gql(LeaderboardDocument, { slug, period, first }, { token: viewer?.token })).community!
    .leaderboard;
}

/** Overrides rules as `admin`; throws with the errors when it fails. */
export async function setRules(
  server: TestServer,
  admin: TestUser,
  communityId: string,
  rules: Record<string, unknown>,
) {
  return ok(await server.gql(UpdateRulesDocument, { input: { communityId, ...rules } }, { token: admin.token }))
    .updateReputationRules.reputationRules;
}

export const CheckInDocument = graphql(`
  mutation ReputationCheckIn($input: CheckInInput!) {
    checkIn(input: $input) {
      id
      checkedInAt
    }
  }
`);

/** A member's ledger rows, newest first (first 100), and their reputation. */
export async function history(
  server: TestServer,
  memberId: string,
  viewer?: TestUser,
): Promise<{ reputation: number; rows: LedgerRow[] }> {
  const node = ok(await server.gql(MemberHistoryDocument, { id: memberId }, { token: viewer?.token })).node;
  return { reputation: node.reputation, rows: node.reputationHistory.edges.map((e: { node: LedgerRow }) => e.node) };
}
