import { decimalString, electTop, lotRanks, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext } from './types';

/** Decimals in a shown mean. */
export const MEAN_PLACES = 6;

/** The order of a score count, stated in every result. */
export const SCORE_ORDER =
  'Highest mean first; equal means by the higher median; then by the lot. Means are compared exactly as fractions; the mean shown is rounded half away from zero to 6 decimals. An option nobody scored is never elected.';

/** One option's evidence. Everything is exact except `mean`, which is rounded for reading. */
export interface ScoreTally {
  /** Ballots that scored this option (the others had no opinion on it). */
  readonly scorers: number;
  /** Sum of its scores; the exact mean is sum / scorers. */
  readonly sum: number;
  /** sum / scorers, rounded half away from zero to MEAN_PLACES decimals; null when nobody scored it. */
  readonly mean: string | null;
  /** Median of its scores, exact, with one decimal ("3.0", "3.5"); null when nobody scored it. */
  readonly median: string | null;
  /** distribution[k] = ballots that gave it the score `scale.min + k`. */
  readonly distribution: readonly number[];
}

/**
 * Score: each ballot gives some options an integer on the scale [min, max];
 * an option left out means "no opinion" and does not pull its mean down. The
 * `seats` options first in SCORE_ORDER win, in that order.
 */
export interface ScoreResult extends BaseResult {
  readonly method: 'score';
  readonly order: typeof SCORE_ORDER;
  /** Ballots counted, those with no scores at all included. */
  readonly ballots: number;
  readonly scale: { readonly min: number; readonly max: number };
  /** Evidence per option id; every option appears. */
  readonly options: Readonly<Record<string, ScoreTally>>;
}

export function countScore(contest: ContestOf<'score'>, ballots: readonly Choice[], ctx: CountContext): ScoreResult {
  const lot = lotRanks(contest, ctx);
  const { min, max } = contest.rules;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
    throw new Error(`score scale [${String(min)}, ${String(max)}] is not a range of integers`);
  }
  const width = max - min + 1;
  const distributions = new Map<string, number[]>(contest.options.map((o) => [o.id, new Array<number>(width).fill(0)]));
  ballots.forEach((ballot, b) => {
    if (!('scores' in ballot)) throw new Error('score ballot without "scores": choices must pass checkChoice first');
    for (const [id, score] of Object.entries(ballot.scores)) {
      const distribution = distributions.get(id);
      if (distribution === undefined) throw new Error(`ballot ${b} scores unknown option ${JSON.stringify(id)}`);
      if (!Number.isSafeInteger(score) || score < min || score > max) {
        throw new Error(`ballot ${b} gives ${JSON.stringify(id)} the score ${String(score)}, outside [${min}, ${max}]`);
      }
      distribution[score - min] = (distribution[score - min] ?? 0) + 1;
    }
  });

  interface Exact { scorers: number; sum: number; twiceMedian: number }
  const exact = new Map<string, Exact>();
  for (const [id, distribution] of distributions) {
    let scorers = 0;
    let sum = 0;
    distribution.forEach((count, k) => {
      scorers += count;
      sum += count * (min + k);
    });
    exact.set(id, { scorers, sum, twiceMedian: scorers > 0 ? nthScore(distribution, (scorers - 1) >> 1) + nthScore(distribution, scorers >> 1) + 2 * min : 0 });
  }
  const of = (id: string): Exact => exact.get(id) ?? { scorers: 0, sum: 0, twiceMedian: 0 };
  const { winners, ties } = electTop(
    contest.options.map((o) => o.id).filter((id) => of(id).scorers > 0),
    (a, b) => {
      const x = of(a);
      const y = of(b);
      // Cross-multiplied so equal means compare equal, which rounding could not promise.
      const byMean = BigInt(y.sum) * BigInt(x.scorers) - BigInt(x.sum) * BigInt(y.scorers);
      if (byMean !== 0n) return byMean < 0n ? -1 : 1;
      return y.twiceMedian - x.twiceMedian;
    },
    contest.seats,
    lot,
  );
  return {
    method: 'score',
    winners,
    ties,
    order: SCORE_ORDER,
    ballots: ballots.length,
    scale: { min, max },
    options: Object.fromEntries(
      contest.options.map((o) => {
        const { scorers, sum, twiceMedian } = of(o.id);
        const tally: ScoreTally = {
          scorers,
          sum,
          mean: scorers > 0 ? decimalString(BigInt(sum), BigInt(scorers), MEAN_PLACES) : null,
          median: scorers > 0 ? decimalString(BigInt(twiceMedian), 2n, 1) : null,
          distribution: distributions.get(o.id) ?? [],
        };
        return [o.id, tally];
      }),
    ),
  };
}

/** The offset from `min` of the n-th smallest score (0-based) in a distribution. */
function nthScore(distribution: readonly number[], n: number): number {
  let seen = 0;
  for (let k = 0; k < distribution.length; k += 1) {
    seen += distribution[k] ?? 0;
    if (seen > n) return k;
  }
  throw new Error('nthScore: fewer scores than asked for');
}
