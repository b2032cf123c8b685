import { electTop, lotRanks, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext } from './types';

/**
 * Cumulative: each ballot spreads whole points over the options, at most
 * `rules.budget` in all (fewer is fine); the `seats` options with the most
 * points win, most points first. An option that got no points is never
 * elected, so a count can return fewer winners than seats.
 */
export interface CumulativeResult extends BaseResult {
  readonly method: 'cumulative';
  /** Ballots counted, blank ones included. */
  readonly ballots: number;
  /** Ballots that gave no points at all. */
  readonly blank: number;
  /** Most points one ballot may give. */
  readonly budget: number;
  /** Points per option id; every option appears, zero included. */
  readonly points: Readonly<Record<string, number>>;
}

export function countCumulative(contest: ContestOf<'cumulative'>, ballots: readonly Choice[], ctx: CountContext): CumulativeResult {
  const lot = lotRanks(contest, ctx);
  const { budget } = contest.rules;
  const points = new Map<string, number>(contest.options.map((o) => [o.id, 0]));
  let blank = 0;
  ballots.forEach((ballot, b) => {
    if (!('points' in ballot)) throw new Error('cumulative ballot without "points": choices must pass checkChoice first');
    let spent = 0;
    for (const [id, given] of Object.entries(ballot.points)) {
      const before = points.get(id);
      if (before === undefined) throw new Error(`ballot ${b} gives points to unknown option ${JSON.stringify(id)}`);
      if (!Number.isSafeInteger(given) || given < 0) throw new Error(`ballot ${b} gives ${String(given)} points to ${JSON.stringify(id)}`);
      spent += given;
      points.set(id, before + given);
    }
    if (spent > budget) throw new Error(`ballot ${b} spends ${spent} points over a budget of ${budget}`);
    if (spent === 0) blank += 1;
  });
  const of = (id: string): number => points.get(id) ?? 0;
  const { winners, ties } = electTop(
    contest.options.map((o) => o.id).filter((id) => of(id) > 0),
    (a, b) => of(b) - of(a),
    contest.seats,
    lot,
  );
  return { method: 'cumulative', winners, ties, ballots: ballots.length, blank, budget, points: Object.fromEntries(points) };
}
