/** The audit log as `GET /api/audit` answers it (README "API"). */
import { z } from 'zod';

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  target: { type: string; id: string | null };
  outcome: 'ok' | 'denied';
  detail: unknown;
  requestId: string | null;
}

export const AuditEntrySchema = z.object({
  seq: z.number(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }),
  outcome: z.enum(['ok', 'denied']),
  detail: z.unknown(),
  requestId: z.string().nullable(),
}) satisfies z.ZodType<AuditEntry>;

/** Newest first; `next` is the `before` of the next page, null on the last. */
export interface AuditPage {
  events: AuditEntry[];
  next: number | null;
}

export const AuditPageSchema = z.object({ events: z.array(AuditEntrySchema), next: z.number().nullable() }) satisfies z.ZodType<AuditPage>;

export const auditQuery = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().max(64).optional(),
  target: z.string().max(100).optional(),
});
