import type { EntityManager } from '@mikro-orm/core';
import { Seeder } from '@mikro-orm/seeder';
import { Community, Invite, JoinRequest, JoinRequestStatus, Member, Role, Visibility } from '../src/modules/communities/communities.entity';
import { hashPassword } from '../src/modules/identity/credentials';
import { User } from '../src/modules/identity/identity.entity';

/** Sign-in details of the demo data; README.md repeats them. */
export const DEMO_ADMIN = { email: 'admin@townsquare.dev', password: 'townsquare-admin', handle: 'admin' } as const;
/** Every other demo user signs in with `<handle>@townsquare.dev` and this password. */
export const DEMO_PASSWORD = 'townsquare-demo';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
type Handle = (typeof USERS)[number] | 'admin';

const COMMUNITIES: {
  slug: string; name: string; description: string; visibility: Visibility;
  members: [Handle, Role][]; requests?: Handle[]; invites?: [Handle, Handle][];
}[] = [
  {
    slug: 'typescript', name: 'TypeScript', visibility: Visibility.PUBLIC,
    description: 'Types, tooling and the occasional compiler bug.',
    members: [['alice', Role.OWNER], ['bob', Role.MODERATOR], ['carol', Role.MEMBER], ['dave', Role.MEMBER]],
  },
  {
    slug: 'gardening', name: 'Gardening', visibility: Visibility.PUBLIC,
    description: 'Seeds, soil and patience.',
    members: [['bob', Role.OWNER], ['erin', Role.ADMIN], ['alice', Role.MEMBER]],
  },
  {
    slug: 'founders-circle', name: 'Founders Circle', visibility: Visibility.PRIVATE,
    description: 'A private room for the people who run Townsquare communities.',
    members: [['admin', Role.OWNER], ['alice', Role.ADMIN], ['bob', Role.MEMBER]],
    requests: ['dave'],
    invites: [['carol', 'admin']],
  },
  {
    slug: 'book-club', name: 'Book Club', visibility: Visibility.PRIVATE,
    description: 'One book a month, spoilers welcome.',
    members: [['carol', Role.OWNER], ['erin', Role.MEMBER]],
    requests: ['alice'],
  },
];

/** The demo community: a platform admin, five users, public and private communities with every role. */
export class DemoSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const now = new Date();
    const users = new Map<Handle, User>();
    const demoHash = await hashPassword(DEMO_PASSWORD);
    users.set('admin', em.create(User, {
      handle: DEMO_ADMIN.handle, email: DEMO_ADMIN.email, passwordHash: await hashPassword(DEMO_ADMIN.password), isAdmin: true, createdAt: now,
    }));
    for (const handle of USERS) {
      users.set(handle, em.create(User, { handle, email: `${handle}@townsquare.dev`, passwordHash: demoHash, isAdmin: false, createdAt: now }));
    }
    for (const c of COMMUNITIES) {
      const community = em.create(Community, {
        slug: c.slug, name: c.name, description: c.description, visibility: c.visibility,
        memberCount: c.members.length, createdAt: now, updatedAt: now,
      });
      for (const [handle, role] of c.members) em.create(Member, { community, user: users.get(handle)!, role, joinedAt: now });
      for (const handle of c.requests ?? []) {
        em.create(JoinRequest, { community, user: users.get(handle)!, status: JoinRequestStatus.PENDING, createdAt: now });
      }
      for (const [handle, by] of c.invites ?? []) {
        em.create(Invite, { community, user: users.get(handle)!, invitedBy: users.get(by)!, createdAt: now });
      }
    }
    await em.flush();
  }
}
