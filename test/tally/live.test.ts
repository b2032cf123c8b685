import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Choice, Method } from '../../shared/counting/types';
import { LiveTallyState } from '../../shared/tally/live';

const options = ['a', 'b', 'c', 'd'].map((id) => ({ id }));

/** Totals from scratch: each voter's last ballot (or first, without revote). */
function fromScratch(revote: boolean, entries: readonly { voter: string; choice: Choice }[]): Record<string, number> {
  const kept = new Map<string, Choice>();
  for (const e of entries) if (revote || !kept.has(e.voter)) kept.set(e.voter, e.choice);
  const totals: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
  const add = (id: string, n: number) => (totals[id] = (totals[id] ?? 0) + n);
  for (const c of kept.values()) {
    if ('pick' in c) add(c.pick, 1);
    else if ('approve' in c) c.approve.forEach((id) => add(id, 1));
    else if ('points' in c) Object.entries(c.points).forEach(([id, n]) => add(id, n));
    else if ('scores' in c) Object.entries(c.scores).forEach(([id, n]) => add(id, n));
    else if ('ranking' in c && c.ranking[0] !== undefined) add(c.ranking[0], 1);
  }
  return totals;
}

const optionId = fc.constantFrom('a', 'b', 'c', 'd');
const choiceOf: Record<string, fc.Arbitrary<Choice>> = {
  plurality: optionId.map((pick) => ({ pick })),
  approval: fc.uniqueArray(optionId, { maxLength: 4 }).map((approve) => ({ approve })),
  cumulative: fc.dictionary(optionId, fc.integer({ min: 0, max: 5 })).map((points) => ({ points })),
  score: fc.dictionary(optionId, fc.integer({ min: 0, max: 5 })).map((scores) => ({ scores })),
  irv: fc.uniqueArray(optionId, { maxLength: 4 }).map((ranking) => ({ ranking })),
};

describe('live tallies', () => {
  for (const method of Object.keys(choiceOf) as Method[]) {
    it(`${method}: moving ballot by ballot gives the totals of counting from scratch`, () => {
      const arb = choiceOf[method];
      if (arb === undefined) throw new Error('no arbitrary');
      fc.assert(
        fc.property(fc.boolean(), fc.array(fc.record({ voter: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5'), choice: arb }), { maxLength: 40 }), (revote, entries) => {
          const state = new LiveTallyState({ method, options, seats: 2, revote });
          entries.forEach((e, i) => state.apply(i + 1, e.voter, e.choice));
          expect(state.snapshot().totals).toEqual(fromScratch(revote, entries));
          expect(state.snapshot().counted).toBe(new Set(entries.map((e) => e.voter)).size);
        }),
      );
    });
  }

  it('ignores entries it has applied already', () => {
    const state = new LiveTallyState({ method: 'plurality', options, seats: 1, revote: true });
    state.apply(1, 'v1', { pick: 'a' });
    state.apply(2, 'v2', { pick: 'b' });
    state.apply(2, 'v2', { pick: 'b' });
    state.apply(1, 'v1', { pick: 'c' });
    expect(state.snapshot()).toMatchObject({ counted: 2, totals: { a: 1, b: 1, c: 0, d: 0 } });
  });

  it('leads with the highest mean for score, compared exactly', () => {
    const state = new LiveTallyState({ method: 'score', options, seats: 2, revote: false });
    state.apply(1, 'v1', { scores: { a: 5, b: 1 } });
    state.apply(2, 'v2', { scores: { a: 4, c: 5 } });
    const snap = state.snapshot();
    expect(snap.means).toEqual({ a: '4.500000', b: '1.000000', c: '5.000000', d: null });
    expect(snap.leading).toEqual(['c', 'a']);
  });

  it('keeps yes/no answers as totals and names no leader', () => {
    const state = new LiveTallyState({ method: 'yesno', options: [{ id: 'yes' }, { id: 'no' }, { id: 'abstain' }], seats: 1, revote: true });
    state.apply(1, 'v1', { answer: 'yes' });
    state.apply(2, 'v1', { answer: 'no' });
    state.apply(3, 'v2', { answer: 'abstain' });
    expect(state.snapshot()).toEqual({ method: 'yesno', counted: 2, totals: { yes: 0, no: 1, abstain: 1 }, leading: [] });
  });
});
