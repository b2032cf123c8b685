import { floorDiv, formatFixed, mulDivFloor } from './fixed';
import type { ContestOf } from './plurality';
import { breakTie, buildProfile, byOption, type RankedInput } from './ranked';
import type { StvAction, StvResult, StvStage } from './stv';
import { stvResult } from './stv-result';
import type { CountContext, TieRecord } from './types';

/** Every figure is held as an integer number of 10^-5 votes. */
const PLACES = 5;
const SCALE = 100_000;
/** Keeps every vote total (valid * SCALE) an exact JS integer. */
const MAX_VALID = Math.floor(Number.MAX_SAFE_INTEGER / SCALE);

export const SCOTTISH_RULE =
  'The Scottish Local Government Elections Order 2007 (SSI 2007/42), rules 45 to 52. Quota: the valid ballots divided by one more than the seats, decimals ignored, plus one. ' +
  'An option whose votes reach the quota is elected. Surpluses are transferred largest first, all papers of the elected option at a transfer value of surplus times the paper\'s value divided by its votes, to 5 decimal places with the remainder ignored; ' +
  'when no surplus is left the option with the fewest votes is excluded and its papers transferred at their value. Ties of surpluses or of lowest votes go to the most recent earlier stage at which the tied options differed, then to the lot. ' +
  'When as many options continue as seats remain, they are elected. Blank ballots are not valid votes. Options elected at the same stage are listed by votes, highest first; options filling the last vacancies in the order of the ballot.';

const CONTINUING = 0;
const ELECTED = 1;
const EXCLUDED = 2;

/**
 * Single transferable vote under the Scottish rules (SSI 2007/42), with
 * fixed-point arithmetic at 5 decimals held as integers.
 */
export function countScottish(contest: ContestOf<'stv'>, ballots: RankedInput, ctx: CountContext): StvResult {
  const { options, seats } = contest;
  const profile = buildProfile(options, seats, ballots, ctx.lotOrder, MAX_VALID);
  const { ids, groups, start, cand, count, lotRank } = profile;
  const n = ids.length;
  const labels = options.map((o) => o.label);
  const fmt = (v: number): string => formatFixed(v, PLACES);
  const namesOf = (list: readonly number[]): string => list.map((c) => labels[c] ?? '').join(', ');

  const quota = (floorDiv(profile.valid, seats + 1) + 1) * SCALE;
  const status = new Uint8Array(n);
  const pending = new Uint8Array(n); // elected with a surplus not yet transferred
  const votes = new Float64Array(n);
  const value = new Float64Array(groups).fill(SCALE);
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(groups);
  const pos = new Uint32Array(groups);
  for (let g = 0; g < groups; g++) {
    const c = cand[start[g] ?? 0] ?? 0;
    pos[g] = start[g] ?? 0;
    next[g] = head[c] ?? -1;
    head[c] = g;
    votes[c] = (votes[c] ?? 0) + (count[g] ?? 0) * SCALE;
  }

  let nonTransferable = 0;
  let residue = 0;
  const winners: number[] = [];
  const excluded: number[] = [];
  const ties: TieRecord[] = [];
  const history: Float64Array[] = []; // votes at the end of each stage
  const stages: StvStage[] = [];

  /** Moves option `from`'s papers on to their next continuing preference, at `newValue` of their value. */
  const transferPapers = (from: number, newValue: (paperValue: number) => number): number => {
    let moved = 0;
    for (let g = head[from] ?? -1; g >= 0; ) {
      const following = next[g] ?? -1;
      const v = newValue(value[g] ?? 0);
      const papers = count[g] ?? 0;
      value[g] = v;
      moved += v * papers;
      const end = start[g + 1] ?? 0;
      let p = (pos[g] ?? 0) + 1;
      while (p < end && status[cand[p] ?? 0] !== CONTINUING) p++;
      if (p < end) {
        const c = cand[p] ?? 0;
        pos[g] = p;
        next[g] = head[c] ?? -1;
        head[c] = g;
        votes[c] = (votes[c] ?? 0) + v * papers;
      } else {
        nonTransferable += v * papers;
      }
      g = following;
    }
    head[from] = -1;
    return moved;
  };

  let deemed = false; // the last elections filled the last vacancies under rule 52
  /** Elections at the end of a stage; true when the count is over. */
  const electAtEndOfStage = (stage: number, elected: number[]): boolean => {
    const vacancies = seats - winners.length;
    const continuing: number[] = [];
    for (let c = 0; c < n; c++) if (status[c] === CONTINUING) continuing.push(c);
    if (continuing.length <= vacancies) {
      // Rule 52: the continuing options are deemed elected together, listed in ballot order.
      deemed = continuing.length > 0;
      for (const c of continuing) {
        status[c] = ELECTED;
        winners.push(c);
        elected.push(c);
      }
      return true;
    }
    const reached = continuing.filter((c) => (votes[c] ?? 0) >= quota);
    for (const c of orderByVotes(reached, stage)) {
      status[c] = ELECTED;
      pending[c] = (votes[c] ?? 0) > quota ? 1 : 0;
      winners.push(c);
      elected.push(c);
    }
    return winners.length >= seats;
  };

  /** Highest votes first; equal votes by the earlier stages, then the lot (rule 49(2), (3)). */
  const orderByVotes = (list: readonly number[], stage: number): number[] => {
    const rest = [...list];
    const ordered: number[] = [];
    while (rest.length > 0) {
      let best = rest[0] ?? 0;
      for (const c of rest) if ((votes[c] ?? 0) > (votes[best] ?? 0)) best = c;
      const tied = rest.filter((c) => votes[c] === votes[best]);
      if (tied.length > 1) {
        const settled = breakTie(tied, history.slice(0, -1), 'highest', lotRank);
        best = settled.chosen;
        ties.push({ stage, decision: 'order of election', tied: tied.map((c) => ids[c] ?? ''), by: settled.by, chosen: ids[best] ?? '' });
      }
      ordered.push(best);
      rest.splice(rest.indexOf(best), 1);
    }
    return ordered;
  };

  const record = (action: StvAction, text: string, before: { votes: Float64Array; nt: number; residue: number } | null, elected: number[], out: number[]): void => {
    let description = text;
    if (elected.length > 0) description += `; ${deemed ? 'elected to fill the last vacancies' : 'elected'}: ${namesOf(elected)}`;
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
              nonTransferable: fmt(nonTransferable - before.nt),
              residue: fmt(residue - before.residue),
            },
      nonTransferable: fmt(nonTransferable),
      residue: fmt(residue),
      elected: elected.map((c) => ids[c] ?? ''),
      excluded: out.map((c) => ids[c] ?? ''),
      keepFactors: null,
      iterations: null,
    });
  };

  // Stage 1: first preferences.
  history.push(votes.slice());
  {
    const elected: number[] = [];
    const done = profile.valid === 0 || electAtEndOfStage(1, elected);
    record({ kind: 'first-preferences' }, 'First preferences', null, elected, []);
    if (done) return finish();
  }

  for (;;) {
    const stage = stages.length + 1;
    const before = { votes: votes.slice(), nt: nonTransferable, residue };
    let action: StvAction;
    let text: string;
    const out: number[] = [];

    const withSurplus: number[] = [];
    for (let c = 0; c < n; c++) if (pending[c] === 1) withSurplus.push(c);
    if (withSurplus.length > 0) {
      // Rule 49: the largest surplus first; equal surpluses are equal votes.
      let from = withSurplus[0] ?? 0;
      for (const c of withSurplus) if ((votes[c] ?? 0) > (votes[from] ?? 0)) from = c;
      const tied = withSurplus.filter((c) => votes[c] === votes[from]);
      if (tied.length > 1) {
        const settled = breakTie(tied, history.slice(0, -1), 'highest', lotRank);
        from = settled.chosen;
        ties.push({ stage, decision: 'surplus order', tied: tied.map((c) => ids[c] ?? ''), by: settled.by, chosen: ids[from] ?? '' });
      }
      const total = votes[from] ?? 0;
      const surplus = total - quota;
      const values = new Map<number, number>();
      const moved = transferPapers(
        from,
        (paperValue) => {
          let tv = values.get(paperValue);
          if (tv === undefined) {
            // Rule 48(3): surplus x value / votes, to 5 places, remainder ignored.
            tv = mulDivFloor(paperValue, surplus, total);
            values.set(paperValue, tv);
          }
          return tv;
        },
      );
      residue += surplus - moved;
      votes[from] = quota;
      pending[from] = 0;
      action = {
        kind: 'surplus',
        option: ids[from] ?? '',
        surplus: fmt(surplus),
        transferValues: [...values.entries()].sort((a, b) => b[0] - a[0]).map(([paperValue, tv]) => ({ paperValue: fmt(paperValue), transferValue: fmt(tv) })),
      };
      text = `Surplus of ${labels[from] ?? ''} (${fmt(surplus)}) transferred`;
    } else {
      // Rule 50: exclude the option with the fewest votes.
      let low = -1;
      for (let c = 0; c < n; c++) if (status[c] === CONTINUING && (low < 0 || (votes[c] ?? 0) < (votes[low] ?? 0))) low = c;
      const tied: number[] = [];
      for (let c = 0; c < n; c++) if (status[c] === CONTINUING && votes[c] === votes[low]) tied.push(c);
      if (tied.length > 1) {
        const settled = breakTie(tied, history.slice(0, -1), 'lowest', lotRank);
        low = settled.chosen;
        ties.push({ stage, decision: 'exclude', tied: tied.map((c) => ids[c] ?? ''), by: settled.by, chosen: ids[low] ?? '' });
      }
      status[low] = EXCLUDED;
      excluded.push(low);
      out.push(low);
      transferPapers(low, (paperValue) => paperValue);
      votes[low] = 0;
      action = { kind: 'exclusion', option: ids[low] ?? '' };
      text = `${labels[low] ?? ''} excluded, papers transferred`;
    }
    history.push(votes.slice());
    const elected: number[] = [];
    const done = electAtEndOfStage(stage, elected);
    record(action, text, before, elected, out);
    if (done) return finish();
  }

  function finish(): StvResult {
    return stvResult({ variant: 'scottish', rule: SCOTTISH_RULE, seats, decimals: PLACES, profile, winners, excluded: excluded, ties, quota: fmt(quota), stages });
  }
}
