import type { Profile } from './ranked';
import type { StvResult, StvStage } from './stv';
import type { TieRecord } from './types';

/** What each variant tracked, as option indices where the result names option ids. */
export interface StvOutcome {
  readonly variant: StvResult['variant'];
  readonly rule: string;
  readonly seats: number;
  readonly decimals: number;
  readonly profile: Pick<Profile, 'ids' | 'valid' | 'blank'>;
  readonly winners: readonly number[];
  readonly excluded: readonly number[];
  readonly ties: readonly TieRecord[];
  readonly quota: string;
  readonly stages: readonly StvStage[];
}

/** The result both STV variants report, in one shape (see StvResult). */
export function stvResult(o: StvOutcome): StvResult {
  const id = (c: number): string => o.profile.ids[c] ?? '';
  return {
    method: 'stv',
    variant: o.variant,
    winners: o.winners.map(id),
    ties: o.ties,
    rule: o.rule,
    seats: o.seats,
    ballots: o.profile.valid + o.profile.blank,
    blank: o.profile.blank,
    valid: o.profile.valid,
    decimals: o.decimals,
    quota: o.quota,
    excluded: o.excluded.map(id),
    stages: o.stages,
  };
}
