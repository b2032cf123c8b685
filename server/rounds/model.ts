import { z } from 'zod';
import { METHODS, type Method } from '../../shared/counting/types';
import { idSchema } from '../../shared/protocol/ids';
import type { RoundOption } from '../../shared/protocol/types';
import type { RoundRow } from '../store/schema';

export const ROUND_STATUSES = ['draft', 'open', 'closed', 'published'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

const id = idSchema('must be an id of 1–64 characters A–Z, a–z, 0–9, _ or -');
const label = z
  .string()
  .max(300, 'must be at most 300 characters')
  .refine((s) => s.trim().length > 0, 'must not be empty');

export const createRoundInput = z
  .strictObject({
    title: label,
    method: z.enum(METHODS).optional(),
    questionId: id.optional(),
    options: z.array(z.strictObject({ id: id.optional(), label })).min(1).max(500).optional(),
    seats: z.int().min(1).max(100).optional(),
    rules: z.record(z.string(), z.unknown()).optional(),
    revote: z.boolean().optional(),
    sealed: z.boolean().optional(),
    closesAt: z.iso.datetime({ offset: true, message: 'must be a date and time like 2026-11-23T21:00:00.000Z' }).nullable().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.method === undefined && input.questionId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['method'], message: 'is required for a round without a question' });
    }
    const seen = new Set<string>();
    input.options?.forEach((o, i) => {
      if (o.id === undefined) return;
      if (seen.has(o.id)) ctx.addIssue({ code: 'custom', path: ['options', i, 'id'], message: `option id ${o.id} appears twice` });
      seen.add(o.id);
    });
  });
export type CreateRoundInput = z.output<typeof createRoundInput>;

export const roundListQuery = z.strictObject({
  status: z.enum(ROUND_STATUSES).optional(),
  questionId: id.optional(),
});

/** A yes/no round votes on one motion; its options are the three answers. */
export const YESNO_OPTIONS: readonly RoundOption[] = [
  { id: 'yes', label: 'Voor' },
  { id: 'no', label: 'Tegen' },
  { id: 'abstain', label: 'Onthouding' },
];

/** A round as the API shows it. */
export interface Round {
  id: string;
  title: string;
  method: Method;
  questionId: string | null;
  /** Frozen at open; before that, the options as they stand (for a question: its visible proposals). */
  options: readonly RoundOption[];
  seats: number;
  rules: Record<string, unknown>;
  revote: boolean;
  sealed: boolean;
  closesAt: string | null;
  status: RoundStatus;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  publishedAt: string | null;
  electorate: number | null;
}

export function toRound(row: RoundRow, options: readonly RoundOption[]): Round {
  return {
    id: row.id,
    title: row.title,
    method: row.method as Method,
    questionId: row.question_id,
    options,
    seats: row.seats,
    rules: JSON.parse(row.rules) as Record<string, unknown>,
    revote: row.revote,
    sealed: row.sealed,
    closesAt: row.closes_at,
    status: row.status,
    createdAt: row.created_at,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    publishedAt: row.published_at,
    electorate: row.electorate_count,
  };
}
