/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n": typeof types.CommunityBySlugDocument,
    "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": typeof types.CommunityMembersDocument,
    "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n": typeof types.NodeByIdDocument,
    "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.SearchCommunitiesDocument,
    "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": typeof types.SetRoleDocument,
    "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n": typeof types.BanDocument,
    "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n": typeof types.UnbanDocument,
    "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n": typeof types.InviteDocument,
    "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n": typeof types.LeaveDocument,
    "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n": typeof types.UpdateCommunityDocument,
    "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n": typeof types.JoinRequestsDocument,
    "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n": typeof types.ApproveDocument,
    "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n": typeof types.RejectDocument,
    "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n": typeof types.CommunitiesPageDocument,
    "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n": typeof types.MyCommunitiesDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n": typeof types.CreateCommunityDocument,
    "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n": typeof types.JoinCommunityDocument,
    "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.CommunitiesWithMembersDocument,
};
const documents: Documents = {
    "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n": types.CommunityBySlugDocument,
    "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n": types.CommunityMembersDocument,
    "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n": types.NodeByIdDocument,
    "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.SearchCommunitiesDocument,
    "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n": types.SetRoleDocument,
    "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n": types.BanDocument,
    "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n": types.UnbanDocument,
    "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n": types.InviteDocument,
    "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n": types.LeaveDocument,
    "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n": types.UpdateCommunityDocument,
    "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n": types.JoinRequestsDocument,
    "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n": types.ApproveDocument,
    "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n": types.RejectDocument,
    "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n": types.CommunitiesPageDocument,
    "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n": types.MyCommunitiesDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n": types.SignUpDocument,
    "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n": types.CreateCommunityDocument,
    "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n": types.JoinCommunityDocument,
    "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.CommunitiesWithMembersDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n"): (typeof documents)["\n  query CommunityBySlug($slug: String!) {\n    community(slug: $slug) { id name visibility memberCount viewerMember { role } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {\n    community(slug: $slug) {\n      members(first: $first, after: $after, role: $role) {\n        edges { cursor node { id role user { handle } } }\n        pageInfo { hasNextPage hasPreviousPage endCursor }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n"): (typeof documents)["\n  query NodeById($id: ID!) { node(id: $id) { id __typename } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SearchCommunities($search: String, $first: Int, $after: String) {\n    communities(search: $search, first: $first, after: $after) {\n      edges { node { slug } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"): (typeof documents)["\n  mutation SetRole($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n"): (typeof documents)["\n  mutation Ban($input: BanMemberInput!) { banMember(input: $input) { reason until user { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n"): (typeof documents)["\n  mutation Unban($input: MemberRefInput!) { unbanMember(input: $input) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n"): (typeof documents)["\n  mutation Invite($input: MemberRefInput!) { inviteMember(input: $input) { id user { handle } invitedBy { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n"): (typeof documents)["\n  mutation Leave($id: ID!) { leaveCommunity(communityId: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n"): (typeof documents)["\n  mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { name description visibility } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n"): (typeof documents)["\n  query JoinRequests($slug: String!) {\n    community(slug: $slug) { joinRequests(first: 10) { edges { node { id status user { handle } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n"): (typeof documents)["\n  mutation Approve($id: ID!) { approveJoinRequest(id: $id) { role user { handle } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n"): (typeof documents)["\n  mutation Reject($id: ID!) { rejectJoinRequest(id: $id) { status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n"): (typeof documents)["\n  query CommunitiesPage($search: String, $first: Int!) {\n    communities(search: $search, first: $first) {\n      edges { node { name members(first: 5) { edges { node { role user { handle } } } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n"): (typeof documents)["\n  query MyCommunities($first: Int!) {\n    viewer { handle }\n    communities(first: $first) { edges { node { slug name memberCount viewerMember { role } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) { token user { id handle email } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n"): (typeof documents)["\n  mutation CreateCommunity($input: CreateCommunityInput!) {\n    createCommunity(input: $input) { id slug visibility }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n"): (typeof documents)["\n  mutation JoinCommunity($id: ID!) {\n    joinCommunity(communityId: $id) { outcome member { id role } joinRequest { id } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query CommunitiesWithMembers($first: Int!, $members: Int!, $after: String) {\n    communities(first: $first, after: $after) {\n      edges { node { name members(first: $members) { edges { node { role user { handle } } } } } }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;