import { graphql } from '../../codegen/index';

/** Typed documents shared by the tests (generated types in codegen/ by `npm run codegen`). */
export const SignUpDocument = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      user {
        id
        handle
        email
      }
    }
  }
`);

export const CreateCommunityDocument = graphql(`
  mutation CreateCommunity($input: CreateCommunityInput!) {
    createCommunity(input: $input) {
      id
      slug
      visibility
    }
  }
`);

export const RequestMembershipDocument = graphql(`
  mutation RequestMembership($id: ID!) {
    requestMembership(input: { communityId: $id }) {
      outcome
      member {
        id
        role
      }
      joinRequest {
        id
      }
    }
  }
`);

export const CommunitiesWithMembersDocument = graphql(`
  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {
    communities(first: $first, after: $after) {
      edges {
        node {
          name
          members(first: $members) {
            edges {
              node {
                role
                user {
                  handle
                }
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
