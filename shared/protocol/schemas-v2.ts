/**
 * zod schemas of protocol 2's objects (types.ts, "Protocol 2"): the secret
 * round's ballot, board entry, register, outcome and bundle. Built like
 * protocol 1's in schemas.ts, from the same field checks and with the same
 * fast paths, so a 100,000-entry board costs no more to check for form.
 * The secret definition is in schemas.ts beside protocol 1's, from which it
 * differs by one member.
 */
import { z } from 'zod';
import { CredentialSchema, ISSUING_KEY_BYTES } from './credential';
import { isBase64Url } from './encoding';
import {
  addIssuesOf,
  ChoiceSchema,
  choiceProblem,
  hasExactKeys,
  HashSchema,
  isBytes,
  isIdValue,
  isPositive,
  isTimestamp,
  NonceSchema,
  OutcomeResultSchema,
  positive,
  PseudonymSchema,
  PublicKeySchema,
  RoundDefinitionV2Schema,
  SignatureSchema,
  TimestampSchema,
  whole,
  withFastPath,
} from './schemas';
import type { BallotV2, BoardEntryV2, BoardV2, BundleV2, OutcomeV2, RegisterV2 } from './types';
import { IdSchema } from './ids';

const BALLOT_V2_KEYS = ['instance', 'round', 'definition', 'key', 'credential', 'choice', 'nonce', 'castAt'] as const;
const BOARD_ENTRY_V2_KEYS = ['seq', 'ballot', 'sig', 'leaf', 'head'] as const;

export function isBallotV2Shape(value: unknown): value is BallotV2 {
  if (!hasExactKeys(value, BALLOT_V2_KEYS)) return false;
  return (
    isIdValue(value.instance) &&
    isIdValue(value.round) &&
    isBytes(value.definition, 32) &&
    isBytes(value.key, 32) &&
    typeof value.credential === 'string' &&
    isBase64Url(value.credential, ISSUING_KEY_BYTES) &&
    choiceProblem(value.choice) === undefined &&
    isBytes(value.nonce, 16) &&
    typeof value.castAt === 'string' &&
    isTimestamp(value.castAt)
  );
}

export function isBoardEntryV2Shape(value: unknown): value is BoardEntryV2 {
  if (!hasExactKeys(value, BOARD_ENTRY_V2_KEYS)) return false;
  return isPositive(value.seq) && isBallotV2Shape(value.ballot) && isBytes(value.sig, 64) && isBytes(value.leaf, 32) && isBytes(value.head, 32);
}

/** The readable form of a protocol-2 ballot; `BallotV2Schema` is it with a fast path in front. */
export const BallotV2ObjectSchema = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  definition: HashSchema,
  key: PublicKeySchema,
  credential: CredentialSchema,
  choice: ChoiceSchema,
  nonce: NonceSchema,
  castAt: TimestampSchema,
});

export const BallotV2Schema: z.ZodType<BallotV2> = withFastPath(isBallotV2Shape, BallotV2ObjectSchema);

export const BoardEntryV2ObjectSchema = z.strictObject({
  seq: positive,
  ballot: BallotV2Schema,
  sig: SignatureSchema,
  leaf: HashSchema,
  head: HashSchema,
});

export const BoardEntryV2Schema: z.ZodType<BoardEntryV2> = withFastPath(isBoardEntryV2Shape, BoardEntryV2ObjectSchema);

export const BoardV2Schema: z.ZodType<BoardV2> = z.custom<BoardV2>().superRefine((value, ctx) => {
  const board: unknown = value;
  if (!Array.isArray(board)) {
    ctx.addIssue({ code: 'custom', message: 'the board is a list of entries' });
    return;
  }
  board.forEach((entry: unknown, i) => {
    if (isBoardEntryV2Shape(entry)) return;
    addIssuesOf(BoardEntryV2ObjectSchema, entry, [i], ctx);
  });
});

/** A list of pseudonyms in strictly increasing code-unit order (so each once), checked in one loop. */
function sortedPseudonyms(what: string) {
  return z.custom<readonly string[]>().superRefine((value, ctx) => {
    const list: unknown = value;
    if (!Array.isArray(list)) {
      ctx.addIssue({ code: 'custom', message: `${what} is a list of pseudonyms` });
      return;
    }
    let previous: string | undefined;
    list.forEach((voter: unknown, i) => {
      if (typeof voter !== 'string' || !isIdValue(voter)) {
        addIssuesOf(PseudonymSchema, voter, [i], ctx);
        previous = undefined;
        return;
      }
      if (previous !== undefined && !(previous < voter)) {
        ctx.addIssue({ code: 'custom', path: [i], message: previous === voter ? `pseudonym ${voter} appears twice` : `${what} must be sorted` });
      }
      previous = voter;
    });
  });
}

/**
 * The electorate's pseudonyms and those that received a credential, both
 * sorted, each once; every issued pseudonym is in the electorate.
 */
export const RegisterV2Schema: z.ZodType<RegisterV2> = z
  .strictObject({ electorate: sortedPseudonyms('the electorate'), issued: sortedPseudonyms('issued') })
  .superRefine((register, ctx) => {
    if (!Array.isArray(register.electorate) || !Array.isArray(register.issued)) return;
    const electorate = new Set(register.electorate);
    register.issued.forEach((voter, i) => {
      if (!electorate.has(voter)) ctx.addIssue({ code: 'custom', path: ['issued', i], message: `pseudonym ${voter} received a credential but is not in the electorate` });
    });
  });

export const OutcomeV2Schema: z.ZodType<OutcomeV2> = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  definition: HashSchema,
  register: z.strictObject({ count: whole, issued: whole, root: HashSchema }),
  board: z.strictObject({ entries: whole, head: HashSchema }),
  counted: whole,
  result: OutcomeResultSchema,
  closedAt: TimestampSchema,
  publishedAt: TimestampSchema,
});

function bundleV2With(board: z.ZodType<BoardV2>) {
  return z.strictObject({
    protocol: z.literal(2),
    instanceKey: PublicKeySchema,
    definition: RoundDefinitionV2Schema,
    definitionSig: SignatureSchema,
    register: RegisterV2Schema,
    board,
    outcome: OutcomeV2Schema,
    outcomeSig: SignatureSchema,
  });
}

export const BundleV2Schema: z.ZodType<BundleV2> = bundleV2With(BoardV2Schema);

/** The protocol-2 bundle with its board only checked to be a list (see BundleOutlineSchema). */
export const BundleV2OutlineSchema: z.ZodType<BundleV2> = bundleV2With(z.custom<BoardV2>((value) => Array.isArray(value), 'the board is a list of entries'));
