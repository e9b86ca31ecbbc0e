/**
 * The query-cost limit cannot be bypassed (issue 12, point 7). The schema walk below holds every list
 * and connection field of the schema to the same rule, so a list field added later without its page
 * size in its cost fails here: each one's cost must grow with its page size (computed by the estimator
 * the server runs, `assertQueryCost`), its page size must be 1 to the maximum, and a list without a
 * page size must be bounded by its domain, weighted by that bound, and named in BOUNDED_LISTS with why.
 */
import { QUEST_LIMITS } from '../../src/modules/quests/quests.inputs';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { ApiScope } from '../../src/modules/identity/identity.entity';
import { POLL_LIMITS } from '../../src/modules/polls/polls.inputs';
import { POST_LIMITS } from '../../src/modules/posts/posts.inputs';
import { BADGES } from '../../src/modules/reputation/badges';
import { NotificationKind } from '../../src/modules/notifications/notifications.entity';
import { PERMISSIONS } from '../../src/modules/communities/permissions';
import { MAX_LEVELS, REASONS } from '../../src/modules/reputation/rules';
import { AppError } from '../../src/platform/errors';
import { AUTOMOD_LIMITS, AutoModSubject } from '../../src/modules/moderation/automod-engine';
import { DRY_RUN_LIMITS } from '../../src/modules/moderation/automod.types';
import { ModerationAction, ReportReason } from '../../src/modules/moderation/moderation.entity';
import { MODERATION_STATS_LIMITS } from '../../src/modules/moderation/stats';
import { INSIGHTS_LIMITS } from '../../src/modules/insights/insights.types';
import { assertQueryCost } from '../../src/platform/guards/limits';
import { buildSchema } from '../../src/app';
import {
  closeAll,
  createCommunity,
  joinCommunity,
  signUp,
  startTestServer,
  type GqlResponse,
  type TestServer,
  type TestUser,
} from '../support/server';
import { WebhookEventType } from '../../src/modules/webhooks/webhooks.entity';

/** Names a page-size argument goes by. */
const SIZE_ARGUMENT = /^(first|last|limit|take|size|count)$/;

/**
 * List fields without a page size, each with the most items its domain lets it hold and why. The
 * server weighs each by that bound (`boundedListComplexity`); a list not named here fails the test.
 */
const BOUNDED_LISTS: Record<string, { bound: number; why: string }> = {
  'Quest.goals': { bound: QUEST_LIMITS.maxGoals, why: 'a quest has at most QUEST_LIMITS.maxGoals goals' },
  'QuestProgress.goals': { bound: QUEST_LIMITS.maxGoals, why: 'one per goal of the quest (QUEST_LIMITS.maxGoals)' },
  'Quest.periodCompletionCounts': { bound: 12, why: 'the 12 latest periods with completions' },
  'ModerationStats.reportsByReason': { bound: Object.keys(ReportReason).length, why: 'one count per reason' },
  'ModerationStats.decisionsByAction': { bound: Object.keys(ModerationAction).length, why: 'one count per action' },
  'ModerationStats.autoModMatches': {
    bound: MODERATION_STATS_LIMITS.autoModRules,
    why: 'the MODERATION_STATS_LIMITS.autoModRules most matched rules',
  },
  'Insights.series': {
    bound: INSIGHTS_LIMITS.maxBuckets,
    why: 'one bucket per day, week or month of the range, which may hold INSIGHTS_LIMITS.maxBuckets',
  },
  'Insights.topContributors': { bound: INSIGHTS_LIMITS.top, why: 'the INSIGHTS_LIMITS.top most active members' },
  'Insights.topTags': { bound: INSIGHTS_LIMITS.top, why: 'the INSIGHTS_LIMITS.top most used tags' },
  'Insights.events': { bound: INSIGHTS_LIMITS.events, why: 'the latest INSIGHTS_LIMITS.events occurrences' },
  'Insights.cohorts': { bound: INSIGHTS_LIMITS.cohorts, why: 'the latest INSIGHTS_LIMITS.cohorts weeks of the range' },
  'InsightsCohort.retention': {
    bound: INSIGHTS_LIMITS.cohortWeeks,
    why: 'one share per week followed (floats)',
  },
  'AutoModFlag.reasons': { bound: 10, why: 'a line per condition, four for the author at most (strings)' },
  'AutoModDryRunMatch.reasons': { bound: 10, why: 'a line per condition, four for the author at most (strings)' },
  'AutoModConditions.keywords': { bound: AUTOMOD_LIMITS.keywords, why: 'AUTOMOD_LIMITS.keywords (strings)' },
  'AutoModConditions.patterns': { bound: AUTOMOD_LIMITS.patterns, why: 'AUTOMOD_LIMITS.patterns (strings)' },
  'AutoModConditions.linkDomains': { bound: AUTOMOD_LIMITS.linkDomains, why: 'AUTOMOD_LIMITS.linkDomains (strings)' },
  'AutoModConditions.subjects': { bound: Object.keys(AutoModSubject).length, why: 'each kind of write once' },
  'AutoModDryRun.matches': { bound: DRY_RUN_LIMITS.max, why: 'a dry run looks at DRY_RUN_LIMITS.max writes at most' },
  'Post.tags': { bound: POST_LIMITS.maxTags, why: 'at most POST_LIMITS.maxTags tags (strings)' },
  'WebhookEndpoint.eventTypes': { bound: Object.keys(WebhookEventType).length, why: 'each event type once (enums)' },
  'ApiKey.scopes': { bound: Object.keys(ApiScope).length, why: 'each scope at most once' },
  'Post.reactions': { bound: POST_LIMITS.reactionsShown, why: 'the POST_LIMITS.reactionsShown most used emoji' },
  'Comment.reactions': { bound: POST_LIMITS.reactionsShown, why: 'the POST_LIMITS.reactionsShown most used emoji' },
  'Member.badges': { bound: Object.keys(BADGES).length, why: 'one badge of each kind at most' },
  'User.notificationPreferences': {
    bound: Object.keys(NotificationKind).length,
    why: 'one per kind at most, everywhere or in the one community asked for',
  },
  'Mutation.updateNotificationPreferences': {
    bound: Object.keys(NotificationKind).length,
    why: "the scope's preferences after the change: one per kind at most",
  },
  'SetNotificationPreferencesPayload.preferences': {
    bound: Object.keys(NotificationKind).length,
    why: "the scope's preferences after the change: one per kind at most",
  },
  'Poll.options': { bound: POLL_LIMITS.maxOptions, why: 'a poll has at most POLL_LIMITS.maxOptions options' },
  'Poll.viewerVote': { bound: POLL_LIMITS.maxOptions, why: 'a ballot names each option at most once' },
  'Poll.rounds': { bound: POLL_LIMITS.maxOptions, why: 'a runoff eliminates an option each round' },
  'PollRound.tallies': { bound: POLL_LIMITS.maxOptions, why: 'one tally per option still in the count' },
  'PollRound.eliminated': { bound: POLL_LIMITS.maxOptions, why: 'options of the poll' },
  'ReputationRulesView.levelThresholds': { bound: MAX_LEVELS, why: 'at most MAX_LEVELS levels (integers)' },
  'ReputationRulesView.privileges': {
    bound: Object.keys(PERMISSIONS).length,
    why: 'one per permission of the table at most',
  },
  'ReputationRulesView.cappedReasons': {
    bound: Object.keys(REASONS).length,
    why: 'each reason of REASONS at most once',
  },
};

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildSchema();
});

/** A connection type: an object with an `edges` list and a `pageInfo`. */
function isConnection(type: GraphQLNamedType): boolean {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return !!fields.edges && !!fields.pageInfo && isListType(unwrapNonNull(fields.edges.type));
}
const unwrapNonNull = (type: GraphQLType): GraphQLType => (isNonNullType(type) ? type.ofType : type);
const isList = (field: GraphQLField<unknown, unknown>) => isListType(unwrapNonNull(field.type));

/** A literal that fits an input type (for required arguments along the way; no data is read). */
function literal(type: GraphQLInputType): string {
  if (isNonNullType(type)) return literal(type.ofType);
  if (isListType(type)) return `[${literal(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const required = Object.values(type.getFields()).filter(
      (f) => isNonNullType(f.type) && f.defaultValue === undefined,
    );
    return `{ ${required.map((f) => `${f.name}: ${literal(f.type)}`).join(', ')} }`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return '1';
      case 'Float':
        return '1.5';
      case 'Boolean':
        return 'true';
      case 'DateTimeISO':
        return '"2030-01-01T00:00:00Z"';
      default:
        return '"x"';
    }
  }
  throw new Error(`No literal for ${String(type)}`);
}

/** The required arguments of a field, as GraphQL source, plus `extra`. */
function argumentsOf(field: GraphQLField<unknown, unknown>, extra: Record<string, string> = {}): string {
  const args = field.args
    .filter((a) => isNonNullType(a.type) && a.defaultValue === undefined && !(a.name in extra))
    .map((a) => `${a.name}: ${literal(a.type)}`);
  args.push(...Object.entries(extra).map(([name, value]) => `${name}: ${value}`));
  return args.length ? `(${args.join(', ')})` : '';
}

/** One step from a type down to another: a field, and a type condition when the field's type is abstract. */
interface Step {
  field: GraphQLField<unknown, unknown>;
  on?: string;
}
interface Reach {
  operation: 'query' | 'mutation' | 'subscription';
  steps: Step[];
}

/** The shortest path from a root type to every composite type (breadth first). */
function pathsToTypes(): Map<string, Reach> {
  const reach = new Map<string, Reach>();
  const queue: string[] = [];
  const roots = [
    ['query', schema.getQueryType()],
    ['subscription', schema.getSubscriptionType()],
    ['mutation', schema.getMutationType()],
  ] as const;
  for (const [operation, root] of roots) {
    if (root && !reach.has(root.name)) {
      reach.set(root.name, { operation, steps: [] });
      queue.push(root.name);
    }
  }
  while (queue.length) {
    const from = schema.getType(queue.shift()!) as GraphQLObjectType;
    const here = reach.get(from.name)!;
    for (const field of Object.values(from.getFields())) {
      const target = getNamedType(field.type);
      if (!isCompositeType(target)) continue;
      const next: [string, Step][] = isAbstractType(target)
        ? schema.getPossibleTypes(target).map((t) => [t.name, { field, on: t.name }])
        : [[target.name, { field }]];
      for (const [name, step] of next) {
        if (reach.has(name)) continue;
        reach.set(name, { operation: here.operation, steps: [...here.steps, step] });
        queue.push(name);
      }
    }
  }
  return reach;
}

/** An operation that selects `field` of `owner` (with `args` and `selection`) through the path to `owner`. */
function operationFor(
  reach: Reach,
  field: GraphQLField<unknown, unknown>,
  args: Record<string, string>,
  selection: string,
): string {
  let inner = `${field.name}${argumentsOf(field, args)}${selection}`;
  for (const step of [...reach.steps].reverse()) {
    const body = step.on ? `... on ${step.on} { ${inner} }` : inner;
    inner = `${step.field.name}${argumentsOf(step.field)} { ${body} }`;
  }
  return `${reach.operation} { ${inner} }`;
}

/** The cost the server computes for an operation (no limit), or the error it refuses it with. */
function costOf(source: string): number {
  return assertQueryCost(schema, parse(source), {}, undefined, Number.MAX_SAFE_INTEGER);
}
function refusalOf(source: string): { code: unknown; field: unknown } | null {
  try {
    costOf(source);
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { code: err.extensions.code, field: err.extensions.field };
  }
}

/** Every list or connection field of the schema, as `Type.field` with its owner. */
function listFields(): { name: string; owner: GraphQLObjectType; field: GraphQLField<unknown, unknown> }[] {
  const found = [];
  for (const type of Object.values(schema.getTypeMap())) {
    // Interfaces' fields are their implementations' fields.
    if (type.name.startsWith('__') || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (isList(field) || isConnection(getNamedType(field.type)))
        found.push({ name: `${type.name}.${field.name}`, owner: type, field });
    }
  }
  return found;
}

const selectionOf = (field: GraphQLField<unknown, unknown>, leaves = 1) =>
  isCompositeType(getNamedType(field.type))
    ? `{ ${Array.from({ length: leaves }, (_, i) => `t${i}: __typename`).join(' ')} }`
    : '';

describe('the cost of every list in the schema', () => {
  it('grows with the page size of every list and connection field that has one', () => {
    const reach = pathsToTypes();
    const flat: string[] = [];
    for (const { name, owner, field } of listFields()) {
      for (const size of field.args.filter((a) => SIZE_ARGUMENT.test(a.name))) {
        const at = (n: number) =>
          costOf(operationFor(reach.get(owner.name)!, field, { [size.name]: String(n) }, selectionOf(field)));
        // At least one more per item: a page of 100 costs 99 more than a page of 1.
        if (!(at(100) - at(1) >= 99)) flat.push(`${name}(${size.name}): ${at(1)} at 1, ${at(100)} at 100`);
      }
    }
    expect(flat).toEqual([]);
  });

  it('refuses a page size of zero, a negative one or one over 100 with BAD_USER_INPUT naming the argument, for every list', () => {
    const reach = pathsToTypes();
    const accepted: string[] = [];
    let checked = 0;
    for (const { name, owner, field } of listFields()) {
      for (const size of field.args.filter((a) => SIZE_ARGUMENT.test(a.name))) {
        for (const n of [0, -1, -1_000_000, 101]) {
          const refusal = refusalOf(
            operationFor(reach.get(owner.name)!, field, { [size.name]: String(n) }, selectionOf(field)),
          );
          checked += 1;
          if (refusal?.code !== 'BAD_USER_INPUT' || refusal.field !== size.name)
            accepted.push(`${name}(${size.name}: ${n}) → ${JSON.stringify(refusal)}`);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(checked).toBeGreaterThan(80);
  });

  it('refuses `first` with `last` with BAD_USER_INPUT naming `last`, on every connection that takes both', () => {
    const reach = pathsToTypes();
    const accepted: string[] = [];
    let checked = 0;
    for (const { name, owner, field } of listFields()) {
      if (!field.args.some((a) => a.name === 'first') || !field.args.some((a) => a.name === 'last')) continue;
      const refusal = refusalOf(
        operationFor(reach.get(owner.name)!, field, { first: '1', last: '1' }, selectionOf(field)),
      );
      checked += 1;
      if (refusal?.code !== 'BAD_USER_INPUT' || refusal.field !== 'last')
        accepted.push(`${name}(first: 1, last: 1) → ${JSON.stringify(refusal)}`);
    }
    expect(accepted).toEqual([]);
    expect(checked).toBeGreaterThan(25);
  });

  it("weighs what a connection's `nodes` select by its page size, as what its `edges` select", () => {
    const reach = pathsToTypes();
    const light: string[] = [];
    let checked = 0;
    for (const { name, owner, field } of listFields()) {
      const size = field.args.find((a) => SIZE_ARGUMENT.test(a.name));
      if (!size || !isConnection(getNamedType(field.type))) continue;
      for (const [via, wrap] of [
        ['nodes', (leaves: string) => `{ nodes { ${leaves} } }`],
        ['edges', (leaves: string) => `{ edges { node { ${leaves} } } }`],
      ] as const) {
        const cost = (leaves: string) =>
          costOf(operationFor(reach.get(owner.name)!, field, { [size.name]: '50' }, wrap(leaves)));
        const perLeaf = cost('a: __typename b: __typename') - cost('a: __typename');
        checked += 1;
        if (perLeaf < 50) light.push(`${name}(${size.name}: 50) { ${via} }: one more field costs ${perLeaf}`);
      }
    }
    expect(light).toEqual([]);
    expect(checked).toBeGreaterThan(60);
  });

  it('knows why every list without a page size is bounded, and weighs what it selects by that bound', () => {
    const reach = pathsToTypes();
    const problems: string[] = [];
    const lists = listFields();
    for (const { name, owner, field } of lists) {
      if (field.args.some((a) => SIZE_ARGUMENT.test(a.name))) continue;
      // A connection's edges and nodes: as many as the page size of the field that returned the connection.
      if ((field.name === 'edges' || field.name === 'nodes') && isConnection(owner)) continue;
      if (isConnection(getNamedType(field.type))) {
        problems.push(`${name}: a connection without a page size`);
        continue;
      }
      const bounded = BOUNDED_LISTS[name];
      if (!bounded) {
        problems.push(`${name}: a list without a page size, not in BOUNDED_LISTS`);
        continue;
      }
      if (!isCompositeType(getNamedType(field.type))) continue; // a list of scalars selects nothing to weigh
      const withLeaves = (n: number) => costOf(operationFor(reach.get(owner.name)!, field, {}, selectionOf(field, n)));
      const perLeaf = withLeaves(2) - withLeaves(1);
      if (perLeaf < bounded.bound)
        problems.push(`${name}: one more field costs ${perLeaf}, less than its bound ${bounded.bound}`);
    }
    const names = new Set(lists.map((f) => f.name));
    problems.push(
      ...Object.keys(BOUNDED_LISTS)
        .filter((n) => !names.has(n))
        .map((n) => `${n}: in BOUNDED_LISTS, not in the schema`),
    );
    expect(problems).toEqual([]);
  });
});

describe('over HTTP', () => {
  let standard: TestServer;
  /** A limit of 2,000: one page of 100 chat messages fits, four do not. */
  let tight: TestServer;
  beforeAll(async () => {
    standard = await startTestServer();
    tight = await startTestServer({ MAX_QUERY_COST: '2000' });
  });
  afterAll(closeAll);

  /** A refusal before execution: HTTP 400, no data, one error. */
  function expectRefused(res: GqlResponse<unknown>, code: string, field?: string): void {
    const error = res.body.errors?.[0];
    expect({
      status: res.status,
      code: error?.extensions?.code,
      field: error?.extensions?.field,
      errors: res.body.errors?.length,
      data: res.body.data,
    }).toEqual({ status: 400, code, field, errors: 1, data: undefined });
  }

  const GREEDY =
    'communities(first: 100) { edges { node { members(first: 100) { edges { node { role user { handle } } } } } } }';

  it("refuses a negative page size beside a costly sibling with BAD_USER_INPUT (it used to cancel out the sibling's cost)", async () => {
    const alone = await standard.gql(`{ ${GREEDY} }`);
    expectRefused(alone, 'QUERY_TOO_COMPLEX');

    const cancelled = await standard.gql(
      `{ greedy: ${GREEDY} cancel: communities(first: -1000000) { edges { node { id } } } }`,
    );
    expectRefused(cancelled, 'BAD_USER_INPUT', 'first');
    const nested = await standard.gql(`{ ${GREEDY.replace('members(first: 100)', 'members(first: -5)')} }`);
    expectRefused(nested, 'BAD_USER_INPUT', 'first');
  });

  it("refuses a page size of zero or over 100 in a mutation's selection before the mutation runs", async () => {
    const owner = await signUp(standard, 'costown');
    for (const size of [0, -1, 101]) {
      const slug = `cost-${size < 0 ? 'neg' : size}-${Date.now().toString(36)}`;
      const res = await standard.gql(
        `mutation { createCommunity(input: { slug: "${slug}", name: "Cost" }) { id members(first: ${size}) { edges { node { id } } } } }`,
        undefined,
        { token: owner.token },
      );
      expectRefused(res, 'BAD_USER_INPUT', 'first');
      const after = await standard.gql(`{ community(slug: "${slug}") { id } }`, undefined, { token: owner.token });
      expect(after.body.data.community).toBeNull();
    }
  });

  it('weighs chatMessages by `last` and questions by `first`: one page of 100 runs, four aliased pages are QUERY_TOO_COMPLEX', async () => {
    const owner = await signUp(tight, 'costchat');
    const { slug } = await createCommunity(tight, owner);
    const page = (field: string, alias: string) =>
      `${alias}: ${field} { edges { node { id body author { handle } } } }`;
    const at = (selection: string) =>
      `{ community(slug: "${slug}") { events(first: 1) { edges { node { ${selection} } } } } }`;
    for (const field of ['chatMessages(last: 100)', 'questions(first: 100)']) {
      const one = await tight.gql(at(page(field, 'a')), undefined, { token: owner.token });
      expect(one.body.errors).toBeUndefined();
      const four = await tight.gql(at(['a', 'b', 'c', 'd'].map((alias) => page(field, alias)).join(' ')), undefined, {
        token: owner.token,
      });
      expectRefused(four, 'QUERY_TOO_COMPLEX');
    }
  });

  it('weighs a leaderboard by `first`, and refuses first: 0 on it', async () => {
    const board = (first: number, alias = 'a') =>
      `${alias}: leaderboard(first: ${first}) { rank score member { user { handle } } }`;
    const one = await tight.gql(`{ community(slug: "none") { ${board(100)} } }`);
    expect(one.body.errors).toBeUndefined();
    expectRefused(
      await tight.gql(
        `{ community(slug: "none") { ${['a', 'b', 'c', 'd', 'e'].map((a) => board(100, a)).join(' ')} } }`,
      ),
      'QUERY_TOO_COMPLEX',
    );
    expectRefused(await tight.gql(`{ community(slug: "none") { ${board(0)} } }`), 'BAD_USER_INPUT', 'first');
  });

  it("lists the 20 most used emoji of a post, most used first, so that a page of posts' reactions stays bounded", async () => {
    const owner = await signUp(standard, 'costreact');
    const fan = await signUp(standard, 'costfan');
    const community = await createCommunity(standard, owner);
    await joinCommunity(standard, fan, community.id);
    const post = await standard.gql(
      'mutation($input: CreatePostInput!) { createPost(input: $input) { id } }',
      { input: { communityId: community.id, title: 'Reactions', body: 'React to me.' } },
      { token: owner.token },
    );
    const postId = post.body.data.createPost.id;
    const react = (user: TestUser, emoji: string) =>
      standard.gql(
        'mutation($input: ReactInput!) { react(input: $input) { __typename } }',
        { input: { subjectId: postId, emoji } },
        { token: user.token },
      );
    // 25 distinct emoji; the fan adds their voice to the last one, which becomes the most used.
    const emoji = Array.from({ length: 25 }, (_, i) => String.fromCodePoint(0x1f600 + i));
    for (const e of emoji) expect((await react(owner, e)).body.errors).toBeUndefined();
    expect((await react(fan, emoji[24])).body.errors).toBeUndefined();
    const res = await standard.gql(`{ post(id: "${postId}") { reactions { emoji count } } }`, undefined, {
      token: owner.token,
    });
    expect(res.body.data.post.reactions).toEqual([
      { emoji: emoji[24], count: 2 },
      ...emoji.slice(0, 19).map((e) => ({ emoji: e, count: 1 })),
    ]);
  });

  it("weighs what a poll's options select by the most options a poll holds", async () => {
    // 20 options × 100 voters each: 2,000 rows from one poll.
    const res = await tight.gql('{ poll(id: "x") { options { voters(first: 100) { edges { node { handle } } } } } }');
    expectRefused(res, 'QUERY_TOO_COMPLEX');
  });
});
