import { assertNever } from '../result';
import type { ContestOf } from './plurality';
import type { RankedInput } from './ranked';
import { countMeek } from './stv-meek';
import { countScottish } from './stv-scottish';
import type { BaseResult, CountContext } from './types';

/**
 * Single transferable vote, in the variant named by the contest's rules:
 * `scottish` (SSI 2007/42, see stv-scottish.ts) or `meek` (the PR
 * Foundation's reference Meek rule, see stv-meek.ts).
 */
export function countStv(contest: ContestOf<'stv'>, ballots: RankedInput, ctx: CountContext): StvResult {
  const variant = contest.rules.variant;
  switch (variant) {
    case 'scottish':
      return countScottish(contest, ballots, ctx);
    case 'meek':
      return countMeek(contest, ballots, ctx);
    default:
      return assertNever(variant, 'stv variant');
  }
}

/** What a stage did. Option fields hold option ids; decimals are strings. */
export type StvAction =
  | { readonly kind: 'first-preferences' }
  /** Scottish: the surplus of an elected option, all its papers transferred at their transfer values. */
  | {
      readonly kind: 'surplus';
      readonly option: string;
      readonly surplus: string;
      /** For each value the papers had when received, the value they went on with. */
      readonly transferValues: readonly { readonly paperValue: string; readonly transferValue: string }[];
    }
  /** Scottish: the lowest option excluded, its papers transferred at the value they had. */
  | { readonly kind: 'exclusion'; readonly option: string }
  /** Meek: an option reached the quota. */
  | { readonly kind: 'elect'; readonly option: string }
  /** Meek: no one reached the quota and the surplus fell below omega (or stopped falling). */
  | { readonly kind: 'defeat'; readonly option: string; readonly surplus: string; readonly reason: 'omega' | 'stable' }
  /** Meek: as many hopeful options as seats left. */
  | { readonly kind: 'elect-remaining'; readonly option: string }
  /** Meek: every seat filled; the options still hopeful lose. */
  | { readonly kind: 'defeat-remaining'; readonly option: string };

export interface StvTransfers {
  /** Change of each option's votes in this stage (negative for the one giving). */
  readonly votes: Readonly<Record<string, string>>;
  readonly nonTransferable: string;
  readonly residue: string;
}

export interface StvStage {
  /** 1-based; stage 1 is the first preferences. */
  readonly stage: number;
  readonly action: StvAction;
  /** The action, the elected and the excluded in words, with option labels. */
  readonly description: string;
  readonly quota: string;
  /** Every option's votes at the end of the stage. */
  readonly votes: Readonly<Record<string, string>>;
  /** What moved in this stage; null for the first. */
  readonly transfers: StvTransfers | null;
  /** Value of papers that ranked no continuing option (cumulative). */
  readonly nonTransferable: string;
  /** Value lost to truncation (cumulative). */
  readonly residue: string;
  /** Options elected at the end of this stage, in order of election. */
  readonly elected: readonly string[];
  /** Option excluded in this stage. */
  readonly excluded: readonly string[];
  /** Meek: each option's keep factor in the iteration that gave these votes; null for Scottish. */
  readonly keepFactors: Readonly<Record<string, string>> | null;
  /** Meek: iterations of this round so far; null for Scottish. */
  readonly iterations: number | null;
}

/**
 * At every stage, the votes of all options plus `nonTransferable` plus
 * `residue` equal `valid`.
 */
export interface StvResult extends BaseResult {
  readonly method: 'stv';
  readonly variant: 'scottish' | 'meek';
  /** The rule, in words, so that a reader needs no other document. */
  readonly rule: string;
  readonly seats: number;
  /** Ballots counted, blank ones included. */
  readonly ballots: number;
  /** Ballots ranking no option: not valid votes. */
  readonly blank: number;
  /** The total valid vote. */
  readonly valid: number;
  /** Decimal places of every figure. */
  readonly decimals: number;
  /** Scottish: the quota; Meek: the quota of the last stage. */
  readonly quota: string;
  /** Options excluded (defeated), in order. */
  readonly excluded: readonly string[];
  readonly stages: readonly StvStage[];
}
