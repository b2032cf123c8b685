import { lotRankOf, lotRanks, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext, TieRecord } from './types';

/**
 * Schulze: ballots rank options (strictly, and may stop early; a ranked
 * option is preferred to every unranked one, and two unranked options are
 * preferred to neither). Path strength is measured in winning votes: the link
 * i→j has strength d[i][j] when d[i][j] > d[j][i], else there is no link.
 * Option i ranks above j when p[i][j] > p[j][i]. The ranking takes, again and
 * again, the option no remaining option ranks above; when several qualify,
 * the lot picks among them and the tie is recorded. Winners are the first
 * `seats` of the ranking, leaving out options no ballot ranks (they are
 * always last), so a count can return fewer winners than seats.
 */
export interface SchulzeResult extends BaseResult {
  readonly method: 'schulze';
  /** Ballots counted, empty rankings included. */
  readonly ballots: number;
  /** Option ids in the order of the matrices' rows and columns (the contest's order). */
  readonly options: readonly string[];
  /** pairwise[i][j]: ballots that rank options[i] above options[j]. */
  readonly pairwise: readonly (readonly number[])[];
  /** strongestPaths[i][j]: strength of the strongest path from options[i] to options[j]; 0 when there is none (and on the diagonal). */
  readonly strongestPaths: readonly (readonly number[])[];
  /** Every option, best first. */
  readonly ranking: readonly string[];
  /** Ballots that rank each option at all; every option appears. */
  readonly rankedBy: Readonly<Record<string, number>>;
}

export function countSchulze(contest: ContestOf<'schulze'>, ballots: readonly Choice[], ctx: CountContext): SchulzeResult {
  const lot = lotRanks(contest, ctx);
  const ids = contest.options.map((o) => o.id);
  const n = ids.length;
  if (n > 0xffff) throw new Error('schulze: more options than a ranking key can hold');
  const { pairwise, rankedBy } = pairwiseMatrix(ids, ballots);
  const paths = strongestPaths(pairwise, n);

  const ranking: string[] = [];
  const ties: TieRecord[] = [];
  const remaining = new Set(ids.keys());
  while (remaining.size > 0) {
    const unbeaten = [...remaining].filter((i) => ![...remaining].some((j) => (paths[j * n + i] ?? 0) > (paths[i * n + j] ?? 0)));
    const tied = unbeaten.map((i) => ids[i] as string).sort((a, b) => lotRankOf(lot, a) - lotRankOf(lot, b));
    const chosen = tied[0];
    if (chosen === undefined) throw new Error('schulze: no unbeaten option, so the path relation is not transitive');
    if (tied.length > 1) ties.push({ decision: 'rank', tied, by: 'lot', chosen });
    ranking.push(chosen);
    remaining.delete(ids.indexOf(chosen));
  }

  const rows = (matrix: Int32Array): number[][] => Array.from({ length: n }, (_, i) => Array.from(matrix.subarray(i * n, (i + 1) * n)));
  return {
    method: 'schulze',
    winners: ranking.filter((id) => (rankedBy[ids.indexOf(id)] ?? 0) > 0).slice(0, contest.seats),
    ties,
    ballots: ballots.length,
    options: ids,
    pairwise: rows(pairwise),
    strongestPaths: rows(paths),
    ranking,
    rankedBy: Object.fromEntries(ids.map((id, i) => [id, rankedBy[i] ?? 0])),
  };
}

/**
 * d[i * n + j] = ballots ranking ids[i] above ids[j]. Identical rankings are
 * grouped first (real ballots repeat a lot). Then, per distinct ranking of k
 * options, only k(k-1)/2 cells are touched: each ranked option is first
 * credited against every option (`beatsAll`), then debited against the ranked
 * options above it; unranked options are never visited.
 */
function pairwiseMatrix(ids: readonly string[], ballots: readonly Choice[]): { pairwise: Int32Array; rankedBy: Int32Array } {
  const n = ids.length;
  const index = new Map(ids.map((id, i) => [id, i]));
  const seenOnBallot = new Int32Array(n).fill(-1);
  const groups = new Map<string, number>();
  const codes: number[] = [];
  for (let b = 0; b < ballots.length; b += 1) {
    const ballot = ballots[b] as Choice;
    if (!('ranking' in ballot)) throw new Error('schulze ballot without "ranking": choices must pass checkChoice first');
    codes.length = 0;
    for (const id of ballot.ranking) {
      const i = index.get(id);
      if (i === undefined) throw new Error(`ballot ${b} ranks unknown option ${JSON.stringify(id)}`);
      if (seenOnBallot[i] === b) throw new Error(`ballot ${b} ranks ${JSON.stringify(id)} twice`);
      seenOnBallot[i] = b;
      codes.push(i);
    }
    // One UTF-16 unit per option index: an exact, collision-free key.
    const key = String.fromCharCode(...codes);
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }

  const d = new Int32Array(n * n);
  const beatsAll = new Int32Array(n);
  const rankedBy = new Int32Array(n);
  for (const [key, weight] of groups) {
    for (let r = 0; r < key.length; r += 1) {
      const a = key.charCodeAt(r);
      beatsAll[a] = (beatsAll[a] ?? 0) + weight;
      rankedBy[a] = (rankedBy[a] ?? 0) + weight;
      const row = a * n;
      for (let above = 0; above < r; above += 1) {
        const cell = row + key.charCodeAt(above);
        d[cell] = (d[cell] ?? 0) - weight;
      }
    }
  }
  for (let a = 0; a < n; a += 1) {
    const all = beatsAll[a] ?? 0;
    for (let b = 0; b < n; b += 1) {
      const cell = a * n + b;
      d[cell] = a === b ? 0 : (d[cell] ?? 0) + all;
    }
  }
  return { pairwise: d, rankedBy };
}

/** Widest paths (Floyd–Warshall) over winning-votes links. */
function strongestPaths(d: Int32Array, n: number): Int32Array {
  const p = new Int32Array(n * n);
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j < n; j += 1) {
      const forward = d[i * n + j] ?? 0;
      if (i !== j && forward > (d[j * n + i] ?? 0)) p[i * n + j] = forward;
    }
  }
  for (let k = 0; k < n; k += 1) {
    for (let i = 0; i < n; i += 1) {
      if (i === k) continue;
      const ik = p[i * n + k] ?? 0;
      if (ik === 0) continue;
      for (let j = 0; j < n; j += 1) {
        if (j === i || j === k) continue;
        const through = Math.min(ik, p[k * n + j] ?? 0);
        if (through > (p[i * n + j] ?? 0)) p[i * n + j] = through;
      }
    }
  }
  return p;
}
