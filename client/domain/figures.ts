/**
 * The numbers behind a tally or a result, per option, for bar charts and
 * summaries: a live tally's totals while a round is open, the count result's
 * evidence once it is closed. Pure.
 */
import type { CountResult } from '../../shared/counting/index';
import { isRanked, type Method } from '../../shared/counting/types';
import type { LiveTally } from '../../shared/tally/live';
import type { RoundOption } from '../../shared/protocol/types';

/** What a bar's number means; each has words in the translation files. */
export type Unit = 'votes' | 'approvals' | 'points' | 'mean' | 'firstPreferences' | 'answers' | 'pairwiseWins' | 'finalRound' | 'bordaPoints';

export interface Bar {
  readonly id: string;
  readonly label: string;
  readonly value: number;
  /** The exact figure as the count states it (decimal strings stay strings). */
  readonly exact: string;
  /** score: how many scored it. */
  readonly scorers?: number;
  readonly leading: boolean;
}

export interface Figures {
  readonly unit: Unit;
  readonly bars: readonly Bar[];
  /** The top of the scale: the largest value, or the score scale's maximum. */
  readonly max: number;
  readonly min: number;
}

export function isLiveTally(tally: LiveTally | CountResult): tally is LiveTally {
  return 'totals' in tally && 'counted' in tally;
}

function unitOfTotals(method: Method): Unit {
  switch (method) {
    case 'plurality':
      return 'votes';
    case 'approval':
      return 'approvals';
    case 'cumulative':
      return 'points';
    case 'yesno':
      return 'answers';
    case 'score':
      return 'mean';
    case 'borda':
    case 'irv':
    case 'stv':
    case 'schulze':
      return 'firstPreferences';
  }
}

function bars(options: readonly RoundOption[], value: (id: string) => { value: number; exact: string; scorers?: number }, leading: readonly string[]): Bar[] {
  return options.map((o) => ({ id: o.id, label: o.label, ...value(o.id), leading: leading.includes(o.id) }));
}

function maxOf(list: readonly Bar[]): number {
  return Math.max(0, ...list.map((b) => b.value));
}

function num(text: string | null | undefined): number {
  const n = Number(text ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function figuresOf(tally: LiveTally | CountResult, options: readonly RoundOption[], scale?: { min: number; max: number }): Figures {
  if (isLiveTally(tally)) {
    const unit = unitOfTotals(tally.method);
    if (tally.method === 'score') {
      const b = bars(
        options,
        (id) => ({ value: num(tally.means?.[id]), exact: tally.means?.[id] ?? '', scorers: tally.scorers?.[id] ?? 0 }),
        tally.leading,
      );
      return { unit, bars: b, max: scale?.max ?? maxOf(b), min: Math.min(0, scale?.min ?? 0) };
    }
    const leading = isRanked(tally.method) && tally.result !== undefined ? tally.result.winners : tally.leading;
    const b = bars(options, (id) => ({ value: tally.totals[id] ?? 0, exact: String(tally.totals[id] ?? 0) }), leading);
    return { unit, bars: b, max: maxOf(b), min: 0 };
  }
  const r = tally;
  const winners = r.winners;
  switch (r.method) {
    case 'plurality': {
      const b = bars(options, (id) => ({ value: r.votes[id] ?? 0, exact: String(r.votes[id] ?? 0) }), winners);
      return { unit: 'votes', bars: b, max: maxOf(b), min: 0 };
    }
    case 'approval': {
      const b = bars(options, (id) => ({ value: r.approvals[id] ?? 0, exact: String(r.approvals[id] ?? 0) }), winners);
      return { unit: 'approvals', bars: b, max: maxOf(b), min: 0 };
    }
    case 'cumulative': {
      const b = bars(options, (id) => ({ value: r.points[id] ?? 0, exact: String(r.points[id] ?? 0) }), winners);
      return { unit: 'points', bars: b, max: maxOf(b), min: 0 };
    }
    case 'borda': {
      const b = bars(options, (id) => ({ value: r.points[id] ?? 0, exact: String(r.points[id] ?? 0) }), winners);
      return { unit: 'bordaPoints', bars: b, max: maxOf(b), min: 0 };
    }
    case 'yesno': {
      const counts: Record<string, number> = { yes: r.yes, no: r.no, abstain: r.abstain };
      const b = bars(options, (id) => ({ value: counts[id] ?? 0, exact: String(counts[id] ?? 0) }), r.passed ? ['yes'] : []);
      return { unit: 'answers', bars: b, max: maxOf(b), min: 0 };
    }
    case 'score': {
      const b = bars(
        options,
        (id) => {
          const o = r.options[id];
          return { value: num(o?.mean), exact: o?.mean ?? '', scorers: o?.scorers ?? 0 };
        },
        winners,
      );
      return { unit: 'mean', bars: b, max: r.scale.max, min: Math.min(0, r.scale.min) };
    }
    case 'irv': {
      const last = r.rounds[r.rounds.length - 1];
      const b = bars(options, (id) => ({ value: last?.votes[id] ?? 0, exact: String(last?.votes[id] ?? 0) }), winners);
      return { unit: 'finalRound', bars: b, max: maxOf(b), min: 0 };
    }
    case 'stv': {
      const last = r.stages[r.stages.length - 1];
      const b = bars(options, (id) => ({ value: num(last?.votes[id]), exact: last?.votes[id] ?? '0' }), winners);
      return { unit: 'finalRound', bars: b, max: maxOf(b), min: 0 };
    }
    case 'schulze': {
      const wins = (id: string): number => {
        const i = r.options.indexOf(id);
        if (i < 0) return 0;
        let n = 0;
        r.options.forEach((_, j) => {
          if (j !== i && (r.pairwise[i]?.[j] ?? 0) > (r.pairwise[j]?.[i] ?? 0)) n += 1;
        });
        return n;
      };
      const b = bars(options, (id) => ({ value: wins(id), exact: String(wins(id)) }), winners);
      return { unit: 'pairwiseWins', bars: b, max: Math.max(1, options.length - 1), min: 0 };
    }
  }
}

/** Bars sorted for reading: largest first, ties in the round's option order. */
export function sortedBars(figures: Figures): Bar[] {
  return figures.bars.map((b, i) => ({ b, i })).sort((x, y) => y.b.value - x.b.value || x.i - y.i).map((x) => x.b);
}
