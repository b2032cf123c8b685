/**
 * zod schemas of the wire types in `types.ts`. Each exported schema is typed
 * as `z.ZodType<T>` of its interface, so a change on one side that the other
 * does not follow fails to compile. Objects are strict: a field the protocol
 * does not name is refused, never silently dropped, because a verifier must
 * reject a bundle in which any byte changed.
 *
 * Use validated values as they came in, not zod's copy: zod rebuilds objects,
 * and a JSON key such as "__proto__" would not survive the copy, so
 * signatures and hashes are computed over the parsed input itself. The
 * helpers at the end (`parseWith`) do exactly that.
 */
import { z } from 'zod';
import { assertNever, err, ok, type Result } from '../result';
import { rulesSchema } from '../counting/rules';
import { METHODS } from '../counting/types';
import type { Choice, Method } from '../counting/types';
import { isBase64Url } from './encoding';
import { IdSchema, isId } from './ids';
import { jcs } from './jcs';
import type {
  Ballot,
  Board,
  BoardEntry,
  Bundle,
  InstanceInfo,
  JsonValue,
  Outcome,
  OutcomeResult,
  Receipt,
  Register,
  RegisterEntry,
  RoundDefinition,
  RoundOption,
  RulesOf,
  SignedReceipt,
  AnyRoundDefinition,
  RoundDefinitionV2,
} from './types';
import { IssuingKeySchema } from './credential';

export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Longest title and option label, in UTF-16 code units. */
export const MAX_TEXT = 500;
/** Most options a round may have. */
export const MAX_OPTIONS = 1000;
/** Most device keys one voter may have in a register. */
export const MAX_KEYS_PER_VOTER = 100;
/** Deepest nesting accepted in a free-form JSON value (a published result). */
export const MAX_JSON_DEPTH = 32;

export const PseudonymSchema = IdSchema;

/**
 * RFC 3339 UTC with milliseconds, and a real instant (no 24:00, no 31
 * February, no leap second: JavaScript time has none). Checked by hand rather
 * than through Date, since a bundle holds one per ballot.
 */
export function isTimestamp(text: string): boolean {
  if (!TIMESTAMP_PATTERN.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  return Number(text.slice(11, 13)) < 24 && Number(text.slice(14, 16)) < 60 && Number(text.slice(17, 19)) < 60;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
export const TimestampSchema = z
  .string()
  .refine(isTimestamp, 'a time is RFC 3339 UTC with milliseconds, e.g. 2026-11-23T10:00:00.000Z');

function base64UrlOf(size: number, what: string) {
  return z.string().refine((text) => isBase64Url(text, size), `${what} is base64url without padding of exactly ${size} bytes`);
}
export const PublicKeySchema = base64UrlOf(32, 'a public key');
export const SignatureSchema = base64UrlOf(64, 'a signature');
export const HashSchema = base64UrlOf(32, 'a hash');
export const NonceSchema = base64UrlOf(16, 'a nonce');

export const whole = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const positive = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Plain JSON (finite numbers only, bounded depth), checked on the object as given, own keys included. */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (depth >= MAX_JSON_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (!isJsonValue(value[key], depth + 1)) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Method rules

/**
 * A definition's `rules` must pass the counting library's schema for its
 * method and must already state every default that schema would fill in: a
 * frozen definition has to mean the same thing to every verifier, whatever
 * defaults a later version of the library might choose. The server parses
 * the rules with `rulesSchema` before a round opens, which gives exactly that.
 */
function rulesOf<M extends Method>(method: M) {
  return z.custom<RulesOf<M>>().superRefine((raw, ctx) => {
    const parsed = rulesSchema(method).safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return;
    }
    const stated = jcs(raw);
    const complete = jcs(parsed.data);
    if (stated !== complete) {
      ctx.addIssue({ code: 'custom', message: `${method} rules must state every default: expected ${complete}, got ${stated}` });
    }
  });
}

// ---------------------------------------------------------------------------
// Round definition

export const RoundOptionSchema: z.ZodType<RoundOption> = z.strictObject({
  id: IdSchema,
  label: z.string().min(1).max(MAX_TEXT),
});

const definitionCommon = {
  instance: IdSchema,
  round: IdSchema,
  title: z.string().min(1).max(MAX_TEXT),
  options: z.array(RoundOptionSchema).max(MAX_OPTIONS),
  seats: positive,
  revote: z.boolean(),
  sealed: z.boolean(),
  opensAt: TimestampSchema,
  closesAt: TimestampSchema.nullable(),
  electorate: z.strictObject({ count: whole }),
};

function definitionOf<M extends Method>(method: M) {
  return z.strictObject({ ...definitionCommon, method: z.literal(method), rules: rulesOf(method) });
}

/** A secret round's definition (protocol 2): the same members and the round's issuing key. */
function secretDefinitionOf<M extends Method>(method: M) {
  return z.strictObject({ ...definitionCommon, method: z.literal(method), rules: rulesOf(method), issuer: IssuingKeySchema });
}

/** What every definition must hold beyond the form of its members. */
function refineDefinition(definition: RoundDefinition, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  definition.options.forEach((option, i) => {
    // zod may run this after an option failed its own check.
    if (typeof option !== 'object' || option === null) return;
    if (seen.has(option.id)) ctx.addIssue({ code: 'custom', path: ['options', i, 'id'], message: `option id ${option.id} appears twice` });
    seen.add(option.id);
  });
  // A yes/no round decides one motion; its options only name it and it elects nobody.
  if (definition.method !== 'yesno') {
    if (definition.options.length === 0) ctx.addIssue({ code: 'custom', path: ['options'], message: 'a round needs at least one option' });
    if (definition.seats > definition.options.length) {
      ctx.addIssue({ code: 'custom', path: ['seats'], message: 'seats must not exceed the number of options' });
    }
  }
  // Instant-runoff elects one; more seats is STV.
  if (definition.method === 'irv' && definition.seats !== 1) {
    ctx.addIssue({ code: 'custom', path: ['seats'], message: 'an irv round fills exactly one seat (use stv for more)' });
  }
  if (definition.closesAt !== null && definition.closesAt <= definition.opensAt) {
    ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'closesAt must be after opensAt' });
  }
}

export const RoundDefinitionSchema: z.ZodType<RoundDefinition> = z
  .discriminatedUnion('method', [
    definitionOf('plurality'),
    definitionOf('approval'),
    definitionOf('yesno'),
    definitionOf('score'),
    definitionOf('cumulative'),
    definitionOf('borda'),
    definitionOf('irv'),
    definitionOf('stv'),
    definitionOf('schulze'),
  ])
  .superRefine(refineDefinition);

export const RoundDefinitionV2Schema: z.ZodType<RoundDefinitionV2> = z
  .discriminatedUnion('method', [
    secretDefinitionOf('plurality'),
    secretDefinitionOf('approval'),
    secretDefinitionOf('yesno'),
    secretDefinitionOf('score'),
    secretDefinitionOf('cumulative'),
    secretDefinitionOf('borda'),
    secretDefinitionOf('irv'),
    secretDefinitionOf('stv'),
    secretDefinitionOf('schulze'),
  ])
  .superRefine(refineDefinition);

/** Either protocol's definition, told apart by `issuer` (only a secret round has one). */
export const AnyRoundDefinitionSchema: z.ZodType<AnyRoundDefinition> = z.custom<AnyRoundDefinition>().superRefine((value, ctx) => {
  const schema = isPlainObject(value) && Object.hasOwn(value, 'issuer') ? RoundDefinitionV2Schema : RoundDefinitionSchema;
  addIssuesIfAny(schema, value, ctx);
});

// ---------------------------------------------------------------------------
// Register

/** The readable form of a register entry; `RegisterEntrySchema` is it with a fast path in front. */
export const RegisterEntryObjectSchema = z.strictObject({
  voter: PseudonymSchema,
  keys: z.array(PublicKeySchema).max(MAX_KEYS_PER_VOTER),
});

export const RegisterEntrySchema: z.ZodType<RegisterEntry> = withFastPath(isRegisterEntryShape, RegisterEntryObjectSchema);

/**
 * Sorted by voter (plain code-unit order, the order JCS uses for keys), each
 * voter once, and each key under one voter only: a key that two voters share
 * would make a signature prove nothing about who cast it.
 */
export const RegisterSchema: z.ZodType<Register> = z.custom<Register>().superRefine((value, ctx) => {
  // One loop rather than z.array: a register lists every eligible voter, and zod's per-item machinery costs more than the checks.
  const register: unknown = value;
  if (!Array.isArray(register)) {
    ctx.addIssue({ code: 'custom', message: 'the register is a list of { voter, keys }' });
    return;
  }
  const keys = new Set<string>();
  let previous: string | undefined;
  register.forEach((entry: unknown, i) => {
    if (!isRegisterEntryShape(entry)) {
      addIssuesOf(RegisterEntryObjectSchema, entry, [i], ctx);
      previous = undefined;
      return;
    }
    if (previous !== undefined && !(previous < entry.voter)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'voter'],
        message: previous === entry.voter ? `voter ${entry.voter} appears twice` : 'the register must be sorted by voter',
      });
    }
    previous = entry.voter;
    entry.keys.forEach((key, k) => {
      const before = keys.size;
      keys.add(key);
      if (keys.size === before) ctx.addIssue({ code: 'custom', path: [i, 'keys', k], message: 'a key appears twice in the register' });
    });
  });
});

// ---------------------------------------------------------------------------
// Ballot

/** The one field a choice has, by its name; which method uses it is `checkChoice`'s concern. */
const CHOICE_FIELDS = ['pick', 'approve', 'answer', 'scores', 'points', 'ranking'] as const;
type ChoiceField = (typeof CHOICE_FIELDS)[number];

function isChoiceField(key: string): key is ChoiceField {
  return (CHOICE_FIELDS as readonly string[]).includes(key);
}

function isIdList(value: unknown): boolean {
  return Array.isArray(value) && value.length <= MAX_OPTIONS && value.every((id) => typeof id === 'string' && isId(id));
}

function isIntegerMap(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length <= MAX_OPTIONS && keys.every((key) => isId(key) && Number.isSafeInteger(value[key]));
}

/** Why a choice's one field does not have its shape, or undefined when it does. */
function choiceFieldProblem(field: ChoiceField, value: unknown): string | undefined {
  switch (field) {
    case 'pick':
      return typeof value === 'string' && isId(value) ? undefined : 'expected an option id';
    case 'approve':
    case 'ranking':
      return isIdList(value) ? undefined : `expected a list of at most ${MAX_OPTIONS} option ids`;
    case 'answer':
      return value === 'yes' || value === 'no' || value === 'abstain' ? undefined : 'expected "yes", "no" or "abstain"';
    case 'scores':
    case 'points':
      return isIntegerMap(value) ? undefined : 'expected an object from option ids to whole numbers';
    default:
      return assertNever(field, 'choice field');
  }
}

/** Why `value` is not a choice (with the path inside it), or undefined when it is one. */
export function choiceProblem(value: unknown): { readonly path: readonly string[]; readonly message: string } | undefined {
  if (!isPlainObject(value)) return { path: [], message: 'a choice is a JSON object' };
  const keys = Object.keys(value);
  const field = keys[0];
  if (keys.length !== 1 || field === undefined || !isChoiceField(field)) {
    return { path: [], message: `a choice has exactly one field, one of ${CHOICE_FIELDS.join(', ')}` };
  }
  const problem = choiceFieldProblem(field, value[field]);
  return problem === undefined ? undefined : { path: [field], message: problem };
}

/**
 * The shape of every method's choice: an object with exactly one of the
 * fields of protocol.md's table. Whether a choice fits the round (its method,
 * known options, no duplicates, the scale, the budget) is `checkChoice` of
 * the counting library, which needs the definition. Written as one check
 * rather than a union of six objects: a bundle holds a choice per ballot, and
 * a union pays for every branch that does not match.
 */
export const ChoiceSchema: z.ZodType<Choice> = z.custom<Choice>().superRefine((value, ctx) => {
  const problem = choiceProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
});

// ---------------------------------------------------------------------------
// Fast paths
//
// A bundle of 100,000 ballots holds 100,000 board entries, and checking each
// through zod's object machinery costs about as much again as the rest of the
// verifier. These predicates accept exactly what the zod objects above accept
// (test/protocol/schemas.test.ts holds them to that), using the same
// field checks; only a value they refuse goes through zod, for its messages.

/** An object with exactly these own keys, typed so its fields can be read by name. */
export function hasExactKeys<K extends string>(value: unknown, keys: readonly K[]): value is { readonly [P in K]: unknown } {
  if (!isPlainObject(value)) return false;
  // Counted with for-in rather than Object.keys, which would allocate an array per object; the prototype is
  // Object.prototype or null (isPlainObject), which has no enumerable members, so for-in sees own keys only.
  let count = 0;
  for (const key in value) {
    count += 1;
    if (count > keys.length) return false;
    if (!Object.hasOwn(value, key)) return false;
  }
  if (count !== keys.length) return false;
  for (const key of keys) if (!Object.hasOwn(value, key)) return false;
  return true;
}

export const isIdValue = (value: unknown): boolean => typeof value === 'string' && isId(value);
export const isBytes = (value: unknown, size: number): boolean => typeof value === 'string' && isBase64Url(value, size);
export const isPositive = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1;

const REGISTER_ENTRY_KEYS = ['voter', 'keys'] as const;
const BALLOT_KEYS = ['instance', 'round', 'definition', 'key', 'choice', 'nonce', 'castAt'] as const;
const BOARD_ENTRY_KEYS = ['seq', 'voter', 'ballot', 'sig', 'leaf', 'head'] as const;

export function isRegisterEntryShape(value: unknown): value is RegisterEntry {
  if (!hasExactKeys(value, REGISTER_ENTRY_KEYS)) return false;
  const { keys } = value;
  return isIdValue(value.voter) && Array.isArray(keys) && keys.length <= MAX_KEYS_PER_VOTER && keys.every((key) => isBytes(key, 32));
}

export function isBallotShape(value: unknown): value is Ballot {
  if (!hasExactKeys(value, BALLOT_KEYS)) return false;
  return (
    isIdValue(value.instance) &&
    isIdValue(value.round) &&
    isBytes(value.definition, 32) &&
    isBytes(value.key, 32) &&
    choiceProblem(value.choice) === undefined &&
    isBytes(value.nonce, 16) &&
    typeof value.castAt === 'string' &&
    isTimestamp(value.castAt)
  );
}

export function isBoardEntryShape(value: unknown): value is BoardEntry {
  if (!hasExactKeys(value, BOARD_ENTRY_KEYS)) return false;
  return (
    isPositive(value.seq) &&
    isIdValue(value.voter) &&
    isBallotShape(value.ballot) &&
    isBytes(value.sig, 64) &&
    isBytes(value.leaf, 32) &&
    isBytes(value.head, 32)
  );
}

/** `full`, with `isShape` deciding first; only what it refuses pays for zod (and gets zod's messages). */
export function withFastPath<T>(isShape: (value: unknown) => value is T, full: z.ZodType): z.ZodType<T> {
  return z.custom<T>().superRefine((value, ctx) => {
    if (isShape(value)) return;
    addIssuesOf(full, value, [], ctx);
  });
}

/** Runs `schema` and reports its issues, if any (no complaint when it accepts). */
function addIssuesIfAny(schema: z.ZodType, value: unknown, ctx: z.RefinementCtx): void {
  const parsed = schema.safeParse(value);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
}

/** Runs `full` on a value a fast check refused and reports its issues under `path`. */
export function addIssuesOf(full: z.ZodType, value: unknown, path: readonly PropertyKey[], ctx: z.RefinementCtx): void {
  const parsed = full.safeParse(value);
  if (parsed.success) {
    // The two disagree, which is a bug; refusing keeps the verifier on the safe side.
    ctx.addIssue({ code: 'custom', path: [...path], message: 'refused by the fast shape check though the schema accepts it (a bug in schemas.ts)' });
    return;
  }
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
}

/** The readable form of a ballot; `BallotSchema` is it with a fast path in front. */
export const BallotObjectSchema = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  definition: HashSchema,
  key: PublicKeySchema,
  choice: ChoiceSchema,
  nonce: NonceSchema,
  castAt: TimestampSchema,
});

export const BallotSchema: z.ZodType<Ballot> = withFastPath(isBallotShape, BallotObjectSchema);

// ---------------------------------------------------------------------------
// Board, receipt, outcome, bundle

/** The readable form of a board entry; `BoardEntrySchema` is it with a fast path in front. */
export const BoardEntryObjectSchema = z.strictObject({
  seq: positive,
  voter: PseudonymSchema,
  ballot: BallotSchema,
  sig: SignatureSchema,
  leaf: HashSchema,
  head: HashSchema,
});

export const BoardEntrySchema: z.ZodType<BoardEntry> = withFastPath(isBoardEntryShape, BoardEntryObjectSchema);

/** A list of board entries; one loop rather than z.array, which costs a few µs more per entry. */
export const BoardSchema: z.ZodType<Board> = z.custom<Board>().superRefine((value, ctx) => {
  const board: unknown = value;
  if (!Array.isArray(board)) {
    ctx.addIssue({ code: 'custom', message: 'the board is a list of entries' });
    return;
  }
  board.forEach((entry: unknown, i) => {
    if (isBoardEntryShape(entry)) return;
    addIssuesOf(BoardEntryObjectSchema, entry, [i], ctx);
  });
});

export const ReceiptSchema: z.ZodType<Receipt> = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  seq: positive,
  leaf: HashSchema,
  head: HashSchema,
});

export const SignedReceiptSchema: z.ZodType<SignedReceipt> = z.strictObject({
  receipt: ReceiptSchema,
  receiptSig: SignatureSchema,
});

/** Open beyond `method` and `winners`: the recount is compared with it as JCS text. */
export const OutcomeResultSchema: z.ZodType<OutcomeResult> = z
  .looseObject({ method: z.enum(METHODS), winners: z.array(IdSchema) })
  .and(
    z.custom<Readonly<Record<string, JsonValue>>>(
      (value) => isPlainObject(value) && isJsonValue(value),
      `a result is a JSON object (finite numbers, at most ${MAX_JSON_DEPTH} levels deep)`,
    ),
  );

export const OutcomeSchema: z.ZodType<Outcome> = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  definition: HashSchema,
  register: z.strictObject({ count: whole, root: HashSchema }),
  board: z.strictObject({ entries: whole, head: HashSchema }),
  counted: whole,
  result: OutcomeResultSchema,
  closedAt: TimestampSchema,
  publishedAt: TimestampSchema,
});

function bundleWith(board: z.ZodType<Board>) {
  return z.strictObject({
    protocol: z.literal(1),
    instanceKey: PublicKeySchema,
    definition: RoundDefinitionSchema,
    definitionSig: SignatureSchema,
    register: RegisterSchema,
    board,
    outcome: OutcomeSchema,
    outcomeSig: SignatureSchema,
  });
}

export const BundleSchema: z.ZodType<Bundle> = bundleWith(BoardSchema);

/**
 * The bundle with its board only checked to be a list: for a verifier that
 * checks each entry (`isBoardEntryShape`, then `BoardEntryObjectSchema` for
 * the messages) in the same pass as everything else it does with the entry,
 * so a board of 100,000 entries is walked once, not twice.
 */
export const BundleOutlineSchema: z.ZodType<Bundle> = bundleWith(
  z.custom<Board>((value) => Array.isArray(value), 'the board is a list of entries'),
);

/** The issues of a value the fast check refused, under `path` (as `parseWith` gives them). */
export function issuesOf(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): SchemaIssue[] {
  const parsed = schema.safeParse(value);
  if (parsed.success) return [{ path: formatPath(path), message: 'refused by the fast shape check though the schema accepts it (a bug in schemas.ts)' }];
  return parsed.error.issues.map((issue) => ({ path: formatPath([...path, ...issue.path]), message: issue.message }));
}

export const InstanceInfoSchema: z.ZodType<InstanceInfo> = z.strictObject({
  protocol: z.literal(1),
  instance: IdSchema,
  name: z.string().min(1).max(MAX_TEXT),
  publicKey: PublicKeySchema,
});

// ---------------------------------------------------------------------------
// Parsing

export interface SchemaIssue {
  /** Where, as a JSON path such as `board[3].ballot.nonce`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Validates `value` against `schema` and, when it fits, returns `value`
 * itself (typed), not zod's rebuilt copy.
 */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): Result<T, readonly SchemaIssue[]> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(value as T);
  return err(parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}
