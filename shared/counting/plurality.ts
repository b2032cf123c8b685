import type { BaseResult, Choice, Contest, CountContext, CountOption, TieRecord } from './types';

/**
 * Plurality: each ballot picks one option; the `seats` options with the most
 * votes win, most votes first.
 *
 * This file also holds the few helpers every non-STV method shares (the lot,
 * electing the top options, exact decimals): plurality is the simplest of
 * them, and keeping the helpers here keeps them in one place.
 */

export type ContestOf<M extends Contest['method']> = Extract<Contest, { readonly method: M }>;

export interface PluralityResult extends BaseResult {
  readonly method: 'plurality';
  /** Ballots counted. */
  readonly ballots: number;
  /** Votes per option id; every option appears, zero included. */
  readonly votes: Readonly<Record<string, number>>;
}

export function countPlurality(
  contest: ContestOf<'plurality'>,
  ballots: readonly Choice[],
  ctx: CountContext,
): PluralityResult {
  const lot = lotRanks(contest, ctx);
  const votes = new Map<string, number>(contest.options.map((o) => [o.id, 0]));
  for (const ballot of ballots) {
    if (!('pick' in ballot)) throw new Error('plurality ballot without "pick": choices must pass checkChoice first');
    const before = votes.get(ballot.pick);
    if (before === undefined) throw new Error(`plurality ballot picks unknown option ${JSON.stringify(ballot.pick)}`);
    votes.set(ballot.pick, before + 1);
  }
  const { winners, ties } = electTop(
    contest.options.filter((o) => (votes.get(o.id) ?? 0) > 0).map((o) => o.id),
    (a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0),
    contest.seats,
    lot,
  );
  return { method: 'plurality', winners, ties, ballots: ballots.length, votes: Object.fromEntries(votes) };
}

// ---------------------------------------------------------------------------
// Shared helpers

/**
 * The lot as a rank per option id (0 = most favoured). Throws when `lotOrder`
 * does not hold every option exactly once (and nothing else): the caller computes it from the
 * board, so a gap is a bug, and counting on would settle a tie unfairly.
 */
export function lotRanks(contest: { readonly options: readonly CountOption[]; readonly seats: number }, ctx: CountContext): ReadonlyMap<string, number> {
  if (!Number.isSafeInteger(contest.seats) || contest.seats < 1) {
    throw new Error(`seats must be a positive integer, got ${String(contest.seats)}`);
  }
  const ids = new Set<string>();
  for (const option of contest.options) {
    if (ids.has(option.id)) throw new Error(`option id ${JSON.stringify(option.id)} appears twice in the contest`);
    ids.add(option.id);
  }
  const ranks = new Map<string, number>();
  ctx.lotOrder.forEach((id, i) => {
    if (!ids.has(id)) throw new Error(`lotOrder names ${JSON.stringify(id)}, which is not an option`);
    if (ranks.has(id)) throw new Error(`lotOrder names ${JSON.stringify(id)} twice`);
    ranks.set(id, i);
  });
  for (const id of ids) if (!ranks.has(id)) throw new Error(`lotOrder lacks option ${JSON.stringify(id)}`);
  return ranks;
}

/** The lot rank of an option; lotRanks has already checked every option is there. */
export function lotRankOf(lot: ReadonlyMap<string, number>, id: string): number {
  const rank = lot.get(id);
  if (rank === undefined) throw new Error(`option ${JSON.stringify(id)} is not in the lot`);
  return rank;
}

/**
 * Orders `eligible` by `compare` (negative: `a` ranks above `b`) and takes the
 * first `seats`. Options `compare` cannot separate are ordered by the lot, and
 * every such tie that decides who is elected, or in which order, is recorded:
 * one record per place filled from a tie, naming the options still tied for
 * that place and the one the lot favoured.
 */
export function electTop(
  eligible: readonly string[],
  compare: (a: string, b: string) => number,
  seats: number,
  lot: ReadonlyMap<string, number>,
): { winners: string[]; ties: TieRecord[] } {
  const order = [...eligible].sort((a, b) => compare(a, b) || lotRankOf(lot, a) - lotRankOf(lot, b));
  const ties: TieRecord[] = [];
  const places = Math.min(seats, order.length);
  let start = 0;
  while (start < places) {
    let end = start + 1;
    while (end < order.length && compare(order[start] as string, order[end] as string) === 0) end += 1;
    for (let place = start; place < Math.min(end, places) && end - place > 1; place += 1) {
      ties.push({ decision: 'elect', tied: order.slice(place, end), by: 'lot', chosen: order[place] as string });
    }
    start = end;
  }
  return { winners: order.slice(0, places), ties };
}

/**
 * `numerator / denominator` as a decimal string with `places` decimals,
 * rounded half away from zero ("2/3" at 6 places is "0.666667", "-1/8" at 2
 * is "-0.13"). Trailing zeros are kept so every figure of a kind has the same
 * width. Only for showing a figure: decisions compare the exact fraction.
 */
export function decimalString(numerator: bigint, denominator: bigint, places: number): string {
  if (denominator === 0n) throw new Error('decimalString: zero denominator');
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const num = numerator < 0n ? -numerator : numerator;
  const den = denominator < 0n ? -denominator : denominator;
  const scale = 10n ** BigInt(places);
  const scaled = (num * scale * 2n + den) / (den * 2n);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(places, '0');
  const body = places > 0 ? `${whole.toString()}.${fraction}` : whole.toString();
  return negative && scaled !== 0n ? `-${body}` : body;
}
