/**
 * Bans and their rank rule through the public API (issue 12, points 11 and 13): lifting or changing
 * a ban takes the rank that placing it took (outranking the role the user held when banned), a
 * banned user cannot be invited nor approved in, and a ban in force ends a member's powers even
 * when it raced their joining.
 */
import { dbQuery } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../support/server';
import { communityKey } from '../security/community-state';

const SetRole =
  'mutation($c: ID!, $u: ID!, $role: Role!) { setMemberRole(input: { communityId: $c, userId: $u, role: $role }) { role } }';
const Ban =
  'mutation($c: ID!, $u: ID!, $until: DateTimeISO) { banMember(input: { communityId: $c, userId: $u, reason: "spam", until: $until }) { reason until } }';
const Unban = 'mutation($c: ID!, $u: ID!) { unbanMember(input: { communityId: $c, userId: $u }) }';
const Invite = 'mutation($c: ID!, $u: ID!) { inviteMember(input: { communityId: $c, userId: $u }) { id } }';
const Join = 'mutation($c: ID!) { joinCommunity(communityId: $c) { outcome } }';
const Members =
  'query($slug: String!) { community(slug: $slug) { members(first: 50) { edges { node { user { handle } } } } } }';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A community with an owner, an admin, a moderator and a plain member. */
async function ranks(visibility: 'PUBLIC' | 'RESTRICTED' = 'PUBLIC') {
  const owner = await signUp(server, 'owner');
  const community = await createCommunity(server, owner, 'PUBLIC');
  const [admin, moderator, member] = await Promise.all(['admin', 'mod', 'member'].map((p) => signUp(server, p)));
  for (const u of [admin, moderator, member]) await joinCommunity(server, u, community.id);
  for (const [u, role] of [
    [admin, 'ADMIN'],
    [moderator, 'MODERATOR'],
  ] as const) {
    const res = await server.gql(SetRole, { c: community.id, u: u.user.id, role }, { token: owner.token });
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  }
  if (visibility === 'RESTRICTED') {
    await server.gql(
      'mutation($id: ID!) { updateCommunity(input: { id: $id, visibility: RESTRICTED }) { id } }',
      { id: community.id },
      { token: owner.token },
    );
  }
  return { owner, admin, moderator, member, community };
}

const act = (query: string, who: TestUser, variables: Record<string, unknown>) =>
  server.gql(query, variables, { token: who.token });

async function memberHandles(viewer: TestUser, slug: string): Promise<string[]> {
  const res = await server.gql(Members, { slug }, { token: viewer.token });
  return res.body.data.community.members.edges.map((e: any) => e.node.user.handle);
}

describe('lifting a ban takes the rank that placing it took', () => {
  it('lets neither a moderator nor an admin lift or shorten the ban an owner placed on an admin; the owner can', async () => {
    const { owner, admin, moderator, community } = await ranks();
    const otherAdmin = await signUp(server, 'admin2');
    await joinCommunity(server, otherAdmin, community.id);
    await act(SetRole, owner, { c: community.id, u: otherAdmin.user.id, role: 'ADMIN' });
    expect(errorCode(await act(Ban, owner, { c: community.id, u: admin.user.id }))).toBeUndefined();

    // The moderator could not have placed this ban, so they may not lift it…
    expect(errorCode(await act(Unban, moderator, { c: community.id, u: admin.user.id }))).toBe('FORBIDDEN');
    // …nor an admin (ADMIN does not outrank ADMIN)…
    expect(errorCode(await act(Unban, otherAdmin, { c: community.id, u: admin.user.id }))).toBe('FORBIDDEN');
    // …nor turn it into a ban that ends in a second (re-banning rewrites the ban).
    const soon = new Date(Date.now() + 1000).toISOString();
    expect(errorCode(await act(Ban, moderator, { c: community.id, u: admin.user.id, until: soon }))).toBe('FORBIDDEN');
    expect(errorCode(await act(Join, admin, { c: community.id }))).toBe('FORBIDDEN');

    const lifted = await act(Unban, owner, { c: community.id, u: admin.user.id });
    expect(lifted.body.data).toEqual({ unbanMember: true });
    expect(errorCode(await act(Join, admin, { c: community.id }))).toBeUndefined();
  });

  it('lets a moderator lift the ban an owner placed on a plain member or an outsider: bans the moderator could have placed', async () => {
    const { owner, moderator, member, community } = await ranks();
    const outsider = await signUp(server, 'outsider');
    for (const u of [member, outsider])
      expect(errorCode(await act(Ban, owner, { c: community.id, u: u.user.id }))).toBeUndefined();

    for (const u of [member, outsider]) {
      expect((await act(Unban, moderator, { c: community.id, u: u.user.id })).body.data).toEqual({ unbanMember: true });
      expect(errorCode(await act(Join, u, { c: community.id }))).toBeUndefined();
    }
  });

  it('lets an admin lift the ban an owner placed on a moderator, keeping the rank the ban recorded after a re-ban', async () => {
    const { owner, admin, moderator, member, community } = await ranks();
    expect(errorCode(await act(Ban, owner, { c: community.id, u: moderator.user.id }))).toBeUndefined();
    // Re-banned by the admin (who outranks a MODERATOR): still recorded as a ban on a moderator.
    expect(errorCode(await act(Ban, admin, { c: community.id, u: moderator.user.id }))).toBeUndefined();
    const [row] = await dbQuery<{ banned_role: string }>(
      server,
      'select banned_role from bans where community_id = ? and user_id = (select id from users where handle = ?)',
      [await communityKey(server, community.slug), moderator.user.handle],
    );
    expect(row.banned_role).toBe('MODERATOR');
    const otherModerator = member;
    await act(SetRole, owner, { c: community.id, u: otherModerator.user.id, role: 'MODERATOR' });
    expect(errorCode(await act(Unban, otherModerator, { c: community.id, u: moderator.user.id }))).toBe('FORBIDDEN');
    expect((await act(Unban, admin, { c: community.id, u: moderator.user.id })).body.data).toEqual({
      unbanMember: true,
    });
  });
});

describe('a banned user stays out', () => {
  it('refuses to invite a user banned from the community, and writes no invite', async () => {
    const { owner, moderator, member, community } = await ranks();
    await act(Ban, owner, { c: community.id, u: member.user.id });
    const res = await act(Invite, moderator, { c: community.id, u: member.user.id });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0].extensions!.field).toBe('userId');
    const invites = await dbQuery<{ n: number }>(
      server,
      'select count(*)::int as n from invites where community_id = ?',
      [await communityKey(server, community.slug)],
    );
    expect(invites[0].n).toBe(0);
  });

  it('refuses to approve the join request of a requester banned since they asked, and leaves them out', async () => {
    const { owner, admin, community } = await ranks('RESTRICTED');
    const requester = await signUp(server, 'asks');
    const asked = await act(
      'mutation($c: ID!) { joinCommunity(communityId: $c) { outcome joinRequest { id } } }',
      requester,
      { c: community.id },
    );
    expect(asked.body.data.joinCommunity.outcome).toBe('REQUESTED');
    // A ban that raced the request: banMember removes pending requests, but joinCommunity checks for a
    // ban before it writes its request, so a ban committed in between leaves both (written directly here).
    await dbQuery(
      server,
      `insert into bans (community_id, user_id, banned_by_id, reason, created_at)
       select ?, r.id, o.id, 'spam', now() from users r, users o where r.handle = ? and o.handle = ?`,
      [await communityKey(server, community.slug), requester.user.handle, owner.user.handle],
    );
    const res = await act('mutation($id: ID!) { approveJoinRequest(id: $id) { id } }', admin, {
      id: asked.body.data.joinCommunity.joinRequest.id,
    });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(await memberHandles(owner, community.slug)).not.toContain(requester.user.handle);
  });

  it('ends the powers of a member whose ban raced their joining: banned and still a member, they may do nothing', async () => {
    const { owner, member, community } = await ranks();
    const post = await act(
      'mutation($c: ID!) { createPost(input: { communityId: $c, title: "Mine", body: "Words" }) { id } }',
      member,
      { c: community.id },
    );
    expect(errorCode(post)).toBeUndefined();
    // The membership row survives (joinCommunity's insert committed after banMember removed members).
    await dbQuery(
      server,
      `insert into bans (community_id, user_id, banned_by_id, reason, created_at)
       select ?, m.id, o.id, 'spam', now() from users m, users o where m.handle = ? and o.handle = ?`,
      [await communityKey(server, community.slug), member.user.handle, owner.user.handle],
    );
    expect(await memberHandles(owner, community.slug)).toContain(member.user.handle);
    const me = await act('query($slug: String!) { community(slug: $slug) { viewerMember { role } } }', member, {
      slug: community.slug,
    });
    expect(me.body.data.community.viewerMember).toBeNull();
    const again = await act(
      'mutation($c: ID!) { createPost(input: { communityId: $c, title: "More", body: "Words" }) { id } }',
      member,
      { c: community.id },
    );
    expect(errorCode(again)).toBe('FORBIDDEN');
    expect(again.body.errors![0].message).toBe('You are banned from this community');
    const edit = await act('mutation($id: ID!) { updatePost(input: { id: $id, title: "Edited" }) { id } }', member, {
      id: post.body.data.createPost.id,
    });
    expect(errorCode(edit)).toBe('FORBIDDEN');
  });
});
