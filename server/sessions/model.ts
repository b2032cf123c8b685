import { z } from 'zod';
import { idSchema } from '../../shared/protocol/ids';
import type { ProposalRow, QuestionRow, SessionRow } from '../store/schema';

const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => s.trim().length > 0, 'must not be empty');

export const sessionInput = z.strictObject({
  title: text(300),
  description: z.string().max(20_000, 'must be at most 20000 characters').optional(),
  date: z.iso.date({ message: 'must be a date like 2022-11-25' }).optional(),
});
export const questionInput = z.strictObject({ text: text(2_000) });
export const proposalInput = z.strictObject({
  title: text(300),
  body: z.string().max(10_000, 'must be at most 10000 characters').optional(),
});
export const hideInput = z.strictObject({ reason: text(1_000) });
export const mergeInput = z.strictObject({ into: idSchema('must be a proposal id') });

export interface Session {
  id: string;
  title: string;
  description: string;
  date: string | null;
  createdAt: string;
}

export interface Question {
  id: string;
  sessionId: string;
  text: string;
  position: number;
  createdAt: string;
}

export type ProposalStatus = 'visible' | 'hidden' | 'merged';

export interface Proposal {
  id: string;
  questionId: string;
  title: string;
  body: string;
  status: ProposalStatus;
  createdAt: string;
  /** Proposals folded into this one as duplicates. */
  mergedFrom: { id: string; title: string }[];
  /** Where a merged proposal went. */
  mergedInto: string | null;
  /** Shown to moderators only: why it was hidden, and who wrote it. */
  hiddenReason?: string | null;
  authorId?: string | null;
}

export function toSession(row: SessionRow): Session {
  return { id: row.id, title: row.title, description: row.description, date: row.date, createdAt: row.created_at };
}

export function toQuestion(row: QuestionRow): Question {
  return { id: row.id, sessionId: row.session_id, text: row.text, position: row.position, createdAt: row.created_at };
}

export function toProposal(row: ProposalRow, all: readonly ProposalRow[], forModerator: boolean): Proposal {
  const proposal: Proposal = {
    id: row.id,
    questionId: row.question_id,
    title: row.title,
    body: row.body,
    status: row.status,
    createdAt: row.created_at,
    mergedFrom: all.filter((p) => p.merged_into === row.id).map((p) => ({ id: p.id, title: p.title })),
    mergedInto: row.merged_into,
  };
  if (forModerator) {
    proposal.hiddenReason = row.hidden_reason;
    proposal.authorId = row.author_id;
  }
  return proposal;
}
