/**
 * Issue 12, point 6: a PRIVATE community is joined only through an invite or an invite link. A link's
 * token is unguessable and shown once; links expire, can be revoked, admit at most `maxUses` users
 * even under concurrent joins (counted in SQL), refuse banned users, and a wrong token tells nothing
 * about any community.
 */
import { randomBytes } from 'node:crypto';
import { dbId, dbQuery } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  errorCode,
  joinCommunity,
  signUp,
  startTestServer,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

const CREATE =
  'mutation($id: ID!, $expiresAt: DateTimeISO, $maxUses: Int) { createInviteLink(communityId: $id, expiresAt: $expiresAt, maxUses: $maxUses) { token inviteLink { id uses maxUses expiresAt revokedAt state createdBy { handle } } } }';
const JOIN =
  'mutation($token: String!) { joinByInviteLink(token: $token) { outcome member { role } community { id name memberCount } } }';
const REVOKE = 'mutation($id: ID!) { revokeInviteLink(id: $id) { id state revokedAt } }';
const LINKS =
  'query($slug: String!) { community(slug: $slug) { inviteLinks(first: 50) { edges { node { id uses maxUses state } } } } }';
const BY_SLUG = 'query($slug: String!) { community(slug: $slug) { name memberCount viewerMember { role } } }';

/** A PRIVATE community with its owner, a moderator and a plain member. */
async function privateCommunity() {
  const owner = await signUp(server, 'owner');
  const moderator = await signUp(server, 'mod');
  const member = await signUp(server, 'member');
  const community = await createCommunity(server, owner, 'PUBLIC', 'Hidden Grove');
  for (const u of [moderator, member]) await joinCommunity(server, u, community.id);
  await server.gql(
    'mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }',
    { input: { communityId: community.id, userId: moderator.user.id, role: 'MODERATOR' } },
    { token: owner.token },
  );
  await server.gql(
    'mutation($input: UpdateCommunityInput!) { updateCommunity(input: $input) { id } }',
    { input: { id: community.id, visibility: 'PRIVATE' } },
    { token: owner.token },
  );
  return { owner, moderator, member, community };
}

async function createLink(by: TestUser, communityId: string, opts: { expiresAt?: Date; maxUses?: number } = {}) {
  const res = await server.gql(
    CREATE,
    { id: communityId, expiresAt: opts.expiresAt?.toISOString(), maxUses: opts.maxUses },
    { token: by.token },
  );
  if (!res.body.data) throw new Error(`createInviteLink failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.createInviteLink as {
    token: string;
    inviteLink: { id: string; uses: number; maxUses: number | null; expiresAt: string; state: string };
  };
}

const join = (user: TestUser | undefined, token: string) => server.gql(JOIN, { token }, { token: user?.token });
const reason = (res: GqlResponse<unknown>) => res.body.errors?.[0]?.extensions?.reason;

describe('invite links', () => {
  let place: Awaited<ReturnType<typeof privateCommunity>>;
  beforeAll(async () => {
    place = await privateCommunity();
  });

  it('lets a moderator create one, shows its token once, and lets an outsider join the PRIVATE community with it', async () => {
    const { token, inviteLink } = await createLink(place.moderator, place.community.id, { maxUses: 3 });
    expect(token).toMatch(/^tsi_[A-Za-z0-9_-]{43}$/);
    expect(inviteLink).toMatchObject({
      uses: 0,
      maxUses: 3,
      state: 'ACTIVE',
      revokedAt: null,
      createdBy: { handle: place.moderator.user.handle },
    });
    // Seven days by default (INVITE_LINK_DEFAULT_DAYS).
    expect(Math.abs(new Date(inviteLink.expiresAt).getTime() - (Date.now() + 7 * 86_400_000))).toBeLessThan(60_000);
    const stored = await dbQuery(server, 'select token_hash from invite_links where id = ?', [dbId(inviteLink.id)]);
    expect(stored[0].token_hash).not.toContain(token.slice(4));

    const guest = await signUp(server, 'guest');
    expect(
      (await server.gql(BY_SLUG, { slug: place.community.slug }, { token: guest.token })).body.data.community,
    ).toBeNull();
    const joined = await join(guest, token);
    expect(joined.body.data.joinByInviteLink).toEqual({
      outcome: 'JOINED',
      member: { role: 'MEMBER' },
      community: { id: place.community.id, name: 'Hidden Grove', memberCount: 4 },
    });
    expect(
      (await server.gql(BY_SLUG, { slug: place.community.slug }, { token: guest.token })).body.data.community
        .viewerMember,
    ).toEqual({ role: 'MEMBER' });
    // Joining again uses nothing.
    expect((await join(guest, token)).body.data.joinByInviteLink.outcome).toBe('JOINED');
    const links = await server.gql(LINKS, { slug: place.community.slug }, { token: place.owner.token });
    expect(links.body.data.community.inviteLinks.edges.map((e: any) => e.node)).toContainEqual({
      id: inviteLink.id,
      uses: 1,
      maxUses: 3,
      state: 'ACTIVE',
    });
  });

  it('is for moderators: plain members may neither create, list nor revoke links, and outsiders get NOT_FOUND', async () => {
    const { inviteLink } = await createLink(place.owner, place.community.id);
    expect(errorCode(await server.gql(CREATE, { id: place.community.id }, { token: place.member.token }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await server.gql(LINKS, { slug: place.community.slug }, { token: place.member.token }))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await server.gql(REVOKE, { id: inviteLink.id }, { token: place.member.token }))).toBe('FORBIDDEN');
    expect(
      (
        await server.gql(
          'query($id: ID!) { node(id: $id) { id } }',
          { id: inviteLink.id },
          { token: place.member.token },
        )
      ).body.data.node,
    ).toBeNull();
    const outsider = await signUp(server, 'outsider');
    expect(errorCode(await server.gql(CREATE, { id: place.community.id }, { token: outsider.token }))).toBe(
      'NOT_FOUND',
    );
    expect(errorCode(await server.gql(REVOKE, { id: inviteLink.id }, { token: outsider.token }))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CREATE, { id: place.community.id }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await join(undefined, 'tsi_whatever'))).toBe('UNAUTHENTICATED');
    expect(
      (
        await server.gql(
          'query($id: ID!) { node(id: $id) { id } }',
          { id: inviteLink.id },
          { token: place.moderator.token },
        )
      ).body.data.node,
    ).toEqual({ id: inviteLink.id });
  });

  it('refuses expiry dates in the past or beyond a year, and maxUses below 1', async () => {
    for (const [opts, field] of [
      [{ expiresAt: new Date(Date.now() - 60_000) }, 'expiresAt'],
      [{ expiresAt: new Date(Date.now() + 400 * 86_400_000) }, 'expiresAt'],
      [{ maxUses: 0 }, 'maxUses'],
    ] as const) {
      const res = await server.gql(
        CREATE,
        {
          id: place.community.id,
          expiresAt: (opts as { expiresAt?: Date }).expiresAt?.toISOString(),
          maxUses: (opts as { maxUses?: number }).maxUses,
        },
        { token: place.owner.token },
      );
      expect([errorCode(res), res.body.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
    }
  });

  it('refuses an expired link with reason EXPIRED, adding nobody', async () => {
    const { token, inviteLink } = await createLink(place.moderator, place.community.id, {
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await dbQuery(server, "update invite_links set expires_at = now() - interval '1 second' where id = ?", [
      dbId(inviteLink.id),
    ]);
    const late = await signUp(server, 'late');
    const res = await join(late, token);
    expect([errorCode(res), reason(res), res.body.errors![0].extensions!.field]).toEqual([
      'BAD_USER_INPUT',
      'EXPIRED',
      'token',
    ]);
    expect(JSON.stringify(res.body)).not.toContain('Hidden Grove');
    expect(
      (await server.gql(BY_SLUG, { slug: place.community.slug }, { token: late.token })).body.data.community,
    ).toBeNull();
  });

  it('refuses a revoked link with reason REVOKED; revoking keeps the link listed for moderators', async () => {
    const { token, inviteLink } = await createLink(place.moderator, place.community.id);
    const revoked = await server.gql(REVOKE, { id: inviteLink.id }, { token: place.moderator.token });
    expect(revoked.body.data.revokeInviteLink).toMatchObject({
      id: inviteLink.id,
      state: 'REVOKED',
      revokedAt: expect.any(String),
    });
    const again = await server.gql(REVOKE, { id: inviteLink.id }, { token: place.owner.token });
    expect(again.body.data.revokeInviteLink.revokedAt).toBe(revoked.body.data.revokeInviteLink.revokedAt);
    const res = await join(await signUp(server, 'tooLate'), token);
    expect([errorCode(res), reason(res)]).toEqual(['BAD_USER_INPUT', 'REVOKED']);
    const links = await server.gql(LINKS, { slug: place.community.slug }, { token: place.moderator.token });
    expect(links.body.data.community.inviteLinks.edges.map((e: any) => e.node)).toContainEqual({
      id: inviteLink.id,
      uses: 0,
      maxUses: null,
      state: 'REVOKED',
    });
  });

  it('admits exactly maxUses users when many join at once, and refuses the rest with reason USED_UP', async () => {
    const maxUses = 4;
    const { token, inviteLink } = await createLink(place.moderator, place.community.id, { maxUses });
    const crowd = await Promise.all(Array.from({ length: 16 }, (_, i) => signUp(server, `crowd${i}`)));
    const [{ count: before }] = await dbQuery<{ count: number }>(
      server,
      'select count(*)::int as count from members where community_id = (select community_id from invite_links where id = ?)',
      [dbId(inviteLink.id)],
    );
    const results = await Promise.all(crowd.map((u) => join(u, token)));
    const joined = results.filter((r) => r.body.data?.joinByInviteLink?.outcome === 'JOINED');
    const refused = results.filter((r) => r.body.errors);
    expect(joined).toHaveLength(maxUses);
    expect(refused.map(reason)).toEqual(Array(crowd.length - maxUses).fill('USED_UP'));
    const [row] = await dbQuery<{ uses: number; members: number; member_count: number }>(
      server,
      `select l.uses, (select count(*)::int from members m where m.community_id = l.community_id) as members, c.member_count
         from invite_links l join communities c on c.id = l.community_id where l.id = ?`,
      [dbId(inviteLink.id)],
    );
    expect(row).toEqual({ uses: maxUses, members: before + maxUses, member_count: before + maxUses });
  });

  it('refuses a banned user with FORBIDDEN and counts no use', async () => {
    const banned = await signUp(server, 'banned');
    const { token, inviteLink } = await createLink(place.moderator, place.community.id, { maxUses: 5 });
    expect((await join(banned, token)).body.data.joinByInviteLink.outcome).toBe('JOINED');
    const ban = await server.gql(
      'mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }',
      { input: { communityId: place.community.id, userId: banned.user.id, reason: 'trouble' } },
      { token: place.moderator.token },
    );
    expect(ban.body.errors).toBeUndefined();
    const res = await join(banned, token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    const [{ uses }] = await dbQuery<{ uses: number }>(server, 'select uses from invite_links where id = ?', [
      dbId(inviteLink.id),
    ]);
    expect(uses).toBe(1);
  });

  it('answers a wrong token with NOT_FOUND, the same for every wrong token, naming no community', async () => {
    const stranger = await signUp(server, 'stranger');
    const answers = await Promise.all(
      [
        `tsi_${randomBytes(32).toString('base64url')}`,
        `tsi_${randomBytes(32).toString('base64url')}`,
        'not-a-token',
        '',
      ].map((t) => join(stranger, t)),
    );
    for (const res of answers) {
      expect(res.body.data).toBeNull();
      expect(res.body.errors!.map((e) => ({ code: e.extensions?.code, message: e.message }))).toEqual([
        { code: 'NOT_FOUND', message: 'Invite link not found' },
      ]);
    }
  });
});
