/**
 * The contract of the counting library: pure functions, no I/O, exact
 * arithmetic (integers or bigint fixed point, never floating point in a count).
 * Used by the server, the browser and the offline verifier alike.
 */

export const METHODS = [
  'plurality',
  'approval',
  'yesno',
  'score',
  'cumulative',
  'borda',
  'irv',
  'stv',
  'schulze',
] as const;
export type Method = (typeof METHODS)[number];

export const RANKED_METHODS = ['borda', 'irv', 'stv', 'schulze'] as const satisfies readonly Method[];
export type RankedMethod = (typeof RANKED_METHODS)[number];

/** Whether ballots of this method are rankings; takes any string so that unchecked input (a CLI flag, a URL) can be asked too. */
export function isRanked(method: string): method is RankedMethod {
  return (RANKED_METHODS as readonly string[]).includes(method);
}

export interface CountOption {
  readonly id: string;
  readonly label: string;
}

/** The `choice` of a protocol ballot, by method (protocol.md, "Ballot"). */
export type PluralityChoice = { readonly pick: string };
export type ApprovalChoice = { readonly approve: readonly string[] };
export type YesNoAnswer = 'yes' | 'no' | 'abstain';
export type YesNoChoice = { readonly answer: YesNoAnswer };
export type ScoreChoice = { readonly scores: Readonly<Record<string, number>> };
export type CumulativeChoice = { readonly points: Readonly<Record<string, number>> };
export type RankingChoice = { readonly ranking: readonly string[] };
export type Choice =
  | PluralityChoice
  | ApprovalChoice
  | YesNoChoice
  | ScoreChoice
  | CumulativeChoice
  | RankingChoice;

/** Method parameters (the round definition's `rules`). Documented in docs/protocol.md. */
export type PluralityRules = Readonly<Record<string, never>>;
export interface ApprovalRules {
  /** Most options one ballot may approve; absent means no limit. */
  readonly maxApprovals?: number;
}
export interface YesNoRules {
  /**
   * Quorum: how many voters must take part (yes + no + abstain).
   * `share` is a fraction of the electorate as numerator/denominator, `absolute` a head count.
   */
  readonly quorum?:
    | { readonly kind: 'share'; readonly numerator: number; readonly denominator: number }
    | { readonly kind: 'absolute'; readonly count: number };
  /**
   * Threshold of yes against yes + no: `simple` means yes > no; `qualified`
   * means yes / (yes + no) >= numerator / denominator (e.g. 2/3).
   */
  readonly threshold?:
    | { readonly kind: 'simple' }
    | { readonly kind: 'qualified'; readonly numerator: number; readonly denominator: number };
}
export interface ScoreRules {
  readonly min: number;
  readonly max: number;
}
export interface CumulativeRules {
  readonly budget: number;
}
export type BordaRules = Readonly<Record<string, never>>;
export type IrvRules = Readonly<Record<string, never>>;
export interface StvRules {
  readonly variant: 'scottish' | 'meek';
}
export type SchulzeRules = Readonly<Record<string, never>>;

/** What to count: a method with its options, seats and rules. */
export type Contest =
  | { readonly method: 'plurality'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: PluralityRules }
  | { readonly method: 'approval'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: ApprovalRules }
  | { readonly method: 'yesno'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: YesNoRules }
  | { readonly method: 'score'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: ScoreRules }
  | { readonly method: 'cumulative'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: CumulativeRules }
  | { readonly method: 'borda'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: BordaRules }
  | { readonly method: 'irv'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: IrvRules }
  | { readonly method: 'stv'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: StvRules }
  | { readonly method: 'schulze'; readonly options: readonly CountOption[]; readonly seats: number; readonly rules: SchulzeRules };

/**
 * Everything a count needs besides the ballots.
 * `lotOrder` is every option id, most favoured first: the lot of protocol.md
 * ("Ties"), ordered by SHA-256(finalHead || optionId). The caller computes it
 * (it needs hashing); the counting code only uses it where the method's own
 * rules leave a tie unsettled, and records each such use in the result.
 */
export interface CountContext {
  readonly electorate?: number; // needed by yesno quorum as a share
  readonly lotOrder: readonly string[];
}

/** How a tie was settled; every result lists every tie it met. */
export interface TieRecord {
  /** Stage number (1-based) for staged methods, absent otherwise. */
  readonly stage?: number;
  /** What was being decided, e.g. "elect", "exclude", "surplus order", "rank". */
  readonly decision: string;
  readonly tied: readonly string[];
  /** How it was settled: by an earlier stage (look-back) or by the lot. */
  readonly by: 'lookback' | 'lot';
  readonly chosen: string;
}

/**
 * Every result has `method`, `winners` (option ids in order of election) and
 * `ties`; the rest is method-specific evidence. All numbers in results are
 * JSON-safe: integers as numbers, fixed-point decimals as strings
 * ("1300.00000"), so a result survives JCS and can be compared byte for byte.
 */
export interface BaseResult {
  readonly method: Method;
  readonly winners: readonly string[];
  readonly ties: readonly TieRecord[];
}
