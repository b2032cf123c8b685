import { formatFixed, mulDivCeilFraction } from './fixed';
import type { ContestOf } from './plurality';
import { buildProfile, byLot, byOption, type Profile, type RankedInput } from './ranked';
import type { StvAction, StvResult, StvStage } from './stv';
import { stvResult } from './stv-result';
import type { CountContext, TieRecord } from './types';

/** Every figure is held as an integer number of 10^-9 votes. */
const PLACES = 9;
const SCALE = 1_000_000_000n;
/** omega = 10^-6 */
const OMEGA = 1_000n;
const SCALE_NUMBER = 1_000_000_000;
/**
 * Up to this many valid ballots every figure of a count, at most
 * valid * 10^9, is an integer below 2^53 and so exact as a JS number: the
 * ballots then go through the keep factors in numbers (see passClasses).
 * Past it they go through them in bigint.
 */
export const MAX_NUMBER_VALID = Math.floor(Number.MAX_SAFE_INTEGER / SCALE_NUMBER);

export const MEEK_RULE =
  "The Proportional Representation Foundation's reference Meek rule: fixed-point arithmetic at 9 decimals, omega 0.000001, one defeat at a time. " +
  'Each ballot gives each hopeful or elected option on it, in order, its weight times the option\'s keep factor (rounded up) and goes on with the rest. ' +
  'Quota: the votes for hopeful and elected options divided by one more than the seats, truncated, plus 0.000000001. Options reaching the quota are elected (listed in ballot order when elected together). ' +
  'Keep factors of elected options are set to keep factor times quota (rounded up) divided by votes (rounded up) until the total surplus is below omega or stops falling; ' +
  'then the hopeful option with the fewest votes is defeated, every hopeful option within the total surplus of the fewest being tied with it, and ties going to the lot (the least favoured is defeated). ' +
  'When as many options are hopeful as seats remain they are elected; when the seats are filled the rest are defeated. Blank ballots are not valid votes.';

const HOPEFUL = 0;
const ELECTED = 1;
const DEFEATED = 2;

/**
 * Step B.2.a, every ballot through the keep factors: fills `votes` (per
 * option, in 10^-9 votes) and returns the votes exhausted. `status` says
 * which options are hopeful, elected or defeated; the votes depend on the
 * keep factors alone (hopeful 1, defeated 0), which the status only helps
 * the fast way to organise.
 */
type Distribute = (keep: readonly bigint[], status: Uint8Array, votes: bigint[]) => bigint;

export interface MeekOptions {
  /**
   * How the ballots go through the keep factors: 'auto' (the default) in
   * numbers over the tree of rankings when MAX_NUMBER_VALID allows, else in
   * bigint; 'bigint' always in bigint, ballot group by ballot group, the
   * plain reference the tests hold the fast way to.
   */
  readonly arithmetic?: 'auto' | 'bigint';
}

/**
 * Single transferable vote by the PR Foundation's reference Meek rule, with
 * 9-decimal fixed point held as integers. The stages follow the reference
 * implementation's log: one stage per option elected or defeated, with the
 * votes of the iteration that decided it.
 *
 * The rule's own steps (quota, elections, keep factors, surplus, defeats)
 * work in bigint: they touch each option once per iteration. The ballots go
 * through the keep factors by `treeDistribution` (JS numbers over classes of
 * ballots) when the count is small enough for exact numbers, else by
 * `bigintDistribution` (the rule as written, ballot group by group); both
 * give the same integers.
 */
export function countMeek(contest: ContestOf<'stv'>, ballots: RankedInput, ctx: CountContext, opts: MeekOptions = {}): StvResult {
  const { options, seats } = contest;
  const profile = buildProfile(options, seats, ballots, ctx.lotOrder, Number.MAX_SAFE_INTEGER);
  const { ids, lotRank } = profile;
  const n = ids.length;
  const labels = options.map((o) => o.label);
  const fmt = (v: bigint): string => formatFixed(v, PLACES);
  const total = BigInt(profile.valid) * SCALE;
  const places = BigInt(seats + 1);
  const distribute = opts.arithmetic !== 'bigint' && profile.valid <= MAX_NUMBER_VALID ? treeDistribution(profile) : bigintDistribution(profile);

  const status = new Uint8Array(n);
  const keep: bigint[] = new Array<bigint>(n).fill(SCALE);
  const votes: bigint[] = new Array<bigint>(n).fill(0n);
  let exhausted = distribute(keep, status, votes); // first preferences: every keep factor is 1
  let dirty = false; // keep factors changed since the votes were distributed
  let quota = total / places + 1n;
  let hopeful = n;
  let iterations = 0;
  const winners: number[] = [];
  const defeated: number[] = [];
  const ties: TieRecord[] = [];
  const stages: StvStage[] = [];

  let previous: { votes: bigint[]; nt: bigint; residue: bigint } | null = null;
  const record = (action: StvAction, description: string, elected: number[], out: number[]): void => {
    // Nothing is lost to rounding in Meek (what a ballot keeps back stays on
    // it), so the residue is zero; it is computed, not assumed.
    const residue = total - exhausted - votes.reduce((a, b) => a + b, 0n);
    const before = previous;
    stages.push({
      stage: stages.length + 1,
      action,
      description,
      quota: fmt(quota),
      votes: byOption(ids, (i) => fmt(votes[i] ?? 0n)),
      transfers:
        before === null
          ? null
          : {
              votes: byOption(ids, (i) => fmt((votes[i] ?? 0n) - (before.votes[i] ?? 0n))),
              nonTransferable: fmt(exhausted - before.nt),
              residue: fmt(residue - before.residue),
            },
      nonTransferable: fmt(exhausted),
      residue: fmt(residue),
      elected: elected.map((c) => ids[c] ?? ''),
      excluded: out.map((c) => ids[c] ?? ''),
      keepFactors: byOption(ids, (i) => fmt(keep[i] ?? 0n)),
      iterations: action.kind === 'first-preferences' ? null : iterations,
    });
    previous = { votes: votes.slice(), nt: exhausted, residue };
  };

  const elect = (c: number, kind: 'elect' | 'elect-remaining'): void => {
    status[c] = ELECTED;
    hopeful--;
    winners.push(c);
    const label = labels[c] ?? '';
    record({ kind, option: ids[c] ?? '' }, kind === 'elect' ? `${label} reached the quota: elected` : `${label} elected to fill a remaining seat`, [c], []);
  };

  record({ kind: 'first-preferences' }, 'First preferences', [], []);
  if (profile.valid === 0) return finish();

  // B.1: rounds while there are more hopefuls than seats left to fill.
  while (hopeful > seats - winners.length && seats - winners.length > 0) {
    iterations = 0;
    let lastSurplus = total;
    let outcome: 'elected' | 'omega' | 'stable';
    let surplus: bigint;
    // B.2: iterate.
    for (;;) {
      iterations++;
      // Votes are a function of the keep factors alone: unchanged factors
      // (the first iteration after an election) leave them as they are.
      if (dirty) {
        exhausted = distribute(keep, status, votes);
        dirty = false;
      }
      let sum = 0n;
      for (let c = 0; c < n; c++) if (status[c] !== DEFEATED) sum += votes[c] ?? 0n;
      quota = sum / places + 1n;
      let electedNow = false;
      for (let c = 0; c < n; c++) {
        if (status[c] === HOPEFUL && (votes[c] ?? 0n) >= quota) {
          elect(c, 'elect');
          electedNow = true;
        }
      }
      surplus = 0n;
      for (let c = 0; c < n; c++) if (status[c] === ELECTED) surplus += (votes[c] ?? 0n) - quota;
      if (surplus < 0n) surplus = 0n;
      if (electedNow) {
        outcome = 'elected';
        break;
      }
      if (surplus < OMEGA) {
        outcome = 'omega';
        break;
      }
      if (surplus >= lastSurplus) {
        outcome = 'stable';
        break;
      }
      lastSurplus = surplus;
      // B.2.f: kf * quota rounded up, divided by votes rounded up.
      for (let c = 0; c < n; c++) {
        const v = votes[c] ?? 0n;
        if (status[c] === ELECTED && v > 0n) keep[c] = ceilDiv(ceilDiv((keep[c] ?? 0n) * quota, SCALE) * SCALE, v);
      }
      dirty = true;
    }
    if (outcome === 'elected') continue;

    // B.3: defeat the lowest hopeful; all within the surplus of it are tied.
    let low = -1n;
    for (let c = 0; c < n; c++) if (status[c] === HOPEFUL && (low < 0n || (votes[c] ?? 0n) < low)) low = votes[c] ?? 0n;
    const tied: number[] = [];
    for (let c = 0; c < n; c++) if (status[c] === HOPEFUL && (votes[c] ?? 0n) <= low + surplus) tied.push(c);
    let loser = tied[0] ?? 0;
    if (tied.length > 1) {
      loser = byLot(tied, 'lowest', lotRank);
      ties.push({ stage: stages.length + 1, decision: 'exclude', tied: tied.map((c) => ids[c] ?? ''), by: 'lot', chosen: ids[loser] ?? '' });
    }
    status[loser] = DEFEATED;
    hopeful--;
    defeated.push(loser);
    const why = outcome === 'omega' ? `surplus ${fmt(surplus)} below omega` : `surplus ${fmt(surplus)} no longer falling`;
    record(
      { kind: 'defeat', option: ids[loser] ?? '', surplus: fmt(surplus), reason: outcome },
      `${labels[loser] ?? ''} defeated (${why})`,
      [],
      [loser],
    );
    keep[loser] = 0n;
    votes[loser] = 0n;
    dirty = true;
  }

  // C: fill or close. After a defeat the votes are redistributed once so
  // that these stages show where the defeated option's votes went.
  if (dirty && hopeful > 0) exhausted = distribute(keep, status, votes);
  for (let c = 0; c < n; c++) {
    if (status[c] !== HOPEFUL) continue;
    if (winners.length < seats) {
      elect(c, 'elect-remaining');
    } else {
      status[c] = DEFEATED;
      defeated.push(c);
      record({ kind: 'defeat-remaining', option: ids[c] ?? '' }, `${labels[c] ?? ''} defeated: every seat is filled`, [], [c]);
    }
  }
  return finish();

  function finish(): StvResult {
    return stvResult({ variant: 'meek', rule: MEEK_RULE, seats, decimals: PLACES, profile, winners, excluded: defeated, ties, quota: fmt(quota), stages });
  }
}

/** ceil(a / b) for a >= 0, b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/**
 * The reference way through the keep factors, in bigint, one group of
 * identical ballots at a time: each ballot gives each option on it, in
 * order, its weight times the option's keep factor (rounded up) and goes on
 * with the rest; what is left when the ranking ends is exhausted.
 */
function bigintDistribution(profile: Profile): Distribute {
  const { groups, start, cand } = profile;
  const papers = Array.from(profile.count, (c) => BigInt(c));
  return (keep, _status, votes) => {
    votes.fill(0n);
    let rest = 0n;
    for (let g = 0; g < groups; g++) {
      const end = start[g + 1] ?? 0;
      const count = papers[g] ?? 0n;
      let w = SCALE;
      for (let p = start[g] ?? 0; p < end && w > 0n; p++) {
        const c = cand[p] ?? 0;
        const kf = keep[c] ?? 0n;
        if (kf === 0n) continue;
        const kept = ceilDiv(w * kf, SCALE);
        votes[c] = (votes[c] ?? 0n) + kept * count;
        w -= kept;
      }
      rest += w * count;
    }
    return rest;
  };
}

/**
 * The rankings as a tree of shared beginnings, depth first: node i stands
 * for every ballot whose ranking begins with the options on the path from
 * the top down to it, the last being its option at its depth. Ballots that
 * share a beginning are handled once for all (`through` of them, `ending` of
 * which rank nothing further), and a subtree below a hopeful option, where
 * no ballot goes further, is skipped whole (`skip` is the node after the
 * subtree). A walk thus visits only the beginnings of rankings that run
 * through elected or defeated options.
 */
interface RankingTree {
  readonly size: number;
  /**
   * NODE_FIELDS numbers per node, side by side so that a walk reads one run
   * of memory: the option and its depth (option + depth * 2^16), the ballots
   * through the node and those ending at it (at most MAX_NUMBER_VALID < 2^31
   * on this path), and skip.
   */
  readonly nodes: Int32Array;
  readonly maxDepth: number;
}

const NODE_FIELDS = 4;

/**
 * B.2.a in JS numbers; exact for at most MAX_NUMBER_VALID valid ballots (see
 * passClasses).
 *
 * What a ballot gives where depends only on which elected options it ranks,
 * in order, before its first hopeful one (defeated ones pass its weight on
 * untouched), and on that hopeful option, if any: its weight after those
 * elected options goes to the hopeful option whole, or is exhausted. So while
 * the options' status stays the same (the iterations of a round), the
 * ballots fall into fixed classes: the sequences of elected options met form
 * a small tree (`BallotClasses`), each ballot adds to the through-count of
 * the sequence it runs through, and ends in one (sequence, hopeful option or
 * exhaustion) entry. An iteration then works out one weight per sequence and
 * multiplies by the counts: its cost depends on the seats and options, not
 * on the ballots. The classes are rebuilt, by one walk of the ranking tree,
 * when a status changes.
 */
function treeDistribution(profile: Profile): Distribute {
  const tree = rankingTree(profile);
  const n = profile.ids.length;
  const keepNumbers = new Float64Array(n);
  const voteNumbers = new Float64Array(n);
  const builtFor = new Uint8Array(n);
  let classes: BallotClasses | null = null;
  return (keep, status, votes) => {
    if (classes === null || status.some((st, c) => st !== builtFor[c])) {
      classes = ballotClasses(tree, status);
      builtFor.set(status);
    }
    for (let c = 0; c < n; c++) keepNumbers[c] = Number(keep[c] ?? 0n);
    const rest = passClasses(classes, keepNumbers, voteNumbers);
    for (let c = 0; c < n; c++) votes[c] = BigInt(voteNumbers[c] ?? 0);
    return BigInt(rest);
  };
}

/**
 * The ballots' classes for one status of the options. Sequence 0 is the
 * empty one; sequence k > 0 is sequence parent[k] followed by the elected
 * option elected[k], and through[k] ballots reach that option after the
 * elected options of parent[k]. Entry j: count[j] ballots that met exactly
 * the elected options of sequence entryOf[j] and then give what is left to
 * the hopeful option to[j], or exhaust it when to[j] is -1. Parents come
 * before their children.
 */
interface BallotClasses {
  readonly sequences: number;
  readonly parent: Int32Array;
  readonly elected: Int32Array;
  readonly through: Float64Array;
  readonly weight: Float64Array;
  readonly entries: number;
  readonly entryOf: Int32Array;
  readonly to: Int32Array;
  readonly count: Float64Array;
}

/** One walk of the ranking tree, down every path of elected and defeated options to the first hopeful one. */
function ballotClasses(tree: RankingTree, status: Uint8Array): BallotClasses {
  const { size, nodes, maxDepth } = tree;
  const n = status.length;
  const parent = [-1];
  const elected = [-1];
  const through = [0];
  const child = new Map<number, number>(); // sequence * n + option -> sequence
  const entryOf: number[] = [];
  const to: number[] = [];
  const count: number[] = [];
  const entry = new Map<number, number>(); // sequence * (n + 1) + option + 1 -> entry
  const add = (sequence: number, option: number, ballots: number): void => {
    if (ballots === 0) return;
    const key = sequence * (n + 1) + option + 1;
    const j = entry.get(key);
    if (j !== undefined) {
      count[j] = (count[j] ?? 0) + ballots;
      return;
    }
    entry.set(key, count.length);
    entryOf.push(sequence);
    to.push(option);
    count.push(ballots);
  };
  // sequenceAt[d]: the sequence of the ballots arriving at depth d on the current path.
  const sequenceAt = new Int32Array(maxDepth + 2);
  const end = size * NODE_FIELDS;
  for (let at = 0; at < end; ) {
    const head = nodes[at] ?? 0;
    const c = head & 0xffff;
    const d = head >>> 16;
    const k = sequenceAt[d] ?? 0;
    const st = status[c];
    if (st === HOPEFUL) {
      add(k, c, nodes[at + 1] ?? 0);
      at = (nodes[at + 3] ?? size) * NODE_FIELDS;
      continue;
    }
    let next = k;
    if (st === ELECTED) {
      const key = k * n + c;
      next = child.get(key) ?? -1;
      if (next < 0) {
        next = parent.length;
        child.set(key, next);
        parent.push(k);
        elected.push(c);
        through.push(0);
      }
      through[next] = (through[next] ?? 0) + (nodes[at + 1] ?? 0);
    }
    add(next, -1, nodes[at + 2] ?? 0);
    sequenceAt[d + 1] = next;
    at += NODE_FIELDS;
  }
  return {
    sequences: parent.length,
    parent: Int32Array.from(parent),
    elected: Int32Array.from(elected),
    through: Float64Array.from(through),
    weight: new Float64Array(parent.length),
    entries: count.length,
    entryOf: Int32Array.from(entryOf),
    to: Int32Array.from(to),
    count: Float64Array.from(count),
  };
}

/**
 * One iteration's B.2.a over the classes. weight[k] is what a ballot has
 * left after the elected options of sequence k (in 10^-9). Exactness: a
 * weight and a keep factor are integers in 0..10^9, so mulDivCeilFraction
 * gives the exact rounded-up product; each product added (a share times a
 * ballot count) and every running total is at most the total vote,
 * valid * 10^9 <= MAX_NUMBER_VALID * 10^9 < 2^53, since each ballot hands
 * out no more than its 10^9. So every figure is an exact integer, the same
 * integers the bigint reference computes ballot by ballot.
 */
function passClasses(classes: BallotClasses, keep: Float64Array, votes: Float64Array): number {
  const { sequences, parent, elected, through, weight, entries, entryOf, to, count } = classes;
  votes.fill(0);
  weight[0] = SCALE_NUMBER;
  for (let k = 1; k < sequences; k++) {
    const w = weight[parent[k] ?? 0] ?? 0;
    const c = elected[k] ?? 0;
    const kf = keep[c] ?? 0;
    const kept = w === SCALE_NUMBER ? kf : mulDivCeilFraction(w, kf, SCALE_NUMBER);
    votes[c] = (votes[c] ?? 0) + kept * (through[k] ?? 0);
    weight[k] = w - kept;
  }
  let rest = 0;
  for (let j = 0; j < entries; j++) {
    const share = (weight[entryOf[j] ?? 0] ?? 0) * (count[j] ?? 0);
    const c = to[j] ?? -1;
    if (c < 0) rest += share;
    else votes[c] = (votes[c] ?? 0) + share;
  }
  return rest;
}

/** Work space of rankingTree's splits. */
interface Splitter {
  readonly start: Uint32Array;
  readonly cand: Uint16Array;
  readonly order: Int32Array;
  readonly spare: Int32Array;
  /** Groups per option in the range being split, and the options seen there. */
  readonly tally: Int32Array;
  readonly seen: Int32Array;
  readonly next: Int32Array;
  /** Pending nodes, three numbers each: lo, hi (a range of order) and depth. */
  readonly frames: number[];
}

/**
 * Builds the tree by splitting the groups, depth by depth, on the option at
 * that depth (a most-significant-first radix split, each split a counting
 * sort over the options seen in its range): the work is one step per
 * ranking entry, and the nodes come out depth first.
 */
function rankingTree(profile: Profile): RankingTree {
  if (profile.valid > MAX_NUMBER_VALID) throw new Error(`the ranking tree counts at most ${MAX_NUMBER_VALID} ballots`);
  const { groups, start, cand, count } = profile;
  const n = profile.ids.length;
  const capacity = cand.length; // a node per ranking entry at most
  const nodes = new Int32Array(capacity * NODE_FIELDS);
  const order = new Int32Array(groups);
  for (let g = 0; g < groups; g++) order[g] = g;
  const work: Splitter = {
    start,
    cand,
    order,
    spare: new Int32Array(groups),
    tally: new Int32Array(n),
    seen: new Int32Array(n),
    next: new Int32Array(n),
    frames: [],
  };
  if (groups > 0) split(work, 0, groups, 0);
  const { frames } = work;
  let size = 0;
  let maxDepth = 0;
  // skip[i] is set when the next node no deeper than i comes out: open[d]
  // is the node at depth d on the path to the latest node, `deepest` its depth.
  const open = new Int32Array(n);
  let deepest = -1;
  while (frames.length > 0) {
    const d = frames.pop() ?? 0;
    const hi = frames.pop() ?? 0;
    const lo = frames.pop() ?? 0;
    if (hi - lo === 1) {
      // One group: the rest of its ranking is a chain of nodes, one ballot count all the way down.
      const g = order[lo] ?? 0;
      const weight = count[g] ?? 0;
      const from = start[g] ?? 0;
      const end = start[g + 1] ?? 0;
      for (let p = from + d; p < end; p++) {
        const i = size++;
        const at = p - from;
        for (; deepest >= at; deepest--) nodes[(open[deepest] ?? 0) * NODE_FIELDS + 3] = i;
        open[at] = i;
        deepest = at;
        nodes[i * NODE_FIELDS] = (cand[p] ?? 0) + at * 0x10000;
        nodes[i * NODE_FIELDS + 1] = weight;
        nodes[i * NODE_FIELDS + 2] = p === end - 1 ? weight : 0;
      }
      if (end - from - 1 > maxDepth) maxDepth = end - from - 1;
      continue;
    }
    const i = size++;
    for (; deepest >= d; deepest--) nodes[(open[deepest] ?? 0) * NODE_FIELDS + 3] = i;
    open[d] = i;
    deepest = d;
    nodes[i * NODE_FIELDS] = (cand[(start[order[lo] ?? 0] ?? 0) + d] ?? 0) + d * 0x10000;
    if (d > maxDepth) maxDepth = d;
    // Ballots through this node; those ending here drop out of the range.
    let all = 0;
    let ends = 0;
    let kept = lo;
    for (let q = lo; q < hi; q++) {
      const g = order[q] ?? 0;
      const weight = count[g] ?? 0;
      all += weight;
      if ((start[g + 1] ?? 0) - (start[g] ?? 0) === d + 1) ends += weight;
      else order[kept++] = g;
    }
    nodes[i * NODE_FIELDS + 1] = all;
    nodes[i * NODE_FIELDS + 2] = ends;
    if (kept > lo) split(work, lo, kept, d + 1);
  }
  for (; deepest >= 0; deepest--) nodes[(open[deepest] ?? 0) * NODE_FIELDS + 3] = size;
  return { size, nodes, maxDepth };
}

/** Orders work.order[lo..hi) by the option at place d and pushes a frame per option, the first to pop first. */
function split(work: Splitter, lo: number, hi: number, d: number): void {
  const { start, cand, order, spare, tally, seen, next, frames } = work;
  let kinds = 0;
  for (let q = lo; q < hi; q++) {
    const c = cand[(start[order[q] ?? 0] ?? 0) + d] ?? 0;
    if ((tally[c] = (tally[c] ?? 0) + 1) === 1) seen[kinds++] = c;
  }
  if (kinds === 1) {
    tally[seen[0] ?? 0] = 0;
    frames.push(lo, hi, d);
    return;
  }
  let at = lo;
  for (let k = 0; k < kinds; k++) {
    const c = seen[k] ?? 0;
    next[c] = at;
    at += tally[c] ?? 0;
  }
  for (let q = lo; q < hi; q++) {
    const g = order[q] ?? 0;
    const c = cand[(start[g] ?? 0) + d] ?? 0;
    spare[(next[c] = (next[c] ?? 0) + 1) - 1] = g;
  }
  for (let q = lo; q < hi; q++) order[q] = spare[q] ?? 0;
  for (let k = kinds - 1; k >= 0; k--) {
    const c = seen[k] ?? 0;
    const end = next[c] ?? 0;
    frames.push(end - (tally[c] ?? 0), end, d);
    tally[c] = 0;
  }
}
