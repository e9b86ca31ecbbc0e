/**
 * The records the schema-driven fuzz test (fuzz.test.ts) acts on, all made through the public API,
 * and a valid baseline call for each mutation and each query with arguments. The fuzzer sends each
 * baseline with one argument or input field changed to a hostile value.
 *
 * A baseline must succeed as it is (the fuzzer checks). A builder returns fresh records whenever a
 * successful call would use them up or change what other baselines rely on; the fuzzer calls the
 * builder again after every call that succeeded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMail, tokenIn, type ReceivedMail } from '../email/inbox';
import { toGlobalId } from '../../src/platform/ids';
import { dbId, dbQuery } from '../posts/operations';
import {
  closeAll,
  createCommunity,
  grantPlatformAdmin,
  joinCommunity,
  openPrivileges,
  signUp,
  unique,
  type TestServer,
  type TestUser,
} from '../support/server';

/**
 * The settings of the servers the fuzz and cursor tests start: limits that would refuse the tests' own
 * pace are raised (add write rate limits here as they appear), everything else is as in production.
 */
export const FUZZ_ENV: Record<string, string> = {
  CHAT_RATE_LIMIT: '1000000',
  // Background jobs (notifications) settle fast: the fuzzer waits for them before judging a call.
  JOB_POLL_MS: '100',
  // Baselines ask for verification and reset emails again after each success.
  EMAIL_RATE_LIMIT: '1000000',
  // Webhook endpoints point at a closed port on 127.0.0.1: deliveries fail at once and stop retrying within a second.
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_FAILURE_WINDOW_SECONDS: '1',
  WEBHOOK_RETRY_BASE_MS: '10',
};

/** A baseline call: its arguments (as variables), and the token to send when it is not the owner's. */
export interface Baseline {
  variables: Record<string, unknown>;
  token?: string;
}
export type Builder = (w: World) => Promise<Baseline>;

/** A start `hours` from now, on a whole minute, as an ISO string. */
export function hoursFromNow(hours: number): string {
  const d = new Date(Date.now() + hours * 3600_000);
  d.setUTCSeconds(0, 0);
  return d.toISOString();
}
const plusHours = (iso: string, hours: number) => new Date(new Date(iso).getTime() + hours * 3600_000).toISOString();

/** The owner (who makes every call), two members, their community, and helpers that make more records. */
export class World {
  owner!: TestUser;
  ada!: TestUser;
  bob!: TestUser;
  community!: { id: string; slug: string };
  restrictedCommunity!: { id: string; slug: string };
  /** Records reused by baselines whose success changes nothing others rely on. */
  readonly shared = new Map<string, Promise<unknown>>();
  /** One real ID of each node type, for "an ID of the wrong type". */
  readonly pool = new Map<string, string>();
  /** The outbox's messages read so far, by file name. */
  private readonly readMail = new Map<string, ReceivedMail>();

  constructor(readonly server: TestServer) {}

  /** Runs an operation and returns its data, or throws with its errors. */
  async call(query: string, variables: Record<string, unknown>, as: TestUser = this.owner): Promise<any> {
    const res = await this.server.gql(query, variables, { token: as.token });
    if (res.body.errors || !res.body.data)
      throw new Error(`fuzz set-up failed: ${query}\n${JSON.stringify(res.body.errors)}`);
    return res.body.data;
  }

  /** A record made once and reused. */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.shared.has(key)) this.shared.set(key, make());
    return this.shared.get(key) as Promise<T>;
  }

  /** A platform admin, made once. */
  platformAdmin(): Promise<TestUser> {
    return this.once('platform admin', async () => {
      const user = await signUp(this.server, 'fzadmin');
      await grantPlatformAdmin(this.server, user);
      return user;
    });
  }

  /**
   * The token of the email with `subject` sent to `to`, read from the server's outbox folder (the fuzz
   * server has no SMTP_URL), waiting for it up to 10 s.
   */
  async emailedToken(to: string, subject: string): Promise<string> {
    const folder = join(this.server.app.config.DATA_DIR, 'outbox');
    const started = Date.now();
    for (;;) {
      for (const file of existsSync(folder) ? readdirSync(folder) : []) {
        if (!file.endsWith('.eml') || this.readMail.has(file)) continue;
        this.readMail.set(file, parseMail(readFileSync(join(folder, file), 'utf8')));
      }
      const mail = [...this.readMail.values()].find(
        (m) => m.subject === subject && new RegExp(`^To: ${to}$`, 'mi').test(m.raw),
      );
      if (mail) return tokenIn(mail);
      if (Date.now() - started > 10_000) throw new Error(`fuzz set-up failed: no "${subject}" email to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async setUp(): Promise<void> {
    [this.owner, this.ada, this.bob] = [
      await signUp(this.server, 'fzowner'),
      await signUp(this.server, 'fzada'),
      await signUp(this.server, 'fzbob'),
    ];
    this.community = await createCommunity(this.server, this.owner);
    await openPrivileges(this.server, this.owner, this.community.id);
    for (const u of [this.ada, this.bob]) await joinCommunity(this.server, u, this.community.id);
    this.restrictedCommunity = await createCommunity(this.server, this.owner, 'RESTRICTED');
    await this.fillPool();
  }

  /** Records of every node type that no baseline uses, so that acting on them by mistake harms nothing. */
  private async fillPool(): Promise<void> {
    const stranger = await signUp(this.server, 'fzpool');
    const community = await createCommunity(this.server, this.owner);
    await openPrivileges(this.server, this.owner, community.id);
    const member = await joinCommunity(this.server, stranger, community.id);
    const post = await this.post(this.owner, community.id);
    const comment = await this.comment(this.owner, post);
    const event = await this.event({ communityId: community.id });
    const rsvp = await this.call('mutation($input: RsvpInput!) { rsvp(input: $input) { id } }', {
      input: { eventId: event, status: 'GOING' },
    });
    const poll = await this.poll(community.id);
    const stream = await this.liveStream(community.id);
    const message = await this.chatMessage(stream, this.owner);
    const contest = await this.contest(community.id);
    const entry = await this.entry(contest, this.owner, community.id);
    const request = await this.joinRequest();
    const invite = await this.call('mutation($input: MemberRefInput!) { inviteMember(input: $input) { id } }', {
      input: { communityId: this.restrictedCommunity.id, userId: stranger.user.id },
    });
    const key = await this.apiKey();
    const notification = await this.notification();
    for (const [type, id] of Object.entries({
      User: stranger.user.id,
      Community: community.id,
      Member: member.member!.id,
      Post: post,
      Comment: comment,
      Event: event,
      Rsvp: rsvp.rsvp.id,
      Poll: poll.id,
      PollOption: poll.optionIds[0],
      ChatMessage: message,
      ContestEntry: entry,
      JoinRequest: request,
      Invite: invite.inviteMember.id,
      ApiKey: key,
      Notification: notification,
    }))
      this.pool.set(type, id);
  }

  // Record makers: each returns the new record's ID (from the API's answer).

  /** A notification of the owner's: Ada comments on their post; its job writes it in the background. */
  async notification(): Promise<string> {
    await this.comment(this.ada, await this.post(this.owner));
    for (const started = Date.now(); ;) {
      const data = await this.call('{ viewer { notifications(first: 1) { edges { node { id } } } } }', {});
      const found = data.viewer.notifications.edges[0]?.node.id as string | undefined;
      if (found) return found;
      if (Date.now() - started > 15_000) throw new Error('fuzz set-up: no notification was written');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A channel of the world's community (or another), as its owner (an admin of it). */
  async channel(communityId = this.community.id): Promise<string> {
    const data = await this.call('mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }', {
      input: { communityId, slug: `fz-${Math.random().toString(36).slice(2, 10)}`, name: 'A fuzzed channel' },
    });
    return data.createChannel.id;
  }

  async post(author: TestUser = this.owner, communityId = this.community.id): Promise<string> {
    const data = await this.call(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      {
        input: { communityId, title: 'A fuzzed post', body: 'Some *words*.', tags: ['fuzz'] },
      },
      author,
    );
    return data.createPost.id;
  }

  async comment(author: TestUser, postId: string, parentId?: string): Promise<string> {
    const data = await this.call(
      'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
      { input: { postId, parentId, body: 'A comment.' } },
      author,
    );
    return data.addComment.id;
  }

  async event(input: Record<string, unknown> = {}, organizer: TestUser = this.owner): Promise<string> {
    const startsAt = (input.startsAt as string) ?? hoursFromNow(1);
    const data = await this.call(
      'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
      {
        input: {
          communityId: this.community.id,
          title: 'Fuzz meetup',
          startsAt,
          endsAt: plusHours(startsAt, 1),
          ...input,
        },
      },
      organizer,
    );
    return data.createEvent.id;
  }

  async liveStream(communityId = this.community.id, start = true): Promise<string> {
    const id = await this.event({ communityId, kind: 'LIVE_STREAM', startsAt: hoursFromNow(0) });
    if (start) await this.call('mutation($id: ID!) { startLiveStream(eventId: $id) { id } }', { id });
    return id;
  }

  async chatMessage(eventId: string, author: TestUser, isQuestion = false): Promise<string> {
    const data = await this.call(
      'mutation($input: SendChatMessageInput!) { sendChatMessage(input: $input) { id } }',
      {
        input: { eventId, body: isQuestion ? 'A question?' : 'Hello.', isQuestion },
      },
      author,
    );
    return data.sendChatMessage.id;
  }

  async poll(communityId = this.community.id): Promise<{ id: string; optionIds: string[] }> {
    const data = await this.call(
      'mutation($input: CreatePollInput!) { createPoll(input: $input) { id options { id } } }',
      {
        input: { communityId, question: 'Which one?', options: ['Red', 'Green', 'Blue'] },
      },
    );
    return { id: data.createPoll.id, optionIds: data.createPoll.options.map((o: { id: string }) => o.id) };
  }

  /** A CONTEST taking entries (it starts in a day). */
  contest(communityId = this.community.id): Promise<string> {
    return this.event({ communityId, kind: 'CONTEST', title: 'Fuzz contest', startsAt: hoursFromNow(24) });
  }

  async entry(contestId: string, author: TestUser, communityId = this.community.id): Promise<string> {
    const postId = await this.post(author, communityId);
    const data = await this.call(
      'mutation($input: SubmitContestEntryInput!) { submitContestEntry(input: $input) { id } }',
      { input: { eventId: contestId, postId } },
      author,
    );
    return data.submitContestEntry.id;
  }

  /** Moves a contest into its VOTING phase (it started an hour ago and ends in an hour). */
  async startVoting(contestId: string): Promise<void> {
    await this.call('mutation($input: UpdateEventInput!) { updateEvent(input: $input) { id } }', {
      input: { id: contestId, startsAt: hoursFromNow(-1), endsAt: hoursFromNow(1) },
    });
  }

  /** A new user's pending request to join the restricted community. */
  async joinRequest(): Promise<string> {
    const joiner = await signUp(this.server, 'fzjoin');
    return (await joinCommunity(this.server, joiner, this.restrictedCommunity.id)).joinRequest!.id;
  }

  /** A new user who joined the community. */
  async member(): Promise<TestUser> {
    const user = await signUp(this.server, 'fzmem');
    await joinCommunity(this.server, user, this.community.id);
    return user;
  }

  async apiKey(): Promise<string> {
    const data = await this.call(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
      { input: { name: 'Fuzz', scopes: ['READ'] } },
    );
    return data.createApiKey.apiKey.id;
  }

  /** A rule of the community. */
  async rule(): Promise<string> {
    const data = await this.call(
      'mutation($input: CreateCommunityRuleInput!) { createCommunityRule(input: $input) { id } }',
      { input: { communityId: this.community.id, title: 'A rule', description: 'Its words' } },
    );
    return data.createCommunityRule.id;
  }

  /** A webhook endpoint, in a community of its own (a community has at most 10). */
  async webhookEndpoint(): Promise<string> {
    const community = await createCommunity(this.server, this.owner);
    const data = await this.call(
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }',
      { input: { communityId: community.id, url: 'http://127.0.0.1:9/hook', eventTypes: ['POST_CREATED'] } },
    );
    return data.createWebhookEndpoint.endpoint.id;
  }

  /**
   * A past delivery of a new endpoint (written directly: delivering is not the fuzzer's subject); the
   * endpoint is new because one whose redeliveries all failed for a second is disabled.
   */
  async webhookDelivery(): Promise<string> {
    const endpoint = await this.webhookEndpoint();
    const [row] = await dbQuery<{ id: number }>(
      this.server,
      `with e as (insert into webhook_events (community_id, type, subject_id, created_at)
                  select community_id, 'POST_CREATED', 1, now() from webhook_endpoints where id = ? returning id)
       insert into webhook_deliveries (endpoint_id, event_id, status, attempts, created_at)
       select ?, e.id, 'FAILED', 1, now() from e returning id`,
      [dbId(endpoint), dbId(endpoint)],
    );
    return toGlobalId('WebhookDelivery', row.id);
  }

  /** A disabled AutoMod rule of the community. */
  /** A daily quest of the community, counting comments (from `startsAt`, default now). */
  async quest(startsAt?: Date): Promise<string> {
    const data = await this.call('mutation($input: CreateQuestInput!) { createQuest(input: $input) { id } }', {
      input: {
        communityId: this.community.id,
        title: 'Daily',
        description: 'Comment once.',
        period: 'DAILY',
        goals: [{ action: 'COMMENT', target: 1 }],
        rewardPoints: 5,
        startsAt: startsAt?.toISOString(),
      },
    });
    return data.createQuest.id;
  }

  async autoModRule(): Promise<string> {
    const data = await this.call('mutation($input: AutoModRuleInput!) { createAutoModRule(input: $input) { id } }', {
      input: { communityId: this.community.id, name: 'Fuzz', conditions: { keywords: ['spam'] }, action: 'REPORT' },
    });
    return data.createAutoModRule.id;
  }

  /** A WARN decided by `moderator` on a new member's post, and that member. */
  async decision(moderator: TestUser): Promise<{ decisionId: string; affected: TestUser }> {
    const affected = await this.member();
    const postId = await this.post(affected);
    const reported = await this.call(
      'mutation($input: ReportInput!) { report(input: $input) { item { id } } }',
      { input: { subjectId: postId, reason: 'SPAM' } },
      moderator,
    );
    const data = await this.call(
      'mutation($input: DecideInput!) { decide(input: $input) { id } }',
      {
        input: {
          itemId: reported.report.item.id,
          action: 'WARN',
          ruleId: await this.once('rule', () => this.rule()),
          statement: 'Spam',
        },
      },
      moderator,
    );
    return { decisionId: data.decide.id, affected };
  }

  /** An open review-queue item: a new member's post, reported by the owner. */
  async reportedItem(): Promise<string> {
    const author = await this.member();
    const postId = await this.post(author);
    const data = await this.call('mutation($input: ReportInput!) { report(input: $input) { item { id } } }', {
      input: { subjectId: postId, reason: 'SPAM' },
    });
    return data.report.item.id;
  }

  /** A community of Ada's (the owner is not a member). */
  adasCommunity(): Promise<{ id: string; slug: string }> {
    return createCommunity(this.server, this.ada);
  }

  close(): Promise<void> {
    return closeAll();
  }
}

const MARKDOWN = 'Some **bold** words and a [link](https://example.test).';

/**
 * A valid call of every mutation, by name. A mutation the schema has and this table lacks fails the
 * fuzz test (unless listed in fuzz.test.ts's UNFUZZED with why).
 */
export const MUTATION_BASELINES: Record<string, Builder> = {
  // Quests, by the owner (ADMIN and above).
  createQuest: async (w) => ({
    variables: {
      input: {
        communityId: w.community.id,
        title: 'Weekly',
        description: 'Post with a tag.',
        period: 'WEEKLY',
        goals: [{ action: 'POST', target: 2, tag: 'help' }],
        rewardPoints: 10,
      },
    },
  }),
  // A quest starting tomorrow: its goals may still change.
  updateQuest: async (w) => ({
    variables: {
      input: {
        id: await w.once('later quest', () => w.quest(new Date(Date.now() + 86_400_000))),
        title: 'Renamed',
        rewardPoints: 6,
        goals: [{ action: 'COMMENT', target: 2, tag: 'help' }],
      },
    },
  }),
  closeQuest: async (w) => ({ variables: { input: { id: await w.quest() } } }),
  // Ada completes a fresh daily quest (one comment), and the owner revokes it (again: it stays revoked).
  removeQuestCompletion: async (w) => {
    const questId = await w.once('completed quest', async () => {
      const id = await w.quest();
      await w.comment(w.ada, await w.once('ada post', () => w.post(w.ada)));
      return id;
    });
    const data = await w.call(
      'query($id: ID!) { node(id: $id) { ... on Quest { viewerProgress { periodStart } } } }',
      { id: questId },
      w.ada,
    );
    return {
      variables: { input: { questId, userId: w.ada.user.id, periodStart: data.node.viewerProgress.periodStart } },
    };
  },
  // No arguments: only the baseline runs, as a user of its own (one pending export each).
  requestDataExport: async (w) => ({ variables: {}, token: (await signUp(w.server, 'fzexport')).token }),
  // As a platform admin, setting the defaults again (anyone else is refused before the input is read).
  updateRetentionSettings: async (w) => ({
    variables: { input: { chatMessageDays: null, notificationDays: null, ipAddressHours: 24 } },
    token: (await w.platformAdmin()).token,
  }),
  // Moderation: reports by the owner (weight 5, under the threshold of 6), decided on fresh members' posts.
  report: async (w) => ({ variables: { input: { subjectId: await w.post(w.ada), reason: 'OTHER', note: 'Fuzz' } } }),
  decide: async (w) => ({
    variables: {
      input: {
        itemId: await w.reportedItem(),
        action: 'MUTE',
        ruleId: await w.once('rule', () => w.rule()),
        statement: 'Fuzzed reasons',
        durationSeconds: 3600,
      },
    },
  }),
  // A community of its own each time: a community has at most 50 rules.
  createCommunityRule: async (w) => ({
    variables: {
      input: { communityId: (await createCommunity(w.server, w.owner)).id, title: 'Be kind', description: 'Words' },
    },
  }),
  updateCommunityRule: async (w) => ({
    variables: {
      input: { id: await w.once('rule', () => w.rule()), title: 'Be kinder', description: 'More words', position: 1 },
    },
  }),
  deleteCommunityRule: async (w) => ({ variables: { id: await w.rule() } }),
  createAutoModRule: async (w) => ({
    variables: {
      input: {
        // A community of its own each time: a community has at most 50 AutoMod rules.
        communityId: (await createCommunity(w.server, w.owner)).id,
        name: 'Fuzz rule',
        conditions: {
          keywords: ['buy now'],
          patterns: ['cheap\\s+pills'],
          linkDomains: ['spam.example'],
          maxMentions: 5,
          repeatedText: { count: 2, withinSeconds: 600 },
          rate: { count: 10, withinSeconds: 60 },
          author: { accountAgeHoursBelow: 24, membershipAgeHoursBelow: 24, levelBelow: 2, reputationBelow: 10 },
          subjects: ['POST', 'COMMENT'],
        },
        action: 'MUTE',
        durationSeconds: 600,
        enabled: false,
      },
    },
  }),
  updateAutoModRule: async (w) => ({
    variables: {
      input: {
        id: await w.once('automod rule', () => w.autoModRule()),
        name: 'Renamed',
        conditions: { keywords: ['casino'] },
        action: 'REPORT',
        enabled: false,
      },
    },
  }),
  deleteAutoModRule: async (w) => ({ variables: { id: await w.autoModRule() } }),
  removeAutoModRule: async (w) => ({ variables: { input: { id: await w.autoModRule() } } }),
  removeCommunityRule: async (w) => ({ variables: { input: { id: await w.rule() } } }),
  createReport: async (w) => ({
    variables: { input: { subjectId: await w.post(w.ada), reason: 'OTHER', note: 'Fuzz' } },
  }),
  decideModerationItem: async (w) => ({
    variables: {
      input: {
        itemId: await w.reportedItem(),
        action: 'MUTE',
        ruleId: await w.once('rule', () => w.rule()),
        statement: 'Fuzzed reasons',
        durationSeconds: 3600,
      },
    },
  }),
  appealDecision: async (w) => {
    const { decisionId, affected } = await w.decision(w.owner);
    return { variables: { input: { decisionId, text: 'It was not spam' } }, token: affected.token };
  },
  addAutoModRule: async (w) => ({
    variables: {
      input: {
        communityId: (await createCommunity(w.server, w.owner)).id,
        name: 'Fuzz rule',
        conditions: {
          keywords: ['buy now'],
          patterns: ['cheap\\s+pills'],
          linkDomains: ['spam.example'],
          maxMentions: 5,
          repeatedText: { count: 2, withinSeconds: 600 },
          rate: { count: 10, withinSeconds: 60 },
          author: { accountAgeHoursBelow: 24, membershipAgeHoursBelow: 24, levelBelow: 2, reputationBelow: 10 },
          subjects: ['POST', 'COMMENT'],
        },
        action: 'MUTE',
        durationSeconds: 600,
        enabled: false,
      },
    },
  }),
  // A community of its own each time: a community has at most 10 endpoints.
  createWebhookEndpoint: async (w) => ({
    variables: {
      input: {
        communityId: (await createCommunity(w.server, w.owner)).id,
        url: 'http://127.0.0.1:9/hook',
        eventTypes: ['POST_CREATED', 'COMMENT_ADDED'],
      },
    },
  }),
  updateWebhookEndpoint: async (w) => ({
    variables: {
      input: {
        id: await w.once('webhook endpoint', () => w.webhookEndpoint()),
        url: 'http://127.0.0.1:9/other',
        eventTypes: ['POST_CREATED'],
        enabled: true,
      },
    },
  }),
  deleteWebhookEndpoint: async (w) => ({ variables: { id: await w.webhookEndpoint() } }),
  rotateWebhookSecret: async (w) => ({
    variables: { id: await w.once('webhook endpoint', () => w.webhookEndpoint()) },
  }),
  // A new handle each time: handles are unique.
  createBot: async (w) => ({
    variables: { input: { communityId: w.community.id, name: 'Fuzz bot', handle: unique('fzbot') } },
  }),
  rotateBotKey: async (w) => ({
    variables: {
      botId: await w.once('bot', async () => {
        const data = await w.call('mutation($input: CreateBotInput!) { createBot(input: $input) { user { id } } }', {
          input: { communityId: w.community.id, name: 'Fuzz bot', handle: unique('fzbot') },
        });
        return data.createBot.user.id;
      }),
    },
  }),
  redeliverWebhook: async (w) => ({ variables: { deliveryId: await w.webhookDelivery() } }),
  resendWebhookDelivery: async (w) => ({ variables: { input: { deliveryId: await w.webhookDelivery() } } }),
  removeWebhookEndpoint: async (w) => ({ variables: { input: { id: await w.webhookEndpoint() } } }),
  rotateWebhookEndpointSecret: async (w) => ({
    variables: { input: { id: await w.once('webhook endpoint', () => w.webhookEndpoint()) } },
  }),
  rotateBotApiKey: async (w) => ({
    variables: {
      input: {
        botId: await w.once('bot', async () => {
          const data = await w.call('mutation($input: CreateBotInput!) { createBot(input: $input) { user { id } } }', {
            input: { communityId: w.community.id, name: 'Fuzz bot', handle: unique('fzbot') },
          });
          return data.createBot.user.id;
        }),
      },
    },
  }),
  markNotificationsAsRead: async (w) => ({
    variables: { input: { upTo: await w.once('notification', () => w.notification()) } },
  }),
  mutePostThread: async (w) => ({
    variables: { input: { postId: await w.once('ada post', () => w.post(w.ada)), muted: true } },
  }),
  setNotificationPreferences: async (w) => ({
    variables: { input: { communityId: w.community.id, preferences: [{ kind: 'REPLY', channel: 'EMAIL' }] } },
  }),
  markNotificationsRead: async (w) => ({ variables: { upTo: await w.once('notification', () => w.notification()) } }),
  // A new user each time: blocking twice changes nothing, and unblocking needs a block.
  blockUser: async (w) => ({ variables: { userId: (await signUp(w.server, 'fzblk')).user.id } }),
  blockAccount: async (w) => ({ variables: { input: { userId: (await signUp(w.server, 'fzblk')).user.id } } }),
  unblockAccount: async (w) => {
    const user = await signUp(w.server, 'fzunb');
    await w.call('mutation($u: ID!) { blockUser(userId: $u) }', { u: user.user.id });
    return { variables: { input: { userId: user.user.id } } };
  },
  unblockUser: async (w) => {
    const user = await signUp(w.server, 'fzunb');
    await w.call('mutation($u: ID!) { blockUser(userId: $u) }', { u: user.user.id });
    return { variables: { userId: user.user.id } };
  },
  // A new user each time: following twice changes nothing, and unfollowing needs a follow.
  followMember: async (w) => ({ variables: { input: { userId: (await signUp(w.server, 'fzfol')).user.id } } }),
  unfollowMember: async (w) => {
    const user = await signUp(w.server, 'fzunf');
    await w.call('mutation($u: ID!) { followMember(input: { userId: $u }) { user { id } } }', { u: user.user.id });
    return { variables: { input: { userId: user.user.id } } };
  },
  followTag: async () => ({ variables: { input: { tag: 'fuzz' } } }),
  unfollowTag: async (w) => {
    await w.call('mutation { followTag(input: { tag: "fuzz-unfollow" }) { tag } }', {});
    return { variables: { input: { tag: 'fuzz-unfollow' } } };
  },
  appeal: async (w) => {
    const { decisionId, affected } = await w.decision(w.owner);
    return { variables: { input: { decisionId, text: 'It was not spam' } }, token: affected.token };
  },
  decideAppeal: async (w) => {
    // Decided by a moderator of its own, so that the owner (who sends the baseline) may decide the appeal.
    const moderator = await w.member();
    await w.call('mutation($input: SetMemberRoleInput!) { setMemberRole(input: $input) { role } }', {
      input: { communityId: w.community.id, userId: moderator.user.id, role: 'MODERATOR' },
    });
    const { decisionId, affected } = await w.decision(moderator);
    const data = await w.call(
      'mutation($input: AppealInput!) { appeal(input: $input) { id } }',
      { input: { decisionId, text: 'It was not spam' } },
      affected,
    );
    return { variables: { input: { appealId: data.appeal.id, outcome: 'REVERSE', statement: 'Fuzzed reasons' } } };
  },
  addComment: async (w) => {
    const postId = await w.post();
    return { variables: { input: { postId, parentId: await w.comment(w.ada, postId), body: MARKDOWN } } };
  },
  approveJoinRequest: async (w) => ({ variables: { id: await w.joinRequest() } }),
  banMember: async (w) => ({
    variables: {
      input: {
        communityId: w.community.id,
        userId: (await w.member()).user.id,
        reason: 'Spam.',
        until: hoursFromNow(24 * 7),
      },
    },
  }),
  acceptJoinRequest: async (w) => ({ variables: { input: { id: await w.joinRequest() } } }),
  declineJoinRequest: async (w) => ({ variables: { input: { id: await w.joinRequest() } } }),
  cancelEvent: async (w) => ({ variables: { id: await w.event() } }),
  castVote: async (w) => {
    const poll = await w.once('poll', () => w.poll());
    return { variables: { input: { pollId: poll.id, optionIds: [poll.optionIds[1]] } } };
  },
  checkIn: async (w) => {
    const meetup = await w.once('check-in meetup', async () => {
      const startsAt = hoursFromNow(1);
      const id = await w.event({ startsAt, capacity: 10 });
      await w.call(
        'mutation($input: RsvpInput!) { rsvp(input: $input) { id } }',
        { input: { eventId: id, status: 'GOING' } },
        w.ada,
      );
      return { id, startsAt };
    });
    return { variables: { input: { eventId: meetup.id, userId: w.ada.user.id, occurrenceStartsAt: meetup.startsAt } } };
  },
  closePoll: async (w) => ({ variables: { id: (await w.poll()).id } }),
  endPoll: async (w) => ({ variables: { input: { id: (await w.poll()).id } } }),
  cancelCommunityEvent: async (w) => ({ variables: { input: { id: await w.event() } } }),
  setRsvp: async (w) => {
    const meetup = await w.once('rsvp meetup', async () => {
      const startsAt = hoursFromNow(24);
      return { id: await w.event({ startsAt, capacity: 5 }, w.ada), startsAt };
    });
    return { variables: { input: { eventId: meetup.id, status: 'GOING', occurrenceStartsAt: meetup.startsAt } } };
  },
  checkInAttendee: async (w) => {
    const meetup = await w.once('check-in meetup', async () => {
      const startsAt = hoursFromNow(1);
      const id = await w.event({ startsAt, capacity: 10 });
      await w.call(
        'mutation($input: RsvpInput!) { rsvp(input: $input) { id } }',
        { input: { eventId: id, status: 'GOING' } },
        w.ada,
      );
      return { id, startsAt };
    });
    return { variables: { input: { eventId: meetup.id, userId: w.ada.user.id, occurrenceStartsAt: meetup.startsAt } } };
  },
  openLiveStream: async (w) => ({ variables: { input: { eventId: await w.liveStream(w.community.id, false) } } }),
  closeLiveStream: async (w) => ({ variables: { input: { eventId: await w.liveStream() } } }),
  setChatSlowMode: async (w) => ({
    variables: { input: { eventId: await w.once('stream', () => w.liveStream()), seconds: 0 } },
  }),
  removeChatMessage: async (w) => ({
    variables: { input: { id: await w.chatMessage(await w.once('stream', () => w.liveStream()), w.owner) } },
  }),
  muteLiveChatMember: async (w) => ({
    variables: { input: { eventId: await w.once('stream', () => w.liveStream()), userId: w.bob.user.id, minutes: 5 } },
  }),
  unmuteLiveChatMember: async (w) => ({
    variables: { input: { eventId: await w.once('stream', () => w.liveStream()), userId: w.bob.user.id } },
  }),
  setQuestionUpvote: async (w) => ({
    variables: {
      input: {
        id: await w.once('question', async () =>
          w.chatMessage(await w.once('stream', () => w.liveStream()), w.ada, true),
        ),
        upvoted: true,
      },
    },
  }),
  markQuestionAsAnswered: async (w) => ({
    variables: {
      input: {
        id: await w.once('question', async () =>
          w.chatMessage(await w.once('stream', () => w.liveStream()), w.ada, true),
        ),
        answered: true,
      },
    },
  }),
  removeContestEntry: async (w) => ({ variables: { input: { entryId: await w.entry(await w.contest(), w.owner) } } }),
  castContestVote: async (w) => ({
    variables: { input: { entryId: (await w.once('voting contest', () => votingContest(w))).entryId } },
  }),
  retractContestVote: async (w) => ({
    variables: { input: { eventId: (await w.once('voting contest', () => votingContest(w))).contestId } },
  }),
  createApiKey: async () => ({ variables: { input: { name: 'Fuzzed key', scopes: ['READ', 'WRITE'] } } }),
  createCommunity: async () => ({
    variables: {
      input: {
        slug: unique('fz').replace(/_/g, '-'),
        name: 'Fuzzed',
        description: 'A community.',
        timeZone: 'Europe/Paris',
        visibility: 'PUBLIC',
      },
    },
  }),
  createEvent: async (w) => {
    const startsAt = hoursFromNow(48);
    return {
      variables: {
        input: {
          communityId: w.community.id,
          kind: 'MEETUP',
          title: 'Fuzzed meetup',
          description: 'Come along.',
          startsAt,
          endsAt: plusHours(startsAt, 2),
          timeZone: 'Europe/Paris',
          capacity: 10,
          location: 'The hall',
          onlineUrl: 'https://example.test/meet',
          recurrence: 'FREQ=WEEKLY;COUNT=3',
        },
      },
    };
  },
  createInviteLink: async (w) => ({
    variables: { communityId: w.restrictedCommunity.id, expiresAt: hoursFromNow(24), maxUses: 5 },
  }),
  createPoll: async (w) => {
    const [postId, eventId] = [await w.once('poll post', () => w.post()), await w.once('poll event', () => w.event())];
    return {
      variables: {
        input: {
          communityId: w.community.id,
          question: 'Which ones?',
          options: ['Red', 'Green', 'Blue'],
          allowMultiple: true,
          maxChoices: 2,
          ranked: false,
          anonymous: false,
          hideResultsUntilClosed: false,
          closesAt: hoursFromNow(48),
          postId,
          eventId,
        },
      },
    };
  },
  createPost: async (w) => ({
    variables: {
      input: {
        communityId: w.community.id,
        channelId: await w.once('channel', () => w.channel()),
        title: 'Fuzzed',
        body: MARKDOWN,
        tags: ['fuzz', 'more'],
      },
    },
  }),
  deleteChatMessage: async (w) => ({
    variables: { id: await w.chatMessage(await w.once('stream', () => w.liveStream()), w.owner) },
  }),
  deleteComment: async (w) => ({
    variables: { id: await w.comment(w.owner, await w.once('comments post', () => w.post())) },
  }),
  deletePost: async (w) => ({ variables: { id: await w.post() } }),
  removePost: async (w) => ({ variables: { input: { id: await w.post() } } }),
  removeComment: async (w) => ({
    variables: { input: { id: await w.comment(w.owner, await w.once('comments post', () => w.post())) } },
  }),
  moderatePost: async (w) => ({
    variables: {
      input: {
        id: await w.once('moderated post', () => w.post(w.ada)),
        pinned: true,
        locked: true,
        channelId: await w.once('channel', () => w.channel()),
      },
    },
  }),
  moderateComment: async (w) => {
    const comment = await w.once('featured comment', async () => w.comment(w.ada, await w.post()));
    return { variables: { input: { id: comment, featured: true } } };
  },
  setVote: async (w) => ({
    variables: { input: { subjectId: await w.once('ada post', () => w.post(w.ada)), value: 'UP' } },
  }),
  setReaction: async (w) => ({
    variables: { input: { subjectId: await w.once('ada post', () => w.post(w.ada)), emoji: '🎉', reacted: true } },
  }),
  endLiveStream: async (w) => ({ variables: { eventId: await w.liveStream() } }),
  featureComment: async (w) => {
    const comment = await w.once('featured comment', async () => w.comment(w.ada, await w.post()));
    return { variables: { id: comment, featured: true } };
  },
  inviteMember: async (w) => ({
    variables: { input: { communityId: w.restrictedCommunity.id, userId: (await signUp(w.server, 'fzinv')).user.id } },
  }),
  joinByInviteLink: async (w) => {
    const data = await w.call('mutation($id: ID!) { createInviteLink(communityId: $id, maxUses: 100) { token } }', {
      id: w.restrictedCommunity.id,
    });
    return { variables: { token: data.createInviteLink.token }, token: (await signUp(w.server, 'fzlink')).token };
  },
  joinCommunity: async (w) => ({ variables: { communityId: (await w.adasCommunity()).id } }),
  requestMembership: async (w) => ({ variables: { input: { communityId: (await w.adasCommunity()).id } } }),
  endMembership: async (w) => {
    const community = await w.adasCommunity();
    await joinCommunity(w.server, w.owner, community.id);
    return { variables: { input: { communityId: community.id } } };
  },
  liftBan: async (w) => {
    const banned = await w.member();
    await w.call('mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }', {
      input: { communityId: w.community.id, userId: banned.user.id },
    });
    return { variables: { input: { communityId: w.community.id, userId: banned.user.id } } };
  },
  inviteUser: async (w) => ({
    variables: { input: { communityId: w.restrictedCommunity.id, userId: (await signUp(w.server, 'fzinv')).user.id } },
  }),
  issueInviteLink: async (w) => ({
    variables: { input: { communityId: w.restrictedCommunity.id, expiresAt: hoursFromNow(24), maxUses: 5 } },
  }),
  deactivateInviteLink: async (w) => {
    const data = await w.call('mutation($id: ID!) { createInviteLink(communityId: $id) { inviteLink { id } } }', {
      id: w.restrictedCommunity.id,
    });
    return { variables: { input: { id: data.createInviteLink.inviteLink.id } } };
  },
  redeemInviteLink: async (w) => {
    const data = await w.call('mutation($id: ID!) { createInviteLink(communityId: $id, maxUses: 100) { token } }', {
      id: w.restrictedCommunity.id,
    });
    return {
      variables: { input: { token: data.createInviteLink.token } },
      token: (await signUp(w.server, 'fzlink')).token,
    };
  },
  leaveCommunity: async (w) => {
    const community = await w.adasCommunity();
    await joinCommunity(w.server, w.owner, community.id);
    return { variables: { communityId: community.id } };
  },
  lockPost: async (w) => ({ variables: { id: await w.once('moderated post', () => w.post(w.ada)), locked: true } }),
  markQuestionAnswered: async (w) => ({
    variables: {
      id: await w.once('question', async () =>
        w.chatMessage(await w.once('stream', () => w.liveStream()), w.ada, true),
      ),
      answered: true,
    },
  }),
  createChannel: async (w) => ({
    variables: {
      input: {
        communityId: w.community.id,
        slug: `fz-${Math.random().toString(36).slice(2, 10)}`,
        name: 'Fuzzed',
        description: 'A channel.',
        position: 3,
        readRole: 'MEMBER',
        readLevel: 1,
        postRole: 'MEMBER',
        postLevel: 2,
      },
    },
  }),
  updateChannel: async (w) => ({
    variables: {
      input: {
        id: await w.channel(),
        name: 'Renamed',
        description: 'Changed.',
        position: 2,
        readRole: null,
        readLevel: 1,
        postRole: 'MODERATOR',
        postLevel: 1,
      },
    },
  }),
  removeChannel: async (w) => ({ variables: { input: { id: await w.channel() } } }),
  setChannelSubscription: async (w) => ({
    variables: { input: { channelId: await w.once('channel', () => w.channel()), state: 'MUTED' } },
  }),
  muteThread: async (w) => ({ variables: { postId: await w.once('ada post', () => w.post(w.ada)), muted: true } }),
  muteChatMember: async (w) => ({
    variables: { input: { eventId: await w.once('stream', () => w.liveStream()), userId: w.bob.user.id, minutes: 5 } },
  }),
  pinPost: async (w) => ({ variables: { id: await w.once('moderated post', () => w.post(w.ada)), pinned: true } }),
  react: async (w) => ({
    variables: { input: { subjectId: await w.once('ada post', () => w.post(w.ada)), emoji: '👍', remove: false } },
  }),
  rebuildReputation: async (w) => ({ variables: { communityId: w.community.id } }),
  rebuildCommunityReputation: async (w) => ({ variables: { input: { communityId: w.community.id } } }),
  setReputationRules: async (w) => ({
    variables: {
      input: {
        communityId: (await createCommunity(w.server, w.owner)).id,
        postUpvoted: 12,
        commentUpvoted: 6,
        downvoted: -3,
        commentFeatured: 20,
        eventCheckIn: 4,
        pollVote: 2,
        dailyVoteCap: 150,
        levelThresholds: [0, 10, 40],
      },
    },
  }),
  rejectJoinRequest: async (w) => ({ variables: { id: await w.joinRequest() } }),
  revokeInviteLink: async (w) => {
    const data = await w.call('mutation($id: ID!) { createInviteLink(communityId: $id) { inviteLink { id } } }', {
      id: w.restrictedCommunity.id,
    });
    return { variables: { id: data.createInviteLink.inviteLink.id } };
  },
  requestEmailVerification: async () => ({ variables: {} }),
  requestPasswordReset: async (w) => ({ variables: { email: w.owner.user.email } }),
  // A new account each time: a token works once.
  resetPassword: async (w) => {
    const user = await signUp(w.server, 'fzreset');
    await w.call('mutation($email: String!) { requestPasswordReset(email: $email) }', { email: user.user.email });
    return {
      variables: {
        token: await w.emailedToken(user.user.email, 'Reset your password'),
        password: 'another correct horse battery',
      },
    };
  },
  revokeApiKey: async (w) => ({ variables: { id: await w.apiKey() } }),
  deactivateApiKey: async (w) => ({ variables: { input: { id: await w.apiKey() } } }),
  sendVerificationEmail: async () => ({ variables: {} }),
  // A new account each time, whose deletion is only scheduled (the default grace of 7 days).
  requestAccountDeletion: async (w) => {
    const user = await signUp(w.server, 'fzdelete');
    return { variables: { input: { password: user.password, removeContent: false } }, token: user.token };
  },
  deleteAccount: async (w) => {
    const user = await signUp(w.server, 'fzdelete');
    return { variables: { password: user.password }, token: user.token };
  },
  cancelAccountDeletion: async (w) => {
    const user = await signUp(w.server, 'fzcancel');
    await w.server.gql(
      'mutation($input: RequestAccountDeletionInput!) { requestAccountDeletion(input: $input) { scheduledAt } }',
      { input: { password: user.password, removeContent: false } },
      { token: user.token },
    );
    return { variables: {}, token: user.token };
  },
  sendPasswordResetEmail: async (w) => ({ variables: { input: { email: w.owner.user.email } } }),
  // A new account each time: a token works once.
  completePasswordReset: async (w) => {
    const user = await signUp(w.server, 'fzreset');
    await w.call('mutation($email: String!) { requestPasswordReset(email: $email) }', { email: user.user.email });
    return {
      variables: {
        input: {
          token: await w.emailedToken(user.user.email, 'Reset your password'),
          password: 'another correct horse battery',
        },
      },
    };
  },
  verifyEmailAddress: async (w) => {
    const user = await signUp(w.server, 'fzverify');
    return { variables: { input: { token: await w.emailedToken(user.user.email, 'Confirm your email address') } } };
  },
  endSession: async (w) => {
    const data = await w.call('mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
      input: { email: w.owner.user.email, password: w.owner.password },
    });
    return { variables: {}, token: data.signIn.token };
  },
  rsvp: async (w) => {
    const meetup = await w.once('rsvp meetup', async () => {
      const startsAt = hoursFromNow(24);
      return { id: await w.event({ startsAt, capacity: 5 }, w.ada), startsAt };
    });
    return { variables: { input: { eventId: meetup.id, status: 'GOING', occurrenceStartsAt: meetup.startsAt } } };
  },
  sendChatMessage: async (w) => ({
    variables: {
      input: { eventId: await w.once('stream', () => w.liveStream()), body: 'Hello there.', isQuestion: true },
    },
  }),
  setMemberRole: async (w) => ({
    variables: { input: { communityId: w.community.id, userId: (await w.member()).user.id, role: 'MODERATOR' } },
  }),
  updateNotificationPreferences: async (w) => ({
    variables: { input: { communityId: w.community.id, preferences: [{ kind: 'REPLY', channel: 'EMAIL' }] } },
  }),
  setSlowMode: async (w) => ({ variables: { eventId: await w.once('stream', () => w.liveStream()), seconds: 0 } }),
  signIn: async (w) => ({ variables: { input: { email: w.owner.user.email, password: w.owner.password } } }),
  signOut: async (w) => {
    const data = await w.call('mutation($input: SignInInput!) { signIn(input: $input) { token } }', {
      input: { email: w.owner.user.email, password: w.owner.password },
    });
    return { variables: {}, token: data.signIn.token };
  },
  signUp: async () => {
    const handle = unique('fzsign');
    return {
      variables: { input: { handle, email: `${handle}@example.test`, password: 'correct horse battery staple' } },
    };
  },
  startLiveStream: async (w) => ({ variables: { eventId: await w.liveStream(w.community.id, false) } }),
  submitContestEntry: async (w) => ({ variables: { input: { eventId: await w.contest(), postId: await w.post() } } }),
  unbanMember: async (w) => {
    const banned = await w.member();
    await w.call('mutation($input: BanMemberInput!) { banMember(input: $input) { reason } }', {
      input: { communityId: w.community.id, userId: banned.user.id },
    });
    return { variables: { input: { communityId: w.community.id, userId: banned.user.id } } };
  },
  unmuteChatMember: async (w) => ({
    variables: { eventId: await w.once('stream', () => w.liveStream()), userId: w.bob.user.id },
  }),
  updateComment: async (w) => ({
    variables: {
      input: { id: await w.comment(w.owner, await w.once('comments post', () => w.post())), body: MARKDOWN },
    },
  }),
  updateCommunity: async (w) => ({
    variables: {
      input: {
        id: (await createCommunity(w.server, w.owner)).id,
        name: 'Renamed',
        description: 'Changed.',
        timeZone: 'Asia/Tokyo',
        visibility: 'PRIVATE',
      },
    },
  }),
  updateEvent: async (w) => {
    const startsAt = hoursFromNow(72);
    return {
      variables: {
        input: {
          id: await w.event(),
          title: 'Moved',
          description: 'Later.',
          startsAt,
          endsAt: plusHours(startsAt, 3),
          timeZone: 'America/New_York',
          capacity: 20,
          location: 'Elsewhere',
          onlineUrl: 'https://example.test/moved',
          recurrence: 'FREQ=DAILY;COUNT=2',
        },
      },
    };
  },
  updatePost: async (w) => ({
    variables: { input: { id: await w.post(), title: 'Edited', body: MARKDOWN, tags: ['edited'] } },
  }),
  updateReputationRules: async (w) => ({
    variables: {
      input: {
        communityId: (await createCommunity(w.server, w.owner)).id,
        postUpvoted: 12,
        commentUpvoted: 6,
        downvoted: -3,
        commentFeatured: 20,
        eventCheckIn: 4,
        pollVote: 2,
        dailyVoteCap: 150,
        levelThresholds: [0, 10, 40],
      },
    },
  }),
  upvoteQuestion: async (w) => ({
    variables: {
      id: await w.once('question', async () =>
        w.chatMessage(await w.once('stream', () => w.liveStream()), w.ada, true),
      ),
      upvoted: true,
    },
  }),
  // A new account each time: a token works once.
  verifyEmail: async (w) => {
    const user = await signUp(w.server, 'fzverify');
    return { variables: { token: await w.emailedToken(user.user.email, 'Confirm your email address') } };
  },
  vote: async (w) => ({
    variables: { input: { subjectId: await w.once('ada post', () => w.post(w.ada)), value: 'UP' } },
  }),
  voteContestEntry: async (w) => ({
    variables: { entryId: (await w.once('voting contest', () => votingContest(w))).entryId },
  }),
  withdrawContestEntry: async (w) => ({ variables: { entryId: await w.entry(await w.contest(), w.owner) } }),
  withdrawContestVote: async (w) => ({
    variables: { eventId: (await w.once('voting contest', () => votingContest(w))).contestId },
  }),
};

/** A contest in its VOTING phase with an entry of Ada's. */
async function votingContest(w: World): Promise<{ contestId: string; entryId: string }> {
  const contestId = await w.contest();
  const entryId = await w.entry(contestId, w.ada);
  await w.startVoting(contestId);
  return { contestId, entryId };
}

/** A valid call of every query that takes arguments, by name (reads: nothing to undo). */
export const QUERY_BASELINES: Record<string, Builder> = {
  viewerReports: async () => ({ variables: { first: 5 } }),
  webhookDeliveries: async (w) => {
    await w.once('webhook delivery', () => w.webhookDelivery());
    return { variables: { endpointId: await w.once('webhook endpoint', () => w.webhookEndpoint()), first: 5 } };
  },
  webhookEvents: async (w) => {
    const endpointId = await w.once('webhook endpoint', () => w.webhookEndpoint());
    const community = await w.call(
      'query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { community { id } } } }',
      {
        id: endpointId,
      },
    );
    return { variables: { communityId: community.node.community.id, endpointId, first: 5 } };
  },
  viewerBlockedUsers: async () => ({ variables: { first: 5 } }),
  dryRunAutoModRule: async (w) => ({
    variables: { ruleId: await w.once('automod rule', () => w.autoModRule()), last: 20 },
  }),
  viewerModerationActions: async () => ({ variables: { first: 5 } }),
  // As a platform admin (anyone else is refused before the arguments are read).
  platformInsights: async (w) => ({
    variables: { from: '2026-01-05T00:00:00Z', to: '2026-03-02T00:00:00Z', interval: 'WEEK' },
    token: (await w.platformAdmin()).token,
  }),
  // A window between two cursors, so that `before` is fuzzed from a real cursor as `after` is.
  communities: async (w) => {
    const page = await w.call('{ communities(first: 3) { edges { cursor } } }', {});
    const [after, , before] = page.communities.edges.map((e: { cursor: string }) => e.cursor);
    return { variables: { first: 5, after, before, search: 'fuzz' } };
  },
  community: async (w) => ({ variables: { slug: w.community.slug } }),
  event: async (w) => ({ variables: { id: await w.once('rsvp meetup id', () => w.event()) } }),
  feed: async (w) => {
    await w.once('ada post', () => w.post(w.ada));
    // Read backwards from a real cursor, so that `last` and `before` are fuzzed on a page that reads.
    const page = await w.call('{ feed(first: 3, orderBy: TOP) { pageInfo { endCursor } } }', {});
    return { variables: { last: 5, before: page.feed.pageInfo.endCursor, orderBy: 'TOP', tag: 'fuzz' } };
  },
  personalFeed: async (w) => {
    await w.once('ada post', () => w.post(w.ada));
    // From a real cursor, so that `after` is fuzzed on a page that reads.
    const page = await w.call('{ personalFeed(mode: FOR_YOU, first: 1) { pageInfo { endCursor } } }', {});
    return { variables: { mode: 'FOR_YOU', first: 5, after: page.personalFeed.pageInfo.endCursor } };
  },
  node: async (w) => ({ variables: { id: await w.once('ada post', () => w.post(w.ada)) } }),
  poll: async (w) => ({ variables: { id: (await w.once('poll', () => w.poll())).id } }),
  post: async (w) => ({ variables: { id: await w.once('ada post', () => w.post(w.ada)) } }),
  // From a real cursor, with every filter: the world's posts are titled 'A fuzzed post' and tagged 'fuzz'.
  search: async (w) => {
    await w.once('ada post', () => w.post(w.ada));
    const page = await w.call(
      'query($c: ID!) { search(query: "fuzzed", communityId: $c, first: 1) { pageInfo { endCursor } } }',
      { c: w.community.id },
    );
    return {
      variables: {
        query: 'fuzzed post',
        communityId: w.community.id,
        types: ['POST', 'COMMENT'],
        tag: 'fuzz',
        authorId: w.ada.user.id,
        from: '2020-01-01T00:00:00.000Z',
        to: '2100-01-01T00:00:00.000Z',
        first: 5,
        after: page.search.pageInfo.endCursor,
      },
    };
  },
};
