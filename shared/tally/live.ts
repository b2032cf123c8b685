/**
 * Live tallies of an open round, kept incrementally as ballots are committed:
 * per-option totals that move with every ballot and cost O(options) to read,
 * whatever the number of ballots. With revote a voter's new ballot replaces
 * their earlier one. Pure: no I/O, usable by server and browser.
 *
 * The published outcome is always the full count of the counting library;
 * a live tally is a provisional view of it. For ranked methods the totals are
 * first preferences, and the server adds the full recount (`result`) now and
 * then, off the main thread.
 */
import type { CountResult } from '../counting/index';
import { isRanked, type Choice, type Method } from '../counting/types';
import { decimalString } from '../counting/plurality';
import { assertNever } from '../result';

export interface LiveTally {
  readonly method: Method;
  /** Voters whose ballot counts now. */
  readonly counted: number;
  /**
   * Per option id: votes (plurality), approvals (approval), answers (yesno:
   * yes/no/abstain), points (cumulative), sum of scores (score), or first
   * preferences (ranked methods).
   */
  readonly totals: Readonly<Record<string, number>>;
  /** score only: how many ballots scored each option, and the mean (6 decimals). */
  readonly scorers?: Readonly<Record<string, number>>;
  readonly means?: Readonly<Record<string, string | null>>;
  /** The options ahead now by their totals (means for score), at most `seats`; none for yesno. */
  readonly leading: readonly string[];
  /** Ranked methods: the full recount as of board entry `resultSeq`. */
  readonly result?: CountResult;
  readonly resultSeq?: number;
}

export interface LiveTallyRound {
  readonly method: Method;
  readonly options: readonly { readonly id: string }[];
  readonly seats: number;
  readonly revote: boolean;
}

export class LiveTallyState {
  private readonly totals = new Map<string, number>();
  private readonly scorers = new Map<string, number>();
  private readonly current = new Map<string, Choice>();
  /** The last board entry applied; older or repeated entries are ignored. */
  lastSeq = 0;

  constructor(private readonly round: LiveTallyRound) {
    for (const o of round.options) {
      this.totals.set(o.id, 0);
      this.scorers.set(o.id, 0);
    }
  }

  get ranked(): boolean {
    return isRanked(this.round.method);
  }

  /** Applies a committed board entry; entries must come in seq order (older ones are skipped). */
  apply(seq: number, voter: string, choice: Choice): void {
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    const previous = this.current.get(voter);
    if (previous !== undefined) {
      // Without revote the server refuses a second ballot; should one appear, the first stands.
      if (!this.round.revote) return;
      this.add(previous, -1);
    }
    this.current.set(voter, choice);
    this.add(choice, 1);
  }

  private bump(id: string, by: number): void {
    this.totals.set(id, (this.totals.get(id) ?? 0) + by);
  }

  private add(choice: Choice, sign: 1 | -1): void {
    const method = this.round.method;
    switch (method) {
      case 'plurality':
        if ('pick' in choice) this.bump(choice.pick, sign);
        return;
      case 'approval':
        if ('approve' in choice) for (const id of choice.approve) this.bump(id, sign);
        return;
      case 'yesno':
        if ('answer' in choice) this.bump(choice.answer, sign);
        return;
      case 'score':
        if ('scores' in choice) {
          for (const [id, score] of Object.entries(choice.scores)) {
            this.bump(id, sign * score);
            this.scorers.set(id, (this.scorers.get(id) ?? 0) + sign);
          }
        }
        return;
      case 'cumulative':
        if ('points' in choice) for (const [id, points] of Object.entries(choice.points)) this.bump(id, sign * points);
        return;
      case 'borda':
      case 'irv':
      case 'stv':
      case 'schulze':
        if ('ranking' in choice && choice.ranking[0] !== undefined) this.bump(choice.ranking[0], sign);
        return;
      default:
        assertNever(method, 'method');
    }
  }

  /** The choices that count now, for a full recount. */
  countingChoices(): Choice[] {
    return [...this.current.values()];
  }

  snapshot(): LiveTally {
    const ids = this.round.options.map((o) => o.id);
    const totals = Object.fromEntries(ids.map((id) => [id, this.totals.get(id) ?? 0]));
    const base = { method: this.round.method, counted: this.current.size, totals };
    if (this.round.method === 'yesno') return { ...base, leading: [] };
    if (this.round.method === 'score') {
      const scorers = Object.fromEntries(ids.map((id) => [id, this.scorers.get(id) ?? 0]));
      const means = Object.fromEntries(
        ids.map((id) => {
          const n = scorers[id] ?? 0;
          return [id, n === 0 ? null : decimalString(BigInt(totals[id] ?? 0), BigInt(n), 6)];
        }),
      );
      // Compare means exactly: a/b > c/d  ⇔  a·d > c·b (scorers are positive).
      const scored = ids.filter((id) => (scorers[id] ?? 0) > 0);
      const leading = [...scored]
        .sort((a, b) => (totals[b] ?? 0) * (scorers[a] ?? 0) - (totals[a] ?? 0) * (scorers[b] ?? 0))
        .slice(0, this.round.seats);
      return { ...base, scorers, means, leading };
    }
    const leading = ids
      .filter((id) => (totals[id] ?? 0) > 0)
      .sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0))
      .slice(0, this.round.seats);
    return { ...base, leading };
  }
}
