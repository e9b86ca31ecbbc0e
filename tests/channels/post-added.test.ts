/**
 * `postAdded(communityId, channelId)` over graphql-ws: a community's new posts (or one channel's) as
 * they are created, only to readers of the community (outsiders of a PRIVATE one refused), never a
 * post of a channel the subscriber may not read (by role or by level; anonymous subscribers
 * included), nor, without `channelId`, of a channel they muted; a channel they may not read, or of
 * another community, is NOT_FOUND. With REDIS_URL: a post written on one instance reaches a
 * subscriber on another.
 */
import { print } from 'graphql';
import { toGlobalId } from '../../src/platform/ids';
import { castOf, type Cast } from '../posts/operations';
import { record, type Recording, type Subscriber } from '../support/subscription';
import { closeAll, createCommunity, signUp, startTestServer, type TestServer } from '../support/server';
import { PostAddedDocument, SetChannelSubscriptionDocument, createChannel, postIn } from './operations';

interface StreamedPost {
  id: string;
  title: string;
  channel: { id: string; slug: string; isDefault: boolean };
  author: { handle: string } | null;
}

interface Watch extends Recording<{ postAdded: StreamedPost }> {
  posts(): StreamedPost[];
  titles(): string[];
  /** Resolves once a post with this title has arrived. */
  received(title: string, ms?: number): Promise<void>;
}

const SUBSCRIPTION = print(PostAddedDocument);

function watch(client: Subscriber, variables: { communityId: string; channelId?: string }): Watch {
  const w = record<{ postAdded: StreamedPost }>(client, { query: SUBSCRIPTION, variables }, () => ({
    titles: w.titles(),
    errors: w.errorCodes(),
    completed: w.completed,
  })) as Watch;
  w.posts = () => w.results.map((r) => r.data?.postAdded).filter((p): p is StreamedPost => !!p);
  w.titles = () => w.posts().map((p) => p.title);
  w.received = (title, ms) => w.until(() => w.titles().includes(title), `the post "${title}"`, ms);
  return w;
}

/**
 * graphql-ws does not acknowledge a subscribe, and a subscription only sees posts created once it
 * listens: writes "probe N" posts (with `write`) until one comes back to every watch.
 */
async function untilStreaming(watches: Watch[], write: (title: string) => Promise<unknown>): Promise<void> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    await write(`probe ${attempt}`);
    try {
      for (const w of watches) await w.until(() => w.posts().length > 0, 'a probe post', 500);
      return;
    } catch {
      if (watches.some((w) => w.failure !== undefined || w.completed)) break;
    }
  }
  throw new Error(
    `a subscription never received a probe: ${JSON.stringify(watches.map((w) => ({ titles: w.titles(), errors: w.errorCodes(), completed: w.completed })))}`,
  );
}

/** The titles received after the leading probes (each probe at most once, and only first). */
function afterProbes(w: Watch): string[] {
  const titles = w.titles();
  const firstReal = titles.findIndex((t) => !t.startsWith('probe '));
  const real = firstReal === -1 ? [] : titles.slice(firstReal);
  expect(real.filter((t) => t.startsWith('probe '))).toEqual([]);
  return real;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(closeAll);

/** A PUBLIC community (PRIVATE when told) with an owner, a moderator and two members. */
const cast = (visibility: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<Cast> => castOf(server, 2, visibility);

describe('postAdded', () => {
  it("delivers a community's new posts to members and anonymous readers, in order, with their authors", async () => {
    const c = await cast();
    const [ada, bob] = c.members;
    const member = watch(server.ws({ token: ada.token }), { communityId: c.community.id });
    const anonymous = watch(server.ws(), { communityId: c.community.id });
    const other = await createChannel(server, c.owner, c.community.id);
    await untilStreaming([member, anonymous], (title) => postIn(server, c.owner, c.community.id, null, title));

    const written = [
      await postIn(server, bob, c.community.id, null, 'First, from Bob'),
      await postIn(server, c.owner, c.community.id, other.id, 'Then the owner, elsewhere'),
      await postIn(server, ada, c.community.id, null, 'Ada last'),
    ];
    for (const w of [member, anonymous]) {
      await w.received('Ada last');
      expect(afterProbes(w)).toEqual(['First, from Bob', 'Then the owner, elsewhere', 'Ada last']);
      expect(w.posts().slice(-3)).toEqual(
        written.map((p, i) => ({
          id: p.id,
          title: p.title,
          channel: p.channel,
          author: { handle: [bob, c.owner, ada][i].user.handle },
        })),
      );
      expect(w.errorCodes()).toEqual([]);
      expect(w.completed).toBe(false);
    }
  });

  it("with channelId, delivers that channel's posts only", async () => {
    const c = await cast();
    const news = await createChannel(server, c.owner, c.community.id);
    const w = watch(server.ws({ token: c.members[0].token }), { communityId: c.community.id, channelId: news.id });
    await untilStreaming([w], (title) => postIn(server, c.owner, c.community.id, news.id, title));
    await postIn(server, c.owner, c.community.id, null, 'in general');
    await postIn(server, c.members[1], c.community.id, news.id, 'in news');
    await w.received('in news');
    expect(afterProbes(w)).toEqual(['in news']);
    expect(w.posts().every((p) => p.channel.id === news.id)).toBe(true);
  });

  it("never delivers a post of a channel below whose gate the subscriber is (a moderator's stream has it), anonymous included", async () => {
    const c = await castOf(server, 2, 'PUBLIC', true); // levels as a new community has them: members at level 1
    const staff = await createChannel(server, c.owner, c.community.id, { readRole: 'MODERATOR' });
    const veterans = await createChannel(server, c.owner, c.community.id, { readLevel: 3 });
    const member = watch(server.ws({ token: c.members[0].token }), { communityId: c.community.id });
    const anonymous = watch(server.ws(), { communityId: c.community.id });
    const moderator = watch(server.ws({ token: c.moderator.token }), { communityId: c.community.id });
    const moderatorInStaff = watch(server.ws({ token: c.moderator.token }), {
      communityId: c.community.id,
      channelId: staff.id,
    });
    await untilStreaming([member, anonymous, moderator], (title) =>
      postIn(server, c.owner, c.community.id, null, title),
    );
    await postIn(server, c.moderator, c.community.id, staff.id, 'staff only');
    await postIn(server, c.owner, c.community.id, veterans.id, 'veterans only');
    await postIn(server, c.members[1], c.community.id, null, 'for everyone');
    await moderatorInStaff.received('staff only');
    for (const w of [member, anonymous, moderator]) await w.received('for everyone');
    expect(afterProbes(moderator)).toEqual(['staff only', 'veterans only', 'for everyone']);
    expect(afterProbes(member)).toEqual(['for everyone']);
    expect(afterProbes(anonymous)).toEqual(['for everyone']);
    expect(moderatorInStaff.titles()).toEqual(['staff only']);

    // Naming a channel one may not read is NOT_FOUND, as it is everywhere else.
    for (const [client, channel] of [
      [server.ws({ token: c.members[0].token }), staff],
      [server.ws(), veterans],
    ] as const) {
      const refused = watch(client, { communityId: c.community.id, channelId: channel.id });
      await refused.settled();
      expect(refused.errorCodes()).toEqual(['NOT_FOUND']);
      expect(refused.posts()).toEqual([]);
    }
  });

  it('refuses an outsider and an anonymous client of a PRIVATE community, and streams to its members', async () => {
    const c = await cast('PRIVATE');
    const outsider = await signUp(server, 'outsider');
    const refused = [
      watch(server.ws({ token: outsider.token }), { communityId: c.community.id }),
      watch(server.ws(), { communityId: c.community.id }),
    ];
    const member = watch(server.ws({ token: c.members[0].token }), { communityId: c.community.id });
    for (const w of refused) {
      await w.settled();
      expect(w.errorCodes()).toEqual(['NOT_FOUND']);
    }
    await untilStreaming([member], (title) => postIn(server, c.owner, c.community.id, null, title));
    await postIn(server, c.owner, c.community.id, null, 'members only');
    await member.received('members only');
    for (const w of refused) expect(w.posts()).toEqual([]);
  });

  it('leaves out the posts of a channel the subscriber muted without channelId, not with it', async () => {
    const c = await cast();
    const [ada] = c.members;
    const noisy = await createChannel(server, c.owner, c.community.id);
    const muting = await server.gql(
      SetChannelSubscriptionDocument,
      { input: { channelId: noisy.id, state: 'MUTED' } },
      { token: ada.token },
    );
    expect(muting.body.errors).toBeUndefined();
    const muted = watch(server.ws({ token: ada.token }), { communityId: c.community.id });
    const inNoisy = watch(server.ws({ token: ada.token }), { communityId: c.community.id, channelId: noisy.id });
    const unmuted = watch(server.ws({ token: c.members[1].token }), { communityId: c.community.id });
    await untilStreaming([muted, unmuted], (title) => postIn(server, c.owner, c.community.id, null, title));
    await untilStreaming([inNoisy], (title) => postIn(server, c.owner, c.community.id, noisy.id, title));
    await postIn(server, c.owner, c.community.id, noisy.id, 'noise');
    await postIn(server, c.owner, c.community.id, null, 'signal');
    await muted.received('signal');
    await inNoisy.received('noise');
    await unmuted.received('signal');
    expect(afterProbes(muted)).toEqual(['signal']);
    expect(afterProbes(inNoisy)).toEqual(['noise']);
    expect(afterProbes(unmuted)).toEqual(['noise', 'signal']);
  });

  it('refuses a channel that does not exist or belongs to another community as NOT_FOUND', async () => {
    const c = await cast();
    const elsewhere = await createCommunity(server, c.owner);
    const foreign = await createChannel(server, c.owner, elsewhere.id);
    const missing = toGlobalId('Channel', 999_999_999);
    for (const channelId of [foreign.id, missing]) {
      const w = watch(server.ws({ token: c.owner.token }), { communityId: c.community.id, channelId });
      await w.settled();
      expect(w.errorCodes()).toEqual(['NOT_FOUND']);
    }
  });
});

const redisUrl = process.env.REDIS_URL;

// A story that needs a broker between instances. Defined only with REDIS_URL, so nothing is skipped without it.
if (redisUrl) {
  describe('postAdded over Redis', () => {
    it('delivers the posts written through one instance to subscribers on another', async () => {
      const [east, west] = await Promise.all([startTestServer(), startTestServer()]);
      const c = await castOf(east, 1);
      const staff = await createChannel(east, c.owner, c.community.id, { readRole: 'MODERATOR' });
      const member = watch(west.ws({ token: c.members[0].token }), { communityId: c.community.id });
      const moderator = watch(west.ws({ token: c.moderator.token }), { communityId: c.community.id });
      await untilStreaming([member, moderator], (title) => postIn(east, c.owner, c.community.id, null, title));
      await postIn(east, c.owner, c.community.id, staff.id, 'staff, from east');
      await postIn(east, c.owner, c.community.id, null, 'all, from east');
      for (const w of [member, moderator]) await w.received('all, from east');
      expect(afterProbes(moderator)).toEqual(['staff, from east', 'all, from east']);
      expect(afterProbes(member)).toEqual(['all, from east']);
    });
  });
}
