import type { ContestOf } from './plurality';
import { breakTie, buildProfile, byOption, type RankedInput } from './ranked';
import type { BaseResult, CountContext, TieRecord } from './types';

/** How the count runs, stated in every result so a reader needs no other document. */
export const IRV_RULE =
  'Each ballot counts for its highest-ranked continuing option. An option with more than half of the ballots counting for continuing options wins. Otherwise the option with the fewest votes is eliminated (one at a time; a tie goes to the most recent earlier round at which the tied options differed, then to the lot, which keeps the most favoured) and its ballots move to their next continuing option, or are exhausted. Blank ballots are not counted.';

export interface IrvTransfers {
  /** Ballots each continuing option received from the eliminated one. */
  readonly to: Readonly<Record<string, number>>;
  /** Ballots of the eliminated option that ranked no continuing option. */
  readonly exhausted: number;
}

export interface IrvRound {
  /** 1-based. */
  readonly round: number;
  /** Ballots counting for each option this round; every option, eliminated ones at 0. */
  readonly votes: Readonly<Record<string, number>>;
  /** Ballots counting for a continuing option: the majority is of these. */
  readonly continuing: number;
  /** Ballots exhausted so far (blank ballots apart). */
  readonly exhausted: number;
  /** The option that won in this round, if any. */
  readonly elected: string | null;
  /** The option eliminated at the end of this round, if any, and where its ballots went. */
  readonly eliminated: string | null;
  readonly transfers: IrvTransfers | null;
}

export interface IrvResult extends BaseResult {
  readonly method: 'irv';
  readonly rule: typeof IRV_RULE;
  /** Ballots counted, blank ones included. */
  readonly ballots: number;
  /** Ballots ranking no option. */
  readonly blank: number;
  readonly rounds: readonly IrvRound[];
}

/**
 * Votes stay exact as JS integers up to 2^53; a single count never gets near
 * that, but the bound is checked rather than assumed.
 */
const MAX_BALLOTS = Number.MAX_SAFE_INTEGER;

/** `top` of an exhausted group: no option has this index (at most MAX_OPTIONS = 65535 options, indexes below). */
const EXHAUSTED = 0xffff;
/**
 * An elimination walks the eliminated option's list of groups when it holds
 * fewer than 1/WALK of them, and otherwise passes over all groups in order:
 * a step of a walk, which misses the cache, costs about as much as WALK steps of a pass, which does not.
 */
const WALK = 64;

/**
 * Instant-runoff voting: one winner, one elimination at a time. With no
 * valid ballot nobody wins (`winners` is empty).
 */
export function countIrv(contest: ContestOf<'irv'>, ballots: RankedInput, ctx: CountContext): IrvResult {
  if (contest.seats !== 1) throw new Error(`instant-runoff fills one seat, the contest has ${String(contest.seats)}`);
  const profile = buildProfile(contest.options, contest.seats, ballots, ctx.lotOrder, MAX_BALLOTS);
  const { ids, groups, start, cand, count, lotRank } = profile;
  const n = ids.length;

  // Each group's current option (top) and its place in its ranking (at);
  // each option's groups also as a linked list (head, next) with its length
  // (size). An elimination moves on only the eliminated option's groups: by
  // walking its list when it holds few groups, whose arrays it then touches
  // at random places, or else by one pass over `top` in order, two bytes a
  // group, which on a large count is much cheaper than a walk that misses
  // the cache at every step. Either way a whole count moves each group past
  // each ranking entry at most once.
  const top = new Uint16Array(groups);
  const at = new Uint32Array(groups);
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(groups);
  const size = new Float64Array(n);
  const votes = new Float64Array(n);
  const continuing = new Uint8Array(n).fill(1);
  /** Where an eliminated option's ballots went: received[c] for option c, received[n] exhausted. */
  const received = new Float64Array(n + 1);
  /** Puts group g (weight ballots) on the option at place p of its ranking, and returns that option. */
  const place = (g: number, p: number, weight: number): number => {
    const c = cand[p] ?? 0;
    top[g] = c;
    at[g] = p;
    next[g] = head[c] ?? -1;
    head[c] = g;
    size[c] = (size[c] ?? 0) + 1;
    votes[c] = (votes[c] ?? 0) + weight;
    return c;
  };
  for (let g = 0; g < groups; g++) place(g, start[g] ?? 0, count[g] ?? 0);
  /** Moves group g on from its (eliminated) option to its next continuing one, or exhausts it. */
  const moveOn = (g: number): void => {
    const end = start[g + 1] ?? 0;
    let p = (at[g] ?? 0) + 1;
    while (p < end && continuing[cand[p] ?? 0] === 0) p++;
    const weight = count[g] ?? 0;
    if (p < end) {
      const c = place(g, p, weight);
      received[c] = (received[c] ?? 0) + weight;
    } else {
      top[g] = EXHAUSTED;
      received[n] = (received[n] ?? 0) + weight;
    }
  };

  const rounds: IrvRound[] = [];
  const history: Float64Array[] = [];
  const ties: TieRecord[] = [];
  const winners: string[] = [];
  let exhausted = 0;
  let left = n;

  for (let round = 1; ; round++) {
    let total = 0;
    let leader = -1;
    for (let c = 0; c < n; c++) {
      if (continuing[c] === 0) continue;
      total += votes[c] ?? 0;
      if (leader < 0 || (votes[c] ?? 0) > (votes[leader] ?? 0)) leader = c;
    }
    const base = {
      round,
      votes: byOption(ids, (i) => votes[i] ?? 0),
      continuing: total,
      exhausted,
    };
    const leaderVotes = votes[leader] ?? 0;
    if (total === 0 || leaderVotes * 2 > total || left === 1) {
      const elected = total === 0 ? null : (ids[leader] ?? null);
      if (elected !== null) winners.push(elected);
      rounds.push({ ...base, elected, eliminated: null, transfers: null });
      break;
    }

    let low = Infinity;
    for (let c = 0; c < n; c++) if (continuing[c] === 1 && (votes[c] ?? 0) < low) low = votes[c] ?? 0;
    const tied: number[] = [];
    for (let c = 0; c < n; c++) if (continuing[c] === 1 && votes[c] === low) tied.push(c);
    let loser = tied[0] ?? 0;
    if (tied.length > 1) {
      const settled = breakTie(tied, history, 'lowest', lotRank);
      loser = settled.chosen;
      ties.push({
        stage: round,
        decision: 'exclude',
        tied: tied.map((c) => ids[c] ?? ''),
        by: settled.by,
        chosen: ids[loser] ?? '',
      });
    }
    history.push(votes.slice());

    continuing[loser] = 0;
    left--;
    received.fill(0);
    if ((size[loser] ?? 0) * WALK < groups) {
      for (let g = head[loser] ?? -1; g >= 0; ) {
        const following = next[g] ?? -1;
        moveOn(g);
        g = following;
      }
    } else {
      for (let g = 0; g < groups; g++) if (top[g] === loser) moveOn(g);
    }
    head[loser] = -1;
    size[loser] = 0;
    votes[loser] = 0;
    const lost = received[n] ?? 0;
    exhausted += lost;
    const to = Object.fromEntries(ids.flatMap((id, i) => (continuing[i] === 1 ? [[id, received[i] ?? 0] as const] : [])));
    rounds.push({ ...base, elected: null, eliminated: ids[loser] ?? null, transfers: { to, exhausted: lost } });
  }

  return {
    method: 'irv',
    winners,
    ties,
    rule: IRV_RULE,
    ballots: profile.valid + profile.blank,
    blank: profile.blank,
    rounds,
  };
}
