/** Sessions, their questions and proposals: the shapes of api.md's "Sessions, questions, proposals". */
import { z } from 'zod';
import { idSchema } from '../protocol/ids';
import { RoundSchema, type Round } from './rounds';

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

export const SessionSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  date: z.string().nullable(),
  createdAt: z.string(),
}) satisfies z.ZodType<Session>;

/** `GET /api/sessions` lists sessions with how many questions each has. */
export type SessionSummary = Session & { questionCount: number };

export const SessionSummarySchema = SessionSchema.extend({ questionCount: z.number() }) satisfies z.ZodType<SessionSummary>;

export interface Question {
  id: string;
  sessionId: string;
  text: string;
  position: number;
  createdAt: string;
}

export const QuestionSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  text: z.string(),
  position: z.number(),
  createdAt: z.string(),
}) satisfies z.ZodType<Question>;

export const PROPOSAL_STATUSES = ['visible', 'hidden', 'merged'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

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

export const ProposalSchema = z.object({
  id: z.string(),
  questionId: z.string(),
  title: z.string(),
  body: z.string(),
  status: z.enum(PROPOSAL_STATUSES),
  createdAt: z.string(),
  mergedFrom: z.array(z.object({ id: z.string(), title: z.string() })),
  mergedInto: z.string().nullable(),
  hiddenReason: z.string().nullable().optional(),
  authorId: z.string().nullable().optional(),
}) satisfies z.ZodType<Proposal>;

/** A question of a session's detail, with its proposals and rounds. */
export type QuestionDetail = Question & { proposals: Proposal[]; rounds: Round[] };

export const QuestionDetailSchema = QuestionSchema.extend({
  proposals: z.array(ProposalSchema),
  rounds: z.array(RoundSchema),
}) satisfies z.ZodType<QuestionDetail>;

export interface SessionDetail extends Session {
  questions: QuestionDetail[];
}

export const SessionDetailSchema = SessionSchema.extend({ questions: z.array(QuestionDetailSchema) }) satisfies z.ZodType<SessionDetail>;
