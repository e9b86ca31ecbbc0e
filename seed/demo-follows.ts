import type { EntityManager } from '@mikro-orm/postgresql';
import { runAffinity } from '../src/modules/feed/affinity';
import type { User } from '../src/modules/identity/identity.entity';
import { sql } from '../src/platform/database/sql';
import type { Handle } from './demo-posts';

/**
 * Who follows whom and which tags (issue 18, point 3), so that the demo users' FOLLOWING and
 * FOR_YOU feeds differ from their communities' posts: carol and dave (TypeScript only) follow
 * Gardening's members and tags, and the others each follow someone outside their communities' usual
 * crowd. Then the `feed.affinity` job runs once over the demo's votes, comments and posts.
 */
const FOLLOWS: { who: Handle; members: Handle[]; tags: string[] }[] = [
  { who: 'carol', members: ['erin'], tags: ['tomatoes'] },
  { who: 'dave', members: ['bob'], tags: ['soil', 'question'] },
  { who: 'erin', members: ['alice'], tags: ['types'] },
  { who: 'alice', members: ['carol'], tags: [] },
  { who: 'bob', members: [], tags: ['strict'] },
];

export async function seedFollows(em: EntityManager, users: Map<Handle, User>): Promise<void> {
  for (const f of FOLLOWS) {
    const me = users.get(f.who)!.id;
    for (const m of f.members)
      await sql(em, 'insert into member_follows (follower_id, followed_id) values (?, ?) on conflict do nothing', [
        me,
        users.get(m)!.id,
      ]);
    for (const tag of f.tags)
      await sql(em, 'insert into tag_follows (user_id, tag) values (?, ?) on conflict do nothing', [me, tag]);
  }
  await runAffinity(em, { settleSeconds: 0 });
}
