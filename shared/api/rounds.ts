/** Rounds and ballots: the shapes of api.md's "Rounds and ballots" and of the README's additions. */
import { z } from 'zod';
import type { CountResult } from '../counting/index';
import { METHODS, type Method } from '../counting/types';
import { idSchema } from '../protocol/ids';
import { BlindedMessageSchema, BlindSignatureSchema } from '../protocol/credential';
import { AnyRoundDefinitionSchema, RoundOptionSchema } from '../protocol/schemas';
import type { AnyBundle, AnyOutcome, AnyRegister, AnyRoundDefinition, BoardEntry, BoardEntryV2, RoundOption, SignedReceipt } from '../protocol/types';

type AnyBoard = readonly BoardEntry[] | readonly BoardEntryV2[];
import type { LiveTally } from '../tally/live';

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
    /** Secret (protocol 2) unless a moderator asks for a named round (protocol 1, a show of hands). */
    secret: z.boolean().optional(),
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
  /** Secret ballots (protocol 2): nobody can link a ballot to a member. False: a named round (protocol 1). */
  secret: boolean;
  closesAt: string | null;
  status: RoundStatus;
  createdAt: string;
  openedAt: string | null;
  closedAt: string | null;
  publishedAt: string | null;
  electorate: number | null;
}

export const RoundSchema = z.object({
  id: z.string(),
  title: z.string(),
  method: z.enum(METHODS),
  questionId: z.string().nullable(),
  options: z.array(RoundOptionSchema).readonly(),
  seats: z.number(),
  rules: z.record(z.string(), z.unknown()),
  revote: z.boolean(),
  sealed: z.boolean(),
  secret: z.boolean(),
  closesAt: z.string().nullable(),
  status: z.enum(ROUND_STATUSES),
  createdAt: z.string(),
  openedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  electorate: z.number().nullable(),
}) satisfies z.ZodType<Round>;

/** Voters whose ballot counts, ballots on the board, the electorate's size (null before open). */
export interface Turnout {
  readonly voters: number;
  readonly ballots: number;
  readonly electorate: number | null;
}

export const TurnoutSchema = z.object({
  voters: z.number(),
  ballots: z.number(),
  electorate: z.number().nullable(),
}) satisfies z.ZodType<Turnout>;

/**
 * A round's tally: while open the live tally, once closed the count of the
 * board. Their own modules own their shapes (shared/tally, shared/counting);
 * here they are taken as typed, unchecked (see routes.ts on validation).
 */
export type RoundTally = LiveTally | CountResult;
export const RoundTallySchema = z.custom<RoundTally>();

export interface RoundView {
  round: Round;
  definition?: AnyRoundDefinition;
  definitionHash?: string;
  definitionSig?: string;
  turnout: Turnout;
  head?: string;
  /** While open: the live tally (totals per option, and for ranked methods the latest recount); once closed: the count of the board. */
  tally?: RoundTally;
  outcome?: AnyOutcome;
  outcomeSig?: string;
  me?: RoundMe;
}

/**
 * The signed-in member's part in a round. In a secret round the server cannot
 * know whether the member voted (`voted` is always false there; the device
 * keeps its own receipts), only whether it issued them a credential.
 */
export interface RoundMe {
  eligible: boolean;
  /** The member's pseudonym in this round: they can look for it in the published register. */
  voter: string | null;
  voted: boolean;
  credentialIssued: boolean;
}

export const RoundViewSchema = z.object({
  round: RoundSchema,
  definition: AnyRoundDefinitionSchema.optional(),
  definitionHash: z.string().optional(),
  definitionSig: z.string().optional(),
  turnout: TurnoutSchema,
  head: z.string().optional(),
  tally: RoundTallySchema.optional(),
  outcome: z.custom<AnyOutcome>().optional(),
  outcomeSig: z.string().optional(),
  me: z.object({ eligible: z.boolean(), voter: z.string().nullable(), voted: z.boolean(), credentialIssued: z.boolean() }).optional(),
}) satisfies z.ZodType<RoundView>;

/**
 * `POST /api/rounds/:id/ballots` takes `{ballot, sig}`. The ballot endpoint
 * checks them itself, in protocol.md's order with one code per check, so the
 * contract only names the shape here.
 */
export interface BallotRequest {
  ballot: unknown;
  sig: string;
}
export const BallotRequestSchema = z.object({ ballot: z.unknown(), sig: z.string() }) satisfies z.ZodType<BallotRequest>;
export const SignedReceiptAnswerSchema = z.custom<SignedReceipt>();

/** `GET /api/rounds/:id/register`, `/board` and `/bundle`: protocol.md's documents, typed, not re-checked here. */
export const RegisterAnswerSchema = z.custom<{ register: AnyRegister; count: number; root: string | null }>();
export const BoardAnswerSchema = z.custom<{ board: AnyBoard }>();
export const BundleAnswerSchema = z.custom<AnyBundle>();

/**
 * `POST /api/rounds/:id/credential`, signed in, secret rounds only: the
 * blinded request for the member's round key (docs/credentials.md) and the
 * issuing key's blind signature over it. One request per member and round:
 * the same request again gets the same answer, a different one is refused.
 */
export const credentialInput = z.strictObject({ blindedMessage: BlindedMessageSchema });
export type CredentialInput = z.output<typeof credentialInput>;
export interface CredentialAnswer {
  blindSignature: string;
}
export const CredentialAnswerSchema = z.object({ blindSignature: BlindSignatureSchema }) satisfies z.ZodType<CredentialAnswer>;
