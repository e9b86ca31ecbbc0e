import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Context } from '../../platform/context';
import { sql } from '../../platform/database/sql';
import { BadInput } from '../../platform/errors';
import { toGlobalId } from '../../platform/ids';
import { boundedListComplexity } from '../../platform/pagination';
import type { Community } from '../communities/communities.entity';
import { ModerationAction, ModerationLogAction, ReportReason } from './moderation.entity';
import { assertReviewer } from './moderation.service';

const DAY_MS = 86_400_000;

/** Bounds of `Community.moderationStats`. */
export const MODERATION_STATS_LIMITS = {
  /** Widest range, in days. */
  maxDays: 366,
  /**
   * AutoMod rules listed at most (the most matched first): a community has at most 50 rules at a
   * time, but matches of rules deleted since are counted too, so the list is cut there.
   */
  autoModRules: 50,
} as const;

const REASONS = Object.values(ReportReason);
const ACTIONS = Object.values(ModerationAction);

@ObjectType({ description: 'How many reports gave a reason.' })
export class ReasonCount {
  @Field(() => ReportReason, { description: 'The reason.' })
  reason!: ReportReason;

  @Field(() => Int, { description: 'How many reports gave it.' })
  count!: number;
}

@ObjectType({ description: 'How many moderation decisions took an action.' })
export class ActionCount {
  @Field(() => ModerationAction, { description: 'The action.' })
  action!: ModerationAction;

  @Field(() => Int, { description: 'How many decisions took it.' })
  count!: number;
}

@ObjectType({ description: "An AutoMod rule's matches (writes it matched, blocked ones included)." })
export class AutoModRuleMatches {
  @Field(() => ID, { nullable: true, description: 'The AutoMod rule (null: it was deleted since).' })
  ruleId!: string | null;

  @Field({ description: "The rule's name: its current one, or the one it had when it last matched if it was deleted." })
  ruleName!: string;

  @Field(() => Int, { description: 'Writes it matched.' })
  count!: number;

  @Field(() => Int, { description: 'Of which it refused (its action was BLOCK).' })
  blocked!: number;
}

@ObjectType({
  description:
    "Figures of a community's moderation over a range of time [from, to): reports, decisions, appeals and AutoMod matches in it.",
})
export class ModerationStats {
  @Field(() => [ReasonCount], {
    complexity: boundedListComplexity(REASONS.length),
    description: 'Reports filed in the range, by reason: every reason, in the order of `ReportReason`.',
  })
  reportsByReason!: ReasonCount[];

  @Field(() => [ActionCount], {
    complexity: boundedListComplexity(ACTIONS.length),
    description:
      'Decisions taken in the range, by action (reversed ones included): every action, in the order of `ModerationAction`.',
  })
  decisionsByAction!: ActionCount[];

  @Field(() => Float, {
    nullable: true,
    description:
      'The median time, in seconds, from a review-queue item opening to its decision, over the decisions taken in the range (null: none).',
  })
  medianSecondsToDecision!: number | null;

  @Field(() => Int, { description: 'Appeals filed in the range.' })
  appealsFiled!: number;

  @Field(() => Int, { description: 'Appeals decided (upheld or reversed) in the range.' })
  appealsDecided!: number;

  @Field(() => Int, { description: 'Of which reversed.' })
  appealsReversed!: number;

  @Field(() => Float, {
    nullable: true,
    description: '`appealsReversed` / `appealsDecided`, from 0 to 1 (null: no appeal decided in the range).',
  })
  reversalRate!: number | null;

  @Field(() => [AutoModRuleMatches], {
    complexity: boundedListComplexity(MODERATION_STATS_LIMITS.autoModRules),
    description: `AutoMod matches in the range, by rule, most matches first (at most ${MODERATION_STATS_LIMITS.autoModRules} rules).`,
  })
  autoModMatches!: AutoModRuleMatches[];
}

interface StatsRow {
  reasons: Record<string, number>;
  actions: Record<string, number>;
  median_seconds: number | null;
  appeals_filed: number;
  appeals_decided: number;
  appeals_reversed: number;
  automod: { ruleId: number | null; ruleName: string; count: number; blocked: number }[];
}

/**
 * `Community.moderationStats` (`moderation.review`): the community's figures over [from, to), at most
 * MODERATION_STATS_LIMITS.maxDays long, in one statement. Reports are reached through the
 * community's items (reports have no index on their community); AutoMod matches are the log's
 * AUTOMOD_MATCH rows, grouped by `details.autoModRuleId` and named by the rule row if it still
 * exists in the community, else by the name the latest row logged.
 */
export async function moderationStats(
  { em, loaders, viewer }: Context,
  community: Community,
  { from, to }: { from: Date; to: Date },
): Promise<ModerationStats> {
  await assertReviewer(loaders, viewer, community.id);
  if (!(to.getTime() > from.getTime())) throw new BadInput('to must come after from', 'to');
  if (to.getTime() - from.getTime() > MODERATION_STATS_LIMITS.maxDays * DAY_MS) {
    throw new BadInput(`The range covers at most ${MODERATION_STATS_LIMITS.maxDays} days`, 'from');
  }
  const c = community.id;
  const f = from.toISOString();
  const t = to.toISOString();
  const range = (column: string) => `${column} >= ?::timestamptz and ${column} < ?::timestamptz`;
  const [row] = await sql<StatsRow[]>(
    em,
    `with reasons as (
       select r.reason, count(*)::int as n
         from moderation_items i join reports r on r.item_id = i.id
        where i.community_id = ? and ${range('r.created_at')}
        group by r.reason
     ), decisions as (
       select d.action, extract(epoch from d.created_at - i.created_at)::float8 as seconds
         from moderation_decisions d join moderation_items i on i.id = d.item_id
        where d.community_id = ? and ${range('d.created_at')}
     ), appeals as (
       select count(*) filter (where ${range('a.created_at')})::int as filed,
              count(*) filter (where a.status <> 'PENDING' and ${range('a.decided_at')})::int as decided,
              count(*) filter (where a.status = 'REVERSED' and ${range('a.decided_at')})::int as reversed
         from moderation_appeals a
        where a.community_id = ? and ((${range('a.created_at')}) or (${range('a.decided_at')}))
     ), matches as (
       select l.details->>'autoModRuleId' as rule_key, count(*)::int as n,
              count(*) filter (where l.details->>'action' = 'BLOCK')::int as blocked,
              (array_agg(l.details->>'ruleName' order by l.id desc))[1] as logged_name
         from moderation_log l
        where l.community_id = ? and l.action = ? and ${range('l.created_at')}
        group by 1
     ), named as (
       select r.id as rule_id, coalesce(r.name, m.logged_name, '') as rule_name, m.n, m.blocked, m.rule_key
         from matches m left join automod_rules r on r.community_id = ? and r.id::text = m.rule_key
        order by m.n desc, rule_name, m.rule_key
        limit ?
     )
     select (select coalesce(json_object_agg(reason, n), '{}'::json) from reasons) as reasons,
            (select coalesce(json_object_agg(action, n), '{}'::json)
               from (select action, count(*)::int as n from decisions group by action) x) as actions,
            (select percentile_cont(0.5) within group (order by seconds) from decisions) as median_seconds,
            appeals.filed as appeals_filed, appeals.decided as appeals_decided, appeals.reversed as appeals_reversed,
            (select coalesce(json_agg(json_build_object('ruleId', rule_id, 'ruleName', rule_name, 'count', n, 'blocked', blocked)
                                      order by n desc, rule_name, rule_key), '[]'::json)
               from named) as automod
       from appeals`,
    [
      ...[c, f, t],
      ...[c, f, t],
      ...[f, t, f, t, f, t, c, f, t, f, t],
      ...[c, ModerationLogAction.AUTOMOD_MATCH, f, t],
      ...[c, MODERATION_STATS_LIMITS.autoModRules],
    ],
  );
  return {
    reportsByReason: REASONS.map((reason) => ({ reason, count: row.reasons[reason] ?? 0 })),
    decisionsByAction: ACTIONS.map((action) => ({ action, count: row.actions[action] ?? 0 })),
    medianSecondsToDecision: row.median_seconds,
    appealsFiled: row.appeals_filed,
    appealsDecided: row.appeals_decided,
    appealsReversed: row.appeals_reversed,
    reversalRate: row.appeals_decided > 0 ? row.appeals_reversed / row.appeals_decided : null,
    autoModMatches: row.automod.map((m) => ({
      ruleId: m.ruleId === null ? null : toGlobalId('AutoModRule', m.ruleId),
      ruleName: m.ruleName,
      count: m.count,
      blocked: m.blocked,
    })),
  };
}
