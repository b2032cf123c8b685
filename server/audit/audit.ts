import type { Executor } from '../store/store';
import type { AuditEventRow } from '../store/schema';
import type { AuditEntry } from '../../shared/api/audit';

export const AUDIT_ACTIONS = [
  'admin.bootstrap',
  'member.register',
  'member.login',
  'member.approve',
  'member.role',
  'member.suspend',
  'member.reinstate',
  'auth.refresh',
  'auth.refresh_reuse',
  'auth.logout',
  'invite.create',
  'key.add',
  'key.revoke',
  'session.create',
  'question.create',
  'proposal.create',
  'proposal.hide',
  'proposal.merge',
  'seed.demo',
  'round.create',
  'round.open',
  'round.close',
  'round.publish',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acts, for which request: every state change is attributed. */
export interface ActionContext {
  readonly actorId: string | null;
  readonly requestId: string | null;
  readonly at: string;
}

export interface AuditEvent {
  readonly action: AuditAction;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly outcome?: 'ok' | 'denied';
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** Writes an audit event; call it inside the transaction that makes the change. */
export async function recordAudit(db: Executor, ctx: ActionContext, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      at: ctx.at,
      actor_id: ctx.actorId,
      action: event.action,
      target_type: event.targetType,
      target_id: event.targetId,
      outcome: event.outcome ?? 'ok',
      detail: JSON.stringify(event.detail ?? {}),
      request_id: ctx.requestId,
    })
    .execute();
}

// The API's shape is the contract's (shared/api/audit.ts).
export type { AuditEntry } from '../../shared/api/audit';

function toEntry(row: AuditEventRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actorId: row.actor_id,
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as unknown,
    requestId: row.request_id,
  };
}

export interface AuditQuery {
  readonly before?: number | undefined;
  readonly limit: number;
  readonly action?: string | undefined;
  readonly targetId?: string | undefined;
}

/** Newest first; page with `before` (a seq). */
export async function listAudit(db: Executor, q: AuditQuery): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(q.limit);
  if (q.before !== undefined) query = query.where('seq', '<', q.before);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
  return (await query.execute()).map(toEntry);
}
