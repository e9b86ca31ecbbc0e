import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../../platform/database/sql';
import type { ModerationLogAction, ModerationSubjectType } from './moderation.entity';

/** One moderation act, as `recordModeration` writes it. */
export interface ModerationAct {
  communityId: number;
  /** Who acted; null for the system (reports passing the threshold). */
  actorId: number | null;
  action: ModerationLogAction;
  subjectType?: ModerationSubjectType | null;
  subjectId?: number | null;
  ruleId?: number | null;
  statement?: string;
  /** What the act changed, e.g. `{ before: 'MEMBER', after: 'MODERATOR' }`. */
  details?: Record<string, unknown> | null;
}

/**
 * Appends an act to the moderation log, in `tx`: the transaction of the act itself, so the log
 * holds an act exactly when it happened. The table takes inserts only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE; see the migration that creates it).
 */
export async function recordModeration(tx: EntityManager, act: ModerationAct): Promise<void> {
  await sql(
    tx,
    `insert into moderation_log (community_id, actor_id, action, subject_type, subject_id, rule_id, statement, details, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, now())`,
    [
      act.communityId,
      act.actorId,
      act.action,
      act.subjectType ?? null,
      act.subjectId ?? null,
      act.ruleId ?? null,
      act.statement ?? '',
      act.details ? JSON.stringify(act.details) : null,
    ],
    'run',
  );
}
