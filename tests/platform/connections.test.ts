/**
 * Connections for clients (issue 16, point 6): every connection has `nodes` (its edges' nodes),
 * connections over a maintained or cheap count have `totalCount`, and lists ordered by a keyset page
 * backwards (`last`, `before`) as well as forwards. Each list below is walked both ways, two items a
 * page, through HTTP: backwards it gives the same items as forwards, in reverse; every page holds
 * what it should, `hasPreviousPage`/`hasNextPage` follow the Relay specification at each step, and
 * `totalCount` is the length of the whole list, also after writes.
 */
import {
  PinPostDocument,
  SetRoleDocument,
  addComment,
  castOf,
  createPost,
  dbQuery,
  vote,
  type Cast,
} from '../posts/operations';
import { createEvent, hoursFromNow, rsvp } from '../events/operations';
import { createPoll, voted } from '../polls/operations';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  signUp,
  startTestServer,
  unique,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Page {
  totalCount?: number;
  edges: { cursor: string; node: { id?: string } }[];
  nodes: { id?: string }[];
  pageInfo: PageInfo;
}

/** A list to walk: how to read one page of it, given its paging arguments and the selection of a page. */
interface List {
  name: string;
  read: (args: string, selection: string) => Promise<GqlResponse>;
  /** The connection within a response's data. */
  pick: (data: any) => Page;
  /** Whether the connection has `totalCount`. */
  counted: boolean;
  /** What its nodes select (default `id`); without an id, the items are told apart by their cursors. */
  node?: string;
}

const PAGE = (list: List) =>
  `{ ${list.counted ? 'totalCount' : ''} edges { cursor node { ${list.node ?? 'id'} } } nodes { ${list.node ?? 'id'} }
     pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }`;

async function readPage(list: List, args: string): Promise<Page> {
  const res = await list.read(args, PAGE(list));
  if (res.body.errors || !res.body.data)
    throw new Error(`${list.name}(${args}) failed: ${JSON.stringify(res.body.errors)}`);
  const page = list.pick(res.body.data);
  // `nodes` is the edges' nodes, and the page's cursors are its ends'.
  expect(page.nodes).toEqual(page.edges.map((e) => e.node));
  expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
  if (page.edges.length) expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
  return page;
}

/** The items of a page: their ids, or their cursors for items without one. */
const idsOf = (page: Page) => page.edges.map((e) => e.node.id ?? e.cursor);

/**
 * Walks a list both ways `size` items a page and checks it against `expected` (its item ids in
 * order): the pages forwards, the pages backwards (the same items in reverse), the page flags at
 * each step, and `totalCount` on every page.
 */
async function walk(list: List, expected: string[], size = 2): Promise<void> {
  const forward: Page[] = [];
  for (let after: string | null = null; ;) {
    const page = await readPage(list, `first: ${size}${after ? `, after: "${after}"` : ''}`);
    forward.push(page);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
    if (forward.length > expected.length + 1) throw new Error(`${list.name}: no end forwards`);
  }
  const backward: Page[] = [];
  for (let before: string | null = null; ;) {
    const page = await readPage(list, `last: ${size}${before ? `, before: "${before}"` : ''}`);
    backward.push(page);
    if (!page.pageInfo.hasPreviousPage) break;
    before = page.pageInfo.startCursor;
    if (backward.length > expected.length + 1) throw new Error(`${list.name}: no end backwards`);
  }
  const pages = Math.max(1, Math.ceil(expected.length / size));
  // Forwards: full pages from the first item; backwards: full pages from the last one.
  expect({ list: list.name, pages: forward.map(idsOf) }).toEqual({
    list: list.name,
    pages: Array.from({ length: pages }, (_, i) => expected.slice(i * size, (i + 1) * size)),
  });
  expect({ list: list.name, pages: backward.map(idsOf) }).toEqual({
    list: list.name,
    pages: Array.from({ length: pages }, (_, i) =>
      expected.slice(Math.max(0, expected.length - (i + 1) * size), expected.length - i * size),
    ),
  });
  // The same items, in reverse.
  expect(backward.flatMap((p) => [...idsOf(p)].reverse())).toEqual([...expected].reverse());
  // Relay: read forwards, a next page until the last one, and a previous one once `after` is given;
  // read backwards, the other way round.
  expect(forward.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual(
    forward.map((_, i) => [i > 0, i < pages - 1]),
  );
  expect(backward.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual(
    backward.map((_, i) => [i < pages - 1, i > 0]),
  );
  if (list.counted)
    for (const page of [...forward, ...backward])
      expect({ list: list.name, totalCount: page.totalCount }).toEqual({
        list: list.name,
        totalCount: expected.length,
      });
}

/** A list read on a node (`node(id:)`) of type `type`. */
function onNode(name: string, id: string, type: string, field: string, counted: boolean, token?: string): List {
  return {
    name,
    counted,
    read: (args, selection) =>
      server.gql(
        `query($id: ID!) { node(id: $id) { ... on ${type} { ${field.replace('$page', args)} ${selection} } } }`,
        { id },
        { token },
      ),
    pick: (data) => {
      const key = field.replace(/\(.*$/, '');
      return data.node[key];
    },
  };
}

/** A list read on the community `slug`. */
function onCommunity(name: string, slug: string, field: string, counted: boolean, token?: string): List {
  return {
    name,
    counted,
    read: (args, selection) =>
      server.gql(
        `query($slug: String!) { community(slug: $slug) { ${field.replace('$page', args)} ${selection} } }`,
        { slug },
        { token },
      ),
    pick: (data) => data.community[field.replace(/\(.*$/, '')],
  };
}

async function members(cast: Cast, args = ''): Promise<{ id: string; user: { id: string }; role: string }[]> {
  const res = await server.gql(
    `query($slug: String!) { community(slug: $slug) { members(first: 100${args}) { edges { node { id role user { id } } } } } }`,
    { slug: cast.community.slug },
  );
  return res.body.data.community.members.edges.map((e: any) => e.node);
}

describe('a community and its threads, walked both ways', () => {
  let cast: Cast;
  let posts: { id: string }[];
  let topLevel: string[];
  let replies: string[];
  beforeAll(async () => {
    cast = await castOf(server, 5);
    posts = [];
    for (let i = 0; i < 5; i++)
      posts.push(await createPost(server, cast.members[i], cast.community.id, { title: `p${i}` }));
    topLevel = [];
    for (let i = 0; i < 5; i++) topLevel.push((await addComment(server, cast.members[i], posts[0].id, `c${i}`)).id);
    replies = [];
    for (let i = 0; i < 3; i++)
      replies.push((await addComment(server, cast.members[i], posts[0].id, `r${i}`, topLevel[0])).id);
    // Scores 3, 1, 1, 0, 0 for posts 3, 2, 1, 4, 0; the oldest post pinned.
    for (const voter of [cast.owner, cast.moderator, cast.members[4]]) await vote(server, voter, posts[3].id, 'UP');
    await vote(server, cast.owner, posts[1].id, 'UP');
    await vote(server, cast.owner, posts[2].id, 'UP');
    const pinned = await server.gql(PinPostDocument, { id: posts[0].id, pinned: true }, { token: cast.owner.token });
    if (pinned.body.errors) throw new Error(JSON.stringify(pinned.body.errors));
  }, 60_000);

  it('pages members in join order, all of them and by role, each with its count', async () => {
    const all = await members(cast);
    expect(all).toHaveLength(7); // owner, moderator, 5 members
    await walk(
      onCommunity('members', cast.community.slug, 'members($page)', true),
      all.map((m) => m.id),
    );
    await walk(
      onCommunity('members(role: MEMBER)', cast.community.slug, 'members(role: MEMBER, $page)', true),
      all.filter((m) => m.role === 'MEMBER').map((m) => m.id),
    );
    await walk(
      onCommunity('members(role: MODERATOR)', cast.community.slug, 'members(role: MODERATOR, $page)', true),
      all.filter((m) => m.role === 'MODERATOR').map((m) => m.id),
      1,
    );
  });

  it("pages a post's top-level comments and a comment's replies, counting each thread level", async () => {
    await walk(onNode('Post.comments', posts[0].id, 'Post', 'comments($page)', true), topLevel);
    await walk(onNode('Comment.replies', topLevel[0], 'Comment', 'replies($page)', true), replies);
    // A post without comments: one empty page either way.
    await walk(onNode('Post.comments (none)', posts[1].id, 'Post', 'comments($page)', true), []);
  });

  it("pages a community's posts in every ordering, pinned first, across the pinned ones", async () => {
    const ids = (...i: number[]) => i.map((n) => posts[n].id);
    await walk(onCommunity('posts(NEW)', cast.community.slug, 'posts(orderBy: NEW, $page)', false), ids(0, 4, 3, 2, 1));
    // Equal scores: the newer post first.
    await walk(onCommunity('posts(TOP)', cast.community.slug, 'posts(orderBy: TOP, $page)', false), ids(0, 3, 2, 1, 4));
    // HOT: a ranking of its own; whatever its order, both ways agree.
    const hot = onCommunity('posts(HOT)', cast.community.slug, 'posts(orderBy: HOT, $page)', false);
    const order = idsOf(await readPage(hot, 'first: 10'));
    expect(order[0]).toBe(posts[0].id);
    await walk(hot, order);
  });

  it("pages a member's reputation history newest first", async () => {
    const author = (await members(cast)).find((m) => m.user.id === cast.members[3].user.id)!;
    const list = {
      ...onNode('Member.reputationHistory', author.id, 'Member', 'reputationHistory($page)', false),
      node: 'delta reason createdAt subject { id }',
    };
    const all = await readPage(list, 'first: 100');
    expect(all.nodes.map((n: any) => [n.delta, n.reason, n.subject.id])).toEqual(
      Array.from({ length: 3 }, () => [10, 'POST_UPVOTED', posts[3].id]), // three upvotes of their post
    );
    await walk(list, idsOf(all));
  });

  it('reads the window between two cursors, from either end', async () => {
    const list = onCommunity('members', cast.community.slug, 'members($page)', true);
    const all = await readPage(list, 'first: 7');
    const [from, to] = [all.edges[1].cursor, all.edges[5].cursor];
    const between = all.edges.slice(2, 5).map((e) => e.node.id);
    expect(idsOf(await readPage(list, `first: 10, after: "${from}", before: "${to}"`))).toEqual(between);
    expect(idsOf(await readPage(list, `last: 10, after: "${from}", before: "${to}"`))).toEqual(between);
    const head = await readPage(list, `first: 2, after: "${from}", before: "${to}"`);
    expect(idsOf(head)).toEqual(between.slice(0, 2));
    expect(head.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const tail = await readPage(list, `last: 2, after: "${from}", before: "${to}"`);
    expect(idsOf(tail)).toEqual(between.slice(1));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    // `before` alone reads the page just before the cursor, as `last` does.
    expect(idsOf(await readPage(list, `before: "${to}"`))).toEqual(all.edges.slice(0, 5).map((e) => e.node.id));
  });
});

describe('totalCount after writes', () => {
  it('follows members who join, change roles and leave', async () => {
    const cast = await castOf(server, 5);
    const count = async (role = '') =>
      (
        await readPage(
          onCommunity('members', cast.community.slug, `members(${role ? `role: ${role}, ` : ''}$page)`, true),
          'first: 1',
        )
      ).totalCount;
    const counts = async () => [await count(), await count('OWNER'), await count('MODERATOR'), await count('MEMBER')];
    expect(await counts()).toEqual([7, 1, 1, 5]);
    const newcomer = await signUp(server, 'newcomer');
    await joinCommunity(server, newcomer, cast.community.id);
    expect(await counts()).toEqual([8, 1, 1, 6]);
    const promoted = await server.gql(
      SetRoleDocument,
      { input: { communityId: cast.community.id, userId: newcomer.user.id, role: 'MODERATOR' } },
      { token: cast.owner.token },
    );
    expect(promoted.body.errors).toBeUndefined();
    expect(await counts()).toEqual([8, 1, 2, 5]);
    const left = await server.gql(
      'mutation($id: ID!) { leaveCommunity(communityId: $id) }',
      { id: cast.community.id },
      { token: newcomer.token },
    );
    expect(left.body.errors).toBeUndefined();
    expect(await counts()).toEqual([7, 1, 1, 5]);
  });

  it('follows comments and replies, each on its own thread level', async () => {
    const cast = await castOf(server, 2);
    const post = await createPost(server, cast.members[0], cast.community.id);
    const thread = onNode('Post.comments', post.id, 'Post', 'comments($page)', true);
    const first = await addComment(server, cast.members[1], post.id, 'first');
    const replies = onNode('Comment.replies', first.id, 'Comment', 'replies($page)', true);
    const counts = async () => [
      (await readPage(thread, 'last: 1')).totalCount,
      (await readPage(replies, 'first: 1')).totalCount,
    ];
    expect(await counts()).toEqual([1, 0]);
    await addComment(server, cast.members[0], post.id, 'second');
    await addComment(server, cast.members[0], post.id, 'a reply', first.id);
    await addComment(server, cast.members[1], post.id, 'another reply', first.id);
    expect(await counts()).toEqual([2, 2]);
  });
});

describe('more lists, walked both ways', () => {
  it('pages communities found by a search, oldest first', async () => {
    const owner = await signUp(server, 'searcher');
    const tag = unique('walk');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createCommunity(server, owner, 'PUBLIC', `${tag} ${i}`)).id);
    await walk(
      {
        name: 'communities',
        counted: false,
        read: (args, selection) =>
          server.gql(`query($q: String!) { communities(search: $q, ${args}) ${selection} }`, { q: tag }),
        pick: (data) => data.communities,
      },
      created,
    );
  });

  it("pages a community's events by start and its calendar by occurrence, equal starts by id", async () => {
    const cast = await castOf(server, 1);
    const start = hoursFromNow(48);
    const ids: string[] = [];
    for (const hours of [0, 5, 5, 9, 12]) {
      const event = await createEvent(server, cast.owner, cast.community.id, {
        startsAt: new Date(start.getTime() + hours * 3600_000),
      });
      ids.push(event.id);
    }
    await walk(onCommunity('events', cast.community.slug, 'events($page)', false), ids);
    // The calendar lists occurrences; each of these events has one.
    const calendar: List = {
      name: 'calendar',
      counted: false,
      // Its nodes are occurrences, without ids: an occurrence stands for its event here.
      read: (args) =>
        server.gql(
          `query($slug: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
             community(slug: $slug) { calendar(from: $from, to: $to, ${args}) { edges { cursor node { event { id } } }
               nodes { event { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
          { slug: cast.community.slug, from: hoursFromNow(0).toISOString(), to: hoursFromNow(24 * 7).toISOString() },
        ),
      pick: (data) => {
        const c = data.community.calendar;
        return {
          edges: c.edges.map((e: any) => ({ cursor: e.cursor, node: { id: e.node.event.id } })),
          nodes: c.nodes.map((n: any) => ({ id: n.event.id })),
          pageInfo: c.pageInfo,
        };
      },
    };
    await walk(calendar, ids);
  });

  it("pages a community's polls newest first, and an option's voters in the order they voted", async () => {
    const cast = await castOf(server, 5);
    const polls: { id: string; options: { id: string }[] }[] = [];
    for (let i = 0; i < 5; i++)
      polls.push(await createPoll(server, cast.owner, cast.community.id, { question: `q${i}` }));
    await walk(onCommunity('polls', cast.community.slug, 'polls($page)', false), polls.map((p) => p.id).reverse());
    const option = polls[0].options[0].id;
    for (const m of cast.members) await voted(server, m, polls[0].id, [option]);
    const voters = cast.members.map((m) => m.user.id);
    await walk(onNode('PollOption.voters', option, 'PollOption', 'voters($page)', false), voters);
  });

  it("pages an event's attendees and waitlist in arrival order, each with its count", async () => {
    const cast = await castOf(server, 6);
    const event = await createEvent(server, cast.owner, cast.community.id, { capacity: 3 });
    for (const m of cast.members) expect((await rsvp(server, m, event.id, 'GOING')).body.errors).toBeUndefined();
    const users = (list: TestUser[]) => list.map((m) => m.user.id);
    const rsvps = (field: string): List => ({
      ...onNode(`Event.${field}`, event.id, 'Event', `${field}($page)`, true),
      node: 'user { id }',
    });
    const byUser = async (field: string) =>
      (await readPage(rsvps(field), 'first: 100')).edges.map((e: any) => [e.node.user.id, e.cursor]);
    const attendees = await byUser('attendees');
    const waitlist = await byUser('waitlist');
    expect([attendees.map(([u]) => u), waitlist.map(([u]) => u)]).toEqual([
      users(cast.members.slice(0, 3)),
      users(cast.members.slice(3)),
    ]);
    await walk(
      rsvps('attendees'),
      attendees.map(([, cursor]) => cursor),
    );
    await walk(
      rsvps('waitlist'),
      waitlist.map(([, cursor]) => cursor),
    );
  });

  it("pages a community's rules in order and the users you blocked, counting both", async () => {
    const cast = await castOf(server, 4);
    const rules: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await server.gql(
        'mutation($input: CreateCommunityRuleInput!) { createCommunityRule(input: $input) { id } }',
        { input: { communityId: cast.community.id, title: `Rule ${i}`, description: 'Be kind.' } },
        { token: cast.owner.token },
      );
      rules.push(res.body.data.createCommunityRule.id);
    }
    await walk(onCommunity('rules', cast.community.slug, 'rules($page)', true), rules);
    const me = cast.members[0];
    const blocked = [cast.owner, cast.moderator, ...cast.members.slice(1)];
    for (const u of blocked) {
      const res = await server.gql(
        'mutation($id: ID!) { blockUser(userId: $id) }',
        { id: u.user.id },
        { token: me.token },
      );
      expect(res.body.errors).toBeUndefined();
    }
    await walk(
      {
        name: 'viewerBlockedUsers',
        counted: true,
        read: (args, selection) =>
          server.gql(`{ viewerBlockedUsers(${args}) ${selection} }`, undefined, { token: me.token }),
        pick: (data) => data.viewerBlockedUsers,
      },
      blocked.map((u) => u.user.id),
    );
  });

  it('pages your notifications newest first, counting them all or only the unread ones', async () => {
    const cast = await castOf(server, 4);
    const me = cast.owner;
    // A reply notification per post of mine (replies to one post are grouped), and a badge or two.
    for (let i = 0; i < 4; i++) {
      const post = await createPost(server, me, cast.community.id, { title: `mine ${i}` });
      await addComment(server, cast.members[i], post.id, 'an answer');
    }
    // The notifications are written by jobs: wait until none is due (event reminders wait for their hour).
    const pending = `select count(*)::int as n from graphile_worker.jobs
                      where task_identifier like 'notifications.%' and run_at <= now()`;
    for (const started = Date.now(); (await dbQuery<{ n: number }>(server, pending))[0].n > 0;) {
      if (Date.now() - started > 15_000) throw new Error('the notifications did not arrive');
      await new Promise((r) => setTimeout(r, 100));
    }
    const list = (unreadOnly: boolean): List => ({
      name: `notifications(unreadOnly: ${unreadOnly})`,
      counted: true,
      read: (args, selection) =>
        server.gql(`{ viewer { notifications(unreadOnly: ${unreadOnly}, ${args}) ${selection} } }`, undefined, {
          token: me.token,
        }),
      pick: (data) => data.viewer.notifications,
    });
    const newest = idsOf(await readPage(list(false), 'first: 100'));
    expect(newest.length).toBeGreaterThanOrEqual(4);
    await walk(list(false), newest);
    await walk(list(true), newest);
    // Reading all but the two newest: the unread list and its count move, the whole list's does not.
    const marked = await server.gql(
      'mutation($upTo: ID!) { markNotificationsRead(upTo: $upTo) { unreadNotificationCount } }',
      { upTo: newest[2] },
      { token: me.token },
    );
    expect(marked.body.data.markNotificationsRead.unreadNotificationCount).toBe(2);
    await walk(list(true), newest.slice(0, 2));
    await walk(list(false), newest);
  });
});

describe('page arguments', () => {
  let cast: Cast;
  let owner: TestUser;
  beforeAll(async () => {
    cast = await castOf(server, 2);
    owner = cast.owner;
  });

  /** A refusal before execution: HTTP 400, no data, one error. */
  function expectRefused(res: GqlResponse, field: string): void {
    expect({
      status: res.status,
      code: res.body.errors?.[0]?.extensions?.code,
      field: res.body.errors?.[0]?.extensions?.field,
      data: res.body.data,
    }).toEqual({ status: 400, code: 'BAD_USER_INPUT', field, data: undefined });
  }

  it('refuses `first` with `last`, and a `last` out of range, before anything runs', async () => {
    const query = (args: string) =>
      `{ community(slug: "${cast.community.slug}") { members(${args}) { nodes { id } } } }`;
    expectRefused(await server.gql(query('first: 2, last: 2')), 'last');
    for (const last of [0, -1, 101]) expectRefused(await server.gql(query(`last: ${last}`)), 'last');
    // The same in a nested list, through a variable.
    const nested = await server.gql(
      'query($n: Int) { communities(first: 1) { nodes { members(first: 1, last: $n) { nodes { id } } } } }',
      { n: 1 },
      { token: owner.token },
    );
    expectRefused(nested, 'last');
  });

  it('weighs `last` like `first` in the cost limit', async () => {
    const tight = await startTestServer({ MAX_QUERY_COST: '2000' });
    const page = (alias: string, size: string) =>
      `${alias}: members(${size}) { edges { node { id role user { handle } } } }`;
    const at = (selection: string) => `{ community(slug: "${cast.community.slug}") { ${selection} } }`;
    for (const size of ['first: 100', 'last: 100']) {
      const one = await tight.gql(at(page('a', size)));
      expect(one.body.errors).toBeUndefined();
      const four = await tight.gql(at(['a', 'b', 'c', 'd'].map((alias) => page(alias, size)).join(' ')));
      expect(four.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    }
  });
});
