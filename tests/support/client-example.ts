/**
 * The README's typed client example: `graphql()` returns a TypedDocumentNode, so the result and
 * variables below are fully typed. Run with a token from `signIn`.
 */
import { print } from 'graphql';
import { graphql } from '../../codegen/index';

export const MyCommunitiesDocument = graphql(`
  query MyCommunities($first: Int!) {
    viewer {
      handle
    }
    communities(first: $first) {
      edges {
        node {
          slug
          name
          memberCount
          viewerMember {
            role
          }
        }
      }
    }
  }
`);

export async function myCommunities(endpoint: string, token: string) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(MyCommunitiesDocument), variables: { first: 10 } }),
  });
  const { data } = (await res.json()) as { data: import('../../codegen/graphql').MyCommunitiesQuery };
  return data.communities.edges.map((e) => `${e.node.slug}: ${e.node.viewerMember?.role ?? 'not a member'}`);
}
