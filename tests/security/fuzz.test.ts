/**
 * Schema-driven fuzzing (issue 12, point 12). For every mutation of the schema, and every query that
 * takes arguments, a valid baseline call (fuzz-world.ts) is sent again with one argument or input field
 * at a time replaced by a hostile value of its type (fuzz-values.ts): NUL characters, unpaired
 * surrogates, 100,000 characters, negative and huge numbers, malformed IDs and IDs of other node types,
 * empty and huge lists, dates out of range. Each answer must be a coded error of the closed set (never
 * INTERNAL_SERVER_ERROR, never a hang), text that is not text must be BAD_USER_INPUT naming its field,
 * and a failed mutation must leave the database as it was (every table compared before and after).
 *
 * A mutation or argument added later is fuzzed without touching this file; a mutation without a
 * baseline fails the test until it gets one in MUTATION_BASELINES (or a reason in UNFUZZED).
 * `FUZZ_TRACE=1 npx jest tests/security/fuzz.test.ts` prints every call and its answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type GraphQLField, type GraphQLSchema } from 'graphql';
import { ErrorCode } from '../../src/platform/errors';
import { startTestServer, type TestServer } from '../support/server';
import { FUZZ_ENV, MUTATION_BASELINES, QUERY_BASELINES, World, type Baseline, type Builder } from './fuzz-world';
import { documentFor, hostileValues, slotsOf, valueAt, withValueAt, type Hostile, type Slot } from './fuzz-values';

/** Mutations the fuzzer does not call, each with why. Keep it short. */
const UNFUZZED: Record<string, string> = {};

/** The longest a call may take before it counts as a hang. */
const HANG_MS = 20_000;

const CODED = new Set<string>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR));

// The names come from the committed SDL (npm run schema keeps it in step; the first test checks it
// against the running server), so that each mutation is a test of its own.
const sdl = buildSchema(readFileSync(join(__dirname, '../../schema/schema.graphql'), 'utf8'));
const MUTATIONS = Object.keys(sdl.getMutationType()!.getFields()).sort();
/** The tables the insights.rollup job writes (src/modules/insights/insights.entity.ts). */
const INSIGHTS_ROLLUPS = [
  'insights_watermarks',
  'member_activity_days',
  'member_activity_weeks',
  'member_activity_months',
  'community_days',
  'community_tag_days',
  'post_first_replies',
  'active_member_counts',
];
/** The tables the feed.affinity job writes every minute (src/modules/feed/feed.entity.ts). */
const FEED_AFFINITIES = ['feed_watermarks', 'feed_affinities', 'feed_similar_members'];

const QUERIES = Object.values(sdl.getQueryType()!.getFields())
  .filter((f) => f.args.length)
  .map((f) => f.name)
  .sort();

let server: TestServer;
let world: World;
let schema: GraphQLSchema;
let db: DatabaseWatch;

beforeAll(async () => {
  server = await startTestServer(FUZZ_ENV as never);
  schema = server.app.schema;
  world = new World(server);
  await world.setUp();
  db = await DatabaseWatch.open(server);
}, 120_000);
afterAll(() => world.close());

/** Every table's row count and a hash of its rows; `changed` tells which tables moved since the last look. */
class DatabaseWatch {
  private xid = '';
  private sums = new Map<string, string>();

  private constructor(
    private readonly server: TestServer,
    private readonly statement: string,
  ) {}

  static async open(server: TestServer): Promise<DatabaseWatch> {
    // Not watched: the migrations' ledger, job_workers (the job workers' heartbeats) and the insights
    // rollups (the hourly insights.rollup job's) and the feed affinities (the feed.affinity job's, every
    // minute), written on their own clock.
    const tables = await DatabaseWatch.sql<{ name: string }>(
      server,
      `
      select table_name as name from information_schema.tables
       where table_schema = current_schema() and table_type = 'BASE TABLE'
         and table_name not in ('mikro_orm_migrations', 'job_workers', ${[...INSIGHTS_ROLLUPS, ...FEED_AFFINITIES].map((t) => `'${t}'`).join(', ')})
       order by 1`,
    );
    const statement = tables
      .map(
        (t) =>
          `select '${t.name}' as name, count(*) || ':' || coalesce(sum(hashtextextended(r::text, 0)), 0) as sum from "${t.name}" r`,
      )
      .join(' union all ');
    const watch = new DatabaseWatch(server, statement);
    await watch.settle();
    await DatabaseWatch.cancelScheduledJobs(server);
    await watch.reset();
    return watch;
  }

  /**
   * The suite's files share one database, and earlier files leave work scheduled hours on: retries of
   * webhook endpoints that pointed at nothing, event reminders. Run by this server's worker under
   * FUZZ_ENV (a one-second failure window) when they come due mid-run, they would disable those
   * endpoints and notify their admins, and be judged as the writes of whichever call was fuzzed then.
   * The watch starts from a database with nothing scheduled: those jobs are cancelled.
   */
  private static async cancelScheduledJobs(server: TestServer): Promise<void> {
    await DatabaseWatch.sql(
      server,
      `select graphile_worker.complete_jobs(array(select id from graphile_worker.jobs where locked_at is null and run_at > now()))`,
    );
  }

  private static sql<T>(server: TestServer, query: string): Promise<T[]> {
    return server.app.db.orm.em.fork().getConnection().execute(query) as Promise<T[]>;
  }

  /** The next transaction id: while it stays put, nothing can have been written. */
  private async nextXid(): Promise<string> {
    return (
      await DatabaseWatch.sql<{ x: string }>(this.server, 'select pg_snapshot_xmax(pg_current_snapshot())::text as x')
    )[0].x;
  }

  private async checksums(): Promise<Map<string, string>> {
    return new Map(
      (await DatabaseWatch.sql<{ name: string; sum: string }>(this.server, this.statement)).map((r) => [r.name, r.sum]),
    );
  }

  /**
   * Waits until no background job is due or running: jobs a successful call enqueued (notifications)
   * write after it returns, and must be done before a reference is taken or a failed call is judged.
   * A failed call that enqueued a job anyway shows as the job's writes. Webhook deliveries' retries,
   * due within a second or two, are waited for as well.
   */
  async settle(): Promise<void> {
    for (const started = Date.now(); ;) {
      const [{ n }] = await DatabaseWatch.sql<{ n: number }>(
        this.server,
        // Webhook retries come back within WEBHOOK_FAILURE_WINDOW_SECONDS (1 s here: see FUZZ_ENV): waited for too.
        `select count(*)::int as n from graphile_worker.jobs
          where locked_at is not null or run_at <= now() or (task_identifier like 'webhooks.%' and run_at <= now() + interval '2 seconds')`,
      );
      if (n === 0) return;
      if (Date.now() - started > 15_000) throw new Error('background jobs did not settle');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Takes the current state as the reference. */
  async reset(): Promise<void> {
    await this.settle();
    this.xid = await this.nextXid();
    this.sums = await this.checksums();
  }

  /** The tables that changed since the reference (which becomes the current state), or []. */
  async changed(): Promise<string[]> {
    await this.settle();
    const xid = await this.nextXid();
    // No transaction got an id (a rolled-back one does): nothing was written, no need to read every table.
    if (xid === this.xid) return [];
    const sums = await this.checksums();
    const moved = [...sums].filter(([name, sum]) => this.sums.get(name) !== sum).map(([name]) => name);
    this.xid = xid;
    this.sums = sums;
    return moved;
  }
}

interface Answer {
  status: number;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  data?: unknown;
}

async function send(document: string, variables: Record<string, unknown>, token: string): Promise<Answer | 'hang'> {
  try {
    const res = await fetch(server.httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document, variables }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const body = await res.json();
    return { status: res.status, errors: body.errors, data: body.data };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return 'hang';
    throw err;
  }
}

/** The node type of IDs, asked once each through `node(id:)` (null when the owner cannot see it). */
const typeOfId = new Map<string, Promise<string | null>>();
function nodeType(id: string): Promise<string | null> {
  if (!typeOfId.has(id)) {
    typeOfId.set(
      id,
      world.call('query($id: ID!) { node(id: $id) { __typename } }', { id }).then(
        (d) => d.node?.__typename ?? null,
        () => null,
      ),
    );
  }
  return typeOfId.get(id)!;
}

let rotation = 0;
/** Three real IDs of node types other than `sample`'s, taking turns through the pool. */
async function wrongIdsFor(sample: unknown): Promise<string[]> {
  const own = typeof sample === 'string' ? await nodeType(sample) : null;
  const others = [...world.pool].filter(([type, id]) => type !== own && id !== sample).map(([, id]) => id);
  rotation += 1;
  return [0, 1, 2].map((i) => others[(rotation * 3 + i) % others.length]);
}

/** What was wrong with one answer, or null. */
function judge(answer: Answer | 'hang', hostile: Hostile, slot: Slot, kind: 'query' | 'mutation'): string | null {
  if (answer === 'hang') return `no answer within ${HANG_MS / 1000} s`;
  const codes = (answer.errors ?? []).map((e) => String(e.extensions?.code));
  if (answer.status >= 500) return `HTTP ${answer.status} ${JSON.stringify(answer.errors)}`;
  // A query may look up a 100,000-character name and find nothing; a mutation may not store one.
  if (!codes.length)
    return hostile.must === 'text' || (hostile.must === 'refused' && kind === 'mutation') ? 'accepted' : null;
  const uncoded = answer.errors!.filter((e) => !CODED.has(String(e.extensions?.code)));
  if (uncoded.length) return `answered ${uncoded.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ')}`;
  if (hostile.must === 'text') {
    const [first] = answer.errors!;
    if (first.extensions?.code !== 'BAD_USER_INPUT' || first.extensions?.field !== slot.field) {
      return `answered ${first.extensions?.code} (field ${String(first.extensions?.field)}): ${first.message}, not BAD_USER_INPUT on ${slot.field}`;
    }
  }
  return null;
}

/**
 * Sends every hostile value of every slot of `field`, one at a time, on top of the baseline; returns
 * the findings. A call that succeeds gets a fresh baseline (it may have used the old one up).
 */
async function fuzz(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  build: Builder,
): Promise<string[]> {
  const findings: string[] = [];
  const document = documentFor(kind, field);
  let baseline: Baseline = await build(world);
  if (kind === 'mutation') await db.reset();
  for (const slot of slotsOf(field)) {
    const sample = valueAt(baseline.variables, slot.path);
    for (const hostile of hostileValues(slot, sample, await wrongIdsFor(sample))) {
      const answer = await send(
        document,
        withValueAt(baseline.variables, slot.path, hostile.value),
        baseline.token ?? world.owner.token,
      );
      const where = `${field.name}(${slot.path.join('.')}) with ${hostile.label}`;
      const finding = judge(answer, hostile, slot, kind);
      if (process.env.FUZZ_TRACE)
        process.stdout.write(
          `TRACE ${where} => ${answer === 'hang' ? 'hang' : JSON.stringify((answer.errors ?? []).map((e) => `${e.extensions?.code}/${e.extensions?.field}: ${e.message.slice(0, 100)}`))}\n`,
        );
      if (finding) findings.push(`${where}: ${finding}`);
      const failed = answer === 'hang' || !!answer.errors?.length;
      if (kind === 'mutation' && failed) {
        const moved = await db.changed();
        if (moved.length) findings.push(`${where}: failed but changed ${moved.join(', ')}`);
      }
      if (!failed) {
        baseline = await build(world);
        if (kind === 'mutation') await db.reset();
      }
    }
  }
  // The baseline itself must succeed, or every refusal above proved nothing.
  const answer = await send(document, baseline.variables, baseline.token ?? world.owner.token);
  if (answer === 'hang' || answer.errors?.length)
    findings.push(
      `${field.name}: the baseline call fails: ${JSON.stringify(answer === 'hang' ? answer : answer.errors)}`,
    );
  return findings;
}

describe('schema-driven fuzzing', () => {
  it('knows every mutation and query of the running server, and has a baseline for each one that takes arguments', () => {
    expect(Object.keys(schema.getMutationType()!.getFields()).sort()).toEqual(MUTATIONS);
    expect(
      Object.values(schema.getQueryType()!.getFields())
        .filter((f) => f.args.length)
        .map((f) => f.name)
        .sort(),
    ).toEqual(QUERIES);
    expect(MUTATIONS.filter((m) => !MUTATION_BASELINES[m] && !UNFUZZED[m])).toEqual([]);
    expect(QUERIES.filter((q) => !QUERY_BASELINES[q])).toEqual([]);
  });

  it.each(MUTATIONS)(
    'answers hostile arguments of %s with coded errors and writes nothing when it fails',
    async (name) => {
      if (UNFUZZED[name]) return;
      const build = MUTATION_BASELINES[name];
      expect(build).toBeDefined();
      expect(await fuzz('mutation', schema.getMutationType()!.getFields()[name], build)).toEqual([]);
    },
    120_000,
  );

  it.each(QUERIES)(
    'answers hostile arguments of the query %s with coded errors',
    async (name) => {
      const build = QUERY_BASELINES[name];
      expect(build).toBeDefined();
      expect(await fuzz('query', schema.getQueryType()!.getFields()[name], build)).toEqual([]);
    },
    120_000,
  );
});
