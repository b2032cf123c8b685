/** Small helpers for hand-written ranked fixtures and the STV stage invariant. */
import { expect } from 'vitest';
import type { RankedBallot } from '../../shared/counting/ranked';
import type { StvResult } from '../../shared/counting/stv';
import type { CountOption } from '../../shared/counting/types';
import { units } from './arbitraries';

/** Options named by single letters: letters('abc'). */
export const letters = (s: string): CountOption[] => s.split('').map((id) => ({ id, label: id.toUpperCase() }));

/** Weighted ballots written as rankings of letters: ballots({ ab: 3, c: 1 }). */
export const ballots = (spec: Record<string, number>): RankedBallot[] =>
  Object.entries(spec).map(([ranking, weight]) => ({ ranking: ranking === '' ? [] : ranking.split(''), weight }));

/** At every stage: all votes + non-transferable + residue = the valid vote, exactly. */
export function expectStagesBalance(result: StvResult): void {
  const valid = BigInt(result.valid) * 10n ** BigInt(result.decimals);
  for (const stage of result.stages) {
    const sum = Object.values(stage.votes).reduce((a, v) => a + units(v), 0n);
    expect(sum + units(stage.nonTransferable) + units(stage.residue)).toBe(valid);
  }
}
