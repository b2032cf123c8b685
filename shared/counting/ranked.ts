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

const idOf = (option: CountOption): string => option.id;

/** `data`, or a copy at least twice as long when it holds fewer than `size` entries. */
function grown<T extends Uint16Array | Uint32Array>(data: T, size: number, make: new (length: number) => T): T {
  if (size <= data.length) return data;
  let cap = data.length * 2;
  while (cap < size) cap *= 2;
  const next = new make(cap);
  next.set(data);
  return next;
}

/** Most options a ranking may hold for its key (see buildProfile) to be exact: base^length <= 2^53, base = options + 1. */
export function exactKeyLength(optionCount: number): number {
  return lengthBelow(optionCount + 1, 2 ** 53);
}

/** The largest length with base^length <= limit (limit at most 2^53, so every power compared is exact). */
function lengthBelow(base: number, limit: number): number {
  let length = 0;
  for (let p = base; p <= limit; p *= base) length++;
  return length;
}

/** Keys of rankings this short index a plain array of at most this many entries. */
const DIRECT_ENTRIES = 1 << 18;
/** Groups per chunk of the group store: chunks are never copied, so the store leaves no garbage as it grows. */
const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/** murmur3's finaliser: spreads a 32-bit hash over the low bits a table mask keeps. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Hash of an exact key (an integer below 2^53): its low and high 32 bits, mixed. */
function keyHash(key: number): number {
  return mix((key >>> 0) ^ Math.imul((key / 4294967296) >>> 0, 0x9e3779b1));
}

/** Hash of a ranking too long for an exact key. */
function rankingHash(ranking: Uint16Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let p = from; p < to; p++) h = Math.imul(h ^ (ranking[p] ?? 0), 0x01000193);
  return mix(h);
}

/** Hash of an option id from its length and three of its characters (the last two and the middle one). */
function idHash(id: string): number {
  const len = id.length;
  return mix(Math.imul(len, 0x9e3779b1) ^ Math.imul(id.charCodeAt(len - 1) | 0, 0x85ebca6b) ^ Math.imul(id.charCodeAt(len - 2) | 0, 0xc2b2ae35) ^ (id.charCodeAt(len >> 1) | 0));
}

/**
 * Option ids to indexes for the ballot loop, cheaper than Map.get: a table
 * of option index + 1 under idHash, a hit confirmed by comparing the id
 * itself (the same string object, as ballots built from the contest
 * usually hold, compares at once). Ids that share the sampled characters
 * only make longer probes; when many options share a hash the table is not
 * used (null) and the Map serves.
 */
function idTable(ids: readonly string[]): Int32Array | null {
  let size = 16;
  while (size < ids.length * 4) size *= 2;
  const table = new Int32Array(size);
  const mask = size - 1;
  const hashes = new Set<number>();
  for (const [i, id] of ids.entries()) {
    const h = idHash(id);
    hashes.add(h);
    let s = h & mask;
    while ((table[s] ?? 0) !== 0) s = (s + 1) & mask;
    table[s] = i + 1;
  }
  return hashes.size * 8 >= ids.length * 7 ? table : null;
}

/**
 * Checks the ballots and groups identical rankings, in the order each
 * ranking is first seen. `maxValid` bounds the number of valid ballots so
 * that the caller's scaled integers stay exact.
 *
 * Each ballot is read once, its option ids turned into indexes (through
 * idTable) and at the same time into the digits of its key: in base n + 1, each option index
 * plus one, so that no digit is 0 and rankings of different lengths differ.
 * A key of at most `exactKeyLength(n)` digits (12 for 20 options, 3 for the
 * most options the library takes) is below 2^53, an exact JS integer, and
 * different rankings have different keys: such rankings are grouped by key
 * alone, with no entry-by-entry check. The shortest rankings (keys below
 * 2^18) index a plain array; the rest go through an open-addressing table of
 * group indexes, a hit being confirmed by the group's key, which sits beside
 * its count. A group keeps only its key and count while the ballots are
 * read; the rankings are written out from the keys at the end, once, into
 * arrays of the final size. Rankings too long for an exact key (rare: more
 * than 12 of 20 options) share the table under a hash of their entries, are
 * stored as they come and are confirmed entry by entry.
 *
 * A large count thus allocates little beyond what it returns, which matters
 * on a large heap: typed arrays are memory outside the JS heap, and enough of
 * it makes V8 mark the whole heap (every ballot object) again.
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
  for (let position = 0; position < lotOrder.length; position++) lotRank[index.get(lotOrder[position] ?? '') ?? 0] = position;
  const base = n + 1;
  const exactLength = exactKeyLength(n);
  const directLength = Math.max(1, lengthBelow(base, Math.min(DIRECT_ENTRIES, Math.max(256, 2 * ballots.length))));
  const direct = new Int32Array(base ** directLength); // keys below base^directLength: group index + 1, 0 = none yet

  // The group store: group g's key (-1 - i for the i-th long ranking) sits
  // at 2 * (g & CHUNK_MASK) in chunk g >> CHUNK_BITS, and its ballots next to it.
  // (Made with its first chunk: an array that starts empty changes its kind
  // of elements at the first push, which would throw the optimised code away.)
  let chunk = new Float64Array(2 << CHUNK_BITS);
  const chunks: Float64Array[] = [chunk];
  // Long rankings, as they come.
  let longCand = new Uint16Array(64);
  let longStart = new Uint32Array(16);
  let longs = 0;
  // Group index + 1 (0 = empty), for rankings longer than directLength.
  let table: Int32Array = new Int32Array(256);
  let mask = table.length - 1;
  let hashed = 0;

  const ids = options.map(idOf);
  const byHash = idTable(ids);
  const idSlots = byHash ?? new Int32Array(0);
  const idMask = idSlots.length - 1;
  const stamp = new Int32Array(n);
  const scratch = new Uint16Array(n);
  let groups = 0;
  let valid = 0;
  let blank = 0;

  // No closure here: a closure made afresh at each call and inlined by the
  // optimiser would be a different call target at the next call and throw
  // the optimised code away, leaving the next large count to the interpreter.
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
    const mark = i + 1;
    let key = 0;
    for (let k = 0; k < len; k++) {
      const id = ranking[k] ?? '';
      let c = -1;
      if (byHash === null || typeof id !== 'string') {
        c = index.get(id) ?? -1;
      } else {
        for (let s = idHash(id) & idMask; ; s = (s + 1) & idMask) {
          const entry = idSlots[s] ?? 0;
          if (entry === 0) break;
          if (ids[entry - 1] === id) {
            c = entry - 1;
            break;
          }
        }
      }
      if (c < 0) throw new Error(`ballot ${i} ranks unknown option ${JSON.stringify(id)}`);
      if (stamp[c] === mark) throw new Error(`ballot ${i} ranks ${JSON.stringify(id)} twice`);
      stamp[c] = mark;
      scratch[k] = c;
      key = key * base + c + 1; // past exactLength digits no longer exact, and then not used
    }

    let found = -1;
    if (len <= directLength) {
      found = (direct[key] ?? 0) - 1;
      if (found < 0) direct[key] = groups + 1;
    } else if (len <= exactLength) {
      let s = keyHash(key) & mask;
      for (let entry = table[s] ?? 0; entry !== 0; entry = table[s] ?? 0) {
        if ((chunks[(entry - 1) >>> CHUNK_BITS] ?? chunk)[((entry - 1) & CHUNK_MASK) * 2] === key) {
          found = entry - 1;
          break;
        }
        s = (s + 1) & mask;
      }
      if (found < 0) {
        table[s] = groups + 1;
        hashed++;
      }
    } else {
      let s = rankingHash(scratch, 0, len) & mask;
      for (let entry = table[s] ?? 0; entry !== 0; entry = table[s] ?? 0) {
        const stored = (chunks[(entry - 1) >>> CHUNK_BITS] ?? chunk)[((entry - 1) & CHUNK_MASK) * 2] ?? 0;
        if (stored < 0 && sameRanking(longCand, longStart[-1 - stored] ?? 0, longStart[-stored] ?? 0, scratch, len)) {
          found = entry - 1;
          break;
        }
        s = (s + 1) & mask;
      }
      if (found < 0) {
        table[s] = groups + 1;
        hashed++;
        const from = longStart[longs] ?? 0;
        longCand = grown(longCand, from + len, Uint16Array);
        for (let k = 0; k < len; k++) longCand[from + k] = scratch[k] ?? 0;
        longStart = grown(longStart, longs + 2, Uint32Array);
        longStart[longs + 1] = from + len;
        key = -1 - longs++;
      }
    }
    if (found >= 0) {
      const store = chunks[found >>> CHUNK_BITS] ?? chunk;
      const at = (found & CHUNK_MASK) * 2 + 1;
      store[at] = (store[at] ?? 0) + weight;
      continue;
    }
    const at = (groups & CHUNK_MASK) * 2;
    if (at === 0 && groups > 0) {
      chunk = new Float64Array(2 << CHUNK_BITS);
      chunks.push(chunk);
    }
    chunk[at] = key;
    chunk[at + 1] = weight;
    groups++;
    if (hashed * 2 > table.length) {
      table = rehash(table.length * 2, chunks, groups, direct.length, longCand, longStart);
      mask = table.length - 1;
    }
  }

  // The rankings, written out from the keys: lengths first, then the digits, last first.
  const powers = new Float64Array(exactLength + 1);
  powers[0] = 1;
  for (let k = 1; k <= exactLength; k++) powers[k] = (powers[k - 1] ?? 0) * base;
  const start = new Uint32Array(groups + 1);
  const count = new Float64Array(groups);
  let top = 0;
  for (let g = 0; g < groups; g++) {
    const store = chunks[g >>> CHUNK_BITS] ?? chunk;
    const at = (g & CHUNK_MASK) * 2;
    const key = store[at] ?? 0;
    count[g] = store[at + 1] ?? 0;
    let len = 1;
    if (key < 0) len = (longStart[-key] ?? 0) - (longStart[-1 - key] ?? 0);
    else while (key >= (powers[len] ?? Infinity)) len++;
    start[g] = top;
    top += len;
  }
  start[groups] = top;
  const cand = new Uint16Array(top);
  for (let g = 0; g < groups; g++) {
    let key = (chunks[g >>> CHUNK_BITS] ?? chunk)[(g & CHUNK_MASK) * 2] ?? 0;
    const from = start[g] ?? 0;
    if (key < 0) {
      const at = (longStart[-1 - key] ?? 0) - from;
      for (let p = from; p < (start[g + 1] ?? 0); p++) cand[p] = longCand[at + p] ?? 0;
      continue;
    }
    // key < 2^53 and base a positive integer: the floor of the rounded quotient is the exact one.
    for (let p = (start[g + 1] ?? 0) - 1; p >= from; p--) {
      const q = Math.floor(key / base);
      cand[p] = key - q * base - 1;
      key = q;
    }
  }
  return { ids, groups, start, cand, count, valid, blank, lotRank };
}

/** The hash table of buildProfile rebuilt at `size` slots from the group store. */
function rehash(size: number, chunks: readonly Float64Array[], groups: number, directSize: number, longCand: Uint16Array, longStart: Uint32Array): Int32Array {
  const table = new Int32Array(size);
  const mask = size - 1;
  for (let g = 0; g < groups; g++) {
    const key = chunks[g >>> CHUNK_BITS]?.[(g & CHUNK_MASK) * 2] ?? 0;
    if (key >= 0 && key < directSize) continue; // in the direct array
    let s = (key >= 0 ? keyHash(key) : rankingHash(longCand, longStart[-1 - key] ?? 0, longStart[-key] ?? 0)) & mask;
    while ((table[s] ?? 0) !== 0) s = (s + 1) & mask;
    table[s] = g + 1;
  }
  return table;
}

/** Whether stored[from..to) holds the first `len` entries of ranking. */
function sameRanking(stored: Uint16Array, from: number, to: number, ranking: Uint16Array, len: number): boolean {
  if (to - from !== len) return false;
  for (let k = 0; k < len; k++) if (stored[from + k] !== ranking[k]) return false;
  return true;
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
