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
import { err, ok, type Result } from '../result';
import { rulesSchema } from '../counting/choice';
import { METHODS } from '../counting/types';
import type { Choice, Method } from '../counting/types';
import { isBase64Url } from './encoding';
import { jcs } from './jcs';
import type {
  Ballot,
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
} from './types';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Longest title and option label, in UTF-16 code units. */
export const MAX_TEXT = 500;
/** Most options a round may have. */
export const MAX_OPTIONS = 1000;
/** Most device keys one voter may have in a register. */
export const MAX_KEYS_PER_VOTER = 100;
/** Deepest nesting accepted in a free-form JSON value (a published result). */
export const MAX_JSON_DEPTH = 32;

export function isId(text: string): boolean {
  return ID_PATTERN.test(text);
}
export const IdSchema = z.string().regex(ID_PATTERN, 'an id is 1–64 characters of A–Z, a–z, 0–9, _ and -');
export const PseudonymSchema = IdSchema;

/** RFC 3339 UTC with milliseconds, and a real instant (no 24:00, no 31 February). */
export function isTimestamp(text: string): boolean {
  if (!TIMESTAMP_PATTERN.test(text)) return false;
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
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

const whole = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const positive = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
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

function definitionOf<M extends Method>(method: M) {
  return z.strictObject({
    instance: IdSchema,
    round: IdSchema,
    title: z.string().min(1).max(MAX_TEXT),
    method: z.literal(method),
    options: z.array(RoundOptionSchema).max(MAX_OPTIONS),
    seats: positive,
    rules: rulesOf(method),
    revote: z.boolean(),
    sealed: z.boolean(),
    opensAt: TimestampSchema,
    closesAt: TimestampSchema.nullable(),
    electorate: z.strictObject({ count: whole }),
  });
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
  .superRefine((definition, ctx) => {
    const seen = new Set<string>();
    definition.options.forEach((option, i) => {
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
    if (definition.closesAt !== null && definition.closesAt <= definition.opensAt) {
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'closesAt must be after opensAt' });
    }
  });

// ---------------------------------------------------------------------------
// Register

export const RegisterEntrySchema: z.ZodType<RegisterEntry> = z.strictObject({
  voter: PseudonymSchema,
  keys: z.array(PublicKeySchema).max(MAX_KEYS_PER_VOTER),
});

/**
 * Sorted by voter (plain code-unit order, the order JCS uses for keys), each
 * voter once, and each key under one voter only: a key that two voters share
 * would make a signature prove nothing about who cast it.
 */
export const RegisterSchema: z.ZodType<Register> = z.array(RegisterEntrySchema).superRefine((register, ctx) => {
  const keys = new Set<string>();
  register.forEach((entry, i) => {
    const previous = register[i - 1];
    if (previous !== undefined && !(previous.voter < entry.voter)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'voter'],
        message: previous.voter === entry.voter ? `voter ${entry.voter} appears twice` : 'the register must be sorted by voter',
      });
    }
    entry.keys.forEach((key, k) => {
      if (keys.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'keys', k], message: 'a key appears twice in the register' });
      keys.add(key);
    });
  });
});

// ---------------------------------------------------------------------------
// Ballot

/** Option id → integer; checked on the object as given (see the file comment). */
const integerMap = z.custom<Readonly<Record<string, number>>>(
  (value) =>
    isPlainObject(value) &&
    Object.keys(value).length <= MAX_OPTIONS &&
    Object.keys(value).every((key) => isId(key) && Number.isSafeInteger(value[key])),
  'expected an object from option ids to whole numbers',
);

/**
 * The shape of every method's choice. Whether a choice fits the round (known
 * options, no duplicates, the scale, the budget) is `checkChoice` of the
 * counting library, which needs the definition.
 */
export const ChoiceSchema: z.ZodType<Choice> = z.union([
  z.strictObject({ pick: IdSchema }),
  z.strictObject({ approve: z.array(IdSchema).max(MAX_OPTIONS) }),
  z.strictObject({ answer: z.enum(['yes', 'no', 'abstain']) }),
  z.strictObject({ scores: integerMap }),
  z.strictObject({ points: integerMap }),
  z.strictObject({ ranking: z.array(IdSchema).max(MAX_OPTIONS) }),
]);

export const BallotSchema: z.ZodType<Ballot> = z.strictObject({
  instance: IdSchema,
  round: IdSchema,
  definition: HashSchema,
  key: PublicKeySchema,
  choice: ChoiceSchema,
  nonce: NonceSchema,
  castAt: TimestampSchema,
});

// ---------------------------------------------------------------------------
// Board, receipt, outcome, bundle

export const BoardEntrySchema: z.ZodType<BoardEntry> = z.strictObject({
  seq: positive,
  voter: PseudonymSchema,
  ballot: BallotSchema,
  sig: SignatureSchema,
  leaf: HashSchema,
  head: HashSchema,
});

export const BoardSchema = z.array(BoardEntrySchema);

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

export const BundleSchema: z.ZodType<Bundle> = z.strictObject({
  protocol: z.literal(1),
  instanceKey: PublicKeySchema,
  definition: RoundDefinitionSchema,
  definitionSig: SignatureSchema,
  register: RegisterSchema,
  board: BoardSchema,
  outcome: OutcomeSchema,
  outcomeSig: SignatureSchema,
});

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
