import { electTop, lotRanks, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext } from './types';

/** How ballots score, stated in every Borda result so a reader needs no other document. */
export const BORDA_SCORING =
  'With n options, the option a ballot ranks at position i (0 for its first choice) gets n - 1 - i points; options a ballot leaves unranked get 0 points from it.';

/**
 * Borda: ballots rank options (strictly, and may stop early); the `seats`
 * options with the most points win, most points first. Truncated ballots are
 * not padded: the ranked options score as on a full ballot and the unranked
 * ones get nothing, so a voter who ranks fewer options gives the same points to
 * the ones they did rank. An option no ballot ranks is never elected, so a
 * count can return fewer winners than seats.
 */
export interface BordaResult extends BaseResult {
  readonly method: 'borda';
  readonly scoring: typeof BORDA_SCORING;
  /** Ballots counted, empty rankings included. */
  readonly ballots: number;
  /** Points per option id; every option appears, zero included. */
  readonly points: Readonly<Record<string, number>>;
  /** Ballots that rank each option at all; every option appears. */
  readonly rankedBy: Readonly<Record<string, number>>;
}

export function countBorda(contest: ContestOf<'borda'>, ballots: readonly Choice[], ctx: CountContext): BordaResult {
  const lot = lotRanks(contest, ctx);
  const n = contest.options.length;
  const index = new Map(contest.options.map((o, i) => [o.id, i]));
  const points = new Array<number>(n).fill(0);
  const rankedBy = new Array<number>(n).fill(0);
  const seenOnBallot = new Int32Array(n).fill(-1);
  ballots.forEach((ballot, b) => {
    if (!('ranking' in ballot)) throw new Error('borda ballot without "ranking": choices must pass checkChoice first');
    ballot.ranking.forEach((id, position) => {
      const i = index.get(id);
      if (i === undefined) throw new Error(`ballot ${b} ranks unknown option ${JSON.stringify(id)}`);
      if (seenOnBallot[i] === b) throw new Error(`ballot ${b} ranks ${JSON.stringify(id)} twice`);
      seenOnBallot[i] = b;
      points[i] = (points[i] ?? 0) + (n - 1 - position);
      rankedBy[i] = (rankedBy[i] ?? 0) + 1;
    });
  });
  const pointsOf = (id: string): number => points[index.get(id) ?? -1] ?? 0;
  const rankedByOf = (id: string): number => rankedBy[index.get(id) ?? -1] ?? 0;
  const ids = contest.options.map((o) => o.id);
  const { winners, ties } = electTop(
    ids.filter((id) => rankedByOf(id) > 0),
    (a, b) => pointsOf(b) - pointsOf(a),
    contest.seats,
    lot,
  );
  return {
    method: 'borda',
    winners,
    ties,
    scoring: BORDA_SCORING,
    ballots: ballots.length,
    points: Object.fromEntries(ids.map((id) => [id, pointsOf(id)])),
    rankedBy: Object.fromEntries(ids.map((id) => [id, rankedByOf(id)])),
  };
}
