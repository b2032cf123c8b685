import { lotRankOf, lotRanks, type ContestOf } from './plurality';
import { buildProfile, type Profile, type RankedInput } from './ranked';
import type { BaseResult, CountContext, TieRecord } from './types';

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
  /** Ballots counted, empty rankings included (a weighted ranking counts as its weight). */
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

export function countSchulze(contest: ContestOf<'schulze'>, ballots: RankedInput, ctx: CountContext): SchulzeResult {
  const lot = lotRanks(contest, ctx);
  const ids = contest.options.map((o) => o.id);
  const n = ids.length;
  // Int32 cells: the bound keeps every pairwise count exact.
  const profile = buildProfile(contest.options, contest.seats, ballots, ctx.lotOrder, 0x7fffffff);
  const { pairwise, rankedBy } = pairwiseMatrix(profile);
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
    ballots: profile.valid + profile.blank,
    options: ids,
    pairwise: rows(pairwise),
    strongestPaths: rows(paths),
    ranking,
    rankedBy: Object.fromEntries(ids.map((id, i) => [id, rankedBy[i] ?? 0])),
  };
}

/**
 * d[i * n + j] = ballots ranking ids[i] above ids[j], from the grouped
 * profile (identical rankings counted once, with their number). Per distinct
 * ranking of k options only k(k-1)/2 cells are touched: each ranked option is
 * first credited against every option (`beatsAll`), then debited against the
 * ranked options above it; unranked options are never visited.
 */
function pairwiseMatrix(profile: Profile): { pairwise: Int32Array; rankedBy: Int32Array } {
  const { groups, start, cand, count } = profile;
  const n = profile.ids.length;
  const d = new Int32Array(n * n);
  const beatsAll = new Int32Array(n);
  const rankedBy = new Int32Array(n);
  for (let g = 0; g < groups; g += 1) {
    const weight = count[g] ?? 0;
    const first = start[g] ?? 0;
    const end = start[g + 1] ?? 0;
    for (let r = first; r < end; r += 1) {
      const a = cand[r] ?? 0;
      beatsAll[a] = (beatsAll[a] ?? 0) + weight;
      rankedBy[a] = (rankedBy[a] ?? 0) + weight;
      const row = a * n;
      for (let above = first; above < r; above += 1) {
        const cell = row + (cand[above] ?? 0);
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
