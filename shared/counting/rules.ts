/**
 * The rules of each method, as zod schemas. Kept apart from the choice checks
 * so that code which only checks ballots (the voting page) does not pull zod
 * into the browser bundle.
 */
import { z } from 'zod';
import type { ContestOf } from './plurality';
import type { Method } from './types';

/**
 * Zod schemas of each method's `rules`, typed against types.ts so the two
 * cannot drift. Unknown keys are rejected. Defaults, filled in by parsing:
 *
 * - plurality, borda, irv, schulze: no rules; `{}`.
 * - approval: `maxApprovals` (≥ 1) absent means no limit.
 * - yesno: no `quorum` means none; `threshold` defaults to `{ kind: 'simple' }`
 *   (yes > no). A quorum share is n/d with 0 < n ≤ d; an absolute quorum is a
 *   head count ≥ 1. A qualified threshold is n/d with 1/2 ≤ n/d ≤ 1, so a
 *   motion can never pass with more no than yes.
 * - score: scale `min` 0, `max` 5; integers with min < max, at most 100 steps
 *   apart (the result lists every step), within ±1000.
 * - cumulative: `budget` is required (no default fits every round): an
 *   integer from 1 to 1,000,000.
 * - stv: `variant` defaults to `'scottish'`.
 */
const noRules = z.strictObject({});

const fraction = { numerator: z.int().min(1), denominator: z.int().min(1) };

const yesnoRules = z.strictObject({
  quorum: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('share'), ...fraction }).refine((q) => q.numerator <= q.denominator, {
        message: 'a quorum share must be at most 1',
      }),
      z.strictObject({ kind: z.literal('absolute'), count: z.int().min(1) }),
    ])
    .optional(),
  threshold: z
    .discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('simple') }),
      z
        .strictObject({ kind: z.literal('qualified'), ...fraction })
        .refine((t) => 2 * t.numerator >= t.denominator && t.numerator <= t.denominator, {
          message: 'a qualified threshold must be between 1/2 and 1',
        }),
    ])
    .default({ kind: 'simple' }),
});

const scoreRules = z
  .strictObject({ min: z.int().min(-1000).max(1000).default(0), max: z.int().min(-1000).max(1000).default(5) })
  .refine((s) => s.min < s.max && s.max - s.min <= 100, { message: 'the scale needs min < max, at most 100 apart' });

const RULES_SCHEMAS = {
  plurality: noRules,
  approval: z.strictObject({ maxApprovals: z.int().min(1).optional() }),
  yesno: yesnoRules,
  score: scoreRules,
  cumulative: z.strictObject({ budget: z.int().min(1).max(1_000_000) }),
  borda: noRules,
  irv: noRules,
  stv: z.strictObject({ variant: z.enum(['scottish', 'meek']).default('scottish') }),
  schulze: noRules,
} as const satisfies { readonly [M in Method]: z.ZodType<ContestOf<M>['rules']> };

export type RulesSchemas = typeof RULES_SCHEMAS;

/** The schema of `rules` for a method; parse the definition's rules with it before a round opens. */
export function rulesSchema<M extends Method>(method: M): RulesSchemas[M] {
  return RULES_SCHEMAS[method];
}
