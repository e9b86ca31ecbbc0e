import { graphql } from '../../codegen/index';
import type { TestServer, TestUser } from '../support/server';

/**
 * Typed documents and set-up steps shared by the channels tests (tests/channels/*.test.ts and
 * tests/security/channel-visibility.test.ts). Operation names start with `Channels`.
 */

export const CreateChannelDocument = graphql(`
  mutation ChannelsCreateChannel($input: CreateChannelInput!) {
    createChannel(input: $input) {
      id
      slug
      name
      description
      position
      readRole
      readLevel
      postRole
      postLevel
      isDefault
      community {
        id
      }
    }
  }
`);

export const UpdateChannelDocument = graphql(`
  mutation ChannelsUpdateChannel($input: UpdateChannelInput!) {
    updateChannel(input: $input) {
      id
      name
      position
      readRole
      readLevel
      postRole
      postLevel
    }
  }
`);

export const RemoveChannelDocument = graphql(`
  mutation ChannelsRemoveChannel($input: RemoveChannelInput!) {
    removeChannel(input: $input) {
      removedChannelId
      movedPostCount
      community {
        id
      }
    }
  }
`);

export const SetChannelSubscriptionDocument = graphql(`
  mutation ChannelsSetChannelSubscription($input: SetChannelSubscriptionInput!) {
    setChannelSubscription(input: $input) {
      id
      viewerState
    }
  }
`);

export const CommunityChannelsDocument = graphql(`
  query ChannelsCommunityChannels($slug: String!, $first: Int, $after: String) {
    community(slug: $slug) {
      channels(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            slug
            position
            isDefault
            viewerState
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const ChannelPostsDocument = graphql(`
  query ChannelsChannelPosts($id: ID!, $orderBy: PostOrder, $tag: String) {
    node(id: $id) {
      ... on Channel {
        id
        slug
        posts(first: 20, orderBy: $orderBy, tag: $tag) {
          edges {
            node {
              id
              title
              channel {
                id
                slug
              }
            }
          }
        }
      }
    }
  }
`);

export const ChannelsCreatePostDocument = graphql(`
  mutation ChannelsCreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      id
      title
      channel {
        id
        slug
        isDefault
      }
    }
  }
`);

export type ChannelInput = {
  slug?: string;
  name?: string;
  readRole?: 'OWNER' | 'ADMIN' | 'MODERATOR' | 'MEMBER' | null;
  readLevel?: number;
  postRole?: 'OWNER' | 'ADMIN' | 'MODERATOR' | 'MEMBER' | null;
  postLevel?: number;
  position?: number;
};

let counter = 0;

/** Creates a channel as `admin`; throws with the errors when it fails. */
export async function createChannel(
  server: TestServer,
  admin: TestUser,
  communityId: string,
  input: ChannelInput = {},
) {
  counter += 1;
  const res = await server.gql(
    CreateChannelDocument,
    { input: { communityId, slug: `chan-${counter}`, name: `Channel ${counter}`, ...input } },
    { token: admin.token },
  );
  if (res.body.errors) throw new Error(`createChannel failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data!.createChannel;
}

/** Writes a post in a channel (the default one without `channelId`); throws with the errors when it fails. */
export async function postIn(
  server: TestServer,
  author: TestUser,
  communityId: string,
  channelId: string | null,
  title = 'A post',
) {
  const res = await server.gql(
    ChannelsCreatePostDocument,
    { input: { communityId, channelId, title, body: 'Body', tags: ['chan'] } },
    { token: author.token },
  );
  if (res.body.errors) throw new Error(`createPost failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data!.createPost;
}

export const PostAddedDocument = graphql(`
  subscription ChannelsPostAdded($communityId: ID!, $channelId: ID) {
    postAdded(communityId: $communityId, channelId: $channelId) {
      id
      title
      channel {
        id
        slug
        isDefault
      }
      author {
        handle
      }
    }
  }
`);
