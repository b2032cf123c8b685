import { floorDiv, formatFixed, mulDivCeil, mulDivCeilSmall } from './fixed';
import type { ContestOf } from './plurality';
import { buildProfile, byLot, byOption, type RankedInput } from './ranked';
import type { StvAction, StvResult, StvStage } from './stv';
import type { CountContext, TieRecord } from './types';

/** Every figure is held as an integer number of 10^-9 votes. */
const PLACES = 9;
const SCALE = 1_000_000_000;
/** omega = 10^-6 */
const OMEGA = 1_000;
/** Keeps every vote total (valid * SCALE) an exact JS integer. */
const MAX_VALID = Math.floor(Number.MAX_SAFE_INTEGER / SCALE);

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
 * Single transferable vote by the PR Foundation's reference Meek rule, with
 * 9-decimal fixed point held as integers. The stages follow the reference
 * implementation's log: one stage per option elected or defeated, with the
 * votes of the iteration that decided it.
 */
export function countMeek(contest: ContestOf<'stv'>, ballots: RankedInput, ctx: CountContext): StvResult {
  const { options, seats } = contest;
  const profile = buildProfile(options, seats, ballots, ctx.lotOrder, MAX_VALID);
  const { ids, groups, start, cand, count, lotRank } = profile;
  const n = ids.length;
  const labels = options.map((o) => o.label);
  const fmt = (v: number): string => formatFixed(v, PLACES);
  const total = profile.valid * SCALE;

  const status = new Uint8Array(n);
  const keep = new Float64Array(n).fill(SCALE);
  const votes = new Float64Array(n);
  let exhausted = 0;
  let quota = floorDiv(total, seats + 1) + 1;
  let hopeful = n;
  let iterations = 0;
  const winners: number[] = [];
  const defeated: number[] = [];
  const ties: TieRecord[] = [];
  const stages: StvStage[] = [];

  for (let g = 0; g < groups; g++) {
    const c = cand[start[g] ?? 0] ?? 0;
    votes[c] = (votes[c] ?? 0) + (count[g] ?? 0) * SCALE;
  }

  /** Step B.2.a: every ballot through the keep factors. */
  const distribute = (): void => {
    votes.fill(0);
    let rest = 0;
    for (let g = 0; g < groups; g++) {
      const papers = count[g] ?? 0;
      const end = start[g + 1] ?? 0;
      let w = SCALE;
      for (let p = start[g] ?? 0; p < end; p++) {
        const c = cand[p] ?? 0;
        const kf = keep[c] ?? 0;
        if (kf === 0) continue;
        if (kf === SCALE) {
          votes[c] = (votes[c] ?? 0) + w * papers;
          w = 0;
          break;
        }
        const kept = mulDivCeilSmall(w, kf, SCALE);
        votes[c] = (votes[c] ?? 0) + kept * papers;
        w -= kept;
        if (w <= 0) break;
      }
      rest += w * papers;
    }
    exhausted = rest;
  };

  let previous: { votes: Float64Array; nt: number; residue: number } | null = null;
  const record = (action: StvAction, description: string, elected: number[], out: number[]): void => {
    // Nothing is lost to rounding in Meek (what a ballot keeps back stays on
    // it), so the residue is zero; it is computed, not assumed.
    const residue = total - exhausted - votes.reduce((a, b) => a + b, 0);
    const before = previous;
    stages.push({
      stage: stages.length + 1,
      action,
      description,
      quota: fmt(quota),
      votes: byOption(ids, (i) => fmt(votes[i] ?? 0)),
      transfers:
        before === null
          ? null
          : {
              votes: byOption(ids, (i) => fmt((votes[i] ?? 0) - (before.votes[i] ?? 0))),
              nonTransferable: fmt(exhausted - before.nt),
              residue: fmt(residue - before.residue),
            },
      nonTransferable: fmt(exhausted),
      residue: fmt(residue),
      elected: elected.map((c) => ids[c] ?? ''),
      excluded: out.map((c) => ids[c] ?? ''),
      keepFactors: byOption(ids, (i) => fmt(keep[i] ?? 0)),
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

  let stale = false; // votes still hold a defeated option's share
  // B.1: rounds while there are more hopefuls than seats left to fill.
  while (hopeful > seats - winners.length && seats - winners.length > 0) {
    iterations = 0;
    let lastSurplus = total;
    let outcome: 'elected' | 'omega' | 'stable';
    let surplus: number;
    // B.2: iterate.
    for (;;) {
      iterations++;
      distribute();
      stale = false;
      let sum = 0;
      for (let c = 0; c < n; c++) if (status[c] !== DEFEATED) sum += votes[c] ?? 0;
      quota = floorDiv(sum, seats + 1) + 1;
      let electedNow = false;
      for (let c = 0; c < n; c++) {
        if (status[c] === HOPEFUL && (votes[c] ?? 0) >= quota) {
          elect(c, 'elect');
          electedNow = true;
        }
      }
      surplus = 0;
      for (let c = 0; c < n; c++) if (status[c] === ELECTED) surplus += (votes[c] ?? 0) - quota;
      if (surplus < 0) surplus = 0;
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
        const v = votes[c] ?? 0;
        if (status[c] === ELECTED && v > 0) keep[c] = mulDivCeil(mulDivCeil(keep[c] ?? 0, quota, SCALE), SCALE, v);
      }
    }
    if (outcome === 'elected') continue;

    // B.3: defeat the lowest hopeful; all within the surplus of it are tied.
    let low = Infinity;
    for (let c = 0; c < n; c++) if (status[c] === HOPEFUL && (votes[c] ?? 0) < low) low = votes[c] ?? 0;
    const tied: number[] = [];
    for (let c = 0; c < n; c++) if (status[c] === HOPEFUL && (votes[c] ?? 0) <= low + surplus) tied.push(c);
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
    keep[loser] = 0;
    votes[loser] = 0;
    stale = true;
  }

  // C: fill or close. After a defeat the votes are redistributed once so
  // that these stages show where the defeated option's votes went.
  if (stale && hopeful > 0) distribute();
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
    return {
      method: 'stv',
      variant: 'meek',
      winners: winners.map((c) => ids[c] ?? ''),
      ties,
      rule: MEEK_RULE,
      seats,
      ballots: profile.valid + profile.blank,
      blank: profile.blank,
      valid: profile.valid,
      decimals: PLACES,
      quota: fmt(quota),
      excluded: defeated.map((c) => ids[c] ?? ''),
      stages,
    };
  }
}
