/**
 * Follows and the personal feed (issue 18, point 3) through the public API: members follow members
 * and tags; `personalFeed(mode: FOLLOWING)` merges the communities one belongs to, followed members
 * and followed tags, newest first; `personalFeed(mode: FOR_YOU)` ranks them with what similar members
 * upvoted, from the affinities the `feed.affinity` job keeps (run here as its schedule does), varied by
 * author; blocked authors and muted threads are left out, private communities never leak, pages
 * neither repeat nor skip while new posts arrive, and a page is the same number of statements
 * whatever its size.
 */
import { dbId, dbQuery } from '../posts/operations';
import { jobsSettled } from '../support/jobs';
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

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JOB_POLL_MS: '100' });
});
afterAll(closeAll);

async function must(who: TestUser | undefined, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await server.gql(query, variables, { token: who?.token });
  if (res.body.errors) throw new Error(`${query.slice(0, 70)}…: ${JSON.stringify(res.body.errors)}`);
  return res.body.data;
}

const post = async (who: TestUser, c: string, title: string, tags: string[] = []) =>
  (
    await must(
      who,
      'mutation($c: ID!, $t: String!, $g: [String!]!) { createPost(input: { communityId: $c, title: $t, body: "Hello", tags: $g }) { id } }',
      { c, t: title, g: tags },
    )
  ).createPost.id as string;
const upvote = (who: TestUser, id: string) =>
  must(who, 'mutation($s: ID!) { setVote(input: { subjectId: $s, value: UP }) { __typename } }', { s: id });
const followMember = (who: TestUser, u: TestUser) =>
  must(who, 'mutation($u: ID!) { followMember(input: { userId: $u }) { user { id viewerFollows } } }', {
    u: u.user.id,
  });
const followTag = (who: TestUser, tag: string) =>
  must(who, 'mutation($t: String!) { followTag(input: { tag: $t }) { tag } }', { t: tag });

/** Runs the affinity job as its schedule does (taking in rows of any age) and waits for it. */
async function affinityJob(): Promise<void> {
  await dbQuery(server, 'select graphile_worker.add_job(?, ?::json)', [
    'feed.affinity',
    JSON.stringify({ settleSeconds: 0 }),
  ]);
  await jobsSettled(server, 30_000);
}

const FEED = `query($m: FeedMode!, $n: Int, $a: String) { personalFeed(mode: $m, first: $n, after: $a) {
  edges { cursor node { post { id title author { handle } } reason { kind text } } }
  pageInfo { hasNextPage endCursor } } }`;

interface Item {
  id: string;
  title: string;
  author: string;
  kind: string;
  text: string;
}
async function feed(who: TestUser, mode: string, first = 50, after?: string) {
  const res = await server.gql(FEED, { m: mode, n: first, a: after }, { token: who.token });
  if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  const page = res.body.data.personalFeed;
  const items: Item[] = page.edges.map((e: any) => ({
    id: e.node.post.id,
    title: e.node.post.title,
    author: e.node.post.author.handle,
    kind: e.node.reason.kind,
    text: e.node.reason.text,
  }));
  return { items, pageInfo: page.pageInfo, sql: res.sqlStatements };
}

/** Sets posts' times (the API writes now), `minutesAgo` each. */
const ago = (id: string, minutesAgo: number) =>
  dbQuery(server, `update posts set created_at = now() - make_interval(mins => ?) where id = ?`, [
    minutesAgo,
    dbId(id),
  ]);

describe('follows', () => {
  it('lets a member follow and unfollow members and tags, listed for themself only', async () => {
    const [ann, bob] = await Promise.all([signUp(server, 'ann'), signUp(server, 'bob')]);
    const followed = await followMember(ann, bob);
    expect(followed.followMember.user).toEqual({ id: bob.user.id, viewerFollows: true });
    await followMember(ann, bob); // twice: nothing more
    expect((await followTag(ann, '  Rust ')).followTag.tag).toBe('rust');
    const mine = await must(
      ann,
      '{ viewer { following(first: 5) { totalCount nodes { handle } } followedTags(first: 5) { totalCount nodes { tag } } } }',
    );
    expect(mine.viewer.following).toEqual({ totalCount: 1, nodes: [{ handle: bob.user.handle }] });
    expect(mine.viewer.followedTags).toEqual({ totalCount: 1, nodes: [{ tag: 'rust' }] });
    // Bob does not see whom Ann follows.
    const peek = await server.gql(
      'query($id: ID!) { node(id: $id) { ... on User { following(first: 5) { totalCount } } } }',
      { id: ann.user.id },
      { token: bob.token },
    );
    expect(errorCode(peek)).toBe('FORBIDDEN');
    const self = await server.gql(
      'mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }',
      { u: ann.user.id },
      { token: ann.token },
    );
    expect(errorCode(self)).toBe('BAD_USER_INPUT');
    const off = await must(
      ann,
      'mutation($u: ID!) { unfollowMember(input: { userId: $u }) { unfollowed user { viewerFollows } } }',
      {
        u: bob.user.id,
      },
    );
    expect(off.unfollowMember).toEqual({ unfollowed: true, user: { viewerFollows: false } });
    const tagOff = await must(ann, 'mutation { unfollowTag(input: { tag: "rust" }) { unfollowed } }');
    expect(tagOff.unfollowTag.unfollowed).toBe(true);
    const anonymous = await server.gql(FEED, { m: 'FOLLOWING' });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('personal feeds', () => {
  let viewer: TestUser, owner: TestUser, star: TestUser, other: TestUser, blocked: TestUser, stranger: TestUser;
  let home: { id: string; slug: string };
  let away: { id: string; slug: string };
  const titles = new Map<string, string>();
  // A tag of this run only (a real database keeps other runs' posts).
  const rust = `rust${Date.now().toString(36)}`;

  beforeAll(async () => {
    [viewer, owner, star, other, blocked, stranger] = await Promise.all(
      ['viewer', 'owner', 'star', 'other', 'blocked', 'stranger'].map((p) => signUp(server, p)),
    );
    home = await createCommunity(server, owner, 'PUBLIC', 'Gardening');
    away = await createCommunity(server, owner, 'PUBLIC', 'Elsewhere');
    const secret = await createCommunity(server, owner, 'PRIVATE', 'Secret');
    for (const u of [viewer, star, other, blocked]) await joinCommunity(server, u, home.id);
    for (const u of [star, stranger]) await joinCommunity(server, u, away.id);
    await must(
      owner,
      'mutation($c: ID!, $u: ID!) { inviteUser(input: { communityId: $c, userId: $u }) { __typename } }',
      {
        c: secret.id,
        u: star.user.id,
      },
    ).catch(() => undefined);
    await dbQuery(
      server,
      `insert into members (community_id, user_id, role, joined_at) values (?, ?, 'MEMBER', now()) on conflict do nothing`,
      [dbId(secret.id), dbId(star.user.id)],
    );
    await followMember(viewer, star);
    await followTag(viewer, rust);
    await must(viewer, 'mutation($u: ID!) { blockAccount(input: { userId: $u }) { user { id } } }', {
      u: blocked.user.id,
    });
    const write = async (who: TestUser, c: string, title: string, minutes: number, tags: string[] = []) => {
      const id = await post(who, c, title, tags);
      await ago(id, minutes);
      titles.set(title, id);
      return id;
    };
    // Home (the viewer's community): the star's posts, others', the blocked member's.
    for (let i = 0; i < 6; i++) await write(star, home.id, `star home ${i}`, 100 + i);
    for (let i = 0; i < 3; i++) await write(other, home.id, `other home ${i}`, 110 + i);
    await write(blocked, home.id, 'blocked home', 5);
    await write(owner, home.id, 'muted home', 6);
    await write(owner, home.id, 'owner popular', 300);
    // Elsewhere: the followed star, a stranger's rust post, a stranger's other post.
    await write(star, away.id, 'star away', 20);
    await write(stranger, away.id, 'rust away', 30, [rust]);
    await write(stranger, away.id, 'plain away', 40);
    // The private community: the star's post, tagged rust too.
    await write(star, secret.id, 'star secret', 1, [rust]);
    await must(viewer, 'mutation($p: ID!) { mutePostThread(input: { postId: $p, muted: true }) { id } }', {
      p: titles.get('muted home'),
    });
    // The viewer upvotes the star's posts (affinity to the star); others upvote the owner's post.
    for (let i = 0; i < 3; i++) await upvote(viewer, titles.get(`star home ${i}`)!);
    for (const u of [star, other]) await upvote(u, titles.get('owner popular')!);
    await affinityJob();
  });

  it('FOLLOWING merges communities, followed members and tags, newest first, with reasons', async () => {
    const { items } = await feed(viewer, 'FOLLOWING');
    const listed = items.map((i) => i.title);
    expect(listed).toEqual([
      'star away',
      'rust away',
      'star home 0',
      'star home 1',
      'star home 2',
      'star home 3',
      'star home 4',
      'star home 5',
      'other home 0',
      'other home 1',
      'other home 2',
      'owner popular',
    ]);
    const reason = (t: string) => items.find((i) => i.title === t)!;
    expect(reason('star away')).toMatchObject({ kind: 'FOLLOWED_MEMBER', text: `You follow @${star.user.handle}` });
    expect(reason('rust away')).toMatchObject({ kind: 'FOLLOWED_TAG', text: `You follow #${rust}` });
    expect(reason('other home 0')).toMatchObject({
      kind: 'MEMBER_OF_COMMUNITY',
      text: 'You are a member of Gardening',
    });
  });

  it('never lists a private community to a non-member, blocked authors or muted threads', async () => {
    for (const mode of ['FOLLOWING', 'FOR_YOU']) {
      const listed = (await feed(viewer, mode)).items.map((i) => i.title);
      expect(listed).not.toContain('star secret');
      expect(listed).not.toContain('blocked home');
      expect(listed).not.toContain('muted home');
      expect(listed).not.toContain('plain away');
    }
    // The star, a member of the private community, reads it in their feed.
    expect((await feed(star, 'FOLLOWING')).items.map((i) => i.title)).toContain('star secret');
  });

  it('FOR_YOU ranks by affinity and says why, with no more than 2 items in a row by one author', async () => {
    const { items } = await feed(viewer, 'FOR_YOU');
    const listed = items.map((i) => i.title);
    expect(new Set(listed)).toEqual(
      new Set(
        [...Array(6).keys()]
          .map((i) => `star home ${i}`)
          .concat(['other home 0', 'other home 1', 'other home 2', 'owner popular', 'star away', 'rust away']),
      ),
    );
    // Runs: never 3 by the star while others remain after them.
    for (let i = 2; i < items.length; i++) {
      const run = items.slice(i - 2, i + 1).every((x) => x.author === star.user.handle);
      const othersLater = items.slice(i + 1).some((x) => x.author !== star.user.handle);
      expect(run && othersLater).toBe(false);
    }
    expect(items[0].author).toBe(star.user.handle);
    const reason = (t: string) => items.find((i) => i.title === t)!;
    expect(reason('star home 0').kind).toBe('FOLLOWED_MEMBER');
    expect(reason('rust away').kind).toBe('FOLLOWED_TAG');
    expect(reason('owner popular')).toMatchObject({
      kind: 'POPULAR_IN_COMMUNITY',
      text: 'Popular in Gardening this week',
    });
    // The affinity job read the viewer's upvotes: their affinity to the star is kept.
    const [row] = await dbQuery(
      server,
      `select score from feed_affinities where user_id = ? and kind = 'AUTHOR' and target = ?`,
      [dbId(viewer.user.id), String(dbId(star.user.id))],
    );
    expect(Number(row.score)).toBeGreaterThan(2.9);
  });

  it('names an affinity, and what similar members upvoted, for a member who follows no one', async () => {
    const fan = await signUp(server, 'fan');
    await joinCommunity(server, fan, home.id);
    for (let i = 0; i < 3; i++) await upvote(fan, titles.get(`star home ${i}`)!);
    await affinityJob();
    const { items } = await feed(fan, 'FOR_YOU');
    expect(items.find((i) => i.title === 'star home 3')).toMatchObject({
      kind: 'AFFINITY_AUTHOR',
      text: `You often engage with @${star.user.handle}`,
    });
    // The viewer upvoted the same posts: they are similar; the viewer's upvote elsewhere reaches the fan.
    await joinCommunity(server, viewer, away.id);
    await upvote(viewer, titles.get('rust away')!);
    await affinityJob();
    const again = await feed(fan, 'FOR_YOU');
    expect(again.items.find((i) => i.title === 'rust away')).toMatchObject({ kind: 'SIMILAR_MEMBERS' });
  });

  it('pages FOR_YOU and FOLLOWING without repeats or skips while new posts arrive', async () => {
    for (const mode of ['FOR_YOU', 'FOLLOWING']) {
      const whole = (await feed(viewer, mode)).items.map((i) => i.id);
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await feed(viewer, mode, 3, after);
        seen.push(...page.items.map((i) => i.id));
        pages += 1;
        // Someone posts between every two pages.
        await post(other, home.id, `new ${mode} ${pages}`);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(whole);
      expect(pages).toBeGreaterThan(3);
    }
  });

  it('refuses a forged FOR_YOU cursor holding back an id past int, naming `after`', async () => {
    const page = await feed(viewer, 'FOR_YOU', 2);
    const key = JSON.parse(Buffer.from(page.pageInfo.endCursor, 'base64url').toString());
    key[4] = 'zzzzzzz';
    const forged = Buffer.from(JSON.stringify(key)).toString('base64url');
    const res = await server.gql(FEED, { m: 'FOR_YOU', n: 2, a: forged }, { token: viewer.token });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('reads a page in the same number of statements for first: 5 and first: 50', async () => {
    for (const mode of ['FOR_YOU', 'FOLLOWING']) {
      const small = await feed(viewer, mode, 5);
      const large = await feed(viewer, mode, 50);
      expect(large.items.length).toBeGreaterThan(small.items.length);
      expect(small.sql).toBe(large.sql);
      expect(large.sql).toBeLessThanOrEqual(5);
    }
  });
});

describe('channels in personal feeds', () => {
  let owner: TestUser, reader: TestUser, mod: TestUser, outsider: TestUser;
  let workshop: { id: string; slug: string };
  const channels = new Map<string, string>();
  const titles = new Map<string, string>();

  const createChannel = async (
    slug: string,
    name: string,
    gates: Record<string, unknown> = {},
    community = workshop,
  ) => {
    const { createChannel: created } = await must(
      owner,
      'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }',
      { input: { communityId: community.id, slug, name, ...gates } },
    );
    channels.set(slug, created.id);
  };
  const subscribe = (who: TestUser, slug: string, state: string) =>
    must(
      who,
      'mutation($c: ID!, $s: ChannelSubscriptionChoice!) { setChannelSubscription(input: { channelId: $c, state: $s }) { id } }',
      { c: channels.get(slug), s: state },
    );
  const postIn = async (
    who: TestUser,
    slug: string | null,
    title: string,
    minutesAgo: number,
    community = workshop,
  ) => {
    const { createPost: created } = await must(
      who,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      {
        input: {
          communityId: community.id,
          title,
          body: 'Hello',
          tags: [],
          ...(slug && { channelId: channels.get(slug) }),
        },
      },
    );
    await ago(created.id, minutesAgo);
    titles.set(title, created.id);
  };
  const listed = async (who: TestUser, mode: string) => (await feed(who, mode)).items.map((i) => i.title);

  beforeAll(async () => {
    [owner, reader, mod, outsider] = await Promise.all(
      ['wowner', 'wreader', 'wmod', 'woutside'].map((p) => signUp(server, p)),
    );
    workshop = await createCommunity(server, owner, 'PUBLIC', 'Workshop');
    for (const u of [reader, mod]) await joinCommunity(server, u, workshop.id);
    await must(owner, 'mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }', {
      input: { communityId: workshop.id, userId: mod.user.id, role: 'MODERATOR' },
    });
    await createChannel('mod-room', 'Mod room', { readRole: 'MODERATOR' });
    await createChannel('tools', 'Tools');
    await createChannel('news', 'News');
    await postIn(owner, 'mod-room', 'mod only', 10);
    await postIn(owner, 'tools', 'tools post', 11);
    await postIn(owner, 'news', 'news post', 12);
    await postIn(owner, null, 'general post', 13);
  });

  it('leaves out channels a member may not read, and those they muted, in both modes', async () => {
    await subscribe(reader, 'tools', 'MUTED');
    for (const mode of ['FOLLOWING', 'FOR_YOU']) {
      const seen = await listed(reader, mode);
      expect(seen).toEqual(expect.arrayContaining(['news post', 'general post']));
      expect(seen).not.toContain('mod only');
      expect(seen).not.toContain('tools post');
    }
    // A moderator passes the channel's reading gate.
    expect(await listed(mod, 'FOLLOWING')).toEqual(expect.arrayContaining(['mod only', 'tools post']));
  });

  it('names a followed channel as the reason, and lists nothing of a channel the member may not read even if followed', async () => {
    await subscribe(reader, 'news', 'FOLLOWING');
    const { items } = await feed(reader, 'FOLLOWING');
    const reason = (t: string) => items.find((i) => i.title === t)!;
    expect(reason('news post')).toMatchObject({ kind: 'FOLLOWED_CHANNEL', text: 'You follow News in Workshop' });
    expect(reason('general post')).toMatchObject({ kind: 'MEMBER_OF_COMMUNITY' });
    expect((await feed(reader, 'FOR_YOU')).items.find((i) => i.title === 'news post')).toMatchObject({
      kind: 'FOLLOWED_CHANNEL',
    });
    // Follows the API does not make (of the moderators' channel, say made before it was restricted;
    // of a community's channel by someone who is no member): they list nothing.
    await dbQuery(server, `insert into channel_subscriptions (user_id, channel_id, state) values (?, ?, 'FOLLOWING')`, [
      dbId(reader.user.id),
      dbId(channels.get('mod-room')!),
    ]);
    await dbQuery(server, `insert into channel_subscriptions (user_id, channel_id, state) values (?, ?, 'FOLLOWING')`, [
      dbId(outsider.user.id),
      dbId(channels.get('news')!),
    ]);
    for (const mode of ['FOLLOWING', 'FOR_YOU']) {
      expect(await listed(reader, mode)).not.toContain('mod only');
      expect(await listed(outsider, mode)).toEqual([]);
    }
  });

  it('FOR_YOU puts no more than 3 items in a row from one channel while another has some', async () => {
    const place = await createCommunity(server, owner, 'PUBLIC', 'Busy place');
    await createChannel('busy', 'Busy', {}, place);
    await createChannel('quiet', 'Quiet', {}, place);
    const fan = await signUp(server, 'wfan');
    await joinCommunity(server, fan, place.id);
    // Five authors (the author rule stays out of the way) in the busy channel, newer than the quiet one's two.
    const authors = await Promise.all([1, 2, 3, 4, 5].map((i) => signUp(server, `wa${i}`)));
    for (const a of authors) await joinCommunity(server, a, place.id);
    for (let i = 0; i < 5; i++) await postIn(authors[i], 'busy', `busy ${i}`, i + 1, place);
    for (let i = 0; i < 2; i++) await postIn(authors[i], 'quiet', `quiet ${i}`, 30 + i, place);
    expect(await listed(fan, 'FOR_YOU')).toEqual([
      'busy 0',
      'busy 1',
      'busy 2',
      'quiet 0',
      'busy 3',
      'busy 4',
      'quiet 1',
    ]);
  });
});
