/**
 * What the ranked counts (IRV, STV) share: the ballot input type, the errors,
 * turning ballots into a compact profile of integer indexes, and tie-breaking.
 */
import type { Choice, CountOption, RankingChoice } from './types';

/**
 * A ranking, optionally standing for `weight` identical ballots (a BLT line).
 * Protocol ballots carry no weight and count once.
 */
export type RankedBallot = RankingChoice & { readonly weight?: number };

/**
 * What the ranked counts accept: checked protocol choices (which must be
 * rankings) or weighted rankings. As everywhere in the counting library, a
 * ballot that could not have passed `checkChoice` is a bug upstream and
 * throws.
 */
export type RankedInput = readonly (Choice | RankedBallot)[];

/**
 * Ballots as integer indexes, identical rankings grouped. Group g ranks
 * cand[start[g]] .. cand[start[g + 1] - 1] (option indexes, most preferred
 * first) and stands for count[g] ballots. Blank ballots form no group.
 */
export interface Profile {
  readonly ids: readonly string[];
  readonly groups: number;
  readonly start: Uint32Array;
  readonly cand: Uint16Array;
  /** Integers only (a Float64Array holds them exactly below 2^53). */
  readonly count: Float64Array;
  /** Ballots ranking at least one option. */
  readonly valid: number;
  /** Ballots ranking nothing: not valid votes, reported apart. */
  readonly blank: number;
  /** Position of each option in the lot order: lower is more favoured. */
  readonly lotRank: Int32Array;
}

export const MAX_OPTIONS = 65535;

/** Option index by id; throws on a malformed contest or lot (bugs upstream, see plurality.ts lotRanks). */
export function checkOptions(options: readonly CountOption[], seats: number, lotOrder: readonly string[]): Map<string, number> {
  if (!Number.isSafeInteger(seats) || seats < 1) throw new Error(`seats must be a positive integer, got ${String(seats)}`);
  if (options.length === 0) throw new Error('the contest has no options');
  if (options.length > MAX_OPTIONS) throw new Error(`at most ${MAX_OPTIONS} options can be counted`);
  const index = new Map<string, number>();
  for (const [i, option] of options.entries()) {
    if (index.has(option.id)) throw new Error(`option id ${JSON.stringify(option.id)} appears twice in the contest`);
    index.set(option.id, i);
  }
  const seen = new Set<string>();
  for (const id of lotOrder) {
    if (!index.has(id)) throw new Error(`lotOrder names ${JSON.stringify(id)}, which is not an option`);
    if (seen.has(id)) throw new Error(`lotOrder names ${JSON.stringify(id)} twice`);
    seen.add(id);
  }
  if (seen.size !== options.length) throw new Error('lotOrder must hold every option exactly once');
  return index;
}

class Growable<T extends Uint16Array | Uint32Array | Int32Array | Float64Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  ensure(size: number): void {
    if (size <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < size) cap *= 2;
    const next = this.make(cap);
    next.set(this.data);
    this.data = next;
  }
}

/**
 * Checks the ballots and groups identical rankings. `maxValid` bounds the
 * number of valid ballots so that the caller's scaled integers stay exact.
 */
export function buildProfile(
  options: readonly CountOption[],
  seats: number,
  ballots: RankedInput,
  lotOrder: readonly string[],
  maxValid: number,
): Profile {
  const index = checkOptions(options, seats, lotOrder);
  const n = options.length;
  const lotRank = new Int32Array(n);
  lotOrder.forEach((id, position) => {
    lotRank[index.get(id) ?? 0] = position;
  });

  // Sized from the input so that large counts never copy or rehash; the
  // table starts at twice the ballots (up to 2^22 slots) and grows past that.
  let entries = 0;
  for (const ballot of ballots) if ('ranking' in ballot) entries += ballot.ranking.length;
  const expected = Math.min(ballots.length, 1 << 21) + 1;
  const cand = new Growable(new Uint16Array(Math.max(entries, 16)), (k) => new Uint16Array(k));
  const start = new Growable(new Uint32Array(expected + 1), (k) => new Uint32Array(k));
  const count = new Growable(new Float64Array(expected), (k) => new Float64Array(k));
  const hashes = new Growable(new Int32Array(expected), (k) => new Int32Array(k));
  let slots = 1024;
  while (slots < expected * 2) slots *= 2;
  let table = new Int32Array(slots); // group index + 1, 0 = empty slot
  let mask = table.length - 1;
  const stamp = new Int32Array(n);
  let groups = 0;
  let top = 0; // end of the last stored ranking in cand
  let valid = 0;
  let blank = 0;

  for (let i = 0; i < ballots.length; i++) {
    const ballot = ballots[i];
    if (ballot === undefined) continue;
    if (!('ranking' in ballot)) throw new Error(`ballot ${i} has no "ranking": choices must pass checkChoice first`);
    const weight = 'weight' in ballot && ballot.weight !== undefined ? ballot.weight : 1;
    if (!Number.isSafeInteger(weight) || weight < 1) throw new Error(`ballot ${i}: weight must be a positive integer, got ${String(weight)}`);
    const ranking = ballot.ranking;
    const len = ranking.length;
    if (len === 0) {
      blank += weight;
      continue;
    }
    valid += weight;
    if (valid > maxValid) throw new Error(`at most ${maxValid} ballots can be counted exactly by this method`);
    cand.ensure(top + len);
    const buf = cand.data;
    const mark = i + 1;
    let h = 0x811c9dc5;
    for (let k = 0; k < len; k++) {
      const id = ranking[k] ?? '';
      const c = index.get(id);
      if (c === undefined) throw new Error(`ballot ${i} ranks unknown option ${JSON.stringify(id)}`);
      if (stamp[c] === mark) throw new Error(`ballot ${i} ranks ${JSON.stringify(id)} twice`);
      stamp[c] = mark;
      buf[top + k] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    h |= 0;
    let slot = h & mask;
    let found = -1;
    for (;;) {
      const entry = table[slot] ?? 0;
      if (entry === 0) break;
      const g = entry - 1;
      if (hashes.data[g] === h) {
        const gs = start.data[g] ?? 0;
        const ge = start.data[g + 1] ?? 0;
        if (ge - gs === len) {
          let same = true;
          for (let k = 0; k < len; k++) {
            if (buf[gs + k] !== buf[top + k]) {
              same = false;
              break;
            }
          }
          if (same) {
            found = g;
            break;
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    if (found >= 0) {
      count.data[found] = (count.data[found] ?? 0) + weight;
      continue;
    }
    const g = groups++;
    start.ensure(groups + 1);
    count.ensure(groups);
    hashes.ensure(groups);
    start.data[g] = top;
    top += len;
    start.data[g + 1] = top;
    count.data[g] = weight;
    hashes.data[g] = h;
    table[slot] = g + 1;
    if (groups * 2 > table.length) {
      table = new Int32Array(table.length * 2);
      mask = table.length - 1;
      for (let e = 0; e < groups; e++) {
        let s = (hashes.data[e] ?? 0) & mask;
        while ((table[s] ?? 0) !== 0) s = (s + 1) & mask;
        table[s] = e + 1;
      }
    }
  }
  const startArr = start.data.slice(0, groups + 1);
  return {
    ids: options.map((o) => o.id),
    groups,
    start: startArr,
    cand: cand.data.slice(0, top),
    count: count.data.slice(0, groups),
    valid,
    blank,
    lotRank,
  };
}

export interface TieBreak {
  readonly chosen: number;
  readonly by: 'lookback' | 'lot';
}

/**
 * Settles a tie among `tied` option indexes. `history` holds the figures of
 * the earlier stages, oldest first; the most recent stage at which the tied
 * options differ decides (narrowing down if several still share the extreme
 * there), as in SSI 2007/42 rules 49(2) and 51(2). What no stage settles goes
 * to the lot: for 'lowest' (whom to exclude) the least favoured option, for
 * 'highest' (whom to take first) the most favoured.
 */
export function breakTie(
  tied: readonly number[],
  history: readonly ArrayLike<number>[],
  pick: 'lowest' | 'highest',
  lotRank: Int32Array,
): TieBreak {
  let set = [...tied];
  for (let s = history.length - 1; s >= 0 && set.length > 1; s--) {
    const figures = history[s];
    if (figures === undefined) continue;
    let extreme = figures[set[0] ?? 0] ?? 0;
    for (const c of set) {
      const v = figures[c] ?? 0;
      if (pick === 'lowest' ? v < extreme : v > extreme) extreme = v;
    }
    const narrowed = set.filter((c) => (figures[c] ?? 0) === extreme);
    if (narrowed.length < set.length) set = narrowed;
  }
  if (set.length === 1) return { chosen: set[0] ?? 0, by: 'lookback' };
  return { chosen: byLot(set, pick, lotRank), by: 'lot' };
}

/** The lot alone: for 'lowest' the least favoured, for 'highest' the most favoured. */
export function byLot(set: readonly number[], pick: 'lowest' | 'highest', lotRank: Int32Array): number {
  let chosen = set[0] ?? 0;
  for (const c of set) {
    const better = pick === 'lowest' ? (lotRank[c] ?? 0) > (lotRank[chosen] ?? 0) : (lotRank[c] ?? 0) < (lotRank[chosen] ?? 0);
    if (better) chosen = c;
  }
  return chosen;
}

/** An object keyed by option id, built so that an id like "__proto__" stays an own key. */
export function byOption<T>(ids: readonly string[], value: (i: number) => T): Record<string, T> {
  return Object.fromEntries(ids.map((id, i) => [id, value(i)]));
}
