import { graphql } from '../../codegen/index';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  unique,
  type TestServer,
  type TestUser,
} from '../support/server';

const CommunityBySlug = graphql(`
  query CommunityBySlug($slug: String!) {
    community(slug: $slug) {
      id
      name
      visibility
      memberCount
      viewerMember {
        role
      }
    }
  }
`);
const Members = graphql(`
  query CommunityMembers($slug: String!, $first: Int, $after: String, $role: Role) {
    community(slug: $slug) {
      members(first: $first, after: $after, role: $role) {
        edges {
          cursor
          node {
            id
            role
            user {
              handle
            }
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
    }
  }
`);
const NodeById = graphql(`
  query NodeById($id: ID!) {
    node(id: $id) {
      id
      __typename
    }
  }
`);
const SearchCommunities = graphql(`
  query SearchCommunities($search: String, $first: Int, $after: String) {
    communities(search: $search, first: $first, after: $after) {
      edges {
        node {
          slug
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
const SetRole = graphql(`
  mutation SetRole($input: SetMemberRoleInput!) {
    setMemberRole(input: $input) {
      role
    }
  }
`);
const Ban = graphql(`
  mutation Ban($input: BanMemberInput!) {
    banMember(input: $input) {
      reason
      until
      user {
        handle
      }
    }
  }
`);
const Unban = graphql(`
  mutation Unban($input: MemberRefInput!) {
    unbanMember(input: $input)
  }
`);
const Invite = graphql(`
  mutation Invite($input: MemberRefInput!) {
    inviteMember(input: $input) {
      id
      user {
        handle
      }
      invitedBy {
        handle
      }
    }
  }
`);
const Leave = graphql(`
  mutation Leave($id: ID!) {
    leaveCommunity(communityId: $id)
  }
`);
const UpdateCommunity = graphql(`
  mutation UpdateCommunity($input: UpdateCommunityInput!) {
    updateCommunity(input: $input) {
      name
      description
      visibility
    }
  }
`);
const JoinRequests = graphql(`
  query JoinRequests($slug: String!) {
    community(slug: $slug) {
      joinRequests(first: 10) {
        edges {
          node {
            id
            status
            user {
              handle
            }
          }
        }
      }
    }
  }
`);
const Approve = graphql(`
  mutation Approve($id: ID!) {
    approveJoinRequest(id: $id) {
      role
      user {
        handle
      }
    }
  }
`);
const Reject = graphql(`
  mutation Reject($id: ID!) {
    rejectJoinRequest(id: $id) {
      status
    }
  }
`);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

async function slugOf(id: string, owner: TestUser): Promise<string> {
  const res = await server.gql(
    'query($id: ID!) { node(id: $id) { ... on Community { slug } } }',
    { id },
    { token: owner.token },
  );
  return res.body.data.node.slug;
}

describe('creating communities', () => {
  it('makes the creator its OWNER and counts them as a member', async () => {
    const ada = await signUp(server, 'ada');
    const c = await createCommunity(server, ada, 'PUBLIC', 'Ada Fans');
    const res = await server.gql(CommunityBySlug, { slug: c.slug }, { token: ada.token });
    expect(res.body.data.community).toMatchObject({
      name: 'Ada Fans',
      visibility: 'PUBLIC',
      memberCount: 1,
      viewerMember: { role: 'OWNER' },
    });
  });

  it('refuses anonymous callers, taken slugs and bad slugs', async () => {
    const ada = await signUp(server, 'ada');
    const input = { slug: unique('s').replace(/_/g, '-'), name: 'X', description: '', visibility: 'PUBLIC' as const };
    const anon = await server.gql('mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }', {
      input,
    });
    expect(errorCode(anon)).toBe('UNAUTHENTICATED');
    const first = await server.gql(
      'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }',
      { input },
      { token: ada.token },
    );
    expect(first.body.errors).toBeUndefined();
    const again = await server.gql(
      'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }',
      { input },
      { token: ada.token },
    );
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.body.errors![0].extensions!.field).toBe('slug');
    const bad = await server.gql(
      'mutation($input: CreateCommunityInput!) { createCommunity(input: $input) { id } }',
      { input: { ...input, slug: 'Not A Slug!' } },
      { token: ada.token },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors![0].extensions!.field).toBe('slug');
  });
});

describe('private communities', () => {
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let community: { id: string; slug: string };
  let memberId: string;

  beforeAll(async () => {
    owner = await signUp(server, 'owner');
    member = await signUp(server, 'member');
    outsider = await signUp(server, 'outsider');
    community = await createCommunity(server, owner, 'PRIVATE', 'Secret Garden');
    await server.gql(Invite, { input: { communityId: community.id, userId: member.user.id } }, { token: owner.token });
    const joined = await joinCommunity(server, member, community.id);
    expect(joined.outcome).toBe('JOINED');
    memberId = joined.member!.id;
  });

  it('hides a private community from non-members by slug, in lists and through node()', async () => {
    for (const token of [outsider.token, undefined]) {
      const bySlug = await server.gql(CommunityBySlug, { slug: community.slug }, { token });
      expect(bySlug.body.data.community).toBeNull();
      const list = await server.gql(SearchCommunities, { search: community.slug, first: 10 }, { token });
      expect(list.body.data.communities.edges).toEqual([]);
      for (const id of [community.id, memberId]) {
        const node = await server.gql(NodeById, { id }, { token });
        expect(node.body.data.node).toBeNull();
      }
    }
  });

  it('shows it, its members and their memberships to members', async () => {
    const bySlug = await server.gql(CommunityBySlug, { slug: community.slug }, { token: member.token });
    expect(bySlug.body.data.community).toMatchObject({
      name: 'Secret Garden',
      memberCount: 2,
      viewerMember: { role: 'MEMBER' },
    });
    const members = await server.gql(Members, { slug: community.slug }, { token: member.token });
    expect(members.body.data.community.members.edges.map((e: any) => e.node.user.handle)).toEqual([
      owner.user.handle,
      member.user.handle,
    ]);
    const node = await server.gql(NodeById, { id: memberId }, { token: member.token });
    expect(node.body.data.node).toEqual({ id: memberId, __typename: 'Member' });
  });

  it("answers a non-member's joinCommunity with NOT_FOUND and files no join request", async () => {
    const hopeful = await signUp(server, 'hopeful');
    const res = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome community { name } } }',
      { id: community.id },
      { token: hopeful.token },
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.body.data).toBeNull();
    const requests = await server.gql(JoinRequests, { slug: community.slug }, { token: owner.token });
    expect(requests.body.data.community.joinRequests.edges.map((e: any) => e.node.user.handle)).not.toContain(
      hopeful.user.handle,
    );
  });

  it('lets an invitee see the community profile but not its members until they join', async () => {
    const guest = await signUp(server, 'guest');
    const invite = await server.gql(
      Invite,
      { input: { communityId: community.id, userId: guest.user.id } },
      { token: owner.token },
    );
    expect(invite.body.data.inviteMember.invitedBy.handle).toBe(owner.user.handle);
    const profile = await server.gql(CommunityBySlug, { slug: community.slug }, { token: guest.token });
    expect(profile.body.data.community).toMatchObject({ name: 'Secret Garden', viewerMember: null });
    const members = await server.gql(Members, { slug: community.slug }, { token: guest.token });
    expect(errorCode(members)).toBe('FORBIDDEN');
    expect((await joinCommunity(server, guest, community.id)).outcome).toBe('JOINED');
  });
});

describe('restricted communities', () => {
  let owner: TestUser;
  let member: TestUser;
  let community: { id: string; slug: string };

  beforeAll(async () => {
    owner = await signUp(server, 'owner');
    member = await signUp(server, 'member');
    community = await createCommunity(server, owner, 'RESTRICTED', 'Open Garden');
    await server.gql(Invite, { input: { communityId: community.id, userId: member.user.id } }, { token: owner.token });
    expect((await joinCommunity(server, member, community.id)).outcome).toBe('JOINED');
  });

  it('turns a join by a non-member into a join request that an admin approves', async () => {
    const hopeful = await signUp(server, 'hopeful');
    const joined = await joinCommunity(server, hopeful, community.id);
    expect(joined).toMatchObject({ outcome: 'REQUESTED', member: null });
    // The profile is public; the members stay hidden while the request is pending.
    expect(
      (await server.gql(CommunityBySlug, { slug: community.slug }, { token: hopeful.token })).body.data.community,
    ).toMatchObject({ name: 'Open Garden', viewerMember: null });
    expect(errorCode(await server.gql(Members, { slug: community.slug }, { token: hopeful.token }))).toBe('FORBIDDEN');
    // A plain member may not read the requests.
    expect(errorCode(await server.gql(JoinRequests, { slug: community.slug }, { token: member.token }))).toBe(
      'FORBIDDEN',
    );
    const requests = await server.gql(JoinRequests, { slug: community.slug }, { token: owner.token });
    const request = requests.body.data.community.joinRequests.edges.find(
      (e: any) => e.node.user.handle === hopeful.user.handle,
    ).node;
    expect(request.status).toBe('PENDING');
    const approved = await server.gql(Approve, { id: request.id }, { token: owner.token });
    expect(approved.body.data.approveJoinRequest).toEqual({ role: 'MEMBER', user: { handle: hopeful.user.handle } });
    const twice = await server.gql(Approve, { id: request.id }, { token: owner.token });
    expect(errorCode(twice)).toBe('CONFLICT');
    const visible = await server.gql(CommunityBySlug, { slug: community.slug }, { token: hopeful.token });
    expect(visible.body.data.community.viewerMember).toEqual({ role: 'MEMBER' });
  });

  it('lets an admin reject a join request, after which the user may ask again', async () => {
    const pest = await signUp(server, 'pest');
    const first = await joinCommunity(server, pest, community.id);
    const rejected = await server.gql(Reject, { id: first.joinRequest!.id }, { token: owner.token });
    expect(rejected.body.data.rejectJoinRequest.status).toBe('REJECTED');
    const again = await joinCommunity(server, pest, community.id);
    expect(again.outcome).toBe('REQUESTED');
    expect(again.joinRequest!.id).toBe(first.joinRequest!.id);
  });
});

describe('the role permission table', () => {
  type Role = 'OWNER' | 'ADMIN' | 'MODERATOR' | 'MEMBER' | 'NONE';
  /** What each role may do, as PERMISSIONS in src/modules/communities/permissions.ts says. */
  const expected: Record<string, Role[]> = {
    updateCommunity: ['OWNER', 'ADMIN'],
    readJoinRequests: ['OWNER', 'ADMIN'],
    inviteMember: ['OWNER', 'ADMIN', 'MODERATOR'],
    banMember: ['OWNER', 'ADMIN', 'MODERATOR'],
    promoteToModerator: ['OWNER', 'ADMIN'],
    readInsights: ['OWNER', 'ADMIN'],
  };

  async function communityWithActor(role: Role) {
    const owner = await signUp(server, 'own');
    const c = await createCommunity(server, owner, 'PUBLIC');
    const actor = role === 'OWNER' ? owner : await signUp(server, role.toLowerCase());
    if (role !== 'OWNER' && role !== 'NONE') {
      await joinCommunity(server, actor, c.id);
      if (role !== 'MEMBER')
        await server.gql(
          SetRole,
          { input: { communityId: c.id, userId: actor.user.id, role } },
          { token: owner.token },
        );
    }
    const target = await signUp(server, 'target');
    await joinCommunity(server, target, c.id);
    return { owner, actor, target, c, slug: await slugOf(c.id, owner) };
  }

  const actions: Record<string, (s: Awaited<ReturnType<typeof communityWithActor>>) => Promise<unknown>> = {
    updateCommunity: ({ actor, c }) =>
      server.gql(UpdateCommunity, { input: { id: c.id, description: 'new words' } }, { token: actor.token }),
    readJoinRequests: ({ actor, slug }) => server.gql(JoinRequests, { slug }, { token: actor.token }),
    inviteMember: async ({ actor, c }) => {
      const invitee = await signUp(server, 'inv');
      return server.gql(Invite, { input: { communityId: c.id, userId: invitee.user.id } }, { token: actor.token });
    },
    banMember: ({ actor, target, c }) =>
      server.gql(Ban, { input: { communityId: c.id, userId: target.user.id, reason: 'spam' } }, { token: actor.token }),
    promoteToModerator: ({ actor, target, c }) =>
      server.gql(
        SetRole,
        { input: { communityId: c.id, userId: target.user.id, role: 'MODERATOR' } },
        { token: actor.token },
      ),
    readInsights: ({ actor, slug }) =>
      server.gql(
        'query($s: String!) { community(slug: $s) { insights(from: "2026-01-05T00:00:00Z", to: "2026-01-12T00:00:00Z", interval: DAY) { from } } }',
        { s: slug },
        { token: actor.token },
      ),
  };

  const cases = (['OWNER', 'ADMIN', 'MODERATOR', 'MEMBER', 'NONE'] as Role[]).flatMap((role) =>
    Object.keys(actions).map((action) => [role, action, expected[action].includes(role)] as const),
  );

  it.each(cases)('%s may %s: %s', async (role, action, allowed) => {
    const setup = await communityWithActor(role);
    const res = (await actions[action](setup)) as { body: { errors?: { extensions?: { code?: string } }[] } };
    if (allowed) expect(res.body.errors).toBeUndefined();
    else expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('does not let a moderator ban an admin, nor an admin grant ADMIN', async () => {
    const { owner, c } = await communityWithActor('MEMBER');
    const mod = await signUp(server, 'mod');
    const admin = await signUp(server, 'adm');
    for (const [u, role] of [
      [mod, 'MODERATOR'],
      [admin, 'ADMIN'],
    ] as const) {
      await joinCommunity(server, u, c.id);
      await server.gql(SetRole, { input: { communityId: c.id, userId: u.user.id, role } }, { token: owner.token });
    }
    expect(
      errorCode(
        await server.gql(
          Ban,
          { input: { communityId: c.id, userId: admin.user.id, reason: '' } },
          { token: mod.token },
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      errorCode(
        await server.gql(
          SetRole,
          { input: { communityId: c.id, userId: mod.user.id, role: 'ADMIN' } },
          { token: admin.token },
        ),
      ),
    ).toBe('FORBIDDEN');
  });

  it('keeps the last owner from leaving', async () => {
    const owner = await signUp(server, 'own');
    const c = await createCommunity(server, owner);
    const res = await server.gql(Leave, { id: c.id }, { token: owner.token });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });
});

describe('bans', () => {
  it('removes a banned member, keeps them out until unbanned, and keeps the member count exact', async () => {
    const owner = await signUp(server, 'own');
    const troll = await signUp(server, 'troll');
    const c = await createCommunity(server, owner);
    const slug = await slugOf(c.id, owner);
    await joinCommunity(server, troll, c.id);
    expect((await server.gql(CommunityBySlug, { slug })).body.data.community.memberCount).toBe(2);
    const until = new Date(Date.now() + 3600_000).toISOString();
    const ban = await server.gql(
      Ban,
      { input: { communityId: c.id, userId: troll.user.id, reason: 'trolling', until } },
      { token: owner.token },
    );
    expect(ban.body.data.banMember).toMatchObject({ reason: 'trolling', until, user: { handle: troll.user.handle } });
    expect((await server.gql(CommunityBySlug, { slug })).body.data.community.memberCount).toBe(1);
    const rejoin = await server.gql(
      'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
      { id: c.id },
      { token: troll.token },
    );
    expect(errorCode(rejoin)).toBe('FORBIDDEN');
    expect(rejoin.body.errors![0].message).toContain(until);
    expect(
      (await server.gql(Unban, { input: { communityId: c.id, userId: troll.user.id } }, { token: owner.token })).body
        .data.unbanMember,
    ).toBe(true);
    expect((await joinCommunity(server, troll, c.id)).outcome).toBe('JOINED');
  });

  it('lets a member back in once a temporary ban has run out', async () => {
    const owner = await signUp(server, 'own');
    const troll = await signUp(server, 'troll');
    const c = await createCommunity(server, owner);
    await joinCommunity(server, troll, c.id);
    const until = new Date(Date.now() + 1500).toISOString();
    await server.gql(
      Ban,
      { input: { communityId: c.id, userId: troll.user.id, reason: 'cool off', until } },
      { token: owner.token },
    );
    expect(
      errorCode(
        await server.gql(
          'mutation($id: ID!) { joinCommunity(communityId: $id) { outcome } }',
          { id: c.id },
          { token: troll.token },
        ),
      ),
    ).toBe('FORBIDDEN');
    await new Promise((r) => setTimeout(r, Date.parse(until) - Date.now() + 100)); // the ban's own clock
    expect((await joinCommunity(server, troll, c.id)).outcome).toBe('JOINED');
  });

  it('refuses a ban that ends in the past with BAD_USER_INPUT on until', async () => {
    const owner = await signUp(server, 'own');
    const troll = await signUp(server, 'troll');
    const c = await createCommunity(server, owner);
    const res = await server.gql(
      Ban,
      { input: { communityId: c.id, userId: troll.user.id, reason: '', until: '2001-01-01T00:00:00.000Z' } },
      { token: owner.token },
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('until');
  });
});

describe('pagination', () => {
  it("walks a community's members page by page with opaque cursors, none repeated or skipped", async () => {
    const owner = await signUp(server, 'own');
    const c = await createCommunity(server, owner);
    const slug = await slugOf(c.id, owner);
    const joiners = [];
    for (let i = 0; i < 6; i++) joiners.push(await signUp(server, `m${i}`));
    for (const j of joiners) await joinCommunity(server, j, c.id);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const res = await server.gql(Members, { slug, first: 3, after });
      const conn = res.body.data.community.members;
      seen.push(...conn.edges.map((e: any) => e.node.user.handle));
      expect(conn.pageInfo.hasPreviousPage).toBe(pages > 0);
      pages++;
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([owner.user.handle, ...joiners.map((j) => j.user.handle)]);
    const members = await server.gql(Members, { slug, role: 'OWNER' });
    expect(members.body.data.community.members.edges.map((e: any) => e.node.role)).toEqual(['OWNER']);
  });

  it('rejects a forged cursor and a page size over 100 with BAD_USER_INPUT', async () => {
    const bad = await server.gql(SearchCommunities, { first: 5, after: 'not-a-cursor' });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.body.errors![0].extensions!.field).toBe('after');
    const big = await server.gql(SearchCommunities, { first: 500 });
    expect(errorCode(big)).toBe('BAD_USER_INPUT');
  });
});

describe('concurrency', () => {
  it('counts members exactly when many join, and one joins many times, at once', async () => {
    const owner = await signUp(server, 'own');
    const c = await createCommunity(server, owner);
    const slug = await slugOf(c.id, owner);
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => signUp(server, `cc${i}`)));
    await Promise.all([
      ...users.map((u) => joinCommunity(server, u, c.id)),
      ...Array.from({ length: 5 }, () => joinCommunity(server, users[0], c.id)),
    ]);
    const counted = (await server.gql(CommunityBySlug, { slug })).body.data.community.memberCount;
    const rows = await server.app.db.orm.em
      .fork()
      .getConnection()
      .execute(
        'select count(*)::int as n from members m join communities c on c.id = m.community_id where c.slug = ?',
        [slug],
      );
    expect(rows[0].n).toBe(9);
    expect(counted).toBe(9);
  });
});
