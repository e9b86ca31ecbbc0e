import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Context } from '../../platform/context';
import { write } from '../../platform/database/write';
import { fastSql, sql } from '../../platform/database/sql';
import { AppError, BadInput, ErrorCode, NotFound, nullIfHidden } from '../../platform/errors';
import { fromGlobalId } from '../../platform/ids';
import type { Loaders } from '../../platform/loaders';
import { idPage, toConnection, type PageArgsShape } from '../../platform/pagination';
import { timestamp } from '../../platform/views';
import { levelOf, rulesOf } from '../reputation/rules';
import type { Community } from '../communities/communities.entity';
import { actorIn, visibleCommunity } from '../communities/communities.service';
import { ROLE_RANK, assertCan, type Actor } from '../communities/permissions';
import { requireUser } from '../identity/identity.service';
import type { Viewer } from '../identity/viewer';
import {
  AutoModAction,
  AutoModSubject,
  compileAutoMod,
  strongestMatch,
  validateAutoModRule,
  type AutoModConditions,
  type AutoModMatch,
  type CompiledAutoMod,
} from './automod-engine';
import { DRY_RUN_LIMITS, MAX_AUTOMOD_RULES, type AutoModRuleInput, type UpdateAutoModRuleInput } from './automod.types';
import { recordModeration } from './moderation-log';
import {
  AutoModActionType,
  AutoModRule,
  ModerationLogAction,
  ModerationSubjectType,
  type ContentSnapshot,
} from './moderation.entity';
import { assertReviewer, hideContent } from './moderation.service';
import { communityRuleOf } from './rules.service';
import { lockCommunity } from '../communities/membership.service';

/** How many rules a community may have, and how far back a dry run looks at most. */
export const AUTOMOD_RULE_LIMITS = {
  maxRules: MAX_AUTOMOD_RULES,
  maxDryRun: DRY_RUN_LIMITS.max,
  defaultDryRun: DRY_RUN_LIMITS.default,
} as const;

/**
 * Each community's enabled rules, compiled, on this instance: keyed by the community's
 * `autoModVersion`, which every rule change moves in the transaction that makes it. A write reads
 * the community's row anyway; a new version there recompiles on that write, so a rule saved on one
 * instance applies on every instance from the next write on, with no message between them.
 */
const compiled = new LRUCache<number, { version: number; engine: CompiledAutoMod }>({ max: 2000 });

const toData = (r: AutoModRule) => ({
  id: r.id,
  name: r.name,
  conditions: r.conditions as AutoModConditions,
  action: r.action as unknown as AutoModAction,
  durationSeconds: r.durationSeconds ?? null,
  enabled: r.enabled,
});

/** The community's enabled rules, compiled (null when it has none: nothing to evaluate). */
async function engineOf(em: EntityManager, community: Community): Promise<CompiledAutoMod | null> {
  if (!community.autoModVersion) return null; // never had a rule
  const hit = compiled.get(community.id);
  if (hit && hit.version === community.autoModVersion) return hit.engine.size ? hit.engine : null;
  const rows = await em.find(
    AutoModRule,
    { community: community.id, enabled: true },
    { orderBy: { position: 'asc', id: 'asc' } },
  );
  const engine = compileAutoMod(rows.map(toData));
  compiled.set(community.id, { version: community.autoModVersion, engine });
  return engine.size ? engine : null;
}

/** Moderators and above, and platform admins, write past AutoMod. */
const exempt = (actor: Actor) =>
  actor.isPlatformAdmin || (actor.role !== null && ROLE_RANK[actor.role] >= ROLE_RANK.MODERATOR);

/**
 * The author's account age and their writes in the community within `lookbackSeconds` (newest
 * first, at most RECENT_LIMIT): one statement, run only when a rule looks at them. Each kind of write
 * is read newest first along its (author, created_at) index and stops at RECENT_LIMIT rows, so a
 * prolific author costs no more than RECENT_LIMIT rows of each.
 */
const RECENT_LIMIT = 200;
const AUTHOR_SQL = `select u.created_at as account_created_at,
   coalesce((select json_agg(json_build_object('text', w.body, 'at', w.created_at) order by w.created_at desc)
     from (select * from (
             (select p.title || E'\\n' || p.body as body, p.created_at from posts p
               where p.author_id = $1 and p.created_at >= now() - make_interval(secs => $3) and p.community_id = $2
               order by p.created_at desc limit ${RECENT_LIMIT})
             union all
             (select c.body, c.created_at from comments c join posts p on p.id = c.post_id
               where c.author_id = $1 and c.created_at >= now() - make_interval(secs => $3) and p.community_id = $2
               order by c.created_at desc limit ${RECENT_LIMIT})
           ) both_kinds order by created_at desc limit ${RECENT_LIMIT}) w), '[]'::json) as recent
   from users u where u.id = $1`;

/** A write to screen: its community, kind and text (a post's title and body), by the viewer. */
export interface Screened {
  communityId: number;
  subject: AutoModSubject;
  text: string;
}

/** The strongest rule that matched a write (BLOCK never gets here: it throws) and all that did. */
export interface AutoModVerdict {
  match: AutoModMatch;
  matches: AutoModMatch[];
}

interface AuthorFacts {
  actor: Actor;
  joinedAt: Date | null;
  reputation: number;
}

async function evaluate(
  em: EntityManager,
  engine: CompiledAutoMod,
  userId: number,
  communityId: number,
  facts: AuthorFacts,
  write: { subject: AutoModSubject; text: string; now: Date },
  before?: Date,
): Promise<AutoModMatch[]> {
  let accountCreatedAt = new Date(0);
  let recent: { text: string; at: Date }[] = [];
  if (engine.needsAuthor || engine.lookbackSeconds > 0) {
    const [row] = await fastSql<{ account_created_at: unknown; recent: { text: string; at: string }[] }>(
      em,
      AUTHOR_SQL,
      [userId, communityId, engine.lookbackSeconds + (before ? (Date.now() - before.getTime()) / 1000 : 0)],
    );
    accountCreatedAt = timestamp(row?.account_created_at) ?? accountCreatedAt;
    recent = (row?.recent ?? [])
      .map((r) => ({ text: r.text, at: new Date(r.at) }))
      .filter((r) => !before || r.at < before);
  }
  return engine.evaluate({
    subject: write.subject,
    text: write.text,
    now: write.now,
    author: {
      accountCreatedAt,
      joinedAt: facts.joinedAt,
      level: facts.actor.level,
      reputation: facts.reputation,
      exempt: exempt(facts.actor),
    },
    recent,
  });
}

/**
 * Screens a write by the viewer before it is made: null when no enabled rule matches (or the
 * community has none: no statement at all), else the verdict its transaction applies
 * (`applyVerdict`). A BLOCK is logged and refused here: FORBIDDEN naming the rule and what matched.
 */
export async function screenWrite(
  ctx: Pick<Context, 'em' | 'loaders' | 'viewer'>,
  write: Screened,
): Promise<AutoModVerdict | null> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const community = await loaders.community.load(write.communityId);
  const engine = community && (await engineOf(em, community));
  if (!engine) return null;
  const actor = await actorIn(loaders, viewer, write.communityId);
  if (exempt(actor)) return null;
  const { member } = await loaders.viewerStanding.load(write.communityId);
  const matches = await evaluate(
    em,
    engine,
    userId,
    write.communityId,
    { actor, joinedAt: member?.joinedAt ?? null, reputation: member?.reputation ?? 0 },
    { subject: write.subject, text: write.text, now: new Date() },
  );
  const match = strongestMatch(matches);
  if (!match) return null;
  if (match.action === AutoModAction.BLOCK) {
    await recordModeration(em, {
      communityId: write.communityId,
      actorId: null,
      action: ModerationLogAction.AUTOMOD_MATCH,
      details: {
        autoModRuleId: match.ruleId,
        ruleName: match.name,
        action: match.action,
        reasons: match.reasons,
        userId,
      },
    });
    throw new AppError(ErrorCode.FORBIDDEN, `AutoMod rule "${match.name}" refused this: ${match.reasons.join('; ')}`, {
      autoModRule: match.name,
    });
  }
  return { match, matches };
}

/** The review-queue subject of each kind of write AutoMod screens: a poll's options are screened with the poll. */
const SUBJECT_TYPE: Record<AutoModSubject, ModerationSubjectType> = {
  [AutoModSubject.POST]: ModerationSubjectType.POST,
  [AutoModSubject.COMMENT]: ModerationSubjectType.COMMENT,
  [AutoModSubject.CHAT_MESSAGE]: ModerationSubjectType.CHAT_MESSAGE,
  [AutoModSubject.POLL_OPTION]: ModerationSubjectType.POLL,
};

/**
 * Applies a verdict inside the write's transaction, once the write has its id: the write enters
 * the review queue (an item naming the rule and what it matched, with the write's text and author's
 * handle as its snapshot), hidden for HOLD; MUTE also mutes
 * its author for the rule's duration (a longer mute in force stays). The log records the match.
 * Returns the item, for `queueChanged` in the write's `after`, and whether it hid the write.
 */
export async function applyVerdict(
  tx: EntityManager,
  verdict: AutoModVerdict,
  write: {
    communityId: number;
    subject: AutoModSubject;
    id: number;
    authorId: number;
    title: string | null;
    body: string;
  },
): Promise<{ itemId: number; hidden: boolean }> {
  const { match } = verdict;
  const type = SUBJECT_TYPE[write.subject];
  const hold = match.action === AutoModAction.HOLD && (await hideContent(tx, type, write.id));
  const [author] = await sql<{ handle: string }[]>(tx, 'select handle from users where id = ?', [write.authorId]);
  const snapshot: ContentSnapshot = {
    title: write.title,
    body: write.body,
    authorHandle: author?.handle ?? null,
    capturedAt: new Date().toISOString(),
  };
  const [item] = await sql<{ id: number }[]>(
    tx,
    `insert into moderation_items (community_id, subject_type, subject_id, subject_user_id, status, open_weight, report_count,
                                   hidden_by_reports, snapshot, auto_mod_rule_id, auto_mod_reasons, created_at, updated_at)
     values (?, ?, ?, ?, 'OPEN', 0, 0, ?, ?::jsonb, ?, ?::jsonb, now(), now())
     on conflict (community_id, subject_type, subject_id) where status = 'OPEN' do update
       set auto_mod_rule_id = excluded.auto_mod_rule_id, auto_mod_reasons = excluded.auto_mod_reasons,
           hidden_by_reports = moderation_items.hidden_by_reports or excluded.hidden_by_reports, updated_at = now()
     returning id`,
    [
      write.communityId,
      type,
      write.id,
      write.authorId,
      hold,
      JSON.stringify(snapshot),
      match.ruleId,
      JSON.stringify(match.reasons),
    ],
  );
  if (match.action === AutoModAction.MUTE && match.durationSeconds) {
    await sql(
      tx,
      `insert into community_mutes (community_id, user_id, muted_by_id, decision_id, until, created_at)
       values (?, ?, null, null, now() + make_interval(secs => ?), now())
       on conflict (community_id, user_id) do update set until = greatest(community_mutes.until, excluded.until)`,
      [write.communityId, write.authorId, match.durationSeconds],
      'run',
    );
  }
  await recordModeration(tx, {
    communityId: write.communityId,
    actorId: null,
    action: ModerationLogAction.AUTOMOD_MATCH,
    subjectType: type,
    subjectId: write.id,
    details: {
      autoModRuleId: match.ruleId,
      ruleName: match.name,
      action: match.action,
      reasons: match.reasons,
      itemId: item.id,
      userId: write.authorId,
    },
  });
  return { itemId: item.id, hidden: hold };
}

/** The text AutoMod reads of a post: its title and body, on two lines. */
export const autoModText = (post: { title: string; body: string }) => `${post.title}\n${post.body}`;

// ---------------------------------------------------------------------------------------------------
// Rules: reading and editing (`automod.configure`), and the dry run.

/** Moves the community's `autoModVersion` (every instance recompiles its rules at the next write). */
async function bumpVersion(tx: EntityManager, communityId: number): Promise<void> {
  await sql(tx, 'update communities set auto_mod_version = auto_mod_version + 1 where id = ?', [communityId], 'run');
}

async function assertConfigures(loaders: Loaders, viewer: Viewer, communityId: number): Promise<void> {
  await visibleCommunity(loaders, viewer, communityId);
  assertCan(await actorIn(loaders, viewer, communityId), 'automod.configure');
}

/** Validates a rule's conditions and action as the engine will run them (BAD_USER_INPUT naming the field). */
function validated(conditions: unknown, action: AutoModActionType, durationSeconds: number | null | undefined) {
  return validateAutoModRule({
    conditions: JSON.parse(JSON.stringify(conditions ?? {})) as AutoModConditions,
    action: action as unknown as AutoModAction,
    durationSeconds: durationSeconds ?? null,
  });
}

/** `Community.autoModRules` (`moderation.review`): every rule, enabled or not, in order (paged both ways). */
export async function communityAutoModRules(
  { em, loaders, viewer }: Context,
  community: Community,
  args: PageArgsShape,
) {
  await assertReviewer(loaders, viewer, community.id);
  const page = idPage(args);
  const rows = await em.find(
    AutoModRule,
    { community: community.id, id: { $gt: page.above, $lt: page.below } },
    { orderBy: { id: page.fetch }, limit: page.size + 1 },
  );
  return toConnection(
    rows,
    page,
    (r) => [r.id],
    () => loaders.autoModRuleCount.load(community.id),
  );
}

/** Creates an AutoMod rule at the end of the community's list (`automod.configure`). */
export async function createAutoModRule(ctx: Context, input: AutoModRuleInput): Promise<AutoModRule> {
  const { em, loaders, viewer } = ctx;
  const userId = requireUser(viewer);
  const communityId = fromGlobalId('Community', input.communityId, 'communityId');
  await assertConfigures(loaders, viewer, communityId);
  const name = input.name.trim();
  if (!name) throw new BadInput('name must not be blank', 'name');
  const { conditions, durationSeconds } = validated(input.conditions, input.action, input.durationSeconds);
  const ruleId = await communityRuleOf(loaders, communityId, input.ruleId);
  const id = await write(ctx, async (tx) => {
    await lockCommunity(tx, communityId); // the limit holds under concurrent creations
    const [{ n }] = await sql<{ n: number }[]>(
      tx,
      'select count(*)::int as n from automod_rules where community_id = ?',
      [communityId],
    );
    if (n >= AUTOMOD_RULE_LIMITS.maxRules) {
      throw new BadInput(`A community has at most ${AUTOMOD_RULE_LIMITS.maxRules} AutoMod rules`, 'communityId');
    }
    const [row] = await sql<{ id: number }[]>(
      tx,
      `insert into automod_rules (community_id, position, name, conditions, action, duration_seconds, enabled, rule_id,
                                  created_by_id, created_at, updated_at)
       values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, now(), now()) returning id`,
      [
        communityId,
        n + 1,
        name,
        JSON.stringify(conditions),
        input.action,
        durationSeconds,
        input.enabled,
        ruleId,
        userId,
      ],
    );
    await bumpVersion(tx, communityId);
    await recordModeration(tx, {
      communityId,
      actorId: userId,
      action: ModerationLogAction.AUTOMOD_RULE_CHANGED,
      details: {
        autoModRuleId: row.id,
        after: { name, conditions, action: input.action, durationSeconds, enabled: input.enabled },
      },
    });
    return row.id;
  });
  return em.findOneOrFail(AutoModRule, id);
}

async function configurableRule(ctx: Context, id: number): Promise<AutoModRule> {
  const { em, loaders, viewer } = ctx;
  requireUser(viewer);
  const rule = await em.findOne(AutoModRule, id);
  if (!rule || !(await nullIfHidden(visibleCommunity(loaders, viewer, rule.community.id)))) {
    throw new NotFound('AutoMod rule');
  }
  assertCan(await actorIn(loaders, viewer, rule.community.id), 'automod.configure');
  return rule;
}

/** Changes an AutoMod rule (`automod.configure`); what is omitted stays. */
export async function updateAutoModRule(ctx: Context, input: UpdateAutoModRuleInput): Promise<AutoModRule> {
  const { em, loaders, viewer } = ctx;
  const rule = await configurableRule(ctx, fromGlobalId('AutoModRule', input.id));
  const communityId = rule.community.id;
  const before = { name: rule.name, conditions: rule.conditions, action: rule.action, enabled: rule.enabled };
  const action = input.action ?? rule.action;
  const { conditions, durationSeconds } = validated(
    input.conditions ?? rule.conditions,
    action,
    input.durationSeconds !== undefined && input.durationSeconds !== null
      ? input.durationSeconds
      : action === AutoModActionType.MUTE
        ? rule.durationSeconds
        : null,
  );
  const name = input.name != null ? input.name.trim() : rule.name;
  if (!name) throw new BadInput('name must not be blank', 'name');
  const ruleId =
    input.ruleId !== undefined ? await communityRuleOf(loaders, communityId, input.ruleId) : (rule.rule?.id ?? null);
  const enabled = input.enabled ?? rule.enabled;
  await write(ctx, async (tx) => {
    await sql(
      tx,
      `update automod_rules set name = ?, conditions = ?::jsonb, action = ?, duration_seconds = ?, enabled = ?, rule_id = ?,
              updated_at = now() where id = ?`,
      [name, JSON.stringify(conditions), action, durationSeconds, enabled, ruleId, rule.id],
      'run',
    );
    await bumpVersion(tx, communityId);
    await recordModeration(tx, {
      communityId,
      actorId: viewer.userId,
      action: ModerationLogAction.AUTOMOD_RULE_CHANGED,
      details: { autoModRuleId: rule.id, before, after: { name, conditions, action, durationSeconds, enabled } },
    });
  });
  return em.findOneOrFail(AutoModRule, rule.id, { refresh: true });
}

/**
 * Deletes an AutoMod rule (`automod.configure`); the items and log rows it made keep its name.
 * Returns its community's id.
 */
export async function deleteAutoModRule(ctx: Context, globalId: string): Promise<number> {
  const { viewer } = ctx;
  const rule = await configurableRule(ctx, fromGlobalId('AutoModRule', globalId));
  await write(ctx, async (tx) => {
    await sql(tx, 'delete from automod_rules where id = ?', [rule.id], 'run');
    await bumpVersion(tx, rule.community.id);
    await recordModeration(tx, {
      communityId: rule.community.id,
      actorId: viewer.userId,
      action: ModerationLogAction.AUTOMOD_RULE_CHANGED,
      details: {
        autoModRuleId: rule.id,
        before: { name: rule.name, conditions: rule.conditions, action: rule.action },
      },
    });
  });
  return rule.community.id;
}

/**
 * Evaluates one rule (enabled or not) against the community's latest `last` posts, comments, chat
 * messages and polls (their question and options), as
 * it would have judged each when it was written: the same engine, the author's standing now, and
 * their writes before it (for `rate` and `repeatedText`). Changes nothing; `moderation.review`.
 */
export async function dryRunAutoModRule(ctx: Context, id: number, last: number | null | undefined) {
  const { em, loaders, viewer } = ctx;
  requireUser(viewer);
  const rule = await em.findOne(AutoModRule, id);
  if (!rule || !(await nullIfHidden(visibleCommunity(loaders, viewer, rule.community.id)))) {
    throw new NotFound('AutoMod rule');
  }
  const communityId = rule.community.id;
  await assertReviewer(loaders, viewer, communityId);
  const count = last ?? AUTOMOD_RULE_LIMITS.defaultDryRun;
  if (!Number.isInteger(count) || count < 1 || count > AUTOMOD_RULE_LIMITS.maxDryRun) {
    throw new BadInput(`last must be between 1 and ${AUTOMOD_RULE_LIMITS.maxDryRun}`, 'last');
  }
  const engine = compileAutoMod([{ ...toData(rule), enabled: true }]);
  const writes = await sql<
    {
      kind: AutoModSubject;
      id: number;
      author_id: number;
      text: string;
      created_at: string;
      role: string | null;
      reputation: number | null;
      joined_at: string | null;
    }[]
  >(
    em,
    `select w.*, m.role, m.reputation, m.joined_at from (
       select 'POST' as kind, p.id, p.author_id, p.title || E'\\n' || p.body as text, p.created_at
         from posts p where p.community_id = ? and p.deleted_at is null
       union all
       select 'COMMENT', c.id, c.author_id, c.body, c.created_at
         from comments c join posts p on p.id = c.post_id where p.community_id = ? and c.deleted_at is null
       union all
       select 'CHAT_MESSAGE', m.id, m.author_id, m.body, m.created_at
         from events e cross join lateral (
           select * from chat_messages m where m.event_id = e.id and m.deleted_at is null order by m.id desc limit ?
         ) m where e.community_id = ?
       union all
       select 'POLL_OPTION', p.id, p.created_by_id, p.question || E'\\n' ||
              (select string_agg(o.text, E'\\n' order by o.position) from poll_options o where o.poll_id = p.id), p.created_at
         from polls p where p.community_id = ?
       order by created_at desc limit ?) w
     left join members m on m.community_id = ? and m.user_id = w.author_id
     order by w.created_at desc`,
    [communityId, communityId, count, communityId, communityId, count, communityId],
  );
  const community = (await loaders.community.load(communityId))!;
  const thresholds = rulesOf(community).levelThresholds;
  const found: { subjectType: AutoModSubject; id: number; reasons: string[] }[] = [];
  for (const w of writes) {
    const at = timestamp(w.created_at)!;
    const actor: Actor = {
      userId: w.author_id,
      role: (w.role as Actor['role']) ?? null,
      level: w.reputation === null ? 1 : levelOf(w.reputation, thresholds),
      isPlatformAdmin: false,
      banned: false,
    };
    const subject = w.kind;
    const [match] = await evaluate(
      em,
      engine,
      w.author_id,
      communityId,
      { actor, joinedAt: timestamp(w.joined_at), reputation: w.reputation ?? 0 },
      { subject, text: w.text, now: at },
      at,
    );
    if (match) found.push({ subjectType: subject, id: w.id, reasons: match.reasons });
  }
  // The matched writes through the request's loaders, together: one statement per kind, not one per match.
  const load = {
    [AutoModSubject.POST]: (id: number) => loaders.post.load(id),
    [AutoModSubject.COMMENT]: (id: number) => loaders.comment.load(id),
    [AutoModSubject.CHAT_MESSAGE]: (id: number) => loaders.chatMessage.load(id),
    [AutoModSubject.POLL_OPTION]: (id: number) => loaders.poll.load(id),
  } satisfies Record<AutoModSubject, (id: number) => Promise<unknown>>;
  const matches = await Promise.all(
    found.map(async (m) => ({
      subjectType: m.subjectType,
      reasons: m.reasons,
      subject: await load[m.subjectType](m.id),
    })),
  );
  return { examined: writes.length, matches };
}
