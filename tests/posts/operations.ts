import { graphql } from '../../codegen/index';
import {
  createCommunity,
  joinCommunity,
  openPrivileges,
  signUp,
  type TestServer,
  type TestUser,
} from '../support/server';
import { parseGlobalId } from '../../src/platform/ids';

/**
 * Typed documents and set-up steps shared by the posts tests (tests/posts/*.test.ts).
 * Operation names start with `Posts` so they never clash with other files' documents in codegen.
 */

export const CreatePostDocument = graphql(`
  mutation PostsCreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      id
      title
      body
      bodyHtml
      tags
      score
      commentCount
      editedAt
      deletedAt
      author {
        handle
      }
    }
  }
`);

export const AddCommentDocument = graphql(`
  mutation PostsAddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      id
      depth
      cursor
      body
      author {
        handle
      }
      parent {
        id
      }
    }
  }
`);

export const VoteDocument = graphql(`
  mutation PostsVote($input: VoteInput!) {
    vote(input: $input) {
      __typename
      ... on Post {
        id
        score
        viewerVote
      }
      ... on Comment {
        id
        score
        viewerVote
      }
    }
  }
`);

export const SetRoleDocument = graphql(`
  mutation PostsSetRole($input: SetMemberRoleInput!) {
    setMemberRole(input: $input) {
      role
    }
  }
`);

export const LockPostDocument = graphql(`
  mutation PostsLockPost($id: ID!, $locked: Boolean!) {
    lockPost(id: $id, locked: $locked) {
      id
      locked
    }
  }
`);

export const PinPostDocument = graphql(`
  mutation PostsPinPost($id: ID!, $pinned: Boolean!) {
    pinPost(id: $id, pinned: $pinned) {
      id
      pinned
    }
  }
`);

export const DeletePostDocument = graphql(`
  mutation PostsDeletePost($id: ID!) {
    deletePost(id: $id) {
      id
      title
      body
      bodyHtml
      deletedAt
      author {
        handle
      }
    }
  }
`);

/** A community with its owner, a moderator and `members` plain members. */
export interface Cast {
  owner: TestUser;
  moderator: TestUser;
  members: TestUser[];
  community: { id: string; slug: string };
}

/**
 * Creates a community (PUBLIC unless told) with an owner, a moderator and some plain members. Its
 * level-gated privileges are open to new members unless `gated` (see `openPrivileges`).
 */
export async function castOf(
  server: TestServer,
  members = 2,
  visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC',
  gated = false,
): Promise<Cast> {
  const owner = await signUp(server, 'owner');
  const community = await createCommunity(server, owner, 'PUBLIC');
  if (!gated) await openPrivileges(server, owner, community.id);
  const moderator = await signUp(server, 'mod');
  const plain = await Promise.all(Array.from({ length: members }, (_, i) => signUp(server, `m${i}`)));
  for (const u of [moderator, ...plain]) await joinCommunity(server, u, community.id);
  const role = await server.gql(
    SetRoleDocument,
    { input: { communityId: community.id, userId: moderator.user.id, role: 'MODERATOR' } },
    { token: owner.token },
  );
  if (res(role).setMemberRole?.role !== 'MODERATOR')
    throw new Error(`setMemberRole failed: ${JSON.stringify(role.body.errors)}`);
  if (visibility === 'PRIVATE') {
    const changed = await server.gql(
      'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { visibility } }',
      { input: { id: community.id, visibility: 'PRIVATE' } },
      { token: owner.token },
    );
    if (changed.body.errors) throw new Error(`updateCommunity failed: ${JSON.stringify(changed.body.errors)}`);
  }
  return { owner, moderator, members: plain, community };
}

/** The data of a response, failing loudly (with the errors) when there is none. */
function res(response: { body: { data?: any; errors?: unknown } }): any {
  if (!response.body.data) throw new Error(`request failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data;
}

/** Writes a post as `author`; throws with the errors when it fails. */
export async function createPost(
  server: TestServer,
  author: TestUser,
  communityId: string,
  input: { title?: string; body?: string; tags?: string[] } = {},
) {
  const response = await server.gql(
    CreatePostDocument,
    {
      input: { communityId, title: input.title ?? 'A post', body: input.body ?? 'Some words.', tags: input.tags ?? [] },
    },
    { token: author.token },
  );
  if (response.body.errors) throw new Error(`createPost failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data!.createPost;
}

/** Comments on a post (or replies, with `parentId`) as `author`; throws with the errors when it fails. */
export async function addComment(
  server: TestServer,
  author: TestUser,
  postId: string,
  body = 'A comment.',
  parentId?: string,
) {
  const response = await server.gql(AddCommentDocument, { input: { postId, body, parentId } }, { token: author.token });
  if (response.body.errors) throw new Error(`addComment failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data!.addComment;
}

/** Votes as `voter`; throws with the errors when it fails. */
export async function vote(server: TestServer, voter: TestUser, subjectId: string, value: 'UP' | 'DOWN' | 'NONE') {
  const response = await server.gql(VoteDocument, { input: { subjectId, value } }, { token: voter.token });
  if (response.body.errors) throw new Error(`vote failed: ${JSON.stringify(response.body.errors)}`);
  return response.body.data!.vote;
}

/**
 * The database key behind a global ID, decoded with the server's own function and key (the test
 * server runs in this process). Global IDs are opaque to clients; tests decode them only to
 * recount rows straight from the database.
 */
export function dbId(globalId: string): number {
  const parsed = parseGlobalId(globalId);
  if (!parsed) throw new Error(`Not a global ID of this server: ${globalId}`);
  return parsed.id;
}

/** Runs SQL on the suite's database outside any request (recounts, setting up ages). */
export async function dbQuery<T = Record<string, any>>(
  server: TestServer,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  return server.app.db.orm.em.fork().getConnection().execute(query, params) as Promise<T[]>;
}
